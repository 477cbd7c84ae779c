package report

// A teacher's summary of a class: the questions' order, the CSV read back,
// the HTML table (one row per student, linked to the student's page,
// totals per question), and names that need escaping or quoting.

import (
	"bytes"
	"encoding/csv"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"tpdocker/internal/htmltest"
)

// odd is a student whose folder's name needs escaping in HTML, quoting in
// CSV and path-escaping in a link.
const odd = `Zoé <b>"&" 'x', a:b`

func class() *Class {
	passed := &Report{Student: "chloé", Seconds: 61.25, Questions: []Question{
		{ID: "9.b", Title: "Le réseau isole la base", Status: OK},
		{ID: "3.a", Title: "app.py expose /health", Status: OK},
		{ID: "10.a", Status: OK},
	}}
	strange := &Report{Student: odd, Seconds: 3, Questions: []Question{
		{ID: "3.a", Status: Fail, Reason: `sortie "<vide>"`},
	}}
	return &Class{Title: "TP 1 Docker — groupe B", Reports: []*Report{sample(), refused(), passed, strange}}
}

func TestClassQuestions(t *testing.T) {
	want := []string{"3.a", "3.b", "4.b", "4.c", "5.a", "5.b", "9.b", "10.a"}
	if got := class().Questions(); !slices.Equal(got, want) {
		t.Errorf("Questions() = %q ; want %q", got, want)
	}
	if got := (&Class{}).Questions(); len(got) != 0 {
		t.Errorf("an empty class has questions: %q", got)
	}
}

func TestClassCSV(t *testing.T) {
	c := class()
	for _, r := range c.Reports {
		r.Grade(nil)
	}
	c.Identifiers = map[string]string{"alice": "alice@lycee.fr"}
	b := c.CSV()
	if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		t.Error("the CSV starts with a byte order mark")
	}
	records, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	qs := c.CSVQuestions()
	if len(qs) != len(Lab)+2 || qs[len(qs)-2] != "9.b" || qs[len(qs)-1] != "10.a" {
		t.Errorf("question columns %q", qs)
	}
	col := func(name string) int { return slices.Index(records[0], name) }
	want := map[string]map[string]string{
		"alice@lycee.fr": {"dossier": "alice", "total": "3", "maximum": "7", "3.a": "1", "4.b": "0", "3.c": "0", "10.a": "1", "statut": "échec", "réussies": "3", "durée (s)": "192.4"},
		"bob":            {"dossier": "bob", "total": "0", "maximum": "21", "3.a": "0", "7.e": "0", "statut": "refusé"},
		"chloé":          {"total": "3", "maximum": "3", "3.a": "1", "9.b": "1", "4.a": "0", "statut": "réussi"},
		odd:              {"total": "0", "maximum": "1", "3.a": "0", "statut": "échec"},
	}
	if len(records) != 1+len(want) {
		t.Fatalf("%d records:\n%s", len(records), b)
	}
	for _, row := range records[1:] {
		w, ok := want[row[0]]
		if !ok {
			t.Errorf("unexpected identifier %q", row[0])
			continue
		}
		for k, v := range w {
			if i := col(k); i < 0 || row[i] != v {
				t.Errorf("%s: %s = %q ; want %q", row[0], k, row[max(i, 0)], v)
			}
		}
	}
	fb := records[1][col(CSVFeedback)]
	for _, part := range []string{"Note : 3/7.", "En échec : 4.b et 5.a.", "Non vérifiables à cause d'un échec : 4.c et 5.b."} {
		if !strings.Contains(fb, part) {
			t.Errorf("feedback %q has no %q", fb, part)
		}
	}
	if fb := records[2][col(CSVFeedback)]; !strings.HasPrefix(fb, "Dossier refusé avant toute exécution : pas de Dockerfile dans le dossier.") {
		t.Errorf("refused feedback %q", fb)
	}
	if !bytes.Contains(b, []byte(`"Zoé <b>""&"" 'x', a:b"`)) {
		t.Errorf("the odd name is not quoted:\n%s", b)
	}
	incomplete := &Class{Reports: []*Report{{Student: "d", Questions: []Question{{ID: "3.a", Status: Unverifiable}}}}}
	if r, _ := csv.NewReader(bytes.NewReader(incomplete.CSV())).ReadAll(); len(r) != 2 || r[1][slices.Index(r[0], "statut")] != "incomplet" {
		t.Errorf("a report with no failure but an unverifiable question: %q", r)
	}
}

func TestReportLink(t *testing.T) {
	for in, want := range map[string]string{
		"alice":      "alice/rapport.html",
		"Zoé Durand": "Zo%C3%A9%20Durand/rapport.html",
		"a:b":        "a%3Ab/rapport.html",
		"a/b?c#d":    "a%2Fb%3Fc%23d/rapport.html",
	} {
		if got := ReportLink(in); got != want {
			t.Errorf("ReportLink(%q) = %q ; want %q", in, got, want)
		}
		if u, err := url.Parse(ReportLink(in)); err != nil || u.Scheme != "" || u.Path != in+"/rapport.html" {
			t.Errorf("ReportLink(%q) does not read back as the folder: %v %v", in, u, err)
		}
	}
}

func TestClassHTML(t *testing.T) {
	c := class()
	page, err := c.HTML()
	if err != nil {
		t.Fatal(err)
	}
	doc := parsePage(t, page)
	if h1 := htmltest.Text(htmltest.First(doc, "h1")); h1 != c.Title {
		t.Errorf("h1 = %q", h1)
	}
	table := htmltest.First(doc, "table")
	if table == nil {
		t.Fatal("no table")
	}
	if caption := htmltest.First(table, "caption"); caption == nil || htmltest.Text(caption) == "" {
		t.Error("no caption")
	}
	if css := htmltest.Text(htmltest.First(doc, "style")); !strings.Contains(css, ".class thead th { position: sticky; top: 0;") {
		t.Error("the header is not sticky")
	}
	var heads []string
	htmltest.Walk(htmltest.First(table, "thead"), func(n *html.Node) {
		if n.Data == "th" {
			if htmltest.Attr(n, "scope") != "col" {
				t.Errorf("header %q without scope=col", htmltest.Text(n))
			}
			heads = append(heads, htmltest.Text(n))
		}
	})
	wantHeads := []string{"Élève", "Note", "Statut", "3.a", "3.b", "4.b", "4.c", "5.a", "5.b", "9.b", "10.a", "Durée"}
	if !slices.Equal(heads, wantHeads) {
		t.Errorf("headers = %q", heads)
	}

	var rows []*html.Node
	htmltest.Walk(htmltest.First(table, "tbody"), func(n *html.Node) {
		if n.Data == "tr" {
			rows = append(rows, n)
		}
	})
	if len(rows) != len(c.Reports) {
		t.Fatalf("%d rows ; want one per student, %d", len(rows), len(c.Reports))
	}
	for i, row := range rows {
		r := c.Reports[i]
		th := htmltest.First(row, "th")
		a := htmltest.First(th, "a")
		if htmltest.Attr(th, "scope") != "row" || a == nil {
			t.Fatalf("row %d: no row header with a link", i)
		}
		if htmltest.Text(a) != r.Student {
			t.Errorf("row %d: link text %q ; want %q", i, htmltest.Text(a), r.Student)
		}
		if href := htmltest.Attr(a, "href"); href != ReportLink(r.Student) {
			t.Errorf("row %d: href %q ; want %q", i, href, ReportLink(r.Student))
		}
		var cells []*html.Node
		for n := row.FirstChild; n != nil; n = n.NextSibling {
			if n.Type == html.ElementNode && n.Data == "td" && htmltest.HasClass(n, "q") {
				cells = append(cells, n)
			}
		}
		if len(r.Refused) > 0 {
			// One cell for every question, with the reason.
			whole := htmltest.ByClass(row, "td", "whole")
			if len(cells) != 0 || len(whole) != 1 || htmltest.Attr(whole[0], "colspan") != strconv.Itoa(len(c.Questions())) ||
				!strings.HasPrefix(htmltest.Text(whole[0]), "dossier refusé : pas de Dockerfile dans le dossier") {
				t.Errorf("row %d: a refused folder's row is not one cell with its reason", i)
			}
			continue
		}
		if len(cells) != len(c.Questions()) {
			t.Fatalf("row %d: %d question cells ; want %d", i, len(cells), len(c.Questions()))
		}
		for j, cell := range cells {
			title := htmltest.Attr(cell, "title")
			if !strings.HasPrefix(title, r.Student+" — "+c.Questions()[j]+" : ") {
				t.Errorf("row %d, cell %d: title %q", i, j, title)
			}
		}
	}
	// What each cell says to a reader: a mark drawn by the style, hidden
	// from screen readers, and the word.
	cellText := func(row, col int) (mark, read string) {
		var cells []*html.Node
		for n := rows[row].FirstChild; n != nil; n = n.NextSibling {
			if n.Type == html.ElementNode && htmltest.HasClass(n, "q") {
				cells = append(cells, n)
			}
		}
		var b strings.Builder
		htmltest.Walk(cells[col], func(n *html.Node) {
			if htmltest.Attr(n, "aria-hidden") == "true" && htmltest.HasClass(n, "m") && htmltest.Text(n) == "" {
				mark = strings.TrimSpace(strings.TrimPrefix(htmltest.Attr(n, "class"), "m "))
			}
			if htmltest.HasClass(n, "visually-hidden") {
				b.WriteString(htmltest.Text(n))
			}
		})
		return mark, b.String()
	}
	for _, tc := range []struct {
		row, col   int
		mark, read string
	}{
		{0, 0, "ok", "réussie"}, {0, 2, "fail", "échouée"}, {0, 3, "unverifiable", "non vérifiable"},
		{2, 1, "unverifiable", "non vérifiable"}, {3, 0, "fail", "échouée"},
	} {
		if mark, read := cellText(tc.row, tc.col); mark != tc.mark || read != tc.read {
			t.Errorf("cell %d,%d has the mark %q, reads %q ; want %q, %q", tc.row, tc.col, mark, read, tc.mark, tc.read)
		}
	}
	if title := htmltest.Attr(htmltest.ByClass(rows[0], "td", "unverifiable")[0], "title"); title != "alice — 4.c : non vérifiable (dépend de 4.b, en échec)" {
		t.Errorf("an unverifiable cell's title: %q", title)
	}

	// Totals: how many students passed each question.
	var totals []string
	htmltest.Walk(htmltest.First(table, "tfoot"), func(n *html.Node) {
		if n.Data == "td" && htmltest.HasClass(n, "num") {
			totals = append(totals, htmltest.Text(n))
		}
	})
	wantTotals := []string{"2 sur 4", "1 sur 4", "0 sur 4", "0 sur 4", "0 sur 4", "0 sur 4", "1 sur 4", "2 sur 4"}
	if !slices.Equal(totals, wantTotals) {
		t.Errorf("totals = %q ; want %q", totals, wantTotals)
	}
	body := htmltest.OneSpace(htmltest.Text(doc))
	if want := "4 élèves : 1 sans échec, 0 incomplet, 2 en échec, 1 dossier refusé."; !strings.Contains(body, want) {
		t.Errorf("no %q in %q", want, body)
	}
	if bytes.Contains(page, []byte(`<b>"&"`)) || bytes.Contains(page, []byte("<vide>")) {
		t.Error("a name or a reason is not escaped")
	}
}

func TestClassHTMLEmpty(t *testing.T) {
	page, err := (&Class{}).HTML()
	if err != nil {
		t.Fatal(err)
	}
	doc := parsePage(t, page)
	if h1 := htmltest.Text(htmltest.First(doc, "h1")); h1 != DefaultClassTitle {
		t.Errorf("h1 = %q", h1)
	}
	if htmltest.First(doc, "table") != nil {
		t.Error("an empty class has a table")
	}
}
