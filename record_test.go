package tpdocker_test

// The record of a verified run: what each script ran and what the engine
// answered, read from testscript's own transcript, with the parts that change
// from run to run (IDs, generated names, durations, ports) normalised. With
// -update it is written to site/data/runs/<script>.json, where the site reads
// every command and output it shows.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"

	"tpdocker/internal/buildkit"
)

// recordingT is testscript's T with two changes: it always asks for the full
// transcript (Verbose), which it keeps for the record, and it shows that
// transcript only where go test would (-v, or a failure).
type recordingT struct {
	*testing.T
	name string
}

func (t recordingT) Verbose() bool { return true }

func (t recordingT) Run(name string, f func(testscript.T)) {
	t.T.Run(name, func(tt *testing.T) { f(recordingT{T: tt, name: name}) })
}

func (t recordingT) Log(args ...any) {
	s := fmt.Sprint(args...)
	if t.name != "" && strings.Contains(s, "\n> ") {
		keepTranscript(t.T, t.name, s)
	}
	if testing.Verbose() || t.T.Failed() {
		t.T.Log(s)
	}
}

type scriptResult struct {
	Script  string      `json:"script"`
	Status  string      `json:"status"`
	Date    string      `json:"date"`
	Engine  string      `json:"engine"`
	Client  string      `json:"client"`
	Compose string      `json:"compose"`
	Builder string      `json:"builder"`
	Store   string      `json:"store"`
	Images  []imageInfo `json:"images"`
	Steps   []step      `json:"steps"`
}

type step struct {
	Section    string `json:"section"`
	Cmd        string `json:"cmd"`
	Stdout     string `json:"stdout"`
	Stderr     string `json:"stderr"`
	Tty        string `json:"tty"`
	Input      string `json:"input"`
	Exit       int    `json:"exit"`
	Background bool   `json:"background"`

	bgName   string
	terminal bool // run by the terminal command: stdout is the window's transcript
}

func (r *scriptResult) commands() int { return len(r.Steps) }

func keepTranscript(t *testing.T, name, transcript string) {
	archive, err := txtar.ParseFile(filepath.Join("testdata", name+".txtar"))
	if err != nil {
		t.Logf("enregistrement impossible : %v", err)
		return
	}
	r := &scriptResult{
		Script:  name,
		Status:  "pass",
		Date:    time.Now().UTC().Format("2006-01-02"),
		Engine:  suite.info.Engine,
		Client:  suite.info.Client,
		Compose: suite.info.Compose,
		Builder: suite.info.Builder,
		Store:   suite.info.Store,
		Steps:   parseTranscript(transcript, archive),
	}
	if t.Failed() {
		r.Status = "fail"
	}
	used := map[string]bool{}
	for _, s := range r.Steps {
		for ref := range suite.info.Images {
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
		r.Images = append(r.Images, suite.info.Images[ref])
	}
	sort.Slice(r.Images, func(i, j int) bool { return r.Images[i].Name < r.Images[j].Name })
	for i := range r.Steps {
		// BuildKit prints parallel steps in the order they happen to run
		// (on standard error for docker build, on standard output for
		// compose).
		r.Steps[i].Stdout = buildkit.Canonical(r.Steps[i].Stdout)
		r.Steps[i].Stderr = buildkit.Canonical(r.Steps[i].Stderr)
	}
	suite.mu.Lock()
	normalise(r, suite.created[name])
	suite.results[name] = r
	suite.mu.Unlock()
	if *update {
		if err := writeRecord(r); err != nil {
			t.Errorf("écriture de l'enregistrement : %v", err)
		}
	}
}

var (
	phaseLine  = regexp.MustCompile(`^#\s*(.*?)(?: \(\d+\.\d+s\))?$`)
	exitLine   = regexp.MustCompile(`^\[exit status (\d+)\]$`)
	execLine   = regexp.MustCompile(`^(?:\[[^\]]+\]\s*)*(!\s*)?exec\s+(.*)$`)
	bgSuffix   = regexp.MustCompile(`\s+&(\w*)&$`)
	waitLine   = regexp.MustCompile(`^wait\s+(\w+)$`)
	ttyinLine  = regexp.MustCompile(`^ttyin\s+(?:-stdin\s+)?(\S+)$`)
	termLine   = regexp.MustCompile(`^terminal\s+(\S+)\s+(.*)$`)
	bgDoneLine = regexp.MustCompile(`^\[background\] `)
)

// parseTranscript turns testscript's transcript into steps: one per exec,
// with its section (the # comment above it), its output and exit status.
func parseTranscript(transcript string, archive *txtar.Archive) []step {
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
	var steps []*step
	var cur *step
	section, input := "", ""
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
				cur = &step{Section: section, Input: files[strings.TrimPrefix(m[1], "$WORK/")], Cmd: displayCommand(m[2]), terminal: true}
				steps = append(steps, cur)
			} else if m := execLine.FindStringSubmatch(cmd); m != nil {
				s := &step{Section: section, Input: input}
				input = ""
				words := m[2]
				if bm := bgSuffix.FindStringSubmatch(words); bm != nil {
					s.Background, s.bgName = true, bm[1]
					words = strings.TrimSuffix(words, bm[0])
				}
				s.Cmd = displayCommand(words)
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
	out := make([]step, len(steps))
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

// displayCommand writes testscript's words as a reader types them in a
// shell: words with spaces in double quotes, $name as <name>.
func displayCommand(words string) string {
	var out []string
	for _, w := range splitScriptWords(words) {
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

// splitScriptWords splits a script line as testscript does: spaces separate
// words, single quotes group them (” is a quote inside quotes).
func splitScriptWords(line string) []string {
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

func recordDir() string { return filepath.Join("site", "data", "runs") }

func writeRecord(r *scriptResult) error {
	if err := os.MkdirAll(recordDir(), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(recordDir(), r.Script+".json"), append(data, '\n'), 0o644)
}
