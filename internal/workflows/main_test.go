// Package workflows_test checks the GitHub Actions workflows, Dependabot's
// configuration and the CI scripts' own contracts, without Docker and
// without GitHub: go test ./internal/workflows.
package workflows_test

import (
	"fmt"
	"os"
	"testing"
)

// TestMain runs the checks from the repository's root, where the files
// they read (.github/, .ci/, tools/, go.mod) are and where their messages
// name them.
func TestMain(m *testing.M) {
	if err := os.Chdir("../.."); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
