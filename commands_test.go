package tpdocker_test

// The scripts' own commands beside testscript's (waithttp, terminal,
// sentinel...): their table, and the test that writes their reference,
// testdata/COMMANDES.md, from it and from the conditions' table
// (conditions_test.go).

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

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
	for _, c := range commands {
		if c.Args == "" || c.Summary == "" || c.Run == nil || seen[c.Name] {
			t.Errorf("commande %q : usage, rôle et exécution attendus, une seule fois", c.Name)
		}
		seen[c.Name] = true
	}
	for _, c := range conditions {
		if c.Summary == "" {
			t.Errorf("condition [%s] sans rôle", c.Name)
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
		t.Errorf("%s n'est pas à jour avec la table des commandes (commands_test.go) : réécrivez-le avec « go test -run TestScriptCommandsReference -update »", referencePath)
	}
}

// commands are the harness's own commands, beside testscript's: the one
// table of their usage and meaning (testdata/COMMANDES.md is written from
// it, see TestScriptCommandsReference).
var commands = []scriptcmd.Cmd{
	{Name: "waithttp", Args: "URL [secondes]", Run: scriptcmd.WaitHTTP,
		Summary: "attend que l'URL réponde 200 (2 minutes au plus par défaut), puis le script continue : le service est prêt"},
	{Name: "waitpg", Args: "HÔTE:PORT UTILISATEUR BASE [secondes]", Run: scriptcmd.WaitPG,
		Summary: "attend que PostgreSQL accepte une session (il demande le mot de passe) ; un port ouvert ne suffit pas"},
	{Name: "grab", Args: "NOM REGEXP", Run: scriptcmd.Grab,
		Summary: "met dans $NOM le premier groupe de REGEXP trouvé dans la dernière sortie (un nom de conteneur généré, par exemple)"},
	{Name: "lock", Args: "NOM", Run: func(ts *testscript.TestScript, neg bool, args []string) error { return suite.Lock(ts, neg, args) },
		Summary: "prend le verrou NOM jusqu'à la fin du script, nettoyage compris (« simple-api » avant « ports »)"},
	{Name: "subst", Args: "FICHIER REGEXP REMPLACEMENT", Run: scriptcmd.Subst,
		Summary: "modifie un fichier du dossier de travail, comme le rapport le demande au lecteur"},
	{Name: "terminal", Args: "FICHIER COMMANDE [ARGUMENTS...]", Run: scriptcmd.Terminal(func(ts *testscript.TestScript) func() int { return suite.Resizes(ts) }),
		Summary: "lance COMMANDE dans un terminal de 30×120 et tape les lignes de FICHIER à ses invites ; ce que montre la fenêtre devient la sortie"},
	{Name: "auteur", Args: "[!] stdout|stderr [-count=N] REGEXP | [!] grep REGEXP FICHIER", Run: scriptcmd.Author,
		Summary: "pour le rendu d'un élève (go test -rendu), ce que devient une assertion [auteur] : vérifiée sans échouer, un écart est signalé « différent du rapport de l'auteur »"},
	{Name: "sentinel", Args: "create|check", Run: func(ts *testscript.TestScript, neg bool, args []string) error { return suite.Sentinel(ts, neg, args) },
		Summary: "crée hors du script des objets qui tiennent lieu de ceux du lecteur (conteneurs, image pendante, volume, réseau), puis vérifie qu'ils sont intacts"},
}
