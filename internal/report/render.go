package report

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// Marks of the three statuses, in the terminal and in the pages. The
// unverifiable one is an en dash: it renders in any UTF-8 terminal, where
// "⏸" may not; it is one column wide where the two others are two, so the
// text pads it with a space.
const (
	markOK           = "✅"
	markFail         = "❌"
	markUnverifiable = "–"
)

// textWidth is the terminal's width that the text tries to keep to.
const textWidth = 80

// kind is s, or Unverifiable when s is none of the three known statuses.
func kind(s Status) Status {
	switch s {
	case OK, Fail:
		return s
	}
	return Unverifiable
}

// mark is the status's mark; word, how a sentence says it of a question.
func mark(s Status) string {
	switch kind(s) {
	case OK:
		return markOK
	case Fail:
		return markFail
	}
	return markUnverifiable
}

func word(s Status) string {
	switch kind(s) {
	case OK:
		return "réussie"
	case Fail:
		return "échouée"
	}
	return "non vérifiable"
}

// Verdict is a question's status as the reports say it: its mark, then
// its word ("❌ échouée").
func Verdict(s Status) string { return mark(s) + " " + word(s) }

// textMark is mark padded to two columns.
func textMark(s Status) string {
	if kind(s) == Unverifiable {
		return markUnverifiable + " "
	}
	return mark(s)
}

// legend says what the marks mean.
const legend = "✅ réussie, ❌ échouée, – non vérifiable (question non atteinte, ou qui dépend d'une question en échec)"

// Plural is n followed by one or many, French style: 0 and 1 are singular.
func Plural(n int, one, many string) string {
	if n > 1 {
		return fmt.Sprintf("%d %s", n, many)
	}
	return fmt.Sprintf("%d %s", n, one)
}

// CountsText is the report's count, "12 réussies, 1 échouée, 6 non vérifiables".
func (r *Report) CountsText() string {
	ok, fail, unv := r.Counts()
	return Plural(ok, "réussie", "réussies") + ", " + Plural(fail, "échouée", "échouées") +
		", " + Plural(unv, "non vérifiable", "non vérifiables")
}

// bilan is the last line of the text, without its label.
func (r *Report) bilan() string {
	switch {
	case r.Checker != "":
		return "non vérifié par l'outil, aucune note."
	case len(r.Refused) > 0 && len(r.Questions) == 0:
		return "dossier refusé, aucune question lancée."
	case len(r.Refused) > 0:
		return "dossier refusé ; " + r.CountsText() + "."
	}
	return r.CountsText() + "."
}

// noteLine is "Note : 19/21 (barème défaut).", or "" for a report
// without a barème (Grade was not called) or not checked.
func (r *Report) noteLine() string {
	if r.Bareme == "" || r.Checker != "" {
		return ""
	}
	s := "Note : " + Points(r.Score) + "/" + Points(r.Max) + " (barème " + r.Bareme + ")"
	if n := len(r.CheckerQuestions()); n > 0 {
		s += " ; " + Plural(n, "question", "questions") + " que l'outil n'a pas pu vérifier, hors barème"
	}
	return s + "."
}

// Duration says a number of seconds in French: "0,4 s", "45 s",
// "3 min 12 s", "1 h 05 min".
func Duration(seconds float64) string {
	if math.IsNaN(seconds) || seconds < 0 {
		seconds = 0
	}
	if seconds < 9.95 {
		return strings.Replace(fmt.Sprintf("%.1f s", seconds), ".", ",", 1)
	}
	s := int64(math.Round(seconds))
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s < 3600:
		return fmt.Sprintf("%d min %d s", s/60, s%60)
	}
	return fmt.Sprintf("%d h %02d min", s/3600, s%3600/60)
}

// engineText turns the engine's "Docker 29.8.0 (containerd)" into
// "Docker 29.8.0, containerd", to sit inside the title's parentheses.
func engineText(e string) string {
	i := strings.Index(e, " (")
	if i < 0 {
		return e
	}
	j := strings.Index(e[i:], ")")
	if j < 0 {
		return e
	}
	j += i
	return e[:i] + ", " + e[i+2:j] + e[j+1:]
}

// title is the report's heading line, without the duration.
func (r *Report) title() string {
	t := "Vérification du TP de " + r.Student
	if e := engineText(r.Engine); e != "" {
		t += " (" + e + ")"
	}
	return t
}

// outputLines splits an output into lines, without the final newline nor
// carriage returns, and keeps MaxActualLines of them; more is how many
// are left out.
func outputLines(s string) (shown []string, more int) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil, 0
	}
	lines := strings.Split(s, "\n")
	if len(lines) > MaxActualLines {
		return lines[:MaxActualLines], len(lines) - MaxActualLines
	}
	return lines, 0
}

// indent writes s, whose lines after the first start with prefix.
func indent(s, prefix string) string {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	return strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func pad(s string, width int) string {
	if n := utf8.RuneCountInString(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}

// Text is the report for a terminal: the heading, one line per question,
// then the details of each failure, what differs from the author's run,
// and the count. It keeps to 80 columns where it can; commands and
// outputs are never wrapped.
func (r *Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s\n", r.title(), Duration(r.Seconds))
	if r.Checker != "" {
		fmt.Fprintf(&b, "Non vérifié : %s\n", indent(r.Checker, "  "))
	}
	if len(r.Refused) > 0 {
		b.WriteString("Dossier refusé avant toute exécution :\n")
		for _, why := range r.Refused {
			fmt.Fprintf(&b, "  - %s\n", indent(why, "    "))
		}
	}
	qs := r.sortedQuestions()
	idWidth := 0
	for _, q := range qs {
		idWidth = max(idWidth, utf8.RuneCountInString(q.ID))
	}
	// "  ✅ 3.a  ": the mark takes two columns.
	under := strings.Repeat(" ", 2+2+1+idWidth+2)
	anyUnverifiable := false
	lastReason := "" // a reason said just above is not said again
	for _, q := range qs {
		head := questionHead(q, idWidth)
		if kind(q.Status) != Unverifiable {
			fmt.Fprintf(&b, "%s\n", decidedLine(q, idWidth))
			lastReason = ""
			continue
		}
		anyUnverifiable = true
		if q.Reason != "" && q.Reason == lastReason && q.Title != "" {
			fmt.Fprintf(&b, "%s%s\n", head, q.Title)
			continue
		}
		lastReason = q.Reason
		why := "non vérifiable"
		if q.Checker {
			why = "non vérifiable par l'outil, hors barème"
		}
		if q.Reason != "" {
			why += " : " + indent(q.Reason, under)
		}
		if q.Title == "" {
			fmt.Fprintf(&b, "%s%s\n", head, why)
		} else {
			fmt.Fprintf(&b, "%s%s\n%s%s\n", head, q.Title, under, why)
		}
	}
	if anyUnverifiable {
		fmt.Fprintf(&b, "  %s = non vérifiable : non atteinte, ou dépend d'une question en échec.\n", markUnverifiable)
	}
	if r.Skipped != "" {
		fmt.Fprintf(&b, "%s\n", r.Skipped)
	}
	for _, q := range qs {
		if kind(q.Status) == Fail {
			b.WriteString("\n")
			writeFailure(&b, q)
		}
	}
	var diffs []string
	for _, q := range qs {
		for _, d := range q.Differences {
			diffs = append(diffs, "   "+pad(q.ID, idWidth)+"  "+indent(d, "   "+strings.Repeat(" ", idWidth+2)))
		}
	}
	if len(diffs) > 0 {
		b.WriteString("\nDifférent du rapport de l'auteur (pas une erreur) :\n")
		for _, d := range diffs {
			b.WriteString(d + "\n")
		}
	}
	fmt.Fprintf(&b, "\nBilan : %s\n", r.bilan())
	if n := r.noteLine(); n != "" {
		fmt.Fprintf(&b, "%s\n", n)
	}
	return b.String()
}

// writeFailure writes a failed question's details.
func writeFailure(b *strings.Builder, q Question) {
	fmt.Fprintf(b, "%s %s  %s\n", markFail, q.ID, q.Title)
	const cont = "              " // under a field's value: "   commande : "
	field := func(label, value string) {
		if value != "" {
			fmt.Fprintf(b, "   %-8s : %s\n", label, indent(value, cont))
		}
	}
	field("raison", q.Reason)
	field("commande", q.Command)
	switch expected := "attendu  : " + q.Expected + "   (motif : " + q.Pattern + ")"; {
	case q.Pattern == "":
		field("attendu", q.Expected)
	case q.Expected == "":
		field("motif", q.Pattern)
	case !strings.Contains(q.Expected, "\n") && 3+utf8.RuneCountInString(expected) <= textWidth:
		fmt.Fprintf(b, "   %s\n", expected)
	default:
		field("attendu", q.Expected)
		field("motif", q.Pattern)
	}
	if shown, more := outputLines(q.Actual); shown != nil {
		b.WriteString("   obtenu   :\n")
		for _, l := range shown {
			fmt.Fprintf(b, "     %s\n", l)
		}
		if more > 0 {
			fmt.Fprintf(b, "     … et %s\n", Plural(more, "ligne de plus", "lignes de plus"))
		}
	}
	field("indice", q.Hint)
}

//go:embed templates
var templateFiles embed.FS

// pages are the HTML templates: report.html, class.html, and style.css,
// the style both pages inline.
var pages = template.Must(template.New("").ParseFS(templateFiles, "templates/*.html"))

func style() template.CSS {
	b, err := templateFiles.ReadFile("templates/style.css")
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	return template.CSS(b)
}

// questionView is a question as the report's page shows it.
type questionView struct {
	Question
	Kind   Status
	Anchor string // the id of its failure's section
	Mark   string
	Word   string
	Time   string
	// PointsText: "1/1", "0/2", or "hors barème" for a question the
	// checker could not check; empty without a barème.
	PointsText string
	Shown      string // the output's lines that are shown
	More       int    // how many are not
}

type differenceView struct {
	ID, Anchor, Text string
	Failed           bool
}

type reportView struct {
	R           *Report
	CSS         template.CSS
	Title       string
	Date        string
	Duration    string
	Summary     string
	Verdict     string
	VerdictKind string // ok, fail, refused
	Rows        []questionView
	Failures    []questionView
	Differences []differenceView
	Unverified  bool // some question is unverifiable
	Legend      string
	Score       string // "19/21", empty without a barème
}

// anchor is an id for a question's section: "q-4.b"; characters other than
// letters, digits, ".", "-" and "_" become "-".
func anchor(id string) string {
	var b strings.Builder
	b.WriteString("q-")
	for _, c := range id {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
			b.WriteRune(c)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

var months = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre"}

// frenchDate says an RFC 3339 date in French, "1er mars 2026 à 14 h 05
// (UTC+01:00)"; a date that is not RFC 3339 is kept as is.
func frenchDate(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	day := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	zone := "UTC"
	if _, off := t.Zone(); off != 0 {
		zone = "UTC" + t.Format("-07:00")
	}
	return fmt.Sprintf("%s %s %d à %d h %02d (%s)", day, months[t.Month()-1], t.Year(), t.Hour(), t.Minute(), zone)
}

func (r *Report) view() reportView {
	v := reportView{
		R:        r,
		CSS:      style(),
		Title:    r.title(),
		Date:     frenchDate(r.Date),
		Duration: Duration(r.Seconds),
		Summary:  r.CountsText() + ".",
		Legend:   legend + ".",
	}
	if r.Bareme != "" && r.Checker == "" {
		v.Score = r.ScoreText()
	}
	_, fail, _ := r.Counts()
	switch {
	case r.Checker != "":
		v.VerdictKind, v.Verdict = "checker", "Non vérifié : l'outil de vérification a échoué, pas ce rendu."
	case len(r.Refused) > 0:
		v.VerdictKind, v.Verdict = "refused", "Dossier refusé avant toute exécution."
	case fail > 0:
		v.VerdictKind, v.Verdict = "fail", Plural(fail, "question en échec.", "questions en échec.")
	default:
		v.VerdictKind, v.Verdict = "ok", "Aucune question en échec."
	}
	for _, q := range r.sortedQuestions() {
		shown, more := outputLines(q.Actual)
		qv := questionView{
			Question: q,
			Kind:     viewKind(q),
			Anchor:   anchor(q.ID),
			Mark:     mark(q.Status),
			Word:     word(q.Status),
			Time:     Duration(q.Seconds),
			Shown:    strings.Join(shown, "\n"),
			More:     more,
		}
		switch {
		case r.Bareme == "":
		case q.Checker:
			qv.PointsText = "hors barème"
		default:
			qv.PointsText = Points(q.Earned()) + "/" + Points(q.Points)
		}
		if q.Checker {
			qv.Word = "non vérifiable par l'outil"
		}
		v.Rows = append(v.Rows, qv)
		if qv.Kind == Fail {
			v.Failures = append(v.Failures, qv)
		}
		if qv.Kind == Unverifiable || qv.Kind == "checker" {
			v.Unverified = true
		}
		for _, d := range q.Differences {
			v.Differences = append(v.Differences, differenceView{ID: q.ID, Anchor: qv.Anchor, Text: d, Failed: qv.Kind == Fail})
		}
	}
	return v
}

// viewKind is a question's class in the pages: its status, or "checker"
// for a question the checker itself could not check.
func viewKind(q Question) Status {
	if q.Checker && kind(q.Status) == Unverifiable {
		return "checker"
	}
	return kind(q.Status)
}

// HTML is the report as one self-contained page: its style inline, no
// script, no request of any kind, light or dark as the system is.
func (r *Report) HTML() ([]byte, error) {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, "report.html", r.view()); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Files are the names of the files WriteFiles writes: the report in HTML,
// JSON, text and JUnit XML.
var Files = []string{"rapport.html", "rapport.json", "rapport.txt", "rapport.junit.xml"}

// WriteFiles writes the report into dir, in each of its forms (Files).
func (r *Report) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	html, err := r.HTML()
	if err != nil {
		return err
	}
	js, err := r.JSON()
	if err != nil {
		return err
	}
	junit, err := r.JUnit()
	if err != nil {
		return err
	}
	for i, data := range [][]byte{html, js, []byte(r.Text()), junit} {
		if err := os.WriteFile(filepath.Join(dir, Files[i]), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// questionHead starts a question's line in the terminal: its mark and
// its ID, padded to idWidth.
func questionHead(q Question, idWidth int) string {
	return "  " + textMark(q.Status) + " " + pad(q.ID, idWidth) + "  "
}

// decidedLine is the terminal line of a question that passed or failed:
// the verdict in words too, since a terminal without an emoji font shows
// the mark as a box.
func decidedLine(q Question, idWidth int) string {
	return strings.TrimRight(questionHead(q, idWidth)+word(q.Status)+"  "+q.Title, " ")
}

// ProgressLine is a question's line as the check says it while it runs,
// as soon as the question is decided: the report's own line, and for a
// question « non vérifiable », why.
func ProgressLine(q Question) string {
	if kind(q.Status) != Unverifiable {
		return decidedLine(q, 0)
	}
	line := questionHead(q, 0) + word(q.Status) + "  " + q.Title
	if q.Reason != "" {
		line += " : " + q.Reason
	}
	return line
}
