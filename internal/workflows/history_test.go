package workflows_test

// The verification history's path through the workflows and .ci/publish:
// who appends, who reports, and the flags that make the run's entry.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// TestWorkflowsHistory: pages.yml and nightly.yml keep the verification
// history and report failures, each write right in the one job that needs
// it: contents: write only in the job that appends to the data branch
// (bash .ci/history append), issues: write only in the job that reports
// (bash .ci/history issues); the jobs that run the suite keep their entry
// as an artifact, even when it fails, and no job asks for write-all.
func TestWorkflowsHistory(t *testing.T) {
	for _, file := range workflowFiles(t) {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		wf, errs := actionlint.Parse(src)
		if len(errs) > 0 || wf == nil {
			t.Fatalf("%s : %v", file, errs)
		}
		name := filepath.Base(file)
		keeps := name == "pages.yml" || name == "nightly.yml"
		var appenders, reporters, entries int
		for id, job := range wf.Jobs {
			runs := ""
			for _, st := range job.Steps {
				if r, ok := st.Exec.(*actionlint.ExecRun); ok && r.Run != nil {
					runs += r.Run.Value + "\n"
				}
				if a, ok := st.Exec.(*actionlint.ExecAction); ok && strings.HasPrefix(a.Uses.Value, "actions/upload-artifact@") {
					if p := a.Inputs["path"]; p != nil && p.Value.Value == "out/historique/entree.jsonl" {
						entries++
						if st.If == nil || st.If.Value != "always()" {
							t.Errorf("%s : job %s : l'entrée de l'historique doit être gardée même en cas d'échec (if: always())", file, id)
						}
					}
				}
			}
			perm := map[string]string{}
			if job.Permissions != nil {
				if job.Permissions.All != nil {
					t.Errorf("%s : job %s : permissions « %s » pour tout, attendu scope par scope", file, id, job.Permissions.All.Value)
				}
				for scope, p := range job.Permissions.Scopes {
					perm[scope] = p.Value.Value
				}
			}
			appends := strings.Contains(runs, "bash .ci/history append")
			reports := strings.Contains(runs, "bash .ci/history issues")
			if appends {
				appenders++
			}
			if reports {
				reporters++
			}
			if perm["contents"] == "write" && !appends {
				t.Errorf("%s : job %s a contents: write sans ajouter à l'historique", file, id)
			}
			if appends && perm["contents"] != "write" {
				t.Errorf("%s : job %s ajoute à l'historique sans contents: write", file, id)
			}
			if perm["issues"] == "write" && !reports {
				t.Errorf("%s : job %s a issues: write sans signaler les échecs", file, id)
			}
			if reports && perm["issues"] != "write" {
				t.Errorf("%s : job %s signale les échecs sans issues: write", file, id)
			}
			if (appends || reports) && (job.If == nil || !strings.Contains(job.If.Value, "!cancelled()")) {
				t.Errorf("%s : job %s doit tourner aussi quand la suite a échoué (if: !cancelled())", file, id)
			}
			if appends && reports {
				t.Errorf("%s : job %s ajoute et signale : un job par droit", file, id)
			}
		}
		if keeps && (appenders != 1 || reporters != 1 || entries != 1) {
			t.Errorf("%s : %d job(s) d'ajout, %d de signalement, %d entrée(s) gardée(s), attendu 1 de chaque", file, appenders, reporters, entries)
		}
		if !keeps && appenders+reporters > 0 {
			t.Errorf("%s : ne doit ni ajouter à l'historique ni signaler", file)
		}
	}
}

// TestPublishPassesHistoryFlag: .ci/publish gives go test -historique
// before the package: after it, the test binary stops reading its flags,
// and the run would leave no entry.
func TestPublishPassesHistoryFlag(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(".ci", "publish"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, line := range strings.Split(string(src), "\n") {
		if !strings.Contains(line, "go test -run 'TestTP'") {
			continue
		}
		found = true
		h, pkg := strings.Index(line, "-historique="), strings.Index(line, " . ")
		if h < 0 || pkg < 0 || h > pkg {
			t.Errorf(".ci/publish : -historique=FICHIER doit précéder le paquet « . » : %s", strings.TrimSpace(line))
		}
	}
	if !found {
		t.Error(".ci/publish : la ligne go test -run 'TestTP' est introuvable")
	}
}
