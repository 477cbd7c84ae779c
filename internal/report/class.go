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

	statusPassed     = "réussi"    // no failure, every question verified
	statusIncomplete = "incomplet" // no failure, some question unverifiable
	statusFailed     = "échec"     // some question failed
	statusRefused    = "refusé"    // the folder was refused before anything ran
)

// studentStatus is a report's word in the column « statut ».
func studentStatus(r *Report) string {
	_, fail, unv := r.Counts()
	switch {
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

// CSV is the class as comma-separated values, UTF-8 without a byte order
// mark: a header, then one row per student. Its columns: élève, statut
// (réussi, incomplet, échec, refusé), réussies, échouées, non vérifiables,
// one per question (ok, échec, non vérifiable, refusé), durée (s).
func (c *Class) CSV() []byte {
	ids := c.Questions()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	header := append([]string{"élève", "statut", "réussies", "échouées", "non vérifiables"}, ids...)
	_ = w.Write(append(header, "durée (s)")) // a bytes.Buffer does not fail
	for _, r := range c.Reports {
		ok, fail, unv := r.Counts()
		row := []string{r.Student, studentStatus(r), strconv.Itoa(ok), strconv.Itoa(fail), strconv.Itoa(unv)}
		for _, id := range ids {
			word, _ := cell(r, id)
			row = append(row, word)
		}
		_ = w.Write(append(row, seconds(r.Seconds)))
	}
	w.Flush()
	return b.Bytes()
}

// ReportLink is the relative address of a student's own page from the
// class's page: "<student>/rapport.html", the name path-escaped (a ":"
// too, which would otherwise read as a scheme).
func ReportLink(student string) string {
	return strings.ReplaceAll(url.PathEscape(student), ":", "%3A") + "/rapport.html"
}

type classCell struct {
	Kind  string // ok, fail, unverifiable, refused: the cell's class
	Mark  string // shown, hidden from screen readers; empty for "refusé"
	Word  string // read by screen readers, shown when Mark is empty
	Title string
}

type classRow struct {
	Student, Href, Status, StatusKind string
	OK, Fail, Unverifiable            int
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
	Legend    string
	Students  int
	Questions []classQuestion
	Rows      []classRow
}

func (c *Class) view() classView {
	v := classView{CSS: style(), Title: c.Title, Students: len(c.Reports), Legend: legend + " ; « refusé » : dossier refusé avant toute exécution."}
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
		v.Questions = append(v.Questions, cq)
	}
	counts := map[string]int{}
	for _, r := range c.Reports {
		ok, fail, unv := r.Counts()
		st := studentStatus(r)
		counts[st]++
		row := classRow{
			Student: r.Student, Href: ReportLink(r.Student),
			Status: st, StatusKind: map[string]string{statusPassed: "ok", statusIncomplete: "unverifiable", statusFailed: "fail", statusRefused: "refused"}[st],
			OK: ok, Fail: fail, Unverifiable: unv, Duration: Duration(r.Seconds),
		}
		for _, id := range ids {
			w, q := cell(r, id)
			cc := classCell{Word: w}
			switch w {
			case cellOK:
				cc.Kind, cc.Mark, cc.Word = "ok", markOK, "réussie"
			case cellFail:
				cc.Kind, cc.Mark, cc.Word = "fail", markFail, "échouée"
			case cellUnverifiable:
				cc.Kind, cc.Mark = "unverifiable", markUnverifiable
			default:
				cc.Kind, cc.Mark = "refused", ""
			}
			cc.Title = r.Student + " — " + id + " : " + cc.Word
			if q != nil && q.Reason != "" && w != cellOK && w != cellRefused {
				cc.Title += " (" + q.Reason + ")"
			}
			row.Cells = append(row.Cells, cc)
		}
		v.Rows = append(v.Rows, row)
	}
	v.Summary = plural(len(c.Reports), "élève", "élèves") + " : " +
		plural(counts[statusPassed], "sans échec", "sans échec") + ", " +
		plural(counts[statusIncomplete], "incomplet", "incomplets") + ", " +
		plural(counts[statusFailed], "en échec", "en échec") + ", " +
		plural(counts[statusRefused], "dossier refusé", "dossiers refusés") + "."
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
