package report

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Bareme gives each question of Lab its points.
type Bareme struct {
	Name   string             // "défaut", or the file's name
	Points map[string]float64 // by question ID; a question not listed is worth DefaultPoints
}

// DefaultPoints is what a question is worth when the barème does not say.
const DefaultPoints = 1

// DefaultBareme is one point per question.
func DefaultBareme() *Bareme { return &Bareme{Name: "défaut", Points: map[string]float64{}} }

// Of is what the question id is worth.
func (b *Bareme) Of(id string) float64 {
	if b == nil {
		return DefaultPoints
	}
	if p, ok := b.Points[id]; ok {
		return p
	}
	return DefaultPoints
}

// Total is the sum of every question's points.
func (b *Bareme) Total() float64 {
	t := 0.0
	for _, q := range Lab {
		t += b.Of(q.ID)
	}
	return t
}

// ReadBareme reads a barème file: one question a line, its ID then its
// points ("4.b 2", "4.b ; 2", "4.b = 0,5"); "#" starts a comment. A
// question not listed keeps one point.
func ReadBareme(path string) (*Bareme, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("barème %s illisible : %v", path, err)
	}
	b, err := ParseBareme(data)
	if err != nil {
		return nil, fmt.Errorf("barème %s : %v", path, err)
	}
	b.Name = filepath.Base(path)
	return b, nil
}

// ParseBareme reads a barème's text (ReadBareme).
func ParseBareme(data []byte) (*Bareme, error) {
	b := DefaultBareme()
	b.Name = "fichier"
	sc := bufio.NewScanner(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	n := 0
	for sc.Scan() {
		n++
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' || r == ';' || r == ':' || r == '=' })
		if len(f) != 2 {
			return nil, fmt.Errorf("ligne %d : « %s » : écrivez une question et ses points, par exemple « 4.b 2 »", n, line)
		}
		if LabQuestionByID(f[0]) == nil {
			return nil, fmt.Errorf("ligne %d : la question %s n'existe pas (questions : 3.a à 7.e)", n, f[0])
		}
		if _, dup := b.Points[f[0]]; dup {
			return nil, fmt.Errorf("ligne %d : la question %s est notée deux fois", n, f[0])
		}
		p, err := strconv.ParseFloat(strings.Replace(f[1], ",", ".", 1), 64)
		if err != nil || p < 0 || math.IsInf(p, 0) || math.IsNaN(p) {
			return nil, fmt.Errorf("ligne %d : « %s » n'est pas un nombre de points (0, 1, 2, 0,5…)", n, f[1])
		}
		b.Points[f[0]] = p
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if b.Total() == 0 {
		return nil, fmt.Errorf("toutes les questions valent 0 point")
	}
	return b, nil
}

// Grade sets each question's points from the barème, and the report's
// score and maximum. A refused folder scores 0 out of the whole barème; a
// question the checker could not check is left out of the maximum.
func (r *Report) Grade(b *Bareme) {
	if b == nil {
		b = DefaultBareme()
	}
	r.Bareme, r.bareme = b.Name, b
	r.Score, r.Max = 0, 0
	if r.Checker != "" {
		return // nothing is held against the student: no score, no maximum
	}
	if len(r.Refused) > 0 && len(r.Questions) == 0 {
		r.Max = b.Total()
		return
	}
	for i := range r.Questions {
		q := &r.Questions[i]
		q.Points = b.Of(q.ID)
		if !q.Checker {
			r.Max += q.Points
		}
		if len(r.Refused) == 0 {
			r.Score += q.Earned()
		}
	}
}

// pointsOf is a question's points in the barème the report was graded
// with: one point when it was not graded.
func (r *Report) pointsOf(id string) float64 {
	if r.bareme == nil {
		return DefaultPoints
	}
	return r.bareme.Of(id)
}

// Points says a number of points in French: "2", "0,5".
func Points(p float64) string {
	return strings.Replace(strconv.FormatFloat(p, 'f', -1, 64), ".", ",", 1)
}

// ScoreText is "14/21", or "14/20 (1 question non vérifiée par l'outil)".
func (r *Report) ScoreText() string {
	s := Points(r.Score) + "/" + Points(r.Max)
	n := 0
	for _, q := range r.Questions {
		if q.Checker {
			n++
		}
	}
	if n > 0 {
		s += " (" + Plural(n, "question", "questions") + " que l'outil n'a pas pu vérifier, hors barème)"
	}
	return s
}

// CheckerQuestions are the questions the checker itself could not check.
func (r *Report) CheckerQuestions() []string {
	var ids []string
	for _, q := range r.Questions {
		if q.Checker {
			ids = append(ids, q.ID)
		}
	}
	return ids
}

// ScriptsVersion names the version of the lab's scripts of exercises 3 to
// 7 under root (testdata/<exercise>.txtar): the first 12 hex digits of
// their SHA-256. Two reports with the same version were checked by the
// same scripts.
func ScriptsVersion(root string) (string, error) {
	h := sha256.New()
	for _, e := range Exercises() {
		data, err := os.ReadFile(filepath.Join(root, "testdata", e+".txtar"))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", e, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}
