package tpdocker_test

// Bad situations get a clear answer, in French, in a line or two, within
// seconds, before anything is created.

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/client"
	"github.com/rogpeppe/go-internal/txtar"

	"tpdocker/internal/record"
)

func TestPreflightNoDaemon(t *testing.T) {
	skipUnderUpdate(t)
	host := "unix://" + filepath.Join(t.TempDir(), "absent.sock")
	cli, err := newEngineClient(host)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = preflight(context.Background(), cli, host)
	wantProblem(t, err, "Docker ne répond pas sur "+host, "démarrez le démon")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("réponse en %v, plus de 10 s", d)
	}
}

// dockerOrSkip gives a client of the running engine, or skips.
func dockerOrSkip(t *testing.T) *engineInfoClient {
	t.Helper()
	if testing.Short() {
		t.Skip("-short : pas de Docker")
	}
	host := engineHost()
	cli, err := newEngineClient(host)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx); err != nil {
		t.Fatalf("Docker ne répond pas sur %s : ce test en a besoin", host)
	}
	return &engineInfoClient{host: host, cli: cli}
}

// The port check alone: it needs no engine, and whatever else the machine
// lacks (compose, buildx) cannot answer first.
func TestPreflightPortTaken(t *testing.T) {
	skipUnderUpdate(t)
	ln, err := net.Listen("tcp", ":8000")
	if err != nil {
		t.Skipf("le port 8000 est déjà pris par autre chose (%v)", err)
	}
	defer ln.Close()
	wantProblem(t, checkPorts(), "Le port 8000 est déjà pris", "libérez-le")
}

func TestPreflightEngineTooOld(t *testing.T) {
	// Debian 12's engine, and the oldest one the scripts accept.
	wantProblem(t, checkEngineVersion("20.10.24+dfsg1", "1.41"), "Le moteur Docker 20.10.24+dfsg1 (API 1.41) est trop ancien", "Docker Engine 23.0 ou plus récent")
	if err := checkEngineVersion("23.0.0", "1.42"); err != nil {
		t.Errorf("Docker 23.0 refusé : %v", err)
	}
	if err := checkEngineVersion("29.8.0", "1.56"); err != nil {
		t.Errorf("Docker 29.8 refusé : %v", err)
	}
}

func TestPreflightComposeMissing(t *testing.T) {
	skipUnderUpdate(t)
	e := dockerOrSkip(t)
	t.Setenv("DOCKER_CONFIG", t.TempDir()) // no cli-plugins there
	if exec.Command("docker", "compose", "version").Run() == nil {
		t.Skip("le plugin compose est installé pour tout le système : impossible de le masquer ici")
	}
	_, err := preflight(context.Background(), e.cli, e.host)
	wantProblem(t, err, "Le plugin Docker Compose v2 est absent")
}

func TestPreflightImageMissing(t *testing.T) {
	skipUnderUpdate(t)
	e := dockerOrSkip(t)
	_, err := ensureImage(context.Background(), e.cli, "tpdocker-image-absente:latest")
	wantProblem(t, err, "Image tpdocker-image-absente:latest absente", standinsCommand)
}

type engineInfoClient struct {
	host string
	cli  *client.Client
}

func wantProblem(t *testing.T, err error, parts ...string) {
	t.Helper()
	var p *preflightError
	if err == nil {
		t.Fatal("aucune erreur : le problème n'a pas été détecté")
	}
	if !asProblem(err, &p) {
		t.Fatalf("erreur brute au lieu d'un message clair : %v", err)
	}
	for _, s := range parts {
		if !strings.Contains(p.msg, s) {
			t.Errorf("le message ne dit pas %q :\n%s", s, p.msg)
		}
	}
	if n := strings.Count(strings.TrimSpace(p.msg), "\n") + 1; n > 2 {
		t.Errorf("message de %d lignes (2 au plus) :\n%s", n, p.msg)
	}
}

func asProblem(err error, p **preflightError) bool {
	pe, ok := err.(*preflightError)
	*p = pe
	return ok
}

// TestScriptsAreWellFormed reads every script as testscript will, and says
// in French where one is malformed: an unknown command, a file it names
// that its archive lacks, a condition the harness does not know.
func TestScriptsAreWellFormed(t *testing.T) {
	known := map[string]bool{}
	for _, c := range strings.Fields(`cd chmod cmp cmpenv cp env exec exists grep kill mkdir mv rm skip stderr stdin stdout stop symlink unix2dos unquote wait ttyin ttyout cmpenv
		waithttp grab lock waitpg subst terminal sentinel`) {
		known[c] = true
	}
	conds := regexp.MustCompile(`^(!?)(short|net|link|symlink|exec:.+|unix|linux|containerd-store|(official|standin):(hello-world|alpine|python|postgres))$`)
	files, _ := filepath.Glob("testdata/*.txtar")
	for _, f := range files {
		a, err := txtar.ParseFile(f)
		if err != nil {
			t.Errorf("%s : archive illisible : %v", f, err)
			continue
		}
		names := map[string]bool{}
		for _, af := range a.Files {
			names[af.Name] = true
		}
		for i, line := range strings.Split(string(a.Comment), "\n") {
			words := record.SplitScriptWords(strings.TrimSpace(line))
			if len(words) == 0 || strings.HasPrefix(words[0], "#") {
				continue
			}
			for len(words) > 0 && strings.HasPrefix(words[0], "[") {
				c := strings.Trim(words[0], "[]")
				if !conds.MatchString(c) {
					t.Errorf("%s:%d : condition inconnue [%s]", f, i+1, c)
				}
				words = words[1:]
			}
			if len(words) > 0 && words[0] == "!" {
				words = words[1:]
			}
			if len(words) == 0 || !known[words[0]] {
				t.Errorf("%s:%d : commande inconnue « %s »", f, i+1, line)
				continue
			}
			switch words[0] {
			case "stdin", "ttyin", "terminal":
				arg := words[len(words)-1]
				if words[0] == "terminal" {
					arg = words[1]
				}
				arg = strings.TrimPrefix(arg, "$WORK/")
				if !names[arg] {
					t.Errorf("%s:%d : le fichier %s n'est pas dans l'archive", f, i+1, arg)
				}
			}
		}
	}
	if _, err := os.Stat("testdata"); err != nil {
		t.Fatal(err)
	}
}
