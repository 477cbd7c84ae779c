package main

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"tpdocker/internal/report"
)

// maxAnnotations is how many annotations a check puts on the student's
// lines at most.
const maxAnnotations = 10

// location is a line of the student's file that the report names.
var location = regexp.MustCompile(`(?:([A-Za-z0-9_.][A-Za-z0-9_./-]*), )?ligne (\d+)\b`)

// Annotations are the error annotations of a report's failed questions,
// one per line of the student's files its reason or hint names (a file of
// the folder dossier, named relative to the repository's root depot), in
// the report's order, at most maxAnnotations. Each is a workflow command
// with its properties and message escaped.
func Annotations(r *report.Report, dossier, depot string) []string {
	var out []string
	seen := map[string]bool{}
	failed := slices.Clone(r.Questions)
	// A refused folder: each reason, on the line it names.
	for _, why := range r.Refused {
		failed = append(failed, report.Question{ID: "refus", Title: "rendu refusé avant toute exécution", Status: report.Fail, Reason: why})
	}
	for _, q := range failed {
		if q.Status != report.Fail {
			continue
		}
		file := ""
		for _, text := range []string{q.Reason, q.Hint} {
			for _, m := range location.FindAllStringSubmatch(text, -1) {
				if m[1] != "" {
					file = m[1]
				}
				line, _ := strconv.Atoi(m[2])
				p, ok := repoPath(file, dossier, depot)
				key := fmt.Sprintf("%s:%d", p, line)
				if !ok || line < 1 || seen[key] {
					continue
				}
				seen[key] = true
				if len(out) == maxAnnotations {
					return out
				}
				msg := q.Reason
				if q.Hint != "" && !strings.Contains(msg, q.Hint) {
					msg = strings.TrimSpace(msg + " Où regarder : " + q.Hint)
				}
				if msg == "" {
					msg = "en échec"
				}
				title := "Question " + q.ID + " : " + q.Title
				if q.ID == "refus" {
					title = "Rendu refusé avant toute exécution"
				}
				out = append(out, command("error", [][2]string{
					{"file", p}, {"line", strconv.Itoa(line)}, {"title", title},
				}, msg))
			}
		}
	}
	return out
}

// repoPath is a file the report names, relative to the repository's root,
// if it is a regular file of the student's folder.
func repoPath(file, dossier, depot string) (string, bool) {
	if file == "" || strings.HasPrefix(file, "/") || path.Clean(file) != file || file == ".." || strings.HasPrefix(file, "../") {
		return "", false
	}
	full := filepath.Join(dossier, filepath.FromSlash(file))
	if st, err := os.Lstat(full); err != nil || !st.Mode().IsRegular() {
		return "", false
	}
	rel, err := filepath.Rel(depot, full)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// command is a workflow command: "::name key=value,…::message", its
// properties and message escaped as GitHub's runner unescapes them.
func command(name string, props [][2]string, msg string) string {
	var ps []string
	for _, p := range props {
		ps = append(ps, p[0]+"="+escapeProperty(p[1]))
	}
	head := "::" + name
	if len(ps) > 0 {
		head += " " + strings.Join(ps, ",")
	}
	return head + "::" + escapeData(msg)
}

// escapeData escapes a command's message: %, CR and LF.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a command's property value: as a message, plus :
// and , which end a property.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
