package dockerwrap

// The docker wrapper on Windows: the real client runs with its streams.

import (
	"os"
	"os/exec"
)

// replaceWith runs the real client with the wrapper's own streams.
func replaceWith(path string, args []string) int {
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		if exit, ok := err.(*exec.ExitError); ok {
			return exit.ExitCode()
		}
		return 127
	}
	return 0
}

func exitLike(exit *exec.ExitError) { os.Exit(exit.ExitCode()) }

func dieWithParent(*exec.Cmd) {}

// stopSignals are the signals the wrapper passes on to the client.
var stopSignals = map[os.Signal]os.Signal{os.Interrupt: os.Interrupt}
