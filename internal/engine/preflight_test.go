package engine

// Bad situations get a clear answer, in French, in a line or two, within
// seconds, before anything is created. The tests that need an engine are
// skipped by -short.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/client"
)

func TestPreflightNoDaemon(t *testing.T) {
	host := "unix://" + filepath.Join(t.TempDir(), "absent.sock")
	cli, err := NewClient(host)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = Preflight(context.Background(), cli, host)
	if runtime.GOOS == "windows" {
		wantProblem(t, err, "dans WSL2")
		return
	}
	wantProblem(t, err, "Docker ne répond pas sur "+host, startHint(runtime.GOOS))
	// How fast it answers is a figure, not a gate: it moves with the load.
	t.Logf("réponse en %v", time.Since(start).Round(time.Millisecond))
}

// Windows, outside WSL2, is refused first, in two lines that say where to
// run the tests and where the engine comes from.
func TestCheckSystem(t *testing.T) {
	err := checkSystem("windows")
	wantProblem(t, err, "Sous Windows, les tests Docker se lancent dans WSL2", "go test -short", "Docker Desktop", "WSL integration")
	if n := strings.Count(strings.TrimSpace(err.Error()), "\n") + 1; n != 2 {
		t.Errorf("message de %d ligne(s), 2 attendues :\n%s", n, err)
	}
	for _, goos := range []string{"linux", "darwin"} {
		if err := checkSystem(goos); err != nil {
			t.Errorf("%s refusé : %v", goos, err)
		}
	}
}

// The port check alone: it needs no engine, and whatever else the machine
// lacks (compose, buildx) cannot answer first. It takes a free port of its
// own, not one of the lab's, which a run of the suite may be using.
func TestPreflightPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	wantProblem(t, checkPorts([]int{port}), fmt.Sprintf("Le port %d est déjà pris", port), "libérez-le", portHolderCommand(runtime.GOOS, port))
	ln.Close()
	if err := checkPorts([]int{port}); err != nil {
		t.Errorf("port libéré, mais : %v", err)
	}
}

// The hints name the commands of the reader's system.
func TestSystemHints(t *testing.T) {
	for _, c := range []struct{ goos, start, port string }{
		{"linux", "sudo systemctl start docker", "ss -ltnp 'sport = :8000'"},
		{"darwin", "lancez Docker Desktop", "lsof -nP -iTCP:8000 -sTCP:LISTEN"},
	} {
		if got := startHint(c.goos); !strings.Contains(got, c.start) {
			t.Errorf("%s : démarrage %q, %q attendu", c.goos, got, c.start)
		}
		if got := portHolderCommand(c.goos, 8000); got != c.port {
			t.Errorf("%s : port %q, %q attendu", c.goos, got, c.port)
		}
	}
}

func TestPreflightEngineTooOld(t *testing.T) {
	// Debian 12's engine, and the oldest one the scripts accept.
	wantProblem(t, CheckEngineVersion("20.10.24+dfsg1", "1.41"), "Le moteur Docker 20.10.24+dfsg1 (API 1.41) est trop ancien", "Docker Engine 23.0 ou plus récent")
	if err := CheckEngineVersion("23.0.0", "1.42"); err != nil {
		t.Errorf("Docker 23.0 refusé : %v", err)
	}
	if err := CheckEngineVersion("29.8.0", "1.56"); err != nil {
		t.Errorf("Docker 29.8 refusé : %v", err)
	}
}

func TestPreflightComposeMissing(t *testing.T) {
	host, cli := dockerOrSkip(t)
	t.Setenv("DOCKER_CONFIG", t.TempDir()) // no cli-plugins there
	if exec.Command("docker", "compose", "version").Run() == nil {
		t.Skip("le plugin compose est installé pour tout le système : impossible de le masquer ici")
	}
	_, err := Preflight(context.Background(), cli, host)
	wantProblem(t, err, "Le plugin Docker Compose v2 est absent")
}

func TestPreflightImageMissing(t *testing.T) {
	_, cli := dockerOrSkip(t)
	_, err := EnsureImage(context.Background(), cli, "tpdocker-image-absente:latest")
	wantProblem(t, err, "Image tpdocker-image-absente:latest absente", StandinsCommand)
}

// dockerOrSkip gives a client of the running engine, or skips under -short.
func dockerOrSkip(t *testing.T) (string, *client.Client) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short : pas de Docker")
	}
	host, cli, err := Connect()
	var p *Problem
	if errors.As(err, &p) {
		t.Fatal("\n" + p.Msg)
	}
	if err != nil {
		t.Fatalf("Docker ne répond pas sur %s : ce test en a besoin", host)
	}
	return host, cli
}

func wantProblem(t *testing.T, err error, parts ...string) {
	t.Helper()
	var p *Problem
	if err == nil {
		t.Fatal("aucune erreur : le problème n'a pas été détecté")
	}
	if !errors.As(err, &p) {
		t.Fatalf("erreur brute au lieu d'un message clair : %v", err)
	}
	for _, s := range parts {
		if !strings.Contains(p.Msg, s) {
			t.Errorf("le message ne dit pas %q :\n%s", s, p.Msg)
		}
	}
	if n := strings.Count(strings.TrimSpace(p.Msg), "\n") + 1; n > 2 {
		t.Errorf("message de %d lignes (2 au plus) :\n%s", n, p.Msg)
	}
}

func TestParseHost(t *testing.T) {
	for host, want := range map[string]Addr{
		"unix:///var/run/docker.sock": {"unix", "/var/run/docker.sock"},
		"tcp://127.0.0.1:2375":        {"tcp", "127.0.0.1:2375"},
	} {
		if got, err := ParseHost(host); err != nil || got != want {
			t.Errorf("ParseHost(%q) = %v, %v ; attendu %v", host, got, err, want)
		}
	}
	if _, err := ParseHost("ssh://moi@ailleurs"); err == nil || !strings.Contains(err.Error(), "seuls unix:// et tcp://") {
		t.Errorf("ssh:// accepté ou mal refusé : %v", err)
	}
}

func TestScopes(t *testing.T) {
	script, run := ScopeIs("18a.ex1-hello"), RunIs("18a")
	for _, c := range []struct {
		value         string
		script, inRun bool
	}{
		{"18a.ex1-hello", true, true},
		{"18a.ex2-alpine", false, true},
		{"18ab.ex1-hello", false, false},
		{"", false, false},
	} {
		if script(c.value) != c.script || run(c.value) != c.inRun || !AnyScope(c.value) {
			t.Errorf("%q : script %v, exécution %v", c.value, script(c.value), run(c.value))
		}
	}
	if ShortID("sha256:5f2b9c1d7e3a8b6c4d0e") != "5f2b9c1d7e3a" || ShortID("abc") != "abc" {
		t.Error("ShortID")
	}
}
