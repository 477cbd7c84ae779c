package site_test

// Tests of the Hugo site: they need no Docker and also run with -short.
// The site is built (go tool hugo --panicOnWarning) into a temporary folder,
// at the root then under a GitHub Pages project base path, and the HTML it
// produces is checked: internal links, alt texts, language, a single h1, exercises,
// the Content Security Policy and nothing inline that it would block.

import (
	"encoding/json"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"tpdocker/internal/htmltest"
)

// repoRoot is the repository's root, seen from this package's folder.
const repoRoot = ".."

// recordDir holds the run records the pages show (go test -update at the
// root writes them).
const recordDir = "data/runs"

// siteExercises are the expected pages, one per exercise of the lab.
var siteExercises = []string{"ex1", "ex2", "ex3", "ex4", "ex5", "ex6", "ex7", "ex8"}

// siteCSP is the Content Security Policy every page carries in a <meta>
// (site/layouts/baseof.html): only the site's own scripts, styles, images and
// search index; nothing inline, no <base>, no form submission.
const siteCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'"

func TestSite(t *testing.T) {
	for _, tc := range []struct{ name, baseURL string }{
		{"racine", ""},
		{"chemin-de-base", "https://example.github.io/tp-docker/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := siteBuild(t, tc.baseURL)
			base := "/"
			if tc.baseURL != "" {
				u, err := url.Parse(tc.baseURL)
				if err != nil {
					t.Fatal(err)
				}
				base = u.Path
			}
			pages := siteParse(t, dir)
			if len(pages) == 0 {
				t.Fatal("aucune page HTML construite")
			}
			for _, ex := range siteExercises {
				if _, ok := pages[path.Join("exercices", ex, "index.html")]; !ok {
					t.Errorf("page de l'exercice %s absente (exercices/%s/index.html)", ex, ex)
				}
			}
			for name, p := range pages {
				siteCheckPage(t, dir, name, p, tc.baseURL, base, pages)
			}
			siteCheckIndex(t, dir, len(siteExercises))
		})
	}
}

// siteBuild builds the site into a temporary folder and returns that folder.
func siteBuild(t *testing.T, baseURL string) string {
	t.Helper()
	return htmltest.Build(t, ".", baseURL, "")
}

// siteParse parses every page of a built site.
func siteParse(t *testing.T, dir string) map[string]*htmltest.Page {
	t.Helper()
	pages, err := htmltest.ParseDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

func siteCheckPage(t *testing.T, dir, name string, p *htmltest.Page, baseURL, base string, pages map[string]*htmltest.Page) {
	t.Helper()
	h1, csp := 0, 0
	loads := ""           // first element that loads something, to come after the CSP
	var blocking []string // what holds the first paint back
	htmltest.Walk(p.Doc, func(n *html.Node) {
		siteCheckInline(t, name, n)
		switch n.Data {
		case "meta":
			if !strings.EqualFold(htmltest.Attr(n, "http-equiv"), "Content-Security-Policy") {
				break
			}
			csp++
			if got := htmltest.Attr(n, "content"); got != siteCSP {
				t.Errorf("%s : politique de sécurité (CSP) %q, attendu %q", name, got, siteCSP)
			}
			if n.Parent == nil || n.Parent.Data != "head" {
				t.Errorf("%s : la balise meta CSP doit être dans <head>", name)
			}
			if loads != "" {
				t.Errorf("%s : la balise meta CSP vient après <%s> : elle doit précéder tout ce qui se charge", name, loads)
			}
		case "script", "link", "style", "img":
			if loads == "" {
				loads = n.Data
			}
		}
		if n.Parent != nil && n.Parent.Data == "head" {
			siteCheckBlocking(t, name, n, &blocking)
		}
		switch n.Data {
		case "html":
			if lang := htmltest.Attr(n, "lang"); lang != "fr" {
				t.Errorf("%s : <html lang=%q>, attendu \"fr\"", name, lang)
			}
		case "h1":
			h1++
		case "img":
			if alt, ok := htmltest.HasAttr(n, "alt"); !ok || strings.TrimSpace(alt) == "" {
				t.Errorf("%s : <img src=%q> sans texte alternatif", name, htmltest.Attr(n, "src"))
			}
		}
		attr := map[string]string{"a": "href", "link": "href", "script": "src", "img": "src"}[n.Data]
		if attr == "" {
			return
		}
		if ref, ok := htmltest.HasAttr(n, attr); ok {
			siteCheckLink(t, dir, name, n.Data, ref, baseURL, base, pages)
		}
	})
	if h1 != 1 {
		t.Errorf("%s : %d titres h1, attendu exactement 1", name, h1)
	}
	if csp != 1 {
		t.Errorf("%s : %d balises <meta http-equiv=\"Content-Security-Policy\">, attendu exactement 1", name, csp)
	}
	if len(blocking) > 2 {
		t.Errorf("%s : %d ressources avant le premier affichage (%s), 2 au plus", name, len(blocking), strings.Join(blocking, ", "))
	}
}

// siteBlocking is all a page may load before its first paint: the site's
// stylesheet, and its script, which applies the reader's theme before
// display (no flash of the other theme; the CSP forbids it inline). Any
// other script in <head> is deferred; nothing comes from another host.
var siteBlocking = regexp.MustCompile(`^(css/site|js/site)\.[0-9a-f]{64}\.(css|js)$`)

// siteCheckBlocking checks an element of <head>: what it makes the browser
// load before the first paint.
func siteCheckBlocking(t *testing.T, name string, n *html.Node, blocking *[]string) {
	t.Helper()
	var ref string
	switch {
	case n.Data == "link" && htmltest.Attr(n, "rel") == "stylesheet":
		ref = htmltest.Attr(n, "href")
	case n.Data == "script":
		if _, ok := htmltest.HasAttr(n, "defer"); ok {
			return
		}
		if _, ok := htmltest.HasAttr(n, "async"); ok || htmltest.Attr(n, "type") == "module" {
			return
		}
		ref = htmltest.Attr(n, "src")
	default:
		return
	}
	u, err := url.Parse(ref)
	file := path.Base(ref)
	if err != nil || u.Host != "" || !siteBlocking.MatchString(path.Join(path.Base(path.Dir(u.Path)), file)) {
		t.Errorf("%s : <%s> %q retarde le premier affichage : seuls la feuille de style et le script du site le peuvent (les autres scripts en defer)", name, n.Data, ref)
	}
	*blocking = append(*blocking, file)
}

// siteCheckInline reports what the Content Security Policy would block: inline
// scripts, styles and event handlers belong in site/assets/.
func siteCheckInline(t *testing.T, name string, n *html.Node) {
	t.Helper()
	switch {
	case n.Data == "script" && htmltest.Attr(n, "src") == "":
		t.Errorf("%s : <script> en ligne, bloqué par la CSP : à déplacer dans site/assets/js/", name)
	case n.Data == "style":
		t.Errorf("%s : bloc <style> en ligne, bloqué par la CSP : à déplacer dans site/assets/css/", name)
	}
	for _, a := range n.Attr {
		switch {
		case a.Key == "style":
			t.Errorf("%s : <%s style=%q>, attribut bloqué par la CSP : une classe dans site/assets/css/ à la place", name, n.Data, a.Val)
		case strings.HasPrefix(a.Key, "on"):
			t.Errorf("%s : <%s %s=%q>, gestionnaire d'événement en ligne bloqué par la CSP : addEventListener dans site/assets/js/ à la place", name, n.Data, a.Key, a.Val)
		case strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:"):
			t.Errorf("%s : <%s %s=%q>, lien javascript: bloqué par la CSP", name, n.Data, a.Key, a.Val)
		}
	}
}

// siteCheckLink checks that an internal link leads to a built file
// (and, if it targets an anchor, that the anchor exists in the target page).
// The PDF made beside the published site is no exception: a build links to
// it only when told it is there (HUGO_PARAMS_PDF, see .ci/publish).
func siteCheckLink(t *testing.T, dir, page, tag, ref, baseURL, base string, pages map[string]*htmltest.Page) {
	t.Helper()
	if ref == "" {
		t.Errorf("%s : <%s> avec un lien vide", page, tag)
		return
	}
	if baseURL != "" && strings.HasPrefix(ref, baseURL) {
		ref = base + strings.TrimPrefix(ref, baseURL)
	}
	u, err := url.Parse(ref)
	if err != nil {
		t.Errorf("%s : lien %q illisible : %v", page, ref, err)
		return
	}
	if u.Scheme != "" || u.Host != "" {
		return // external link
	}
	target := page
	if u.Path != "" {
		var p string
		if strings.HasPrefix(u.Path, "/") {
			if !strings.HasPrefix(u.Path, base) {
				t.Errorf("%s : lien %q hors du chemin de base %q", page, ref, base)
				return
			}
			p = strings.TrimPrefix(u.Path, base)
		} else {
			p = path.Join(path.Dir(page), u.Path)
			if strings.HasSuffix(u.Path, "/") {
				p += "/"
			}
		}
		p = strings.TrimPrefix(p, "/")
		if p == "" || strings.HasSuffix(p, "/") {
			p += "index.html"
		}
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p)))
		if err == nil && fi.IsDir() {
			p = path.Join(p, "index.html")
			_, err = os.Stat(filepath.Join(dir, filepath.FromSlash(p)))
		}
		if err != nil {
			t.Errorf("%s : <%s> %q ne mène à aucun fichier construit (%s)", page, tag, ref, p)
			return
		}
		target = p
	}
	if u.Fragment != "" {
		if tp, ok := pages[target]; ok && !tp.IDs[u.Fragment] {
			t.Errorf("%s : l'ancre %q n'existe pas dans %s", page, ref, target)
		}
	}
}

// siteCheckIndex checks the search index Hugo produces.
func siteCheckIndex(t *testing.T, dir string, min int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatalf("index de recherche absent : %v", err)
	}
	var idx []struct{ Title, URL, Text string }
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatalf("index.json illisible : %v", err)
	}
	if len(idx) < min {
		t.Errorf("index.json : %d pages, au moins %d attendues", len(idx), min)
	}
	for _, e := range idx {
		if e.Title == "" || e.URL == "" || e.Text == "" {
			t.Errorf("index.json : entrée incomplète %+v", e)
		}
		if strings.Contains(e.Title, "<nil>") || strings.Contains(e.Title, "%!") {
			t.Errorf("index.json : titre mal formé %q (%s)", e.Title, e.URL)
		}
	}
}
