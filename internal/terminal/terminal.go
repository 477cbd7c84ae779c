// Package terminal runs an interactive command as a person does in a
// terminal window, and types lines at its prompts.
//
// The command's standard input, output and error are one pseudo-terminal of
// the given size (a docker client takes the window size from its standard
// output: with a terminal on standard input only, the container's terminal
// would measure 0×0 and psql would send every result through a pager). Each
// line is typed once the program shows a prompt, a readiness check rather
// than a pause, and the next is typed only after what the line printed.
// The transcript is what the window showed, without escape sequences.
package terminal

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

	"golang.org/x/sys/unix"
)

// Config describes a session.
type Config struct {
	Args  []string // the command and its arguments, Args[0] as the user wrote it
	Path  string   // the program to run (Args[0] if empty)
	Dir   string
	Env   []string
	Lines []string // typed one at a time, each at a prompt

	Rows, Cols    uint16        // the window's size (30×120 if zero)
	PromptTimeout time.Duration // how long to wait for each prompt (30 s if zero)

	// Resizes, if set, counts the window resizes the engine has received
	// for the session's container: the first line is typed only once it
	// has grown, and the window has then been quiet for a moment (the
	// docker client sets the container's window size just after starting
	// it, and the shell redraws its prompt then).
	Resizes func() int
}

// Result is what a session showed and how its command ended.
type Result struct {
	Transcript string // the window's text, lines ended by \n
	Exit       error  // the command's exit status, as exec.Cmd.Wait gives it
}

// ansiSeq matches a terminal's escape sequences.
var ansiSeq = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[=>]`)

// A prompt ends the window's text: "/ # ", "# ", "demo=# ", "$ ", "> ".
var promptEnd = regexp.MustCompile(`[#$>] $`)

// Run runs a session. Its error, in French, says why the lines could not
// all be typed or the command did not end; the command's own failure is
// in Result.Exit.
func Run(cfg Config) (*Result, error) {
	if cfg.Rows == 0 || cfg.Cols == 0 {
		cfg.Rows, cfg.Cols = 30, 120
	}
	if cfg.PromptTimeout == 0 {
		cfg.PromptTimeout = 30 * time.Second
	}
	master, slave, err := openPTY(cfg.Rows, cfg.Cols)
	if err != nil {
		return nil, err
	}
	defer master.Close()

	name := cfg.Args[0]
	cmd := exec.Command(name, cfg.Args[1:]...)
	if cfg.Path != "" {
		cmd.Path = cfg.Path
	}
	cmd.Dir, cmd.Env = cfg.Dir, cfg.Env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	resizesBefore := -1
	if cfg.Resizes != nil {
		resizesBefore = cfg.Resizes()
	}
	err = cmd.Start()
	slave.Close()
	if err != nil {
		return nil, err
	}

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
	for i, line := range cfg.Lines {
		if i == 0 && resizesBefore >= 0 {
			deadline := time.Now().Add(cfg.PromptTimeout)
			for cfg.Resizes() == resizesBefore && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			waitQuiet(shown, 150*time.Millisecond, deadline)
		}
		deadline := time.Now().Add(cfg.PromptTimeout)
		for !done {
			text := shown()
			if promptEnd.MatchString(ansiSeq.ReplaceAllString(strings.TrimRight(text, "\x00"), "")) {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				return nil, fmt.Errorf("terminal : pas d'invite après %v avant de taper %q ; écran :\n%s", cfg.PromptTimeout, strings.TrimSpace(line), text)
			}
			select {
			case waitErr = <-exited:
				done = true
			case <-time.After(20 * time.Millisecond):
			}
		}
		if done {
			return nil, fmt.Errorf("terminal : %s s'est terminé avant qu'on tape %q ; écran :\n%s", name, strings.TrimSpace(line), shown())
		}
		seen := len(shown())
		if _, err := master.Write([]byte(strings.TrimSuffix(line, "\n") + "\r")); err != nil {
			cmd.Process.Kill()
			return nil, err
		}
		// The next prompt must come after what this line prints.
		for time.Now().Before(deadline) && len(shown()) == seen {
			time.Sleep(10 * time.Millisecond)
		}
	}
	select {
	case waitErr = <-exited:
	case <-time.After(cfg.PromptTimeout):
		cmd.Process.Kill()
		return nil, fmt.Errorf("terminal : %s ne s'est pas terminé après la dernière ligne ; écran :\n%s", name, shown())
	}
	select {
	case <-readDone:
	case <-time.After(2 * time.Second):
	}
	// What the window shows: no escape sequences, lines ended by \n.
	text := ansiSeq.ReplaceAllString(shown(), "")
	return &Result{Transcript: strings.ReplaceAll(text, "\r\n", "\n"), Exit: waitErr}, nil
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
