//go:build unix

package terminal

// Sessions of a plain sh: no Docker needed.

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func shConfig(lines ...string) Config {
	return Config{
		Args:          []string{"sh"},
		Env:           []string{"PATH=" + os.Getenv("PATH"), "HOME=/", "TERM=xterm", "PS1=$ "},
		Dir:           os.TempDir(),
		Lines:         lines,
		PromptTimeout: time.Minute,
	}
}

func TestTypeAtPrompts(t *testing.T) {
	cfg := shConfig("echo hi\n", "stty size\n", "exit\n")
	var resizes atomic.Int32
	cfg.Resizes = func() int { return int(resizes.Load()) }
	go func() { time.Sleep(50 * time.Millisecond); resizes.Add(1) }()
	r, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Exit != nil {
		t.Errorf("sh a échoué : %v", r.Exit)
	}
	want := "$ echo hi\nhi\n$ stty size\n30 120\n$ exit\n"
	if r.Transcript != want {
		t.Errorf("transcription :\n%q\nattendu :\n%q", r.Transcript, want)
	}
	if strings.Contains(r.Transcript, "\x1b") || strings.Contains(r.Transcript, "\r") {
		t.Errorf("séquences d'échappement ou retours chariot restants : %q", r.Transcript)
	}
}

// What the command prints just before it ends is in the transcript (macOS
// throws away a terminal's unread output when its last holder closes it).
func TestOutputBeforeExit(t *testing.T) {
	r, err := Run(shConfig("echo au revoir; exit\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(r.Transcript, "\nau revoir\n") {
		t.Errorf("transcription : %q, « au revoir » attendu à la fin", r.Transcript)
	}
}

func TestExitStatus(t *testing.T) {
	r, err := Run(shConfig("exit 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if !errors.As(r.Exit, &exit) || exit.ExitCode() != 3 {
		t.Errorf("statut de sortie : %v, 3 attendu", r.Exit)
	}
}

func TestNoPrompt(t *testing.T) {
	cfg := shConfig("SELECT 1;\n")
	cfg.Args = []string{"sleep", "5"}
	cfg.PromptTimeout = 200 * time.Millisecond
	_, err := Run(cfg)
	if err == nil || !strings.Contains(err.Error(), `terminal : pas d'invite après 200ms avant de taper "SELECT 1;"`) {
		t.Errorf("erreur : %v", err)
	}
}

// A command that ends before a line is typed: the error says how it ended,
// the one fact that says why.
func TestEndedBeforeTyping(t *testing.T) {
	for _, c := range []struct{ exit, want string }{
		{"exit\n", "code de sortie 0"},
		{"exit 3\n", "code de sortie 3"},
		{"kill -KILL $$\n", "signal : killed"},
	} {
		cfg := shConfig(c.exit, "echo trop tard\n")
		_, err := Run(cfg)
		want := `terminal : sh s'est terminé (` + c.want + `) avant qu'on tape "echo trop tard"`
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q : erreur : %v\nattendu : %s", c.exit, err, want)
		}
	}
}
