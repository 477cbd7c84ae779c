package student

// The student mode's parts that need no Docker: its questions against the
// scripts', the line-to-question map, the expectations in words, the
// French messages, and the rewrite of the scripts for a student.

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"tpdocker/internal/report"
	"tpdocker/internal/scriptcmd"
)

// root is the repository's root, where testdata/ is.
const root = "../.."

// Every question the scripts of exercises 3 to 7 name has a title in the
// student mode, and only 5.b (read in the Compose file) is not in them.
func TestStudentQuestions(t *testing.T) {
	_, scripts, err := questions(root)
	if err != nil {
		t.Fatal(err)
	}
	var inScripts []string
	for _, name := range report.Exercises() {
		inScripts = append(inScripts, scripts[name].questions...)
	}
	var titled []string
	for _, q := range report.Lab {
		if q.ID != "5.b" {
			titled = append(titled, q.ID)
		}
	}
	if !slices.Equal(inScripts, titled) {
		t.Errorf("questions des scripts %v, questions titrées du mode élève %v", inScripts, titled)
	}
	// And no other script uses the student's files.
	all, _ := filepath.Glob(filepath.Join(root, "testdata", "*.txtar"))
	for _, f := range all {
		name := strings.TrimSuffix(filepath.Base(f), ".txtar")
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "tpdocker/api") || strings.Contains(string(data), "\ncd tpdocker") {
			if !slices.Contains(report.Exercises(), name) && name != "ex8-reflexion" {
				t.Errorf("%s emploie les fichiers du TP mais n'est pas lancé pour un élève", name)
			}
		}
	}
}

func TestStudentLineQuestions(t *testing.T) {
	s := parseScript("x", strings.Join([]string{
		"lock simple-api",                        // 1: set-up, the first question's
		"# Questions 3.a et 3.b : les fichiers.", // 2
		"exists app.py",                          // 3
		"",                                       // 4
		"# Question 3.c : la construction.",      // 5
		"exec docker build .",                    // 6
		"# Elle continue.",                       // 7
		"stderr x",                               // 8
		"-- f --",                                // 9
		"# Question 9.z : pas une question",      // 10
	}, "\n"))
	if got := strings.Join(s.questions, " "); got != "3.a 3.b 3.c" {
		t.Errorf("questions : %s", got)
	}
	for line, want := range map[int]string{1: "3.a", 3: "3.a 3.b", 6: "3.c", 8: "3.c"} {
		if got := strings.Join(s.questionsAt(line), " "); got != want {
			t.Errorf("ligne %d : %q, attendu %q", line, got, want)
		}
	}
}

func TestExpectation(t *testing.T) {
	for _, c := range []struct{ line, expected, pattern string }{
		{`stdout '^\{"status":"ok"\}$'`, `la sortie standard contient une ligne exactement {"status":"ok"}`, `^\{"status":"ok"\}$`},
		{`stderr 'Container tpdocker-db-1 +Started'`, "la sortie d'erreur contient une ligne comme « Container tpdocker-db-1 Started »", `Container tpdocker-db-1 +Started`},
		{`[auteur] stderr '^#\d+ \[2/4\] WORKDIR /app$'`, "la sortie d'erreur contient une ligne comme « #N [2/4] WORKDIR /app »", `^#\d+ \[2/4\] WORKDIR /app$`},
		{`stdout 'PostgreSQL 16\.\d+ (\([^)]*\) )?on x86_64'`, "la sortie standard contient une ligne qui correspond au motif", `PostgreSQL 16\.\d+ (\([^)]*\) )?on x86_64`},
		{`! stdout simple-api`, "la sortie standard ne contient pas le texte simple-api", "simple-api"},
		{`[auteur] stdout -count=2 '^local'`, "la sortie standard contient 2 fois le texte local", "^local"},
		{`exec docker build -t simple-api .`, "la commande réussit (code de sortie 0)", ""},
		{`waithttp http://localhost:8000/health`, "http://localhost:8000/health répond 200 (dans la minute)", ""},
		{`waitpg localhost:5432 demo demo`, "PostgreSQL accepte une session sur localhost:5432 (utilisateur demo, base demo)", ""},
	} {
		e, p := expectation(c.line)
		if e != c.expected || p != c.pattern {
			t.Errorf("%s :\n  %q, %q\nattendu\n  %q, %q", c.line, e, p, c.expected, c.pattern)
		}
	}
}

func TestFrenchMessage(t *testing.T) {
	for msg, want := range map[string]string{
		"no match for `^\\{\"status\":\"ok\"\\}$` found in stdout": "aucune ligne de la sortie standard ne correspond au motif attendu.",
		"unexpected command failure":                               "la commande a échoué.",
		"exec docker build: exit status 1":                         "la commande a échoué (code de sortie 1).",
		"have 0 matches for `^local`, want 1":                      "0 correspondance(s) au lieu de 1.",
		"PostgreSQL ne répond pas":                                 "PostgreSQL ne répond pas",
	} {
		if got := frenchMessage(msg); got != want {
			t.Errorf("%q : %q, attendu %q", msg, got, want)
		}
	}
}

// The lab's scripts as a student's files run them: the same lines, each
// [auteur] assertion under a command that runs becomes auteur.
func TestStudentScripts(t *testing.T) {
	for _, name := range report.Exercises() {
		data, err := os.ReadFile(filepath.Join(root, "testdata", name+".txtar"))
		if err != nil {
			t.Fatal(err)
		}
		src := string(data)
		got := scriptcmd.StudentScript(src)
		if n, m := strings.Count(src, "\n"), strings.Count(got, "\n"); n != m {
			t.Errorf("%s : %d lignes, %d une fois réécrit", name, n, m)
		}
		if strings.Count(src, "[auteur]") > 0 && !strings.Contains(got, "\nauteur ") {
			t.Errorf("%s : aucune assertion [auteur] réécrite", name)
		}
	}
}

// A failure is the question's whose line failed; the questions whose
// commands all ran before it passed, the others were not reached: 7.a's
// followed logs are read after 7.d, and are 7.a's.
func TestStudentRunStatuses(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "testdata", "ex7-debug.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	s := parseScript("ex7-debug", string(data))
	lineOf := func(prefix string) int {
		for i, l := range strings.Split(s.src, "\n") {
			if strings.HasPrefix(l, prefix) {
				return i + 1
			}
		}
		t.Fatalf("pas de ligne %q dans ex7-debug", prefix)
		return 0
	}
	for _, c := range []struct {
		line       int
		fail       string
		ok, unverf []string
	}{
		{lineOf("stdout 'Application startup complete"), "7.a", []string{"7.b", "7.c", "7.d"}, []string{"7.e"}},
		{lineOf("exec docker wait tpdocker-api-1"), "7.d", []string{"7.b", "7.c"}, []string{"7.a", "7.e"}},
		{lineOf("exec docker compose logs -f api"), "7.a", nil, []string{"7.b", "7.c", "7.d", "7.e"}},
	} {
		qs := map[string]*report.Question{}
		for _, id := range s.questions {
			qs[id] = &report.Question{ID: id}
		}
		res := scriptRun{failed: true, transcript: fmt.Sprintf("FAIL: ex7-debug.txtar:%d: unexpected command failure\n", c.line)}
		if got := applyRun(res, s, qs, nil, ""); got != c.fail {
			t.Errorf("ligne %d : échec à %s, attendu %s", c.line, got, c.fail)
		}
		if qs[c.fail].Status != report.Fail {
			t.Errorf("ligne %d : %s %s", c.line, c.fail, qs[c.fail].Status)
		}
		for _, id := range c.ok {
			if qs[id].Status != report.OK {
				t.Errorf("ligne %d : %s %s, attendu réussie", c.line, id, qs[id].Status)
			}
		}
		for _, id := range c.unverf {
			if q := qs[id]; q.Status != report.Unverifiable || !strings.Contains(q.Reason, c.fail) || q.Checker {
				t.Errorf("ligne %d : %s %s (%s), attendu non vérifiable à cause de %s", c.line, id, q.Status, q.Reason, c.fail)
			}
		}
	}
	// A panic of a script command is the checker's: flagged, not failed.
	qs := map[string]*report.Question{}
	for _, id := range s.questions {
		qs[id] = &report.Question{ID: id}
	}
	applyRun(scriptRun{failed: true, transcript: "FAIL: ex7-debug.txtar:0: " + checkerError + " : boum\n"}, s, qs, nil, "")
	for _, id := range s.questions {
		if q := qs[id]; q.Status != report.Unverifiable || !q.Checker {
			t.Errorf("erreur de l'outil : %s %s, checker=%v", id, q.Status, q.Checker)
		}
	}
}

// An exercise runs when what it needs passed, whatever the exercises
// before it did at run time.
func TestStudentExerciseNeeds(t *testing.T) {
	status := map[string]report.Status{"3.a": report.OK, "3.b": report.OK, "3.c": report.OK, "4.a": report.Fail, "4.b": report.Unverifiable, "5.b": report.OK}
	byID := map[string]*report.Question{}
	for id, st := range status {
		byID[id] = &report.Question{ID: id, Status: st}
	}
	for _, e := range report.Exercises() {
		if q := blockedBy(e, byID); q != nil {
			t.Errorf("%s bloqué par %s alors que 3.a, 3.b, 3.c et 5.b ont réussi", e, q.ID)
		}
	}
	byID["5.b"].Status = report.Fail
	for e, want := range map[string]string{"ex3-build": "", "ex4-run": "", "ex5-compose": "5.b", "ex6-postgres": "5.b", "ex7-debug": "5.b"} {
		got := ""
		if q := blockedBy(e, byID); q != nil {
			got = q.ID
		}
		if got != want {
			t.Errorf("5.b en échec : %s bloqué par %q, attendu %q", e, got, want)
		}
	}
	byID["3.c"].Status = report.Fail
	for _, e := range []string{"ex4-run", "ex5-compose", "ex6-postgres", "ex7-debug"} {
		if q := blockedBy(e, byID); q == nil || q.ID != "3.c" {
			t.Errorf("3.c en échec : %s bloqué par %v, attendu 3.c", e, q)
		}
	}
}
