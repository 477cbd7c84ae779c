// Package dockerwrap is the docker command that the lab's scripts run: a
// wrapper around the real client. The test binary is this program under the
// name docker (testscript.Main puts it first on PATH, with Main as the
// command): it runs the real client with the same arguments, passes its
// standard output and error on to the script, as testscript keeps them for
// its assertions, and also writes both in one stream, in the order the
// client wrote them (record.Ordered), into the folder that $TPDOCKER_ORDERED
// names: the record shows what a terminal would. In a terminal, or outside
// a script, the wrapper gives way to the real client.
package dockerwrap

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"tpdocker/internal/record"
)

// OrderedEnv names the folder where the wrapper writes each run's ordered
// output (record.WriteInvocation).
const OrderedEnv = "TPDOCKER_ORDERED"

// wrappersEnv lists the folders of the wrappers a docker command has already
// gone through: a test binary run by a script's test (the nested run of
// TestPartialRunLeavesNoTemp) puts its own wrapper before its parent's on
// PATH, and each must hand over past both, never back to the other.
const wrappersEnv = "TPDOCKER_WRAPPERS"

// realDocker finds the docker client on PATH, past the wrapper's folder and
// those of the wrappers before it, which it adds to wrappersEnv for the
// client and what it runs.
func realDocker() (string, error) {
	self, _ := os.Executable()
	skip := append(filepath.SplitList(os.Getenv(wrappersEnv)), filepath.Dir(self))
	os.Setenv(wrappersEnv, strings.Join(skip, string(filepath.ListSeparator)))
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" || slices.Contains(skip, dir) {
			continue
		}
		p := filepath.Join(dir, "docker")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", errors.New("docker : client introuvable dans le PATH")
}

// Main is the wrapper's main: it runs the real client and exits as it did.
func Main() {
	real, err := realDocker()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(127)
	}
	dir := os.Getenv(OrderedEnv)
	if dir == "" || isTerminal(os.Stdout) || isTerminal(os.Stderr) {
		os.Exit(replaceWith(real, os.Args[1:]))
	}
	var o record.Ordered
	cmd := exec.Command(real, os.Args[1:]...)
	cmd.Stdin = os.Stdin
	// The docker that the client itself runs (compose builds through
	// docker buildx bake) is part of this run, not a run of the script.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, OrderedEnv+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stdout = o.Tee("stdout", os.Stdout)
	cmd.Stderr = o.Tee("stderr", os.Stderr)
	dieWithParent(cmd)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(127)
	}
	sig := make(chan os.Signal, 1)
	for s := range stopSignals {
		signal.Notify(sig, s)
	}
	go func() {
		for s := range sig {
			cmd.Process.Signal(stopSignals[s])
		}
	}()
	err = cmd.Wait()
	signal.Stop(sig)
	// The folder is gone when the script has already ended (a background
	// command stopped at its end): its record is made, nothing to add.
	if werr := record.WriteInvocation(dir, record.Invocation{Args: os.Args[1:], Start: start.UnixNano(), Work: os.Getenv("WORK"), Chunks: o.Chunks()}); werr != nil && !errors.Is(werr, fs.ErrNotExist) {
		fmt.Fprintln(os.Stderr, "docker (enregistrement de la sortie) :", werr)
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		os.Exit(0)
	case errors.As(err, &exit):
		exitLike(exit)
	default:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// isTerminal tells whether f is a terminal (or another character device,
// such as /dev/null, where there is no output to keep).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// OrderedDir makes the folder where a script's docker runs write their
// ordered outputs; the script's environment names it in OrderedEnv.
func OrderedDir(script string) (string, error) {
	return os.MkdirTemp("", "tpdocker-"+strings.ReplaceAll(script, string(filepath.Separator), "-")+"-")
}
