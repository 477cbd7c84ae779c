package report

// The grade book: the lab's table of questions, the barème, eleves.csv,
// classe.csv read as Moodle's CSV grade import reads it, and each
// student's JUnit XML read by a JUnit reader.

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	junit "github.com/joshdk/go-junit"
)

func TestLab(t *testing.T) {
	if err := checkLab(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(Exercises(), " "); got != "ex3-build ex4-run ex5-compose ex6-postgres ex7-debug" {
		t.Errorf("Exercises() = %s", got)
	}
	for ex, want := range map[string]string{
		"ex3-build": "3.b", "ex4-run": "3.a 3.c", "ex5-compose": "3.a 3.c 5.b", "ex6-postgres": "3.c 5.b", "ex7-debug": "3.a 3.c 5.b",
	} {
		if got := strings.Join(ExerciseNeeds(ex), " "); got != want {
			t.Errorf("ExerciseNeeds(%s) = %s ; want %s", ex, got, want)
		}
	}
	for id, want := range map[string]string{"3.a": "", "3.c": "dépend de 3.b", "4.a": "dépend de 3.a et 3.c", "4.b": "après 4.a", "5.c": "dépend de 3.a, 3.c et 5.b, après 5.a", "5.b": ""} {
		if got := NeedsText(id); got != want {
			t.Errorf("NeedsText(%s) = %q ; want %q", id, got, want)
		}
	}
}

func TestBareme(t *testing.T) {
	b, err := ParseBareme([]byte("\ufeff# barème du groupe B\n4.b 2\n5.b ; 3\n7.e = 0,5\n\n6.d:0\n"))
	if err != nil {
		t.Fatal(err)
	}
	if b.Of("4.b") != 2 || b.Of("5.b") != 3 || b.Of("7.e") != 0.5 || b.Of("6.d") != 0 || b.Of("3.a") != 1 || b.Total() != 21-4+5.5 {
		t.Errorf("barème lu : %v, total %v", b.Points, b.Total())
	}
	for text, want := range map[string]string{
		"4.b":          "ligne 1 : « 4.b » : écrivez une question et ses points",
		"9.z 2":        "la question 9.z n'existe pas",
		"4.b deux":     "« deux » n'est pas un nombre de points",
		"4.b -1":       "« -1 » n'est pas un nombre de points",
		"4.b 1\n4.b 2": "ligne 2 : la question 4.b est notée deux fois",
	} {
		if _, err := ParseBareme([]byte(text)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q : %v ; want %q", text, err, want)
		}
	}
	all0 := ""
	for _, q := range Lab {
		all0 += q.ID + " 0\n"
	}
	if _, err := ParseBareme([]byte(all0)); err == nil {
		t.Error("a barème where every question is worth 0 is accepted")
	}

	r := &Report{Questions: []Question{
		{ID: "4.b", Status: OK}, {ID: "5.b", Status: Fail}, {ID: "7.e", Status: Unverifiable},
		{ID: "6.d", Status: Unverifiable, Checker: true}, {ID: "3.a", Status: Unverifiable, Checker: true},
	}}
	r.Grade(b)
	if r.Score != 2 || r.Max != 5.5 {
		t.Errorf("note %v/%v ; want 2/5.5 (the checker's questions left out)", r.Score, r.Max)
	}
	if got := r.ScoreText(); got != "2/5,5 (2 questions que l'outil n'a pas pu vérifier, hors barème)" {
		t.Errorf("ScoreText() = %q", got)
	}
	refused := &Report{Refused: []string{"privileged"}}
	refused.Grade(b)
	if refused.Score != 0 || refused.Max != b.Total() {
		t.Errorf("refused: %v/%v", refused.Score, refused.Max)
	}
	broken := &Report{Checker: "le moteur ne répond pas"}
	broken.Grade(nil)
	if broken.Score != 0 || broken.Max != 0 || broken.Passed() {
		t.Errorf("checker's failure: %v/%v, passed %v", broken.Score, broken.Max, broken.Passed())
	}
}

func TestParseStudents(t *testing.T) {
	ids, col, err := ParseStudents([]byte("\ufeffNom;Dossier;Email\nAlice Martin;alice;alice@lycee.fr\n;;\nBob;bob;bob@lycee.fr\n"))
	if err != nil || col != "email" || ids["alice"] != "alice@lycee.fr" || ids["bob"] != "bob@lycee.fr" || len(ids) != 2 {
		t.Errorf("ParseStudents : %v %q %v", ids, col, err)
	}
	if ids, col, err := ParseStudents([]byte("dossier,idnumber\nalice,2024-017\n")); err != nil || col != "idnumber" || ids["alice"] != "2024-017" {
		t.Errorf("idnumber : %v %q %v", ids, col, err)
	}
	for text, want := range map[string]string{
		"dossier,nom\nalice,Alice\n":            "il faut une colonne dossier et une colonne email ou idnumber",
		"dossier,email\n":                       "aucun élève",
		"dossier,email\nalice,a@x\nalice,b@x\n": "ligne 3 : le dossier alice est donné deux fois",
		"dossier,email\nalice,a@x\nbob,a@x\n":   "ligne 3 : email a@x est déjà celui du dossier alice",
		"dossier,email\nalice,\n":               "ligne 2 : il manque le dossier ou l'email",
		"dossier,email\nal\xe9ice,a@x\n":        "UTF-8",
	} {
		if _, _, err := ParseStudents([]byte(text)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q : %v ; want %q", text, err, want)
		}
	}
}

// moodleImport reads a CSV as Moodle's « Importer des notes » (CSV) does:
// csv_import_reader (UTF-8, a byte order mark dropped, commas, a header of
// non-empty, distinct names, the same number of columns on every line),
// then the mapping: a column mapped to the users' email, columns mapped to
// grade items (empty: no grade; otherwise a number with a point, at most
// the item's maximum), one to feedback. It returns each user's grades.
func moodleImport(data []byte, users []string, mapFrom string, items map[string]float64, feedback string) (map[string]map[string]string, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = 0 // every line as long as the header
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("csvloaderror: %v", err)
	}
	seen := map[string]bool{}
	for _, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, errors.New("csvemptyfieldname")
		}
		if seen[h] {
			return nil, fmt.Errorf("duplicatefieldname: %s", h)
		}
		seen[h] = true
	}
	col := func(name string) int { return slices.Index(header, name) }
	if col(mapFrom) < 0 || col(feedback) < 0 {
		return nil, errors.New("mapping: no such column")
	}
	number := regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	out := map[string]map[string]string{}
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("csvweirdcolumns: %v", err)
		}
		user := strings.TrimSpace(row[col(mapFrom)])
		if !slices.Contains(users, user) {
			return nil, fmt.Errorf("usermappingerror: %q", user)
		}
		if out[user] != nil {
			return nil, fmt.Errorf("duplicate user %q", user)
		}
		grades := map[string]string{"feedback": row[col(feedback)]}
		for item, maxGrade := range items {
			i := col(item)
			if i < 0 {
				return nil, fmt.Errorf("mapping: no column %s", item)
			}
			v := strings.TrimSpace(row[i])
			if v == "" {
				continue
			}
			if !number.MatchString(v) {
				return nil, fmt.Errorf("badgrade: %s %s %q", user, item, v)
			}
			if f, _ := strconv.ParseFloat(v, 64); f > maxGrade {
				return nil, fmt.Errorf("grade above maximum: %s %s %v > %v", user, item, f, maxGrade)
			}
			grades[item] = v
		}
		out[user] = grades
	}
	return out, nil
}

func TestClassCSVMoodle(t *testing.T) {
	b := &Bareme{Name: "b.txt", Points: map[string]float64{"4.b": 2, "5.c": 0.5}}
	pass := &Report{Student: "alice", Date: "2026-03-01T14:05:09+01:00"}
	for _, q := range Lab {
		pass.Questions = append(pass.Questions, Question{ID: q.ID, Title: q.Title, Status: OK})
	}
	fail := &Report{Student: "bob", Date: pass.Date, Questions: slices.Clone(pass.Questions)}
	fail.Questions[4].Status, fail.Questions[4].Reason = Fail, "aucune ligne ne correspond"
	fail.Questions[5].Status = Unverifiable
	fail.Questions[16].Status, fail.Questions[16].Checker = Unverifiable, true
	refusedR := &Report{Student: "chloé", Refused: []string{"privileged: true"}}
	broken := &Report{Student: "dan", Checker: "le moteur ne répond pas"}
	c := &Class{Reports: []*Report{pass, fail, refusedR, broken}, Identifiers: map[string]string{"alice": "alice@lycee.fr", "bob": "bob@lycee.fr", "chloé": "chloe@lycee.fr", "dan": "dan@lycee.fr"}}
	for _, r := range c.Reports {
		r.Grade(b)
	}
	items := map[string]float64{CSVTotal: b.Total()}
	for _, q := range Lab {
		items[q.ID] = b.Of(q.ID)
	}
	got, err := moodleImport(c.CSV(), []string{"alice@lycee.fr", "bob@lycee.fr", "chloe@lycee.fr", "dan@lycee.fr"}, CSVIdentifier, items, CSVFeedback)
	if err != nil {
		t.Fatalf("%v\n%s", err, c.CSV())
	}
	for user, want := range map[string]map[string]string{
		"alice@lycee.fr": {"total": "21.5", "4.b": "2", "5.c": "0.5", "7.a": "1"},
		"bob@lycee.fr":   {"total": "17.5", "4.b": "0", "4.c": "0", "4.d": "1", "7.a": ""},
		"chloe@lycee.fr": {"total": "0", "4.b": "0", "7.e": "0"},
		"dan@lycee.fr":   {"total": "", "4.b": ""},
	} {
		for item, v := range want {
			if got[user][item] != v {
				t.Errorf("%s %s = %q ; want %q", user, item, got[user][item], v)
			}
		}
	}
	if fb := got["bob@lycee.fr"]["feedback"]; !strings.Contains(fb, "En échec : 4.b. Non vérifiables à cause d'un échec : 4.c.") || !strings.Contains(fb, "Non vérifiées par l'outil, hors note : 7.a.") {
		t.Errorf("bob's feedback: %q", fb)
	}
	if fb := got["dan@lycee.fr"]["feedback"]; !strings.Contains(fb, "pas de votre fait") {
		t.Errorf("dan's feedback: %q", fb)
	}
	// Without eleves.csv, the folder's name maps to the username.
	c.Identifiers = nil
	if _, err := moodleImport(c.CSV(), []string{"alice", "bob", "chloé", "dan"}, CSVIdentifier, items, CSVFeedback); err != nil {
		t.Error(err)
	}
}

func TestJUnit(t *testing.T) {
	r := sample()
	r.Questions = append(r.Questions, Question{ID: "7.a", Title: "les logs", Status: Unverifiable, Checker: true, Reason: "Docker n'a pas pu être utilisé."})
	r.Questions[2].Actual = strings.Repeat("é", 3000) // 6000 bytes
	r.Grade(nil)
	data, err := r.JUnit()
	if err != nil {
		t.Fatal(err)
	}
	suites, err := junit.Ingest(data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	cases := map[string]junit.Test{}
	n := 0
	for _, s := range suites {
		for _, c := range s.Tests {
			cases[strings.Fields(c.Name)[0]] = c
			n++
		}
	}
	if n != len(r.Questions) {
		t.Errorf("%d testcases ; want %d\n%s", n, len(r.Questions), data)
	}
	for id, want := range map[string]junit.Status{"3.a": junit.StatusPassed, "4.b": junit.StatusFailed, "4.c": junit.StatusSkipped, "7.a": junit.StatusError, "10.a": junit.StatusPassed} {
		if c, ok := cases[id]; !ok || c.Status != want {
			t.Errorf("%s : %v ; want %v", id, c.Status, want)
		}
	}
	b := cases["4.b"]
	if b.Classname != "tpdocker.ex4_run" || b.Properties["file"] != "app.py" || b.Properties["line"] != "9" {
		t.Errorf("4.b : classname %q, attributes %v", b.Classname, b.Properties)
	}
	var e junit.Error
	if !errors.As(b.Error, &e) || e.Message != "4.b échouée : la réponse n'est pas celle attendue." || !strings.Contains(e.Body, "commande : curl http://localhost:8000/health") {
		t.Errorf("4.b's failure: %#v", b.Error)
	}
	// The points, as properties of the testcase (which this reader skips).
	var doc junitSuites
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var props []junitProperty
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if strings.HasPrefix(c.Name, "4.b ") {
				props = c.Properties
			}
		}
	}
	if !slices.Equal(props, []junitProperty{{"points", "1"}, {"obtenus", "0"}}) {
		t.Errorf("4.b's properties: %v", props)
	}
	if len(b.SystemOut) > junitMaxOutput+100 || !strings.Contains(b.SystemOut, "octets de plus") {
		t.Errorf("4.b's output is not cut: %d bytes", len(b.SystemOut))
	}
	if !bytes.Contains(data, []byte(`file="app.py" line="9"`)) {
		t.Errorf("no file and line for 4.b:\n%s", data)
	}
	// A refused folder: every question of the lab, failed with its reason,
	// worth its points in the teacher's barème.
	ref := refused()
	ref.Grade(&Bareme{Name: "b.txt", Points: map[string]float64{"4.b": 2}})
	data, err = ref.JUnit()
	if err != nil {
		t.Fatal(err)
	}
	suites, err = junit.Ingest(data)
	if err != nil {
		t.Fatal(err)
	}
	n = 0
	for _, s := range suites {
		n += s.Totals.Failed
	}
	if n != len(Lab) {
		t.Errorf("refused: %d failures ; want %d", n, len(Lab))
	}
	doc = junitSuites{}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	points := map[string]string{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			points[strings.Fields(c.Name)[0]] = c.Properties[0].Value + "/" + c.Properties[1].Value
		}
	}
	if points["4.b"] != "2/0" || points["4.a"] != "1/0" {
		t.Errorf("refused: points (worth/earned) %v ; want 4.b 2/0 and 4.a 1/0", points)
	}
}
