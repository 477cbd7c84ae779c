// Package scriptcmd holds the commands and conditions that the lab's
// testscript scripts use beyond testscript's own, and writes their
// reference.
//
// Each command is a Cmd: its name, the synopsis of its arguments, a
// one-line meaning and what runs it, in the manner of cmd/go's script
// engine. internal/lab lists them in one table; Table gives testscript its
// command map from it, a command that returns ErrUsage fails with its
// usage line, and Reference writes the table as the page the README links
// to. The commands that need nothing but the script (waithttp, waitpg,
// grab, subst) are here; Terminal and Lock are built with what they need.
package scriptcmd

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// Cmd is a command of the scripts.
type Cmd struct {
	Name    string // as the script writes it
	Args    string // synopsis of the arguments: "URL [secondes]"
	Summary string // what it does, in one line (French: the reader's language)
	// Run runs the command; an ErrUsage error fails the script with the
	// usage line, any other error with its text.
	Run func(ts *testscript.TestScript, neg bool, args []string) error
}

// Cond is a condition of the scripts ([NAME], or [NAME:ARG] for a
// condition that takes an argument).
type Cond struct {
	Name    string // as the script writes it inside brackets: "official:NOM"
	Summary string // when it holds, in one line
	// Eval tells whether the condition holds; arg is what follows the
	// colon ("python" in [official:python]), "" for a plain condition.
	Eval func(arg string) (bool, error)
}

// ErrUsage is returned by a command called with the wrong arguments.
var ErrUsage = errors.New("usage")

// Usage is the command's usage line.
func (c Cmd) Usage() string { return strings.TrimSpace(c.Name + " " + c.Args) }

// Table gives testscript the commands, by name.
func Table(cmds []Cmd) map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	m := map[string]func(ts *testscript.TestScript, neg bool, args []string){}
	for _, c := range cmds {
		m[c.Name] = func(ts *testscript.TestScript, neg bool, args []string) {
			err := c.Run(ts, neg, args)
			switch {
			case errors.Is(err, ErrUsage):
				ts.Fatalf("usage: %s", c.Usage())
			case err != nil:
				ts.Fatalf("%v", err)
			}
		}
	}
	return m
}

// Conditions gives testscript the conditions: [NAME] and [NAME:ARG] are
// answered by the Cond whose Name is NAME, or NAME:… for one that takes an
// argument.
func Conditions(conds []Cond) func(cond string) (bool, error) {
	return func(cond string) (bool, error) {
		name, arg, hasArg := strings.Cut(cond, ":")
		for _, c := range conds {
			cname, _, takesArg := strings.Cut(c.Name, ":")
			if cname == name && takesArg == hasArg {
				return c.Eval(arg)
			}
		}
		return false, fmt.Errorf("condition inconnue %q", cond)
	}
}

// Reference writes the commands and conditions as a Markdown page, in
// French.
func Reference(cmds []Cmd, conds []Cond) string {
	var b strings.Builder
	b.WriteString("# Commandes des scripts\n\n")
	b.WriteString("<!-- Écrit par TestScriptCommandsReference depuis la table du harnais\n(internal/lab) : go test -run TestScriptCommandsReference -update -->\n\n")
	b.WriteString("Les scripts de `testdata/*.txtar` sont des scripts testscript : ils\n")
	b.WriteString("emploient ses commandes (`exec`, `stdout`, `cmp`…) et celles-ci, propres au\n")
	b.WriteString("harnais.\n\n")
	b.WriteString("| commande | rôle |\n| --- | --- |\n")
	for _, c := range cmds {
		fmt.Fprintf(&b, "| `%s` | %s |\n", cell(c.Usage()), cell(c.Summary))
	}
	b.WriteString("\nConditions, à placer devant une ligne (`[standin:python] stdout …`) :\n\n")
	b.WriteString("| condition | vraie quand |\n| --- | --- |\n")
	for _, c := range conds {
		fmt.Fprintf(&b, "| `[%s]` | %s |\n", cell(c.Name), cell(c.Summary))
	}
	b.WriteString(requirementsNote)
	return b.String()
}

// requirementsNote closes the reference: the two kinds of assertions.
const requirementsNote = `
Deux sortes d'assertions :

- **les exigences du TP**, sans condition \[auteur\] : ce que toute réponse
  correcte montre (` + "`/health`" + ` répond ` + "`{\"status\":\"ok\"}`" + ` sur le port 8000,
  l'image part de python:3.9-slim, Compose démarre l'API et PostgreSQL 16,
  psql joint la base demo…). Elles décident, pour l'auteur comme pour le
  rendu d'un élève (` + "`go test -rendu DOSSIER`" + `) ;
- **le rapport de l'auteur**, marqué ` + "`[auteur]`" + ` : ce que seule son exécution
  montre (quatre étapes de construction, leurs noms, le contenu de ses
  fichiers, le volume anonyme de sa base). Sa vérification les garde toutes ;
  pour un élève, un écart est signalé « différent du rapport de l'auteur »,
  jamais compté comme une erreur.
`

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// ScriptName is the name of the running script (its file name without
// .txtar), read from its work directory.
func ScriptName(ts *testscript.TestScript) string {
	return strings.TrimPrefix(filepath.Base(ts.Getenv("WORK")), "script-")
}
