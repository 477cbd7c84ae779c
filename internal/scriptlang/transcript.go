package scriptlang

import (
	"regexp"
	"strconv"
	"strings"
)

// Kind is what a line of a transcript is.
type Kind int

const (
	Output         Kind = iota // a line a command printed, or anything else testscript logged
	Heading                    // a comment line of the script, which starts a block
	Run                        // "> line": a line of the script testscript runs
	Stdout                     // "[stdout]": the command's standard output follows
	Stderr                     // "[stderr]": its standard error follows
	Exit                       // "[exit status N]"
	NotMet                     // "[condition not met]"
	BackgroundDone             // "[background] command: status", a background command left running at the end
	NoNewline                  // the output above ended without a newline: the next entry was on its line
	Pass                       // "PASS"
	Fail                       // "FAIL: file:N: message"
)

var kindNames = [...]string{"output", "heading", "run", "stdout", "stderr", "exit", "not-met", "background-done", "no-newline", "pass", "fail"}

func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

// Entry is one line of a transcript.
type Entry struct {
	Kind Kind
	// Text is the line as testscript wrote it; for a Heading, the comment
	// without its # and its time; for a Run, the script's line; empty for
	// NoNewline.
	Text string

	// For a Heading: the script's line,
	// the time testscript measured for the block, if it wrote it on this
	// line (Timed), and the questions of the line (Line.Questions).
	Line      int
	Seconds   float64
	Timed     bool
	Questions []string

	Command Command // for a Run: the line read (ParseCommand), $NAME left as written
	Status  int     // for an Exit: the status
	Failure Failure // for a Fail
}

// Failure is testscript's FAIL line: the script's file and line, and the
// message.
type Failure struct {
	File    string
	Line    int
	Message string
}

// Block is a block of a transcript: the comment lines that start it (none
// for what precedes the first one) and the entries under them.
type Block struct {
	Headings []Entry
	// Seconds is the block's time, Timed whether testscript wrote one.
	Seconds float64
	Timed   bool
	// Questions are those of the block's last comment line; for what
	// precedes the first comment, the script's first question.
	Questions []string
	Entries   []Entry
}

// Transcript is a transcript read line by line.
type Transcript struct {
	Entries []Entry
	script  *Script
}

var (
	blockTime   = regexp.MustCompile(` \((\d+\.\d+)s\)$`)
	exitStatus  = regexp.MustCompile(`^\[exit status (\d+)\]$`)
	failLine    = regexp.MustCompile(`^FAIL: (.+?):(\d+): (.*)$`)
	gluedMarker = regexp.MustCompile(`(\[stdout\]|\[stderr\]|\[exit status \d+\]|\[background\] .*)$`)
)

// ReadTranscript reads testscript's transcript of a run of script (nil for
// a transcript read without its script: then no line is a Heading).
func ReadTranscript(transcript string, script *Script) *Transcript {
	if script == nil {
		script = &Script{}
	}
	lines := map[string]bool{} // the script's lines
	var comments []string      // its comment lines, in order
	for _, l := range script.Lines {
		if l.Text != "" {
			lines[l.Text] = true
		}
		if l.Comment {
			comments = append(comments, l.Text)
		}
	}
	t := &Transcript{script: script}
	next := 0 // the script's line after the last heading read
	for _, line := range split(transcript, lines, comments) {
		if line == noNewline {
			t.Entries = append(t.Entries, Entry{Kind: NoNewline})
			continue
		}
		if e, ok := heading(line, script, &next); ok {
			t.Entries = append(t.Entries, e)
			continue
		}
		e := Entry{Kind: Output, Text: line}
		switch {
		case strings.HasPrefix(line, "> "):
			e.Kind, e.Text = Run, line[2:]
			e.Command = ParseCommand(Words(e.Text, nil))
		case line == "[stdout]":
			e.Kind = Stdout
		case line == "[stderr]":
			e.Kind = Stderr
		case exitStatus.MatchString(line):
			e.Kind = Exit
			e.Status, _ = strconv.Atoi(exitStatus.FindStringSubmatch(line)[1])
		case line == "[condition not met]":
			e.Kind = NotMet
		case strings.HasPrefix(line, "[background] "):
			e.Kind = BackgroundDone
		case line == "PASS":
			e.Kind = Pass
		case strings.HasPrefix(line, "FAIL: "):
			e.Kind = Fail
			e.Failure, _ = ReadFailure(line)
		}
		t.Entries = append(t.Entries, e)
	}
	return t
}

// heading reads line as one of the script's comment lines, with the
// block's time if testscript wrote it there. Comment lines are looked for
// from the line after the last one found (*next), then from the start.
func heading(line string, script *Script, next *int) (Entry, bool) {
	if !strings.HasPrefix(line, "#") {
		return Entry{}, false
	}
	e := Entry{Kind: Heading}
	text := line
	if m := blockTime.FindStringSubmatchIndex(line); m != nil {
		e.Seconds, _ = strconv.ParseFloat(line[m[2]:m[3]], 64)
		e.Timed = true
		text = line[:m[0]]
	}
	text = strings.TrimSpace(text)
	found := func(from int) bool {
		for i := from; i < len(script.Lines); i++ {
			if l := script.Lines[i]; l.Comment && l.Text == text {
				e.Line, e.Questions = l.N, l.Questions
				return true
			}
		}
		return false
	}
	switch {
	case found(*next):
		*next = e.Line
	case found(0):
	default:
		return Entry{}, false
	}
	e.Text = strings.TrimSpace(strings.TrimPrefix(text, "#"))
	return e, true
}

// ReadFailure reads a FAIL line: "FAIL: file.txtar:12: message".
func ReadFailure(line string) (Failure, bool) {
	m := failLine.FindStringSubmatch(line)
	if m == nil {
		return Failure{}, false
	}
	n, _ := strconv.Atoi(m[2])
	return Failure{File: m[1], Line: n, Message: m[3]}, true
}

// Failure returns the transcript's last FAIL line, false if it has none.
func (t *Transcript) Failure() (Failure, bool) {
	for i := len(t.Entries) - 1; i >= 0; i-- {
		if e := t.Entries[i]; e.Kind == Fail && e.Failure.File != "" {
			return e.Failure, true
		}
	}
	return Failure{}, false
}

// Blocks groups the entries in blocks: a block starts at a Heading that
// follows anything else, and runs to the next one.
func (t *Transcript) Blocks() []Block {
	var blocks []Block
	for i, e := range t.Entries {
		if i == 0 || e.Kind == Heading && t.Entries[i-1].Kind != Heading {
			b := Block{}
			if len(t.script.Questions) > 0 {
				b.Questions = t.script.Questions[:1]
			}
			blocks = append(blocks, b)
		}
		b := &blocks[len(blocks)-1]
		if e.Kind == Heading && len(b.Entries) == 0 {
			b.Headings = append(b.Headings, e)
			b.Questions = e.Questions
			if e.Timed {
				b.Seconds += e.Seconds
				b.Timed = true
			}
			continue
		}
		b.Entries = append(b.Entries, e)
	}
	return blocks
}

// noNewline marks, in a split transcript, an output that did not end with a
// newline: testscript then writes its next line on the same line.
const noNewline = "\x00no newline"

// split splits the transcript into lines, and cuts off what follows an
// output without a final newline ("{"status":"ok"}[stderr]"): a marker, a
// line of the script after "> ", or one of its comment lines.
func split(transcript string, lines map[string]bool, comments []string) []string {
	var out []string
	for _, line := range strings.Split(transcript, "\n") {
		cut := -1
		if m := gluedMarker.FindStringIndex(line); m != nil && m[0] > 0 {
			cut = m[0]
		} else if i := strings.LastIndex(line, "> "); i > 0 && lines[line[i+2:]] {
			cut = i
		} else {
			for _, c := range comments {
				if i := strings.Index(line, c); i > 0 && (cut < 0 || i < cut) {
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
