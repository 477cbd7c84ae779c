// Package report holds « Vérifier mon TP »'s per-question report: how a
// student's own files answered each question of the lab (Report, Question),
// and its renderings: terminal text, a self-contained HTML page and JSON
// (render.go); a teacher's summary of a whole class, as CSV and as an HTML
// table (class.go). It runs nothing: the test runs fill it in.
//
// Every text a reader sees is in French.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Status is a question's outcome.
type Status string

const (
	OK           Status = "ok"           // ✅
	Fail         Status = "fail"         // ❌
	Unverifiable Status = "unverifiable" // « non vérifiable »: not reached, or depends on a failed question
)

// Question is one question of the lab as a student's files answered it.
type Question struct {
	ID          string   `json:"id"`                    // "3.c"
	Title       string   `json:"title"`                 // from the lab's script comment, French
	Status      Status   `json:"status"`                // OK, Fail or Unverifiable
	Reason      string   `json:"reason,omitempty"`      // French: why it failed, or why it is unverifiable ("dépend de 4.a, en échec")
	Command     string   `json:"command,omitempty"`     // the failing command as a student types it
	Expected    string   `json:"expected,omitempty"`    // what was expected, in words (French)
	Pattern     string   `json:"pattern,omitempty"`     // the regular expression, when the expectation is one
	Actual      string   `json:"actual,omitempty"`      // the first lines of what came out (at most MaxActualLines are shown)
	Hint        string   `json:"hint,omitempty"`        // where to look in the student's files ("Dockerfile, ligne 2 : FROM python:3.12")
	Differences []string `json:"differences,omitempty"` // « différent du rapport de l'auteur »: what differs from the author's run but is not required
	Needs       string   `json:"needs,omitempty"`       // French: what it depends on ("dépend de 3.c et 5.b", "suit 4.a"), from Lab
	// Checker: the checker itself could not check it (Docker unusable, a
	// tool's error, go test's time spent): never counted against the
	// student, its points are left out of the maximum.
	Checker bool    `json:"checker,omitempty"`
	Points  float64 `json:"points"` // what it is worth (the barème)
	Seconds float64 `json:"seconds"`
}

// Earned is what the question brings: its points when it passed.
func (q *Question) Earned() float64 {
	if q.Status == OK {
		return q.Points
	}
	return 0
}

// Report is one student's verification.
type Report struct {
	Student   string     `json:"student"`           // the folder's name
	Folder    string     `json:"folder"`            // the folder's path, as given
	Date      string     `json:"date"`              // RFC 3339
	Engine    string     `json:"engine"`            // "Docker 29.8.0 (containerd)"; with a Docker context name when not the default
	Refused   []string   `json:"refused,omitempty"` // why the folder was refused before anything ran: then Questions may be empty
	Skipped   string     `json:"skipped,omitempty"` // French: which exercises do not depend on the student's files (1, 2, 8) and are not run
	Checker   string     `json:"checker,omitempty"` // French: why the checker itself could not check this folder (never the student's fault)
	Scripts   string     `json:"scripts,omitempty"` // the version of the lab's scripts that checked it (ScriptsVersion)
	Digest    string     `json:"digest,omitempty"`  // the student's folder as it was checked (submission.Digest)
	Bareme    string     `json:"bareme,omitempty"`  // the barème's name: "défaut" (one point per question) or its file's
	Score     float64    `json:"score"`             // the points earned
	Max       float64    `json:"max"`               // the points that could be earned: every question's, but those the checker could not check
	Questions []Question `json:"questions"`
	Seconds   float64    `json:"seconds"`

	bareme *Bareme // the barème Grade was given, for what the questions do not carry (a refused folder's)
}

// MaxActualLines is how many lines of a question's output the renderings
// show; the rest is counted, not shown.
const MaxActualLines = 12

// Passed tells whether no question failed and the folder was not refused.
// Unverifiable questions do not make a report fail.
func (r *Report) Passed() bool {
	if len(r.Refused) > 0 || r.Checker != "" {
		return false
	}
	for _, q := range r.Questions {
		if q.Status == Fail {
			return false
		}
	}
	return true
}

// Counts counts the questions by status. A status that is none of the
// three known ones counts as unverifiable.
func (r *Report) Counts() (ok, fail, unverifiable int) {
	for _, q := range r.Questions {
		switch q.Status {
		case OK:
			ok++
		case Fail:
			fail++
		default:
			unverifiable++
		}
	}
	return ok, fail, unverifiable
}

// JSON is the report as indented JSON, with a final newline. A report
// without questions has "questions": [], never null.
func (r *Report) JSON() ([]byte, error) {
	c := *r
	if c.Questions == nil {
		c.Questions = []Question{}
	}
	b, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// ReadJSON reads a report written by JSON. It refuses unknown fields and
// unknown statuses, so that a report from another version of the tool is
// not half read. An empty list of questions reads back as nil, as JSON
// writes a nil one.
func ReadJSON(data []byte) (*Report, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Report
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("rapport illisible : %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("rapport illisible : du texte suit le rapport")
	}
	for _, q := range r.Questions {
		switch q.Status {
		case OK, Fail, Unverifiable:
		default:
			return nil, fmt.Errorf("rapport illisible : statut inconnu %q pour la question %s", q.Status, q.ID)
		}
	}
	if len(r.Questions) == 0 {
		r.Questions = nil
	}
	return &r, nil
}

// CompareIDs compares two question IDs in the lab's order: runs of digits
// compare as numbers, the rest as text, so "3.a" < "3.b" < "4.a" < "10.a".
// It returns -1, 0 or +1, as cmp.Compare.
func CompareIDs(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ai, bj := isDigit(a[i]), isDigit(b[j])
		switch {
		case ai && bj:
			ei, ej := digitsEnd(a, i), digitsEnd(b, j)
			na := strings.TrimLeft(a[i:ei], "0")
			nb := strings.TrimLeft(b[j:ej], "0")
			if len(na) != len(nb) {
				if len(na) < len(nb) {
					return -1
				}
				return 1
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			i, j = ei, ej
		case ai != bj:
			// A number sorts before text: "3" before "a".
			if ai {
				return -1
			}
			return 1
		default:
			if a[i] != b[j] {
				if a[i] < b[j] {
					return -1
				}
				return 1
			}
			i++
			j++
		}
	}
	switch {
	case len(a)-i < len(b)-j:
		return -1
	case len(a)-i > len(b)-j:
		return 1
	}
	return strings.Compare(a, b) // "03.a" and "3.a": still a total order
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digitsEnd(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// sortedQuestions is a copy of r's questions in the lab's order; questions
// with the same ID keep their order.
func (r *Report) sortedQuestions() []Question {
	qs := slices.Clone(r.Questions)
	slices.SortStableFunc(qs, func(a, b Question) int { return CompareIDs(a.ID, b.ID) })
	return qs
}
