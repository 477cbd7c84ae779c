package student

// What a student reads of a failure: testscript's messages in French, and
// what a script line expects, in words.

import (
	"fmt"
	"regexp"
	"strings"

	"tpdocker/internal/scriptlang"
)

var testscriptMessages = []struct {
	re   *regexp.Regexp
	text string
}{
	{regexp.MustCompile("^no match for `(.*)` found in (stdout|stderr)$"), "aucune ligne de %[2]s ne correspond au motif attendu."},
	{regexp.MustCompile("^unexpected match for `(.*)` found in (stdout|stderr)"), "%[2]s contient ce qui ne devait pas y être."},
	{regexp.MustCompile("^have ([0-9]+) matches for `(.*)`, want ([0-9]+)$"), "%[1]s correspondance(s) au lieu de %[3]s."},
	{regexp.MustCompile("^unexpected command success$"), "la commande a réussi alors qu'elle devait échouer."},
	{regexp.MustCompile("^unexpected command failure$"), "la commande a échoué."},
	{regexp.MustCompile("^exec .*: exit status ([0-9]+)$"), "la commande a échoué (code de sortie %[1]s)."},
	{regexp.MustCompile("^(?:exec .*: )?signal: killed$|context deadline exceeded|^test timed out while running command$"), "arrêtée : la limite de temps de l'exercice est dépassée (-limite)."},
}

// frenchMessage says testscript's failure message in French; the harness's
// own messages are French already.
func frenchMessage(msg string) string {
	for _, m := range testscriptMessages {
		if sm := m.re.FindStringSubmatch(msg); sm != nil {
			args := make([]any, len(sm)-1)
			for i, a := range sm[1:] {
				args[i] = streamName(a)
			}
			return fmt.Sprintf(m.text, args...)
		}
	}
	return msg
}

func streamName(s string) string {
	switch s {
	case "stdout":
		return "la sortie standard"
	case "stderr":
		return "la sortie d'erreur"
	}
	return s
}

var literalRE = regexp.MustCompile(`^\^?((?:[^\\.*+?()\[\]{}|^$]|\\[^a-zA-Z0-9])*)\$?$`)

// expectation says in words what a script line expects, and gives its
// regular expression when it has one.
func expectation(line string) (expected, pattern string) {
	words := scriptlang.Words(line, nil)
	not := false
	for len(words) > 0 && strings.HasPrefix(words[0], "[") {
		words = words[1:]
	}
	if len(words) > 0 && words[0] == "!" {
		not, words = true, words[1:]
	}
	if len(words) == 0 {
		return "", ""
	}
	switch words[0] {
	case "stdout", "stderr", "grep":
		where := streamName(words[0])
		args := words[1:]
		count := ""
		if len(args) > 0 && strings.HasPrefix(args[0], "-count=") {
			count, args = strings.TrimPrefix(args[0], "-count="), args[1:]
		}
		if len(args) == 0 {
			return line, ""
		}
		if words[0] == "grep" && len(args) > 1 {
			where = "le fichier " + args[1]
		}
		pattern = args[0]
		what := "une ligne qui correspond au motif"
		if r := readablePattern(pattern); r != "" {
			what = "une ligne comme « " + r + " »"
		}
		if m := literalRE.FindStringSubmatch(pattern); m != nil {
			lit := regexp.MustCompile(`\\(.)`).ReplaceAllString(m[1], "$1")
			if strings.HasPrefix(pattern, "^") && strings.HasSuffix(pattern, "$") {
				what = "une ligne exactement " + lit
			} else {
				what = "le texte " + lit
			}
		}
		switch {
		case not:
			return fmt.Sprintf("%s ne contient pas %s", where, what), pattern
		case count != "":
			return fmt.Sprintf("%s contient %s fois %s", where, count, what), pattern
		}
		return fmt.Sprintf("%s contient %s", where, what), pattern
	case "exec":
		if not {
			return "la commande échoue (c'est ce que le TP montre ici)", ""
		}
		return "la commande réussit (code de sortie 0)", ""
	case "terminal":
		return "la session interactive va jusqu'au bout", ""
	case "wait":
		return "la commande lancée en tâche de fond se termine, et sa sortie est celle qui suit", ""
	case "sentinel":
		return "les conteneurs, l'image, le volume et le réseau créés à côté, comme ceux d'un lecteur, restent intacts", ""
	case "waithttp":
		return fmt.Sprintf("%s répond 200 (dans la minute)", strings.Join(words[1:2], "")), ""
	case "waitpg":
		if len(words) >= 4 {
			return fmt.Sprintf("PostgreSQL accepte une session sur %s (utilisateur %s, base %s)", words[1], words[2], words[3]), ""
		}
	case "exists":
		return "les fichiers " + strings.Join(words[1:], ", ") + " existent", ""
	case "subst":
		if len(words) >= 3 {
			return fmt.Sprintf("%s contient ce que le TP demande de modifier (motif %s)", words[1], words[2]), words[2]
		}
	}
	return line, ""
}

// readablePattern writes a regular expression as a line it matches, when
// it only uses \d+ (a number, written N), " +" (spaces) and escaped
// characters: "^#\d+ \[2/4\] WORKDIR /app$" reads "#N [2/4] WORKDIR /app".
// It returns "" for any other expression.
func readablePattern(p string) string {
	p = strings.TrimSuffix(strings.TrimPrefix(p, "^"), "$")
	p = strings.NewReplacer(`\d+`, "N", " +", " ").Replace(p)
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\' && i+1 < len(p) && !isAlnum(p[i+1]):
			i++
			b.WriteByte(p[i])
		case strings.IndexByte(`\.*+?()[]{}|^$`, c) >= 0:
			return ""
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// authorDifference says in words an [auteur] assertion the student's run
// does not meet.
func authorDifference(assertion string) string {
	expected, pattern := expectation(strings.TrimSpace(assertion))
	if pattern != "" && !strings.Contains(expected, pattern) && strings.Contains(expected, "motif") {
		expected += " " + pattern
	}
	if strings.Contains(expected, " ne contient pas ") {
		return "chez l'auteur, " + expected + " ; chez vous, si"
	}
	return "chez l'auteur, " + expected + " ; pas chez vous"
}
