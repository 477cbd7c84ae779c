package student

// The Docker-free half of a check: which question each line of a script
// belongs to, and what a script's run says of each question.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"

	"tpdocker/internal/record"
	"tpdocker/internal/report"
	"tpdocker/internal/scriptcmd"
	"tpdocker/internal/scriptlang"
)

// script is a script of the student mode: its text, and the questions
// its lines belong to.
type script struct {
	name      string
	src       string             // as in testdata
	parsed    *scriptlang.Script // as the student's run has it (StudentScript keeps the lines' numbers)
	questions []string           // in order
	first     map[string]int     // the first line of a command of each question
	last      map[string]int     // the last line of a command of each question
}

// parseScript reads which question each line of a script belongs to: the
// last "# Question X.y" comment above it; the lines before the first one
// (the exercise's set-up) belong to the first.
func parseScript(name, src string) script {
	s := script{name: name, src: src, parsed: scriptlang.ParseScript(scriptcmd.StudentScript(src))}
	s.questions = s.parsed.Questions
	s.first, s.last = map[string]int{}, map[string]int{}
	for _, l := range s.parsed.Lines {
		if l.Comment || l.Text == "" {
			continue
		}
		for _, id := range l.Questions {
			if s.first[id] == 0 {
				s.first[id] = l.N
			}
			s.last[id] = l.N
		}
	}
	return s
}

// questionsAt lists the questions of line n (none past the script's end).
func (s script) questionsAt(n int) []string {
	if l := s.parsed.Line(n); l != nil {
		return l.Questions
	}
	return nil
}

// questions lists the questions of the student mode, each with its title
// and what it needs (report.Lab), and reads the scripts from root's
// testdata.
func questions(root string) ([]report.Question, map[string]script, error) {
	scripts := map[string]script{}
	for _, name := range report.Exercises() {
		src, err := os.ReadFile(filepath.Join(root, "testdata", name+".txtar"))
		if err != nil {
			return nil, nil, err
		}
		scripts[name] = parseScript(name, string(src))
	}
	var qs []report.Question
	for _, q := range report.Lab {
		qs = append(qs, report.Question{ID: q.ID, Title: q.Title, Needs: report.NeedsText(q.ID)})
	}
	return qs, scripts, nil
}

// applyRun sets the statuses of a script's questions from its run:
// the failed question, and the questions whose commands all came before
// the failure passed; the others were not reached. It returns the question
// it failed at ("" if it passed).
func applyRun(res scriptRun, s script, byID map[string]*report.Question, hints map[string]string, studentDir string) string {
	// Differences from the author's run, and time, by question: testscript
	// writes a block's time on its last comment line.
	t := scriptlang.ReadTranscript(res.transcript, s.parsed)
	for _, b := range t.Blocks() {
		cur := b.Questions
		if len(cur) == 0 {
			cur = s.questions[:1]
		}
		if b.Timed {
			if q := byID[cur[0]]; q != nil {
				q.Seconds += b.Seconds
			}
		}
		for _, e := range b.Entries {
			if d, ok := strings.CutPrefix(e.Text, scriptcmd.AuthorMark); ok && e.Kind == scriptlang.Output {
				for _, id := range cur {
					if q := byID[id]; q != nil && !slices.Contains(q.Differences, authorDifference(strings.TrimSpace(d))) {
						q.Differences = append(q.Differences, authorDifference(strings.TrimSpace(d)))
					}
				}
			}
		}
	}
	failLine, message := 0, ""
	if res.failed {
		if f, ok := t.Failure(); ok {
			failLine, message = f.Line, f.Message
		}
	}
	var failedQs []string
	if res.failed {
		failedQs = s.questions[:1]
		if qs := s.questionsAt(failLine); failLine > 0 && qs != nil {
			failedQs = qs
		}
	}
	// A panic of a script command is the checker's, not the student's.
	checker := strings.Contains(res.transcript, checkerError)
	for _, id := range s.questions {
		q := byID[id]
		if q == nil {
			continue
		}
		if slices.Contains(failedQs, id) {
			if checker {
				q.Status, q.Checker = report.Unverifiable, true
				q.Reason = joinSentences(q.Reason, frenchMessage(message))
				continue
			}
			q.Status = report.Fail
			fillFailure(q, res.transcript, s, failLine, message)
			if q.Hint == "" {
				q.Hint = buildErrorHint(q.Actual, hints["3.b"], studentDir)
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
// hint of 3.b, which names the student's Dockerfile in studentDir.
func buildErrorHint(output, dockerfileHint, studentDir string) string {
	m, f := buildErrorAt.FindStringSubmatch(output), hintFile.FindStringSubmatch(dockerfileHint)
	if m == nil || f == nil {
		return ""
	}
	n, _ := strconv.Atoi(m[1])
	data, err := os.ReadFile(filepath.Join(studentDir, f[1]))
	if lines := strings.Split(string(data), "\n"); err == nil && n >= 1 && n <= len(lines) {
		return fmt.Sprintf("%s, ligne %d : %s", f[1], n, strings.TrimSpace(lines[n-1]))
	}
	return fmt.Sprintf("%s, ligne %d", f[1], n)
}

// fillFailure says what failed: the command, what was expected in words,
// the first lines of what came out.
func fillFailure(q *report.Question, transcript string, s script, line int, message string) {
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
