package main

// The class mode: its arguments without Docker, and a whole class of
// student variants (testdata/rendus) checked against the engine, on one
// engine or spread over several (TPDOCKER_MOTEURS, as -moteurs).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"tpdocker/internal/dockerwrap"
	"tpdocker/internal/report"
	"tpdocker/internal/submission"
)

// TestMain makes this test binary what the class runs for each student, as
// the program is: « eleve » checks one student, and under the name docker
// it is the scripts' wrapper.
func TestMain(m *testing.M) {
	testscript.Main(testProgram{m}, map[string]func(){"docker": dockerwrap.Main})
}

type testProgram struct{ m *testing.M }

func (p testProgram) Run() int {
	if len(os.Args) > 1 && os.Args[1] == oneStudent {
		return checkOne(os.Args[2:])
	}
	return p.m.Run()
}

var update = flag.Bool("update", false, "rewrite the site's sample report (site/assets/verifier/exemple.txt) from this run")

func TestParseEngines(t *testing.T) {
	es, err := ParseEngines("default, salle2=nsenter --net=/run/netns/salle2")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].Context != "default" || len(es[0].Prefix) != 0 ||
		es[1].Context != "salle2" || strings.Join(es[1].Prefix, " ") != "nsenter --net=/run/netns/salle2" {
		t.Errorf("ParseEngines : %+v", es)
	}
	if es, _ := ParseEngines(""); len(es) != 1 || es[0].Context != "" {
		t.Errorf("sans -moteurs : %+v", es)
	}
	for _, bad := range []string{"a,a", ",b", "=x"} {
		if _, err := ParseEngines(bad); err == nil {
			t.Errorf("ParseEngines(%q) accepté", bad)
		}
	}
}

func TestTimeLeft(t *testing.T) {
	for _, c := range []struct {
		spent                  time.Duration
		checked, left, engines int
		want                   string
	}{
		{time.Minute, 1, 0, 1, ""},
		{time.Minute, 0, 3, 1, ""},
		{20 * time.Second, 2, 1, 1, ", moins d'une minute"},
		{2 * time.Minute, 4, 50, 1, ", environ 25 min"},
		{2 * time.Minute, 4, 50, 2, ", environ 13 min"},
		{10 * time.Minute, 10, 190, 1, ", environ 3 h 10"},
	} {
		if got := timeLeft(c.spent, c.checked, c.left, c.engines); got != c.want {
			t.Errorf("timeLeft(%v, %d, %d, %d) = %q ; want %q", c.spent, c.checked, c.left, c.engines, got, c.want)
		}
	}
}

func TestStudents(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"bob", "alice", ".cache"} {
		os.Mkdir(filepath.Join(dir, d), 0o755)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644)
	got, err := Students(dir)
	if err != nil || strings.Join(got, " ") != "alice bob" {
		t.Errorf("Students : %v, %v", got, err)
	}
	os.Symlink("/", filepath.Join(dir, "carol"))
	if _, err := Students(dir); err == nil || !strings.Contains(err.Error(), "lien symbolique") {
		t.Errorf("un élève en lien symbolique : %v", err)
	}
	if _, err := Students(t.TempDir()); err == nil {
		t.Error("une classe vide acceptée")
	}
}

// variantExpect is what the check of a variant must say: the questions it
// fails (none for a correct one), those left unverifiable because the
// exercise stopped or a question it needs failed, a word of the failure,
// or a refusal. Every other question passes.
var variantExpect = map[string]struct {
	fails        []string
	unverifiable []string
	word         string // in the failed question's reason, output or hint
	refused      string // in the refusal
}{
	"correct-tp":           {},
	"correct-route-style":  {},
	"correct-run-en-plus":  {},
	"correct-workdir":      {},
	"correct-healthcheck":  {},
	"faux-sans-health":     {fails: ids("3.a"), unverifiable: ids("4.a-d", "5.a", "5.c-e", "7.a-e"), word: "/health"},
	"faux-json":            {fails: ids("4.b", "5.d"), unverifiable: ids("4.c-d", "5.e"), word: `{"status":"OK"}`},
	"faux-port":            {fails: ids("4.a", "5.c", "7.a"), unverifiable: ids("4.b-d", "5.d-e", "7.b-e"), word: "8080"},
	"faux-python312":       {fails: ids("3.b"), unverifiable: ids("3.c", "4.a-d", "5.a", "5.c-e", "6.a-d", "7.a-e"), word: "python:3.9-slim"},
	"faux-postgres15":      {fails: ids("5.b"), unverifiable: ids("5.a", "5.c-e", "6.a-d", "7.a-e"), word: "postgres:16"},
	"faux-mot-de-passe":    {fails: ids("5.b"), unverifiable: ids("5.a", "5.c-e", "6.a-d", "7.a-e"), word: "POSTGRES_PASSWORD"},
	"faux-syntaxe":         {fails: ids("4.a", "5.c", "7.a"), unverifiable: ids("4.b-d", "5.d-e", "7.b-e"), word: "SyntaxError"},
	"faux-build":           {fails: ids("3.c"), unverifiable: ids("4.a-d", "5.a", "5.c-e", "6.a-d", "7.a-e"), word: "COPY main.py"},
	"hostile-privileged":   {refused: "privileged"},
	"hostile-bind":         {refused: "/var/run/docker.sock"},
	"hostile-network-host": {refused: "network_mode"},
	"hostile-pid-host":     {refused: "pid: host"},
	"hostile-cap-add":      {refused: "cap_add"},
	"hostile-devices":      {refused: "devices"},
	"hostile-ports":        {refused: "2375"},
	"hostile-syntax":       {refused: "syntax="},
	"hostile-yaml":         {refused: "YAML"},
	"manquant":             {refused: "il manque"},
	"hostile-lien":         {refused: "lien symbolique"},
	"hostile-gros":         {refused: "Mio"},
}

// slowExpect are the variants that never end, checked with slowLimit:
// the questions that must pass, those that must fail (the first one at
// its limit, with the word), the others not asserted (an exercise that
// outlasts the short limit for its own work).
var slowExpect = map[string]struct {
	ok, fails []string
	word      string
}{
	"lent-run-infini":  {ok: ids("3.a", "3.b", "5.b"), fails: ids("3.c"), word: "limite"},
	"lent-jamais-pret": {ok: ids("3.a", "3.b", "3.c", "5.b"), fails: ids("4.a", "5.c", "7.a"), word: "ne répond"},
}

// slowLimit is the limit of one exercise for the slow variants: they add
// about a minute to the class.
const slowLimit = 10 * time.Second

func question(r *report.Report, id string) *report.Question {
	for i := range r.Questions {
		if r.Questions[i].ID == id {
			return &r.Questions[i]
		}
	}
	return nil
}

// ids expands "4.a-d" into 4.a 4.b 4.c 4.d.
func ids(specs ...string) []string {
	var out []string
	for _, s := range specs {
		head, last, ok := strings.Cut(s, "-")
		if !ok {
			out = append(out, s)
			continue
		}
		for c := head[len(head)-1]; c <= last[0]; c++ {
			out = append(out, head[:len(head)-1]+string(c))
		}
	}
	return out
}

// variantClasses makes the class of the repository's variants, and the
// class of the slow ones, which are checked with a short limit.
func variantClasses(tb testing.TB) (class, slow string) {
	// The variants, plus the two hostile ones a repository cannot hold as
	// files (a symbolic link out of the folder, a large file).
	class = tb.TempDir()
	if err := os.CopyFS(class, os.DirFS("../../testdata/rendus")); err != nil {
		tb.Fatal(err)
	}
	os.Remove(filepath.Join(class, "README.md"))
	if err := os.Symlink("/etc/passwd", filepath.Join(class, "hostile-lien", "api", "app.py")); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(class, "hostile-gros", "api", "donnees.bin"), bytes.Repeat([]byte("x"), 2<<20), 0o644); err != nil {
		tb.Fatal(err)
	}
	slow = tb.TempDir()
	for name := range slowExpect {
		if err := os.Rename(filepath.Join(class, name), filepath.Join(slow, name)); err != nil {
			tb.Fatal(err)
		}
	}
	return class, slow
}

// TestClassOverVariants checks the repository's student variants as a
// class: every correct one passes, every wrong one fails at the question
// it is about and only there, every hostile one is refused before anything
// runs; the folders are never written to, and nothing is left on the
// engines. TPDOCKER_MOTEURS gives the engines (as -moteurs).
func TestClassOverVariants(t *testing.T) {
	if testing.Short() {
		t.Skip("-short : la classe n'est pas vérifiée (Docker)")
	}
	class, slow := variantClasses(t)
	before, beforeSlow := treeDigest(t, class), treeDigest(t, slow)
	engines := os.Getenv("TPDOCKER_MOTEURS")
	es, err := ParseEngines(engines)
	if err != nil {
		t.Fatal(err)
	}
	objects := map[string]string{}
	for _, e := range es {
		objects[e.Context] = suiteObjects(t, e)
	}

	out := t.TempDir()
	var log bytes.Buffer
	r, err := run(context.Background(), options{class: class, out: out, engines: engines, limit: 4 * time.Minute}, &log)
	t.Log("\n" + log.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("classe de %d élèves sur %d moteur(s) : %.0f s", len(r.report.Reports), len(es), r.seconds)
	if r.checkerErrors > 0 {
		t.Errorf("%d élève(s) non vérifié(s) par erreur du vérificateur", r.checkerErrors)
	}

	seen := map[string]bool{}
	for _, rep := range r.report.Reports {
		seen[rep.Student] = true
		want, ok := variantExpect[rep.Student]
		if !ok {
			t.Errorf("%s : variante sans attente dans ce test", rep.Student)
			continue
		}
		var fails, unverifiable []string
		var text strings.Builder
		for _, q := range rep.Questions {
			switch q.Status {
			case report.Fail:
				fails = append(fails, q.ID)
				fmt.Fprintln(&text, q.Reason, q.Actual, q.Hint)
			case report.Unverifiable:
				unverifiable = append(unverifiable, q.ID)
			}
			if q.Checker {
				t.Errorf("%s : %s non vérifiée par l'outil : %s", rep.Student, q.ID, q.Reason)
			}
		}
		switch {
		case want.refused != "":
			if len(rep.Refused) == 0 || !strings.Contains(strings.Join(rep.Refused, "\n"), want.refused) {
				t.Errorf("%s : refus attendu (%q), obtenu %q, échecs %v", rep.Student, want.refused, rep.Refused, fails)
			}
			if len(rep.Questions) > 0 && anyRun(rep) {
				t.Errorf("%s : refusé, mais des questions ont été lancées", rep.Student)
			}
		case len(rep.Refused) > 0:
			t.Errorf("%s : refusé : %q", rep.Student, rep.Refused)
		case !slices.Equal(fails, want.fails):
			t.Errorf("%s : questions en échec %v, attendu %v\n%s", rep.Student, fails, want.fails, rep.Text())
		case !slices.Equal(unverifiable, want.unverifiable):
			t.Errorf("%s : questions non vérifiables %v, attendu %v\n%s", rep.Student, unverifiable, want.unverifiable, rep.Text())
		case want.word != "" && !strings.Contains(text.String(), want.word):
			t.Errorf("%s : %q n'apparaît pas dans l'échec :\n%s", rep.Student, want.word, rep.Text())
		case len(want.fails) == 0 && !rep.Passed():
			t.Errorf("%s : ne passe pas\n%s", rep.Student, rep.Text())
		}
		if want.refused == "" {
			ok, _, _ := rep.Counts()
			if wantOK := 21 - len(want.fails) - len(want.unverifiable); ok != wantOK || rep.Score != float64(ok) || rep.Max != 21 {
				t.Errorf("%s : %d réussies, note %v/%v (attendu %d réussies, %d/21)", rep.Student, ok, rep.Score, rep.Max, wantOK, wantOK)
			}
		} else if rep.Score != 0 || rep.Max != 21 {
			t.Errorf("%s : refusé, note %v/%v (attendu 0/21)", rep.Student, rep.Score, rep.Max)
		}
		if _, err := os.Stat(filepath.Join(out, rep.Student, "rapport.html")); err != nil {
			t.Errorf("%s : pas de rapport HTML : %v", rep.Student, err)
		}
	}
	for name := range variantExpect {
		if !seen[name] {
			t.Errorf("%s : absent de la classe", name)
		}
	}

	// The summary: one CSV row per student, one HTML page.
	data, err := os.ReadFile(filepath.Join(out, "classe.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(rows) != len(variantExpect)+1 {
		t.Errorf("classe.csv : %d lignes (%v), attendu %d", len(rows), err, len(variantExpect)+1)
	}
	if _, err := os.Stat(filepath.Join(out, "classe.html")); err != nil {
		t.Error(err)
	}

	// A build or an app that never ends stops at the limit; the class
	// goes on.
	slowOut := t.TempDir()
	log.Reset()
	sr, err := run(context.Background(), options{class: slow, out: slowOut, engines: engines, limit: slowLimit}, &log)
	t.Log("\n" + log.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("classe des variantes lentes (limite %v) : %.0f s", slowLimit, sr.seconds)
	for _, rep := range sr.report.Reports {
		want := slowExpect[rep.Student]
		for _, q := range rep.Questions {
			switch {
			case slices.Contains(want.ok, q.ID) && q.Status != report.OK,
				slices.Contains(want.fails, q.ID) && q.Status != report.Fail:
				t.Errorf("%s : %s %s\n%s", rep.Student, q.ID, q.Status, rep.Text())
			case q.Checker:
				t.Errorf("%s : %s non vérifiée par l'outil : %s", rep.Student, q.ID, q.Reason)
			}
		}
		if q := question(rep, want.fails[0]); q == nil || !strings.Contains(q.Reason+q.Actual, want.word) {
			t.Errorf("%s : %q n'apparaît pas dans l'échec de %s :\n%s", rep.Student, want.word, want.fails[0], rep.Text())
		}
	}
	if len(sr.report.Reports) != len(slowExpect) {
		t.Errorf("%d variantes lentes vérifiées, attendu %d", len(sr.report.Reports), len(slowExpect))
	}
	if after := treeDigest(t, slow); after != beforeSlow {
		t.Error("un dossier d'élève lent a été modifié par la vérification")
	}
	if after := treeDigest(t, class); after != before {
		t.Error("un dossier d'élève a été modifié par la vérification")
	}
	for _, e := range es {
		if got := suiteObjects(t, e); got != objects[e.Context] {
			t.Errorf("%s : objets restés sur le moteur après la classe :\n%s", e, got)
		}
	}

	// The site's sample report is the one of faux-json, as this run wrote it.
	sample := "../../site/assets/verifier/exemple.txt"
	got, err := os.ReadFile(filepath.Join(out, "faux-json", "rapport.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(sample, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	if sampleBody(got) != sampleBody(want) {
		t.Errorf("l'exemple de rapport du site (%s) n'est plus ce que la vérification écrit : réécrivez-le avec go test ./cmd/classe -run TestClassOverVariants -update\n--- écrit\n%s\n--- sur le site\n%s", sample, got, want)
	}
}

// anyRun tells whether a refused report still says a question ran.
func anyRun(r *report.Report) bool {
	for _, q := range r.Questions {
		if q.Status == report.OK || q.Status == report.Fail {
			return true
		}
	}
	return false
}

// sampleBody is a text report without its first line, which says the
// engine and the time taken.
func sampleBody(b []byte) string {
	_, rest, _ := strings.Cut(string(b), "\n")
	return rest
}

// treeDigest sums a folder's names, modes, modification times and
// contents.
func treeDigest(t testing.TB, dir string) string {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %v %d\n", p, info.Mode(), info.ModTime().UnixNano())
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h.Write(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// suiteObjects lists what the lab labels on an engine: containers,
// networks, volumes and images of its runs.
func suiteObjects(t testing.TB, e Engine) string {
	var b strings.Builder
	for _, args := range [][]string{
		{"ps", "-a", "--filter", "label=tpdocker.scope", "--format", "conteneur {{.Names}} {{.Label \"tpdocker.scope\"}}"},
		{"network", "ls", "--filter", "label=tpdocker.scope", "--format", "réseau {{.Name}}"},
		{"volume", "ls", "--filter", "label=tpdocker.scope", "--format", "volume {{.Name}}"},
		{"volume", "ls", "--filter", "label=tpdocker.anonymous.scope", "--format", "volume {{.Name}}"},
		{"image", "ls", "--filter", "label=tpdocker.scope", "--format", "image {{.ID}}"},
		{"image", "ls", "--filter", "dangling=true", "--format", "image pendante {{.ID}}"},
	} {
		cmd := exec.Command("docker", args...)
		cmd.Env = os.Environ()
		if e.Context != "" {
			cmd.Env = append(cmd.Env, "DOCKER_CONTEXT="+e.Context)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("docker %s (%s) : %v\n%s", strings.Join(args, " "), e, err, out)
		}
		b.Write(out)
	}
	return b.String()
}

// A class from reports already written (-rapports), without Docker: each
// report graded by the teacher's barème, mapped by eleves.csv; a report
// from other scripts is marked, a file that is not one is refused with
// why, and the class goes on.
func TestClassFromReports(t *testing.T) {
	version, err := report.ScriptsVersion("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rep := func(student, scripts string, fail string) []byte {
		r := &report.Report{Student: student, Folder: "../" + student, Date: "2026-03-01T14:05:09+01:00", Scripts: scripts}
		for _, q := range report.Lab {
			st := report.OK
			if q.ID == fail {
				st = report.Fail
			}
			r.Questions = append(r.Questions, report.Question{ID: q.ID, Title: q.Title, Status: st})
		}
		r.Grade(nil) // one point each, as the student's own run graded it
		data, err := r.JSON()
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	write("alice/out/rendus/mon-tp/rapport.json", rep("mon-tp", version, ""))
	write("bob/rapport.json", rep("bob", "0123456789ab", "4.b"))
	write("chloe.json", rep("chloe", version, "5.d"))
	write("dan/rapport.json", []byte(`{"name": "pas un rapport"}`))
	write("dan/notes.txt", []byte("ignoré"))
	write("eve/rapport.json", []byte("ni JSON"))
	bareme := filepath.Join(t.TempDir(), "bareme.txt")
	os.WriteFile(bareme, []byte("4.b 3\n"), 0o644)
	eleves := filepath.Join(t.TempDir(), "eleves.csv")
	os.WriteFile(eleves, []byte("dossier;email\nalice;alice@lycee.fr\nbob;bob@lycee.fr\nchloe;chloe@lycee.fr\n"), 0o644)

	out := t.TempDir()
	var log bytes.Buffer
	r, err := run(context.Background(), options{class: dir, out: out, bareme: bareme, eleves: eleves, fromReports: true}, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	text := log.String()
	for _, want := range []string{
		"dan/rapport.json",
		"fichier refusé : pas un rapport de vérification : rapport illisible : json: unknown field \"name\"",
		"eve/rapport.json",
		"bob                      échec 20/23",
		"vérifié par une autre version des scripts (0123456789ab, ici " + version + ")",
		"classe : 3 rapport(s) lus, 2 fichier(s) refusé(s), 1 d'une autre version des scripts",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	if r.refusedFiles != 2 || len(r.report.Reports) != 3 {
		t.Errorf("%d refused files, %d reports", r.refusedFiles, len(r.report.Reports))
	}
	data, err := os.ReadFile(filepath.Join(out, "classe.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(rows) != 4 {
		t.Fatalf("classe.csv: %v\n%s", err, data)
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	for _, want := range [][3]string{{"alice@lycee.fr", "23", ""}, {"bob@lycee.fr", "20", "autre version des scripts"}, {"chloe@lycee.fr", "22", "En échec : 5.d."}} {
		i := slices.IndexFunc(rows, func(r []string) bool { return r[0] == want[0] })
		if i < 0 || rows[i][col("total")] != want[1] || rows[i][col("maximum")] != "23" || !strings.Contains(rows[i][col("commentaire")], want[2]) {
			t.Errorf("%s: %q", want[0], rows[max(i, 0)])
		}
	}
	for _, f := range []string{"alice/rapport.html", "bob/rapport.junit.xml", "chloe/rapport.json", "classe.html"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	// A folder eleves.csv does not name stops the class, saying which.
	os.WriteFile(eleves, []byte("dossier,email\nalice,alice@lycee.fr\n"), 0o644)
	if _, err := run(context.Background(), options{class: dir, out: t.TempDir(), eleves: eleves, fromReports: true}, io.Discard); err == nil || !strings.Contains(err.Error(), "bob, chloe") {
		t.Errorf("unmapped folders: %v", err)
	}
}

// -reprendre keeps a report written for the same folder, by these scripts,
// on the same files, and checks again the students whose report is
// missing, from another folder, from other scripts, on files changed
// since, or the checker's failure. The folders checked here are refused
// before anything runs: no Docker.
func TestClassResume(t *testing.T) {
	version, err := report.ScriptsVersion("../..")
	if err != nil {
		t.Fatal(err)
	}
	class, out := t.TempDir(), t.TempDir()
	for _, s := range []string{"gardee", "sans-rapport", "autre-dossier", "autre-version", "modifiee", "outil"} {
		from := "../../testdata/rendus/hostile-privileged"
		if s == "gardee" {
			from = "../../testdata/rendus/correct-tp"
		}
		if err := os.CopyFS(filepath.Join(class, s), os.DirFS(from)); err != nil {
			t.Fatal(err)
		}
	}
	written := func(student, folder, scripts, checker string) {
		digest, err := submission.Digest(filepath.Join(class, student))
		if err != nil {
			t.Fatal(err)
		}
		r := &report.Report{Student: student, Folder: filepath.Join(folder, student), Date: "2026-03-01T14:05:09+01:00", Scripts: scripts, Checker: checker, Digest: digest}
		for _, q := range report.Lab {
			r.Questions = append(r.Questions, report.Question{ID: q.ID, Title: q.Title, Status: report.OK})
		}
		r.Grade(nil)
		if err := r.WriteFiles(filepath.Join(out, student)); err != nil {
			t.Fatal(err)
		}
	}
	written("gardee", class, version, "")
	written("autre-dossier", "../classe-a", version, "")
	written("autre-version", class, "0123456789ab", "")
	written("modifiee", class, version, "")
	written("outil", class, "", "le moteur ne répond pas")
	if err := os.WriteFile(filepath.Join(class, "modifiee", "api", "app.py"), []byte("app = None\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bareme := filepath.Join(t.TempDir(), "bareme.txt")
	os.WriteFile(bareme, []byte("4.b 3\n"), 0o644)

	var log bytes.Buffer
	r, err := run(context.Background(), options{class: class, out: out, bareme: bareme, resume: true}, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	text := log.String()
	for _, want := range []string{
		"gardee                   réussi 23/23 : 21 réussies, 0 non vérifiables, 0 s (rapport du 1/3 14:05) [1/6, rapport gardé]",
		"autre-dossier            vérifié à nouveau : rapport d'un autre dossier (../classe-a/autre-dossier)",
		"autre-version            vérifié à nouveau : rapport écrit par une autre version des scripts (0123456789ab, ici " + version + ")",
		"modifiee                 vérifié à nouveau : dossier modifié depuis son rapport",
		"outil                    vérifié à nouveau : l'outil n'avait pas pu le vérifier",
		"classe : 1 rapport(s) gardé(s), 5 élève(s) à vérifier",
		"sans-rapport             refusé, 0/23",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	for _, rep := range r.report.Reports {
		kept := rep.Student == "gardee"
		if kept != rep.Passed() || kept != (len(rep.Refused) == 0) {
			t.Errorf("%s: passed %v, refused %q", rep.Student, rep.Passed(), rep.Refused)
		}
	}
	if len(r.report.Reports) != 6 {
		t.Errorf("%d reports ; want 6", len(r.report.Reports))
	}
	// The kept report is graded again, with the barème of this run.
	data, err := os.ReadFile(filepath.Join(out, "gardee", "rapport.json"))
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := report.ReadJSON(data); err != nil || rep.Max != 23 || rep.Bareme != "bareme.txt" {
		t.Errorf("kept report: %v, %v", rep, err)
	}
	// The reports this run wrote are kept by the next one: they carry the
	// folder, the scripts and the files they were written for.
	log.Reset()
	if _, err := run(context.Background(), options{class: class, out: out, resume: true}, &log); err != nil || !strings.Contains(log.String(), "classe : 6 rapport(s) gardé(s), 0 élève(s) à vérifier") {
		t.Errorf("a second -reprendre: %v\n%s", err, log.String())
	}
	if _, err := run(context.Background(), options{class: class, out: t.TempDir(), resume: true, fromReports: true}, io.Discard); err == nil || !strings.Contains(err.Error(), "-reprendre ne va pas avec -rapports") {
		t.Errorf("-reprendre with -rapports: %v", err)
	}
}

// A student's line says what the class table says.
func TestStudentLine(t *testing.T) {
	r := &report.Report{Student: "alice", Questions: []report.Question{{ID: "3.a", Status: report.OK}, {ID: "3.b", Status: report.Unverifiable}}}
	r.Grade(nil)
	if got := studentLine(r, Engine{}); !strings.HasPrefix(got, "alice                    incomplet 1/2 : 1 réussies, 1 non vérifiables") {
		t.Errorf("incomplete: %q", got)
	}
	r = &report.Report{Student: "bob", Checker: "le moteur ne répond pas"}
	if got := studentLine(r, Engine{}); got != "bob                      non vérifié : le moteur ne répond pas (moteur courant)" {
		t.Errorf("checker: %q", got)
	}
}
