package report

// What goes to a school's tools: the folders mapped to the students of a
// grade book (eleves.csv), and each student's JUnit XML, as GitLab CI,
// Jenkins or CodeGrade read it.

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ReadStudents reads eleves.csv: a header line naming its columns, dossier
// and the identifier to give the grade book, email or idnumber (as Moodle
// names them); then one line per student. Commas or semicolons separate
// the columns. It returns the identifier of each folder, and which column
// it is.
func ReadStudents(path string) (map[string]string, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("%s illisible : %v", path, err)
	}
	ids, col, err := ParseStudents(data)
	if err != nil {
		return nil, "", fmt.Errorf("%s : %v", path, err)
	}
	return ids, col, nil
}

// ParseStudents reads the text of eleves.csv (ReadStudents).
func ParseStudents(data []byte) (map[string]string, string, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		return nil, "", fmt.Errorf("le fichier n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 »")
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	r.TrimLeadingSpace = true
	rows, err := r.ReadAll()
	if err != nil {
		return nil, "", fmt.Errorf("CSV illisible : %v", err)
	}
	if len(rows) < 2 {
		return nil, "", fmt.Errorf("aucun élève : une ligne d'en-tête (dossier,email ou dossier,idnumber), puis une ligne par élève")
	}
	folderCol, idCol, idName := -1, -1, ""
	for i, h := range rows[0] {
		switch h = strings.ToLower(strings.TrimSpace(h)); h {
		case "dossier":
			folderCol = i
		case "email", "idnumber":
			if idCol < 0 || h == "email" {
				idCol, idName = i, h
			}
		}
	}
	if folderCol < 0 || idCol < 0 {
		return nil, "", fmt.Errorf("en-tête %q : il faut une colonne dossier et une colonne email ou idnumber (par exemple « dossier,email »)", strings.Join(rows[0], ","))
	}
	ids := map[string]string{}
	seen := map[string]string{}
	for n, row := range rows[1:] {
		folder, id := strings.TrimSpace(row[folderCol]), strings.TrimSpace(row[idCol])
		switch {
		case folder == "" && id == "":
			continue
		case folder == "" || id == "":
			return nil, "", fmt.Errorf("ligne %d : il manque le dossier ou l'%s", n+2, idName)
		case ids[folder] != "":
			return nil, "", fmt.Errorf("ligne %d : le dossier %s est donné deux fois", n+2, folder)
		case seen[id] != "":
			return nil, "", fmt.Errorf("ligne %d : %s %s est déjà celui du dossier %s", n+2, idName, id, seen[id])
		}
		ids[folder], seen[id] = id, folder
	}
	return ids, idName, nil
}

// JUnit XML: the elements GitLab CI, Jenkins and CodeGrade read.
type junitSuites struct {
	XMLName xml.Name `xml:"testsuites"`
	Name    string   `xml:"name,attr"`
	junitCounts
	Time   string       `xml:"time,attr"`
	Suites []junitSuite `xml:"testsuite"`
}

// junitCounts are the testcases of a suite, or of all, by outcome.
type junitCounts struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Skipped  int `xml:"skipped,attr"`
}

func (c *junitCounts) add(o junitCounts) {
	c.Tests, c.Failures, c.Errors, c.Skipped = c.Tests+o.Tests, c.Failures+o.Failures, c.Errors+o.Errors, c.Skipped+o.Skipped
}

type junitSuite struct {
	Name string `xml:"name,attr"`
	junitCounts
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name       string          `xml:"name,attr"`
	Classname  string          `xml:"classname,attr"`
	Time       string          `xml:"time,attr"`
	File       string          `xml:"file,attr,omitempty"`
	Line       string          `xml:"line,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Failure    *junitMessage   `xml:"failure"`
	Error      *junitMessage   `xml:"error"`
	Skipped    *junitMessage   `xml:"skipped"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// junitMaxOutput is how much of a failed command's output goes into
// system-out.
const junitMaxOutput = 4000

var hintFileLine = regexp.MustCompile(`^([\w./-]+), ligne (\d+)`)

// JUnit is the report as JUnit XML: one testsuite per exercise (its
// classname), one testcase per question, named by the question; a failure
// with its French message, « non vérifiable » as skipped, a question the
// checker could not check as an error; the student's file and line in
// file and line when the hint names one; the points as properties; the
// output cut at 4000 characters. A refused folder fails every question
// with its reason.
func (r *Report) JUnit() ([]byte, error) {
	all := &junitSuites{Name: "TP Docker — " + r.Student, Time: seconds(r.Seconds)}
	suites := map[string]*junitSuite{}
	var order []string
	questions := r.sortedQuestions()
	if len(questions) == 0 {
		for _, q := range Lab {
			questions = append(questions, Question{ID: q.ID, Title: q.Title, Points: r.pointsOf(q.ID), Status: Unverifiable})
		}
	}
	for _, q := range questions {
		ex := "questions"
		if lq := LabQuestionByID(q.ID); lq != nil {
			ex = lq.Exercise
		}
		s := suites[ex]
		if s == nil {
			s = &junitSuite{Name: ex, Timestamp: r.Date}
			suites[ex] = s
			order = append(order, ex)
		}
		c := junitCase{Name: q.ID + " " + q.Title, Classname: "tpdocker." + strings.ReplaceAll(ex, "-", "_"), Time: seconds(q.Seconds)}
		if m := hintFileLine.FindStringSubmatch(q.Hint); m != nil {
			c.File, c.Line = m[1], m[2]
		}
		c.Properties = []junitProperty{{"points", gradeNumber(q.Points)}, {"obtenus", gradeNumber(q.Earned())}}
		switch {
		case r.Checker != "":
			c.Error = &junitMessage{Message: "non vérifié par l'outil : " + firstSentence(r.Checker), Type: "outil"}
			s.Errors++
		case len(r.Refused) > 0:
			c.Properties[1].Value = "0"
			c.Failure = &junitMessage{Message: "dossier refusé : " + firstSentence(r.Refused[0]), Type: "refus", Text: strings.Join(r.Refused, "\n")}
			s.Failures++
		case q.Status == Fail:
			c.Failure = &junitMessage{Message: q.ID + " échouée : " + firstSentence(q.Reason), Type: "échec", Text: failureText(q)}
			c.SystemOut = truncate(q.Actual, junitMaxOutput)
			s.Failures++
		case kind(q.Status) == Unverifiable && q.Checker:
			c.Error = &junitMessage{Message: "non vérifiable par l'outil, hors barème : " + firstSentence(q.Reason), Type: "outil"}
			s.Errors++
		case kind(q.Status) == Unverifiable:
			c.Skipped = &junitMessage{Message: "non vérifiable : " + firstSentence(q.Reason)}
			s.Skipped++
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	for _, ex := range order {
		s := suites[ex]
		t := 0.0
		for _, c := range s.Cases {
			f, _ := strconv.ParseFloat(c.Time, 64)
			t += f
		}
		s.Time = seconds(t)
		all.add(s.junitCounts)
		all.Suites = append(all.Suites, *s)
	}
	if len(all.Suites) > 0 {
		all.Suites[0].Properties = []junitProperty{{"note", gradeNumber(r.Score)}, {"maximum", gradeNumber(r.Max)}, {"barème", r.Bareme}, {"scripts", r.Scripts}}
	}
	b, err := xml.MarshalIndent(all, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(append([]byte(xml.Header), b...), '\n'), nil
}

// failureText is a failure's details in text: command, expected, hint.
func failureText(q Question) string {
	var b strings.Builder
	for _, f := range [][2]string{{"raison", q.Reason}, {"commande", q.Command}, {"attendu", q.Expected}, {"motif", q.Pattern}, {"indice", q.Hint}} {
		if f[1] != "" {
			fmt.Fprintf(&b, "%s : %s\n", f[0], f[1])
		}
	}
	return b.String()
}

// truncate keeps at most n bytes of s, cut on a rune, and says so.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("\n… (%d octets de plus)", len(s)-cut)
}
