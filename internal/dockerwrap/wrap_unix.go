//go:build unix

package dockerwrap

// The docker wrapper on Unix: how it hands over to the real client.

import (
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// replaceWith runs the real client in the wrapper's place: same process,
// same terminal, same signals.
func replaceWith(path string, args []string) int {
	err := syscall.Exec(path, append([]string{"docker"}, args...), os.Environ())
	os.Stderr.WriteString("docker : " + err.Error() + "\n")
	return 127
}

// exitLike ends the wrapper as the client ended: with its code, or killed
// by the same signal.
func exitLike(exit *exec.ExitError) {
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		signal.Reset(ws.Signal())
		syscall.Kill(os.Getpid(), ws.Signal())
		os.Exit(128 + int(ws.Signal()))
	}
	os.Exit(exit.ExitCode())
}

// dieWithParent has the client killed if the wrapper is: it never outlives
// it, holding the script's pipes open.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = pdeathsig()
}

// stopSignals are the signals the wrapper passes on to the client, as the
// signal the client gets: SIGQUIT, which testscript sends at its deadline,
// becomes an interrupt, so that the client stops as on a Ctrl-C instead of
// both printing their goroutines.
var stopSignals = map[os.Signal]os.Signal{os.Interrupt: os.Interrupt, syscall.SIGTERM: syscall.SIGTERM, syscall.SIGQUIT: os.Interrupt}
