package tpdocker_test

// The conditions the scripts may test beside testscript's ([official:NOM],
// [containerd-store]...): their table, which testdata/COMMANDES.md lists
// (commands_test.go), and how each is answered from the run's engine.

import (
	"fmt"
	"strconv"
	"strings"

	"tpdocker/internal/scriptcmd"
)

// conditions are the conditions the scripts may test, beside testscript's.
var conditions = []scriptcmd.Cond{
	{Name: "official:NOM", Summary: "l'image NOM du TP (hello-world, alpine, python, postgres) est l'officielle"},
	{Name: "standin:NOM", Summary: "l'image NOM du TP est une image de remplacement locale (standins/)"},
	{Name: "containerd-store", Summary: "le moteur range ses images dans containerd, comme une installation récente de Docker"},
	{Name: "auteur", Summary: "l'assertion décrit le rapport de l'auteur et non une exigence du TP (le nombre d'étapes de sa construction, leurs noms, le contenu de ses fichiers) : vraie pour sa vérification ; pour le rendu d'un élève (go test -rendu), la commande qu'elle garde ne s'exécute pas et l'assertion devient auteur, qui signale un écart sans échouer"},
	{Name: "image-ls-tree", Summary: "le client `docker` (29 ou plus récent) affiche `docker image ls` dans sa nouvelle vue (`IMAGE`, `ID`, `DISK USAGE`…), et non plus en tableau (`REPOSITORY`, `TAG`, `IMAGE ID`…)"},
}

// condition answers [official:NAME] and [standin:NAME], NAME being one of
// hello-world, alpine, python, postgres: which kind of image the run uses;
// [containerd-store]: whether the engine keeps its images in containerd;
// [auteur]: whether the run checks the author's own files (not a
// student's, -rendu);
// [image-ls-tree]: whether the client, the docker the scripts find first on
// their PATH, lists images in the view of Docker 29.
func condition(cond string) (bool, error) {
	switch cond {
	case scriptcmd.AuthorCond:
		return *studentDir == "", nil
	case "containerd-store":
		return suite.Info().Store == "containerd", nil
	case "image-ls-tree":
		major, err := clientMajor(suite.Info().Client)
		return major >= 29, err
	}
	kind, name, ok := strings.Cut(cond, ":")
	if !ok || (kind != "official" && kind != "standin") {
		return false, fmt.Errorf("condition inconnue %q", cond)
	}
	for ref, im := range suite.Info().Images {
		if strings.HasPrefix(ref, name+":") {
			return im.Kind == kind, nil
		}
	}
	return false, fmt.Errorf("image inconnue dans [%s]", cond)
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
