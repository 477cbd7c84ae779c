// Package history keeps the verification's own history: one entry per run of
// the suite (when, where, on which engine and images, how long each script
// and each block took, what failed), appended as one JSON line to a data
// branch of the repository (Append), read back for the site (Load, Site),
// and failures reported as GitHub issues through gh (Report).
//
// Durations and digests change from run to run: they live here, never in
// the committed run records of site/data/runs.
package history

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"tpdocker/internal/scriptlang"
)

// Entry is one verification run.
type Entry struct {
	Date     string    `json:"date"`   // RFC 3339, UTC
	Status   string    `json:"status"` // "pass" or "fail"
	Event    string    `json:"event"`  // what started it: "publish", "nightly", "local"…
	Commit   string    `json:"commit,omitempty"`
	RunURL   string    `json:"run_url,omitempty"`
	Runner   Runner    `json:"runner"`
	Engine   Engine    `json:"engine"`
	Images   []Image   `json:"images"`
	Inside   Inside    `json:"inside"` // versions read in the run's own outputs
	Seconds  float64   `json:"seconds"`
	Scripts  []Script  `json:"scripts"`
	Failures []Failure `json:"failures,omitempty"`
}

// Runner is the machine the suite ran on.
type Runner struct {
	Name  string `json:"name"`
	OS    string `json:"os"`              // /etc/os-release's PRETTY_NAME, or GOOS
	Image string `json:"image,omitempty"` // GitHub's runner image: ImageOS and ImageVersion
}

// Engine is the Docker the suite talked to.
type Engine struct {
	Engine  string `json:"engine"`
	Client  string `json:"client"`
	Compose string `json:"compose"`
	Buildx  string `json:"buildx"`
	Store   string `json:"store"`
}

// Image is one of the lab's images as the run found it.
type Image struct {
	Ref    string `json:"ref"`
	Kind   string `json:"kind"` // "official" or "standin"
	Digest string `json:"digest,omitempty"`
	ID     string `json:"id"`
}

// Inside holds the versions of what runs inside the images.
type Inside struct {
	Python     string `json:"python,omitempty"`
	FastAPI    string `json:"fastapi,omitempty"`
	Uvicorn    string `json:"uvicorn,omitempty"`
	PostgreSQL string `json:"postgresql,omitempty"`
}

// Script is one script's result.
type Script struct {
	Script  string  `json:"script"`
	Status  string  `json:"status"` // "pass" or "fail"
	Seconds float64 `json:"seconds"`
	Steps   []Step  `json:"steps"`
}

// Step is one command of a script. Seconds is the time of its block (the
// commands under one # comment of the script): testscript times blocks;
// InBlock says how many commands share it.
type Step struct {
	Cmd     string  `json:"cmd"`
	Block   int     `json:"block"`
	InBlock int     `json:"in_block"`
	Seconds float64 `json:"seconds"`
}

// Failure is where and how a script failed.
type Failure struct {
	Script   string `json:"script"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Section  string `json:"section,omitempty"` // the block of the script
	Cmd      string `json:"cmd,omitempty"`     // the last command run
	Message  string `json:"message"`
	Expected string `json:"expected"` // the script's line that failed
	Actual   string `json:"actual"`   // the first lines of the last command's output
}

// Validate refuses an entry the site or the reports could not use.
func (e *Entry) Validate() error {
	switch {
	case e.Date == "":
		return fmt.Errorf("entrée sans date")
	case e.Status != "pass" && e.Status != "fail":
		return fmt.Errorf("entrée du %s : statut %q (pass ou fail)", e.Date, e.Status)
	case len(e.Scripts) == 0:
		return fmt.Errorf("entrée du %s : aucun script", e.Date)
	case e.Status == "fail" && len(e.Failures) == 0:
		return fmt.Errorf("entrée du %s : échec sans détail", e.Date)
	}
	return nil
}

// Line is the entry as one line of the history (JSON, no newline inside).
func (e *Entry) Line() ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(e)
}

// Parse reads a history: one JSON entry per line, blank lines ignored.
func Parse(data []byte) ([]Entry, error) {
	var out []Entry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var e Entry
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, fmt.Errorf("historique, ligne %d : %v", n, err)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

var (
	pythonLine   = regexp.MustCompile(`(?m)^(3\.\d+\.\d+) (\d+\.\d+\.\d+) (\d+\.\d+\.\d+)\s*$`)
	postgresLine = regexp.MustCompile(`PostgreSQL (\d+\.\d+)`)
)

// FailureOf reads where a script failed in testscript's transcript: the
// FAIL line (file, line, message), the script's line there (what was
// expected), and the first lines of the last command's output (what came).
// script is the txtar's text; lastCmd and lastOut the last step run before
// the failure.
func FailureOf(name, transcript, script, section, lastCmd, lastOut string) (Failure, bool) {
	s := scriptlang.ParseScript(script)
	fail, ok := scriptlang.ReadTranscript(transcript, s).Failure()
	if !ok {
		return Failure{}, false
	}
	f := Failure{Script: name, File: fail.File, Line: fail.Line, Section: section, Cmd: lastCmd, Message: fail.Message, Actual: FirstLines(lastOut, 12)}
	if l := s.Line(fail.Line); l != nil {
		f.Expected = l.Text
	}
	return f, true
}

// FirstLines keeps the first n lines of s, saying how many were left out.
func FirstLines(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n… (%d lignes de plus)", len(lines)-n)
}

// InsideVersions reads the versions of Python, FastAPI and Uvicorn (the
// line ex8 prints) and of the PostgreSQL server (ex6's SELECT version()) in
// the outputs of a run.
func InsideVersions(outputs []string) Inside {
	var in Inside
	for _, o := range outputs {
		if m := pythonLine.FindStringSubmatch(o); m != nil && in.Python == "" {
			in.Python, in.FastAPI, in.Uvicorn = m[1], m[2], m[3]
		}
		if m := postgresLine.FindStringSubmatch(o); m != nil && in.PostgreSQL == "" {
			in.PostgreSQL = m[1]
		}
	}
	return in
}

// BuildxVersion takes buildx's version out of the engine's builder
// ("BuildKit (buildx 0.38.2)").
func BuildxVersion(builder string) string {
	if _, v, ok := strings.Cut(builder, "buildx "); ok {
		return strings.TrimSuffix(v, ")")
	}
	return ""
}
