// Package record turns the transcript of a testscript run into the record
// the site shows, and draws the report's screenshots from those records.
//
// A record (Result) lists what a script ran and what the engine answered,
// step by step: the section of the report (the # comment above), the
// command as a reader types it, its standard output and error, what an
// interactive session showed, its exit status. What changes from one run to
// the next (IDs, generated names, durations, client ports, timestamps) is
// replaced by a stand-in of the same shape, so that two runs in a row give
// the same record (Normalise). Captures are terminal windows drawn in SVG
// from a record: what a screenshot shows is what a verified run printed.
package record

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"

	"tpdocker/internal/buildprogress"
	"tpdocker/internal/scriptlang"
)

// Result is the record of one script's run, as site/data/runs/<script>.json
// holds it.
type Result struct {
	Script  string  `json:"script"`
	Status  string  `json:"status"`
	Date    string  `json:"date"`
	Engine  string  `json:"engine"`
	Client  string  `json:"client"`
	Compose string  `json:"compose"`
	Builder string  `json:"builder"`
	Store   string  `json:"store"`
	Images  []Image `json:"images"`
	Steps   []Step  `json:"steps"`
}

// Image is one of the lab's images as a run used it.
type Image struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"` // "official" or "standin"
	Origin string `json:"origin"`
}

// Step is one command of the script and what it printed.
type Step struct {
	Section string `json:"section"`
	Cmd     string `json:"cmd"`
	Stdout  string `json:"stdout"`
	Stderr  string `json:"stderr"`
	// Output is standard output and error in one stream, in the order the
	// command wrote them, as a terminal shows them (AttachOrdered); only
	// for a command that wrote on both.
	Output     string `json:"output,omitempty"`
	Tty        string `json:"tty"`
	Input      string `json:"input"`
	Exit       int    `json:"exit"`
	Background bool   `json:"background"`

	// Block numbers the script's blocks (a # comment and the commands
	// under it, from 1) and Seconds is the time testscript measured for the
	// step's block: testscript times blocks, not single commands. Neither
	// is written to the record, which must stay the same from run to run;
	// the verification history (internal/history) keeps them.
	Block   int     `json:"-"`
	Seconds float64 `json:"-"`

	bgName   string
	terminal bool // run by the terminal command: stdout is the window's transcript
}

// Container is a container a script created: its generated name, if it has
// one, gets a stand-in.
type Container struct{ ID, Name string }

// Run is what a record says of the run and its engine.
type Run struct {
	RunID string // the suite's run ID, shown in scope labels: replaced by a fixed stand-in
	Date  string // the run's day, 2006-01-02

	Engine, Client, Compose, Builder, Store string
	Images                                  map[string]Image // the lab's images, by reference ("alpine:latest")
}

// Commands is the number of commands the script ran.
func (r *Result) Commands() int { return len(r.Steps) }

// Make builds the normalised record of a script from testscript's verbose
// transcript and the script's archive. failed marks a script that failed;
// created lists the containers the script created. A run's records are
// better made with MakeRaw, then normalised together (NormaliseAll).
func Make(script, transcript string, archive *txtar.Archive, failed bool, run Run, created []Container) *Result {
	r := MakeRaw(script, transcript, archive, failed, run, nil)
	Normalise(r, run.RunID, created)
	return r
}

// MakeRaw builds the record of a script as Make does, without normalising
// its outputs; invs are the script's runs of the docker client, with their
// outputs in order (AttachOrdered).
func MakeRaw(script, transcript string, archive *txtar.Archive, failed bool, run Run, invs []Invocation) *Result {
	r := &Result{
		Script:  script,
		Status:  "pass",
		Date:    run.Date,
		Engine:  run.Engine,
		Client:  run.Client,
		Compose: run.Compose,
		Builder: run.Builder,
		Store:   run.Store,
		Steps:   ParseTranscript(transcript, archive),
	}
	if failed {
		r.Status = "fail"
	}
	used := map[string]bool{}
	for _, s := range r.Steps {
		for ref := range run.Images {
			base := strings.SplitN(ref, ":", 2)[0]
			if regexp.MustCompile(`\b` + regexp.QuoteMeta(base) + `\b`).MatchString(s.Cmd + s.Stdout) {
				used[ref] = true
			}
		}
	}
	if strings.Contains(transcript, "docker build") || strings.Contains(transcript, "compose up") {
		used["python:3.9-slim"] = true
	}
	if strings.Contains(transcript, "compose up") {
		used["postgres:16"] = true
	}
	for ref := range used {
		r.Images = append(r.Images, run.Images[ref])
	}
	sort.Slice(r.Images, func(i, j int) bool { return r.Images[i].Name < r.Images[j].Name })
	AttachOrdered(r.Steps, invs)
	for i := range r.Steps {
		// BuildKit prints parallel steps in the order they happen to run
		// (on standard error for docker build, on standard output for
		// compose). Its progress is put in a fixed order, in one block
		// where it started: what came before the build stays before it.
		s := &r.Steps[i]
		out, errs := buildprogress.Canonical(s.Stdout), buildprogress.Canonical(s.Stderr)
		if (out != s.Stdout || errs != s.Stderr) && s.Output != "" {
			s.Output = Reordered(s.Output, s.Stdout, s.Stderr, out, errs)
		}
		s.Stdout, s.Stderr = out, errs
	}
	return r
}

// ParseTranscript turns testscript's transcript into steps: one per exec,
// with its section (the # comment above it), its output and exit status.
func ParseTranscript(transcript string, archive *txtar.Archive) []Step {
	files := map[string]string{}
	for _, f := range archive.Files {
		files[f.Name] = string(f.Data)
	}
	script := scriptlang.ParseScript(string(archive.Comment))
	// startsSection tells a comment line with a blank or a command above
	// it: a comment right under another one continues its section.
	startsSection := func(n int) bool {
		above := script.Line(n - 1)
		return above == nil || !above.Comment
	}
	var steps []*Step
	var cur *Step
	section, input := "", ""
	block, blockSecs := 0, 0.0
	inSection := false // the previous line was a comment: they make one section
	var buf *string
	for _, e := range scriptlang.ReadTranscript(transcript, script).Entries {
		if e.Kind != scriptlang.Heading {
			inSection = false
		}
		switch {
		case e.Kind == scriptlang.Heading:
			if inSection && !startsSection(e.Line) {
				section += " " + e.Text
			} else {
				section = e.Text
			}
			inSection = true
			cur, buf = nil, nil
			// testscript writes the block's time on its last comment line.
			if e.Timed {
				block++
				blockSecs = e.Seconds
			}
		case e.Kind == scriptlang.NoNewline:
			if buf != nil {
				*buf = strings.TrimSuffix(*buf, "\n")
			}
		case e.Kind == scriptlang.Run:
			c := e.Command
			plain := len(c.Conds) == 0 && !c.Neg
			buf = nil
			switch {
			case plain && c.Name() == "ttyin" && (len(c.Args) == 2 || len(c.Args) == 3 && c.Args[1] == "-stdin"):
				input = files[c.Args[len(c.Args)-1]]
				cur = nil
			case plain && c.Name() == "terminal" && len(c.Args) >= 3:
				cur = &Step{Section: section, Input: files[strings.TrimPrefix(c.Args[1], "$WORK/")], Cmd: DisplayArgs(c.Args[2:]), terminal: true,
					Block: block, Seconds: blockSecs}
				steps = append(steps, cur)
			case c.Name() == "exec" && len(c.Args) >= 2:
				s := &Step{Section: section, Input: input, Block: block, Seconds: blockSecs,
					Cmd: DisplayArgs(c.Args[1:]), Background: c.Background, bgName: c.BgName}
				input = ""
				steps = append(steps, s)
				cur = s
			case plain && c.Name() == "wait" && len(c.Args) == 2:
				cur = nil
				for _, s := range steps {
					if s.Background && s.bgName == c.Args[1] {
						cur = s
					}
				}
			default:
				cur = nil
			}
		case e.Kind == scriptlang.NotMet:
			if cur != nil && len(steps) > 0 && steps[len(steps)-1] == cur {
				steps = steps[:len(steps)-1]
			}
			cur = nil
		case e.Kind == scriptlang.BackgroundDone:
			cur, buf = nil, nil
			for _, s := range steps {
				if s.Background && strings.Contains(e.Text, strings.SplitN(s.Cmd, " ", 2)[1]) && s.Stdout == "" && s.Stderr == "" {
					cur = s
				}
			}
		case e.Kind == scriptlang.Stdout && cur != nil:
			buf = &cur.Stdout
		case e.Kind == scriptlang.Stderr && cur != nil:
			buf = &cur.Stderr
		case e.Kind == scriptlang.Exit && cur != nil:
			cur.Exit = e.Status
			buf = nil
		case e.Kind == scriptlang.Pass || e.Kind == scriptlang.Fail:
			cur, buf = nil, nil
		default:
			if buf != nil {
				*buf += e.Text + "\n"
			}
		}
	}
	out := make([]Step, len(steps))
	for i, s := range steps {
		if s.terminal {
			s.Tty, s.Stdout = s.Stdout, ""
		}
		out[i] = *s
	}
	return out
}

// DisplayCommand writes testscript's words as a reader types them in a
// shell: words with spaces in double quotes, $name as <name>.
func DisplayCommand(words string) string {
	return DisplayArgs(scriptlang.Words(words, nil))
}

// DisplayArgs writes a command's words (scriptlang.Words, $name as written)
// as DisplayCommand does.
func DisplayArgs(args []string) string {
	out := make([]string, len(args))
	for i, w := range args {
		switch {
		case strings.HasPrefix(w, "$"):
			out[i] = "<" + strings.Trim(w[1:], "{}") + ">"
		case w == "" || strings.ContainsAny(w, " \t'\"|&;<>()*?"):
			out[i] = `"` + strings.ReplaceAll(w, `"`, `\"`) + `"`
		default:
			out[i] = w
		}
	}
	return strings.Join(out, " ")
}

// Write writes the record to dir/<script>.json.
func Write(dir string, r *Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, r.Script+".json"), append(data, '\n'), 0o644)
}

// Read reads the record dir/<script>.json.
func Read(dir, script string) (*Result, error) {
	data, err := os.ReadFile(filepath.Join(dir, script+".json"))
	if err != nil {
		return nil, err
	}
	var r Result
	return &r, json.Unmarshal(data, &r)
}
