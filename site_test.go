package tpdocker_test

// Tests of the Hugo site: they need no Docker and also run with -short.
// The site is built (go tool hugo --panicOnWarning) into a temporary folder,
// at the root then under a GitHub Pages project base path, and the HTML it
// produces is checked: internal links, alt texts, language, a single h1, exercises,
// the Content Security Policy and nothing inline that it would block.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"regexp"

	"go.yaml.in/yaml/v3"

	"tpdocker/internal/record"
)

// siteExercises are the expected pages, one per exercise of the lab.
var siteExercises = []string{"ex1", "ex2", "ex3", "ex4", "ex5", "ex6", "ex7", "ex8"}

// siteCSP is the Content Security Policy every page carries in a <meta>
// (site/layouts/baseof.html): only the site's own scripts, styles, images and
// search index; nothing inline, no <base>, no form submission.
const siteCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'"

func TestSite(t *testing.T) {
	skipUnderUpdate(t)
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
	return siteBuildData(t, baseURL, "")
}

// siteBuildData builds the site with dataDir in place of site/data when it
// is not empty (the verification history's fixtures, history_site_test.go).
func siteBuildData(t *testing.T, baseURL, dataDir string, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	args := []string{"tool", "hugo", "--source", "site", "--destination", dir,
		"--panicOnWarning", "--cleanDestinationDir"}
	args = append(args, extra...)
	if baseURL != "" {
		args = append(args, "--baseURL", baseURL)
	}
	cmd := exec.Command("go", args...)
	if dataDir != "" {
		cmd.Env = append(os.Environ(), "HUGO_DATADIR="+dataDir)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("go %s : %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return dir
}

// sitePage is a built HTML page, parsed.
type sitePage struct {
	doc *html.Node
	ids map[string]bool
}

func siteParse(t *testing.T, dir string) map[string]*sitePage {
	t.Helper()
	pages := map[string]*sitePage{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := html.Parse(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("%s : %v", p, err)
		}
		rel, _ := filepath.Rel(dir, p)
		sp := &sitePage{doc: doc, ids: map[string]bool{}}
		siteWalk(doc, func(n *html.Node) {
			if id := siteAttr(n, "id"); id != "" {
				sp.ids[id] = true
			}
		})
		pages[filepath.ToSlash(rel)] = sp
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

func siteCheckPage(t *testing.T, dir, name string, p *sitePage, baseURL, base string, pages map[string]*sitePage) {
	t.Helper()
	h1, csp := 0, 0
	loads := "" // first element that loads something, to come after the CSP
	siteWalk(p.doc, func(n *html.Node) {
		siteCheckInline(t, name, n)
		switch n.Data {
		case "meta":
			if !strings.EqualFold(siteAttr(n, "http-equiv"), "Content-Security-Policy") {
				break
			}
			csp++
			if got := siteAttr(n, "content"); got != siteCSP {
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
		switch n.Data {
		case "html":
			if lang := siteAttr(n, "lang"); lang != "fr" {
				t.Errorf("%s : <html lang=%q>, attendu \"fr\"", name, lang)
			}
		case "h1":
			h1++
		case "img":
			if alt, ok := siteHasAttr(n, "alt"); !ok || strings.TrimSpace(alt) == "" {
				t.Errorf("%s : <img src=%q> sans texte alternatif", name, siteAttr(n, "src"))
			}
		}
		attr := map[string]string{"a": "href", "link": "href", "script": "src", "img": "src"}[n.Data]
		if attr == "" {
			return
		}
		if ref, ok := siteHasAttr(n, attr); ok {
			siteCheckLink(t, dir, name, n.Data, ref, baseURL, base, pages)
		}
	})
	if h1 != 1 {
		t.Errorf("%s : %d titres h1, attendu exactement 1", name, h1)
	}
	if csp != 1 {
		t.Errorf("%s : %d balises <meta http-equiv=\"Content-Security-Policy\">, attendu exactement 1", name, csp)
	}
}

// siteCheckInline reports what the Content Security Policy would block: inline
// scripts, styles and event handlers belong in site/assets/.
func siteCheckInline(t *testing.T, name string, n *html.Node) {
	t.Helper()
	switch {
	case n.Data == "script" && siteAttr(n, "src") == "":
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

// siteArtifacts are the files published beside the site but produced outside
// Hugo (go run ./cmd/pdf -o public/tp1-docker.pdf): a link to them is allowed.
var siteArtifacts = map[string]bool{"tp1-docker.pdf": true}

// siteCheckLink checks that an internal link leads to a built file
// (and, if it targets an anchor, that the anchor exists in the target page).
func siteCheckLink(t *testing.T, dir, page, tag, ref, baseURL, base string, pages map[string]*sitePage) {
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
		if siteArtifacts[p] {
			return // produced beside the published site, absent from a local build
		}
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
		if tp, ok := pages[target]; ok && !tp.ids[u.Fragment] {
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

func siteWalk(n *html.Node, f func(*html.Node)) {
	if n.Type == html.ElementNode {
		f(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		siteWalk(c, f)
	}
}

func siteHasAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func siteAttr(n *html.Node, key string) string {
	v, _ := siteHasAttr(n, key)
	return v
}

// authorClaims are values the author's answers state about an output that
// a page shows beside them. Where the recorded output does not show the
// stated value (a stand-in image, another machine), a note of
// site/data/notes.yaml must match that output, so that the page explains
// the difference right there.
var authorClaims = []struct {
	script, cmd string // the recorded step
	says        string // what the author wrote
	shows       string // what the output shows when it agrees
}{
	{"ex2-alpine", "docker run -it alpine sh", `noyau Linux "Microsoft-standard-WSL2"`, `(?i)microsoft-standard-WSL2`},
	{"ex3-build", "docker build -t simple-api .", "4 étapes principales", `(?m)^#\d+ \[4/4\] RUN pip install fastapi uvicorn$`},
	{"ex3-build", "docker build -t simple-api .", "Installation des dépendances (fastapi, uvicorn)", `Downloading fastapi-`},
	{"ex3-build", "docker build -t simple-api .", "L'image finale a été nommée et taguée simple-api:latest", `naming to docker\.io/library/simple-api:latest`},
	{"ex6-postgres", "docker compose exec db psql -U demo -d demo", "PostgreSQL 16.11 (Debian 16.11-1.pgdg13+1)", `PostgreSQL 16\.\d+ \(Debian 16\.\d+-\d+\.pgdg`},
	{"ex6-postgres", "docker compose exec db psql -U demo -d demo", "basée sur une image Debian (psql)", `psql \(16\.\d+ \(Debian`},
	{"ex7-debug", "docker compose exec api sh", "Le système retourne Python 3.9.25", `Python 3\.9\.25`},
	{"ex7-debug", "docker image prune", "l'ancienne version devient « orpheline » (dangling)", `Deleted Images:`},
}

type outputNote struct {
	Match, Kind, Text string
	Official          []officialSample // for a stand-in's note: what the official image prints (official_test.go)
}

func readNotes(t *testing.T) []outputNote {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("site", "data", "notes.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var notes []outputNote
	if err := yaml.Unmarshal(data, &notes); err != nil {
		t.Fatalf("site/data/notes.yaml illisible : %v", err)
	}
	return notes
}

func TestAuthorClaims(t *testing.T) {
	skipUnderUpdate(t)
	notes := readNotes(t)
	for _, n := range notes {
		if _, err := regexp.Compile(n.Match); err != nil {
			t.Errorf("site/data/notes.yaml : expression %q invalide : %v", n.Match, err)
		}
	}
	for _, c := range authorClaims {
		r, err := record.Read(recordDir, c.script)
		if err != nil {
			t.Fatal(err)
		}
		var out string
		for _, s := range r.Steps {
			if s.Cmd == c.cmd {
				out = s.Tty + "\n" + s.Stdout + "\n" + s.Stderr
				break
			}
		}
		if out == "" {
			t.Errorf("%s : la commande %q n'est pas dans l'enregistrement", c.script, c.cmd)
			continue
		}
		if regexp.MustCompile(c.shows).MatchString(out) {
			continue
		}
		explained := false
		for _, n := range notes {
			if re, err := regexp.Compile(n.Match); err == nil && re.MatchString(out) {
				explained = true
			}
		}
		if !explained {
			t.Errorf("%s, %q : l'auteur écrit « %s », la sortie enregistrée ne le montre pas (%s) et aucune note de site/data/notes.yaml ne l'explique à côté", c.script, c.cmd, c.says, c.shows)
		}
	}
}
