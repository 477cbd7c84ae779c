package scriptcmd

// The author's assertions in the student mode: StudentScript's rewrite, and
// the command auteur in a real testscript run.

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestStudentScript(t *testing.T) {
	src := strings.Join([]string{
		"# Question 3.c : la construction.",
		"exec docker build -t simple-api .",
		"stderr 'FROM python'",
		"[auteur] stderr '^#\\d+ \\[2/4\\] WORKDIR /app$'",
		"[auteur] ! stderr '\\[\\d+/[^4]\\]'",
		"[auteur] stdout -count=1 '^local'",
		"[auteur] ! exec docker compose exec db psql",
		"[auteur] stderr 'relation \"notes\" does not exist'",
		"exec docker volume ls",
		"[auteur] stdout -count=2 '^local'",
		"[containerd-store] stdout x",
		"",
		"-- f.txt --",
		"[auteur] stdout not-a-script-line",
	}, "\n")
	want := strings.Join([]string{
		"# Question 3.c : la construction.",
		"exec docker build -t simple-api .",
		"stderr 'FROM python'",
		"auteur stderr '^#\\d+ \\[2/4\\] WORKDIR /app$'",
		"auteur ! stderr '\\[\\d+/[^4]\\]'",
		"auteur stdout -count=1 '^local'",
		// the command keeps its condition, false for a student: it does
		// not run, nor does the assertion on its output
		"[auteur] ! exec docker compose exec db psql",
		"[auteur] stderr 'relation \"notes\" does not exist'",
		"exec docker volume ls",
		"auteur stdout -count=2 '^local'",
		"[containerd-store] stdout x",
		"",
		"-- f.txt --",
		"[auteur] stdout not-a-script-line",
	}, "\n")
	if got := StudentScript(src); got != want {
		t.Errorf("StudentScript :\n%s\nattendu :\n%s", got, want)
	}
}

// auteur notes what does not hold, and never fails: the script's
// transcript has one line per assertion that does not hold.
func TestAuthor(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("exec echo : le script demande un système Unix")
	}
	var log logT
	testscript.RunT(&log, testscript.Params{
		Dir:                 "testdata/auteur",
		RequireExplicitExec: true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"auteur": func(ts *testscript.TestScript, neg bool, args []string) {
				if err := Author(ts, neg, args); err != nil {
					ts.Fatalf("%v", err)
				}
			},
		},
	})
	if log.failed {
		t.Fatalf("le script a échoué :\n%s", log.String())
	}
	var marks []string
	for _, l := range strings.Split(log.String(), "\n") {
		if strings.HasPrefix(l, AuthorMark) {
			marks = append(marks, strings.TrimSpace(strings.TrimPrefix(l, AuthorMark)))
		}
	}
	want := []string{"stdout three", "! stdout one", "stdout -count=2 one", "grep '^autre$' f.txt", "stderr '^un motif avec des espaces$'"}
	if strings.Join(marks, "|") != strings.Join(want, "|") {
		t.Errorf("écarts notés : %q, attendu %q\n%s", marks, want, log.String())
	}
}

// logT runs testscript and keeps its transcript.
type logT struct {
	strings.Builder
	failed bool
}

func (t *logT) Skip(args ...any)  { t.Log(args...); runtime.Goexit() }
func (t *logT) Fatal(args ...any) { t.Log(args...); t.FailNow() }
func (t *logT) Parallel()         {}
func (t *logT) Verbose() bool     { return true }
func (t *logT) FailNow()          { t.failed = true; runtime.Goexit() }
func (t *logT) Log(args ...any)   { fmt.Fprintln(t, args...) }
func (t *logT) Run(name string, f func(testscript.T)) {
	done := make(chan struct{})
	go func() { defer close(done); f(t) }()
	<-done
}
