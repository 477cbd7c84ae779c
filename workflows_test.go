package tpdocker_test

// The GitHub Actions workflows are checked here, without the network and
// without GitHub: actionlint (as a library, its shellcheck and pyflakes
// integrations off) reports every mistake as file:line:col, and the rules of
// the project are checked on actionlint's own parse of each file: every
// action pinned to a full commit SHA with its version in a comment, and
// permissions declared by every workflow.

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// workflowFiles lists .github/workflows/*.yml (and *.yaml).
func workflowFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{"*.yml", "*.yaml"} {
		m, err := filepath.Glob(filepath.Join(".github", "workflows", pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("aucun workflow dans .github/workflows/")
	}
	return files
}

func TestWorkflows(t *testing.T) {
	skipUnderUpdate(t)
	files := workflowFiles(t)

	t.Run("actionlint", func(t *testing.T) {
		// Shellcheck and Pyflakes left empty: those integrations stay off,
		// whatever is installed. ConfigFile points at no file: no
		// .github/actionlint.yaml is read.
		linter, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{
			LogWriter: io.Discard,
		})
		if err != nil {
			t.Fatal(err)
		}
		errs, err := linter.LintFiles(files, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range errs {
			t.Errorf("%s:%d:%d: %s [%s]", e.Filepath, e.Line, e.Column, e.Message, e.Kind)
		}
	})

	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			checkWorkflowRules(t, f, src)
		})
	}
}

var (
	// owner/repo[/path]@<40 hex>: an action pinned to a commit.
	pinnedAction = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[^@\s]+)?@[0-9a-f]{40}$`)
	// uses: ...@<40 hex> # vX.Y.Z: the version the commit is, for the reader
	// and for the tools that update pins.
	usesLine       = regexp.MustCompile(`^\s*(-\s+)?uses:\s*(\S+)(.*)$`)
	versionComment = regexp.MustCompile(`^\s+#\s+v\d+\.\d+\.\d+\s*$`)
)

// checkWorkflowRules applies the project's rules to one workflow file.
func checkWorkflowRules(t *testing.T, file string, src []byte) {
	t.Helper()
	wf, errs := actionlint.Parse(src)
	for _, e := range errs {
		t.Errorf("%s:%d:%d: %s", file, e.Line, e.Column, e.Message)
	}
	if wf == nil {
		return
	}
	if wf.Permissions == nil {
		t.Errorf("%s : pas de « permissions: » au niveau du workflow (le jeton aurait les droits par défaut du dépôt)", file)
	}
	uses := 0
	check := func(s *actionlint.String) {
		if s == nil {
			return
		}
		uses++
		ref := s.Value
		if strings.HasPrefix(ref, "./") {
			return // an action of this repository: pinned by the checkout itself
		}
		if !pinnedAction.MatchString(ref) {
			t.Errorf("%s:%d:%d: « uses: %s » n'est pas épinglé sur un commit (owner/repo@<SHA de 40 caractères hexadécimaux>)", file, s.Pos.Line, s.Pos.Col, ref)
		}
	}
	for _, job := range wf.Jobs {
		if job == nil {
			continue
		}
		if job.WorkflowCall != nil {
			check(job.WorkflowCall.Uses)
		}
		for _, step := range job.Steps {
			if a, ok := step.Exec.(*actionlint.ExecAction); ok {
				check(a.Uses)
			}
		}
	}

	// Comments are not in the parse: the version of each pin is checked on
	// the lines themselves, and their count against the parse.
	lines := 0
	for i, line := range strings.Split(string(src), "\n") {
		m := usesLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		lines++
		if strings.HasPrefix(m[2], "./") {
			continue
		}
		if !versionComment.MatchString(m[3]) {
			t.Errorf("%s:%d: « uses: %s » sans sa version en commentaire (« # vX.Y.Z »)", file, i+1, m[2])
		}
	}
	if lines != uses {
		t.Errorf("%s : %d ligne(s) « uses: » pour %d action(s) dans l'analyse du fichier : écrivez chaque « uses: » sur sa propre ligne", file, lines, uses)
	}
}
