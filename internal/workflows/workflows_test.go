package workflows_test

// The GitHub Actions workflows are checked here, without the network and
// without GitHub: actionlint (as a library, its shellcheck and pyflakes
// integrations off) reports every mistake as file:line:col, and the rules of
// the project are checked on actionlint's own parse of each file: every
// action pinned to a full commit SHA with its version in a comment,
// permissions declared by every workflow, every job on a pinned runner image
// (never a moving "-latest" label) with a time limit, and the suite run on
// both images readers' Docker looks like. Dependabot's configuration keeps
// the pins and the modules current.

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v3"
)

// workflowFiles lists .github/workflows/*.yml (and *.yaml), and the
// workflow the lab's starting files give the student (depart/.github/).
func workflowFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{".github", filepath.Join("depart", ".github")} {
		for _, pat := range []string{"*.yml", "*.yaml"} {
			m, err := filepath.Glob(filepath.Join(dir, "workflows", pat))
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, m...)
		}
	}
	if len(files) == 0 {
		t.Fatal("aucun workflow dans .github/workflows/")
	}
	return files
}

func TestWorkflows(t *testing.T) {
	files := workflowFiles(t)

	t.Run("actionlint", func(t *testing.T) {
		// Shellcheck and Pyflakes left empty: those integrations stay off,
		// whatever is installed. The configuration is the one a plain
		// `go tool actionlint` reads.
		linter, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{
			LogWriter:  io.Discard,
			ConfigFile: actionlintConfig,
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

// runnerImages are GitHub's runner images the workflows may use, each a
// pinned label: ubuntu-24.04 (Docker 28, overlay2 image store) and
// ubuntu-26.04 (Docker 29, containerd image store).
var runnerImages = []string{"ubuntu-24.04", "ubuntu-26.04"}

// suiteOnEveryImage are the workflows that run the suite on every image of
// runnerImages.
var suiteOnEveryImage = []string{"test.yml", "nightly.yml"}

// actionlintConfig is actionlint's configuration. Its list of GitHub's
// labels can predate an image (actionlint 1.7.12 lists ubuntu-24.04 but not
// ubuntu-26.04): such an image is declared there as a runner label, and only
// an image of runnerImages may be (TestActionlintConfig). Any other label
// still fails, here and in checkWorkflowRules.
const actionlintConfig = ".github/actionlint.yaml"

func TestActionlintConfig(t *testing.T) {
	cfg, err := actionlint.ReadConfigFile(actionlintConfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range cfg.SelfHostedRunner.Labels {
		if !slices.Contains(runnerImages, l) {
			t.Errorf("%s : le label %q n'est pas une image de runnerImages %v", actionlintConfig, l, runnerImages)
		}
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

// jobRunners are the runner labels a job may run on: its runs-on labels,
// or, for "runs-on: ${{ matrix.NAME }}", the values of that matrix row. A
// label that is neither is returned as it is written, to be refused.
func jobRunners(job *actionlint.Job) []*actionlint.String {
	if job.RunsOn == nil {
		return nil
	}
	labels := job.RunsOn.Labels
	if job.RunsOn.LabelsExpr != nil {
		labels = append(labels, job.RunsOn.LabelsExpr)
	}
	var out []*actionlint.String
	for _, l := range labels {
		m := matrixLabel.FindStringSubmatch(l.Value)
		if m == nil || job.Strategy == nil || job.Strategy.Matrix == nil || job.Strategy.Matrix.Rows[strings.ToLower(m[1])] == nil {
			out = append(out, l)
			continue
		}
		row := job.Strategy.Matrix.Rows[strings.ToLower(m[1])]
		if row.Expression != nil || len(row.Values) == 0 {
			out = append(out, l)
			continue
		}
		for _, v := range row.Values {
			value := v.String()
			if str, ok := v.(*actionlint.RawYAMLString); ok {
				value = str.Value
			}
			out = append(out, &actionlint.String{Value: value, Pos: l.Pos})
		}
	}
	return out
}

var matrixLabel = regexp.MustCompile(`^\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}$`)

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
	images := map[string]bool{}
	for id, job := range wf.Jobs {
		if job == nil {
			continue
		}
		for _, l := range jobRunners(job) {
			images[l.Value] = true
			if !slices.Contains(runnerImages, l.Value) {
				t.Errorf("%s:%d:%d: job %s sur « %s » : une image de runner épinglée est attendue, parmi %s (jamais une étiquette « -latest », qui change d'image sans prévenir)", file, l.Pos.Line, l.Pos.Col, id, l.Value, strings.Join(runnerImages, ", "))
			}
		}
		if job.TimeoutMinutes == nil {
			t.Errorf("%s : job %s sans « timeout-minutes: » (6 heures par défaut)", file, id)
		}
	}
	if slices.Contains(suiteOnEveryImage, filepath.Base(file)) {
		for _, img := range runnerImages {
			if !images[img] {
				t.Errorf("%s : la suite doit tourner sur %s aussi (stockage d'images et version de Docker différents)", file, img)
			}
		}
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

// dependabotUpdates are the ecosystems .github/dependabot.yml keeps current
// every week, with the folder of each one's manifest.
var dependabotUpdates = map[string]struct{ dir, manifest string }{
	"github-actions": {"/", ".github/workflows"},
	"gomod":          {"/", "go.mod"},
	"npm":            {"/tools", "tools/package.json"},
}

// TestDependabot checks .github/dependabot.yml: version 2, and a weekly
// update of the pinned actions, the Go modules and the npm tools, each in
// the folder that has its manifest.
func TestDependabot(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(".github", "dependabot.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Version int
		Updates []struct {
			Ecosystem string `yaml:"package-ecosystem"`
			Directory string
			Schedule  struct{ Interval string }
		}
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf(".github/dependabot.yml illisible : %v", err)
	}
	if cfg.Version != 2 {
		t.Errorf(".github/dependabot.yml : version %d, 2 attendue", cfg.Version)
	}
	seen := map[string]bool{}
	for _, u := range cfg.Updates {
		want, ok := dependabotUpdates[u.Ecosystem]
		switch {
		case !ok:
			t.Errorf(".github/dependabot.yml : écosystème %q inattendu", u.Ecosystem)
			continue
		case u.Directory != want.dir:
			t.Errorf(".github/dependabot.yml : %s dans %q, attendu %q", u.Ecosystem, u.Directory, want.dir)
		case u.Schedule.Interval != "weekly":
			t.Errorf(".github/dependabot.yml : %s mis à jour « %s », chaque semaine (weekly) attendu", u.Ecosystem, u.Schedule.Interval)
		}
		if _, err := os.Stat(want.manifest); err != nil {
			t.Errorf(".github/dependabot.yml : %s sans %s", u.Ecosystem, want.manifest)
		}
		seen[u.Ecosystem] = true
	}
	for eco := range dependabotUpdates {
		if !seen[eco] {
			t.Errorf(".github/dependabot.yml : pas de mise à jour %s", eco)
		}
	}
}
