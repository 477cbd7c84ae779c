// Package lab is the lab's script vocabulary: the commands and conditions
// that its scripts (testdata/*.txtar) use beside testscript's own, each
// with its usage, its meaning and what runs or answers it, in two tables,
// as cmd/go's script engine has them. testdata/COMMANDES.md is written from
// these tables (scriptcmd.Reference).
//
// TestTP, the student mode and cmd/classe run the scripts with the same
// tables: Params gives testscript all of it for a suite of internal/harness.
package lab

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"tpdocker/internal/harness"
	"tpdocker/internal/scriptcmd"
)

// Commands are the lab's own commands, beside testscript's, for the
// scripts of suite s.
func Commands(s *harness.Suite) []scriptcmd.Cmd {
	return []scriptcmd.Cmd{
		{Name: "waithttp", Args: "URL [secondes]", Run: scriptcmd.WaitHTTP,
			Summary: "attend que l'URL réponde 200 (2 minutes au plus par défaut), puis le script continue : le service est prêt"},
		{Name: "waitpg", Args: "HÔTE:PORT UTILISATEUR BASE [secondes]", Run: scriptcmd.WaitPG,
			Summary: "attend que PostgreSQL accepte une session (il demande le mot de passe) ; un port ouvert ne suffit pas"},
		{Name: "grab", Args: "NOM REGEXP", Run: scriptcmd.Grab,
			Summary: "met dans $NOM le premier groupe de REGEXP trouvé dans la dernière sortie (un nom de conteneur généré, par exemple)"},
		{Name: "lock", Args: "NOM", Run: s.Lock,
			Summary: "prend le verrou NOM jusqu'à la fin du script, nettoyage compris (« simple-api » avant « ports »)"},
		{Name: "subst", Args: "FICHIER REGEXP REMPLACEMENT", Run: scriptcmd.Subst,
			Summary: "modifie un fichier du dossier de travail, comme le rapport le demande au lecteur"},
		{Name: "terminal", Args: "FICHIER COMMANDE [ARGUMENTS...]", Run: scriptcmd.Terminal(s.Resizes),
			Summary: "lance COMMANDE dans un terminal de 30×120 et tape les lignes de FICHIER à ses invites ; ce que montre la fenêtre devient la sortie"},
		{Name: "auteur", Args: "[!] stdout|stderr [-count=N] REGEXP | [!] grep REGEXP FICHIER", Run: scriptcmd.Author,
			Summary: "pour le rendu d'un élève (go test -rendu), ce que devient une assertion [auteur] : vérifiée sans échouer, un écart est signalé « différent du rapport de l'auteur »"},
		{Name: "sentinel", Args: "create|check", Run: s.Sentinel,
			Summary: "crée hors du script des objets qui tiennent lieu de ceux du lecteur (conteneurs, image pendante, volume, réseau), puis vérifie qu'ils sont intacts"},
	}
}

// Conditions are the conditions the lab's scripts may test, beside
// testscript's, answered from suite s's engine; author tells whether the
// files checked are the author's (TestTP) or a student's.
func Conditions(s *harness.Suite, author bool) []scriptcmd.Cond {
	return []scriptcmd.Cond{
		{Name: "official:NOM", Summary: "l'image NOM du TP (hello-world, alpine, python, postgres) est l'officielle",
			Eval: func(name string) (bool, error) { return imageIs(s, "official", name) }},
		{Name: "standin:NOM", Summary: "l'image NOM du TP est une image de remplacement locale (standins/)",
			Eval: func(name string) (bool, error) { return imageIs(s, "standin", name) }},
		{Name: "containerd-store", Summary: "le moteur range ses images dans containerd, comme une installation récente de Docker",
			Eval: func(string) (bool, error) { return s.Info().Store == "containerd", nil }},
		{Name: scriptcmd.AuthorCond, Summary: "l'assertion décrit le rapport de l'auteur et non une exigence du TP (le nombre d'étapes de sa construction, leurs noms, le contenu de ses fichiers) : vraie pour sa vérification ; pour le rendu d'un élève (go test -rendu), la commande qu'elle garde ne s'exécute pas et l'assertion devient auteur, qui signale un écart sans échouer",
			Eval: func(string) (bool, error) { return author, nil }},
		{Name: "image-ls-tree", Summary: "le client `docker` (29 ou plus récent) affiche `docker image ls` dans sa nouvelle vue (`IMAGE`, `ID`, `DISK USAGE`…), et non plus en tableau (`REPOSITORY`, `TAG`, `IMAGE ID`…)",
			Eval: func(string) (bool, error) {
				// The client is the docker the scripts find first on
				// their PATH.
				major, err := ClientMajor(s.Info().Client)
				return major >= 29, err
			}},
	}
}

// Params are testscript's parameters for the lab's scripts on suite s:
// its set-up (root is the repository's root), the two tables, and exec
// written out for every program but the lab's commands.
func Params(s *harness.Suite, root string, author bool) testscript.Params {
	return testscript.Params{
		RequireExplicitExec: true,
		Setup:               func(env *testscript.Env) error { return s.Setup(env, root) },
		Condition:           scriptcmd.Conditions(Conditions(s, author)),
		Cmds:                scriptcmd.Table(Commands(s)),
	}
}

// imageIs tells whether the lab's image NAME (hello-world, alpine, python,
// postgres) is of that kind in s's run: "official" or "standin".
func imageIs(s *harness.Suite, kind, name string) (bool, error) {
	for ref, im := range s.Info().Images {
		if strings.HasPrefix(ref, name+":") {
			return im.Kind == kind, nil
		}
	}
	return false, fmt.Errorf("image inconnue dans [%s:%s]", kind, name)
}

// ClientMajor reads the major release of the docker client, "29" in
// "29.9.3".
func ClientMajor(version string) (int, error) {
	major, _, _ := strings.Cut(version, ".")
	n, err := strconv.Atoi(major)
	if err != nil {
		return 0, fmt.Errorf("version du client docker illisible : %q", version)
	}
	return n, nil
}
