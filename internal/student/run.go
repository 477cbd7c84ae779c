package student

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"tpdocker/internal/lab"
	"tpdocker/internal/scriptcmd"
)

// scriptRun is what one script did on the student's files.
type scriptRun struct {
	transcript string
	failed     bool
	seconds    float64
}

// scriptT runs testscript outside go test's own tests: a failure ends the
// script and is kept for the report, not printed as a Go test failure.
type scriptT struct {
	mu     *sync.Mutex
	log    *strings.Builder
	failed *bool
}

func (t scriptT) Skip(args ...any)  { t.Log(args...); runtime.Goexit() }
func (t scriptT) Fatal(args ...any) { t.Log(args...); t.FailNow() }
func (t scriptT) Parallel()         {}
func (t scriptT) Verbose() bool     { return true }
func (t scriptT) FailNow() {
	t.mu.Lock()
	*t.failed = true
	t.mu.Unlock()
	runtime.Goexit()
}
func (t scriptT) Log(args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.log.WriteString(fmt.Sprint(args...) + "\n")
}
func (t scriptT) Run(name string, f func(testscript.T)) {
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

// runScript runs one script, its [auteur] assertions turned into auteur
// (scriptcmd.StudentScript), on a copy of the student's files.
func (c *checker) runScript(work, name, src string, deadline time.Time) scriptRun {
	dir := filepath.Join(work, "scripts")
	os.MkdirAll(dir, 0o755)
	file := filepath.Join(dir, name+".txtar")
	begin := time.Now()
	if err := os.WriteFile(file, []byte(scriptcmd.StudentScript(src)), 0o644); err != nil {
		return scriptRun{transcript: "FAIL: " + file + ":0: " + err.Error(), failed: true}
	}
	root, err := os.MkdirTemp(work, "travail-")
	if err != nil {
		return scriptRun{transcript: "FAIL: " + file + ":0: " + err.Error(), failed: true}
	}
	var log strings.Builder
	failed := false
	t := scriptT{mu: &sync.Mutex{}, log: &log, failed: &failed}
	p := lab.Params(c.suite, c.opts.Root, false)
	p.Files, p.WorkdirRoot, p.Deadline = []string{file}, root, deadline
	testscript.RunT(t, p)
	os.RemoveAll(root)
	return scriptRun{transcript: log.String(), failed: failed, seconds: time.Since(begin).Seconds()}
}

// checkerError says that the checker itself failed, not the student's files.
const checkerError = "erreur de l'outil de vérification, pas de votre rendu"
