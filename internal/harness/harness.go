// Package harness runs the lab's scripts (testdata/*.txtar) as one suite
// against a Docker engine, for TestTP and for the student mode.
//
// A Suite starts when the first script needs the engine: it checks the
// system and the engine (internal/engine), takes the engine's lock, removes
// what dead runs left, and from then on stops cleanly on Ctrl-C. Each script
// gets its own scope proxy in front of the engine (internal/scopeproxy), its
// own copy of the lab's files and the docker wrapper's ordered outputs
// (internal/dockerwrap); when it ends, its objects are removed and its
// transcript becomes its record (internal/record). At the end of the run,
// Finish removes what remains, prints what each script verified, and writes
// the records, the captures and the history entry that were asked for.
//
// All of a run's state lives in its Suite, one Script value per script.
package harness

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/docker/docker/client"
	"github.com/rogpeppe/go-internal/testscript"

	"tpdocker/internal/engine"
	"tpdocker/internal/record"
	"tpdocker/internal/scopeproxy"
	"tpdocker/internal/scriptcmd"
)

// Config is what a run of the suite is asked to do.
type Config struct {
	// Update rewrites the site's records and captures from this run.
	Update bool
	// LockWait is how long to wait for another run to free the engine.
	LockWait time.Duration
	// HistoryFile, if set, receives this run's history entry (one JSON line).
	HistoryFile string
	// ScriptDir holds the scripts, RecordDir and CaptureDir the site's
	// records and captures (relative to the repository's root).
	ScriptDir, RecordDir, CaptureDir string
	// Captures are redrawn from the records under Update.
	Captures []record.Capture
	// Stage puts the lab's files into dst, a script's folder, and sets what
	// the script's environment needs for them. Nil stages the author's
	// files (LabFiles) from the repository's root.
	Stage func(env *testscript.Env, dst string) error
}

// Suite is one run of the lab's scripts on one engine.
type Suite struct {
	cfg  Config
	once sync.Once
	err  error

	runID  string
	host   string
	engine engine.Addr
	cli    *client.Client
	info   *engine.Info

	mu          sync.Mutex
	unlock      func()
	scripts     map[string]*Script
	locks       scriptcmd.Locks
	interrupted bool     // Ctrl-C or SIGTERM: no new script starts
	workDirs    []string // removed on an interrupt
}

// Script is what one script of the run did and holds.
type Script struct {
	Name       string
	proxy      *scopeproxy.Proxy
	sentinels  *engine.Sentinels
	created    []record.Container  // the containers it created, for its record
	ordered    []record.Invocation // the docker client's runs, in the order written
	result     *record.Result
	transcript string
	elapsed    time.Duration
	ended      time.Time
}

// New returns a suite that starts on its first Start.
func New(cfg Config) *Suite {
	if cfg.ScriptDir == "" {
		cfg.ScriptDir = "testdata"
	}
	return &Suite{cfg: cfg, scripts: map[string]*Script{}}
}

// script returns the named script's value, made on first use; s.mu is held.
func (s *Suite) script(name string) *Script {
	sc := s.scripts[name]
	if sc == nil {
		sc = &Script{Name: name}
		s.scripts[name] = sc
	}
	return sc
}

// RunID names this run: its objects carry it in their scope label.
func (s *Suite) RunID() string { return s.runID }

// Client is the engine's API client, once started.
func (s *Suite) Client() *client.Client { return s.cli }

// Info is what the preflight learnt of the engine, once started.
func (s *Suite) Info() *engine.Info { return s.info }

// Started tells whether the suite reached the engine and holds its lock.
func (s *Suite) Started() bool { return s.cli != nil }

// Start runs once, when the first script needs Docker: lock, clean what
// dead runs left, check everything, then watch for an interrupt.
func (s *Suite) Start() error {
	s.once.Do(func() {
		if s.err = engine.CheckSystem(); s.err != nil {
			return // Windows outside WSL2: before anything asks for the engine
		}
		s.runID = fmt.Sprintf("%x", time.Now().UnixNano())[:12]
		s.host = engine.Host()
		var err error
		if s.engine, err = engine.ParseHost(s.host); err != nil {
			s.err = engine.Problemf("%v", err)
			return
		}
		cli, err := engine.NewClient(s.host)
		if err != nil {
			s.err = engine.Problemf("Client Docker inutilisable pour %s : %v", s.host, err)
			return
		}
		ctx := context.Background()
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if _, err := cli.Ping(pctx); err != nil {
			_, s.err = engine.Preflight(ctx, cli, s.host) // says how to start Docker
			return
		}
		// An engine too old is said before anything is asked of it.
		if ver, err := cli.ServerVersion(pctx); err == nil {
			if s.err = engine.CheckEngineVersion(ver.Version, ver.APIVersion); s.err != nil {
				return
			}
		}
		// From here on, an interrupt stops the run cleanly, while it
		// waits for the lock too.
		go s.onInterrupt(cli)
		unlock, err := s.lockEngine(ctx, cli)
		if err != nil {
			s.err = err
			return
		}
		s.mu.Lock()
		s.unlock = unlock
		s.mu.Unlock()
		s.cli = cli
		// What dead runs left, any user's: their objects and the anonymous
		// volumes their markers name (the lock is held: no other run lives).
		removed, err := engine.RemoveScope(ctx, cli, engine.AnyScope)
		if len(removed) > 0 || err != nil {
			fmt.Printf("tpdocker: nettoyage d'une exécution interrompue : %d objet(s) supprimé(s) (%s)\n", len(removed), strings.Join(removed, ", "))
			if err != nil {
				fmt.Printf("tpdocker: nettoyage incomplet : %v\n", err)
			}
		}
		if s.info, s.err = engine.Preflight(ctx, cli, s.host); s.err != nil {
			return
		}
	})
	return s.err
}

// Interrupted tells whether Ctrl-C or SIGTERM stopped the run: its
// clean-up then ends the process.
func (s *Suite) Interrupted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.interrupted
}

// onInterrupt waits for Ctrl-C or SIGTERM, then stops the run so that it
// leaves nothing: no new script starts, the scope proxies take no new
// request and let those in flight end, this run's objects are removed until
// none remains, and its script folders go. All of it within
// engine.CleanupLimit; what still remains then is named, and the next run
// removes it.
func (s *Suite) onInterrupt(cli *client.Client) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	fmt.Println("\ntpdocker: interrompu, suppression des objets de cette exécution…")
	ctx, cancel := context.WithTimeout(context.Background(), engine.CleanupLimit)
	defer cancel()
	s.mu.Lock()
	s.interrupted = true
	var proxies []*scopeproxy.Proxy
	for _, sc := range s.scripts {
		if sc.proxy != nil {
			proxies = append(proxies, sc.proxy)
		}
	}
	dirs := slices.Clone(s.workDirs)
	unlock := s.unlock
	s.unlock = nil
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range proxies {
		wg.Go(func() { p.Drain(5 * time.Second) })
	}
	wg.Wait()
	removed, err := engine.RemoveScope(ctx, cli, engine.RunIs(s.runID))
	fmt.Printf("tpdocker: %d objet(s) supprimé(s)\n", len(removed))
	if err != nil {
		fmt.Printf("tpdocker: %v ; la prochaine exécution de la suite les supprimera\n", err)
	}
	// The scripts' goroutines may still write there: remove until gone.
	for _, d := range dirs {
		for range 40 {
			if os.RemoveAll(d); !exists(d) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if exists(d) {
			fmt.Printf("tpdocker: dossier non supprimé : %s\n", d)
		}
	}
	if unlock != nil {
		unlock()
	}
	os.Exit(130)
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// lockEngine takes the engine's lock for this run (internal/engine), saying
// so when another run holds it.
func (s *Suite) lockEngine(ctx context.Context, cli *client.Client) (func(), error) {
	return engine.Lock(ctx, cli, s.runID, s.cfg.LockWait, func(holder string) {
		fmt.Printf("tpdocker: le moteur est occupé par une autre exécution de la suite (%s) ; attente, %v au plus…\n", holder, s.cfg.LockWait)
	})
}

// LendLock frees the engine's lock for a run that this one starts (a
// nested go test); the function it returns takes the lock back.
func (s *Suite) LendLock() (takeBack func(context.Context) error) {
	s.mu.Lock()
	unlock := s.unlock
	s.unlock = nil
	s.mu.Unlock()
	if unlock == nil {
		return func(context.Context) error { return nil }
	}
	unlock()
	return func(ctx context.Context) error {
		unlock, err := s.lockEngine(ctx, s.cli)
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.unlock = unlock
		s.mu.Unlock()
		return nil
	}
}

// AddWorkDir names a folder that an interrupt removes with the run's
// objects.
func (s *Suite) AddWorkDir(dir string) {
	s.mu.Lock()
	s.workDirs = append(s.workDirs, dir)
	s.mu.Unlock()
}

// Close removes whatever the run still holds (each script cleans up after
// itself; this catches what a crash in between left), stamps the run and
// frees the engine's lock. It returns what it removed.
func (s *Suite) Close() []string {
	if s.cli == nil {
		return nil
	}
	removed, err := engine.RemoveScope(context.Background(), s.cli, engine.RunIs(s.runID))
	if err != nil {
		fmt.Printf("tpdocker: nettoyage incomplet : %v ; la prochaine exécution de la suite les supprimera\n", err)
	}
	if s.info != nil {
		TouchRunStamp()
	}
	s.mu.Lock()
	unlock := s.unlock
	s.unlock = nil
	s.mu.Unlock()
	if unlock != nil {
		unlock()
	}
	return removed
}

// Finish ends a run of the author's scripts: Close, then what each script
// verified, the records (written under Update), the history entry and the
// captures. It returns the exit code, code or 1 if something could not be
// written.
func (s *Suite) Finish(code int) int {
	if s.cli != nil {
		removed := s.Close()
		if s.info != nil {
			fmt.Print(s.summary(removed))
		}
	}
	code = s.writeRecords(code)
	code = s.writeHistory(code)
	if s.cfg.Update {
		if err := record.WriteCaptures(s.cfg.CaptureDir, s.cfg.RecordDir, s.cfg.Captures); err != nil {
			fmt.Println("tpdocker: captures non redessinées :", err)
			code = 1
		}
	}
	return code
}

// summary says on which engine and images the run went, and what each
// script verified.
func (s *Suite) summary(removed []string) string {
	var b strings.Builder
	s.mu.Lock()
	defer s.mu.Unlock()
	kinds := map[string]bool{}
	for _, im := range s.info.Images {
		kinds[im.Kind] = true
	}
	images := "images officielles"
	if kinds["standin"] {
		images = "images de remplacement locales"
		if kinds["official"] {
			images = "images officielles et de remplacement"
		}
	}
	fmt.Fprintf(&b, "tpdocker: Docker %s, Compose %s, %s (exécution %s)\n", s.info.Engine, s.info.Compose, images, s.runID)
	for _, sc := range s.ran() {
		status := "ok"
		if sc.result.Status != "pass" {
			status = "ÉCHEC"
		}
		fmt.Fprintf(&b, "tpdocker: %-14s %-5s %2d commandes vérifiées en %.1fs\n", sc.Name, status, sc.result.Commands(), sc.elapsed.Seconds())
	}
	fmt.Fprintf(&b, "tpdocker: %d objet(s) de cette exécution supprimé(s) à la fin\n", len(removed))
	return b.String()
}

// ran lists the scripts that have a result, by name; s.mu is held.
func (s *Suite) ran() []*Script {
	var out []*Script
	for _, sc := range s.scripts {
		if sc.result != nil {
			out = append(out, sc)
		}
	}
	slices.SortFunc(out, func(a, b *Script) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// RunStamp keeps Go's test cache from replaying a Docker pass: the test
// binary opens it, so go test counts it as an input (only files inside the
// module count), and every run that talked to the engine rewrites it at its
// end, so the result is never cached.
const RunStamp = ".last-run"

// TouchRunStamp rewrites RunStamp.
func TouchRunStamp() {
	os.WriteFile(RunStamp, []byte(time.Now().Format(time.RFC3339Nano)+"\n"), 0o644)
}
