package tpdocker_test

// The reference of the lab's commands and conditions (internal/lab),
// testdata/COMMANDES.md, written from their tables.

import (
	"os"
	"testing"

	"tpdocker/internal/lab"
	"tpdocker/internal/report"
	"tpdocker/internal/scriptcmd"
)

// referencePath is the reference of the scripts' commands, in French, that
// the README links to.
const referencePath = "testdata/COMMANDES.md"

// TestScriptCommandsReference checks that testdata/COMMANDES.md is the
// table of the harness's commands and conditions (rewritten by -update),
// and that every command and condition has its usage and its meaning.
//
//	go test -run TestScriptCommandsReference -v    prints it
func TestScriptCommandsReference(t *testing.T) {
	seen := map[string]bool{}
	commands, conditions := lab.Commands(nil), lab.Conditions(nil, true)
	for _, c := range commands {
		if c.Args == "" || c.Summary == "" || c.Run == nil || seen[c.Name] {
			t.Errorf("commande %q : usage, rôle et exécution attendus, une seule fois", c.Name)
		}
		seen[c.Name] = true
	}
	for _, c := range conditions {
		if c.Summary == "" || c.Eval == nil {
			t.Errorf("condition [%s] sans rôle ou sans réponse", c.Name)
		}
	}
	ref := scriptcmd.Reference(commands, conditions)
	t.Log("\n" + ref)
	if *update {
		if err := os.WriteFile(referencePath, []byte(ref), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(referencePath)
	if err != nil || string(got) != ref {
		t.Errorf("%s n'est pas à jour avec la table des commandes (internal/lab) : réécrivez-le avec « go test -run TestScriptCommandsReference -update »", referencePath)
	}
}

// questionsData is the site's copy of the table of questions
// (report.Lab): the page « Vérifier votre TP » shows what each exercise
// needs from it.
const questionsData = "site/data/questions.json"

// TestQuestionsData checks that the site's table of questions is
// report.Lab's (rewritten by -update).
func TestQuestionsData(t *testing.T) {
	want, err := report.LabData()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(questionsData, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got, err := os.ReadFile(questionsData); err != nil || string(got) != string(want) {
		t.Errorf("%s n'est pas la table des questions (internal/report, Lab) : réécrivez-le avec « go test -run TestQuestionsData -update »", questionsData)
	}
}
