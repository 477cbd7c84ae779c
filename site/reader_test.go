package site_test

// What a reader sees, checked on the built site without Docker: the words
// speak to a student, in French (no test names, no words of the test
// machinery, French output labels, one kind of apostrophe, correct plurals);
// every internal link leads somewhere in a plain build (no PDF link when no
// PDF was made); each note appears once per page; the copy buttons give
// commands a shell can take; and the author's text is told apart from the
// site's.
//
// The rule for the author's text: in an exercise's Markdown
// (content/exercices/exN.md), the author's answer is written only inside
// {{< reponse >}} blocks, the lab's questions inside {{< question >}} blocks;
// everything else is a heading of the lab, a command or file shortcode, a
// capture, a verifie box or a "> [!NOTE]" alert, all of them marked boxes of
// the site. On the built page, every block of the text (the children of the
// article's .prose) is then one of: a heading, a question, an answer, or one
// of the site's boxes. A sentence the site adds can thus never read as the
// author's: to sit in running text, it would have to be put in a reponse
// block, where a reviewer compares it with the author's report.

import (
	"bytes"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"tpdocker/internal/htmltest"
)

// readerForbidden are words of the test machinery, test names and
// non-French labels that must not reach a reader's text (code included,
// outputs and files in <pre> excluded).
var readerForbidden = []struct{ re, why string }{
	{`\bTest[A-Z][A-Za-z]*\b`, "nom de test Go"},
	{`(?i)harnais`, "mot du banc de test (harnais)"},
	{`(?i)sentinelle`, "mot du banc de test (sentinelle)"},
	{`(?i)mandataire`, "mot du banc de test (mandataire)"},
	{`(?i)\bverrou`, "mot du banc de test (verrou)"},
	{`(?i)\bcondition\s*\[`, "condition d'un script"},
	{`\[[a-z][a-z0-9-]*(:[a-z0-9-]+)?\]`, "condition ou assertion d'un script ([nom] ou [nom:valeur])"},
	{`(?i)\b(stdout|stderr)\b`, "étiquette anglaise (stdout, stderr)"},
	{`(?i)le test l['’]exige|celle des tests`, "le test comme acteur"},
	{`\b[Ll]es 1 `, "pluriel avec un seul élément (« Les 1 … »)"},
	{`(?i)\bune issue\b`, "anglicisme (« une issue » pour un ticket)"},
}

// readerEnglish are English words that have no place in the French text
// (outside code).
var readerEnglish = regexp.MustCompile(`\b(the|with|from|printing|installs|offline|program|and)\b`)

// readerQuoted is a quotation in the French text.
var readerQuoted = regexp.MustCompile(`«[^»]*»`)

// readerLabels are the labels of the output boxes (data-label).
var readerLabels = map[string]bool{"terminal": true, "sortie": true, "sortie d’erreur": true, "sortie et sortie d’erreur": true, "saisie": true, "attendu": true, "obtenu": true}

// readerPlaceholder is a word written <name> in a command: a redirection
// for a shell.
var readerPlaceholder = regexp.MustCompile(`(^|\s)<[A-Za-z0-9_]+>(\s|$)`)

// readerText gathers what a reader reads on a page: text nodes (without
// <pre>, <script>, <style>, and without <code> unless code is set) and the
// attributes that are shown or spoken.
func readerText(n *html.Node, code bool, f func(where, text string)) {
	switch {
	case n.Type == html.TextNode:
		f("texte", n.Data)
		return
	case n.Type == html.ElementNode:
		switch n.Data {
		case "pre", "script", "style":
			return
		case "code":
			if !code {
				return
			}
		}
		for _, a := range n.Attr {
			switch a.Key {
			case "alt", "aria-label", "title", "data-label", "placeholder":
				f("attribut "+a.Key, a.Val)
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		readerText(c, code, f)
	}
}

// readerNodeText is the text of n, its white space folded.
func readerNodeText(n *html.Node) string { return htmltest.OneSpace(htmltest.Text(n)) }

func readerShort(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 90 {
		return string(r[:90]) + "…"
	}
	return s
}

// TestReaderWords: no test machinery, English or straight apostrophe in
// the text of any page; French output labels; no "<name>" in what a copy
// button gives.
func TestReaderWords(t *testing.T) {
	pages := siteParse(t, siteBuild(t, ""))
	var forbidden []*regexp.Regexp
	for _, f := range readerForbidden {
		forbidden = append(forbidden, regexp.MustCompile(f.re))
	}
	for name, p := range pages {
		readerText(p.Doc, true, func(where, text string) {
			for i, re := range forbidden {
				if m := re.FindString(text); m != "" {
					t.Errorf("%s (%s) : %q, %s, dans « %s »", name, where, m, readerForbidden[i].why, readerShort(text))
				}
			}
		})
		readerText(p.Doc, false, func(where, text string) {
			// A quotation « … » may quote an English output.
			if m := readerEnglish.FindString(readerQuoted.ReplaceAllString(text, "")); m != "" {
				t.Errorf("%s (%s) : mot anglais %q hors code dans « %s »", name, where, m, readerShort(text))
			}
			if strings.Contains(text, "'") {
				t.Errorf("%s (%s) : apostrophe droite dans « %s » : le site écrit l’apostrophe ’", name, where, readerShort(text))
			}
		})
		htmltest.Walk(p.Doc, func(n *html.Node) {
			if l, ok := htmltest.HasAttr(n, "data-label"); ok && !readerLabels[l] {
				t.Errorf("%s : étiquette de sortie %q, attendu l'une de %v", name, l, readerLabels)
			}
			if c, ok := htmltest.HasAttr(n, "data-copy"); ok && readerPlaceholder.MatchString(c) {
				t.Errorf("%s : le bouton Copier donne %q : un shell lirait <…> comme une redirection", name, c)
			}
		})
	}
}

// TestReaderLinks: in a plain build (hugo server, a clone), every internal
// link, image, style and script leads to a built file and anchor, the PDF
// included: there is no PDF, so no link to it. A build told the PDF is
// there (as .ci/publish does) links to it from the home page.
func TestReaderLinks(t *testing.T) {
	dir := siteBuild(t, "")
	pages := siteParse(t, dir)
	for name, p := range pages {
		htmltest.Walk(p.Doc, func(n *html.Node) {
			attr := map[string]string{"a": "href", "link": "href", "script": "src", "img": "src"}[n.Data]
			ref, ok := htmltest.HasAttr(n, attr)
			if attr == "" || !ok || strings.Contains(ref, "://") || strings.HasPrefix(ref, "mailto:") {
				return
			}
			p, frag, _ := strings.Cut(ref, "#")
			if f, err := url.PathUnescape(frag); err == nil {
				frag = f
			}
			target := name
			if p != "" {
				if strings.HasPrefix(p, "/") {
					target = strings.TrimPrefix(p, "/")
				} else {
					target = path.Join(path.Dir(name), p)
					if strings.HasSuffix(p, "/") {
						target += "/"
					}
				}
				if target == "" || strings.HasSuffix(target, "/") {
					target += "index.html"
				}
				if fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(target))); err == nil && fi.IsDir() {
					target = path.Join(target, "index.html")
				}
				if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(target))); err != nil {
					t.Errorf("%s : <%s> %q ne mène à aucun fichier de la construction", name, n.Data, ref)
					return
				}
			}
			if frag != "" {
				if tp, ok := pages[target]; ok && !tp.IDs[frag] {
					t.Errorf("%s : <%s> %q : pas d'ancre %q dans %s", name, n.Data, ref, frag, target)
				}
			}
		})
	}

	pdf := t.TempDir()
	cmd := exec.Command("go", "tool", "hugo", "--source", ".", "--destination", pdf, "--panicOnWarning")
	cmd.Env = append(os.Environ(), "HUGO_PARAMS_PDF=tp1-docker.pdf")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hugo avec HUGO_PARAMS_PDF : %v\n%s", err, out)
	}
	home := siteParse(t, pdf)["index.html"]
	found := false
	htmltest.Walk(home.Doc, func(n *html.Node) {
		if n.Data == "a" && htmltest.Attr(n, "href") == "tp1-docker.pdf" {
			found = true
		}
	})
	if !found {
		t.Error("construction avec HUGO_PARAMS_PDF=tp1-docker.pdf (celle de .ci/publish) : pas de lien vers le PDF sur la page d'accueil")
	}
	publish, err := os.ReadFile(filepath.Join(repoRoot, ".ci", "publish"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^HUGO_PARAMS_PDF=tp1-docker\.pdf go tool hugo `).Match(publish) ||
		!bytes.Contains(publish, []byte(`go run ./cmd/pdf -o "$dest/tp1-docker.pdf"`)) {
		t.Error(".ci/publish : la construction publiée doit annoncer le PDF (HUGO_PARAMS_PDF=tp1-docker.pdf go tool hugo …) et le produire à côté (go run ./cmd/pdf -o \"$dest/tp1-docker.pdf\")")
	}
}

// readerBox tells whether a block of an exercise's text is a heading of the
// lab, a question, the author's answer, or one of the site's marked boxes.
func readerBox(n *html.Node) (author, ok bool) {
	switch {
	case regexp.MustCompile(`^h[2-6]$`).MatchString(n.Data):
		return false, true
	case n.Data == "div" && htmltest.HasClass(n, "answer"):
		return true, true
	case n.Data == "div" && (htmltest.HasClass(n, "question") || htmltest.HasClass(n, "alert") || htmltest.HasClass(n, "run")):
		return false, true
	case n.Data == "aside" && htmltest.HasClass(n, "verified"):
		return false, true
	case n.Data == "figure" && (htmltest.HasClass(n, "file") || htmltest.HasClass(n, "capture")):
		return false, true
	case n.Data == "p" && htmltest.HasClass(n, "out-note"):
		return false, true
	}
	return false, false
}

// TestReaderAuthorText: every block of an exercise's text is a heading, a
// question, the author's answer or a marked box of the site (see the rule
// at the top of this file), on the exercise's page and on the whole-TP
// page; an answer holds only text (no box of the site inside); and in the
// Markdown, text lies only inside a question or reponse block.
func TestReaderAuthorText(t *testing.T) {
	pages := siteParse(t, siteBuild(t, ""))
	check := func(name string, prose *html.Node) int {
		answers := 0
		for c := prose.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode && strings.TrimSpace(c.Data) != "" {
				t.Errorf("%s : texte hors de tout bloc : « %s »", name, readerShort(c.Data))
			}
			if c.Type != html.ElementNode {
				continue
			}
			author, ok := readerBox(c)
			if !ok {
				t.Errorf("%s : <%s class=%q> en texte courant, ni question, ni réponse de l'auteur (bloc reponse), ni encadré du site : « %s »", name, c.Data, htmltest.Attr(c, "class"), readerShort(readerNodeText(c)))
				continue
			}
			if author {
				answers++
				htmltest.Walk(c, func(n *html.Node) {
					if n == c {
						return
					}
					if _, box := readerBox(n); box {
						t.Errorf("%s : un encadré du site (<%s class=%q>) dans la réponse de l'auteur", name, n.Data, htmltest.Attr(n, "class"))
					}
				})
			}
		}
		return answers
	}
	for _, ex := range siteExercises {
		name := path.Join("exercices", ex, "index.html")
		p, ok := pages[name]
		if !ok {
			t.Errorf("%s absente", name)
			continue
		}
		n := 0
		htmltest.Walk(p.Doc, func(e *html.Node) {
			if e.Data == "div" && htmltest.HasClass(e, "prose") && e.Parent != nil && htmltest.HasClass(e.Parent, "exercise") {
				n += check(name, e)
			}
		})
		if n == 0 {
			t.Errorf("%s : aucune réponse de l'auteur (bloc reponse)", name)
		}
	}
	if p, ok := pages["exercices/index.html"]; ok {
		htmltest.Walk(p.Doc, func(e *html.Node) {
			if e.Data == "div" && htmltest.HasClass(e, "prose") && e.Parent != nil && htmltest.HasClass(e.Parent, "exercise-print") {
				check("exercices/index.html#"+htmltest.Attr(e.Parent, "id"), e)
			}
		})
	}

	// The Markdown: outside question and reponse blocks, only headings,
	// alerts ("> "), the site's shortcodes and blank lines.
	open := regexp.MustCompile(`^\{\{[<%] *(question|reponse|verifie)\b.*[>%]\}\}$`)
	single := regexp.MustCompile(`^\{\{[<%] *(run|file|capture)\b.*[>%]\}\}$`)
	for _, ex := range siteExercises {
		file := filepath.Join("content", "exercices", ex+".md")
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.SplitN(string(b), "---\n", 3)
		if len(parts) != 3 {
			t.Fatalf("%s : en-tête (front matter) introuvable", file)
		}
		in := ""
		for i, line := range strings.Split(parts[2], "\n") {
			line = strings.TrimSpace(line)
			switch {
			case in != "":
				if regexp.MustCompile(`^\{\{[<%] */` + in + ` *[>%]\}\}$`).MatchString(line) {
					in = ""
				}
			case line == "", strings.HasPrefix(line, "#"), strings.HasPrefix(line, ">"), single.MatchString(line):
			case open.MatchString(line):
				in = open.FindStringSubmatch(line)[1]
			default:
				t.Errorf("%s, ligne %d après l'en-tête : « %s » hors d'un bloc question ou reponse et d'un encadré du site", file, i+1, readerShort(line))
			}
		}
	}
}

// TestReaderNotesOnce: on an exercise's page and on the whole-TP page, each
// note beside the outputs is written out once; later places refer to it
// (TestReaderLinks checks that the reference leads to it).
func TestReaderNotesOnce(t *testing.T) {
	pages := siteParse(t, siteBuild(t, ""))
	names := []string{"exercices/index.html"} // the whole TP on one page
	for _, ex := range siteExercises {
		names = append(names, path.Join("exercices", ex, "index.html"))
	}
	for _, name := range names {
		p, ok := pages[name]
		if !ok {
			t.Errorf("%s absente", name)
			continue
		}
		seen := map[string]bool{}
		htmltest.Walk(p.Doc, func(n *html.Node) {
			if n.Data != "p" || !htmltest.HasClass(n, "out-note") || htmltest.HasClass(n, "out-note-again") {
				return
			}
			text := readerNodeText(n)
			if seen[text] {
				t.Errorf("%s : la même note apparaît plusieurs fois : « %s »", name, readerShort(text))
			}
			seen[text] = true
		})
	}
}

// TestReaderNavigation: the sidebar leads to « Comment c’est vérifié », and
// the whole-TP page, long on a phone, lists links to its exercises.
func TestReaderNavigation(t *testing.T) {
	pages := siteParse(t, siteBuild(t, ""))
	for name, p := range pages {
		found := false
		htmltest.Walk(p.Doc, func(n *html.Node) {
			if n.Data == "nav" && htmltest.Attr(n, "id") == "sommaire" {
				htmltest.Walk(n, func(a *html.Node) {
					if a.Data == "a" && htmltest.Attr(a, "href") == "/verification/" {
						found = true
					}
				})
			}
		})
		if !found {
			t.Errorf("%s : le sommaire n'a pas de lien vers /verification/", name)
		}
	}
	all := pages["exercices/index.html"]
	if all == nil {
		t.Fatal("exercices/index.html absente")
	}
	links := map[string]bool{}
	htmltest.Walk(all.Doc, func(n *html.Node) {
		if n.Data == "a" {
			links[htmltest.Attr(n, "href")] = true
		}
	})
	for _, ex := range siteExercises {
		if !links["#"+ex] {
			t.Errorf("exercices/index.html : pas de lien vers l'exercice #%s de la page", ex)
		}
	}
}

// readerDeveloper are words of the project's developers that a student's
// pages (the exercises, the whole TP, the history) must not use: the
// scripts, their files and the repository's machinery. A link to a
// verification is named for what it is.
var readerDeveloper = regexp.MustCompile(`(?i)\bscripts?\b|testdata/|\.txtar\b|\bfork\b|ligne JSON|branche\s+verifications|Vérifications complémentaires`)

// TestReaderNoDeveloperWords: no developer word on a student's page, and
// each sentence of a note the site adds (out-note, alert, verified box)
// written out once per page.
func TestReaderNoDeveloperWords(t *testing.T) {
	pages := siteParse(t, siteBuild(t, ""))
	names := []string{"exercices/index.html", "historique/index.html"}
	for _, ex := range siteExercises {
		names = append(names, path.Join("exercices", ex, "index.html"))
	}
	for _, name := range names {
		p, ok := pages[name]
		if !ok {
			t.Errorf("%s absente", name)
			continue
		}
		readerText(p.Doc, true, func(where, text string) {
			text = strings.Join(strings.Fields(text), " ")
			if m := readerDeveloper.FindString(text); m != "" {
				t.Errorf("%s (%s) : mot de développeur %q dans « %s »", name, where, m, readerShort(text))
			}
		})
		// A sentence of the site's notes, once per page.
		seen := map[string]bool{}
		htmltest.Walk(p.Doc, func(n *html.Node) {
			if !(n.Data == "p" && (htmltest.HasClass(n, "out-note") || htmltest.HasClass(n, "copy-note") || htmltest.HasClass(n, "run-section")) || n.Data == "div" && htmltest.HasClass(n, "alert")) {
				return
			}
			for _, s := range regexp.MustCompile(`[.;:!?]\s+`).Split(readerNodeText(n), -1) {
				if len([]rune(s)) < 60 {
					continue
				}
				if seen[s] {
					t.Errorf("%s : la même phrase d'une note revient : « %s »", name, readerShort(s))
				}
				seen[s] = true
			}
		})
	}
}
