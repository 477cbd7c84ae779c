package harness

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"tpdocker/internal/dockerwrap"
	"tpdocker/internal/engine"
	"tpdocker/internal/record"
	"tpdocker/internal/scopeproxy"
)

// Setup is testscript's Setup for the suite's scripts: it gives the script
// its own view of the engine (a scope proxy that labels what it creates),
// the docker wrapper's folder, BuildKit, and the lab's files in
// $WORK/tpdocker, the folder the report works in (its name is the Compose
// project's). root is the repository's root, where the author's files are.
func (s *Suite) Setup(env *testscript.Env, root string) error {
	name := strings.TrimPrefix(filepath.Base(env.WorkDir), "script-")
	scope := s.runID + "." + name
	if s.Interrupted() {
		return errors.New("exécution interrompue")
	}
	// The report works in a folder named tpdocker: the Compose project's
	// name. Its files are the author's, or a student's; staged first, so
	// that a folder that cannot be staged leaves nothing started.
	dst := filepath.Join(env.WorkDir, "tpdocker")
	if s.cfg.Stage != nil {
		if err := s.cfg.Stage(env, dst); err != nil {
			return err
		}
	} else if err := CopyLabFiles(root, dst); err != nil {
		return err
	}
	proxy, err := s.StartProxy(env.Getenv("TMPDIR"), scope, func(id string) []string {
		c, err := s.cli.ContainerInspect(context.Background(), id)
		if err != nil {
			return nil
		}
		s.mu.Lock()
		sc := s.script(name)
		sc.created = append(sc.created, record.Container{ID: c.ID, Name: strings.TrimPrefix(c.Name, "/")})
		s.mu.Unlock()
		var vols []string
		for _, m := range c.Mounts {
			if m.Type == "volume" {
				vols = append(vols, m.Name)
			}
		}
		if err := engine.MarkVolumes(context.Background(), s.cli, scope, vols); err != nil {
			env.T().Log("volumes non marqués : " + err.Error())
		}
		return vols
	})
	if err != nil {
		return err
	}
	env.Setenv("DOCKER_HOST", proxy.Host())
	// Where the docker wrapper writes each run's output in the order
	// written: read when the script ends, before its record is made.
	ordered, err := dockerwrap.OrderedDir(name)
	if err != nil {
		proxy.Close()
		return err
	}
	env.Setenv(dockerwrap.OrderedEnv, ordered)
	s.mu.Lock()
	s.script(name).proxy = proxy
	s.mu.Unlock()
	// BuildKit, as on the author's Docker Desktop: a client that would
	// still default to the classic builder uses it too. The proxy labels its
	// builds inside their gRPC requests.
	env.Setenv("DOCKER_BUILDKIT", "1")
	if cfg := dockerConfigDir(); cfg != "" {
		env.Setenv("DOCKER_CONFIG", cfg) // where the compose plugin lives
	}
	begin := time.Now()
	env.Defer(func() {
		invs, err := record.ReadInvocations(ordered)
		if err != nil {
			env.T().Log("sorties dans l'ordre illisibles : " + err.Error())
		}
		os.RemoveAll(ordered)
		s.mu.Lock()
		s.script(name).ordered = invs
		s.mu.Unlock()
		proxy.Close()
		removed, err := engine.RemoveScope(context.Background(), s.cli, engine.ScopeIs(scope))
		s.locks.Release(name)
		if err != nil {
			env.T().Log(fmt.Sprintf("nettoyage incomplet (%v) ; objets supprimés : %s", err, strings.Join(removed, ", ")))
		}
		s.mu.Lock()
		s.script(name).elapsed = time.Since(begin)
		s.mu.Unlock()
	})
	return nil
}

// StartProxy starts a scope proxy (internal/scopeproxy) in front of the
// engine, its socket in dir; created is told of each container it creates.
func (s *Suite) StartProxy(dir, scope string, created func(id string) []string) (*scopeproxy.Proxy, error) {
	return scopeproxy.Start(scopeproxy.Config{
		Dial:    s.engine.Dial,
		Dir:     dir,
		Label:   engine.LabelScope,
		Scope:   scope,
		Created: created,
	})
}

func dockerConfigDir() string {
	if d := os.Getenv("DOCKER_CONFIG"); d != "" {
		return d
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".docker")
	}
	return ""
}

// LabFiles are the report's own files, kept once at the repository's root.
var LabFiles = []string{"docker-compose.yml", "api/Dockerfile", "api/app.py"}

// CopyLabFiles copies the author's files from root into dst.
func CopyLabFiles(root, dst string) error {
	for _, f := range LabFiles {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return err
		}
		p := filepath.Join(dst, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// ScriptsRoot makes the folder the scripts' own folders are made in, and
// removes it once they have all ended (and the interrupt handler on an
// interrupt). testscript removes its folder only once every script of
// testdata has run: with -run selecting some, it stayed in the temp folder.
// With -testwork, the folder is kept, as testscript keeps its own.
func (s *Suite) ScriptsRoot(t *testing.T) string {
	dir, err := os.MkdirTemp(os.Getenv("GOTMPDIR"), "tpdocker-scripts-")
	if err != nil {
		t.Fatal(err)
	}
	s.AddWorkDir(dir)
	t.Cleanup(func() {
		if f := flag.Lookup("testwork"); f != nil && f.Value.String() == "true" {
			return
		}
		os.RemoveAll(dir)
	})
	return dir
}

// SetenvUntil sets an environment variable of the process, and returns
// what gives it back its former value.
func SetenvUntil(name, value string) func() {
	old, had := os.LookupEnv(name)
	os.Setenv(name, value)
	return func() {
		if had {
			os.Setenv(name, old)
		} else {
			os.Unsetenv(name)
		}
	}
}
