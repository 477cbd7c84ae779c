// Command rendu-github turns the report of a student's check (rapport.json,
// written by go test -rendu) into what GitHub Actions shows a student on a
// push: the job summary (the table of the questions, then each failure with
// its command, what was expected, what came out and where to look) and at
// most 10 error annotations on the student's own file lines.
//
//	go run ./cmd/rendu-github -rapport SORTIE/rapport.json -dossier DOSSIER [-depot RACINE]
//
// The summary is written to SORTIE/resume.md and appended to the file
// $GITHUB_STEP_SUMMARY names, if any; the annotations are workflow commands
// printed on standard output, escaped as the format requires (what the
// student's program printed never goes into them, only the report's own
// sentences and the student's file names and lines). DOSSIER is the
// student's folder as checked, RACINE the root of the student's repository
// (DOSSIER by default): the annotations name files relative to it.
//
// The exit code is 0 when no question failed, 1 when one did or the folder
// was refused, 2 when the report cannot be read. .ci/verifier-rendu runs it
// after the check.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"tpdocker/internal/report"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rendu-github", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rapport := fs.String("rapport", "", "the report of go test -rendu (rapport.json)")
	dossier := fs.String("dossier", "", "the student's folder, as checked")
	depot := fs.String("depot", "", "the root of the student's repository (default: -dossier)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *rapport == "" || *dossier == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "rendu-github : donnez -rapport FICHIER et -dossier DOSSIER (et rien d'autre).")
		return 2
	}
	if *depot == "" {
		*depot = *dossier
	}
	summaryPath := filepath.Join(filepath.Dir(*rapport), "resume.md")

	var rep *report.Report
	data, err := os.ReadFile(*rapport)
	if err == nil {
		rep, err = report.ReadJSON(data)
	}
	if err != nil {
		why := fmt.Sprintf("la vérification n'a pas laissé de rapport lisible (%v) : son journal, au-dessus, dit pourquoi.", err)
		if errors.Is(err, os.ErrNotExist) {
			why = "la vérification s'est arrêtée avant d'écrire son rapport : son journal, au-dessus, dit pourquoi."
		}
		md := "## Vérification du TP : pas de rapport\n\n" + mdText(why) + "\n"
		writeSummary(summaryPath, md, stderr)
		fmt.Fprintln(stdout, command("error", nil, "Vérification du TP : "+why))
		return 2
	}

	writeSummary(summaryPath, Summary(rep), stderr)
	for _, a := range Annotations(rep, *dossier, *depot) {
		fmt.Fprintln(stdout, a)
	}
	if !rep.Passed() {
		return 1
	}
	return 0
}

// writeSummary writes the summary beside the report and appends it to
// $GITHUB_STEP_SUMMARY when set.
func writeSummary(path, md string, stderr io.Writer) {
	if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
		fmt.Fprintln(stderr, "rendu-github : résumé non écrit :", err)
	}
	if p := os.Getenv("GITHUB_STEP_SUMMARY"); p != "" {
		f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			_, err = f.WriteString(md)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintln(stderr, "rendu-github : résumé du job non écrit :", err)
		}
	}
}
