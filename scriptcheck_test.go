package tpdocker_test

// The scripts checked without Docker: every line of a script is a command
// and a condition the harness knows, the files they name are in their
// archive, and the locks are taken in order.

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"tpdocker/internal/engine"
	"tpdocker/internal/lab"
	"tpdocker/internal/scriptlang"
)

// TestScriptsAreWellFormed reads every script as testscript will, and says
// in French where one is malformed: an unknown command, a file it names
// that its archive lacks, a condition the harness does not know.
func TestScriptsAreWellFormed(t *testing.T) {
	known := map[string]bool{}
	for _, c := range strings.Fields(`cd chmod cmp cmpenv cp env exec exists grep kill mkdir mv rm skip stderr stdin stdout stop symlink unix2dos unquote wait ttyin ttyout`) {
		known[c] = true
	}
	for _, c := range lab.Commands(nil) {
		known[c.Name] = true
	}
	// testscript's conditions, and the harness's, NOM being one of the
	// lab's images.
	var images []string
	for _, ref := range engine.LabImages {
		images = append(images, regexp.QuoteMeta(strings.SplitN(ref, ":", 2)[0]))
	}
	alts := []string{"short", "net", "link", "symlink", "exec:.+", "unix", "linux"}
	for _, c := range lab.Conditions(nil, true) {
		alts = append(alts, strings.ReplaceAll(regexp.QuoteMeta(c.Name), "NOM", "("+strings.Join(images, "|")+")"))
	}
	conds := regexp.MustCompile(`^(!?)(` + strings.Join(alts, "|") + `)$`)
	files, _ := filepath.Glob("testdata/*.txtar")
	for _, f := range files {
		a, err := txtar.ParseFile(f)
		if err != nil {
			t.Errorf("%s : archive illisible : %v", f, err)
			continue
		}
		names := map[string]bool{}
		for _, af := range a.Files {
			names[af.Name] = true
		}
		for _, l := range scriptlang.ParseScript(string(a.Comment)).Lines {
			line, words := l.Text, l.Args
			if line == "" || l.Comment {
				continue
			}
			for _, cond := range l.Conds {
				c := cond.Name
				if cond.Not {
					c = "!" + c
				}
				if !conds.MatchString(c) {
					t.Errorf("%s:%d : condition inconnue [%s]", f, l.N, c)
				}
			}
			if len(words) == 0 || !known[words[0]] {
				t.Errorf("%s:%d : commande inconnue « %s »", f, l.N, line)
				continue
			}
			switch words[0] {
			case "stdin", "ttyin", "terminal":
				arg := words[len(words)-1]
				if words[0] == "terminal" {
					arg = words[1]
				}
				arg = strings.TrimPrefix(arg, "$WORK/")
				if !names[arg] {
					t.Errorf("%s:%d : le fichier %s n'est pas dans l'archive", f, l.N, arg)
				}
			}
		}
	}
	if _, err := os.Stat("testdata"); err != nil {
		t.Fatal(err)
	}
}

// TestScriptsTakeTheirLocks checks a rule of the scripts that the engine
// cannot: a script takes the "simple-api" lock before it builds or runs that
// image, or builds the API's image with compose (two BuildKit builds at the
// same time share their steps, which then print CACHED), and the "ports" lock before it publishes a lab port, always in that
// order, so that two scripts never wait for each other, and a script that
// only builds never holds the ports.
func TestScriptsTakeTheirLocks(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) == 0 {
		t.Fatal("aucun script dans testdata/")
	}
	rules := []struct{ lock, uses string }{
		{"simple-api", `exec docker (build -t simple-api|run .*simple-api|compose up)`},
		{"ports", `-p 800[01]|localhost:(8000|8001|5432)|docker compose up`},
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		script := string(data)
		if i := strings.Index(script, "\n-- "); i >= 0 {
			script = script[:i]
		}
		last := -1
		for _, r := range rules {
			at := strings.Index(script, "lock "+r.lock+"\n")
			if loc := regexp.MustCompile(r.uses).FindStringIndex(script); loc != nil && (at < 0 || at > loc[0]) {
				t.Errorf("%s : « lock %s » doit précéder %q", f, r.lock, script[loc[0]:loc[1]])
			}
			if at >= 0 && at < last {
				t.Errorf("%s : « lock %s » doit venir après « lock simple-api »", f, r.lock)
			}
			if at >= 0 {
				last = at
			}
		}
	}
}
