// Command classe checks a whole class: every sub-folder of CLASSE is one
// student's TP, checked by the lab's own scripts (go test -rendu, see
// student_test.go at the repository's root), one student after another on
// each engine. It writes each student's reports, then one summary table,
// in HTML and CSV: one row per student, one column per question.
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
// Run from the repository's root: it compiles the lab's tests once (go test
// -c), then runs them for each student.
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

	"tpdocker/internal/report"
	"tpdocker/internal/submission"
)

func main() {
	out := flag.String("sortie", filepath.Join("out", "classe"), "the folder the reports are written to")
	engines := flag.String("moteurs", "", "the Docker contexts to spread the students over, separated by commas (CONTEXTE or CONTEXTE=COMMANDE); the current context when empty")
	limit := flag.Duration("limite", 4*time.Minute, "the time limit of one exercise of one student")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage : go run ./cmd/classe [-sortie DOSSIER] [-moteurs CONTEXTE,...] [-limite 4m] CLASSE")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := run(ctx, flag.Arg(0), *out, *engines, *limit, os.Stdout)
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

// classRun is the result of a class.
type classRun struct {
	report        *report.Class
	seconds       float64
	checkerErrors int // students the checker itself could not check
}

func run(ctx context.Context, class, out, engineList string, limit time.Duration, w io.Writer) (*classRun, error) {
	begin := time.Now()
	engines, err := ParseEngines(engineList)
	if err != nil {
		return nil, err
	}
	students, err := Students(class)
	if err != nil {
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
	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, err
	}
	bin, cleanup, err := compileLab(ctx, root)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	fmt.Fprintf(w, "classe : %d élève(s), %d moteur(s) : %s\n", len(students), len(engines), engineNames(engines))

	queue := make(chan string)
	var mu sync.Mutex
	reports := map[string]*report.Report{}
	errorsSeen := 0
	var wg sync.WaitGroup
	for _, e := range engines {
		wg.Add(1)
		go func(e Engine) {
			defer wg.Done()
			for s := range queue {
				r, err := checkStudent(ctx, root, bin, e, filepath.Join(absClass, s), filepath.Join(absOut, s), limit)
				mu.Lock()
				if err != nil {
					errorsSeen++
					fmt.Fprintf(w, "  %-24s le vérificateur a échoué sur %s : %v\n", s, e, err)
					r = &report.Report{Student: s, Folder: filepath.Join(class, s), Date: time.Now().Format(time.RFC3339),
						Refused: []string{"non vérifié : l'outil de vérification a échoué, pas ce rendu (" + err.Error() + ") ; voir journal.txt"}}
				} else {
					fmt.Fprintf(w, "  %s\n", studentLine(r, e))
				}
				r.Student = s
				reports[s] = r
				mu.Unlock()
			}
		}(e)
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
	if ctx.Err() != nil {
		return nil, errors.New("interrompu : les objets de l'élève en cours ont été supprimés par sa vérification")
	}

	c := &report.Class{Title: "Vérification de la classe " + filepath.Base(absClass)}
	for _, s := range students {
		c.Reports = append(c.Reports, reports[s])
	}
	html, err := c.HTML()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(absOut, "classe.html"), html, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(absOut, "classe.csv"), c.CSV(), 0o644); err != nil {
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

func engineNames(es []Engine) string {
	var n []string
	for _, e := range es {
		n = append(n, e.String())
	}
	return strings.Join(n, ", ")
}

func studentLine(r *report.Report, e Engine) string {
	ok, fail, unv := r.Counts()
	switch {
	case len(r.Refused) > 0:
		return fmt.Sprintf("%-24s refusé : %s (%s)", r.Student, r.Refused[0], e)
	case fail == 0:
		return fmt.Sprintf("%-24s ✅ %d réussies, %d non vérifiables, %s (%s)", r.Student, ok, unv, duration(r.Seconds), e)
	}
	first := ""
	for _, q := range r.Questions {
		if q.Status == report.Fail {
			first = q.ID
			break
		}
	}
	return fmt.Sprintf("%-24s ❌ %d réussies, %d échouée(s) dès %s, %d non vérifiables, %s (%s)", r.Student, ok, fail, first, unv, duration(r.Seconds), e)
}

func duration(s float64) string {
	d := time.Duration(s * float64(time.Second)).Round(time.Second)
	if d < time.Minute {
		return fmt.Sprintf("%d s", int(d.Seconds()))
	}
	return fmt.Sprintf("%d min %02d s", int(d.Minutes()), int(d.Seconds())%60)
}

// moduleRoot is the repository's root: the lab's package, and the folder
// its tests run in (they read testdata/).
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", errors.New("lancez go run ./cmd/classe dans le dépôt du TP (aucun go.mod trouvé)")
	}
	return filepath.Dir(gomod), nil
}

// compileLab compiles the lab's tests (the repository's root package) once.
func compileLab(ctx context.Context, root string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "tpdocker-classe-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	bin := filepath.Join(dir, "tpdocker.test")
	cmd := exec.CommandContext(ctx, "go", "test", "-c", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("go test -c : %v\n%s", err, out)
	}
	return bin, cleanup, nil
}

// checkStudent runs the student mode for one student on one engine, and
// reads the report it wrote.
func checkStudent(ctx context.Context, root, bin string, e Engine, dir, out string, limit time.Duration) (*report.Report, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	os.Remove(filepath.Join(out, "rapport.json"))
	args := append(append([]string{}, e.Prefix...), bin, "-rendu", dir, "-sortie", out, "-limite", limit.String(), "-attente", "60m")
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
