package record

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRemakeOneRecordKeepsSharedStandIns: a whole run writes the records
// of ex3 and ex5, which show the same base image digest; re-making ex5
// alone (go test -run TestTP/ex5 -update) gives the digest the stand-in it
// has in ex3's record, and ex5's own container the stand-in it had.
func TestRemakeOneRecordKeepsSharedStandIns(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "runs")
	digest := strings.Repeat("ab", 32)
	build := func() Step {
		return Step{Cmd: "docker build", Stderr: "#4 [1/4] FROM docker.io/library/python:3.9-slim@sha256:" + digest + "\n"}
	}
	records := func(ctr string) (*Result, *Result) {
		ex3 := &Result{Script: "ex3-build", Steps: []Step{{Cmd: "docker run -d x", Stdout: strings.Repeat("11", 32) + "\n"}, build()}}
		ex5 := &Result{Script: "ex5-compose", Steps: []Step{build(), {Cmd: "docker run -d x", Stdout: ctr + "\n"}}}
		return ex3, ex5
	}
	ex3, ex5 := records(strings.Repeat("22", 32))
	NormaliseRun([]*Result{ex3, ex5}, "", nil, dir, true)
	if _, err := os.Stat(KeptFile(dir)); err != nil {
		t.Fatalf("fichier des remplaçants partagés : %v", err)
	}
	data, _ := os.ReadFile(KeptFile(dir))
	if strings.Contains(string(data), digest[:12]) {
		t.Errorf("le fichier des remplaçants partagés donne l'identifiant réel %s", digest[:12])
	}

	// The next run re-makes ex5 only: another container, the same digest.
	_, again := records(strings.Repeat("33", 32))
	NormaliseRun([]*Result{again}, "", nil, dir, true)
	if got, want := again.Steps[0].Stderr, ex3.Steps[1].Stderr; got != want {
		t.Errorf("ex5 refait seul : le condensé de l'image de base est\n%s\nalors qu'ex3 montre\n%s", got, want)
	}
	if got, want := again.Steps[1].Stdout, ex5.Steps[1].Stdout; got != want {
		t.Errorf("ex5 refait seul : son conteneur devient %s, il était %s", got, want)
	}
	// Without the file, the digest would take ex5's own stand-in.
	_, bare := records(strings.Repeat("33", 32))
	NormaliseAll([]*Result{bare}, "", nil)
	if bare.Steps[0].Stderr == ex3.Steps[1].Stderr {
		t.Error("sans le fichier, le condensé garde aussi le remplaçant d'ex3 : le test ne montre rien")
	}
	// The file still holds the digest for the next partial run.
	_, third := records(strings.Repeat("44", 32))
	NormaliseRun([]*Result{third}, "", nil, dir, false)
	if third.Steps[0].Stderr != ex3.Steps[1].Stderr {
		t.Error("deuxième run partiel : le condensé a perdu le remplaçant d'ex3")
	}
}

// TestPartialRunKeepsOthersEntries: an ID that ex5 gave its stand-in and
// ex6 shows too stays in the file when ex5 alone is re-made (ex6's record
// still shows it), and a run that re-makes both starts the file again.
func TestPartialRunKeepsOthersEntries(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "runs")
	img := strings.Repeat("cd", 32)
	mk := func(script string) *Result {
		return &Result{Script: script, Steps: []Step{{Cmd: "docker images", Stdout: "sha256:" + img + "\n"}}}
	}
	NormaliseRun([]*Result{mk("ex5-compose"), mk("ex6-postgres")}, "", nil, dir, true)
	before, _ := os.ReadFile(KeptFile(dir))
	NormaliseRun([]*Result{mk("ex5-compose")}, "", nil, dir, true)
	after, _ := os.ReadFile(KeptFile(dir))
	if string(before) != string(after) || !strings.Contains(string(after), "ex5-compose") {
		t.Errorf("ex5 refait seul : le fichier passe de\n%s\nà\n%s", before, after)
	}
	ex6 := mk("ex6-postgres")
	NormaliseRun([]*Result{ex6}, "", nil, dir, false)
	first := mk("ex5-compose")
	NormaliseAll([]*Result{first, mk("ex6-postgres")}, "", nil)
	if ex6.Steps[0].Stdout != first.Steps[0].Stdout {
		t.Errorf("ex6 refait seul : l'image devient %s, elle est %s dans ex5", ex6.Steps[0].Stdout, first.Steps[0].Stdout)
	}
}
