package tpdocker_test

// The conditions the scripts may test beside testscript's ([official:NOM],
// [containerd-store]...): one table, each condition with its meaning and
// how the run's engine answers it. testdata/COMMANDES.md lists them
// (commands_test.go).

import (
	"fmt"
	"strconv"
	"strings"

	"tpdocker/internal/scriptcmd"
)

// conditions are the conditions the scripts may test, beside testscript's.
var conditions = []scriptcmd.Cond{
	{Name: "official:NOM", Summary: "l'image NOM du TP (hello-world, alpine, python, postgres) est l'officielle",
		Eval: func(name string) (bool, error) { return imageIs("official", name) }},
	{Name: "standin:NOM", Summary: "l'image NOM du TP est une image de remplacement locale (standins/)",
		Eval: func(name string) (bool, error) { return imageIs("standin", name) }},
	{Name: "containerd-store", Summary: "le moteur range ses images dans containerd, comme une installation récente de Docker",
		Eval: func(string) (bool, error) { return suite.Info().Store == "containerd", nil }},
	{Name: scriptcmd.AuthorCond, Summary: "l'assertion décrit le rapport de l'auteur et non une exigence du TP (le nombre d'étapes de sa construction, leurs noms, le contenu de ses fichiers) : vraie pour sa vérification ; pour le rendu d'un élève (go test -rendu), la commande qu'elle garde ne s'exécute pas et l'assertion devient auteur, qui signale un écart sans échouer",
		Eval: func(string) (bool, error) { return *studentDir == "", nil }},
	{Name: "image-ls-tree", Summary: "le client `docker` (29 ou plus récent) affiche `docker image ls` dans sa nouvelle vue (`IMAGE`, `ID`, `DISK USAGE`…), et non plus en tableau (`REPOSITORY`, `TAG`, `IMAGE ID`…)",
		Eval: func(string) (bool, error) {
			// The client is the docker the scripts find first on their PATH.
			major, err := clientMajor(suite.Info().Client)
			return major >= 29, err
		}},
}

// condition answers the scripts' conditions from the table.
var condition = scriptcmd.Conditions(conditions)

// imageIs tells whether the lab's image NAME (hello-world, alpine, python,
// postgres) is of that kind in this run: "official" or "standin".
func imageIs(kind, name string) (bool, error) {
	for ref, im := range suite.Info().Images {
		if strings.HasPrefix(ref, name+":") {
			return im.Kind == kind, nil
		}
	}
	return false, fmt.Errorf("image inconnue dans [%s:%s]", kind, name)
}

// clientMajor reads the major release of the docker client, "29" in
// "29.9.3".
func clientMajor(version string) (int, error) {
	major, _, _ := strings.Cut(version, ".")
	n, err := strconv.Atoi(major)
	if err != nil {
		return 0, fmt.Errorf("version du client docker illisible : %q", version)
	}
	return n, nil
}
