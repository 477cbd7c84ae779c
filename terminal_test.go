package tpdocker_test

// terminal FILE COMMAND [ARGS...]: run an interactive command as a person
// does in a terminal window, and type FILE's lines at its prompts.
//
// testscript's ttyin gives the command a terminal on its standard input only:
// the docker CLI takes the window size from its standard output, so the
// container's terminal would measure 0×0 and psql would send every result
// through a pager. Here standard input, output and error are one terminal of
// 30×120, and each line is typed once the program shows a prompt (a readiness
// check, not a pause). The transcript is what the window showed; it becomes
// the command's stdout for the assertions that follow.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"
)

const (
	termRows, termCols = 30, 120
	promptTimeout      = 30 * time.Second
)

// ansiSeq matches a terminal's escape sequences.
var ansiSeq = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[=>]`)

// A prompt ends the window's text: "/ # ", "# ", "demo=# ", "$ ", "> ".
var promptEnd = regexp.MustCompile(`[#$>] $`)

func cmdTerminal(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: terminal FICHIER COMMANDE [ARGUMENTS...]")
	}
	lines := strings.SplitAfter(ts.ReadFile(args[0]), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	master, slave, err := openPTY(termRows, termCols)
	ts.Check(err)
	defer master.Close()

	cmd := exec.Command(args[1], args[2:]...)
	cmd.Dir = ts.MkAbs(".")
	cmd.Env = scriptEnv(ts)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if path, err := lookPath(args[1], ts.Getenv("PATH")); err == nil {
		cmd.Path = path
	}
	suite.mu.Lock()
	proxy := suite.proxies[scriptNameOf(ts)]
	suite.mu.Unlock()
	resizesBefore := -1
	if proxy != nil {
		resizesBefore = proxy.Resized()
	}
	ts.Check(cmd.Start())
	slave.Close()

	var mu sync.Mutex
	var screen bytes.Buffer
	readDone := make(chan struct{})
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			mu.Lock()
			screen.Write(buf[:n])
			mu.Unlock()
			// Answer "where is the cursor?" as a terminal does (busybox's
			// shell asks before each prompt, and redraws it when unanswered).
			for range bytes.Count(buf[:n], []byte("\x1b[6n")) {
				master.Write([]byte("\x1b[1;1R"))
			}
			if err != nil {
				close(readDone)
				return
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	shown := func() string {
		mu.Lock()
		defer mu.Unlock()
		return screen.String()
	}

	var waitErr error
	done := false
	for i, line := range lines {
		if i == 0 && resizesBefore >= 0 {
			// The docker client sets the container's window size just after
			// starting it, and the shell redraws its prompt then: type only
			// once the size has gone through and the window is quiet.
			deadline := time.Now().Add(promptTimeout)
			for proxy.Resized() == resizesBefore && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			waitQuiet(shown, 150*time.Millisecond, deadline)
		}
		deadline := time.Now().Add(promptTimeout)
		for !done {
			text := shown()
			if promptEnd.MatchString(ansiSeq.ReplaceAllString(strings.TrimRight(text, "\x00"), "")) {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				ts.Fatalf("terminal : pas d'invite après %v avant de taper %q ; écran :\n%s", promptTimeout, strings.TrimSpace(line), text)
			}
			select {
			case waitErr = <-exited:
				done = true
			case <-time.After(20 * time.Millisecond):
			}
		}
		if done {
			ts.Fatalf("terminal : %s s'est terminé avant qu'on tape %q ; écran :\n%s", args[1], strings.TrimSpace(line), shown())
		}
		seen := len(shown())
		_, err := master.Write([]byte(strings.TrimSuffix(line, "\n") + "\r"))
		ts.Check(err)
		// The next prompt must come after what this line prints.
		for time.Now().Before(deadline) && len(shown()) == seen {
			time.Sleep(10 * time.Millisecond)
		}
	}
	select {
	case waitErr = <-exited:
	case <-time.After(promptTimeout):
		cmd.Process.Kill()
		ts.Fatalf("terminal : %s ne s'est pas terminé après la dernière ligne ; écran :\n%s", args[1], shown())
	}
	select {
	case <-readDone:
	case <-time.After(2 * time.Second):
	}
	// What the window shows: no escape sequences, lines ended by \n.
	text := ansiSeq.ReplaceAllString(shown(), "")
	fmt.Fprint(ts.Stdout(), strings.ReplaceAll(text, "\r\n", "\n"))
	if waitErr != nil && !neg {
		ts.Fatalf("terminal : %s a échoué : %v", args[1], waitErr)
	}
}

// waitQuiet returns once the window has not changed for the given time.
func waitQuiet(shown func() string, quiet time.Duration, deadline time.Time) {
	last, since := shown(), time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		if now := shown(); now != last {
			last, since = now, time.Now()
		} else if time.Since(since) >= quiet {
			return
		}
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

func lookPath(file, path string) (string, error) {
	for _, dir := range strings.Split(path, ":") {
		p := dir + "/" + file
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

// openPTY opens a pseudo-terminal pair of the given size.
func openPTY(rows, cols uint16) (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, nil, err
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols}); err != nil {
		master.Close()
		slave.Close()
		return nil, nil, err
	}
	return master, slave, nil
}
