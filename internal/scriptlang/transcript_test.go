package scriptlang

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// logT runs testscript outside go test's own tests and keeps its
// transcript.
type logT struct {
	mu  *sync.Mutex
	log *strings.Builder
}

type failNow struct{}

func (t logT) Skip(args ...any)                      { panic("skip") }
func (t logT) Fatal(args ...any)                     { t.Log(args...); panic(failNow{}) }
func (t logT) Parallel()                             {}
func (t logT) Log(args ...any)                       { t.mu.Lock(); fmt.Fprint(t.log, args...); t.mu.Unlock() }
func (t logT) FailNow()                              { panic(failNow{}) }
func (t logT) Verbose() bool                         { return true }
func (t logT) Run(name string, f func(testscript.T)) { defer func() { recover() }(); f(t) }

// run runs a script with testscript and returns its transcript.
func run(t *testing.T, name, script string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name+".txtar"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	func() {
		defer func() { recover() }()
		testscript.RunT(logT{mu: &sync.Mutex{}, log: &log}, testscript.Params{Dir: dir, RequireExplicitExec: true,
			Condition: func(cond string) (bool, error) { return cond == "vrai", nil },
			// note writes a line in the transcript, as the student mode's
			// auteur does for a difference.
			Cmds: map[string]func(*testscript.TestScript, bool, []string){
				"note": func(ts *testscript.TestScript, neg bool, args []string) {
					ts.Logf("note : %s", strings.Join(args, " "))
				},
			}})
	}()
	return log.String()
}

const realScript = `# Exercice 9 : une exécution réelle.
# Question 9.a : une sortie sans fin de ligne.
exec printf '{"status":"ok"}'
! exec sh -c 'echo perdu >&2; exit 3'
stderr perdu

# Question 9.b : une condition.
[vrai] exec echo 'oui # pas un commentaire'
[!vrai] exec echo non
note 'une différence'
exec sh -c 'sleep 0.01; echo fond' &fond&
wait fond
stdout fond

# Question 9.c : l'échec.
exec echo 'PostgreSQL 17.2'
stdout 'PostgreSQL 16'
exec echo jamais
`

// TestRealTranscript reads what testscript really writes: blocks, their
// times and questions, commands, sections, and the FAIL line.
func TestRealTranscript(t *testing.T) {
	log := run(t, "ex9", realScript)
	s := ParseScript(realScript)
	tr := ReadTranscript(log, s)

	f, ok := tr.Failure()
	if !ok || !strings.HasSuffix(f.File, "ex9.txtar") || f.Line != 17 || f.Message != "no match for `PostgreSQL 16` found in stdout" {
		t.Errorf("échec lu : %+v, %v\n%s", f, ok, log)
	}
	if l := s.Line(f.Line); l == nil || l.Text != "stdout 'PostgreSQL 16'" || !reflect.DeepEqual(l.Questions, []string{"9.c"}) {
		t.Errorf("ligne de l'échec : %+v", l)
	}

	blocks := tr.Blocks()
	type got struct {
		headings  []string
		questions []string
		timed     bool
		runs      []string
	}
	var gots []got
	for _, b := range blocks {
		g := got{questions: b.Questions, timed: b.Timed && b.Seconds >= 0}
		for _, h := range b.Headings {
			g.headings = append(g.headings, h.Text)
		}
		for _, e := range b.Entries {
			if e.Kind == Run {
				g.runs = append(g.runs, strings.Join(e.Command.Args, "|"))
			}
		}
		gots = append(gots, g)
	}
	want := []got{
		{nil, []string{"9.a"}, false, nil}, // the environment testscript prints first
		{[]string{"Exercice 9 : une exécution réelle.", "Question 9.a : une sortie sans fin de ligne."}, []string{"9.a"}, true,
			[]string{`exec|printf|{"status":"ok"}`, "exec|sh|-c|echo perdu >&2; exit 3", "stderr|perdu"}},
		{[]string{"Question 9.b : une condition."}, []string{"9.b"}, true,
			[]string{"exec|echo|oui # pas un commentaire", "exec|echo|non", "note|une différence", "exec|sh|-c|sleep 0.01; echo fond", "wait|fond", "stdout|fond"}},
		{[]string{"Question 9.c : l'échec."}, []string{"9.c"}, true,
			[]string{"exec|echo|PostgreSQL 17.2", "stdout|PostgreSQL 16"}},
	}
	if !reflect.DeepEqual(gots, want) {
		t.Errorf("blocs :\n%+v\nattendu :\n%+v\n%s", gots, want, log)
	}
	if h := blocks[1].Headings; h[0].Timed || !h[1].Timed || h[0].Line != 1 || h[1].Line != 2 {
		t.Errorf("le temps d'un bloc est sur son dernier commentaire : %+v", h)
	}

	// The output without a newline, and what testscript wrote after it.
	var kinds []string
	for _, e := range blocks[1].Entries {
		kinds = append(kinds, fmt.Sprintf("%s:%s", e.Kind, e.Text))
	}
	wantKinds := []string{
		`run:exec printf '{"status":"ok"}'`, "stdout:[stdout]", `output:{"status":"ok"}`, "no-newline:",
		"run:! exec sh -c 'echo perdu >&2; exit 3'", "stderr:[stderr]", "output:perdu", "exit:[exit status 3]",
		"run:stderr perdu",
	}
	if !reflect.DeepEqual(kinds, wantKinds) {
		t.Errorf("entrées du bloc 9.a :\n%q\nattendu :\n%q", kinds, wantKinds)
	}
	for _, e := range blocks[1].Entries {
		if e.Kind == Exit && e.Status != 3 {
			t.Errorf("statut %d, attendu 3", e.Status)
		}
	}
	// A line a command logged belongs to its block's questions.
	notes := 0
	for _, b := range blocks {
		for _, e := range b.Entries {
			if e.Kind == Output && e.Text == "note : une différence" {
				notes++
				if !reflect.DeepEqual(b.Questions, []string{"9.b"}) {
					t.Errorf("note sous les questions %q, attendu 9.b", b.Questions)
				}
			}
		}
	}
	if notes != 1 {
		t.Errorf("%d notes lues, attendu 1\n%s", notes, log)
	}
	fails := 0
	for _, e := range blocks[3].Entries {
		if e.Kind == Fail {
			fails++
			if e.Failure != f {
				t.Errorf("entrée FAIL : %+v", e)
			}
		}
	}
	if fails != 1 {
		t.Errorf("%d lignes FAIL dans le dernier bloc, attendu 1", fails)
	}

	pass := run(t, "ex1", "# Un bloc.\nexec echo bonjour\n")
	ptr := ReadTranscript(pass, ParseScript("# Un bloc.\nexec echo bonjour\n"))
	if _, ok := ptr.Failure(); ok {
		t.Errorf("un échec lu dans une exécution réussie :\n%s", pass)
	}
	if e := ptr.Entries[len(ptr.Entries)-2]; e.Kind != Pass {
		t.Errorf("avant-dernière entrée %+v, attendu PASS\n%s", e, pass)
	}
}

// TestTranscriptLines pins the lines testscript may write that a run of
// the lab did not show above: times, glued markers, [background], a FAIL
// line with spaces, and [condition not met].
func TestTranscriptLines(t *testing.T) {
	script := ParseScript("# A\n# B\nexec cat f\nexec sleep 9 &bg&\n\n# A\nexec echo x\n")
	transcript := strings.Join([]string{
		"# A",
		"# B (1.250s)",
		"> exec cat f",
		"[stdout]",
		"# not a comment of the script (0.1s)",
		"partial> exec sleep 9 &bg&",
		"> [x] exec echo x",
		"[condition not met]",
		"x[exit status 1]",
		"y# A (0.002s)",
		"[background] sleep 9: signal: interrupt",
		"FAIL: /tmp/un dossier/ex1.txtar:7: exec echo: exit status 1",
		"FAIL: sans numéro",
	}, "\n")
	tr := ReadTranscript(transcript, script)
	var got []string
	for _, e := range tr.Entries {
		got = append(got, fmt.Sprintf("%s:%s:%d:%v", e.Kind, e.Text, e.Line, e.Seconds))
	}
	want := []string{
		"heading:A:1:0", "heading:B:2:1.25", "run:exec cat f:0:0", "stdout:[stdout]:0:0",
		"output:# not a comment of the script (0.1s):0:0",
		"output:partial:0:0", "no-newline::0:0", "run:exec sleep 9 &bg&:0:0",
		"run:[x] exec echo x:0:0", "not-met:[condition not met]:0:0",
		"output:x:0:0", "no-newline::0:0", "exit:[exit status 1]:0:0",
		"output:y:0:0", "no-newline::0:0", "heading:A:6:0.002", // the second # A, found after the first
		"background-done:[background] sleep 9: signal: interrupt:0:0",
		"fail:FAIL: /tmp/un dossier/ex1.txtar:7: exec echo: exit status 1:0:0",
		"fail:FAIL: sans numéro:0:0",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entrées :\n%q\nattendu :\n%q", got, want)
	}
	if c := tr.Entries[7].Command; !c.Background || c.BgName != "bg" || !reflect.DeepEqual(c.Args, []string{"exec", "sleep", "9"}) {
		t.Errorf("commande en arrière-plan : %+v", c)
	}
	if c := tr.Entries[8].Command; !reflect.DeepEqual(c.Conds, []Cond{{Name: "x"}}) {
		t.Errorf("condition : %+v", c)
	}
	f, ok := tr.Failure()
	if want := (Failure{File: "/tmp/un dossier/ex1.txtar", Line: 7, Message: "exec echo: exit status 1"}); !ok || f != want {
		t.Errorf("échec : %+v, attendu %+v", f, want)
	}

	blocks := tr.Blocks()
	if len(blocks) != 2 || !blocks[0].Timed || blocks[0].Seconds != 1.25 || len(blocks[0].Headings) != 2 ||
		blocks[1].Seconds != 0.002 || blocks[1].Headings[0].Line != 6 {
		t.Errorf("blocs : %+v", blocks)
	}
	if blocks[0].Questions != nil {
		t.Errorf("questions d'un script qui n'en a pas : %q", blocks[0].Questions)
	}

	// Without its script, a transcript has no headings, and still its
	// FAIL line.
	bare := ReadTranscript(transcript, nil)
	if bare.Entries[0].Kind != Output || len(bare.Blocks()) != 1 {
		t.Errorf("sans script : %+v", bare.Entries[0])
	}
	if f2, ok := bare.Failure(); !ok || f2 != f {
		t.Errorf("échec sans script : %+v", f2)
	}
}

func TestReadFailure(t *testing.T) {
	for line, want := range map[string]Failure{
		"FAIL: testdata/ex6-postgres.txtar:12: no match for `x` found in stdout": {"testdata/ex6-postgres.txtar", 12, "no match for `x` found in stdout"},
		"FAIL: ex3-build.txtar:0: erreur de l'outil : panic":                     {"ex3-build.txtar", 0, "erreur de l'outil : panic"},
		"FAIL: a.txtar:3: exec x: a.txtar:4: y":                                  {"a.txtar", 3, "exec x: a.txtar:4: y"},
		`FAIL: C:\tp\ex1.txtar:5: boom`:                                          {`C:\tp\ex1.txtar`, 5, "boom"},
	} {
		if got, ok := ReadFailure(line); !ok || got != want {
			t.Errorf("ReadFailure(%q) = %+v, %v ; attendu %+v", line, got, ok, want)
		}
	}
	for _, line := range []string{"FAIL", "FAIL: x", "--- FAIL: TestTP (1.2s)", "PASS"} {
		if f, ok := ReadFailure(line); ok {
			t.Errorf("ReadFailure(%q) = %+v", line, f)
		}
	}
}
