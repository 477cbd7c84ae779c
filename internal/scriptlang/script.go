// Package scriptlang reads the lab's scripts and the transcripts of their
// runs, as testscript writes and reads them.
//
// A script (testdata/*.txtar, before its files) is read line by line
// (ParseScript): each line's number, its conditions ([name], [!name]), its
// "!", its words split as testscript splits them (Words: single quotes, a
// doubled quote inside them, # out of quotes ends the line), an exec's
// background name (&name&), and the questions of the lab it belongs to:
// the last "# Question 3.a" or "# Questions 6.c et 6.d" comment above it.
//
// A transcript is what testscript logs of a run in verbose mode: each
// block's comment lines, the last one ending with the block's time
// ("# a) Lancer un conteneur. (1.234s)"), "> " and each line it runs, the
// [stdout], [stderr] and [exit status N] sections of a command, [background]
// lines, and at the end PASS or "FAIL: file.txtar:N: message".
// ReadTranscript reads it against its script, so that an output which
// ended without a newline, and which testscript's next line follows on
// the same line, is told apart from it.
package scriptlang

import (
	"os"
	"regexp"
	"strings"
)

// Script is a script read line by line.
type Script struct {
	// Lines are the script's lines, Lines[i] being line i+1; they stop
	// before the first file of its archive ("-- name --").
	Lines []Line
	// Questions are the lab's questions the script's comments name, in
	// the order they first appear.
	Questions []string
}

// Line is one line of a script.
type Line struct {
	N       int    // its number, from 1
	Text    string // the line without its surrounding spaces
	Comment bool   // a # line: testscript starts a block there
	Command        // for a command line; empty for a comment or a blank line
	// Questions are the questions the line belongs to: those of the last
	// question comment above it, or of the line itself if it is one; a line
	// above the first question comment belongs to the script's first
	// question (the exercise's set-up). Nil when the script names none.
	Questions []string
}

// Command is what a command line says: its conditions, its "!", and its
// words.
type Command struct {
	Conds []Cond
	Neg   bool // "!": the command must fail, or the pattern must not match
	// Args are the command's name and arguments, without the conditions,
	// the "!" and an exec's background specifier.
	Args []string
	// Background is set for an exec whose last word is "&" or "&name&":
	// testscript runs it in the background, and "wait name" waits for it.
	Background bool
	BgName     string
}

// Cond is a condition in front of a command: [name], or [!name] (Not).
type Cond struct {
	Name string
	Not  bool
}

// Name is the command's name ("exec", "stdout"…), "" for a line without
// a command.
func (c Command) Name() string {
	if len(c.Args) == 0 {
		return ""
	}
	return c.Args[0]
}

var (
	questionComment = regexp.MustCompile(`^#\s*Questions?\s+(\d+\.[a-z](?:(?:,\s*|\s+et\s+)\d+\.[a-z])*)\b`)
	questionID      = regexp.MustCompile(`\d+\.[a-z]`)
	backgroundWord  = regexp.MustCompile(`^&([a-zA-Z_0-9]+&)?$`)
)

// ParseScript reads a script: a txtar archive's comment, or the whole
// archive, whose files it leaves out.
func ParseScript(src string) *Script {
	s := &Script{}
	var cur []string
	seen := map[string]bool{}
	for i, raw := range strings.Split(src, "\n") {
		if strings.HasPrefix(raw, "-- ") {
			break // the archive's first file
		}
		l := Line{N: i + 1, Text: strings.TrimSpace(raw)}
		l.Comment = strings.HasPrefix(l.Text, "#")
		if ids := QuestionsOf(l.Text); ids != nil {
			cur = ids
			for _, id := range ids {
				if !seen[id] {
					seen[id] = true
					s.Questions = append(s.Questions, id)
				}
			}
		}
		if !l.Comment {
			l.Command = ParseCommand(Words(l.Text, nil))
		}
		l.Questions = cur
		s.Lines = append(s.Lines, l)
	}
	for i := range s.Lines {
		if s.Lines[i].Questions != nil || len(s.Questions) == 0 {
			break
		}
		s.Lines[i].Questions = s.Questions[:1]
	}
	return s
}

// Line returns line n of the script, nil if it has none.
func (s *Script) Line(n int) *Line {
	if n < 1 || n > len(s.Lines) {
		return nil
	}
	return &s.Lines[n-1]
}

// QuestionsOf reads the questions a comment names: "# Question 3.a" or
// "# Questions 6.c et 6.d" (or "6.c, 6.d"); nil for any other line.
func QuestionsOf(comment string) []string {
	m := questionComment.FindStringSubmatch(comment)
	if m == nil {
		return nil
	}
	return questionID.FindAllString(m[1], -1)
}

// ParseCommand reads a command from a line's words (Words): conditions
// first, then "!", then the command; an exec's last word "&" or "&name&"
// puts it in the background.
func ParseCommand(words []string) Command {
	var c Command
	for len(words) > 0 && strings.HasPrefix(words[0], "[") && strings.HasSuffix(words[0], "]") {
		name := strings.TrimSpace(words[0][1 : len(words[0])-1])
		cond := Cond{Name: name}
		if rest, ok := strings.CutPrefix(name, "!"); ok {
			cond = Cond{Name: strings.TrimSpace(rest), Not: true}
		}
		c.Conds = append(c.Conds, cond)
		words = words[1:]
	}
	if len(words) > 0 && words[0] == "!" {
		c.Neg, words = true, words[1:]
	}
	if len(words) > 1 && words[0] == "exec" && backgroundWord.MatchString(words[len(words)-1]) {
		c.Background = true
		c.BgName = strings.Trim(words[len(words)-1], "&")
		words = words[:len(words)-1]
	}
	if len(words) > 0 {
		c.Args = words
	}
	return c
}

// Words splits a script line into words as testscript does: spaces, tabs
// and carriage returns separate words, single quotes group them (a doubled
// quote is a quote inside quotes), and a # out of quotes starts a comment. getenv,
// if not nil, expands $NAME, ${NAME} and ${NAME@R} out of quotes (Expand);
// with nil, words keep them as written. A quote left open, which
// testscript refuses, is closed at the end of the line.
func Words(line string, getenv func(name string) string) []string {
	expand := func(s string) string {
		if getenv == nil {
			return s
		}
		return Expand(s, getenv)
	}
	var words []string
	arg, start, quoted := "", -1, false
	for i := 0; ; i++ {
		if i >= len(line) && quoted {
			return append(words, arg+line[start:])
		}
		if !quoted && (i >= len(line) || line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '#') {
			if start >= 0 {
				words = append(words, arg+expand(line[start:i]))
				arg, start = "", -1
			}
			if i >= len(line) || line[i] == '#' {
				return words
			}
			continue
		}
		if line[i] == '\'' {
			switch {
			case !quoted:
				if start >= 0 {
					arg += expand(line[start:i])
				}
				start, quoted = i+1, true
			case i+1 < len(line) && line[i+1] == '\'':
				arg += line[start:i]
				start = i + 1
				i++
			default:
				arg += line[start:i]
				start, quoted = i+1, false
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
}

// Expand expands $NAME, ${NAME} and ${NAME@R} in s as testscript does,
// with getenv giving a name's value; @R quotes the value for a regular
// expression.
func Expand(s string, getenv func(name string) string) string {
	return os.Expand(s, func(key string) string {
		name, quoteRE := strings.CutSuffix(key, "@R")
		v := getenv(name)
		if quoteRE {
			return regexp.QuoteMeta(v)
		}
		return v
	})
}
