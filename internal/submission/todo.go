package submission

// The lab's starting files mark each line a student writes with a
// "# TODO: …" comment. A TODO that nothing answers yet (answered) fails
// its file's question with a message that names it, and a file that does not
// parse while it still has such a TODO fails its question instead of being
// refused: the files are half written, not hostile, and the question's
// failure already keeps every exercise that uses the file from running.

import (
	"fmt"
	"strings"
)

// todo is a "# TODO" comment that nothing answers yet.
type todo struct {
	line int
	text string // what the comment asks, without "# TODO:"
}

// unansweredTODOs lists the TODO comments of data with no line under them.
func unansweredTODOs(data []byte) []todo {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	var out []todo
	for i, l := range lines {
		rest, ok := strings.CutPrefix(strings.TrimSpace(l), "#")
		if !ok {
			continue
		}
		rest, ok = strings.CutPrefix(strings.TrimSpace(rest), "TODO")
		if !ok {
			continue
		}
		if !answered(lines, i) {
			out = append(out, todo{i + 1, strings.TrimSpace(strings.TrimLeft(rest, " :"))})
		}
	}
	return out
}

// answered tells whether the comment at lines[i] has an answer under it:
// the first line after it that is not blank, when it is not a comment, not
// less indented than the comment (in YAML, that line belongs to an
// enclosing key), and not a key of the same indentation that opens a block
// holding only comments (a sibling key with its own TODO).
func answered(lines []string, i int) bool {
	next := nextFilled(lines, i)
	if next < 0 {
		return false
	}
	t := strings.TrimSpace(lines[next])
	if strings.HasPrefix(t, "#") || indentOf(lines[next]) < indentOf(lines[i]) {
		return false
	}
	if strings.HasSuffix(t, ":") && indentOf(lines[next]) == indentOf(lines[i]) {
		after := nextFilled(lines, next)
		return after >= 0 && !strings.HasPrefix(strings.TrimSpace(lines[after]), "#")
	}
	return true
}

// nextFilled is the index of the first line after lines[i] that is not
// blank, or -1.
func nextFilled(lines []string, i int) int {
	for j := i + 1; j < len(lines); j++ {
		if strings.TrimSpace(lines[j]) != "" {
			return j
		}
	}
	return -1
}

func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " \t")) }

// checkTODOs fails question q for the first unanswered TODO of the file
// name, and reports whether there is one.
func (s *state) checkTODOs(q, name string) bool {
	data, err := s.data(name)
	if err != nil {
		return false
	}
	todos := unansweredTODOs(data)
	if len(todos) == 0 {
		return false
	}
	msg := fmt.Sprintf("« # TODO: %s » attend encore sa réponse : écrivez juste en dessous ce que le TP demande", todos[0].text)
	if n := len(todos) - 1; n == 1 {
		msg += " (et 1 autre # TODO sans réponse dans ce fichier)"
	} else if n > 1 {
		msg += fmt.Sprintf(" (et %d autres # TODO sans réponse dans ce fichier)", n)
	}
	s.check(q, false, name, todos[0].line, "%s.", msg)
	s.hint(q, name, todos[0].line, "# TODO: "+todos[0].text)
	return true
}

// checkAllTODOs checks the TODOs of the layout's three files, in the
// questions' order, and remembers the files that still have one.
func (s *state) checkAllTODOs() {
	s.todo = map[string]bool{}
	for _, f := range []struct{ q, name string }{{"3.a", s.appFile()}, {"3.b", s.dockerfileName()}, {"5.b", s.compose}} {
		if f.name != "" && s.checkTODOs(f.q, f.name) {
			s.todo[f.name] = true
		}
	}
}
