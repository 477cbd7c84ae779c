package report

import (
	"bytes"
	"encoding/csv"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Class is a teacher's summary: one row per student, one column per question.
type Class struct {
	Title   string    // the page's heading; DefaultClassTitle when empty
	Reports []*Report // in the order the rows show them
	// Identifiers map a folder's name to the student's identifier in the
	// grade book (eleves.csv); a folder not there is its own identifier.
	Identifiers map[string]string
	// Scripts is the version of the scripts of the teacher's checkout
	// (ScriptsVersion); a report checked by others is marked.
	Scripts string
}

// DefaultClassTitle is the class page's heading when Title is empty.
const DefaultClassTitle = "Vérification des TP de la classe"

// Questions is the union of the reports' question IDs, in the lab's order
// (CompareIDs).
func (c *Class) Questions() []string {
	seen := map[string]bool{}
	var ids []string
	for _, r := range c.Reports {
		for _, q := range r.Questions {
			if !seen[q.ID] {
				seen[q.ID] = true
				ids = append(ids, q.ID)
			}
		}
	}
	slices.SortFunc(ids, CompareIDs)
	return ids
}

// Words of the class's cells and of a student's status, in the CSV.
const (
	cellOK           = "ok"
	cellFail         = "échec"
	cellUnverifiable = "non vérifiable"
	cellRefused      = "refusé"

	statusPassed     = "réussi"      // no failure, every question verified
	statusIncomplete = "incomplet"   // no failure, some question unverifiable
	statusFailed     = "échec"       // some question failed
	statusRefused    = "refusé"      // the folder was refused before anything ran
	statusChecker    = "non vérifié" // the checker itself failed on it
)

// StudentStatus is a report's word in the column « statut ».
func StudentStatus(r *Report) string {
	_, fail, unv := r.Counts()
	switch {
	case r.Checker != "":
		return statusChecker
	case len(r.Refused) > 0:
		return statusRefused
	case fail > 0:
		return statusFailed
	case unv > 0:
		return statusIncomplete
	}
	return statusPassed
}

// cell is what a report says of the question id: its status, "refusé" for
// every question of a refused folder, unverifiable when the report does
// not have the question. q is the question, when the report has it.
func cell(r *Report, id string) (word string, q *Question) {
	for i := range r.Questions {
		if r.Questions[i].ID == id {
			q = &r.Questions[i]
			break
		}
	}
	switch {
	case len(r.Refused) > 0:
		return cellRefused, q
	case q == nil:
		return cellUnverifiable, nil
	}
	switch kind(q.Status) {
	case OK:
		return cellOK, q
	case Fail:
		return cellFail, q
	}
	return cellUnverifiable, q
}

// seconds is a duration in the CSV: seconds with one decimal, a point as
// the separator.
func seconds(s float64) string { return strconv.FormatFloat(s, 'f', 1, 64) }

// gradeNumber is a grade in the CSV, as Moodle's import reads one: a
// point as the decimal separator, no thousands separator.
func gradeNumber(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) }

// CSV headers: fixed, so that a grade book's mapping is made once.
const (
	CSVIdentifier = "identifiant" // the folder's name, or the student's email or idnumber (eleves.csv)
	CSVTotal      = "total"
	CSVFeedback   = "commentaire"
)

// CSVQuestions are the question columns: every question of Lab, and any
// other a report has, in the lab's order.
func (c *Class) CSVQuestions() []string {
	ids := c.Questions()
	for _, q := range Lab {
		if !slices.Contains(ids, q.ID) {
			ids = append(ids, q.ID)
		}
	}
	slices.SortFunc(ids, CompareIDs)
	return ids
}

// Identifier is the student's identifier in the grade book: from
// Identifiers when it has the folder, else the folder's name.
func (c *Class) Identifier(r *Report) string {
	if id, ok := c.Identifiers[r.Student]; ok {
		return id
	}
	return r.Student
}

// CSV is the class as a grade book's import reads it (Moodle's « Importer
// des notes » en CSV): UTF-8 without a byte order mark, commas, a point as
// the decimal separator, one header line and one row per student. Columns:
// identifiant (to map to the student), dossier, total (the points earned),
// maximum, one column per question with its points earned (empty for a
// question the checker could not check: no grade rather than a wrong
// one), commentaire (a short French feedback), then statut, réussies,
// échouées, non vérifiables, scripts (their version) and durée (s), for
// the teacher. A report the checker could not check at all has its grades
// empty.
func (c *Class) CSV() []byte {
	ids := c.CSVQuestions()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	header := []string{CSVIdentifier, "dossier", CSVTotal, "maximum"}
	header = append(header, ids...)
	header = append(header, CSVFeedback, "statut", "réussies", "échouées", "non vérifiables", "scripts", "durée (s)")
	_ = w.Write(header) // a bytes.Buffer does not fail
	for _, r := range c.Reports {
		ok, fail, unv := r.Counts()
		row := []string{c.Identifier(r), r.Student, gradeNumber(r.Score), gradeNumber(r.Max)}
		if r.Checker != "" {
			row[2], row[3] = "", ""
		}
		for _, id := range ids {
			row = append(row, c.cellPoints(r, id))
		}
		row = append(row, c.Feedback(r), StudentStatus(r), strconv.Itoa(ok), strconv.Itoa(fail), strconv.Itoa(unv), r.Scripts, seconds(r.Seconds))
		_ = w.Write(row)
	}
	w.Flush()
	return b.Bytes()
}

// cellPoints is a question's points earned in the CSV: 0 for a refused
// folder, empty when the checker could not check it.
func (c *Class) cellPoints(r *Report, id string) string {
	if r.Checker != "" {
		return ""
	}
	_, q := cell(r, id)
	switch {
	case len(r.Refused) > 0 || q == nil:
		return "0"
	case q.Checker:
		return ""
	}
	return gradeNumber(q.Earned())
}

// Feedback is a short French comment on a report, for the grade book: the
// note, the failed questions, what the checker could not check, a report
// from other scripts than the teacher's.
func (c *Class) Feedback(r *Report) string {
	if r.Checker != "" {
		return "Non vérifié par l'outil (pas de votre fait) : " + firstSentence(r.Checker) + " À revérifier."
	}
	if len(r.Refused) > 0 {
		return "Dossier refusé avant toute exécution : " + firstSentence(r.Refused[0]) + " Note : 0."
	}
	var fails, unv []string
	for _, q := range r.sortedQuestions() {
		switch {
		case q.Status == Fail:
			fails = append(fails, q.ID)
		case kind(q.Status) == Unverifiable && !q.Checker:
			unv = append(unv, q.ID)
		}
	}
	s := "Note : " + Points(r.Score) + "/" + Points(r.Max) + "."
	if len(fails) == 0 && len(unv) == 0 {
		s += " Toutes les questions sont réussies."
	}
	if len(fails) > 0 {
		s += " En échec : " + frenchList(fails) + "."
	}
	if len(unv) > 0 {
		s += " Non vérifiables à cause d'un échec : " + frenchList(unv) + "."
	}
	if ch := r.CheckerQuestions(); len(ch) > 0 {
		s += " Non vérifiées par l'outil, hors note : " + frenchList(ch) + "."
	}
	if c.Scripts != "" && r.Scripts != c.Scripts {
		s += " Vérifié par une autre version des scripts."
	}
	return s + " Détails dans rapport.html."
}

// firstSentence keeps the first line of a text, cut at 160 characters.
func firstSentence(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if r := []rune(s); len(r) > 160 {
		s = string(r[:159]) + "…"
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "…") {
		s += "."
	}
	return s
}

// ReportLink is the relative address of a student's own page from the
// class's page: "<student>/rapport.html", the name path-escaped (a ":"
// too, which would otherwise read as a scheme).
func ReportLink(student string) string {
	return strings.ReplaceAll(url.PathEscape(student), ":", "%3A") + "/rapport.html"
}

type classCell struct {
	Kind  string // ok, fail, unverifiable, checker: the cell's class, and its mark's
	Word  string // read by screen readers
	Title string
}

type classRow struct {
	Student, Href, Status, StatusKind string
	Note                              string // "19/21", "0/21", "—"
	Counts                            string // "16 réussies, 2 échouées, 3 non vérifiables"
	OtherScripts                      bool   // checked by other scripts than the teacher's
	Whole                             string // a refused folder or the checker's failure: one cell for every question
	Cells                             []classCell
	Duration                          string
}

type classQuestion struct {
	ID, Title string
	Passed    int // how many students passed it
}

type classView struct {
	CSS       template.CSS
	Title     string
	Summary   string
	Bareme    string
	Students  int
	Questions []classQuestion
	Rows      []classRow
}

func (c *Class) view() classView {
	v := classView{CSS: style(), Title: c.Title, Students: len(c.Reports)}
	if v.Title == "" {
		v.Title = DefaultClassTitle
	}
	ids := c.Questions()
	for _, id := range ids {
		cq := classQuestion{ID: id}
		for _, r := range c.Reports {
			w, q := cell(r, id)
			if q != nil && cq.Title == "" {
				cq.Title = q.Title
			}
			if w == cellOK {
				cq.Passed++
			}
		}
		if cq.Title == "" {
			if lq := LabQuestionByID(id); lq != nil {
				cq.Title = lq.Title
			}
		}
		v.Questions = append(v.Questions, cq)
	}
	counts := map[string]int{}
	for _, r := range c.Reports {
		if v.Bareme == "" {
			v.Bareme = r.Bareme
		}
		st := StudentStatus(r)
		counts[st]++
		row := classRow{
			Student: r.Student, Href: ReportLink(r.Student),
			Status: st, StatusKind: map[string]string{statusPassed: "ok", statusIncomplete: "unverifiable", statusFailed: "fail", statusRefused: "refused", statusChecker: "checker"}[st],
			Counts: r.CountsText(), Duration: Duration(r.Seconds), Note: "—",
			OtherScripts: c.Scripts != "" && r.Scripts != c.Scripts,
		}
		if r.Bareme != "" && r.Checker == "" {
			row.Note = Points(r.Score) + "/" + Points(r.Max)
		}
		switch {
		case r.Checker != "":
			row.Whole = "non vérifié par l'outil : " + firstSentence(r.Checker)
		case len(r.Refused) > 0:
			row.Whole = "dossier refusé : " + firstSentence(r.Refused[0])
		}
		for _, id := range ids {
			w, q := cell(r, id)
			cc := classCell{Word: w}
			switch w {
			case cellOK:
				cc.Kind, cc.Word = "ok", "réussie"
			case cellFail:
				cc.Kind, cc.Word = "fail", "échouée"
			case cellUnverifiable:
				cc.Kind = "unverifiable"
				if q != nil && q.Checker {
					cc.Kind, cc.Word = "checker", "non vérifiable par l'outil"
				}
			default:
				cc.Kind = "refused"
			}
			cc.Title = r.Student + " — " + id + " : " + cc.Word
			if q != nil && q.Reason != "" && w != cellOK && w != cellRefused {
				cc.Title += " (" + q.Reason + ")"
			}
			row.Cells = append(row.Cells, cc)
		}
		v.Rows = append(v.Rows, row)
	}
	v.Summary = Plural(len(c.Reports), "élève", "élèves") + " : " +
		Plural(counts[statusPassed], "sans échec", "sans échec") + ", " +
		Plural(counts[statusIncomplete], "incomplet", "incomplets") + ", " +
		Plural(counts[statusFailed], "en échec", "en échec") + ", " +
		Plural(counts[statusRefused], "dossier refusé", "dossiers refusés") + "."
	if n := counts[statusChecker]; n > 0 {
		v.Summary = strings.TrimSuffix(v.Summary, ".") + ", " + Plural(n, "non vérifié par l'outil", "non vérifiés par l'outil") + "."
	}
	return v
}

// HTML is the class as one self-contained page: a table with one row per
// student, linked to the student's own page (ReportLink), one column per
// question, and how many students passed each question at the bottom.
func (c *Class) HTML() ([]byte, error) {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, "class.html", c.view()); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
