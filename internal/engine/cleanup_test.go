package engine

// Cleanup against a fake engine (convergence, its bound) and on the real
// engine (a dead run's anonymous volumes).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
)

// fakeEngine answers the listings and removals RemoveScope makes, with
// the timing troubles of an interrupted compose: a container whose removal
// is already in progress, a network that keeps its endpoints while its
// container lives, a container that appears late (its create was in
// flight), a marked anonymous volume.
type fakeEngine struct {
	mu         sync.Mutex
	containers map[string]int // name -> passes left before it appears (0: there)
	busy       map[string]int // name -> removals answered "already in progress"
	networks   map[string]bool
	volumes    map[string]map[string]string // name -> labels
	stuck      bool                         // the network never goes
	deleted    []string
}

func (f *fakeEngine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	path := r.URL.Path[strings.Index(r.URL.Path[1:], "/")+1:]
	scope := map[string]string{LabelScope: "mort.ex6"}
	label := ""
	if fs := r.URL.Query().Get("filters"); fs != "" {
		var m map[string]map[string]bool
		json.Unmarshal([]byte(fs), &m)
		for l := range m["label"] {
			label = l
		}
	}
	switch {
	case r.Method == http.MethodGet && path == "/containers/json":
		var out []map[string]any
		for name, wait := range f.containers {
			if wait > 0 {
				f.containers[name]--
				continue
			}
			if label == LabelScope {
				out = append(out, map[string]any{"Id": name, "Names": []string{"/" + name}, "Labels": scope})
			}
		}
		json.NewEncoder(w).Encode(out)
	case r.Method == http.MethodDelete && strings.HasPrefix(path, "/containers/"):
		name := strings.TrimPrefix(path, "/containers/")
		if f.busy[name] > 0 {
			f.busy[name]--
			http.Error(w, `{"message":"removal of container `+name+` is already in progress"}`, http.StatusConflict)
			return
		}
		delete(f.containers, name)
		f.deleted = append(f.deleted, "conteneur "+name)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet && path == "/networks":
		var out []map[string]any
		for name := range f.networks {
			if label == LabelScope {
				out = append(out, map[string]any{"Id": name, "Name": name, "Labels": scope})
			}
		}
		json.NewEncoder(w).Encode(out)
	case r.Method == http.MethodDelete && strings.HasPrefix(path, "/networks/"):
		name := strings.TrimPrefix(path, "/networks/")
		if len(f.containers) > 0 || f.stuck {
			http.Error(w, `{"message":"error while removing network: network `+name+` has active endpoints"}`, http.StatusForbidden)
			return
		}
		delete(f.networks, name)
		f.deleted = append(f.deleted, "réseau "+name)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet && path == "/volumes":
		var out []map[string]any
		for name, labels := range f.volumes {
			if _, ok := labels[label]; ok {
				out = append(out, map[string]any{"Name": name, "Labels": labels})
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"Volumes": out})
	case r.Method == http.MethodDelete && strings.HasPrefix(path, "/volumes/"):
		name := strings.TrimPrefix(path, "/volumes/")
		if _, ok := f.volumes[name]; !ok {
			http.Error(w, `{"message":"no such volume"}`, http.StatusNotFound)
			return
		}
		delete(f.volumes, name)
		f.deleted = append(f.deleted, "volume "+name)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet && path == "/images/json":
		w.Write([]byte("[]"))
	default:
		http.Error(w, "inattendu : "+r.Method+" "+path, http.StatusBadRequest)
	}
}

func fakeClient(t *testing.T, f *fakeEngine) *client.Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cli, err := client.NewClientWithOpts(client.WithHost("tcp://"+srv.Listener.Addr().String()), client.WithVersion("1.47"))
	if err != nil {
		t.Fatal(err)
	}
	return cli
}

func newFakeEngine() *fakeEngine {
	anon := "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2"
	return &fakeEngine{
		containers: map[string]int{"tpdocker-db-1": 0, "tpdocker-api-1": 2},
		busy:       map[string]int{"tpdocker-db-1": 2},
		networks:   map[string]bool{"tpdocker_default": true},
		volumes: map[string]map[string]string{
			anon:                    {labelEngineAnonymous: ""},
			markerName(anon):        {labelAnonScope: "mort.ex6", labelAnonVolume: anon},
			"volume-du-lecteur":     {labelEngineAnonymous: ""},
			markerName("autre-run"): {labelAnonScope: "vivant.ex6", labelAnonVolume: "volume-d-un-vivant"},
			"volume-d-un-vivant":    {labelEngineAnonymous: ""},
		},
	}
}

// RemoveScope goes on until nothing of the scope is left: a removal already
// in progress, a network whose container is still there and a container
// that appears late are all dealt with; a marked anonymous volume goes, then
// its marker; nothing of another scope is touched.
func TestRemoveScopeConverges(t *testing.T) {
	f := newFakeEngine()
	removed, err := RemoveScope(context.Background(), fakeClient(t, f), RunIs("mort"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	want := []string{"conteneur tpdocker-api-1", "conteneur tpdocker-db-1", "réseau tpdocker_default", "volume a1b2c3d4e5f6"}
	if !slices.Equal(removed, want) {
		t.Errorf("supprimés : %v, attendu %v", removed, want)
	}
	var left []string
	for v := range f.volumes {
		left = append(left, v)
	}
	slices.Sort(left)
	if want := []string{markerName("autre-run"), "volume-d-un-vivant", "volume-du-lecteur"}; !slices.Equal(left, want) {
		t.Errorf("volumes restants : %v, attendu %v (ceux d'une autre exécution et du lecteur)", left, want)
	}
	if len(f.containers)+len(f.networks) > 0 {
		t.Errorf("restent : conteneurs %v, réseaux %v", f.containers, f.networks)
	}
}

// A cleanup that cannot converge stops at its deadline and names, in
// French, what remains.
func TestRemoveScopeBounded(t *testing.T) {
	f := newFakeEngine()
	f.stuck = true
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	_, err := RemoveScope(ctx, fakeClient(t, f), RunIs("mort"))
	// It stopped because its deadline came (returning at all is the bound:
	// without one it would loop forever), not before.
	if ctx.Err() == nil {
		t.Errorf("le nettoyage s'est arrêté avant son échéance : %v", err)
	}
	var rem *Remaining
	if !errors.As(err, &rem) || !slices.Equal(rem.Objects, []string{"réseau tpdocker_default"}) {
		t.Fatalf("erreur %v, attendu « réseau tpdocker_default » comme seul reste", err)
	}
	if !strings.Contains(err.Error(), "1 objet(s) restent : réseau tpdocker_default") {
		t.Errorf("message : %q", err)
	}
}

// On a real engine: the anonymous volume a killed run left detached (as
// "docker compose down" leaves it) is found from its marker on the engine,
// whoever runs next, and only it: a reader's anonymous volume, and a
// reader's named volume that a container of the suite mounted, stay.
func TestDeadRunAnonymousVolumes(t *testing.T) {
	if testing.Short() {
		t.Skip("-short : pas de Docker")
	}
	_, cli, err := Connect()
	if err != nil {
		t.Skip("pas de moteur Docker : ", err)
	}
	// Another user: nothing of the dead run's is in this one's files.
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	ctx := context.Background()
	if _, err := EnsureImage(ctx, cli, "alpine:latest"); err != nil {
		t.Skip(err)
	}
	dead := fmt.Sprintf("mort%x", time.Now().UnixNano())
	scope := dead + ".ex6"
	named := "tpdocker-test-lecteur-" + strings.TrimPrefix(dead, "mort")

	// anonymous creates a container with an anonymous volume, marks its
	// volumes for scope (if any) and removes it, leaving the volume.
	anonymous := func(labels map[string]string, mounts []mount.Mount) []string {
		c, err := cli.ContainerCreate(ctx, &container.Config{Image: "alpine:latest", Cmd: []string{"true"},
			Volumes: map[string]struct{}{"/donnees": {}}, Labels: labels},
			&container.HostConfig{Mounts: mounts}, nil, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		info, err := cli.ContainerInspect(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var vols []string
		for _, m := range info.Mounts {
			if m.Type == "volume" {
				vols = append(vols, m.Name)
			}
		}
		if labels != nil {
			if err := MarkVolumes(ctx, cli, scope, vols); err != nil {
				t.Fatal(err)
			}
		}
		if err := cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{}); err != nil {
			t.Fatal(err)
		}
		return vols
	}
	if _, err := cli.VolumeCreate(ctx, volume.CreateOptions{Name: named}); err != nil {
		t.Fatal(err)
	}
	readers := anonymous(nil, nil)
	ours := anonymous(map[string]string{LabelScope: scope},
		[]mount.Mount{{Type: mount.TypeVolume, Source: named, Target: "/lecteur"}})
	t.Cleanup(func() {
		for _, v := range append(append(readers, ours...), named) {
			cli.VolumeRemove(context.Background(), v, true)
		}
		RemoveScope(context.Background(), cli, RunIs(dead))
	})
	if len(ours) != 2 || len(readers) != 1 {
		t.Fatalf("volumes : %v (suite) et %v (lecteur)", ours, readers)
	}

	removed, err := RemoveScope(ctx, cli, RunIs(dead))
	if err != nil {
		t.Fatal(err)
	}
	var anon string
	for _, v := range ours {
		if v != named {
			anon = v
		}
	}
	if want := []string{"volume " + ShortID(anon)}; !slices.Equal(removed, want) {
		t.Errorf("supprimés : %v, attendu %v", removed, want)
	}
	if _, err := cli.VolumeInspect(ctx, anon); !cerrdefs.IsNotFound(err) {
		t.Errorf("le volume anonyme de l'exécution morte est toujours là (%v)", err)
	}
	if _, err := cli.VolumeInspect(ctx, markerName(anon)); !cerrdefs.IsNotFound(err) {
		t.Errorf("son marqueur est toujours là (%v)", err)
	}
	for _, v := range append(readers, named) {
		if _, err := cli.VolumeInspect(ctx, v); err != nil {
			t.Errorf("le volume %s du lecteur a été touché : %v", ShortID(v), err)
		}
	}
}
