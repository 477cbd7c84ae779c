package report

// The report's page: self-contained (no script, no request, no link out),
// in French, accessible (statuses as words, headings, output in <pre>),
// and what a student's folder or output holds is escaped.

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"tpdocker/internal/htmltest"
)

// parsePage parses a rendered page and checks what every page of this
// package must be: lang="fr", one <h1>, no script, no external resource
// nor link out of any kind.
func parsePage(t *testing.T, page []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	if lang := htmltest.Lang(doc); lang != "fr" {
		t.Errorf(`lang = %q ; want "fr"`, lang)
	}
	if bytes.Contains(bytes.ToLower(page), []byte("<script")) {
		t.Error("the page has a script")
	}
	h1 := 0
	htmltest.Walk(doc, func(n *html.Node) {
		switch n.Data {
		case "h1":
			h1++
		case "script", "link", "img", "iframe", "object", "embed", "video", "audio", "source", "base", "form":
			t.Errorf("the page has a <%s>", n.Data)
		case "style":
			css := strings.ToLower(htmltest.Text(n))
			for _, bad := range []string{"url(", "@import", "@font-face", "://"} {
				if strings.Contains(css, bad) {
					t.Errorf("the style has %q", bad)
				}
			}
		}
		for _, a := range n.Attr {
			v := strings.ToLower(strings.TrimSpace(a.Val))
			if strings.Contains(v, "://") || strings.HasPrefix(v, "//") || strings.HasPrefix(v, "data:") ||
				strings.HasPrefix(v, "javascript:") || strings.HasPrefix(a.Key, "on") || a.Key == "style" {
				t.Errorf("<%s %s=%q>: an address, a script or an inline style", n.Data, a.Key, a.Val)
			}
			if a.Key == "href" && !strings.HasPrefix(v, "#") && strings.Contains(strings.SplitN(v, "/", 2)[0], ":") {
				t.Errorf("<%s href=%q>: a scheme", n.Data, a.Val)
			}
		}
	})
	if h1 != 1 {
		t.Errorf("%d <h1> ; want 1", h1)
	}
	return doc
}

// rowCells are the reader's texts of each cell of each row of tbody.
func rowCells(table *html.Node) [][]string {
	var rows [][]string
	htmltest.Walk(htmltest.First(table, "tbody"), func(n *html.Node) {
		if n.Data != "tr" {
			return
		}
		var cells []string
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				cells = append(cells, htmltest.OneSpace(htmltest.Text(c)))
			}
		}
		rows = append(rows, cells)
	})
	return rows
}

func TestReportHTML(t *testing.T) {
	r := sample()
	r.Questions[2].Needs = "après 4.a"
	page, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	doc := parsePage(t, page)
	if h1 := htmltest.OneSpace(htmltest.Text(htmltest.First(doc, "h1"))); h1 != "Vérification du TP de alice" {
		t.Errorf("h1 = %q", h1)
	}
	if css := htmltest.Text(htmltest.First(doc, "style")); !strings.Contains(css, "prefers-color-scheme: dark") || !strings.Contains(css, "--term-bg") {
		t.Error("the style has no dark mode or not the site's colours")
	}
	table := htmltest.First(doc, "table")
	if table == nil || htmltest.First(table, "caption") == nil {
		t.Fatal("no table with a caption")
	}
	rows := rowCells(table)
	want := [][]string{
		{"3.a", "réussie", "app.py expose /health", "", "", "0,4 s"},
		{"3.b", "réussie", "Le conteneur répond sur le port 8000", "", "", "1 min 20 s"},
		{"4.b", "échouée", "/health renvoie le JSON attendu (après 4.a)", "", "détail de 4.b", "2,1 s"},
		{"4.c", "non vérifiable", "La réponse donne la version de Python", "", "dépend de 4.b, en échec", "0,0 s"},
		{"5.a", "échouée", "L'image se construit", "", "détail de 5.a", "1 min 35 s"},
		{"5.b", "non vérifiable", "", "", "non atteinte : 5.a en échec", "0,0 s"},
		{"10.a", "réussie", "Le volume garde les données après docker compose down", "", "", "14 s"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows ; want %d: %q", len(rows), len(want), rows)
	}
	for i := range want {
		if strings.Join(rows[i], " | ") != strings.Join(want[i], " | ") {
			t.Errorf("row %d = %q ; want %q", i, rows[i], want[i])
		}
	}
	// Each failure has its section, its heading, its details; the links of
	// the table lead there.
	failures := htmltest.ByClass(doc, "section", "failure")
	if len(failures) != 2 {
		t.Fatalf("%d failure sections ; want 2", len(failures))
	}
	ids := map[string]bool{}
	htmltest.Walk(doc, func(n *html.Node) {
		if id := htmltest.Attr(n, "id"); id != "" {
			if ids[id] {
				t.Errorf("id %q twice", id)
			}
			ids[id] = true
		}
	})
	htmltest.Walk(doc, func(n *html.Node) {
		if href, ok := htmltest.HasAttr(n, "href"); ok && !ids[strings.TrimPrefix(href, "#")] {
			t.Errorf("link to %q, which is nowhere", href)
		}
	})
	f := failures[0]
	if h3 := htmltest.OneSpace(htmltest.Text(htmltest.First(f, "h3"))); h3 != "Échec : 4.b — /health renvoie le JSON attendu" {
		t.Errorf("h3 = %q", h3)
	}
	text := htmltest.OneSpace(htmltest.Text(f))
	for _, s := range []string{
		"Raison la réponse n'est pas celle attendue",
		"Commande curl http://localhost:8000/health",
		`Attendu une ligne exactement {"status":"ok"} (motif : ^\{"status":"ok"\}$)`,
		`Obtenu {"status":"OK"}`,
		`Indice app.py, ligne 9 : @app.get("/health")`,
	} {
		if !strings.Contains(text, s) {
			t.Errorf("no %q in the failure: %q", s, text)
		}
	}
	outs := htmltest.ByClass(doc, "pre", "out")
	if len(outs) != 2 {
		t.Fatalf("%d outputs ; want 2", len(outs))
	}
	for _, pre := range append(outs, htmltest.ByClass(doc, "pre", "cmd")...) {
		if htmltest.Attr(pre, "lang") != "en" {
			t.Errorf("<pre class=%q> without lang=\"en\"", htmltest.Attr(pre, "class"))
		}
	}
	if n := strings.Count(htmltest.Text(outs[1]), "\n") + 1; n != MaxActualLines {
		t.Errorf("%d lines of output shown ; want %d", n, MaxActualLines)
	}
	if more := htmltest.ByClass(failures[1], "p", "more"); len(more) != 1 || htmltest.Text(more[0]) != "… et 3 lignes de plus, non affichées." {
		t.Error("the lines left out are not counted")
	}
	body := htmltest.OneSpace(htmltest.Text(doc))
	for _, s := range []string{
		"Bilan : 3 réussies, 2 échouées, 2 non vérifiables.",
		"2 questions en échec.",
		"Exercices 1, 2 et 8 : ne dépendent pas de vos fichiers, non lancés.",
		"Différent du rapport de l'auteur",
		"3.b : le conteneur s'appelle « api-1 » (l'auteur : « api »)",
		"Date 1er mars 2026 à 14 h 05 (UTC+01:00)",
		"Moteur Docker 29.8.0 (containerd)",
		"Dossier /home/prof/rendus/alice",
		"Légende : réussie, échouée, non vérifiable (question non atteinte, ou qui dépend d'une question en échec), non vérifiable par l'outil (hors barème).",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("no %q in the page", s)
		}
	}
	if time := htmltest.First(doc, "time"); time == nil || htmltest.Attr(time, "datetime") != "2026-03-01T14:05:09+01:00" {
		t.Error("no <time> with the date")
	}
}

func TestReportHTMLRefused(t *testing.T) {
	page, err := refused().HTML()
	if err != nil {
		t.Fatal(err)
	}
	doc := parsePage(t, page)
	if htmltest.First(doc, "table") != nil {
		t.Error("a refused folder without questions has a table")
	}
	var reasons []string
	for _, ul := range htmltest.ByClass(doc, "ul", "refused-reasons") {
		htmltest.Walk(ul, func(n *html.Node) {
			if n.Data == "li" {
				reasons = append(reasons, htmltest.Text(n))
			}
		})
	}
	if strings.Join(reasons, "|") != strings.Join(refused().Refused, "|") {
		t.Errorf("reasons = %q", reasons)
	}
	body := htmltest.OneSpace(htmltest.Text(doc))
	if !strings.Contains(body, "Dossier refusé avant toute exécution") {
		t.Errorf("not said refused: %q", body)
	}
}

func TestReportHTMLEscapes(t *testing.T) {
	name := `<b>"Zoé" & 'Léo'</b>`
	r := &Report{
		Student: name, Folder: "/rendus/" + name,
		Questions: []Question{{
			ID: "3.a", Title: "<script>alert(1)</script>", Status: Fail,
			Command: `echo "<b>" && curl 'http://x/?a=1&b=2'`,
			Actual:  "<html>&amp; \"quoted\"</html>\n", Hint: "Dockerfile, ligne 1 : FROM <rien>",
			Differences: []string{"<i>penché</i>"},
		}},
	}
	page, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"<b>", "<script>", "<html>&amp;", "<i>", "<rien>"} {
		if bytes.Contains(page[bytes.Index(page, []byte("<body>")):], []byte(raw)) {
			t.Errorf("%q is not escaped", raw)
		}
	}
	doc := parsePage(t, page)
	if h1 := htmltest.Text(htmltest.First(doc, "h1")); h1 != "Vérification du TP de "+name {
		t.Errorf("h1 = %q", h1)
	}
	if title := htmltest.Text(htmltest.First(doc, "title")); !strings.Contains(title, name) {
		t.Errorf("title = %q", title)
	}
	out := htmltest.ByClass(doc, "pre", "out")
	if len(out) != 1 || htmltest.Text(out[0]) != "<html>&amp; \"quoted\"</html>" {
		t.Errorf("the output does not read back as it came out")
	}
	cmd := htmltest.ByClass(doc, "pre", "cmd")
	if len(cmd) != 1 || htmltest.Text(cmd[0]) != r.Questions[0].Command {
		t.Errorf("the command does not read back as typed")
	}
}

// The marks are drawn by the page (no emoji to render), the words say
// the same; with a barème, the note and each question's points.
func TestReportHTMLMarksAndPoints(t *testing.T) {
	r := sample()
	r.Questions = append(r.Questions, Question{ID: "7.a", Status: Unverifiable, Checker: true, Reason: "Docker n'a pas pu être utilisé."})
	r.Grade(nil)
	page, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	for _, emoji := range []string{"✅", "❌", "⏸"} {
		if strings.Contains(string(page), emoji) {
			t.Errorf("the page shows %s, which needs an emoji font", emoji)
		}
	}
	doc := parsePage(t, page)
	if v := htmltest.OneSpace(htmltest.Text(htmltest.ByClass(doc, "p", "verdict")[0])); v != "2 questions en échec. Note : 3/7 (1 question que l'outil n'a pas pu vérifier, hors barème)" {
		t.Errorf("verdict %q", v)
	}
	rows := rowCells(htmltest.First(doc, "table"))
	for i, want := range map[int][2]string{0: {"réussie", "1/1"}, 2: {"échouée", "0/1"}, 6: {"non vérifiable par l'outil", "hors barème"}} {
		if rows[i][1] != want[0] || rows[i][3] != want[1] {
			t.Errorf("row %d = %q ; want %q", i, rows[i], want)
		}
	}
	for _, kind := range []string{"ok", "fail", "unverifiable", "checker"} {
		if len(htmltest.ByClass(doc, "span", kind)) == 0 {
			t.Errorf("no mark %s", kind)
		}
		if css := htmltest.Text(htmltest.First(doc, "style")); !strings.Contains(css, ".m."+kind+"::before") {
			t.Errorf("the mark %s is not drawn by the style", kind)
		}
	}
}
