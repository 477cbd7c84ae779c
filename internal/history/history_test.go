package history

// The verification history: the data branch (git plumbing, concurrent
// appends), entries' validation, and failures reported as issues.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// entry makes a plausible entry; failing names the scripts that fail, at
// the given file line.
func entry(date string, failing map[string]int) Entry {
	e := Entry{Date: date, Status: "pass", Event: "local", RunURL: "https://example.org/run/" + date,
		Runner:  Runner{Name: "ci", OS: "Debian GNU/Linux 13 (trixie)"},
		Engine:  Engine{Engine: "29.8.0", Client: "29.8.0", Compose: "2.40.3", Buildx: "0.38.2", Store: "containerd"},
		Images:  []Image{{Ref: "postgres:16", Kind: "official", Digest: "postgres@sha256:4567", ID: "sha256:89ab"}},
		Inside:  Inside{Python: "3.9.25", FastAPI: "0.128.0", Uvicorn: "0.39.0", PostgreSQL: "16.11"},
		Seconds: 95.5}
	for _, s := range []string{"ex1-hello", "ex6-postgres"} {
		sc := Script{Script: s, Status: "pass", Seconds: 12.5,
			Steps: []Step{{Cmd: "docker run hello-world", Block: 1, InBlock: 1, Seconds: 2.4}}}
		if line, ok := failing[s]; ok {
			sc.Status, e.Status = "fail", "fail"
			e.Failures = append(e.Failures, Failure{Script: s, File: "testdata/" + s + ".txtar", Line: line,
				Message: "no match for `PostgreSQL 16` found in stdout", Expected: "stdout 'PostgreSQL 16'", Actual: "PostgreSQL 17.2"})
		}
		e.Scripts = append(e.Scripts, sc)
	}
	return e
}

// bare makes a bare repository (the remote) and a clone of nothing (where
// the objects are written), as a runner has.
func bare(t *testing.T) (remote, clone string) {
	t.Helper()
	dir := t.TempDir()
	remote, clone = filepath.Join(dir, "remote.git"), filepath.Join(dir, "clone")
	for _, args := range [][]string{{"init", "-q", "--bare", remote}, {"init", "-q", clone}} {
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			t.Fatalf("git %v : %v\n%s", args, err, out)
		}
	}
	return remote, clone
}

func TestBranchAppendAndRead(t *testing.T) {
	remote, clone := bare(t)
	b := Branch{Dir: clone, Remote: remote, Name: "verifications", File: "historique.jsonl"}
	ctx := context.Background()
	if _, err := b.Read(ctx); err != ErrNoBranch {
		t.Fatalf("lecture sans branche : %v, attendu ErrNoBranch", err)
	}
	for _, d := range []string{"2026-11-01T03:17:00Z", "2026-11-02T03:17:00Z"} {
		e := entry(d, nil)
		line, err := e.Line()
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Append(ctx, line, "Vérification du "+d); err != nil {
			t.Fatal(err)
		}
	}
	data, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Date != "2026-11-01T03:17:00Z" || entries[1].Date != "2026-11-02T03:17:00Z" {
		t.Fatalf("historique : %d entrées %+v", len(entries), entries)
	}
	// Two commits, the second on top of the first: appended, not rewritten.
	out, err := exec.Command("git", "-C", remote, "rev-list", "--count", "verifications").Output()
	if err != nil || strings.TrimSpace(string(out)) != "2" {
		t.Errorf("branche verifications : %q commits (%v), attendu 2", out, err)
	}
	// The clone keeps no ref of its own.
	if out, _ := exec.Command("git", "-C", clone, "for-each-ref").Output(); len(out) != 0 {
		t.Errorf("références laissées dans le clone : %s", out)
	}
}

// TestBranchConcurrentAppends: runs that append at the same time, each from
// its own clone, lose no entry: the refused pushes fetch again and retry.
func TestBranchConcurrentAppends(t *testing.T) {
	remote, _ := bare(t)
	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		clone := filepath.Join(t.TempDir(), "clone")
		if out, err := exec.Command("git", "init", "-q", clone).CombinedOutput(); err != nil {
			t.Fatalf("%v %s", err, out)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := entry(fmt.Sprintf("2026-11-%02dT03:17:00Z", i+1), nil)
			line, _ := e.Line()
			b := Branch{Dir: clone, Remote: remote, Name: "verifications", File: "historique.jsonl"}
			errs <- b.Append(context.Background(), line, "run")
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	out, err := exec.Command("git", "-C", remote, "show", "verifications:historique.jsonl").Output()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	days := map[string]bool{}
	for _, e := range entries {
		days[e.Date] = true
	}
	if len(entries) != n || len(days) != n {
		t.Errorf("%d entrées (%d distinctes) après %d ajouts simultanés :\n%s", len(entries), len(days), n, out)
	}
}

func TestEntryValidate(t *testing.T) {
	e := entry("2026-11-01T03:17:00Z", map[string]int{"ex6-postgres": 14})
	e.Failures = nil
	if _, err := e.Line(); err == nil {
		t.Error("un échec sans détail est accepté")
	}
	e = Entry{Date: "x", Status: "ok"}
	if _, err := e.Line(); err == nil {
		t.Error("un statut inconnu est accepté")
	}
}

// standinGH puts the recording stand-in of gh (testdata/gh) on PATH, with
// its state in a folder of its own, and returns that folder.
func standinGH(t *testing.T) string {
	t.Helper()
	bin, state := t.TempDir(), t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "gh"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "gh"), src, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("GH_STANDIN_DIR", state)
	return state
}

// ghCalls reads the calls the stand-in recorded: each call's arguments,
// joined by spaces, and its standard input.
func ghCalls(t *testing.T, state string) (calls []string, stdins []string) {
	t.Helper()
	for i := 1; ; i++ {
		args, err := os.ReadFile(filepath.Join(state, "calls", fmt.Sprintf("%d.args", i)))
		if os.IsNotExist(err) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		in, _ := os.ReadFile(filepath.Join(state, "calls", fmt.Sprintf("%d.stdin", i)))
		calls = append(calls, strings.Join(strings.Fields(strings.ReplaceAll(string(args), "\n", " ")), " "))
		stdins = append(stdins, string(in))
	}
}

func ghIssues(t *testing.T, state string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(state, "issues"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReportSequence: a failure opens one issue; a second failure of the
// same step comments on it; a failure at another step opens another; the
// next pass closes them; a pass with nothing open does nothing.
func TestReportSequence(t *testing.T) {
	state := standinGH(t)
	ctx := context.Background()
	step := func(e Entry, want ...string) {
		t.Helper()
		before, _ := ghCalls(t, state)
		acts, err := FileIssues(ctx, GH{}, &e)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range acts {
			got = append(got, fmt.Sprintf("%s %d", a.Verb, a.Number))
		}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("%s : actions %q, attendu %q", e.Date, got, want)
		}
		after, _ := ghCalls(t, state)
		// One list, then one call per action.
		if len(after)-len(before) != 1+len(want) {
			t.Errorf("%s : %d appels de gh, attendu %d : %q", e.Date, len(after)-len(before), 1+len(want), after[len(before):])
		}
	}
	fail := entry("2026-11-01T03:17:00Z", map[string]int{"ex6-postgres": 14})
	step(fail, "create 0")
	calls, stdins := ghCalls(t, state)
	want := "issue create --title Vérification en échec : ex6-postgres, étape testdata/ex6-postgres.txtar:14 --body-file -"
	if calls[1] != want {
		t.Errorf("création : %q, attendu %q", calls[1], want)
	}
	for _, s := range []string{"stdout 'PostgreSQL 16'", "PostgreSQL 17.2", "postgres@sha256:4567", "Docker 29.8.0", "Compose 2.40.3",
		"buildx 0.38.2", "PostgreSQL 16.11", "https://example.org/run/2026-11-01T03:17:00Z", "testdata/ex6-postgres.txtar:14"} {
		if !strings.Contains(stdins[1], s) {
			t.Errorf("le texte de l'issue ne donne pas %q :\n%s", s, stdins[1])
		}
	}
	step(entry("2026-11-02T03:17:00Z", map[string]int{"ex6-postgres": 14}), "comment 1")
	calls, stdins = ghCalls(t, state)
	if calls[3] != "issue comment 1 --body-file -" || !strings.Contains(stdins[3], "2026-11-02T03:17:00Z") {
		t.Errorf("commentaire : %q\n%s", calls[3], stdins[3])
	}
	step(entry("2026-11-03T03:17:00Z", map[string]int{"ex6-postgres": 20}), "create 0")
	step(entry("2026-11-04T03:17:00Z", nil), "close 1", "close 2")
	if got := ghIssues(t, state); strings.Count(got, "\tclosed\t") != 2 || strings.Contains(got, "\topen\t") {
		t.Errorf("issues après la réussite :\n%s", got)
	}
	step(entry("2026-11-05T03:17:00Z", nil))
}

// TestReportClosesOnlyPassedScripts: a failing run closes the issue of a
// script that passed in it (ex1), not that of a script that failed again,
// at another step (ex6), which gets an issue of its own.
func TestReportClosesOnlyPassedScripts(t *testing.T) {
	state := standinGH(t)
	ctx := context.Background()
	if _, err := FileIssues(ctx, GH{}, ptr(entry("2026-11-01T03:17:00Z", map[string]int{"ex6-postgres": 14, "ex1-hello": 3}))); err != nil {
		t.Fatal(err)
	}
	acts, err := FileIssues(ctx, GH{}, ptr(entry("2026-11-02T03:17:00Z", map[string]int{"ex6-postgres": 30})))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range acts {
		got = append(got, a.Verb+" "+a.Title)
	}
	want := []string{"create " + TitlePrefix + "ex6-postgres, étape testdata/ex6-postgres.txtar:30",
		"close " + TitlePrefix + "ex1-hello, étape testdata/ex1-hello.txtar:3"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("actions :\n%s\nattendu :\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if issues := ghIssues(t, state); strings.Count(issues, "\topen\t") != 2 || !strings.Contains(issues, "\topen\t"+TitlePrefix+"ex6-postgres, étape testdata/ex6-postgres.txtar:14") {
		t.Errorf("issues :\n%s", issues)
	}
}

func ptr(e Entry) *Entry { return &e }

// fakeT runs testscript outside of go test's own bookkeeping, to read the
// transcript of a script that fails.
type fakeT struct {
	mu  *sync.Mutex
	log *strings.Builder
}

func (t fakeT) Skip(args ...any)                      { panic("skip") }
func (t fakeT) Fatal(args ...any)                     { t.Log(args...); panic(failNow{}) }
func (t fakeT) Parallel()                             {}
func (t fakeT) Log(args ...any)                       { t.mu.Lock(); fmt.Fprint(t.log, args...); t.mu.Unlock() }
func (t fakeT) FailNow()                              { panic(failNow{}) }
func (t fakeT) Verbose() bool                         { return true }
func (t fakeT) Run(name string, f func(testscript.T)) { defer func() { recover() }(); f(t) }

type failNow struct{}

// TestFailureOf reads a failure in the transcript testscript really
// prints: the file and line, the script's line there, the last output.
func TestFailureOf(t *testing.T) {
	dir := t.TempDir()
	script := "# Un bloc qui passe.\nexec echo bonjour\nstdout bonjour\n\n# Le bloc qui échoue.\nexec echo 'PostgreSQL 17.2'\nstdout 'PostgreSQL 16'\n"
	if err := os.WriteFile(filepath.Join(dir, "ex9.txtar"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	func() {
		defer func() { recover() }()
		testscript.RunT(fakeT{mu: &sync.Mutex{}, log: &log}, testscript.Params{Dir: dir, RequireExplicitExec: true})
	}()
	f, ok := FailureOf("ex9", log.String(), script, "Le bloc qui échoue.", "echo \"PostgreSQL 17.2\"", "PostgreSQL 17.2\n")
	if !ok {
		t.Fatalf("aucun échec lu dans :\n%s", log.String())
	}
	if !strings.HasSuffix(f.File, "ex9.txtar") || f.Line != 7 || f.Expected != "stdout 'PostgreSQL 16'" ||
		!strings.Contains(f.Message, "no match for `PostgreSQL 16` found in stdout") || f.Actual != "PostgreSQL 17.2" {
		t.Errorf("échec lu : %+v\ntranscription :\n%s", f, log.String())
	}
	if _, ok := FailureOf("ex1", "# bloc (0.1s)\n> exec true\nPASS\n", "", "", "", ""); ok {
		t.Error("un échec lu dans une transcription qui passe")
	}
}

func TestFirstLinesAndVersions(t *testing.T) {
	if got := FirstLines("a\nb\nc\nd\n", 2); got != "a\nb\n… (2 lignes de plus)" {
		t.Errorf("FirstLines : %q", got)
	}
	in := InsideVersions([]string{"rien", "3.9.25 0.128.0 0.39.0\n", " PostgreSQL 16.11 (Debian 16.11-1.pgdg13+1) on x86_64"})
	if in != (Inside{"3.9.25", "0.128.0", "0.39.0", "16.11"}) {
		t.Errorf("versions : %+v", in)
	}
	if v := BuildxVersion("BuildKit (buildx 0.38.2)"); v != "0.38.2" {
		t.Errorf("buildx : %q", v)
	}
}

func TestSite(t *testing.T) {
	var entries []Entry
	for i := range 70 {
		var failing map[string]int
		if i == 20 || i == 66 {
			failing = map[string]int{"ex6-postgres": 14}
		}
		e := entry(fmt.Sprintf("2026-09-%02dT03:17:00Z", i%28+1), failing)
		e.Seconds = float64(60 + i)
		e.Scripts[0].Steps[0].Seconds = float64(i)
		entries = append(entries, e)
	}
	d := Site("verifications", entries)
	if d.Total != 70 || len(d.Runs) != MaxRuns || d.Runs[0].Number != 70 || d.Runs[MaxRuns-1].Number != 70-MaxRuns+1 {
		t.Errorf("runs : total %d, %d affichées, de %d à %d", d.Total, len(d.Runs), d.Runs[0].Number, d.Runs[len(d.Runs)-1].Number)
	}
	if d.Streak != 3 {
		t.Errorf("série : %d, attendu 3 (la 67e a échoué)", d.Streak)
	}
	if d.LastPass != 0 || d.Steps["ex1-hello"][0].Seconds != 69 {
		t.Errorf("dernière réussite %d, durées %+v", d.LastPass, d.Steps["ex1-hello"])
	}
	ex6 := d.Scripts["ex6-postgres"]
	if len(ex6) != ScriptRuns || ex6[len(ex6)-1].Number != 70 || ex6[len(ex6)-4].Status != "fail" {
		t.Errorf("ex6 sur les dernières exécutions : %+v", ex6)
	}
	if len(d.Chart.Marks) != MaxRuns || d.Chart.Max != 180 || d.Chart.Marks[0].Number != 11 {
		t.Errorf("graphique : %d points, max %g, premier %+v", len(d.Chart.Marks), d.Chart.Max, d.Chart.Marks[0])
	}
	// The longest run is the highest point (smallest y).
	top := d.Chart.Marks[len(d.Chart.Marks)-1]
	for _, m := range d.Chart.Marks {
		if m.Y < top.Y {
			t.Errorf("point %+v plus haut que la plus longue exécution %+v", m, top)
		}
	}
	if _, err := json.Marshal(d); err != nil {
		t.Fatal(err)
	}
	// Every run passed: the streak counts beyond the runs shown.
	for i := range entries {
		entries[i] = entry(entries[i].Date, nil)
	}
	if d := Site("verifications", entries); d.Streak != 70 {
		t.Errorf("série sans échec : %d, attendu 70", d.Streak)
	}
	if d := Site("verifications", nil); d.LastPass != -1 || d.Streak != 0 || len(d.Runs) != 0 {
		t.Errorf("historique vide : %+v", d)
	}
}
