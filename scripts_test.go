package tpdocker_test

// TestTP replays the lab report: each testdata/*.txtar script is one exercise,
// run by testscript against the real Docker engine, each command of the report
// verbatim with its expected output asserted under it.
//
// This file wires the harness of internal/ into testscript: engine
// (preflight, engine lock, cleanup, sentinels), scopeproxy (each script's
// own view of the engine), scriptcmd and terminal (the scripts' commands,
// listed in one table below), record (the site's records and captures).
//
//	go test -run TestTP/ex2 -v    one exercise, with its whole transcript
//	go test -update               also refresh the run records of the site
//	go test -short                only what needs no Docker

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/client"
	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"

	"tpdocker/internal/engine"
	"tpdocker/internal/record"
	"tpdocker/internal/scopeproxy"
	"tpdocker/internal/scriptcmd"
)

var (
	update   = flag.Bool("update", false, "rewrite the site's run records (site/data/runs) and captures from this run")
	lockWait = flag.Duration("attente", 10*time.Minute, "how long to wait for another run of the suite to free the engine")
)

// suite is the state shared by the scripts of one go test run.
var suite struct {
	once   sync.Once
	err    error
	runID  string
	host   string
	engine engine.Addr
	cli    *client.Client
	info   *engine.Info
	unlock func()

	mu        sync.Mutex
	results   map[string]*record.Result
	created   map[string][]record.Container
	ordered   map[string][]record.Invocation // the docker client's runs, by script
	elapsed   map[string]time.Duration
	proxies   map[string]*scopeproxy.Proxy
	sentinels map[string]*engine.Sentinels
	locks     scriptcmd.Locks

	interrupted bool     // Ctrl-C or SIGTERM: no new script starts
	workDirs    []string // the scripts' folder (scriptsRoot), removed on an interrupt
}

// skipUnderUpdate: with -update, the records change during this run; the
// site is checked against them by the next go test.
func skipUnderUpdate(t *testing.T) {
	if *update {
		t.Skip("-update : le site sera vérifié avec les nouveaux enregistrements au prochain go test")
	}
}

func TestMain(m *testing.M) {
	// The scripts' docker is this binary, run under that name (see
	// dockerClient): testscript.Main runs it so, before any flag is read.
	testscript.Main(suiteMain{m}, map[string]func(){"docker": dockerClient})
}

// suiteMain runs the tests, then what a run does at its end.
type suiteMain struct{ m *testing.M }

func (s suiteMain) Run() int {
	m := s.m
	flag.Parse()
	if *studentDir != "" {
		return runStudent() // a student's files, not the author's: see student_test.go
	}
	// Scripts mostly wait on the engine: run four at a time, not one per core.
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		flag.Set("test.parallel", "4")
	}
	code := m.Run()
	suite.mu.Lock()
	interrupted := suite.interrupted
	suite.mu.Unlock()
	if interrupted {
		select {} // onInterrupt cleans up and exits
	}
	if suite.cli != nil {
		finishSuite()
	}
	code = writeRecords(code)
	code = writeHistory(code)
	if *update {
		if err := record.WriteCaptures(captureDir, recordDir, captures); err != nil {
			fmt.Println("tpdocker: captures non redessinées :", err)
			code = 1
		}
	}
	return code
}

// startSuite runs once, when the first script needs Docker: lock, clean what
// dead runs left, check everything, then watch for an interrupt.
func startSuite() error {
	suite.once.Do(func() {
		if suite.err = engine.CheckSystem(); suite.err != nil {
			return // Windows outside WSL2: before anything asks for the engine
		}
		suite.runID = fmt.Sprintf("%x", time.Now().UnixNano())[:12]
		suite.results = map[string]*record.Result{}
		suite.created = map[string][]record.Container{}
		suite.ordered = map[string][]record.Invocation{}
		suite.elapsed = map[string]time.Duration{}
		suite.proxies = map[string]*scopeproxy.Proxy{}
		suite.sentinels = map[string]*engine.Sentinels{}
		suite.host = engine.Host()
		var err error
		if suite.engine, err = engine.ParseHost(suite.host); err != nil {
			suite.err = engine.Problemf("%v", err)
			return
		}
		cli, err := engine.NewClient(suite.host)
		if err != nil {
			suite.err = engine.Problemf("Client Docker inutilisable pour %s : %v", suite.host, err)
			return
		}
		ctx := context.Background()
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if _, err := cli.Ping(pctx); err != nil {
			_, suite.err = engine.Preflight(ctx, cli, suite.host) // says how to start Docker
			return
		}
		// An engine too old is said before anything is asked of it.
		if ver, err := cli.ServerVersion(pctx); err == nil {
			if suite.err = engine.CheckEngineVersion(ver.Version, ver.APIVersion); suite.err != nil {
				return
			}
		}
		// From here on, an interrupt stops the run cleanly, while it
		// waits for the lock too.
		go onInterrupt(cli)
		unlock, err := lockEngine(ctx, cli)
		if err != nil {
			suite.err = err
			return
		}
		suite.mu.Lock()
		suite.unlock = unlock
		suite.mu.Unlock()
		suite.cli = cli
		// What dead runs left, any user's: their objects and the anonymous
		// volumes their markers name (the lock is held: no other run lives).
		removed, err := engine.RemoveScope(ctx, cli, engine.AnyScope)
		if len(removed) > 0 || err != nil {
			fmt.Printf("tpdocker: nettoyage d'une exécution interrompue : %d objet(s) supprimé(s) (%s)\n", len(removed), strings.Join(removed, ", "))
			if err != nil {
				fmt.Printf("tpdocker: nettoyage incomplet : %v\n", err)
			}
		}
		if suite.info, suite.err = engine.Preflight(ctx, cli, suite.host); suite.err != nil {
			return
		}
	})
	return suite.err
}

// onInterrupt waits for Ctrl-C or SIGTERM, then stops the run so that it
// leaves nothing: no new script starts, the scope proxies take no new
// request and let those in flight end, this run's objects are removed until
// none remains, and its script folders go. All of it within
// engine.CleanupLimit; what still remains then is named, and the next run
// removes it.
func onInterrupt(cli *client.Client) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	fmt.Println("\ntpdocker: interrompu, suppression des objets de cette exécution…")
	ctx, cancel := context.WithTimeout(context.Background(), engine.CleanupLimit)
	defer cancel()
	suite.mu.Lock()
	suite.interrupted = true
	proxies := make([]*scopeproxy.Proxy, 0, len(suite.proxies))
	for _, p := range suite.proxies {
		proxies = append(proxies, p)
	}
	dirs := append([]string(nil), suite.workDirs...)
	unlock := suite.unlock
	suite.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range proxies {
		wg.Add(1)
		go func() { defer wg.Done(); p.Drain(5 * time.Second) }()
	}
	wg.Wait()
	removed, err := engine.RemoveScope(ctx, cli, engine.RunIs(suite.runID))
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
func lockEngine(ctx context.Context, cli *client.Client) (func(), error) {
	return engine.Lock(ctx, cli, suite.runID, *lockWait, func(holder string) {
		fmt.Printf("tpdocker: le moteur est occupé par une autre exécution de la suite (%s) ; attente, %v au plus…\n", holder, *lockWait)
	})
}

// finishSuite removes whatever the run still holds (each script cleans up
// after itself; this catches what a crash in between left) and prints what
// each script verified.
func finishSuite() {
	removed, err := engine.RemoveScope(context.Background(), suite.cli, engine.RunIs(suite.runID))
	if err != nil {
		fmt.Printf("tpdocker: nettoyage incomplet : %v ; la prochaine exécution de la suite les supprimera\n", err)
	}
	if suite.info != nil && *studentDir == "" {
		fmt.Print(summary(removed)) // a student's report says it all
	}
	if suite.info != nil {
		touchRunStamp()
	}
	if suite.unlock != nil {
		suite.unlock()
	}
}

func summary(removed []string) string {
	var b strings.Builder
	names := make([]string, 0, len(suite.results))
	for n := range suite.results {
		names = append(names, n)
	}
	sort.Strings(names)
	kinds := map[string]bool{}
	for _, im := range suite.info.Images {
		kinds[im.Kind] = true
	}
	images := "images officielles"
	if kinds["standin"] {
		images = "images de remplacement locales"
		if kinds["official"] {
			images = "images officielles et de remplacement"
		}
	}
	fmt.Fprintf(&b, "tpdocker: Docker %s, Compose %s, %s (exécution %s)\n", suite.info.Engine, suite.info.Compose, images, suite.runID)
	for _, n := range names {
		r := suite.results[n]
		status := "ok"
		if r.Status != "pass" {
			status = "ÉCHEC"
		}
		fmt.Fprintf(&b, "tpdocker: %-14s %-5s %2d commandes vérifiées en %.1fs\n", n, status, r.Commands(), suite.elapsed[n].Seconds())
	}
	fmt.Fprintf(&b, "tpdocker: %d objet(s) de cette exécution supprimé(s) à la fin\n", len(removed))
	return b.String()
}

// The run stamp keeps Go's test cache from replaying a Docker pass: the test
// binary opens it, so go test counts it as an input (only files inside the
// module count), and every run that talked to the engine rewrites it at its
// end, so the result is never cached.
func runStampPath() string { return ".last-run" }

func touchRunStamp() {
	os.WriteFile(runStampPath(), []byte(time.Now().Format(time.RFC3339Nano)+"\n"), 0o644)
}

func TestTP(t *testing.T) {
	os.ReadFile(runStampPath())
	if testing.Short() {
		t.Skip("-short : scripts Docker non lancés")
	}
	if err := startSuite(); err != nil {
		t.Fatal("\n" + err.Error())
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	// testscript makes its folder in $GOTMPDIR when it starts (RunT
	// returns before the scripts run).
	restore := setenvUntil("GOTMPDIR", scriptsRoot(t))
	defer restore()
	testscript.RunT(recordingT{T: t}, testscript.Params{
		Dir:                 "testdata",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup:               func(env *testscript.Env) error { return setupScript(env, root) },
		Condition:           condition,
		Cmds:                scriptcmd.Table(commands),
	})
}

// scriptsRoot makes the folder the scripts' own folders are made in, and
// removes it once they have all ended (and onInterrupt on an interrupt).
// testscript removes its folder only once every script of testdata has run:
// with -run selecting some, it stayed in the temp folder. With -testwork,
// the folder is kept, as testscript keeps its own.
func scriptsRoot(t *testing.T) string {
	dir, err := os.MkdirTemp(os.Getenv("GOTMPDIR"), "tpdocker-scripts-")
	if err != nil {
		t.Fatal(err)
	}
	suite.mu.Lock()
	suite.workDirs = append(suite.workDirs, dir)
	suite.mu.Unlock()
	t.Cleanup(func() {
		if f := flag.Lookup("testwork"); f != nil && f.Value.String() == "true" {
			return
		}
		os.RemoveAll(dir)
	})
	return dir
}

// setenvUntil sets an environment variable of the process, and returns
// what gives it back its former value.
func setenvUntil(name, value string) func() {
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

// setupScript gives the script its own view of the engine and the lab files.
func setupScript(env *testscript.Env, root string) error {
	name := strings.TrimPrefix(filepath.Base(env.WorkDir), "script-")
	scope := suite.runID + "." + name
	suite.mu.Lock()
	interrupted := suite.interrupted
	suite.mu.Unlock()
	if interrupted {
		return errors.New("exécution interrompue")
	}
	proxy, err := startProxy(env.Getenv("TMPDIR"), scope, func(id string) []string {
		c, err := suite.cli.ContainerInspect(context.Background(), id)
		if err != nil {
			return nil
		}
		suite.mu.Lock()
		suite.created[name] = append(suite.created[name], record.Container{ID: c.ID, Name: strings.TrimPrefix(c.Name, "/")})
		suite.mu.Unlock()
		var vols []string
		for _, m := range c.Mounts {
			if m.Type == "volume" {
				vols = append(vols, m.Name)
			}
		}
		if err := engine.MarkVolumes(context.Background(), suite.cli, scope, vols); err != nil {
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
	ordered, err := orderedDir(name)
	if err != nil {
		return err
	}
	env.Setenv(orderedEnv, ordered)
	suite.mu.Lock()
	suite.proxies[name] = proxy
	suite.mu.Unlock()
	// BuildKit, as on the author's Docker Desktop: a client that would
	// still default to the classic builder uses it too. The proxy labels its
	// builds inside their gRPC requests.
	env.Setenv("DOCKER_BUILDKIT", "1")
	if cfg := dockerConfigDir(); cfg != "" {
		env.Setenv("DOCKER_CONFIG", cfg) // where the compose plugin lives
	}
	// The report works in a folder named tpdocker: the Compose project's
	// name. Its files are the author's, or a student's (-rendu).
	dst := filepath.Join(env.WorkDir, "tpdocker")
	if student.sub != nil {
		if err := student.sub.Stage(dst); err != nil {
			return err
		}
		env.Setenv(scriptcmd.WaitEnv, fmt.Sprint(int(studentWait.Seconds())))
		// The project is tpdocker, as the report's folder, whatever name:
		// the student's Compose file gives it.
		env.Setenv("COMPOSE_PROJECT_NAME", "tpdocker")
	} else if err := copyLabFiles(root, dst); err != nil {
		return err
	}
	begin := time.Now()
	env.Defer(func() {
		invs, err := record.ReadInvocations(ordered)
		if err != nil {
			env.T().Log("sorties dans l'ordre illisibles : " + err.Error())
		}
		os.RemoveAll(ordered)
		suite.mu.Lock()
		suite.ordered[name] = invs
		suite.mu.Unlock()
		proxy.Close()
		removed, err := engine.RemoveScope(context.Background(), suite.cli, engine.ScopeIs(scope))
		suite.locks.Release(name)
		if err != nil {
			env.T().Log(fmt.Sprintf("nettoyage incomplet (%v) ; objets supprimés : %s", err, strings.Join(removed, ", ")))
		}
		suite.mu.Lock()
		suite.elapsed[name] = time.Since(begin)
		suite.mu.Unlock()
	})
	return nil
}

// startProxy starts a scope proxy (internal/scopeproxy) in front of the
// engine, its socket in dir.
func startProxy(dir, scope string, created func(id string) []string) (*scopeproxy.Proxy, error) {
	return scopeproxy.Start(scopeproxy.Config{
		Dial:    suite.engine.Dial,
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

// labFiles are the report's own files, kept once at the repository's root.
var labFiles = []string{"docker-compose.yml", "api/Dockerfile", "api/app.py"}

func copyLabFiles(root, dst string) error {
	for _, f := range labFiles {
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

// Where the site reads the records of the last verified run, and the
// captures drawn from them.
const (
	recordDir  = "site/data/runs"
	captureDir = "site/assets/captures"
)

// recordingT is testscript's T with two changes: it always asks for the full
// transcript (Verbose), which it keeps for the record, and it shows that
// transcript only where go test would (-v, or a failure).
type recordingT struct {
	*testing.T
	name string
}

func (t recordingT) Verbose() bool { return true }

func (t recordingT) Run(name string, f func(testscript.T)) {
	t.T.Run(name, func(tt *testing.T) { f(recordingT{T: tt, name: name}) })
}

func (t recordingT) Log(args ...any) {
	s := fmt.Sprint(args...)
	if t.name != "" && strings.Contains(s, "\n> ") {
		keepTranscript(t.T, t.name, s)
	}
	if testing.Verbose() || t.T.Failed() {
		t.T.Log(s)
	}
}

// keepTranscript makes the script's record from its transcript, and writes
// it under -update.
func keepTranscript(t *testing.T, name, transcript string) {
	archive, err := txtar.ParseFile(filepath.Join("testdata", name+".txtar"))
	if err != nil {
		t.Logf("enregistrement impossible : %v", err)
		return
	}
	run := record.Run{
		RunID:   suite.runID,
		Date:    time.Now().UTC().Format("2006-01-02"),
		Engine:  suite.info.Engine,
		Client:  suite.info.Client,
		Compose: suite.info.Compose,
		Builder: suite.info.Builder,
		Store:   suite.info.Store,
		Images:  map[string]record.Image{},
	}
	for ref, im := range suite.info.Images {
		run.Images[ref] = record.Image{Name: im.Name, Kind: im.Kind, Origin: im.Origin}
	}
	suite.mu.Lock()
	created := suite.created[name]
	invs := suite.ordered[name]
	suite.mu.Unlock()
	r := record.MakeRaw(name, transcript, archive, t.Failed(), run, invs)
	keepRunTimes(name, transcript)
	suite.mu.Lock()
	suite.results[name] = r
	suite.created[name] = created
	suite.mu.Unlock()
}

// writeRecords normalises the run's records together, so that an object
// keeps one stand-in in all of them and two objects never share one
// (record.NormaliseAll), and writes them under -update; it returns the exit
// code, 1 if a record could not be written.
func writeRecords(code int) int {
	suite.mu.Lock()
	defer suite.mu.Unlock()
	if len(suite.results) == 0 {
		return code
	}
	rs := make([]*record.Result, 0, len(suite.results))
	for _, r := range suite.results {
		rs = append(rs, r)
	}
	record.NormaliseRun(rs, suite.runID, suite.created, recordDir, *update)
	if !*update {
		return code
	}
	for _, r := range rs {
		if err := record.Write(recordDir, r); err != nil {
			fmt.Println("tpdocker: écriture de l'enregistrement :", err)
			code = 1
		}
	}
	return code
}
