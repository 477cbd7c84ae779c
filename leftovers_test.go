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
	if err := suite.Start(); err != nil {
		t.Fatal("\n" + err.Error())
	}
	ctx := context.Background()
	objects := func() map[string]bool {
		seen := map[string]bool{}
		cs, err := suite.Client().ContainerList(ctx, container.ListOptions{All: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			seen["conteneur "+engine.ShortID(c.ID)] = true
		}
		ims, err := suite.Client().ImageList(ctx, image.ListOptions{All: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range ims {
			seen["image "+engine.ShortID(im.ID)] = true
		}
		return seen
	}
	before := objects()
	proxy, err := suite.StartProxy(t.TempDir(), suite.RunID()+".echec-construction", nil)
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
				suite.Client().ContainerRemove(ctx, id, container.RemoveOptions{Force: true})
			} else {
				suite.Client().ImageRemove(ctx, id, image.RemoveOptions{Force: true})
			}
		}
	}
}

// innerRun marks a test binary started by TestPartialRunLeavesNoTemp: it
// runs the exercise it is given, never this test again.
const innerRun = "TPDOCKER_EXECUTION_IMBRIQUEE"

// TestPartialRunLeavesNoTemp runs one exercise (go test -run
// TestTP/ex1-hello) in a test binary of its own, with a temp folder of its
// own: once it has ended, that folder is empty. testscript alone left its
// folder there whenever -run selected only some of the scripts.
func TestPartialRunLeavesNoTemp(t *testing.T) {
	if os.Getenv(innerRun) != "" {
		t.Skip("exécution imbriquée : pas de nouvelle exécution")
	}
	if testing.Short() {
		t.Skip("-short : pas de Docker")
	}
	if err := suite.Start(); err != nil {
		t.Fatal("\n" + err.Error())
	}
	// The inner run takes the engine's lock: this run lends it, and takes
	// it back afterwards (its scripts have ended and removed their objects).
	takeBack := suite.LendLock()
	defer func() {
		if err := takeBack(t.Context()); err != nil {
			t.Errorf("verrou du moteur non repris : %v", err)
		}
	}()

	tmp := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestTP$/^ex1-hello$", "-test.count=1")
	env := []string{innerRun + "=1", "TMPDIR=" + tmp}
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); name != "TMPDIR" && name != "GOTMPDIR" && name != innerRun {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test -run TestTP/ex1-hello : %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "ex1-hello") {
		t.Fatalf("l'exercice 1 n'a pas tourné :\n%s", out)
	}
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("reste dans le dossier temporaire après go test -run TestTP/ex1-hello : %s", e.Name())
	}
}
