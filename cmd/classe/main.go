// Command classe checks a whole class: every sub-folder of CLASSE is one
// student's TP, checked by the lab's own scripts (internal/student, what
// go test -rendu runs), one student after another on each engine. It
// writes each student's reports, then one summary table, in HTML and CSV:
// one row per student, one column per question.
//
//	go run ./cmd/classe ../classe
//	go run ./cmd/classe -sortie out/classe -moteurs default,salle2 ../classe
//
// -moteurs spreads the students over several Docker engines, each named by
// a Docker context (docker context ls); each engine checks one student at a
// time, under the lab's engine lock, and the engines work in parallel. The
// lab publishes its ports (8000, 5432) on localhost: an engine whose ports
// land elsewhere (in another network namespace, on another machine) is
// given as CONTEXTE=COMMANDE, COMMANDE being what runs a program of this
// machine where that engine's ports are on localhost (nsenter into the
// engine's network namespace, for example).
//
// -reprendre keeps the reports already written under -sortie for the same
// folder, by these scripts, on the same files (submission.Digest), and
// checks only the other students: a class interrupted, or a few folders
// handed in again.
//
// Run it from the repository's root, where the scripts are (testdata/).
// Each student is checked in a process of its own, this program run again
// as « classe eleve »: the engine is chosen per process (DOCKER_CONTEXT, and
// the network namespace of CONTEXTE=COMMANDE), and a check that must stop
// (its limit, Ctrl-C) removes its objects and ends its own process, never
// the class. That process is also the scripts' docker wrapper
// (internal/dockerwrap).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"tpdocker/internal/dockerwrap"
	"tpdocker/internal/report"
	"tpdocker/internal/student"
	"tpdocker/internal/submission"
)

func main() {
	// The scripts' docker is this program, under that name (testscript
	// puts it first on PATH).
	testscript.Main(program{}, map[string]func(){"docker": dockerwrap.Main})
}

// program is what runs when this program is not the scripts' docker.
type program struct{}

func (program) Run() int {
	if len(os.Args) > 1 && os.Args[1] == oneStudent {
		return checkOne(os.Args[2:])
	}
	classMain()
	return 0
}

// oneStudent is the sub-command that checks one student, in a process of
// its own: what the class runs for each.
const oneStudent = "eleve"

// checkOne checks one student (student.Check) from the repository's root.
func checkOne(args []string) int {
	fs := flag.NewFlagSet(oneStudent, flag.ExitOnError)
	out := fs.String("sortie", "", "the folder the reports are written to")
	limit := fs.Duration("limite", 4*time.Minute, "the time limit of one exercise")
	bareme := fs.String("bareme", "", "a barème file")
	wait := fs.Duration("attente", 60*time.Minute, "how long to wait for another run to free the engine")
	fs.Parse(args)
	if fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage : classe eleve [-sortie DOSSIER] [-limite 4m] [-bareme FICHIER] DOSSIER")
		return 2
	}
	return student.Check(student.Options{Dir: fs.Arg(0), Out: *out, Bareme: *bareme, Limit: *limit, LockWait: *wait})
}

func classMain() {
	out := flag.String("sortie", filepath.Join("out", "classe"), "the folder the reports are written to")
	engines := flag.String("moteurs", "", "the Docker contexts to spread the students over, separated by commas (CONTEXTE or CONTEXTE=COMMANDE); the current context when empty")
	limit := flag.Duration("limite", 4*time.Minute, "the time limit of one exercise of one student")
	bareme := flag.String("bareme", "", "a barème file: one question and its points a line (\"4.b 2\"); one point per question by default")
	eleves := flag.String("eleves", "", "a CSV file mapping each folder to the student's email or idnumber in the grade book (columns dossier and email or idnumber)")
	reports := flag.Bool("rapports", false, "build the class from the rapport.json files already written under CLASSE (one sub-folder per student, or the files side by side), without Docker")
	resume := flag.Bool("reprendre", false, "keep the reports already written under -sortie for the same folder, by these scripts, on the same files, and check only the other students (a class interrupted, or a few folders handed in again)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage : go run ./cmd/classe [-sortie DOSSIER] [-moteurs CONTEXTE,...] [-limite 4m] [-bareme FICHIER] [-eleves eleves.csv] [-reprendre] [-rapports] CLASSE")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o := options{class: flag.Arg(0), out: *out, engines: *engines, limit: *limit, bareme: *bareme, eleves: *eleves, fromReports: *reports, resume: *resume}
	c, err := run(ctx, o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "classe :", err)
		os.Exit(1)
	}
	if c.checkerErrors > 0 {
		os.Exit(1)
	}
}

// Engine is where students are checked: a Docker context, and the command
// that runs the checks where that engine's ports are on localhost.
type Engine struct {
	Context string
	Prefix  []string
}

func (e Engine) String() string {
	if e.Context == "" {
		return "moteur courant"
	}
	return e.Context
}

// ParseEngines reads -moteurs.
func ParseEngines(s string) ([]Engine, error) {
	if strings.TrimSpace(s) == "" {
		return []Engine{{}}, nil
	}
	var out []Engine
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		name, prefix, _ := strings.Cut(strings.TrimSpace(item), "=")
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, fmt.Errorf("-moteurs %q : un contexte sans nom", s)
		}
		if seen[name] {
			return nil, fmt.Errorf("-moteurs : le contexte %s est donné deux fois", name)
		}
		seen[name] = true
		out = append(out, Engine{Context: name, Prefix: strings.Fields(prefix)})
	}
	return out, nil
}

// Students lists the students of a class folder: its sub-folders, by name.
func Students(class string) ([]string, error) {
	entries, err := os.ReadDir(class)
	if err != nil {
		return nil, fmt.Errorf("dossier de la classe illisible : %v", err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if e.Type()&os.ModeSymlink != 0 {
			return nil, fmt.Errorf("%s est un lien symbolique : chaque élève doit être un vrai dossier de la classe", e.Name())
		}
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s ne contient aucun dossier d'élève (un sous-dossier par élève)", class)
	}
	sort.Strings(out)
	return out, nil
}

// classCheck is what checking a class's students needs.
type classCheck struct {
	root, bin               string // the repository's root, this program
	class, absClass, absOut string
	limit                   time.Duration
	baremeFile              string
	bareme                  *report.Bareme
	total                   int
	w                       io.Writer
}

// keep puts in reports the students whose report, already written under
// the output folder, can stand (keptReport), says so for each, and
// returns the students left to check.
func (cl *classCheck) keep(version string, students []string, reports map[string]*report.Report) []string {
	var left []string
	for _, s := range students {
		r, why := keptReport(filepath.Join(cl.absOut, s), filepath.Join(cl.absClass, s), version)
		if r == nil {
			if why != "" {
				fmt.Fprintf(cl.w, "  %-24s vérifié à nouveau : %s\n", s, why)
			}
			left = append(left, s)
			continue
		}
		r.Student = s
		r.Grade(cl.bareme)
		if err := r.WriteFiles(filepath.Join(cl.absOut, s)); err != nil { // the barème may have changed
			fmt.Fprintf(cl.w, "  %-24s vérifié à nouveau : rapport non réécrit : %v\n", s, err)
			left = append(left, s)
			continue
		}
		reports[s] = r
		fmt.Fprintf(cl.w, "  %s [%d/%d, rapport gardé]\n", studentLine(r, Engine{Context: "rapport du " + shortDate(r.Date)}), len(reports), cl.total)
	}
	if len(reports) > 0 {
		fmt.Fprintf(cl.w, "classe : %d rapport(s) gardé(s), %d élève(s) à vérifier\n", len(reports), len(left))
	}
	return left
}

// keptReport reads the report written in out for the student's folder
// dir, and keeps it when it was written for that folder, by these scripts,
// on the same files (submission.Digest), and the checker checked every
// question. It says why it does not keep a report there is; none there is
// no reason.
func keptReport(out, dir, version string) (*report.Report, string) {
	data, err := os.ReadFile(filepath.Join(out, "rapport.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ""
	}
	if err != nil {
		return nil, err.Error()
	}
	r, err := report.ReadJSON(data)
	if err != nil {
		return nil, err.Error()
	}
	if why := unkept(r); why != "" {
		return nil, why
	}
	switch digest, err := submission.Digest(dir); {
	case filepath.Clean(r.Folder) != filepath.Clean(dir):
		return nil, "rapport d'un autre dossier (" + r.Folder + ")"
	case version == "" || r.Scripts != version:
		return nil, fmt.Sprintf("rapport écrit par une autre version des scripts (%s, ici %s)", orUnknown(r.Scripts), orUnknown(version))
	case err != nil:
		return nil, "dossier illisible : " + err.Error()
	case r.Digest != digest:
		return nil, "dossier modifié depuis son rapport"
	}
	return r, ""
}

// unkept says why a report can never be kept: the checker could not check
// it, or one of its questions.
func unkept(r *report.Report) string {
	if r.Checker != "" {
		return "l'outil n'avait pas pu le vérifier"
	}
	for _, q := range r.Questions {
		if q.Checker {
			return "l'outil n'avait pas pu vérifier " + q.ID
		}
	}
	return ""
}

// shortDate is "7/12 14:05" for an RFC 3339 date, or the date as it is.
func shortDate(date string) string {
	t, err := time.Parse(time.RFC3339, date)
	if err != nil {
		return date
	}
	return t.Format("2/1 15:04")
}

// checkAll checks the students, one at a time on each engine, the engines
// in parallel, each student's line said as soon as it is checked, with how
// many are done; Ctrl-C stops feeding them. It adds their reports to
// reports, by student, and returns how many the checker itself failed on.
func (cl *classCheck) checkAll(ctx context.Context, engines []Engine, students []string, reports map[string]*report.Report) int {
	queue := make(chan string)
	var mu sync.Mutex
	errorsSeen, checked, spent := 0, 0, time.Duration(0)
	var wg sync.WaitGroup
	for _, e := range engines {
		wg.Go(func() {
			for s := range queue {
				start := time.Now()
				r, err := checkStudent(ctx, cl.root, cl.bin, e, filepath.Join(cl.absClass, s), filepath.Join(cl.absOut, s), cl.limit, cl.baremeFile)
				if ctx.Err() != nil {
					// Stopped with the class: whatever its check wrote
					// since is not the student's.
					for _, f := range report.Files {
						os.Remove(filepath.Join(cl.absOut, s, f))
					}
					mu.Lock()
					fmt.Fprintf(cl.w, "  %-24s interrompu, sans rapport\n", s)
					mu.Unlock()
					continue
				}
				mu.Lock()
				checked++
				spent += time.Since(start)
				done := len(reports) + 1
				progress := fmt.Sprintf("[%d/%d, %d restant(s)%s]", done, cl.total, cl.total-done, timeLeft(spent, checked, cl.total-done, len(engines)))
				if err != nil {
					errorsSeen++
					fmt.Fprintf(cl.w, "  %-24s le vérificateur a échoué sur %s : %v %s\n", s, e, err, progress)
					r = &report.Report{Student: s, Folder: filepath.Join(cl.class, s), Date: time.Now().Format(time.RFC3339), Scripts: scriptsVersion(cl.root),
						Checker: "l'outil de vérification a échoué, pas ce rendu (" + err.Error() + ") ; voir journal.txt"}
					r.Grade(cl.bareme)
					if werr := r.WriteFiles(filepath.Join(cl.absOut, s)); werr != nil {
						fmt.Fprintf(cl.w, "  %-24s rapport non écrit : %v\n", s, werr)
					}
				} else {
					r.Grade(cl.bareme)
					fmt.Fprintf(cl.w, "  %s %s\n", studentLine(r, e), progress)
				}
				r.Student = s
				reports[s] = r
				mu.Unlock()
			}
		})
	}
feed:
	for _, s := range students {
		select {
		case queue <- s:
		case <-ctx.Done():
			break feed
		}
	}
	close(queue)
	wg.Wait()
	return errorsSeen
}

// timeLeft guesses how long the students left will take on the engines,
// from the time the checked ones took (spent, all together): ", environ
// 25 min", or nothing when none is left.
func timeLeft(spent time.Duration, checked, left, engines int) string {
	if checked == 0 || left == 0 {
		return ""
	}
	d := spent * time.Duration(left) / time.Duration(checked*max(engines, 1))
	switch {
	case d < time.Minute:
		return ", moins d'une minute"
	case d < time.Hour:
		return fmt.Sprintf(", environ %d min", int(d.Round(time.Minute).Minutes()))
	}
	d = d.Round(10 * time.Minute)
	return fmt.Sprintf(", environ %d h %02d", int(d.Hours()), int(d.Minutes())%60)
}

// classRun is the result of a class.
type classRun struct {
	report        *report.Class
	seconds       float64
	checkerErrors int // students the checker itself could not check
	refusedFiles  int // with -rapports: files that are not reports
}

// options are cmd/classe's flags and argument.
type options struct {
	class, out, engines string
	limit               time.Duration
	bareme, eleves      string // files, or ""
	fromReports         bool   // -rapports
	resume              bool   // -reprendre
}

func run(ctx context.Context, o options, w io.Writer) (*classRun, error) {
	begin := time.Now()
	class, out, limit := o.class, o.out, o.limit
	bareme := report.DefaultBareme()
	if o.bareme != "" {
		b, err := report.ReadBareme(o.bareme)
		if err != nil {
			return nil, err
		}
		bareme = b
	}
	var identifiers map[string]string
	if o.eleves != "" {
		ids, _, err := report.ReadStudents(o.eleves)
		if err != nil {
			return nil, err
		}
		identifiers = ids
	}
	if o.fromReports {
		if o.resume {
			return nil, errors.New("-reprendre ne va pas avec -rapports : -rapports ne vérifie personne, il lit les rapports déjà écrits")
		}
		return fromReports(o, bareme, identifiers, begin, w)
	}
	engines, err := ParseEngines(o.engines)
	if err != nil {
		return nil, err
	}
	students, err := Students(class)
	if err != nil {
		return nil, err
	}
	if err := mapped(students, identifiers, o.eleves); err != nil {
		return nil, err
	}
	absClass, err := filepath.Abs(class)
	if err != nil {
		return nil, err
	}
	absOut, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	if submission.Within(absOut, absClass) {
		return nil, fmt.Errorf("-sortie %s est dans la classe, qui n'est jamais modifiée : choisissez un autre dossier", out)
	}
	if err := os.MkdirAll(absOut, 0o755); err != nil {
		return nil, err
	}
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	bin, err := os.Executable()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "classe : %d élève(s), %d moteur(s) : %s\n", len(students), len(engines), engineNames(engines))
	cl := &classCheck{root: root, bin: bin, class: class, absClass: absClass, absOut: absOut, limit: limit, baremeFile: o.bareme, bareme: bareme, total: len(students), w: w}
	reports := map[string]*report.Report{}
	toCheck := students
	if o.resume {
		toCheck = cl.keep(scriptsVersion(root), students, reports)
	}
	errorsSeen := cl.checkAll(ctx, engines, toCheck, reports)
	if ctx.Err() != nil {
		kept := 0
		for _, r := range reports {
			if unkept(r) == "" {
				kept++
			}
		}
		return nil, fmt.Errorf("interrompu : les objets de l'élève en cours ont été supprimés par sa vérification ; relancez avec -reprendre pour garder les rapports déjà écrits (%d) et vérifier les autres élèves (%d)", kept, len(students)-kept)
	}

	c := &report.Class{Title: classTitle(absClass), Identifiers: identifiers, Scripts: scriptsVersion(root)}
	for _, s := range students {
		c.Reports = append(c.Reports, reports[s])
	}
	if err := writeClass(c, absOut); err != nil {
		return nil, err
	}
	passed := 0
	for _, r := range c.Reports {
		if r.Passed() {
			passed++
		}
	}
	secs := time.Since(begin).Seconds()
	fmt.Fprintf(w, "classe : %d/%d TP sans erreur, en %s sur %d moteur(s)\n", passed, len(students), duration(secs), len(engines))
	fmt.Fprintf(w, "Tableau : %s et %s\n", filepath.Join(out, "classe.html"), filepath.Join(out, "classe.csv"))
	return &classRun{report: c, seconds: secs, checkerErrors: errorsSeen}, nil
}

// classTitle is the class page's heading, from the class folder's name:
// « Vérification des TP de 2nde-B ».
func classTitle(absClass string) string {
	name := filepath.Base(absClass)
	if name == "" || name == "." || name == string(filepath.Separator) {
		return report.DefaultClassTitle
	}
	return "Vérification des TP : " + name
}

// scriptsVersion is the version of the scripts of the teacher's checkout,
// or "" when they cannot be read.
func scriptsVersion(root string) string {
	v, err := report.ScriptsVersion(root)
	if err != nil {
		return ""
	}
	return v
}

// mapped checks that eleves.csv, when given, maps every folder.
func mapped(students []string, identifiers map[string]string, file string) error {
	if identifiers == nil {
		return nil
	}
	var missing []string
	for _, s := range students {
		if _, ok := identifiers[s]; !ok {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s ne donne pas l'identifiant de %s : ajoutez une ligne par dossier", file, strings.Join(missing, ", "))
	}
	return nil
}

// writeClass writes classe.html and classe.csv.
func writeClass(c *report.Class, absOut string) error {
	html, err := c.HTML()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(absOut, "classe.html"), html, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(absOut, "classe.csv"), c.CSV(), 0o644)
}

func engineNames(es []Engine) string {
	var n []string
	for _, e := range es {
		n = append(n, e.String())
	}
	return strings.Join(n, ", ")
}

// studentLine is a student's line in the terminal, with the status the
// class table gives (report.StudentStatus).
func studentLine(r *report.Report, e Engine) string {
	ok, fail, unv := r.Counts()
	switch st := report.StudentStatus(r); {
	case r.Checker != "":
		return fmt.Sprintf("%-24s %s : %s (%s)", r.Student, st, r.Checker, e)
	case len(r.Refused) > 0:
		return fmt.Sprintf("%-24s %s, 0/%s : %s (%s)", r.Student, st, report.Points(r.Max), r.Refused[0], e)
	case fail == 0:
		return fmt.Sprintf("%-24s %s %s : %d réussies, %d non vérifiables, %s (%s)", r.Student, st, r.ScoreText(), ok, unv, duration(r.Seconds), e)
	}
	first := ""
	for _, q := range r.Questions {
		if q.Status == report.Fail {
			first = q.ID
			break
		}
	}
	return fmt.Sprintf("%-24s échec %s : %d réussies, %d échouée(s) dès %s, %d non vérifiables, %s (%s)", r.Student, r.ScoreText(), ok, fail, first, unv, duration(r.Seconds), e)
}

func duration(s float64) string {
	d := time.Duration(s * float64(time.Second)).Round(time.Second)
	if d < time.Minute {
		return fmt.Sprintf("%d s", int(d.Seconds()))
	}
	return fmt.Sprintf("%d min %02d s", int(d.Minutes()), int(d.Seconds())%60)
}

// moduleRoot is the repository's root, where the scripts are: the
// current folder or the first one above it with the lab's go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.HasPrefix(string(data), "module tpdocker\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("lancez go run ./cmd/classe dans le dépôt du TP (aucun go.mod du TP trouvé)")
		}
		dir = parent
	}
}

// checkStudent runs the student mode for one student on one engine, and
// reads the report it wrote.
func checkStudent(ctx context.Context, root, bin string, e Engine, dir, out string, limit time.Duration, bareme string) (*report.Report, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	os.Remove(filepath.Join(out, "rapport.json"))
	args := append(append([]string{}, e.Prefix...), bin, oneStudent, "-sortie", out, "-limite", limit.String(), "-attente", "60m")
	if bareme != "" {
		abs, err := filepath.Abs(bareme)
		if err != nil {
			return nil, err
		}
		args = append(args, "-bareme", abs)
	}
	args = append(args, dir)
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = root
	cmd.Env = os.Environ()
	if e.Context != "" {
		cmd.Env = append(cmd.Env, "DOCKER_CONTEXT="+e.Context)
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 2 * time.Minute
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	err := cmd.Run()
	os.WriteFile(filepath.Join(out, "journal.txt"), log.Bytes(), 0o644)
	data, rerr := os.ReadFile(filepath.Join(out, "rapport.json"))
	if rerr != nil {
		if err == nil {
			err = rerr
		}
		return nil, fmt.Errorf("%v ; dernières lignes :\n%s", err, lastLines(log.String(), 5))
	}
	return report.ReadJSON(data)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// fromReports builds the class from the reports already written under
// o.class (the artifacts of the students' own runs, for example), without
// Docker: every *.json file is read; the student is the first folder under
// the class, or the file's name when it is at the top. A file that is not
// a report is refused, with why, and the class goes on; a report checked
// by other scripts than the teacher's is marked.
func fromReports(o options, bareme *report.Bareme, identifiers map[string]string, begin time.Time, w io.Writer) (*classRun, error) {
	absClass, err := filepath.Abs(o.class)
	if err != nil {
		return nil, err
	}
	absOut, err := filepath.Abs(o.out)
	if err != nil {
		return nil, err
	}
	if submission.Within(absOut, absClass) {
		return nil, fmt.Errorf("-sortie %s est dans le dossier des rapports, qui n'est jamais modifié : choisissez un autre dossier", o.out)
	}
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	version := scriptsVersion(root)
	reports := map[string]*report.Report{}
	var students []string
	refusedFiles := 0
	err = filepath.WalkDir(absClass, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(absClass, p)
		if d.IsDir() {
			if p != absClass && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.EqualFold(filepath.Ext(p), ".json") {
			return nil
		}
		student, _, nested := strings.Cut(filepath.ToSlash(rel), "/")
		if !nested {
			student = strings.TrimSuffix(student, filepath.Ext(student))
		}
		r, why := readReport(p, d)
		switch {
		case why != "":
		case reports[student] != nil:
			why = "un deuxième rapport pour " + student + " (le premier est gardé)"
		}
		if why != "" {
			refusedFiles++
			fmt.Fprintf(w, "  %-24s fichier refusé : %s\n", rel, why)
			return nil
		}
		r.Student = student
		r.Grade(bareme)
		reports[student] = r
		students = append(students, student)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dossier des rapports illisible : %v", err)
	}
	if len(students) == 0 {
		return nil, fmt.Errorf("%s ne contient aucun rapport.json d'élève (un sous-dossier par élève, ou ÉLÈVE.json)", o.class)
	}
	sort.Strings(students)
	if err := mapped(students, identifiers, o.eleves); err != nil {
		return nil, err
	}
	c := &report.Class{Title: classTitle(absClass), Identifiers: identifiers, Scripts: version}
	other := 0
	for _, s := range students {
		r := reports[s]
		c.Reports = append(c.Reports, r)
		line := studentLine(r, Engine{Context: "rapport déjà écrit"})
		if r.Scripts != version {
			other++
			line += fmt.Sprintf(" ; vérifié par une autre version des scripts (%s, ici %s)", orUnknown(r.Scripts), orUnknown(version))
		}
		fmt.Fprintf(w, "  %s\n", line)
		if err := r.WriteFiles(filepath.Join(absOut, s)); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(absOut, 0o755); err != nil {
		return nil, err
	}
	if err := writeClass(c, absOut); err != nil {
		return nil, err
	}
	secs := time.Since(begin).Seconds()
	fmt.Fprintf(w, "classe : %d rapport(s) lus, %d fichier(s) refusé(s), %d d'une autre version des scripts\n", len(students), refusedFiles, other)
	fmt.Fprintf(w, "Tableau : %s et %s\n", filepath.Join(o.out, "classe.html"), filepath.Join(o.out, "classe.csv"))
	return &classRun{report: c, seconds: secs, refusedFiles: refusedFiles}, nil
}

// maxReportSize is the largest report file read: a report is a few
// dozen kilobytes.
const maxReportSize = 4 << 20

// readReport reads one report file, or says why it is not one.
func readReport(p string, d os.DirEntry) (*report.Report, string) {
	if !d.Type().IsRegular() {
		return nil, "pas un fichier ordinaire (lien symbolique ?)"
	}
	info, err := d.Info()
	if err != nil {
		return nil, err.Error()
	}
	if info.Size() > maxReportSize {
		return nil, fmt.Sprintf("%d octets, trop gros pour un rapport", info.Size())
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err.Error()
	}
	r, err := report.ReadJSON(data)
	if err != nil {
		return nil, "pas un rapport de vérification : " + err.Error()
	}
	if r.Student == "" || r.Date == "" || (len(r.Questions) == 0 && len(r.Refused) == 0 && r.Checker == "") {
		return nil, "pas un rapport de vérification : il n'a ni élève, ni date, ni questions"
	}
	return r, ""
}

func orUnknown(v string) string {
	if v == "" {
		return "inconnue"
	}
	return v
}
