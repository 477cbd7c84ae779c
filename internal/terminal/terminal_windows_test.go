package terminal

// On Windows, interactive sessions are refused with a French message.

import (
	"errors"
	"strings"
	"testing"
)

// On Windows, a session stops at once with the French answer, and starts
// nothing.
func TestNoTerminalOnWindows(t *testing.T) {
	_, err := Run(Config{Args: []string{"cmd", "/c", "echo"}, Lines: []string{"exit\n"}})
	if !errors.Is(err, ErrNoTerminal) {
		t.Fatalf("erreur : %v, ErrNoTerminal attendue", err)
	}
	if !strings.Contains(err.Error(), "WSL2") {
		t.Errorf("le message ne dit pas de passer par WSL2 : %v", err)
	}
}
