package tpdocker_test

// What the output boxes show, checked on the run records the site reads
// (site/data/runs): no Docker needed.
//   - one object, one stand-in: a container's ID or generated name never
//     stands for another container, on another page, or for an image;
//     the base image's digest is the same wherever it is shown;
//   - a command that wrote on both streams is shown in the order written.

import (
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"tpdocker/internal/buildprogress"
	"tpdocker/internal/record"
)

// readRecords reads every record of site/data/runs.
func readRecords(t *testing.T) []*record.Result {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(recordDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("aucun enregistrement dans %s (%v)", recordDir, err)
	}
	sort.Strings(files)
	var rs []*record.Result
	for _, f := range files {
		r, err := record.Read(recordDir, strings.TrimSuffix(filepath.Base(f), ".json"))
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	return rs
}

var (
	psHeader   = regexp.MustCompile(`^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$`)
	psRow      = regexp.MustCompile(`^([0-9a-f]{12}) .* ([a-z]+_[a-z]+[0-9]?)$`)
	runDetach  = regexp.MustCompile(`^docker run (.* )?-d `)
	fullID     = regexp.MustCompile(`^[0-9a-f]{64}$`)
	shaValue   = regexp.MustCompile(`sha256:([0-9a-f]{64})`)
	baseDigest = regexp.MustCompile(`python:3\.9-slim@sha256:([0-9a-f]{64})`)
)

// where is a place of the site: a record and a step's command.
type where struct{ script, cmd string }

func (w where) String() string { return w.script + " (" + w.cmd + ")" }

// TestOneObjectOnePlaceholder: a container's ID and generated name, as
// docker ps and docker run -d show them, belong to one script's container
// only: the same stand-in never names a container on two pages, nor a
// container and an image or digest. The same container keeps its name in
// every listing of its script, and the base image's digest is the same in
// every build of the site.
func TestOneObjectOnePlaceholder(t *testing.T) {
	containerIDs := map[string]where{} // 12-hex -> first place shown as a container
	names := map[string]where{}        // generated name -> first place
	nameOf := map[string]string{}      // script/ID -> name
	digests := map[string]where{}      // sha256 values (12-hex) -> first place
	var base []string
	var baseAt []where
	for _, r := range readRecords(t) {
		for _, s := range r.Steps {
			at := where{r.Script, s.Cmd}
			text := s.Stdout + "\n" + s.Stderr + "\n" + s.Tty
			for _, m := range shaValue.FindAllStringSubmatch(text, -1) {
				if _, ok := digests[m[1][:12]]; !ok {
					digests[m[1][:12]] = at
				}
			}
			for _, m := range baseDigest.FindAllStringSubmatch(text, -1) {
				base = append(base, m[1])
				baseAt = append(baseAt, at)
			}
			container := func(id, name string) {
				if prev, ok := containerIDs[id]; ok && prev.script != r.Script {
					t.Errorf("l'identifiant %s désigne un conteneur de %s et un autre de %s", id, prev, at)
				} else if !ok {
					containerIDs[id] = at
				}
				if name == "" {
					return
				}
				if prev, ok := names[name]; ok && prev.script != r.Script {
					t.Errorf("le nom %s désigne un conteneur de %s et un autre de %s", name, prev, at)
				} else if !ok {
					names[name] = at
				}
				key := r.Script + "/" + id
				if n, ok := nameOf[key]; ok && n != name {
					t.Errorf("%s : le conteneur %s s'appelle %s, puis %s", at, id, n, name)
				}
				nameOf[key] = name
			}
			in := false
			for _, l := range strings.Split(s.Stdout, "\n") {
				switch {
				case psHeader.MatchString(strings.TrimSpace(l)):
					in = true
				case in && psRow.MatchString(l):
					m := psRow.FindStringSubmatch(l)
					container(m[1], m[2])
				case strings.TrimSpace(l) == "":
					in = false
				}
			}
			if runDetach.MatchString(s.Cmd) && fullID.MatchString(strings.TrimSpace(s.Stdout)) {
				container(strings.TrimSpace(s.Stdout)[:12], "")
			}
		}
	}
	if len(containerIDs) == 0 || len(names) == 0 || len(base) == 0 {
		t.Fatalf("rien à vérifier : %d identifiants de conteneurs, %d noms, %d condensés de l'image de base", len(containerIDs), len(names), len(base))
	}
	for id, at := range containerIDs {
		if d, ok := digests[id]; ok {
			t.Errorf("%s désigne un conteneur de %s et un condensé (sha256) de %s", id, at, d)
		}
	}
	for i, d := range base {
		if d != base[0] {
			t.Errorf("l'image de base python:3.9-slim a deux condensés : %s… dans %s, %s… dans %s", base[0][:12], baseAt[0], d[:12], baseAt[i])
		}
	}
}

// TestOutputsInWrittenOrder: a command that wrote on both its streams is
// shown in one stream, in the order it wrote (the record's output), made of
// exactly its standard output and error; BuildKit's progress, put in a
// fixed order, is shown stream by stream. docker run in 4.a shows Uvicorn
// starting before the requests it served.
func TestOutputsInWrittenOrder(t *testing.T) {
	for _, r := range readRecords(t) {
		for _, s := range r.Steps {
			if s.Stdout == "" || s.Stderr == "" || s.Tty != "" || !strings.HasPrefix(s.Cmd, "docker ") {
				if s.Output != "" {
					t.Errorf("%s, %s : sortie ordonnée sans les deux flux", r.Script, s.Cmd)
				}
				continue
			}
			if buildprogress.Canonical(s.Stdout) != s.Stdout || buildprogress.Canonical(s.Stderr) != s.Stderr || hasProgress(s.Stdout) || hasProgress(s.Stderr) {
				continue
			}
			if s.Output == "" {
				t.Errorf("%s, %s : la sortie et stderr ne sont pas enregistrées dans l'ordre où la commande les a écrites", r.Script, s.Cmd)
				continue
			}
			if !interleaves(s.Output, s.Stdout, s.Stderr) {
				t.Errorf("%s, %s : la sortie ordonnée n'est pas faite de la sortie et de stderr :\n%s", r.Script, s.Cmd, s.Output)
			}
		}
	}
	var run *record.Step
	for _, r := range readRecords(t) {
		for i, s := range r.Steps {
			if r.Script == "ex4-run" && s.Cmd == "docker run -p 8000:8000 simple-api" {
				run = &r.Steps[i]
			}
		}
	}
	if run == nil {
		t.Fatal("ex4-run : docker run -p 8000:8000 simple-api absent")
	}
	started, get := strings.Index(run.Output, "Started server process"), strings.Index(run.Output, "GET /health")
	if started < 0 || get < 0 || started > get {
		t.Errorf("4.a : Uvicorn démarre après avoir servi les requêtes :\n%s", run.Output)
	}
}

var progressLine = regexp.MustCompile(`(?m)^#\d+ `)

func hasProgress(s string) bool { return progressLine.MatchString(s) }

// interleaves tells whether the lines of all are those of a and b, each in
// its own order.
func interleaves(all, a, b string) bool {
	split := func(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") }
	la, lb, lall := split(a), split(b), split(all)
	if len(la)+len(lb) != len(lall) {
		return false
	}
	// ok[j] : the first i+j lines of all are the first i of a and j of b.
	ok := make([]bool, len(lb)+1)
	for i := 0; i <= len(la); i++ {
		for j := 0; j <= len(lb); j++ {
			switch {
			case i == 0 && j == 0:
				ok[j] = true
			default:
				fromA := i > 0 && ok[j] && la[i-1] == lall[i+j-1]
				fromB := j > 0 && ok[j-1] && lb[j-1] == lall[i+j-1]
				ok[j] = fromA || fromB
			}
		}
	}
	return ok[len(lb)]
}
