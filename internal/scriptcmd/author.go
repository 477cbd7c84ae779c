package scriptcmd

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// The lab's assertions are of two kinds. Most say what any correct answer
// shows (/health answers {"status":"ok"}, Compose starts PostgreSQL 16…);
// those marked [auteur] say what only the author's own run shows (four
// build steps, their names, the author's file contents). For the author's
// run, [auteur] holds and they are checked like the others. For a
// student's files (go test -rendu), StudentScript turns each [auteur]
// assertion into the command auteur, which checks it without failing and
// notes a difference: what the student's files do differently from the
// report is reported, never counted as an error.

// AuthorMark starts the line the command auteur writes in the transcript
// for an assertion the student's run does not meet.
const AuthorMark = "différent du rapport de l'auteur :"

// AuthorCond is the condition that marks the author's own assertions.
const AuthorCond = "auteur"

// Author (auteur [!] stdout|stderr [-count=N] REGEXP, or auteur [!] grep
// REGEXP FILE) checks an assertion of the author's run as testscript's
// stdout, stderr and grep would, and writes a line starting with AuthorMark
// when it does not hold, instead of failing.
func Author(ts *testscript.TestScript, neg bool, args []string) error {
	if neg || len(args) < 2 {
		return ErrUsage
	}
	// The assertion as the script writes it, quoted again.
	var words []string
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'#$") {
			a = "'" + strings.ReplaceAll(a, "'", "''") + "'"
		}
		words = append(words, a)
	}
	line := strings.Join(words, " ")
	not := false
	if args[0] == "!" {
		not, args = true, args[1:]
	}
	kind, args := args[0], args[1:]
	count := -1
	if len(args) > 0 && strings.HasPrefix(args[0], "-count=") {
		n, err := strconv.Atoi(strings.TrimPrefix(args[0], "-count="))
		if err != nil {
			return ErrUsage
		}
		count, args = n, args[1:]
	}
	var text string
	switch {
	case (kind == "stdout" || kind == "stderr") && len(args) == 1:
		text = ts.ReadFile(kind)
	case kind == "grep" && len(args) == 2:
		text = ts.ReadFile(args[1])
	default:
		return ErrUsage
	}
	re, err := regexp.Compile(`(?m)` + args[0])
	if err != nil {
		return err
	}
	n := len(re.FindAllString(text, -1))
	held := n > 0
	if count >= 0 {
		held = n == count
	}
	if held == not {
		ts.Logf("%s %s", AuthorMark, line)
	}
	return nil
}

// StudentScript is a lab script as it runs on a student's files: each
// [auteur] stdout, stderr or grep assertion becomes the command auteur. An
// [auteur] command (an exec, say) stays as it is, so it does not run (the
// condition is false in the student mode), and neither do the [auteur]
// assertions right under it, which would read the output of the command
// before. Lines keep their numbers.
func StudentScript(src string) string {
	lines := strings.Split(src, "\n")
	skipping := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if strings.HasPrefix(t, "--") && strings.HasSuffix(t, "--") {
			break // the archive's files
		}
		rest, ok := strings.CutPrefix(t, "["+AuthorCond+"]")
		if !ok {
			skipping = false
			continue
		}
		rest = strings.TrimSpace(rest)
		word := strings.TrimSpace(strings.TrimPrefix(rest, "!"))
		assertion := false
		for _, a := range []string{"stdout ", "stderr ", "grep "} {
			assertion = assertion || strings.HasPrefix(word, a)
		}
		switch {
		case !assertion:
			skipping = true
		case !skipping:
			lines[i] = fmt.Sprintf("auteur %s", rest)
		}
	}
	return strings.Join(lines, "\n")
}
