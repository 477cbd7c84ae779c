package site_test

// The site's own image (the root Dockerfile) is built and run as the README
// says, on the real engine: the site built into public/, docker build, docker
// run -p, then the home page read through the published port. Everything it
// creates carries a scope label of its own and is removed at the end; the
// host port is chosen by the engine, never one of the lab's.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"golang.org/x/net/html"

	"tpdocker/internal/engine"
)

func TestSiteImage(t *testing.T) {
	if testing.Short() {
		t.Skip("-short : pas de Docker (l'image du site n'est pas construite)")
	}
	cli := dockerOrSkip(t)
	t.Parallel()

	suffix := siteImageSuffix(t)
	// The engine's lock, as the lab's runs take it: no other run, from any
	// clone, starts (nor removes what it takes for a dead run's objects)
	// until this test has removed its own. Released last, after the
	// cleanup below.
	unlock, err := engine.Lock(context.Background(), cli, "siteimage-"+suffix, 30*time.Minute, func(holder string) {
		t.Logf("le moteur est occupé par une autre exécution de la suite (%s) ; attente, 30 min au plus…", holder)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(unlock)
	scope := "siteimage-" + suffix + ".siteimage"
	ref := "tpdocker-site-test:" + suffix
	name := "tpdocker-site-test-" + suffix

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	// Registered before anything exists: whatever the test gets to create
	// (intermediate containers of a failed build included) goes, pass or fail.
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := engine.RemoveScope(cctx, cli, engine.ScopeIs(scope)); err != nil {
			t.Errorf("nettoyage : %v", err)
		}
		args := filters.NewArgs(filters.Arg("label", engine.LabelScope+"="+scope))
		cs, err1 := cli.ContainerList(cctx, container.ListOptions{All: true, Filters: args})
		ims, err2 := cli.ImageList(cctx, image.ListOptions{All: true, Filters: args})
		if err1 != nil || err2 != nil {
			t.Errorf("vérification du nettoyage : %v %v", err1, err2)
		} else if len(cs)+len(ims) > 0 {
			t.Errorf("après nettoyage, il reste %d conteneur(s) et %d image(s) étiquetés %s=%s", len(cs), len(ims), engine.LabelScope, scope)
		}
	})

	// The build context, as on a reader's machine: the Dockerfile and its
	// .dockerignore from the root, the site built into public/.
	bctx := t.TempDir()
	for _, f := range []string{"Dockerfile", ".dockerignore"} {
		data, err := os.ReadFile(filepath.Join(repoRoot, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bctx, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Rename(siteBuild(t, ""), filepath.Join(bctx, "public")); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	// The classic builder, as for the lab's scripts: it takes the label and
	// leaves no build cache behind once the image is removed.
	siteImageDocker(t, ctx, []string{"DOCKER_BUILDKIT=0"}, "build", "--force-rm", "-q",
		"--label", engine.LabelScope+"="+scope, "-t", ref, bctx)
	t.Logf("image construite en %.1fs", time.Since(start).Seconds())

	// 127.0.0.1 with no host port: the engine picks a free one.
	siteImageDocker(t, ctx, nil, "run", "-d", "--name", name, "--label", engine.LabelScope+"="+scope,
		"-p", "127.0.0.1::8080", ref)
	out := siteImageDocker(t, ctx, nil, "port", name, "8080/tcp")
	addr := strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("docker port %s : %q illisible (%v)", name, out, err)
	}
	switch port {
	case "8000", "8001", "5432":
		t.Fatalf("le moteur a publié le port %s, un port du TP", port)
	}
	base := "http://" + net.JoinHostPort(host, port)

	body := siteImageGet(t, ctx, base+"/", http.StatusOK)
	t.Logf("page d'accueil servie par le conteneur en %.1fs depuis le début du test", time.Since(start).Seconds())
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if lang := siteImageLang(doc); lang != "fr" {
		t.Errorf(`<html lang=%q>, lang="fr" attendu`, lang)
	}
	if title := strings.TrimSpace(siteImageText(doc, "title")); title != "TP Docker, vérifié" {
		t.Errorf("<title>%s</title>, « TP Docker, vérifié » attendu", title)
	}
	for _, ex := range siteExercises {
		siteImageGet(t, ctx, base+"/exercices/"+ex+"/", http.StatusOK)
	}
	siteImageGet(t, ctx, base+"/index.json", http.StatusOK)
	siteImageGet(t, ctx, base+"/absente/", http.StatusNotFound)
}

// dockerOrSkip gives a client of the running engine, or skips under -short.
func dockerOrSkip(t *testing.T) *client.Client {
	t.Helper()
	if testing.Short() {
		t.Skip("-short : pas de Docker")
	}
	host, cli, err := engine.Connect()
	var p *engine.Problem
	if errors.As(err, &p) {
		t.Fatal("\n" + p.Msg)
	}
	if err != nil {
		t.Fatalf("Docker ne répond pas sur %s : ce test en a besoin", host)
	}
	return cli
}

// siteImageDocker runs the docker CLI against the engine of the suite and returns its
// standard output; the test stops with its output if it fails.
func siteImageDocker(t *testing.T, ctx context.Context, env []string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = append(append(os.Environ(), "DOCKER_HOST="+engine.Host()), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("docker %s : %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// siteImageGet fetches url, waiting for the server to listen (for as long
// as the test's context allows: a loaded machine starts it late), checks
// the status and returns the body.
func siteImageGet(t *testing.T, ctx context.Context, url string, want int) string {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err == nil {
			b, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr != nil {
				t.Fatalf("GET %s : %v", url, rerr)
			}
			if resp.StatusCode != want {
				t.Fatalf("GET %s : %s, %d attendu", url, resp.Status, want)
			}
			return string(b)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("GET %s : le conteneur ne répond pas (%v)", url, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func siteImageSuffix(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func siteImageLang(doc *html.Node) string {
	for n := doc.FirstChild; n != nil; n = n.NextSibling {
		if n.Type == html.ElementNode && n.Data == "html" {
			for _, a := range n.Attr {
				if a.Key == "lang" {
					return a.Val
				}
			}
		}
	}
	return ""
}

// siteImageText is the text of the first element named tag.
func siteImageText(n *html.Node, tag string) string {
	if n.Type == html.ElementNode && n.Data == tag {
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				b.WriteString(c.Data)
			}
		}
		return b.String()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if s := siteImageText(c, tag); s != "" {
			return s
		}
	}
	return ""
}
