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
//
// The pseudo-terminal comes from github.com/creack/pty, on Linux and macOS
// alike. Windows has no such terminal for a docker client: there, Run says
// in French to run the tests in WSL2.
package terminal

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Config describes a session.
type Config struct {
	Args  []string // the command and its arguments, Args[0] as the user wrote it
	Path  string   // the program to run (Args[0] if empty)
	Dir   string
	Env   []string
	Lines []string // typed one at a time, each at a prompt

	Rows, Cols    uint16        // the window's size (30×120 if zero)
	PromptTimeout time.Duration // how long to wait for each prompt (2 minutes if zero)

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

// ErrNoTerminal is Run's error on Windows: a docker client there finds no
// terminal of the kind the sessions need, and the scripts are run in WSL2.
var ErrNoTerminal = errors.New("terminal : les sessions interactives (docker run -it, psql) demandent un terminal Linux ou macOS ; sous Windows, lancez les tests dans WSL2")

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
		cfg.PromptTimeout = 2 * time.Minute
	}
	name := cfg.Args[0]
	cmd := exec.Command(name, cfg.Args[1:]...)
	if cfg.Path != "" {
		cmd.Path = cfg.Path
	}
	cmd.Dir, cmd.Env = cfg.Dir, cfg.Env
	resizesBefore := -1
	if cfg.Resizes != nil {
		resizesBefore = cfg.Resizes()
	}
	master, tty, err := startInTerminal(cmd, cfg.Rows, cfg.Cols)
	if err != nil {
		return nil, err
	}
	defer master.Close()

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
	// This process keeps the terminal's other end open until the command
	// has ended: macOS throws away what the window has not yet shown when
	// the last holder closes it. Once it is closed, the reads above get
	// the rest of the output, then the end.
	exited := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		tty.Close()
		exited <- err
	}()
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
			return nil, fmt.Errorf("terminal : %s s'est terminé (%s) avant qu'on tape %q ; écran :\n%s", name, exitStatus(waitErr), strings.TrimSpace(line), shown())
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

// exitStatus says, in French, how a command ended, from its cmd.Wait
// error: "code de sortie 3", "signal : killed".
func exitStatus(err error) string {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return "code de sortie 0"
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		return fmt.Sprintf("code de sortie %d", exit.ExitCode())
	case errors.As(err, &exit):
		return strings.Replace(exit.String(), "signal: ", "signal : ", 1)
	}
	return err.Error()
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
