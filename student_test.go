package tpdocker_test

// The student mode: go test -rendu DIR checks a student's own files (app.py,
// Dockerfile, docker-compose.yml) with the lab's scripts, question by
// question, and writes a report in French (terminal, HTML, JSON).
//
//	go test -rendu ../mon-tp                 one student's folder
//	go test -rendu ../mon-tp -sortie rapport where the reports go
//
// The folder is read first (internal/submission): a hostile or broken one
// is refused before anything runs, and the requirements that can be read
// in the files (3.a, 3.b, 5.b) are checked there. The scripts of the
// exercises that use the files (3 to 7) then run one after another on a
// copy of them; an [auteur] assertion only notes a difference
// (scriptcmd.StudentScript). A failed question makes the ones that depend
// on it « non vérifiable ». A whole class is checked by cmd/classe, which
// runs this mode for each student.

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"

	"tpdocker/internal/record"
	"tpdocker/internal/report"
	"tpdocker/internal/scriptcmd"
	"tpdocker/internal/submission"
)

var (
	studentDir    = flag.String("rendu", "", "check a student's folder (app.py, Dockerfile, docker-compose.yml) with the lab's scripts, instead of the author's files")
	studentOut    = flag.String("sortie", "", "with -rendu: the folder the reports are written to (default out/rendus/NAME)")
	studentBareme = flag.String("bareme", "", "with -rendu: a barème file, one question and its points a line (\"4.b 2\"); one point per question by default")
	studentLimit  = flag.Duration("limite", 4*time.Minute, "with -rendu: the time limit of one exercise, after which its running command is stopped")
)

// studentWait is how long a wait (waithttp, waitpg) lasts in the student
// mode, when the script gives no limit: an API that never answers costs a
// minute, or the exercise's limit (-limite) when it is shorter.
var studentWait = time.Minute

// student is the student mode's state: the folder, once accepted.
var student struct {
	sub    *submission.Submission
	bareme *report.Bareme
}

// studentScripts are the exercises that use the student's files, in the
// lab's order: the image (3), run (4), Compose (5), PostgreSQL in Compose
// (6), debugging the Compose stack (7). Each runs when what it needs
// passed (report.Lab, report.ExerciseNeeds), whatever happened to the
// exercises before it.
var studentScripts = report.Exercises()

// notRun says which exercises the student mode leaves out, and why.
const notRun = "Exercices 1, 2 et 8 : ils ne dépendent pas de vos fichiers (images hello-world et alpine, questions de réflexion), ils ne sont pas lancés."

// hintFrom: where to look for a question that fails at run time, when the
// files say nothing of it themselves: the question whose file lines tell.
var hintFrom = map[string]string{
	"3.c": "3.b", "4.b": "3.a", "4.c": "4.a", "5.c": "5.b", "5.d": "3.a",
	"6.a": "5.b", "6.b": "5.b", "6.c": "5.b", "7.a": "3.a", "7.c": "3.a", "7.d": "3.a",
}

func runStudent() int {
	begin := time.Now()
	started := begin // go test's -timeout counts from here
	abs, err := filepath.Abs(*studentDir)
	if err != nil {
		abs = *studentDir
	}
	rep := &report.Report{Student: filepath.Base(abs), Folder: *studentDir, Date: begin.Format(time.RFC3339)}
	out := *studentOut
	if out == "" {
		out = filepath.Join("out", "rendus", rep.Student)
	}
	studentWait = min(studentWait, *studentLimit)
	if *update {
		fmt.Println("tpdocker: -rendu vérifie un rendu d'élève ; il ne réécrit pas les enregistrements du site : retirez -update.")
		return 2
	}
	bareme := report.DefaultBareme()
	if *studentBareme != "" {
		if bareme, err = report.ReadBareme(*studentBareme); err != nil {
			fmt.Printf("tpdocker: %v\n", err)
			return 2
		}
	}
	student.bareme = bareme
	if v, err := report.ScriptsVersion("."); err == nil {
		rep.Scripts = v
	}
	if submission.Within(out, abs) {
		fmt.Printf("tpdocker: -sortie %s est dans le dossier de l'élève, qui n'est jamais modifié : choisissez un autre dossier.\n", out)
		return 2
	}
	sub, err := submission.Load(*studentDir)
	if err != nil {
		var ref *submission.Refusal
		if errors.As(err, &ref) {
			rep.Refused = ref.Reasons
		} else {
			rep.Refused = []string{err.Error()}
		}
		return endStudent(rep, out, begin)
	}
	student.sub = sub
	rep.Student = sub.Name
	rep.Skipped = notRun

	qs, scripts, err := studentQuestions()
	if err != nil {
		fmt.Println("tpdocker:", err)
		return 1
	}
	rep.Questions = qs
	byID := map[string]*report.Question{}
	for i := range rep.Questions {
		byID[rep.Questions[i].ID] = &rep.Questions[i]
	}
	hints := sub.Hints()
	for _, c := range sub.Checks {
		q := byID[c.Question]
		if q == nil {
			continue
		}
		if c.OK {
			if q.Status == "" {
				q.Status = report.OK
			}
			continue
		}
		q.Status = report.Fail
		q.Reason = joinSentences(q.Reason, c.Message)
		if c.File != "" && !strings.Contains(c.Message, c.File) {
			q.Hint = joinSentences(q.Hint, fileLine(c.File, c.Line)+".")
		}
	}

	if err := startSuite(); err != nil {
		// What the files said is kept; the rest could not run.
		fmt.Println("tpdocker:", err)
		for i := range rep.Questions {
			if q := &rep.Questions[i]; q.Status == "" {
				q.Status, q.Reason, q.Checker = report.Unverifiable, "Docker n'a pas pu être utilisé (voir le message au-dessus du rapport).", true
			}
		}
		endStudent(rep, out, begin)
		return 1
	}
	rep.Engine = engineLabel()
	begin = time.Now() // the report's time: the check's, not the wait for the engine
	work, err := os.MkdirTemp(os.Getenv("GOTMPDIR"), "tpdocker-rendu-")
	if err != nil {
		fmt.Println("tpdocker:", err)
		finishSuite()
		return 1
	}
	suite.mu.Lock()
	suite.workDirs = append(suite.workDirs, work)
	suite.mu.Unlock()
	defer os.RemoveAll(work)

	// go test's own -timeout (10 minutes by default) ends the whole run:
	// the exercises stop early enough for the report to be written.
	end := time.Time{}
	if f := flag.Lookup("test.timeout"); f != nil {
		if d, ok := f.Value.(flag.Getter).Get().(time.Duration); ok && d > 0 {
			end = started.Add(d - 90*time.Second)
		}
	}
	for _, name := range studentScripts {
		checker := false
		reason := ""
		if need := blockedBy(name, byID); need != nil {
			checker = need.Checker
			if need.Status == report.Fail {
				reason = fmt.Sprintf("dépend de la question %s, en échec ; corrigez-la d'abord.", need.ID)
			} else {
				reason = fmt.Sprintf("dépend de la question %s, non vérifiable.", need.ID)
			}
		} else if !end.IsZero() && time.Until(end) < time.Minute {
			checker = true
			reason = "le temps de go test est épuisé (lancez go test -timeout 30m -rendu …)."
		}
		if reason != "" {
			for _, id := range scripts[name].questions {
				if q := byID[id]; q.Status == "" {
					q.Status, q.Reason, q.Checker = report.Unverifiable, reason, checker
				}
			}
			continue
		}
		deadline := time.Now().Add(*studentLimit)
		if !end.IsZero() && end.Before(deadline) {
			deadline = end
		}
		res := runStudentScript(work, name, scripts[name].src, deadline)
		applyStudentRun(res, scripts[name], byID, hints)
	}
	finishSuite()
	return endStudent(rep, out, begin)
}

// endStudent writes the reports, prints the terminal one, and gives the exit
// code: 0 when every question that can be checked passed.
func endStudent(rep *report.Report, out string, begin time.Time) int {
	rep.Seconds = time.Since(begin).Seconds()
	rep.Grade(student.bareme)
	fmt.Print(rep.Text())
	if err := writeReports(rep, out); err != nil {
		fmt.Println("tpdocker: rapport non écrit :", err)
		return 1
	}
	fmt.Printf("Rapports : %s, %s, %s et %s\n", filepath.Join(out, "rapport.html"), filepath.Join(out, "rapport.json"), filepath.Join(out, "rapport.txt"), filepath.Join(out, "rapport.junit.xml"))
	if !rep.Passed() {
		return 1
	}
	return 0
}

func writeReports(rep *report.Report, out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	html, err := rep.HTML()
	if err != nil {
		return err
	}
	js, err := rep.JSON()
	if err != nil {
		return err
	}
	junit, err := rep.JUnit()
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{"rapport.html": html, "rapport.json": js, "rapport.txt": []byte(rep.Text()), "rapport.junit.xml": junit} {
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func engineLabel() string {
	s := fmt.Sprintf("Docker %s (%s)", suite.info.Engine, suite.info.Store)
	if c := os.Getenv("DOCKER_CONTEXT"); c != "" && c != "default" {
		s += ", contexte " + c
	}
	return s
}

func fileLine(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s, ligne %d", file, line)
	}
	return file
}

func joinSentences(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "" || strings.Contains(a, b):
		return a
	}
	return a + " " + b
}

// blockedBy is the first question an exercise needs (report.ExerciseNeeds)
// that did not pass, or nil when the exercise can run.
func blockedBy(exercise string, byID map[string]*report.Question) *report.Question {
	for _, id := range report.ExerciseNeeds(exercise) {
		if q := byID[id]; q != nil && q.Status != report.OK {
			return q
		}
	}
	return nil
}

// studentScript is a script of the student mode: its text and the
// questions its lines belong to.
type studentScript struct {
	name      string
	src       string   // as in testdata
	questions []string // in order
	lineQs    [][]string
	first     map[string]int // the first line of a command of each question
	last      map[string]int // the last line of a command of each question
}

var questionComment = regexp.MustCompile(`^#\s*Questions?\s+(\d+\.[a-z](?:(?:,\s*|\s+et\s+)\d+\.[a-z])*)\b`)
var questionID = regexp.MustCompile(`\d+\.[a-z]`)

// parseStudentScript reads which question each line of a script belongs
// to: the last "# Question X.y" comment above it; the lines before the
// first one (the exercise's set-up) belong to the first.
func parseStudentScript(name, src string) studentScript {
	s := studentScript{name: name, src: src}
	lines := strings.Split(src, "\n")
	s.lineQs = make([][]string, len(lines)+1)
	var cur []string
	seen := map[string]bool{}
	for i, l := range lines {
		if strings.HasPrefix(l, "-- ") {
			break
		}
		if m := questionComment.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			cur = questionID.FindAllString(m[1], -1)
			for _, id := range cur {
				if !seen[id] {
					seen[id] = true
					s.questions = append(s.questions, id)
				}
			}
		}
		s.lineQs[i+1] = cur
	}
	if len(s.questions) > 0 {
		for i := 1; i < len(s.lineQs) && s.lineQs[i] == nil; i++ {
			s.lineQs[i] = s.questions[:1]
		}
	}
	s.first, s.last = map[string]int{}, map[string]int{}
	for i, l := range lines {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "-- ") {
			break
		} else if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		for _, id := range s.lineQs[i+1] {
			if s.first[id] == 0 {
				s.first[id] = i + 1
			}
			s.last[id] = i + 1
		}
	}
	return s
}

// studentQuestions lists the questions of the student mode, each with its
// title, and reads the scripts.
func studentQuestions() ([]report.Question, map[string]studentScript, error) {
	scripts := map[string]studentScript{}
	for _, name := range studentScripts {
		src, err := os.ReadFile(filepath.Join("testdata", name+".txtar"))
		if err != nil {
			return nil, nil, err
		}
		scripts[name] = parseStudentScript(name, string(src))
	}
	var qs []report.Question
	for _, q := range report.Lab {
		qs = append(qs, report.Question{ID: q.ID, Title: q.Title, Needs: report.NeedsText(q.ID)})
	}
	return qs, scripts, nil
}

// studentRun is what one script did on the student's files.
type studentRun struct {
	transcript string
	failed     bool
	seconds    float64
}

// studentT runs testscript outside go test's own tests: a failure ends the
// script and is kept for the report, not printed as a Go test failure.
type studentT struct {
	mu     *sync.Mutex
	log    *strings.Builder
	failed *bool
}

func (t studentT) Skip(args ...any)  { t.Log(args...); runtime.Goexit() }
func (t studentT) Fatal(args ...any) { t.Log(args...); t.FailNow() }
func (t studentT) Parallel()         {}
func (t studentT) Verbose() bool     { return true }
func (t studentT) FailNow() {
	t.mu.Lock()
	*t.failed = true
	t.mu.Unlock()
	runtime.Goexit()
}
func (t studentT) Log(args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.log.WriteString(fmt.Sprint(args...) + "\n")
}
func (t studentT) Run(name string, f func(testscript.T)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				t.mu.Lock()
				*t.failed = true
				t.log.WriteString(fmt.Sprintf("FAIL: %s.txtar:0: %s : %v\n", name, checkerError, r))
				t.mu.Unlock()
			}
		}()
		f(t)
	}()
	<-done
}

// runStudentScript runs one script, its [auteur] assertions turned into
// auteur (scriptcmd.StudentScript), on a copy of the student's files.
func runStudentScript(work, name, src string, deadline time.Time) studentRun {
	dir := filepath.Join(work, "scripts")
	os.MkdirAll(dir, 0o755)
	file := filepath.Join(dir, name+".txtar")
	begin := time.Now()
	if err := os.WriteFile(file, []byte(scriptcmd.StudentScript(src)), 0o644); err != nil {
		return studentRun{transcript: "FAIL: " + file + ":0: " + err.Error(), failed: true}
	}
	root, err := os.MkdirTemp(work, "travail-")
	if err != nil {
		return studentRun{transcript: "FAIL: " + file + ":0: " + err.Error(), failed: true}
	}
	cwd, _ := os.Getwd()
	var log strings.Builder
	failed := false
	t := studentT{mu: &sync.Mutex{}, log: &log, failed: &failed}
	testscript.RunT(t, testscript.Params{
		Files:               []string{file},
		WorkdirRoot:         root,
		RequireExplicitExec: true,
		Deadline:            deadline,
		Setup:               func(env *testscript.Env) error { return setupScript(env, cwd) },
		Condition:           condition,
		Cmds:                scriptcmd.Table(commands),
	})
	os.RemoveAll(root)
	return studentRun{transcript: log.String(), failed: failed, seconds: time.Since(begin).Seconds()}
}

// checkerError says that the checker itself failed, not the student's files.
const checkerError = "erreur de l'outil de vérification, pas de votre rendu"

var blockTime = regexp.MustCompile(`^#.* \((\d+\.\d+)s\)$`)

var failAt = regexp.MustCompile(`(?m)^FAIL: .*?\.txtar:(\d+): (.*)$`)

// applyStudentRun sets the statuses of a script's questions from its run:
// the failed question, and the questions whose commands all came before
// the failure passed; the others were not reached. It returns the question
// it failed at ("" if it passed).
func applyStudentRun(res studentRun, s studentScript, byID map[string]*report.Question, hints map[string]string) string {
	// Differences from the author's run, and time, by question: testscript
	// writes a block's time on its last comment line.
	cur := s.questions[:1]
	for _, l := range strings.Split(res.transcript, "\n") {
		if m := questionComment.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			cur = questionID.FindAllString(m[1], -1)
		}
		if m := blockTime.FindStringSubmatch(l); m != nil {
			if q := byID[cur[0]]; q != nil {
				secs, _ := strconv.ParseFloat(m[1], 64)
				q.Seconds += secs
			}
		}
		if d, ok := strings.CutPrefix(l, scriptcmd.AuthorMark); ok {
			for _, id := range cur {
				if q := byID[id]; q != nil && !contains(q.Differences, authorDifference(strings.TrimSpace(d))) {
					q.Differences = append(q.Differences, authorDifference(strings.TrimSpace(d)))
				}
			}
		}
	}
	failLine, message := 0, ""
	if res.failed {
		if m := failAt.FindAllStringSubmatch(res.transcript, -1); m != nil {
			last := m[len(m)-1]
			failLine, _ = strconv.Atoi(last[1])
			message = last[2]
		}
	}
	var failedQs []string
	if res.failed {
		failedQs = s.questions[:1]
		if failLine > 0 && failLine < len(s.lineQs) && s.lineQs[failLine] != nil {
			failedQs = s.lineQs[failLine]
		}
	}
	// A panic of a script command is the checker's, not the student's.
	checker := strings.Contains(res.transcript, checkerError)
	for _, id := range s.questions {
		q := byID[id]
		if q == nil {
			continue
		}
		if contains(failedQs, id) {
			if checker {
				q.Status, q.Checker = report.Unverifiable, true
				q.Reason = joinSentences(q.Reason, frenchMessage(message))
				continue
			}
			q.Status = report.Fail
			fillFailure(q, res.transcript, s, failLine, message)
			if q.Hint == "" {
				q.Hint = buildErrorHint(q.Actual, hints["3.b"])
			}
			if q.Hint == "" {
				q.Hint = hints[id]
			}
			if q.Hint == "" {
				q.Hint = hints[hintFrom[id]]
			}
			continue
		}
		switch {
		case q.Status == report.Fail:
			// a static check already failed it
		case !res.failed || s.last[id] < failLine:
			q.Status = report.OK
		case s.first[id] < failLine:
			// Begun before the failure, its last checks come after it
			// (7.a's followed logs are read at the end).
			q.Status, q.Reason, q.Checker = report.Unverifiable, fmt.Sprintf("ses dernières vérifications viennent après la question %s, où l'exercice s'est arrêté.", failedQs[0]), checker
		default:
			q.Status, q.Reason, q.Checker = report.Unverifiable, fmt.Sprintf("l'exercice s'est arrêté avant, à la question %s.", failedQs[0]), checker
		}
	}
	if len(failedQs) > 0 {
		return failedQs[0]
	}
	return ""
}

var (
	buildErrorAt = regexp.MustCompile(`(?m)^Dockerfile:(\d+)$`)
	hintFile     = regexp.MustCompile(`^(\S+), ligne \d+`)
)

// buildErrorHint points at the Dockerfile's line where BuildKit says a
// build failed ("Dockerfile:8" above its excerpt); dockerfileHint is the
// hint of 3.b, which names the student's Dockerfile.
func buildErrorHint(output, dockerfileHint string) string {
	m, f := buildErrorAt.FindStringSubmatch(output), hintFile.FindStringSubmatch(dockerfileHint)
	if m == nil || f == nil {
		return ""
	}
	n, _ := strconv.Atoi(m[1])
	data, err := os.ReadFile(filepath.Join(student.sub.Dir, f[1]))
	if lines := strings.Split(string(data), "\n"); err == nil && n >= 1 && n <= len(lines) {
		return fmt.Sprintf("%s, ligne %d : %s", f[1], n, strings.TrimSpace(lines[n-1]))
	}
	return fmt.Sprintf("%s, ligne %d", f[1], n)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fillFailure says what failed: the command, what was expected in words,
// the first lines of what came out.
func fillFailure(q *report.Question, transcript string, s studentScript, line int, message string) {
	lines := strings.Split(s.src, "\n")
	scriptLine := ""
	if line >= 1 && line <= len(lines) {
		scriptLine = strings.TrimSpace(lines[line-1])
	}
	q.Expected, q.Pattern = expectation(scriptLine)
	q.Reason = joinSentences(q.Reason, frenchMessage(message))
	steps := record.ParseTranscript(transcript, txtar.Parse([]byte(scriptcmd.StudentScript(s.src))))
	words := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(scriptLine, "!")), "exec"))
	switch {
	case strings.HasPrefix(strings.TrimPrefix(scriptLine, "! "), "exec "), strings.HasPrefix(scriptLine, "terminal "):
		if strings.HasPrefix(scriptLine, "terminal ") {
			words = strings.SplitN(scriptLine, " ", 3)[2]
		}
		q.Command = record.DisplayCommand(words)
		for i := len(steps) - 1; i >= 0; i-- {
			if steps[i].Cmd == q.Command {
				q.Actual = lastLines(stepOutput(steps[i]))
				break
			}
		}
	case len(steps) > 0:
		st := steps[len(steps)-1]
		q.Command = st.Cmd
		switch assertion := strings.Fields(strings.TrimPrefix(scriptLine, "! ")); {
		case len(assertion) > 0 && assertion[0] == "stdout" && st.Tty == "":
			q.Actual = firstLines(st.Stdout)
		case len(assertion) > 0 && assertion[0] == "stderr":
			q.Actual = firstLines(st.Stderr)
		default:
			// A wait that timed out: what the service printed, its
			// error last.
			q.Actual = lastLines(stepOutput(st))
		}
	}
}

func stepOutput(st record.Step) string {
	var parts []string
	for _, p := range []string{st.Tty, st.Stdout, st.Stderr} {
		if p = strings.TrimRight(p, "\n"); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "\n")
}

// lastLines keeps the last lines of a failed command's output, where its
// error is (a Python traceback ends with it, and so does BuildKit).
func lastLines(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if n := report.MaxActualLines - 1; len(lines) > n {
		return fmt.Sprintf("… (%d lignes avant)\n", len(lines)-n) + strings.Join(lines[len(lines)-n:], "\n")
	}
	return strings.Join(lines, "\n")
}

// firstLines keeps the first 12 lines of an output.
func firstLines(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= 12 {
		return strings.Join(lines, "\n")
	}
	return strings.Join(lines[:12], "\n") + fmt.Sprintf("\n… (%d lignes de plus)", len(lines)-12)
}

var testscriptMessages = []struct {
	re   *regexp.Regexp
	text string
}{
	{regexp.MustCompile("^no match for `(.*)` found in (stdout|stderr)$"), "aucune ligne de %[2]s ne correspond au motif attendu."},
	{regexp.MustCompile("^unexpected match for `(.*)` found in (stdout|stderr)"), "%[2]s contient ce qui ne devait pas y être."},
	{regexp.MustCompile("^have ([0-9]+) matches for `(.*)`, want ([0-9]+)$"), "%[1]s correspondance(s) au lieu de %[3]s."},
	{regexp.MustCompile("^unexpected command success$"), "la commande a réussi alors qu'elle devait échouer."},
	{regexp.MustCompile("^unexpected command failure$"), "la commande a échoué."},
	{regexp.MustCompile("^exec .*: exit status ([0-9]+)$"), "la commande a échoué (code de sortie %[1]s)."},
	{regexp.MustCompile("^(?:exec .*: )?signal: killed$|context deadline exceeded|^test timed out while running command$"), "arrêtée : la limite de temps de l'exercice est dépassée (-limite)."},
}

// frenchMessage says testscript's failure message in French; the harness's
// own messages are French already.
func frenchMessage(msg string) string {
	for _, m := range testscriptMessages {
		if sm := m.re.FindStringSubmatch(msg); sm != nil {
			args := make([]any, len(sm)-1)
			for i, a := range sm[1:] {
				args[i] = streamName(a)
			}
			return fmt.Sprintf(m.text, args...)
		}
	}
	return msg
}

func streamName(s string) string {
	switch s {
	case "stdout":
		return "la sortie standard"
	case "stderr":
		return "la sortie d'erreur"
	}
	return s
}

var literalRE = regexp.MustCompile(`^\^?((?:[^\\.*+?()\[\]{}|^$]|\\[^a-zA-Z0-9])*)\$?$`)

// expectation says in words what a script line expects, and gives its
// regular expression when it has one.
func expectation(line string) (expected, pattern string) {
	words := record.SplitScriptWords(line)
	not := false
	for len(words) > 0 && strings.HasPrefix(words[0], "[") {
		words = words[1:]
	}
	if len(words) > 0 && words[0] == "!" {
		not, words = true, words[1:]
	}
	if len(words) == 0 {
		return "", ""
	}
	switch words[0] {
	case "stdout", "stderr", "grep":
		where := streamName(words[0])
		args := words[1:]
		count := ""
		if len(args) > 0 && strings.HasPrefix(args[0], "-count=") {
			count, args = strings.TrimPrefix(args[0], "-count="), args[1:]
		}
		if len(args) == 0 {
			return line, ""
		}
		if words[0] == "grep" && len(args) > 1 {
			where = "le fichier " + args[1]
		}
		pattern = args[0]
		what := "une ligne qui correspond au motif"
		if r := readablePattern(pattern); r != "" {
			what = "une ligne comme « " + r + " »"
		}
		if m := literalRE.FindStringSubmatch(pattern); m != nil {
			lit := regexp.MustCompile(`\\(.)`).ReplaceAllString(m[1], "$1")
			if strings.HasPrefix(pattern, "^") && strings.HasSuffix(pattern, "$") {
				what = "une ligne exactement " + lit
			} else {
				what = "le texte " + lit
			}
		}
		switch {
		case not:
			return fmt.Sprintf("%s ne contient pas %s", where, what), pattern
		case count != "":
			return fmt.Sprintf("%s contient %s fois %s", where, count, what), pattern
		}
		return fmt.Sprintf("%s contient %s", where, what), pattern
	case "exec":
		if not {
			return "la commande échoue (c'est ce que le TP montre ici)", ""
		}
		return "la commande réussit (code de sortie 0)", ""
	case "terminal":
		return "la session interactive va jusqu'au bout", ""
	case "wait":
		return "la commande lancée en tâche de fond se termine, et sa sortie est celle qui suit", ""
	case "sentinel":
		return "les conteneurs, l'image, le volume et le réseau créés à côté, comme ceux d'un lecteur, restent intacts", ""
	case "waithttp":
		return fmt.Sprintf("%s répond 200 (dans la minute)", strings.Join(words[1:2], "")), ""
	case "waitpg":
		if len(words) >= 4 {
			return fmt.Sprintf("PostgreSQL accepte une session sur %s (utilisateur %s, base %s)", words[1], words[2], words[3]), ""
		}
	case "exists":
		return "les fichiers " + strings.Join(words[1:], ", ") + " existent", ""
	case "subst":
		if len(words) >= 3 {
			return fmt.Sprintf("%s contient ce que le TP demande de modifier (motif %s)", words[1], words[2]), words[2]
		}
	}
	return line, ""
}

// readablePattern writes a regular expression as a line it matches, when
// it only uses \d+ (a number, written N), " +" (spaces) and escaped
// characters: "^#\d+ \[2/4\] WORKDIR /app$" reads "#N [2/4] WORKDIR /app".
// It returns "" for any other expression.
func readablePattern(p string) string {
	p = strings.TrimSuffix(strings.TrimPrefix(p, "^"), "$")
	p = strings.NewReplacer(`\d+`, "N", " +", " ").Replace(p)
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\' && i+1 < len(p) && !isAlnum(p[i+1]):
			i++
			b.WriteByte(p[i])
		case strings.IndexByte(`\.*+?()[]{}|^$`, c) >= 0:
			return ""
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// authorDifference says in words an [auteur] assertion the student's run
// does not meet.
func authorDifference(assertion string) string {
	expected, pattern := expectation(strings.TrimSpace(assertion))
	if pattern != "" && !strings.Contains(expected, pattern) && strings.Contains(expected, "motif") {
		expected += " " + pattern
	}
	if strings.Contains(expected, " ne contient pas ") {
		return "chez l'auteur, " + expected + " ; chez vous, si"
	}
	return "chez l'auteur, " + expected + " ; pas chez vous"
}
