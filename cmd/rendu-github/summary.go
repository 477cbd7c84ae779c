package main

import (
	"fmt"
	"strings"

	"tpdocker/internal/report"
)

// Summary is the job summary of a report, in GitHub's Markdown. Every text
// from the report is escaped (mdText) or fenced as code (mdCode): what the
// student's program printed is shown, never read as Markdown or HTML.
func Summary(r *report.Report) string {
	var b strings.Builder
	ok, fail, _ := r.Counts()
	checker := r.CheckerQuestions()
	switch {
	case len(r.Refused) > 0:
		b.WriteString("## Vérification du TP : ❌ rendu refusé, rien n'a été lancé\n\n")
	case r.Checker != "":
		b.WriteString("## Vérification du TP : ⚠️ non vérifié par l'outil, pas de votre fait\n\n" + mdText(r.Checker) + "\n\n")
	case fail == 0 && len(checker) > 0:
		fmt.Fprintf(&b, "## Vérification du TP : ⚠️ incomplète, %s que l'outil n'a pas pu vérifier\n\n", report.Plural(len(checker), "question", "questions"))
	case r.Passed():
		fmt.Fprintf(&b, "## Vérification du TP : ✅ réussie (%s)\n\n", report.Plural(ok, "question réussie", "questions réussies"))
	default:
		fmt.Fprintf(&b, "## Vérification du TP : ❌ en échec (%s)\n\n", report.Plural(fail, "question échouée", "questions échouées"))
	}
	var facts []string
	if r.Engine != "" {
		facts = append(facts, mdText(r.Engine))
	}
	if r.Seconds >= 1 {
		facts = append(facts, report.Duration(r.Seconds))
	}
	if len(facts) > 0 {
		b.WriteString(strings.Join(facts, " · ") + "\n\n")
	}
	b.WriteString("Ce retour est pour vous : la note vient de la vérification que l'enseignant lance lui-même sur vos fichiers.\n\n")

	if len(r.Refused) > 0 {
		b.WriteString("Vos fichiers ont été lus avant toute exécution, et refusés :\n\n")
		for _, why := range r.Refused {
			b.WriteString("- " + mdText(why) + "\n")
		}
		b.WriteString("\nCorrigez ce qui est dit, puis poussez à nouveau.\n")
		return b.String()
	}

	b.WriteString("| question | verdict | détail |\n| --- | --- | --- |\n")
	for _, q := range r.Questions {
		detail := ""
		if q.Status == report.Unverifiable {
			detail = mdText(q.Reason)
		}
		fmt.Fprintf(&b, "| %s %s | %s | %s |\n", mdText(q.ID), mdText(q.Title), report.Verdict(q.Status), detail)
	}
	fmt.Fprintf(&b, "\nBilan : %s.", r.CountsText())
	if r.Bareme != "" && r.Checker == "" {
		b.WriteString(" Note : " + mdText(r.ScoreText()) + ".")
	}
	if r.Skipped != "" {
		b.WriteString(" " + mdText(r.Skipped))
	}
	b.WriteString("\n")

	for _, q := range r.Questions {
		if q.Status != report.Fail {
			continue
		}
		fmt.Fprintf(&b, "\n### ❌ %s %s\n\n", mdText(q.ID), mdText(q.Title))
		if q.Reason != "" {
			b.WriteString("**Ce qui ne va pas** : " + mdText(q.Reason) + "\n\n")
		}
		if q.Command != "" {
			b.WriteString("**Commande** :\n\n" + mdCode(q.Command, "sh") + "\n")
		}
		if q.Expected != "" {
			b.WriteString("**Attendu** : " + mdText(q.Expected) + "\n\n")
		}
		if q.Pattern != "" {
			b.WriteString("**Motif** : " + mdInline(q.Pattern) + "\n\n")
		}
		if q.Actual != "" {
			b.WriteString("**Obtenu** :\n\n" + mdCode(actualLines(q.Actual), "text") + "\n")
		}
		if q.Hint != "" {
			b.WriteString("**Où regarder** : " + mdText(q.Hint) + "\n\n")
		}
	}

	var diffs []string
	for _, q := range r.Questions {
		for _, d := range q.Differences {
			diffs = append(diffs, "- "+mdText(q.ID)+" : "+mdText(d))
		}
	}
	if len(diffs) > 0 {
		b.WriteString("\n<details><summary>Différent du rapport de l'auteur (pas une erreur)</summary>\n\n" + strings.Join(diffs, "\n") + "\n\n</details>\n")
	}
	return b.String()
}

// actualLines keeps what the report shows of an output: at most
// report.MaxActualLines lines, each cut at 300 characters.
func actualLines(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	more := 0
	if len(lines) > report.MaxActualLines {
		more = len(lines) - report.MaxActualLines
		lines = lines[:report.MaxActualLines]
	}
	for i, l := range lines {
		if r := []rune(l); len(r) > 300 {
			lines[i] = string(r[:300]) + "…"
		}
	}
	if more > 0 {
		lines = append(lines, fmt.Sprintf("… (%d lignes de plus)", more))
	}
	return strings.Join(lines, "\n")
}

// mdText escapes a text for Markdown on one line: each character that
// Markdown or GitHub's extensions read (emphasis, code, links and images,
// HTML and entities, a table's cell border, headings, strikethrough, math)
// is backslash-escaped, as CommonMark allows for any ASCII punctuation (#
// only where it would start a heading), so that the text shows as it is;
// line breaks become spaces.
func mdText(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
			// control characters are dropped
		case r < 0x80 && strings.ContainsRune("\\`*_[]<>|~&$", r), r == '#' && i == 0:
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdInline is inline code on one line; its backtick fence is longer than
// any run of backticks inside, as CommonMark requires. In a table, | would
// still end the cell: it is used outside tables only.
func mdInline(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	return fence + " " + s + " " + fence
}

// mdCode is a fenced code block; its fence is longer than any run of
// backticks in the text, so the text cannot close it.
func mdCode(s, lang string) string {
	s = strings.ReplaceAll(s, "\r", "")
	s = strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
			return -1
		}
		return r
	}, s)
	n := longestRun(s, '`') + 1
	if n < 3 {
		n = 3
	}
	fence := strings.Repeat("`", n)
	return fence + lang + "\n" + strings.TrimRight(s, "\n") + "\n" + fence + "\n"
}

func longestRun(s string, c rune) int {
	best, cur := 0, 0
	for _, r := range s {
		if r == c {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}
