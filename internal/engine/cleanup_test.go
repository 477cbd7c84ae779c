package engine

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/docker/docker/client"
)

// A dead run's list of anonymous volumes is found and emptied by the next
// run, which keeps its own list; a volume already gone is no error.
func TestRemoveDeadRunVolumes(t *testing.T) {
	// The lists go to os.UserCacheDir: XDG_CACHE_HOME on Linux,
	// $HOME/Library/Caches on macOS, %LocalAppData% on Windows.
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", cache)
	t.Setenv("LocalAppData", cache)
	var mu sync.Mutex
	var deleted []string
	engine := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, "/v1.47/volumes/")
		if r.Method != http.MethodDelete || !ok {
			http.Error(w, "inattendu : "+r.Method+" "+r.URL.Path, http.StatusBadRequest)
			return
		}
		if name == "deja-parti" {
			http.Error(w, `{"message":"no such volume"}`, http.StatusNotFound)
			return
		}
		mu.Lock()
		deleted = append(deleted, name)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer engine.Close()
	cli, err := client.NewClientWithOpts(client.WithHost("tcp://"+engine.Listener.Addr().String()), client.WithVersion("1.47"))
	if err != nil {
		t.Fatal(err)
	}
	RememberVolumes("mort", []string{"aaa111", "deja-parti"})
	RememberVolumes("mort", []string{"bbb222"})
	RememberVolumes("vivant", []string{"ccc333"})
	removed, err := RemoveDeadRunVolumes(context.Background(), cli, "vivant")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(deleted)
	if want := []string{"aaa111", "bbb222"}; !reflect.DeepEqual(deleted, want) {
		t.Errorf("volumes supprimés sur le moteur : %v, attendu %v", deleted, want)
	}
	if want := []string{"volume aaa111", "volume bbb222"}; !reflect.DeepEqual(removed, want) {
		t.Errorf("volumes annoncés : %v, attendu %v", removed, want)
	}
	if dir, err := os.UserCacheDir(); err != nil || !strings.HasPrefix(dir, cache) {
		t.Fatalf("dossier de cache %q (%v) hors du dossier du test", dir, err)
	}
	lists, _ := filepath.Glob(volumeListPath("*"))
	if len(lists) != 1 || filepath.Base(lists[0]) != "volumes-vivant.txt" {
		t.Errorf("listes restantes : %v, seule celle de l'exécution en cours attendue", lists)
	}
	ForgetVolumes("vivant")
	if lists, _ := filepath.Glob(volumeListPath("*")); len(lists) != 0 {
		t.Errorf("listes restantes après ForgetVolumes : %v", lists)
	}
}
