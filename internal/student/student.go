// Package student is « Vérifier mon TP »: it checks a student's own files
// (app.py, Dockerfile, docker-compose.yml) with the lab's scripts,
// question by question, and writes a report in French (terminal, HTML,
// JSON, text, JUnit).
//
// The folder is read first (internal/submission): a hostile or broken one
// is refused before anything runs, and the requirements that can be read
// in the files (3.a, 3.b, 5.b) are checked there. Each exercise that uses
// the files (3 to 7) then runs on a copy of them, on a suite of
// internal/harness, when what it needs passed (report.Lab); an [auteur]
// assertion only notes a difference (scriptcmd.StudentScript). Inside an
// exercise, the questions after a failure are « non vérifiable ».
//
// go test -rendu DIR at the repository's root calls Check; cmd/classe
// calls it for each student of a class.
package student

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"tpdocker/internal/harness"
	"tpdocker/internal/report"
	"tpdocker/internal/scriptcmd"
	"tpdocker/internal/submission"
)

// Options are what one check is asked.
type Options struct {
	Dir      string        // the student's folder
	Out      string        // where the reports go; out/rendus/NAME by default
	Bareme   string        // a barème file; one point per question when empty
	Limit    time.Duration // the time limit of one exercise
	LockWait time.Duration // how long to wait for another run to free the engine
	// End is when the whole check must have ended (go test's -timeout),
	// the report written; zero for no end.
	End time.Time
	// Root is the repository's root, where testdata/ is ("." by default).
	Root string
}

// Wait is how long a wait (waithttp, waitpg) lasts in the student mode,
// when the script gives no limit: an API that never answers costs a
// minute, or the exercise's limit when it is shorter.
const Wait = time.Minute

// NotRun says which exercises the student mode leaves out, and why.
const NotRun = "Exercices 1, 2 et 8 : ils ne dépendent pas de vos fichiers (images hello-world et alpine, questions de réflexion), ils ne sont pas lancés."

// checker is one check's state.
type checker struct {
	opts   Options
	sub    *submission.Submission
	bareme *report.Bareme
	wait   time.Duration // a wait's default limit
	suite  *harness.Suite
}

// hintFrom: where to look for a question that fails at run time, when the
// files say nothing of it themselves: the question whose file lines tell.
var hintFrom = map[string]string{
	"3.c": "3.b", "4.b": "3.a", "4.c": "4.a", "5.c": "5.b", "5.d": "3.a",
	"6.a": "5.b", "6.b": "5.b", "6.c": "5.b", "7.a": "3.a", "7.c": "3.a", "7.d": "3.a",
}

// Check checks the student's folder opts.Dir, prints the report and
// writes it in opts.Out, and returns the exit code: 0 when every question
// that could be checked passed, 1 otherwise, 2 for a wrong option.
func Check(opts Options) int {
	begin := time.Now()
	if opts.Root == "" {
		opts.Root = "."
	}
	c := &checker{opts: opts, wait: min(Wait, opts.Limit)}
	abs, err := filepath.Abs(opts.Dir)
	if err != nil {
		abs = opts.Dir
	}
	rep := &report.Report{Student: filepath.Base(abs), Folder: opts.Dir, Date: begin.Format(time.RFC3339)}
	out := opts.Out
	if out == "" {
		out = filepath.Join("out", "rendus", rep.Student)
	}
	c.bareme = report.DefaultBareme()
	if opts.Bareme != "" {
		if c.bareme, err = report.ReadBareme(opts.Bareme); err != nil {
			fmt.Printf("tpdocker: %v\n", err)
			return 2
		}
	}
	if v, err := report.ScriptsVersion(opts.Root); err == nil {
		rep.Scripts = v
	}
	if d, err := submission.Digest(opts.Dir); err == nil {
		rep.Digest = d
	}
	if submission.Within(out, abs) {
		fmt.Printf("tpdocker: -sortie %s est dans le dossier de l'élève, qui n'est jamais modifié : choisissez un autre dossier.\n", out)
		return 2
	}
	sub, err := submission.Load(opts.Dir)
	if err != nil {
		var ref *submission.Refusal
		if errors.As(err, &ref) {
			rep.Refused = ref.Reasons
		} else {
			rep.Refused = []string{err.Error()}
		}
		return c.end(rep, out, begin)
	}
	c.sub = sub
	rep.Student = sub.Name
	rep.Skipped = NotRun

	qs, scripts, err := questions(opts.Root)
	if err != nil {
		fmt.Println("tpdocker:", err)
		return 1
	}
	rep.Questions = qs
	byID := map[string]*report.Question{}
	for i := range rep.Questions {
		byID[rep.Questions[i].ID] = &rep.Questions[i]
	}
	applyStatic(sub.Checks, byID)
	fmt.Println("tpdocker: vos fichiers, lus avant toute exécution :")
	for _, q := range rep.Questions {
		if q.Status != "" {
			fmt.Println(report.ProgressLine(q))
		}
	}

	c.suite = harness.New(harness.Config{LockWait: opts.LockWait, Stage: c.stage})
	if err := c.suite.Start(); err != nil {
		// What the files said is kept; the rest could not run.
		fmt.Println("tpdocker:", err)
		for i := range rep.Questions {
			if q := &rep.Questions[i]; q.Status == "" {
				q.Status, q.Reason, q.Checker = report.Unverifiable, "Docker n'a pas pu être utilisé (voir le message au-dessus du rapport).", true
			}
		}
		c.suite.Close() // the lock, if the engine failed its checks once locked
		c.end(rep, out, begin)
		return 1
	}
	rep.Engine = c.engineLabel()
	begin = time.Now() // the report's time: the check's, not the wait for the engine
	work, err := os.MkdirTemp(os.Getenv("GOTMPDIR"), "tpdocker-rendu-")
	if err != nil {
		fmt.Println("tpdocker:", err)
		c.suite.Close()
		return 1
	}
	c.suite.AddWorkDir(work)
	defer os.RemoveAll(work)

	c.runExercises(work, scripts, byID)
	if c.suite.Interrupted() {
		// Ctrl-C: what the exercises said since is not the student's, so
		// no report is written; the suite's clean-up ends this process.
		select {}
	}
	c.suite.Close()
	return c.end(rep, out, begin)
}

// applyStatic sets the questions that the checks of the student's files
// (internal/submission) decide.
func applyStatic(checks []submission.Check, byID map[string]*report.Question) {
	for _, c := range checks {
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
}

// runExercises runs each exercise whose needs passed, in work, and sets
// its questions from its run; the others' questions are « non
// vérifiable », with why.
func (c *checker) runExercises(work string, scripts map[string]script, byID map[string]*report.Question) {
	// The exercises stop early enough for the report to be written
	// before the whole check must end (go test's own -timeout).
	end := c.opts.End
	hints := c.sub.Hints()
	for _, name := range report.Exercises() {
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
			c.said(name, scripts[name], byID)
			continue
		}
		fmt.Printf("tpdocker: exercice %s en cours : %s…\n", exerciseNumber(name), doing[name])
		deadline := time.Now().Add(c.opts.Limit)
		if !end.IsZero() && end.Before(deadline) {
			deadline = end
		}
		res := c.runScript(work, name, scripts[name].src, deadline)
		applyRun(res, scripts[name], byID, hints, c.sub.Dir)
		c.said(name, scripts[name], byID)
	}
}

// doing says what each exercise does, and so what the check waits for
// while it runs.
var doing = map[string]string{
	"ex3-build":    "construction de l'image simple-api (la première fois, téléchargement de python:3.9-slim et de FastAPI)",
	"ex4-run":      "l'API dans un conteneur, port 8000 publié, attente de son démarrage",
	"ex5-compose":  "Compose construit l'API et démarre PostgreSQL 16 (la première fois, téléchargement de postgres:16)",
	"ex6-postgres": "psql dans la base, arrêt et redémarrage de PostgreSQL",
	"ex7-debug":    "logs, shell dans le conteneur, restart, une erreur volontaire, prune",
}

// exerciseNumber is "4" for ex4-run.
func exerciseNumber(script string) string {
	return strings.TrimPrefix(strings.SplitN(script, "-", 2)[0], "ex")
}

// said prints the lines of an exercise's questions, once decided: a
// student sees each verdict as soon as it is known.
func (c *checker) said(name string, s script, byID map[string]*report.Question) {
	for _, id := range s.questions {
		if q, lq := byID[id], report.LabQuestionByID(id); q != nil && (lq == nil || !lq.Static) {
			fmt.Println(report.ProgressLine(*q))
		}
	}
}

// end writes the reports, prints the terminal one, and gives the exit
// code: 0 when every question that can be checked passed.
func (c *checker) end(rep *report.Report, out string, begin time.Time) int {
	rep.Seconds = time.Since(begin).Seconds()
	rep.Grade(c.bareme)
	fmt.Print(rep.Text())
	if err := rep.WriteFiles(out); err != nil {
		fmt.Println("tpdocker: rapport non écrit :", err)
		return 1
	}
	fmt.Printf("Rapports : %s, %s, %s et %s\n", filepath.Join(out, "rapport.html"), filepath.Join(out, "rapport.json"), filepath.Join(out, "rapport.txt"), filepath.Join(out, "rapport.junit.xml"))
	if !rep.Passed() {
		return 1
	}
	return 0
}

// stage puts the student's files where a script works, and sets what the
// student mode changes in its environment.
func (c *checker) stage(env *testscript.Env, dst string) error {
	if err := c.sub.Stage(dst); err != nil {
		return err
	}
	env.Setenv(scriptcmd.WaitEnv, fmt.Sprint(int(c.wait.Seconds())))
	// The project is tpdocker, as the report's folder, whatever name:
	// the student's Compose file gives it.
	env.Setenv("COMPOSE_PROJECT_NAME", "tpdocker")
	return nil
}

func (c *checker) engineLabel() string {
	s := fmt.Sprintf("Docker %s (%s)", c.suite.Info().Engine, c.suite.Info().Store)
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
