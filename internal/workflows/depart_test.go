package workflows_test

// The student's workflow, in the lab's starting files (depart/): on each
// push, the student's files and this project at the commit that published
// the site (written in by cmd/depart from pages.yml's context), then
// .ci/verifier-rendu, and the reports kept as an artifact. Read-only token,
// no credentials left in either checkout, the same action pins as the
// project's own workflows (which Dependabot keeps current).

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

var studentWorkflow = filepath.Join("depart", ".github", "workflows", "verifier-tp.yml")

func inputs(a *actionlint.ExecAction) map[string]string {
	m := map[string]string{}
	for k, v := range a.Inputs {
		if v.Value != nil {
			m[k] = v.Value.Value
		}
	}
	return m
}

func TestStudentWorkflow(t *testing.T) {
	src, err := os.ReadFile(studentWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	wf, errs := actionlint.Parse(src)
	if len(errs) > 0 || wf == nil {
		t.Fatalf("%s : %v", studentWorkflow, errs)
	}
	push := false
	for _, e := range wf.On {
		if w, ok := e.(*actionlint.WebhookEvent); ok && w.Hook.Value == "push" {
			push = true
		}
	}
	if !push {
		t.Errorf("%s : ne se lance pas à chaque push", studentWorkflow)
	}
	if wf.Permissions == nil || wf.Permissions.All != nil || len(wf.Permissions.Scopes) != 1 ||
		wf.Permissions.Scopes["contents"] == nil || wf.Permissions.Scopes["contents"].Value.Value != "read" {
		t.Errorf("%s : permissions attendues : contents: read, rien d'autre", studentWorkflow)
	}
	for _, key := range []string{"TPDOCKER_DEPOT", "TPDOCKER_COMMIT"} {
		if !strings.Contains(string(src), "\n  "+key+": \"\"\n") {
			t.Errorf("%s : la ligne « %s: \"\" » (que cmd/depart remplit) manque", studentWorkflow, key)
		}
	}
	if len(wf.Jobs) != 1 {
		t.Fatalf("%s : %d jobs, attendu 1", studentWorkflow, len(wf.Jobs))
	}
	var checkouts []map[string]string
	guard, run, artifact, setup := false, "", false, false
	for _, job := range wf.Jobs {
		if job.Permissions != nil {
			t.Errorf("%s : le job a ses propres permissions", studentWorkflow)
		}
		if l := jobRunners(job); len(l) != 1 || l[0].Value != "ubuntu-24.04" {
			t.Errorf("%s : attendu runs-on: ubuntu-24.04 (Docker 28, Compose 2, les images officielles)", studentWorkflow)
		}
		for _, st := range job.Steps {
			switch e := st.Exec.(type) {
			case *actionlint.ExecRun:
				if st.If != nil && strings.Contains(st.If.Value, "env.TPDOCKER_DEPOT == ''") {
					guard = true
				} else if e.Run != nil {
					run = e.Run.Value
				}
			case *actionlint.ExecAction:
				in := inputs(e)
				switch {
				case strings.HasPrefix(e.Uses.Value, "actions/checkout@"):
					if in["persist-credentials"] != "false" {
						t.Errorf("%s : un checkout garde ses droits (persist-credentials: false attendu)", studentWorkflow)
					}
					checkouts = append(checkouts, in)
				case strings.HasPrefix(e.Uses.Value, "actions/setup-go@"):
					setup = in["go-version-file"] == "outil/go.mod"
				case strings.HasPrefix(e.Uses.Value, "actions/upload-artifact@"):
					artifact = in["path"] == "rapport/" && st.If != nil && st.If.Value == "always()"
				}
			}
		}
	}
	if !guard {
		t.Errorf("%s : pas d'étape qui dit que le dépôt ou le commit de l'outil manque", studentWorkflow)
	}
	if len(checkouts) != 2 || checkouts[0]["path"] != "rendu" || checkouts[0]["repository"] != "" ||
		checkouts[1]["path"] != "outil" || checkouts[1]["repository"] != "${{ env.TPDOCKER_DEPOT }}" || checkouts[1]["ref"] != "${{ env.TPDOCKER_COMMIT }}" {
		t.Errorf("%s : attendu le dépôt de l'élève dans rendu/, puis l'outil (TPDOCKER_DEPOT à TPDOCKER_COMMIT) dans outil/ : %v", studentWorkflow, checkouts)
	}
	if !setup {
		t.Errorf("%s : Go doit venir de outil/go.mod", studentWorkflow)
	}
	if strings.TrimSpace(run) != `bash outil/.ci/verifier-rendu "rendu/$DOSSIER_TP" rapport rendu` {
		t.Errorf("%s : la vérification lance %q", studentWorkflow, run)
	}
	if _, err := os.Stat(filepath.Join(".ci", "verifier-rendu")); err != nil {
		t.Errorf("le script que lance le workflow de l'élève : %v", err)
	}
	if !artifact {
		t.Errorf("%s : les rapports (rapport/) doivent être gardés comme artefact, même en échec (if: always())", studentWorkflow)
	}
}

var pinRE = regexp.MustCompile(`uses:\s*([^@\s]+)@([0-9a-f]{40})`)

// The student's workflow pins each action on the commit the project's own
// workflows use: when Dependabot moves those, this test names the line.
func TestStudentWorkflowPins(t *testing.T) {
	project := map[string]string{}
	for _, f := range workflowFiles(t) {
		if f == studentWorkflow {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range pinRE.FindAllStringSubmatch(string(src), -1) {
			project[m[1]] = m[2]
		}
	}
	src, err := os.ReadFile(studentWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range pinRE.FindAllStringSubmatch(string(src), -1) {
		if want, ok := project[m[1]]; !ok || want != m[2] {
			t.Errorf("%s : %s@%s, les workflows du projet l'épinglent sur %q", studentWorkflow, m[1], m[2], want)
		}
	}
}

// pages.yml gives .ci/publish the repository and the commit; .ci/publish
// makes the ZIP with them and tells the site (site.Params).
func TestPagesPublishesStartingFiles(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(".github", "workflows", "pages.yml"))
	if err != nil {
		t.Fatal(err)
	}
	wf, errs := actionlint.Parse(src)
	if len(errs) > 0 || wf == nil {
		t.Fatalf("pages.yml : %v", errs)
	}
	found := false
	for _, job := range wf.Jobs {
		for _, st := range job.Steps {
			r, ok := st.Exec.(*actionlint.ExecRun)
			if !ok || r.Run == nil || !strings.Contains(r.Run.Value, "bash .ci/publish") {
				continue
			}
			found = true
			env := map[string]string{}
			if st.Env != nil {
				for _, v := range st.Env.Vars {
					env[v.Name.Value] = v.Value.Value
				}
			}
			if env["DEPOT"] != "${{ github.repository }}" || env["COMMIT"] != "${{ github.sha }}" {
				t.Errorf("pages.yml : l'étape de .ci/publish doit recevoir DEPOT=${{ github.repository }} et COMMIT=${{ github.sha }} : %v", env)
			}
		}
	}
	if !found {
		t.Error("pages.yml ne lance pas .ci/publish")
	}
	publish, err := os.ReadFile(filepath.Join(".ci", "publish"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`go run ./cmd/depart -depot "$repo" -commit "$commit"`, "HUGO_PARAMS_DEPART=tp1-docker-depart.zip", `-o "$dest/tp1-docker-depart.zip"`, `HUGO_PARAMS_DEPOT="$repo"`, `HUGO_PARAMS_COMMIT="$commit"`} {
		if !strings.Contains(string(publish), want) {
			t.Errorf(".ci/publish ne contient pas %s", want)
		}
	}
}
