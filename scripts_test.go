package tpdocker_test

// TestTP replays the lab report: each testdata/*.txtar script is one exercise,
// run by testscript against the real Docker engine, each command of the report
// verbatim with its expected output asserted under it.
//
// This file only wires: the flags, the suite of internal/harness (engine,
// lock, scope proxies, records, history), the docker wrapper of
// internal/dockerwrap as the scripts' docker, the lab's commands and
// conditions (internal/lab), and the student mode (student_test.go).
//
//	go test -run TestTP/ex2 -v    one exercise, with its whole transcript
//	go test -update               also refresh the run records of the site
//	go test -short                only what needs no Docker

import (
	"flag"
	"os"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"tpdocker/internal/dockerwrap"
	"tpdocker/internal/harness"
	"tpdocker/internal/lab"
)

var (
	update      = flag.Bool("update", false, "rewrite the site's run records (site/data/runs) and captures from this run")
	lockWait    = flag.Duration("attente", 10*time.Minute, "how long to wait for another run of the suite to free the engine")
	historyFile = flag.String("historique", "", "write this run's entry of the verification history (one JSON line) to this file")
)

// Where the site reads the records of the last verified run, and the
// captures drawn from them.
const (
	recordDir  = "site/data/runs"
	captureDir = "site/assets/captures"
)

// suite is this test binary's run of the scripts, made in TestMain once
// the flags are read.
var suite *harness.Suite

// skipUnderUpdate: with -update, the records change during this run; the
// site is checked against them by the next go test.
func skipUnderUpdate(t *testing.T) {
	if *update {
		t.Skip("-update : le site sera vérifié avec les nouveaux enregistrements au prochain go test")
	}
}

func TestMain(m *testing.M) {
	// The scripts' docker is this binary, run under that name:
	// testscript.Main runs it so, before any flag is read.
	testscript.Main(suiteMain{m}, map[string]func(){"docker": dockerwrap.Main})
}

// suiteMain runs the tests, then what a run does at its end.
type suiteMain struct{ m *testing.M }

func (s suiteMain) Run() int {
	flag.Parse()
	if *studentDir != "" {
		return runStudent() // a student's files, not the author's
	}
	suite = harness.New(harness.Config{
		Update:      *update,
		LockWait:    *lockWait,
		HistoryFile: *historyFile,
		RecordDir:   recordDir,
		CaptureDir:  captureDir,
		Captures:    captures,
	})
	// Scripts mostly wait on the engine: run four at a time, not one per core.
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		flag.Set("test.parallel", "4")
	}
	code := s.m.Run()
	if suite.Interrupted() {
		select {} // the suite's interrupt handler cleans up and exits
	}
	return suite.Finish(code)
}

func TestTP(t *testing.T) {
	os.ReadFile(harness.RunStamp)
	if testing.Short() {
		t.Skip("-short : scripts Docker non lancés")
	}
	if err := suite.Start(); err != nil {
		t.Fatal("\n" + err.Error())
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	// testscript makes its folder in $GOTMPDIR when it starts (RunT
	// returns before the scripts run).
	restore := harness.SetenvUntil("GOTMPDIR", suite.ScriptsRoot(t))
	defer restore()
	p := lab.Params(suite, root, true)
	p.Dir, p.RequireUniqueNames, p.UpdateScripts = "testdata", true, *update
	testscript.RunT(suite.T(t), p)
}
