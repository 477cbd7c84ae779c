// Package submission reads a student's folder for « Vérifier mon TP »,
// before anything runs: it refuses hostile or broken input with French
// messages, one line per reason; it checks the static requirements of the
// questions whose answers are files (3.a app.py, 3.b Dockerfile, 5.b
// docker-compose.yml), with the file and line of each; and it stages the
// files into a work folder in the report's layout. It needs no Docker and
// never writes into the student's folder: Load reads every file into
// memory once, and both the checks and Stage use that copy.
//
// The Compose file is read by compose-go's loader, as Docker Compose reads
// it, with no environment but the folder's .env; the Dockerfiles by
// BuildKit's parser. The Compose file is parsed a second time as YAML nodes
// only to find line numbers.
package submission

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Submission is a student's folder, read and accepted.
type Submission struct {
	Dir    string  // the folder as given
	Name   string  // its base name: the student's name in a class
	Layout string  // "tp": app.py, Dockerfile, docker-compose.yml side by side; "api": docker-compose.yml with api/app.py and api/Dockerfile (the report's own layout)
	Checks []Check // static requirements, one or more per question, in question order

	// ComposeFile is the student's Compose file, relative to Dir
	// ("compose.yaml"); Stage writes it as docker-compose.yml.
	ComposeFile string

	files  map[string]file   // the folder's regular files, as read by Load
	staged map[string]string // staged path -> student's path
	hints  map[string]string
}

// Check is one static requirement of a question, as the student's files meet it or not.
type Check struct {
	Question string // "3.a", "3.b", "5.b"
	OK       bool
	Message  string // French, one line: what is required, and (if !OK) what was found
	File     string // the student's file, relative to Dir ("api/Dockerfile"), "" if none
	Line     int    // 1-based, 0 if unknown
}

// Refusal is why a folder is refused before anything runs: one French line per reason.
type Refusal struct{ Reasons []string }

func (r *Refusal) Error() string {
	return "rendu refusé :\n" + strings.Join(r.Reasons, "\n")
}

// state is what Load knows while it reads a folder.
type state struct {
	dir, absDir string
	f           *folder
	layout      string
	compose     string            // the Compose file, relative to the folder
	staged      map[string]string // staged path -> student's path
	reasons     []string
	checks      []Check
	hints       map[string]string
	hintFile    map[string]string // the file of a hint's last part
	doc         *yamlDoc          // the Compose file's nodes, for lines
	env         map[string]string // the folder's .env
	dockerfiles map[string]bool   // the Dockerfiles read, by student's path
	todo        map[string]bool   // the files with a TODO not answered yet (todo.go)
}

// refuse adds a reason, prefixed with the file and line it is about.
func (s *state) refuse(file string, line int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if file != "" {
		msg = where(file, line) + " : " + msg
	}
	s.reasons = append(s.reasons, oneLine(msg))
}

// check records a check; its message is prefixed with the file and line.
func (s *state) check(question string, ok bool, file string, line int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if file != "" {
		msg = where(file, line) + " : " + msg
	}
	s.record(question, ok, file, line, msg)
}

// record records a check whose message is complete.
func (s *state) record(question string, ok bool, file string, line int, msg string) {
	s.checks = append(s.checks, Check{Question: question, OK: ok, Message: oneLine(msg), File: file, Line: line})
}

// hint adds a part to a question's hint: "file, ligne N : text", or
// "ligne N : text" after a part about the same file.
func (s *state) hint(question, file string, line int, text string) {
	part := text
	if file != "" {
		part = where(file, line) + " : " + text
		if s.hintFile[question] == file && line > 0 {
			part = fmt.Sprintf("ligne %d : %s", line, text)
		}
	}
	s.hintFile[question] = file
	if h := s.hints[question]; h != "" {
		part = h + " ; " + part
	}
	s.hints[question] = oneLine(part)
}

// where says "file, ligne N", or "file" when the line is unknown.
func where(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s, ligne %d", file, line)
	}
	return file
}

// Load reads dir. A *Refusal error lists every reason found at once (not only the first).
func Load(dir string) (*Submission, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, &Refusal{[]string{fmt.Sprintf("%s : chemin illisible (%s).", dir, oneLine(err.Error()))}}
	}
	s := &state{dir: dir, absDir: abs, hints: map[string]string{}, hintFile: map[string]string{}}
	f, reasons := readFolder(dir)
	for _, r := range reasons {
		s.reasons = append(s.reasons, oneLine(r))
	}
	if f == nil {
		return nil, &Refusal{s.reasons}
	}
	s.f = f
	layout, compose, reasons := findLayout(f)
	for _, r := range reasons {
		s.reasons = append(s.reasons, oneLine(r))
	}
	s.layout, s.compose = layout, compose
	s.staged = staging(f, layout, compose)

	s.checkAllTODOs()
	s.checkApp()
	s.checkLayoutDockerfile()
	if compose != "" {
		s.checkCompose()
	}
	if len(s.reasons) > 0 {
		return nil, &Refusal{s.reasons}
	}
	sortChecks(s.checks)
	return &Submission{
		Dir:         dir,
		Name:        filepath.Base(abs),
		Layout:      layout,
		Checks:      s.checks,
		ComposeFile: compose,
		files:       f.files,
		staged:      s.staged,
		hints:       s.hints,
	}, nil
}

// questionOrder puts the checks in the questions' order, keeping the order
// of the checks within a question.
var questionOrder = map[string]int{"3.a": 0, "3.b": 1, "5.b": 2}

func sortChecks(checks []Check) {
	// A stable insertion sort: a dozen checks.
	for i := 1; i < len(checks); i++ {
		for j := i; j > 0 && questionOrder[checks[j].Question] < questionOrder[checks[j-1].Question]; j-- {
			checks[j], checks[j-1] = checks[j-1], checks[j]
		}
	}
}

// Hints: question -> a French hint pointing at the student's file and
// line ("Dockerfile, ligne 2 : FROM python:3.12"), for the questions where
// one can be known: 3.a, 3.b, 4.a, 5.b. Used by the report when a question
// fails.
func (s *Submission) Hints() map[string]string {
	out := make(map[string]string, len(s.hints))
	for q, h := range s.hints {
		out[q] = h
	}
	return out
}

// Stage copies the accepted files into dst in the report's layout:
// dst/docker-compose.yml, dst/api/Dockerfile, dst/api/app.py, plus every
// other regular file of the folder at the same relative place. For the
// "tp" layout, the whole folder is copied to dst AND (except the Compose
// file) to dst/api, so that both `cd api && docker build .` and a Compose
// file with `build: .` or `build: ./api` work. The files are those Load
// read and checked: the student's folder is not read again, and never
// written to. dst is created if needed; it must not be inside the
// student's folder, nor hold it. Files already in dst stay: give Stage a
// new folder.
func (s *Submission) Stage(dst string) error {
	absDst, err := filepath.Abs(dst)
	if err != nil {
		return err
	}
	absDir, err := filepath.Abs(s.Dir)
	if err != nil {
		return err
	}
	if overlaps(realPath(absDst), realPath(absDir)) {
		return fmt.Errorf("%s : le dossier de travail et le dossier rendu %s se recouvrent, rien n'est copié", dst, s.Dir)
	}
	if err := os.MkdirAll(absDst, 0o755); err != nil {
		return err
	}
	root, err := os.OpenRoot(absDst)
	if err != nil {
		return err
	}
	defer root.Close()
	// A file staged at two places (app.py and api/app.py in the "tp"
	// layout) is one file with two names, a hard link: the lab edits
	// api/app.py (question 7.d), and a Compose file with build: . must
	// build that edit too.
	tos := make([]string, 0, len(s.staged))
	for to := range s.staged {
		tos = append(tos, to)
	}
	sort.Strings(tos)
	written := map[string]string{} // from -> its first place
	for _, to := range tos {
		from := s.staged[to]
		fl := s.files[from]
		if dir := path.Dir(to); dir != "." {
			if err := root.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
		mode := os.FileMode(0o644)
		if fl.exec {
			mode = 0o755
		}
		if first, ok := written[from]; ok {
			if err := root.Link(first, to); err == nil {
				continue
			}
		}
		if err := root.WriteFile(to, fl.data, mode); err != nil {
			return err
		}
		written[from] = to
	}
	return nil
}

// realPath resolves the symbolic links of p's longest existing prefix.
func realPath(p string) string {
	rest := ""
	for {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.Join(p, rest)
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}

// Within reports whether path is dir or lies beneath it, once both are
// made absolute and their symbolic links resolved: where a report may not
// be written, for example.
func Within(path, dir string) bool {
	p, err1 := filepath.Abs(path)
	d, err2 := filepath.Abs(dir)
	return err1 == nil && err2 == nil && inside(realPath(d), realPath(p))
}

// overlaps reports whether a is b, or one holds the other.
func overlaps(a, b string) bool {
	return inside(a, b) || inside(b, a)
}

// inside reports whether p is dir or lies beneath it (both absolute).
func inside(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	if err != nil {
		return false
	}
	return rel == "." || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel))
}

// oneLine makes msg a single line: line breaks and other control
// characters become spaces, runs of spaces one space.
func oneLine(msg string) string {
	msg = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, msg)
	return strings.Join(strings.Fields(msg), " ")
}

// quoteLine is line n (1-based) of data, on one line and at most 100
// characters long, for a hint.
func quoteLine(data []byte, n int) string {
	if n <= 0 {
		return ""
	}
	lines := strings.Split(string(data), "\n")
	if n > len(lines) {
		return ""
	}
	l := oneLine(lines[n-1])
	if r := []rune(l); len(r) > 100 {
		l = string(r[:99]) + "…"
	}
	return l
}

// errNoFile is returned for a file the folder does not hold.
var errNoFile = errors.New("no such file")

// data is the content of the student's file p.
func (s *state) data(p string) ([]byte, error) {
	f, ok := s.f.files[p]
	if !ok {
		return nil, errNoFile
	}
	return f.data, nil
}
