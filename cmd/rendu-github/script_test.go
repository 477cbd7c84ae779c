package main

// .ci/verifier-rendu, the script the student's workflow runs on each push,
// run here as GitHub would: the GITHUB_* files of a step point at
// temporary files, the output is read as the runner reads it. With Docker
// (skipped under -short): the untouched starting files, the same completed
// with the author's answers, a wrong variant and a hostile one.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tpdocker/internal/report"
)

// scriptRun is what one run of the script left.
type scriptRun struct {
	code     int
	stdout   string
	summary  string
	report   *report.Report
	commands []wfCommand // as the runner obeys them
	wrapped  string      // what was printed between ::stop-commands:: and the token
}

func runScript(t *testing.T, dossier, depot string) scriptRun {
	t.Helper()
	tmp := t.TempDir()
	out := filepath.Join(tmp, "rapport")
	files := map[string]string{}
	env := os.Environ()
	for _, k := range []string{"GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STATE"} {
		files[k] = filepath.Join(tmp, strings.ToLower(k))
		if err := os.WriteFile(files[k], nil, 0o644); err != nil {
			t.Fatal(err)
		}
		env = append(env, k+"="+files[k])
	}
	env = append(env, "RUNNER_TEMP="+tmp)
	cmd := exec.Command("bash", "../../.ci/verifier-rendu", dossier, out, depot)
	cmd.Env = env
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stdout
	err := cmd.Run()
	r := scriptRun{stdout: stdout.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	t.Logf("code %d ; %s", r.code, lastLine(r.stdout, "verifier-rendu : "))
	summary, _ := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
	r.summary = string(summary)
	for _, k := range []string{"GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STATE"} {
		if data, _ := os.ReadFile(files[k]); len(data) > 0 {
			t.Errorf("%s a été écrit : %q", k, data)
		}
	}
	if data, err := os.ReadFile(filepath.Join(out, "rapport.json")); err != nil {
		t.Errorf("pas de rapport.json : %v\n%s", err, r.stdout)
	} else if r.report, err = report.ReadJSON(data); err != nil {
		t.Error(err)
	}
	for _, f := range []string{"rapport.html", "rapport.txt", "resume.md"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s manque : %v", f, err)
		}
	}

	// What the runner obeys: our stop-commands and its token, our groups,
	// and the error annotations, each on a file of the student's.
	r.commands = runnerCommands(r.stdout, true)
	token := ""
	for i, c := range r.commands {
		switch name := strings.ToLower(c.name); {
		case name == "stop-commands":
			if token != "" {
				t.Errorf("un second ::stop-commands:: obéi : %q", c.line)
			}
			token = c.data
			if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(token) {
				t.Errorf("jeton de stop-commands %q : attendu 32 chiffres hexadécimaux aléatoires", token)
			}
			if i+1 >= len(r.commands) || r.commands[i+1].name != token {
				t.Errorf("après ::stop-commands::, le runner obéit à %v avant la reprise", r.commands[i+1:])
			}
		case name == token:
		case name == "group" || name == "endgroup":
		case name == "error":
			f := c.props["file"]
			if f != "" {
				if _, err := os.Stat(filepath.Join(depot, filepath.FromSlash(f))); err != nil {
					t.Errorf("annotation sur %q, qui n'est pas un fichier du dépôt de l'élève : %q", f, c.line)
				}
			}
		default:
			t.Errorf("commande de workflow obéie : %q", c.line)
		}
		if strings.Contains(c.line, "PIRATE") {
			t.Errorf("une ligne du programme de l'élève est obéie : %q", c.line)
		}
	}
	if token == "" {
		t.Fatalf("pas de ::stop-commands:: :\n%s", r.stdout)
	}
	start := strings.Index(r.stdout, "::stop-commands::"+token)
	end := strings.Index(r.stdout, "::"+token+"::")
	if start < 0 || end < start {
		t.Fatalf("la sortie de la vérification n'est pas entre ::stop-commands:: et son jeton :\n%s", r.stdout)
	}
	r.wrapped = r.stdout[start:end]
	// A check that ran past the first 20 s said, in the log, that it runs.
	if m := regexp.MustCompile(`vérification (\d+)\.\d s`).FindStringSubmatch(lastLine(r.stdout, "verifier-rendu : ")); m == nil {
		t.Errorf("la dernière ligne ne donne pas les durées :\n%s", r.stdout)
	} else if secs, _ := strconv.Atoi(m[1]); secs > 21 && !regexp.MustCompile(`(?m)^… vérification en cours depuis 0 min 2\d s`).MatchString(r.wrapped) {
		t.Errorf("vérification de %d s sans ligne de progression :\n%s", secs, r.stdout)
	}
	if strings.Contains(r.stdout, "syntax error") {
		t.Errorf("erreur du script :\n%s", r.stdout)
	}
	if !strings.Contains(r.wrapped, "Rapports :") {
		t.Errorf("le rapport du terminal n'est pas dans la partie protégée :\n%s", r.stdout)
	}
	return r
}

func lastLine(s, prefix string) string {
	for _, l := range slices.Backward(strings.Split(s, "\n")) {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

func statuses(r *report.Report) map[report.Status][]string {
	m := map[report.Status][]string{}
	for _, q := range r.Questions {
		m[q.Status] = append(m[q.Status], q.ID)
	}
	return m
}

func annotations(r scriptRun) []wfCommand {
	var out []wfCommand
	for _, c := range r.commands {
		if c.name == "error" {
			out = append(out, c)
		}
	}
	return out
}

func needDocker(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short : la vérification d'un rendu a besoin de Docker")
	}
	if err := exec.Command("docker", "info").Run(); err != nil {
		t.Skip("Docker ne répond pas :", err)
	}
}

// copyInto copies src into dst (created).
func copyInto(t *testing.T, dst, src string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}

func TestScriptStartingFiles(t *testing.T) {
	needDocker(t)
	depot := filepath.Join(t.TempDir(), "depot")
	copyInto(t, depot, "../../depart")
	r := runScript(t, depot, depot)
	if r.code == 0 || r.report == nil {
		t.Fatalf("les fichiers de départ passent (code %d) :\n%s", r.code, r.stdout)
	}
	st := statuses(r.report)
	if len(st[report.Fail]) == 0 || st[report.Fail][0] != "3.a" || len(st[report.OK]) != 0 {
		t.Errorf("questions : %v, attendu 3.a la première en échec, aucune réussie", st)
	}
	if !strings.Contains(r.summary, "❌ 3.a app.py expose la route /health") ||
		!strings.Contains(r.summary, "« # TODO: importer FastAPI » attend encore sa réponse : écrivez juste en dessous ce que le TP demande") {
		t.Errorf("résumé :\n%s", r.summary)
	}
	a := annotations(r)
	if len(a) == 0 || a[0].props["file"] != "api/app.py" || a[0].props["line"] != "1" {
		t.Errorf("première annotation : %v, attendu api/app.py, ligne 1", a)
	}
}

func TestScriptCompletedFiles(t *testing.T) {
	needDocker(t)
	depot := filepath.Join(t.TempDir(), "depot")
	copyInto(t, depot, "../../depart")
	// The author's answers: the report's own files.
	for _, f := range []string{"docker-compose.yml", "api/app.py", "api/Dockerfile"} {
		data, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(depot, filepath.FromSlash(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := runScript(t, depot, depot)
	st := statuses(r.report)
	if r.code != 0 || len(st[report.Fail])+len(st[report.Unverifiable]) > 0 || len(st[report.OK]) != 21 {
		t.Errorf("code %d, questions %v : attendu les 21 réussies\n%s", r.code, st, r.stdout)
	}
	if !strings.HasPrefix(r.summary, "## Vérification du TP : ✅ réussie (21 questions réussies)") || len(annotations(r)) != 0 {
		t.Errorf("résumé :\n%s\nannotations : %v", r.summary, annotations(r))
	}
}

// faux-json, in a sub-folder of the student's repository: 4.b and 5.d
// fail (each exercise is checked on its own merits), the annotations name
// the route's line, relative to the repository.
func TestScriptWrongVariant(t *testing.T) {
	needDocker(t)
	depot := filepath.Join(t.TempDir(), "depot")
	dossier := filepath.Join(depot, "tp")
	copyInto(t, dossier, "../../testdata/rendus/faux-json")
	r := runScript(t, dossier, depot)
	st := statuses(r.report)
	if r.code == 0 || !slices.Equal(st[report.Fail], []string{"4.b", "5.d"}) {
		t.Fatalf("code %d, questions %v : attendu 4.b et 5.d en échec\n%s", r.code, st, r.stdout)
	}
	for _, want := range []string{
		"| 4.b /health renvoie {\"status\":\"ok\"} | ❌ échouée |",
		"### ❌ 4.b",
		"**Commande** :\n\n```sh\ncurl http://localhost:8000/health\n```",
		"**Attendu** : la sortie standard contient une ligne exactement {\"status\":\"ok\"}",
		"**Obtenu** :\n\n```text\n{\"status\":\"OK\"}\n```",
		"**Où regarder** : api/app.py, ligne 8",
	} {
		if !strings.Contains(r.summary, want) {
			t.Errorf("le résumé ne contient pas %q :\n%s", want, r.summary)
		}
	}
	src, _ := os.ReadFile(filepath.Join(dossier, "api", "app.py"))
	line := 0
	for i, l := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(l, "@app.get(") {
			line = i + 1
		}
	}
	a := annotations(r)
	// One annotation a line: 5.d points at the same route as 4.b.
	if len(a) != 1 || a[0].props["title"] != `Question 4.b : /health renvoie {"status":"ok"}` {
		t.Errorf("annotations : %+v, attendu une, celle de 4.b", a)
	}
	for _, an := range a {
		if an.props["file"] != "tp/api/app.py" || an.props["line"] != strconv.Itoa(line) {
			t.Errorf("annotation %+v, attendue sur tp/api/app.py, ligne %d", an, line)
		}
	}
}

// A student whose build, app and answer print workflow commands: the
// check shows them, the runner obeys none.
func TestScriptHostileVariant(t *testing.T) {
	needDocker(t)
	depot := filepath.Join(t.TempDir(), "depot")
	copyInto(t, depot, "testdata/hostile-commandes")
	r := runScript(t, depot, depot)
	st := statuses(r.report)
	if r.code == 0 || !slices.Equal(st[report.Fail], []string{"4.b", "5.d"}) {
		t.Fatalf("code %d, questions %v : attendu 4.b et 5.d en échec\n%s", r.code, st, r.stdout)
	}
	// Unwrapped, the output would give the runner the student's commands:
	// the test is able to fail.
	var would []string
	for _, c := range runnerCommands(r.wrapped, false) {
		if strings.Contains(c.line, "PIRATE") {
			would = append(would, strings.ToLower(c.name))
		}
	}
	for _, name := range []string{"error", "add-mask", "set-output", "warning"} {
		if !slices.Contains(would, name) {
			t.Errorf("la sortie protégée ne contient pas de ::%s du programme de l'élève (commandes : %v) :\n%s", name, would, r.wrapped)
		}
	}
	if !strings.Contains(r.summary, "::add-mask::PIRATE") || strings.Contains(outsideCode(r.summary), "<img") {
		t.Errorf("résumé :\n%s", r.summary)
	}
}
