package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"tpdocker/internal/report"
)

// student writes a student's folder: docker-compose.yml, api/app.py and
// api/Dockerfile.
func student(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "depot", "tp")
	for _, f := range []string{"docker-compose.yml", "api/app.py", "api/Dockerfile"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// hostileActual is what a hostile program printed, as a report shows it.
const hostileActual = "::error file=api/app.py,line=1::PIRATE\n  ::add-mask::PIRATE\n::stop-commands::x\n##[set-output name=a;]PIRATE\n<img src=x onerror=alert(1)> | ```` <details>"

func failingReport() *report.Report {
	return &report.Report{
		Student: "tp", Engine: "Docker 28.0.4 (overlay2)", Seconds: 95,
		Skipped: "Exercices 1, 2 et 8 : non lancés.",
		Questions: []report.Question{
			{ID: "3.a", Title: "app.py expose la route /health", Status: report.OK},
			{ID: "4.b", Title: `/health renvoie {"status":"ok"}`, Status: report.Fail,
				Reason: "aucune ligne de la sortie standard ne correspond au motif attendu.", Command: "curl http://localhost:8000/health",
				Expected: `une ligne exactement {"status":"ok"}`, Pattern: `^\{"status":"ok"\}$`, Actual: hostileActual,
				Hint: `api/app.py, ligne 9 : @app.get("/health")`},
			{ID: "4.c", Title: "docker ps montre le conteneur", Status: report.Unverifiable, Reason: "l'exercice s'est arrêté avant, à la question 4.b."},
			{ID: "5.b", Title: "docker-compose.yml : l'API et PostgreSQL 16", Status: report.Fail,
				Reason:      "docker-compose.yml, ligne 7 : POSTGRES_PASSWORD vaut « x », le TP demande demo ; docker-compose.yml, ligne 12 : 100%, a:b",
				Differences: []string{"autre chose"}},
		},
	}
}

// outsideCode is the Markdown outside fenced code blocks.
func outsideCode(md string) string {
	var b strings.Builder
	fence := ""
	for _, l := range strings.Split(md, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case fence == "" && strings.HasPrefix(t, "```"):
			fence = strings.TrimRight(t, "abcdefghijklmnopqrstuvwxyz")
		case fence != "" && t == fence:
			fence = ""
		case fence == "":
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// A check the tool could not finish is never said « réussie »: no
// question failed, but some, or the whole folder, were not checked.
func TestSummaryChecker(t *testing.T) {
	r := &report.Report{Student: "mon-tp", Questions: []report.Question{
		{ID: "3.a", Title: "app.py", Status: report.OK},
		{ID: "3.c", Title: "docker build", Status: report.Unverifiable, Checker: true, Reason: "Docker n'a pas pu être utilisé."},
	}}
	r.Grade(nil)
	if md := Summary(r); !strings.Contains(md, "## Vérification du TP : ⚠️ incomplète, 1 question que l'outil n'a pas pu vérifier") || strings.Contains(md, "✅ réussie (") {
		t.Errorf("questions non vérifiées par l'outil :\n%s", md)
	}
	r = &report.Report{Student: "mon-tp", Checker: "le moteur ne répond pas"}
	if md := Summary(r); !strings.Contains(md, "⚠️ non vérifié par l'outil, pas de votre fait\n\nle moteur ne répond pas") {
		t.Errorf("l'outil a échoué :\n%s", md)
	}
}

func TestSummary(t *testing.T) {
	md := Summary(failingReport())
	for _, want := range []string{
		"## Vérification du TP : ❌ en échec (2 questions échouées)",
		"la note vient de la vérification que l'enseignant lance lui-même",
		"| 3.a app.py expose la route /health | ✅ réussie |",
		"| 4.c docker ps montre le conteneur | – non vérifiable | l'exercice s'est arrêté avant, à la question 4.b. |",
		`### ❌ 4.b /health renvoie {"status":"ok"}`,
		"**Commande** :\n\n```sh\ncurl http://localhost:8000/health\n```",
		"**Obtenu** :\n\n`````text\n" + hostileActual + "\n`````",
		`**Où regarder** : api/app.py, ligne 9 : @app.get("/health")`,
		"Bilan : 1 réussie, 2 échouées, 1 non vérifiable.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("le résumé ne contient pas %q :\n%s", want, md)
		}
	}
	out := outsideCode(md)
	for _, bad := range []string{"<img", "PIRATE", "<details> "} {
		if strings.Contains(out, bad) {
			t.Errorf("%q hors d'un bloc de code :\n%s", bad, out)
		}
	}
	if !strings.Contains(outsideCode(md), "<details><summary>Différent du rapport de l'auteur") {
		t.Errorf("les différences avec l'auteur manquent :\n%s", md)
	}
}

func TestSummaryRefusedAndPassed(t *testing.T) {
	md := Summary(&report.Report{Refused: []string{"docker-compose.yml, ligne 3 : privileged: true, refusé."}})
	if !strings.Contains(md, "❌ rendu refusé, rien n'a été lancé") || !strings.Contains(md, "- docker-compose.yml, ligne 3 : privileged: true, refusé.") {
		t.Errorf("résumé d'un rendu refusé :\n%s", md)
	}
	md = Summary(&report.Report{Questions: []report.Question{{ID: "3.a", Title: "x", Status: report.OK}}})
	if !strings.HasPrefix(md, "## Vérification du TP : ✅ réussie (1 question réussie)\n") {
		t.Errorf("résumé d'un TP réussi :\n%s", md)
	}
}

func TestAnnotations(t *testing.T) {
	dir := student(t)
	depot := filepath.Dir(dir)
	got := Annotations(failingReport(), dir, depot)
	cmds := runnerCommands(strings.Join(got, "\n"), true)
	if len(cmds) != 3 || len(got) != 3 {
		t.Fatalf("annotations : %q, attendu 3", got)
	}
	want := []struct{ file, line, title string }{
		{"tp/api/app.py", "9", `Question 4.b : /health renvoie {"status":"ok"}`},
		{"tp/docker-compose.yml", "7", "Question 5.b : docker-compose.yml : l'API et PostgreSQL 16"},
		{"tp/docker-compose.yml", "12", "Question 5.b : docker-compose.yml : l'API et PostgreSQL 16"},
	}
	for i, c := range cmds {
		if c.name != "error" || c.props["file"] != want[i].file || c.props["line"] != want[i].line || c.props["title"] != want[i].title {
			t.Errorf("annotation %d : %s %v, attendu %+v", i, c.name, c.props, want[i])
		}
	}
	if d := cmds[2].data; !strings.Contains(d, "100%, a:b") {
		t.Errorf("message mal échappé : %q", d)
	}
	if !strings.Contains(got[2], "100%25, a:b") || !strings.Contains(got[1], "title=Question 5.b %3A docker-compose.yml %3A l'API et PostgreSQL 16") {
		t.Errorf("échappement : %q", got)
	}
}

func TestAnnotationsLimitsAndFiles(t *testing.T) {
	dir := student(t)
	var reason []string
	for i := 1; i <= 15; i++ {
		reason = append(reason, "api/Dockerfile, ligne "+strings.Repeat("1", 1)+string(rune('0'+i%10))+" : x")
	}
	rep := &report.Report{Questions: []report.Question{
		{ID: "3.b", Title: "t", Status: report.Fail, Reason: strings.Join(reason, " ; ") + " ; ligne 40 : y ; ligne 41 : z"},
		// Not the student's files: skipped.
		{ID: "3.c", Title: "t", Status: report.Fail, Reason: "../../etc/passwd, ligne 1 : x ; /etc/passwd, ligne 2 ; main.py, ligne 3 ; Dockerfile:8, ligne 4"},
		{ID: "4.a", Title: "t", Status: report.OK, Reason: "api/app.py, ligne 1"},
	}}
	got := Annotations(rep, dir, dir)
	if len(got) != 10 {
		t.Errorf("%d annotations, attendu 10 (la limite ; 12 lignes distinctes) :\n%s", len(got), strings.Join(got, "\n"))
	}
	for _, a := range got {
		if !strings.HasPrefix(a, "::error file=api/Dockerfile,line=") {
			t.Errorf("annotation hors des fichiers de l'élève : %s", a)
		}
	}
	// A line with no file before it belongs to the last file named.
	rep.Questions[0].Reason = "api/Dockerfile, ligne 2 : x ; ligne 5 : y"
	got = Annotations(rep, dir, dir)
	if len(got) != 2 || !strings.HasPrefix(got[1], "::error file=api/Dockerfile,line=5,") {
		t.Errorf("annotations : %q", got)
	}
}

func TestAnnotationsRefused(t *testing.T) {
	dir := student(t)
	rep := &report.Report{Refused: []string{"docker-compose.yml, ligne 12 : privileged: true, refusé.", "il manque app.py."}}
	got := Annotations(rep, dir, dir)
	if len(got) != 1 || got[0] != "::error file=docker-compose.yml,line=12,title=Rendu refusé avant toute exécution::docker-compose.yml, ligne 12 : privileged: true, refusé." {
		t.Errorf("annotations d'un refus : %q", got)
	}
}

func TestRun(t *testing.T) {
	dir := student(t)
	out := t.TempDir()
	summary := filepath.Join(t.TempDir(), "summary.md")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	os.WriteFile(summary, []byte("avant\n"), 0o644)
	js, err := failingReport().JSON()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(out, "rapport.json"), js, 0o644)
	var stdout, stderr bytes.Buffer
	code := run([]string{"-rapport", filepath.Join(out, "rapport.json"), "-dossier", dir}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("code %d, attendu 1 (une question en échec) ; %s", code, stderr.String())
	}
	sum, _ := os.ReadFile(summary)
	local, _ := os.ReadFile(filepath.Join(out, "resume.md"))
	if !strings.HasPrefix(string(sum), "avant\n## Vérification du TP") || string(sum) != "avant\n"+string(local) {
		t.Errorf("GITHUB_STEP_SUMMARY : %q ; resume.md : %q", sum, local)
	}
	if n := len(runnerCommands(stdout.String(), true)); n != 3 {
		t.Errorf("%d commandes, attendu 3 annotations :\n%s", n, stdout.String())
	}

	// No report: exit 2, a summary and one error that say so.
	os.Remove(filepath.Join(out, "rapport.json"))
	stdout.Reset()
	os.WriteFile(summary, nil, 0o644)
	if code := run([]string{"-rapport", filepath.Join(out, "rapport.json"), "-dossier", dir}, &stdout, &stderr); code != 2 {
		t.Errorf("sans rapport : code %d, attendu 2", code)
	}
	sum, _ = os.ReadFile(summary)
	if !strings.Contains(string(sum), "pas de rapport") || !regexp.MustCompile(`^::error::Vérification du TP : la vérification s'est arrêtée avant d'écrire son rapport`).MatchString(stdout.String()) {
		t.Errorf("sans rapport : %q ; %q", sum, stdout.String())
	}
	if code := run([]string{"-dossier", dir}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "donnez -rapport") {
		t.Errorf("sans -rapport : code %d, %q", code, stderr.String())
	}
}

func TestRunnerEmulator(t *testing.T) {
	// The emulator itself: what it obeys and what it does not.
	out := "a\n  ::add-mask::x\n::stop-commands::T1\n::error::y\n##[set-output name=a;]b\n::t1::\nz ##[warning]w\n::nope::x"
	var got []string
	for _, c := range runnerCommands(out, true) {
		got = append(got, c.name)
	}
	if strings.Join(got, ",") != "add-mask,stop-commands,t1,warning" {
		t.Errorf("commandes : %v", got)
	}
	if n := len(runnerCommands(out, false)); n != 5 {
		t.Errorf("sans stop-commands : %d commandes, attendu 5", n)
	}
}

func TestMdText(t *testing.T) {
	for in, want := range map[string]string{
		"# titre":                  `\# titre`,
		"« # TODO: x »":            "« # TODO: x »",
		"<b>gras</b> | *x* _y_":    `\<b\>gras\</b\> \| \*x\* \_y\_`,
		"[lien](http://x) ![i]":    `\[lien\](http://x) !\[i\]`,
		"a\nb\rc\td\x00e":          "a b c de",
		"`code` ~barré~ $x$ &amp;": "\\`code\\` \\~barré\\~ \\$x\\$ \\&amp;",
	} {
		if got := mdText(in); got != want {
			t.Errorf("mdText(%q) = %q, attendu %q", in, got, want)
		}
	}
}
