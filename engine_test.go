package tpdocker_test

// The harness on the real engine, beyond the scripts.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"

	"tpdocker/internal/engine"
)

// TestFailedBuildLeavesNothing builds, through a scope proxy and with
// BuildKit, a Dockerfile whose RUN step fails: the build must fail and leave
// no container and no image on the engine (the classic builder left its
// intermediate containers and images behind, without any label).
func TestFailedBuildLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("-short : pas de Docker")
	}
	if err := startSuite(); err != nil {
		t.Fatal("\n" + err.Error())
	}
	ctx := context.Background()
	objects := func() map[string]bool {
		seen := map[string]bool{}
		cs, err := suite.cli.ContainerList(ctx, container.ListOptions{All: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			seen["conteneur "+engine.ShortID(c.ID)] = true
		}
		ims, err := suite.cli.ImageList(ctx, image.ListOptions{All: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range ims {
			seen["image "+engine.ShortID(im.ID)] = true
		}
		return seen
	}
	before := objects()
	proxy, err := startProxy(t.TempDir(), suite.runID+".echec-construction", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	dir := t.TempDir()
	df := "FROM python:3.9-slim\nWORKDIR /app\nRUN echo une étape qui échoue && exit 3\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("docker", "build", "-t", "tpdocker-echec", dir)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+proxy.Host(), "DOCKER_BUILDKIT=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("la construction aurait dû échouer :\n%s", out)
	}
	if !strings.Contains(string(out), "did not complete successfully: exit code: 3") {
		t.Errorf("l'échec attendu (exit code: 3) n'apparaît pas :\n%s", out)
	}
	if n, _ := proxy.Builds(); n == 0 {
		t.Errorf("le mandataire n'a étiqueté aucune construction BuildKit")
	}
	for o := range objects() {
		if !before[o] {
			t.Errorf("la construction échouée a laissé : %s", o)
			// It was made by this test: remove it, once reported.
			kind, id, _ := strings.Cut(o, " ")
			if kind == "conteneur" {
				suite.cli.ContainerRemove(ctx, id, container.RemoveOptions{Force: true})
			} else {
				suite.cli.ImageRemove(ctx, id, image.RemoveOptions{Force: true})
			}
		}
	}
}
