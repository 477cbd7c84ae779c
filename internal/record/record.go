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
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"

	"tpdocker/internal/buildkit"
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
		out, errs := buildkit.Canonical(s.Stdout), buildkit.Canonical(s.Stderr)
		if (out != s.Stdout || errs != s.Stderr) && s.Output != "" {
			s.Output = Reordered(s.Output, s.Stdout, s.Stderr, out, errs)
		}
		s.Stdout, s.Stderr = out, errs
	}
	return r
}

var (
	phaseLine  = regexp.MustCompile(`^#\s*(.*?)(?: \(\d+\.\d+s\))?$`)
	phaseTime  = regexp.MustCompile(` \((\d+\.\d+)s\)$`)
	exitLine   = regexp.MustCompile(`^\[exit status (\d+)\]$`)
	execLine   = regexp.MustCompile(`^(?:\[[^\]]+\]\s*)*(!\s*)?exec\s+(.*)$`)
	bgSuffix   = regexp.MustCompile(`\s+&(\w*)&$`)
	waitLine   = regexp.MustCompile(`^wait\s+(\w+)$`)
	ttyinLine  = regexp.MustCompile(`^ttyin\s+(?:-stdin\s+)?(\S+)$`)
	termLine   = regexp.MustCompile(`^terminal\s+(\S+)\s+(.*)$`)
	bgDoneLine = regexp.MustCompile(`^\[background\] `)
)

// ParseTranscript turns testscript's transcript into steps: one per exec,
// with its section (the # comment above it), its output and exit status.
func ParseTranscript(transcript string, archive *txtar.Archive) []Step {
	files := map[string]string{}
	for _, f := range archive.Files {
		files[f.Name] = string(f.Data)
	}
	scriptLines := map[string]bool{}
	startsBlock := map[string]bool{} // comment lines that open a block: a blank or a command above
	prev := ""
	for _, l := range strings.Split(string(archive.Comment), "\n") {
		l = strings.TrimSpace(l)
		if l != "" {
			scriptLines[l] = true
		}
		if strings.HasPrefix(l, "# ") && !strings.HasPrefix(prev, "#") {
			startsBlock[l] = true
		}
		prev = l
	}
	var steps []*Step
	var cur *Step
	section, input := "", ""
	block, blockSecs := 0, 0.0
	inSection := false // the previous line was a comment: they make one section
	var buf *string
	for _, line := range splitTranscript(transcript, scriptLines) {
		if !strings.HasPrefix(line, "# ") || !scriptLines["# "+phaseLine.FindStringSubmatch(line)[1]] {
			inSection = false
		}
		switch {
		case strings.HasPrefix(line, "# ") && scriptLines["# "+phaseLine.FindStringSubmatch(line)[1]]:
			text := phaseLine.FindStringSubmatch(line)[1]
			if inSection && !startsBlock["# "+text] {
				section += " " + text
			} else {
				section = text
			}
			inSection = true
			cur, buf = nil, nil
			// testscript writes the block's time on its last comment line.
			if m := phaseTime.FindStringSubmatch(line); m != nil {
				block++
				fmt.Sscan(m[1], &blockSecs)
			}
		case line == noNewline:
			if buf != nil {
				*buf = strings.TrimSuffix(*buf, "\n")
			}
		case strings.HasPrefix(line, "> "):
			cmd := strings.TrimPrefix(line, "> ")
			buf = nil
			if m := ttyinLine.FindStringSubmatch(cmd); m != nil {
				input = files[m[1]]
				cur = nil
			} else if m := termLine.FindStringSubmatch(cmd); m != nil {
				cur = &Step{Section: section, Input: files[strings.TrimPrefix(m[1], "$WORK/")], Cmd: DisplayCommand(m[2]), terminal: true,
					Block: block, Seconds: blockSecs}
				steps = append(steps, cur)
			} else if m := execLine.FindStringSubmatch(cmd); m != nil {
				s := &Step{Section: section, Input: input, Block: block, Seconds: blockSecs}
				input = ""
				words := m[2]
				if bm := bgSuffix.FindStringSubmatch(words); bm != nil {
					s.Background, s.bgName = true, bm[1]
					words = strings.TrimSuffix(words, bm[0])
				}
				s.Cmd = DisplayCommand(words)
				steps = append(steps, s)
				cur = s
			} else if m := waitLine.FindStringSubmatch(cmd); m != nil {
				cur = nil
				for _, s := range steps {
					if s.Background && s.bgName == m[1] {
						cur = s
					}
				}
			} else {
				cur = nil
			}
		case line == "[condition not met]":
			if cur != nil && len(steps) > 0 && steps[len(steps)-1] == cur {
				steps = steps[:len(steps)-1]
			}
			cur = nil
		case bgDoneLine.MatchString(line):
			cur, buf = nil, nil
			for _, s := range steps {
				if s.Background && strings.Contains(line, strings.SplitN(s.Cmd, " ", 2)[1]) && s.Stdout == "" && s.Stderr == "" {
					cur = s
				}
			}
		case line == "[stdout]" && cur != nil:
			buf = &cur.Stdout
		case line == "[stderr]" && cur != nil:
			buf = &cur.Stderr
		case exitLine.MatchString(line) && cur != nil:
			fmt.Sscan(exitLine.FindStringSubmatch(line)[1], &cur.Exit)
			buf = nil
		case line == "PASS" || strings.HasPrefix(line, "FAIL: "):
			cur, buf = nil, nil
		default:
			if buf != nil {
				*buf += line + "\n"
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

// noNewline marks, in a split transcript, an output that did not end with a
// newline: testscript then writes its next marker on the same line.
const noNewline = "\x00no newline"

var gluedMarker = regexp.MustCompile(`(\[stdout\]|\[stderr\]|\[exit status \d+\]|\[background\] .*)$`)

// splitTranscript splits the transcript into lines, cutting off the markers
// that follow an output without a final newline ("{"status":"ok"}[stderr]").
func splitTranscript(transcript string, scriptLines map[string]bool) []string {
	var out []string
	for _, line := range strings.Split(transcript, "\n") {
		cut := -1
		if m := gluedMarker.FindStringIndex(line); m != nil && m[0] > 0 {
			cut = m[0]
		} else if i := strings.LastIndex(line, "> "); i > 0 && scriptLines[line[i+2:]] {
			cut = i
		} else {
			for l := range scriptLines {
				if i := strings.Index(line, l); strings.HasPrefix(l, "# ") && i > 0 {
					cut = i
				}
			}
		}
		if cut > 0 {
			out = append(out, line[:cut], noNewline, line[cut:])
			continue
		}
		out = append(out, line)
	}
	return out
}

// DisplayCommand writes testscript's words as a reader types them in a
// shell: words with spaces in double quotes, $name as <name>.
func DisplayCommand(words string) string {
	var out []string
	for _, w := range SplitScriptWords(words) {
		switch {
		case strings.HasPrefix(w, "$"):
			out = append(out, "<"+strings.Trim(w[1:], "{}")+">")
		case w == "" || strings.ContainsAny(w, " \t'\"|&;<>()*?"):
			out = append(out, `"`+strings.ReplaceAll(w, `"`, `\"`)+`"`)
		default:
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// SplitScriptWords splits a script line as testscript does: spaces separate
// words, single quotes group them (” is a quote inside quotes).
func SplitScriptWords(line string) []string {
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quoted && c == '\'' && i+1 < len(line) && line[i+1] == '\'':
			cur.WriteByte('\'')
			i++
		case c == '\'':
			quoted = !quoted
			inWord = true
		case !quoted && (c == ' ' || c == '\t'):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
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
