package scriptcmd

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"tpdocker/internal/terminal"
)

// WaitEnv names the script variable that sets the waits' default limit, in
// seconds: the student mode shortens them, so that an API that never
// answers costs a minute, not two.
const WaitEnv = "TPDOCKER_ATTENTE"

// waitLimit reads the optional SECONDS argument at index i (default two
// minutes, or $TPDOCKER_ATTENTE seconds: a loaded machine starts a service
// late, and a ready one ends the wait at once).
func waitLimit(ts *testscript.TestScript, args []string, i int) (time.Duration, error) {
	if len(args) <= i {
		if s := ts.Getenv(WaitEnv); s != "" {
			return time.ParseDuration(s + "s")
		}
		return 2 * time.Minute, nil
	}
	return time.ParseDuration(args[i] + "s")
}

// WaitHTTP (URL [SECONDS]) waits until URL answers 200, polling (default
// 2 minutes): a readiness check, the script goes on as soon as the service is up.
func WaitHTTP(ts *testscript.TestScript, neg bool, args []string) error {
	if neg || len(args) < 1 || len(args) > 2 {
		return ErrUsage
	}
	limit, err := waitLimit(ts, args, 1)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(limit)
	// No keep-alive: an idle connection left open would make Uvicorn wait
	// for it when the container is stopped later.
	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var last string
	for time.Now().Before(deadline) {
		resp, err := c.Get(args[0])
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
				// The server is up and says the route does not exist.
				return fmt.Errorf("%s répond %s : le serveur tourne mais n'a pas cette route", args[0], resp.Status)
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s ne répond pas 200 après %v (dernière réponse : %s)", args[0], limit, last)
}

// WaitPG (HOST:PORT USER DATABASE [SECONDS]) waits until PostgreSQL accepts
// a session there (it asks for a password), polling (default 2 minutes). An open
// port is not enough: a starting server refuses sessions for a while.
func WaitPG(ts *testscript.TestScript, neg bool, args []string) error {
	if neg || len(args) < 3 || len(args) > 4 {
		return ErrUsage
	}
	limit, err := waitLimit(ts, args, 3)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		if last = pgAcceptsSession(args[0], args[1], args[2]); last == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("PostgreSQL ne répond pas sur %s après %v (%v)", args[0], limit, last)
}

// pgAcceptsSession sends a protocol 3.0 startup message and expects an
// authentication request ('R') in answer.
func pgAcceptsSession(addr, user, db string) error {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	body := []byte{0, 3, 0, 0}
	for _, kv := range []string{"user", user, "database", db} {
		body = append(append(body, kv...), 0)
	}
	body = append(body, 0)
	msg := binary.BigEndian.AppendUint32(nil, uint32(len(body)+4))
	if _, err := c.Write(append(msg, body...)); err != nil {
		return err
	}
	head := make([]byte, 1)
	if _, err := io.ReadFull(c, head); err != nil {
		return err
	}
	if head[0] != 'R' {
		return fmt.Errorf("réponse %q au lieu d'une demande d'authentification", head[0])
	}
	return nil
}

// Grab (NAME REGEXP) sets $NAME to the first group of REGEXP in the last
// command's stdout (for example the generated name of a container).
func Grab(ts *testscript.TestScript, neg bool, args []string) error {
	if neg || len(args) != 2 {
		return ErrUsage
	}
	re, err := regexp.Compile(`(?m)` + args[1])
	if err != nil {
		return err
	}
	m := re.FindStringSubmatch(ts.ReadFile("stdout"))
	if len(m) < 2 {
		return fmt.Errorf("grab : %q introuvable dans la dernière sortie", args[1])
	}
	ts.Setenv(args[0], m[1])
	return nil
}

// Subst (FILE REGEXP REPLACEMENT) edits a file of the work directory, as
// the report asks the reader to (for example to rename app into appi).
func Subst(ts *testscript.TestScript, neg bool, args []string) error {
	if neg || len(args) != 3 {
		return ErrUsage
	}
	re, err := regexp.Compile(args[1])
	if err != nil {
		return err
	}
	data := ts.ReadFile(args[0])
	if !re.MatchString(data) {
		return fmt.Errorf("subst : %q introuvable dans %s", args[1], args[0])
	}
	return os.WriteFile(ts.MkAbs(args[0]), []byte(re.ReplaceAllString(data, args[2])), 0o644)
}

// Locks are named locks shared by the scripts of a run, each held by a
// script until Release.
type Locks struct {
	named sync.Map // name -> *sync.Mutex

	mu   sync.Mutex
	held map[string][]*sync.Mutex // by script
}

// Lock (NAME) holds the lock NAME until the script's end, when the harness
// calls Release, after its cleanup.
func (l *Locks) Lock(ts *testscript.TestScript, neg bool, args []string) error {
	if neg || len(args) != 1 {
		return ErrUsage
	}
	v, _ := l.named.LoadOrStore(args[0], &sync.Mutex{})
	mu := v.(*sync.Mutex)
	mu.Lock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held == nil {
		l.held = map[string][]*sync.Mutex{}
	}
	name := ScriptName(ts)
	l.held[name] = append(l.held[name], mu)
	return nil
}

// Release frees the locks a script holds.
func (l *Locks) Release(script string) {
	l.mu.Lock()
	held := l.held[script]
	delete(l.held, script)
	l.mu.Unlock()
	for _, mu := range held {
		mu.Unlock()
	}
}

// Terminal (FILE COMMAND [ARGS...]) runs COMMAND in a terminal window of
// 30×120 and types FILE's lines at its prompts (internal/terminal). What the
// window showed becomes the command's stdout. resizes, if it returns a
// counter for the script, tells when the container's window has its size.
//
// testscript's ttyin gives the command a terminal on its standard input
// only: the docker CLI takes the window size from its standard output.
func Terminal(resizes func(ts *testscript.TestScript) func() int) func(ts *testscript.TestScript, neg bool, args []string) error {
	return func(ts *testscript.TestScript, neg bool, args []string) error {
		if neg || len(args) < 2 {
			return ErrUsage
		}
		lines := strings.SplitAfter(ts.ReadFile(args[0]), "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		cfg := terminal.Config{
			Args:  args[1:],
			Dir:   ts.MkAbs("."),
			Env:   scriptEnv(ts),
			Lines: lines,
		}
		if path, err := lookPath(args[1], ts.Getenv("PATH")); err == nil {
			cfg.Path = path
		}
		if resizes != nil {
			cfg.Resizes = resizes(ts)
		}
		r, err := terminal.Run(cfg)
		if err != nil {
			return err
		}
		fmt.Fprint(ts.Stdout(), r.Transcript)
		if r.Exit != nil && !neg {
			return fmt.Errorf("terminal : %s a échoué : %v", args[1], r.Exit)
		}
		return nil
	}
}

// scriptEnv is the process environment with the script's own variables.
func scriptEnv(ts *testscript.TestScript) []string {
	env := os.Environ()
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_BUILDKIT"} {
		env = append(env, k+"="+ts.Getenv(k))
	}
	return append(env, "TERM=xterm")
}

// lookPath finds a program in the script's PATH.
func lookPath(file, path string) (string, error) {
	for _, dir := range strings.Split(path, ":") {
		p := dir + "/" + file
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}
