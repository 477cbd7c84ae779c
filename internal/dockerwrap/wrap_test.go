//go:build unix

package dockerwrap

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"tpdocker/internal/record"
)

// asWrapper makes this test binary the wrapper when a test runs it so.
const asWrapper = "TPDOCKER_TEST_AS_WRAPPER"

func TestMain(m *testing.M) {
	if os.Getenv(asWrapper) != "" {
		Main()
	}
	os.Exit(m.Run())
}

// client writes a docker client to dir: a shell script that writes to its
// two streams in turn and exits with 3.
func client(t *testing.T, dir, script string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "docker"), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestWrapperKeepsOrderAndExit runs the wrapper in front of a client: the
// script sees each stream as the client wrote it, the exit code is the
// client's, and the ordered record has both streams in the order written.
func TestWrapperKeepsOrderAndExit(t *testing.T) {
	bin := t.TempDir()
	client(t, bin, `echo "un $1"; sleep 0.2; echo deux >&2; sleep 0.2; echo trois; exit 3`+"\n")
	ordered := t.TempDir()
	cmd := exec.Command(os.Args[0], "version")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), asWrapper+"=1", OrderedEnv+"="+ordered, "PATH="+bin+string(filepath.ListSeparator)+os.Getenv("PATH"), wrappersEnv+"=")
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("code de sortie : %v, attendu 3 (celui du client)\n%s", err, stderr.String())
	}
	if stdout.String() != "un version\ntrois\n" || stderr.String() != "deux\n" {
		t.Errorf("sorties transmises : %q et %q", stdout.String(), stderr.String())
	}
	invs, err := record.ReadInvocations(ordered)
	if err != nil || len(invs) != 1 {
		t.Fatalf("une exécution enregistrée attendue : %v, %v", invs, err)
	}
	var got []string
	for _, c := range invs[0].Chunks {
		got = append(got, c.Stream+":"+strings.TrimSpace(c.Text))
	}
	if want := "stdout:un version stderr:deux stdout:trois"; strings.Join(got, " ") != want {
		t.Errorf("ordre enregistré : %q, attendu %q", strings.Join(got, " "), want)
	}
	if strings.Join(invs[0].Args, " ") != "version" {
		t.Errorf("arguments enregistrés : %q", invs[0].Args)
	}
}

// TestRealDockerSkipsWrappers: the client found is the first docker on
// PATH past every wrapper's folder, never a wrapper again.
func TestRealDockerSkipsWrappers(t *testing.T) {
	outer, real := t.TempDir(), t.TempDir()
	client(t, outer, "exit 0\n")
	client(t, real, "exit 0\n")
	t.Setenv("PATH", outer+string(filepath.ListSeparator)+real)
	t.Setenv(wrappersEnv, outer)
	got, err := realDocker()
	if err != nil || got != filepath.Join(real, "docker") {
		t.Errorf("realDocker() = %q, %v ; attendu %q", got, err, filepath.Join(real, "docker"))
	}
	if !strings.Contains(os.Getenv(wrappersEnv), outer) {
		t.Errorf("%s ne nomme plus le wrapper précédent : %q", wrappersEnv, os.Getenv(wrappersEnv))
	}
	t.Setenv("PATH", outer)
	t.Setenv(wrappersEnv, outer)
	if _, err := realDocker(); err == nil || !strings.Contains(err.Error(), "introuvable") {
		t.Errorf("sans client : %v, attendu « client introuvable »", err)
	}
}
