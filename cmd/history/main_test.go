package main

// cmd/history end to end, without GitHub: entries appended to a bare
// repository's data branch and read back as the site's data, and failures
// reported through a recording gh.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"tpdocker/internal/history"
)

// The test binary stands for the command when HISTORY_CMD_MAIN is set.
func TestMain(m *testing.M) {
	if os.Getenv("HISTORY_CMD_MAIN") == "1" {
		os.Args = append([]string{"history"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// run runs the command in dir and returns its output.
func run(t *testing.T, dir string, wantErr bool, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HISTORY_CMD_MAIN=1")
	out, err := cmd.CombinedOutput()
	if (err != nil) != wantErr {
		t.Fatalf("history %s : %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func writeEntry(t *testing.T, dir, date string, fail bool) string {
	t.Helper()
	e := history.Entry{Date: date, Status: "pass", Event: "publication", Seconds: 90,
		Scripts: []history.Script{{Script: "ex1-hello", Status: "pass", Seconds: 3,
			Steps: []history.Step{{Cmd: "docker run hello-world", Block: 1, InBlock: 1, Seconds: 1.2}}}}}
	if fail {
		e.Status, e.Scripts[0].Status = "fail", "fail"
		e.Failures = []history.Failure{{Script: "ex1-hello", File: "testdata/ex1-hello.txtar", Line: 12, Message: "no match", Expected: "stdout 'Hello'", Actual: "rien"}}
	}
	line, err := e.Line()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, date+".jsonl")
	if err := os.WriteFile(p, append(line, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAppendThenSite: two entries appended to a bare repository's branch;
// the site's data then shows both; a clone without the branch, or without
// the remote, gets no file and says so.
func TestAppendThenSite(t *testing.T) {
	dir := t.TempDir()
	remote, clone := filepath.Join(dir, "remote.git"), filepath.Join(dir, "clone")
	for _, args := range [][]string{{"init", "-q", "--bare", remote}, {"init", "-q", clone}} {
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			t.Fatalf("%v %s", err, out)
		}
	}
	out := filepath.Join(dir, "historique.json")
	os.WriteFile(out, []byte("{}"), 0o644)
	got := run(t, clone, false, "site", "-remote", remote, "-o", out)
	if _, err := os.Stat(out); !os.IsNotExist(err) || !strings.Contains(got, "n'a pas de branche verifications") {
		t.Errorf("sans branche : fichier %v, sortie %q", err, got)
	}
	got = run(t, clone, false, "site", "-o", out)
	if !strings.Contains(got, "pas de distant origin") {
		t.Errorf("sans distant : %q", got)
	}
	for _, d := range []string{"2026-11-01T03:17:00Z", "2026-11-02T03:17:00Z"} {
		run(t, clone, false, "append", "-remote", remote, "-entry", writeEntry(t, dir, d, d == "2026-11-01T03:17:00Z"))
	}
	pending := writeEntry(t, dir, "2026-11-03T03:17:00Z", false)
	run(t, clone, false, "site", "-remote", remote, "-add", pending, "-o", out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var d history.SiteData
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	if d.Total != 3 || d.Runs[0].Date != "2026-11-03T03:17:00Z" || d.Runs[2].Status != "fail" || d.Streak != 2 {
		t.Errorf("données du site : total %d, streak %d, runs %+v", d.Total, d.Streak, d.Runs)
	}
	msg, err := exec.Command("git", "-C", remote, "log", "--format=%s", "verifications").Output()
	if err != nil || !strings.Contains(string(msg), "Vérification du 2026-11-01T03:17:00Z : échec (publication)") {
		t.Errorf("messages des commits : %q (%v)", msg, err)
	}
	run(t, clone, true, "append", "-remote", remote, "-entry", filepath.Join(dir, "absente.jsonl"))
}

// TestReport: the command through a recording gh: a failure opens an
// issue, the same failure comments on it, a pass closes it.
func TestReport(t *testing.T) {
	dir := t.TempDir()
	bin, state := filepath.Join(dir, "bin"), filepath.Join(dir, "gh")
	os.MkdirAll(bin, 0o755)
	src, err := os.ReadFile(filepath.Join("..", "..", "internal", "history", "testdata", "gh"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(bin, "gh"), src, 0o755)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("GH_STANDIN_DIR", state)
	want := []string{"issue ouverte", "commentaire sur l'issue 1", "issue 1 fermée", "rien à signaler"}
	for i, fail := range []bool{true, true, false, false} {
		got := run(t, dir, false, "issues", "-entry", writeEntry(t, dir, fmt.Sprintf("2026-11-0%dT03:17:00Z", i+1), fail))
		if !strings.Contains(got, want[i]) {
			t.Errorf("signalement %d : %q, attendu %q", i+1, got, want[i])
		}
	}
	issues, _ := os.ReadFile(filepath.Join(state, "issues"))
	if string(issues) != "1\tclosed\tVérification en échec : ex1-hello, étape testdata/ex1-hello.txtar:12\n" {
		t.Errorf("issues : %q", issues)
	}
}
