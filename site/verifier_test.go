package site_test

// The page « Vérifier votre TP » as the published site and a plain build
// show it: the repository, its script and the starting files' ZIP only
// where .ci/publish gave them (site.Params depot, commit, depart).

import (
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"tpdocker/internal/htmltest"
)

func verifierPage(t *testing.T, baseURL string) string {
	t.Helper()
	dir := htmltest.Build(t, ".", baseURL, "")
	data, err := os.ReadFile(filepath.Join(dir, "verifier", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

var tags = regexp.MustCompile(`<[^>]*>`)

// text is a page's text, without its tags.
func text(page string) string {
	return strings.ReplaceAll(html.UnescapeString(tags.ReplaceAllString(page, "")), "\u2019", "'")
}

func TestVerifierPage(t *testing.T) {
	t.Run("publiée", func(t *testing.T) {
		t.Setenv("HUGO_PARAMS_DEPOT", "prof-exemple/tp-docker")
		t.Setenv("HUGO_PARAMS_COMMIT", "0123456789abcdef0123456789abcdef01234567")
		t.Setenv("HUGO_PARAMS_DEPART", "tp1-docker-depart.zip")
		page := verifierPage(t, "https://prof-exemple.github.io/tp-docker/")
		for _, want := range []string{
			`<a href="/tp-docker/tp1-docker-depart.zip" type="application/zip" download>Télécharger les fichiers de départ</a>`,
			`<a href="https://github.com/prof-exemple/tp-docker" rel="external">github.com/prof-exemple/tp-docker</a>`,
			`<a href="https://github.com/prof-exemple/tp-docker/blob/0123456789abcdef0123456789abcdef01234567/.ci/verifier-rendu" rel="external"><code>.ci/verifier-rendu</code></a>`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("la page publiée ne contient pas %s", want)
			}
		}
		for _, want := range []string{
			`git clone https://github.com/prof-exemple/tp-docker.git`,
			`go test -rendu ../mon-tp`,
			`go test -rendu ..\mon-tp`,
			`go1.26`,
			`Ce run est un retour pour vous, pas la note.`,
		} {
			if !strings.Contains(text(page), want) {
				t.Errorf("la page publiée ne contient pas %s", want)
			}
		}
		if i := strings.Index(page, "prof-exemple/tp-docker.git"); i < 0 || !strings.Contains(page[max(0, i-600):i], `class="copy"`) {
			t.Error("la commande git clone n'a pas son bouton Copier")
		}
	})
	t.Run("sans-publication", func(t *testing.T) {
		page := verifierPage(t, "")
		for _, bad := range []string{`href="https://github.com`, ".zip"} {
			if strings.Contains(page, bad) {
				t.Errorf("sans dépôt ni ZIP, la page contient %q", bad)
			}
		}
		for _, want := range []string{"dans le dossier depart/ du dépôt", "son script, .ci/verifier-rendu,", "Clonez le dépôt d'où vient ce site"} {
			if !strings.Contains(text(page), want) {
				t.Errorf("la page ne contient pas %s", want)
			}
		}
	})
}

// On the published site, each exercise page links the check it replays, at
// the commit that published it; a plain build (hugo server, a clone) has
// no such link.
func TestExerciseVerificationLink(t *testing.T) {
	page := func(t *testing.T, ex string) string {
		t.Helper()
		dir := htmltest.Build(t, ".", "", "")
		data, err := os.ReadFile(filepath.Join(dir, "exercices", ex, "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	t.Run("publiée", func(t *testing.T) {
		t.Setenv("HUGO_PARAMS_DEPOT", "prof-exemple/tp-docker")
		t.Setenv("HUGO_PARAMS_COMMIT", "0123456789abcdef0123456789abcdef01234567")
		want := `<a href="https://github.com/prof-exemple/tp-docker/blob/0123456789abcdef0123456789abcdef01234567/testdata/ex4-run.txtar" rel="external">la vérification de cette page</a>, sur GitHub).`
		if p := page(t, "ex4"); !strings.Contains(p, want) {
			t.Errorf("ex4 ne contient pas %s", want)
		}
	})
	t.Run("sans-publication", func(t *testing.T) {
		if p := page(t, "ex4"); strings.Contains(p, "la vérification de cette page") || strings.Contains(p, "github.com/") {
			t.Error("sans dépôt, ex4 renvoie vers GitHub")
		}
	})
}
