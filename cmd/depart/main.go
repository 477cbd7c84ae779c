// Command depart writes the lab's starting files (depart/) as the ZIP the
// published site offers, with the repository and the commit that published
// it written into the student's workflow, so that each push of a student
// is checked by the tool at that commit.
//
//	go run ./cmd/depart -depot OWNER/REPO -commit SHA -o public/tp1-docker-depart.zip
//
// The ZIP holds one folder, mon-tp/, with every file of depart/ (the hidden
// .github/ included); its dates are the commit's (-date), so the same commit
// gives the same bytes. .ci/publish runs it, with the Pages workflow's
// repository and commit.
package main

import (
	"archive/zip"
	"bytes"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"
)

// workflowFile is the student's workflow in depart/.
const workflowFile = ".github/workflows/verifier-tp.yml"

// Folder is the ZIP's only folder: the student's TP, as the site's command
// (go test -rendu ../mon-tp) names it.
const Folder = "mon-tp"

var (
	repoRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$`)
	commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

func main() {
	src := flag.String("depart", "depart", "the starting files")
	repo := flag.String("depot", "", "the repository of this project on GitHub (OWNER/REPO)")
	commit := flag.String("commit", "", "the commit that publishes the site (40 hexadecimal digits)")
	date := flag.String("date", "", "the files' date in the ZIP, RFC 3339 (default: 2000-01-01)")
	out := flag.String("o", "", "the ZIP to write")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "depart : donnez -o FICHIER.zip (et -depot PROPRIÉTAIRE/DÉPÔT -commit SHA).")
		os.Exit(2)
	}
	when := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if *date != "" {
		t, err := time.Parse(time.RFC3339, *date)
		if err != nil {
			fmt.Fprintf(os.Stderr, "depart : -date %q n'est pas une date RFC 3339 (2026-01-31T12:00:00Z).\n", *date)
			os.Exit(2)
		}
		when = t
	}
	var buf bytes.Buffer
	if err := Write(&buf, os.DirFS(*src), *repo, *commit, when); err != nil {
		fmt.Fprintln(os.Stderr, "depart :", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "depart :", err)
		os.Exit(1)
	}
}

// Workflow is the student's workflow with the repository and the commit
// written in.
func Workflow(src []byte, repo, commit string) ([]byte, error) {
	if !repoRE.MatchString(repo) {
		return nil, fmt.Errorf("-depot %q n'est pas un dépôt GitHub (PROPRIÉTAIRE/DÉPÔT)", repo)
	}
	if !commitRE.MatchString(commit) {
		return nil, fmt.Errorf("-commit %q n'est pas un commit (40 chiffres hexadécimaux)", commit)
	}
	s := string(src)
	for key, value := range map[string]string{"TPDOCKER_DEPOT": repo, "TPDOCKER_COMMIT": commit} {
		empty := "  " + key + ": \"\"\n"
		if strings.Count(s, empty) != 1 {
			return nil, fmt.Errorf("%s : la ligne %q n'y est pas une fois", workflowFile, strings.TrimSpace(empty))
		}
		s = strings.Replace(s, empty, "  "+key+": \""+value+"\"\n", 1)
	}
	return []byte(s), nil
}

// Write writes the ZIP of the starting files src to w.
func Write(w io.Writer, src fs.FS, repo, commit string, when time.Time) error {
	var files []string
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		} else if !d.IsDir() {
			return fmt.Errorf("%s n'est pas un fichier ordinaire", p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	if !contains(files, workflowFile) {
		return fmt.Errorf("%s manque dans les fichiers de départ", workflowFile)
	}
	z := zip.NewWriter(w)
	for _, p := range files {
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		if p == workflowFile {
			if data, err = Workflow(data, repo, commit); err != nil {
				return err
			}
		}
		h := &zip.FileHeader{Name: path.Join(Folder, p), Method: zip.Deflate, Modified: when}
		h.SetMode(0o644)
		f, err := z.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			return err
		}
	}
	return z.Close()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
