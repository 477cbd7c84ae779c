// Command history keeps the verification's history (internal/history) on a
// data branch of the repository, one JSON line per run:
//
//	go run ./cmd/history append -entry out/historique/entree.jsonl
//	    appends the run's entry (written by go test -historique) to the
//	    branch, creating it if needed; retried when another run was first
//	go run ./cmd/history site [-add ENTRY] -o site/data/historique.json
//	    writes what the site shows: the branch's runs, and ENTRY, a run not
//	    yet on the branch; without the branch (a fresh clone, a fork), the
//	    file is removed and the site says the history is empty
//	go run ./cmd/history issues -entry ENTRY [-repo OWNER/NAME]
//	    files the run on GitHub's issues with gh: a failure opens an issue
//	    or comments on the one open for the same script and step; a script
//	    that passes closes its issues
//
// -remote (origin) and -branch (verifications) name where the history is;
// -dir the clone whose git runs (the current folder).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"tpdocker/internal/history"
)

// historyFile is the file of the data branch that holds the entries.
const historyFile = "historique.jsonl"

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd, args := os.Args[1], os.Args[2:]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	dir := fs.String("dir", ".", "the git clone to work in")
	remote := fs.String("remote", "origin", "the remote that holds the data branch (a name or a URL)")
	branch := fs.String("branch", "verifications", "the data branch")
	entryPath := fs.String("entry", "", "the run's entry (a file of one JSON line)")
	add := fs.String("add", "", "site: a run's entry not yet on the branch, shown too")
	out := fs.String("o", "site/data/historique.json", "site: the file the site reads")
	repo := fs.String("repo", "", "issues: the GitHub repository (owner/name), passed to gh as -R")
	fs.Parse(args)
	b := history.Branch{Dir: *dir, Remote: *remote, Name: *branch, File: historyFile}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var err error
	switch cmd {
	case "append":
		err = appendEntry(ctx, b, *entryPath)
	case "site":
		err = site(ctx, b, *add, *out)
	case "issues":
		err = fileIssues(ctx, *entryPath, *repo)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "historique :", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage : go run ./cmd/history append|site|issues [options] (go doc ./cmd/history)")
	os.Exit(2)
}

func readEntry(path string) (*history.Entry, error) {
	if path == "" {
		return nil, errors.New("-entry manquant")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	entries, err := history.Parse(data)
	if err != nil {
		return nil, err
	}
	if len(entries) != 1 {
		return nil, fmt.Errorf("%s : %d entrées, attendu une", path, len(entries))
	}
	return &entries[0], entries[0].Validate()
}

func appendEntry(ctx context.Context, b history.Branch, path string) error {
	e, err := readEntry(path)
	if err != nil {
		return err
	}
	line, err := e.Line()
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("Vérification du %s : %s (%s)", e.Date, map[string]string{"pass": "réussie", "fail": "échec"}[e.Status], e.Event)
	if err := b.Append(ctx, line, msg); err != nil {
		return err
	}
	fmt.Printf("historique : entrée du %s ajoutée à la branche %s de %s\n", e.Date, b.Name, b.Remote)
	return nil
}

func site(ctx context.Context, b history.Branch, add, out string) error {
	var entries []history.Entry
	data, err := readBranch(ctx, b)
	switch {
	case errors.Is(err, history.ErrNoBranch):
		fmt.Printf("historique : %v ; le site le dira\n", err)
	case err != nil:
		return err
	default:
		if entries, err = history.Parse(data); err != nil {
			return err
		}
	}
	if add != "" {
		e, err := readEntry(add)
		if err != nil {
			return err
		}
		entries = append(entries, *e)
	}
	if len(entries) == 0 {
		if err := os.Remove(out); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	js, err := json.Marshal(history.Site(b.Name, entries))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, js, 0o644); err != nil {
		return err
	}
	fmt.Printf("historique : %d exécution(s) dans %s\n", len(entries), out)
	return nil
}

// readBranch reads the branch, saying ErrNoBranch for a remote that is not
// configured (a copy without origin) as for a remote without the branch.
func readBranch(ctx context.Context, b history.Branch) ([]byte, error) {
	if !strings.ContainsAny(b.Remote, "/:") {
		if err := exec.CommandContext(ctx, "git", "-C", b.Dir, "remote", "get-url", b.Remote).Run(); err != nil {
			return nil, fmt.Errorf("%w : ce dépôt n'a pas de distant %s", history.ErrNoBranch, b.Remote)
		}
	}
	data, err := b.Read(ctx)
	if errors.Is(err, history.ErrNoBranch) {
		return nil, fmt.Errorf("%w : %s n'a pas de branche %s", history.ErrNoBranch, b.Remote, b.Name)
	}
	return data, err
}

func fileIssues(ctx context.Context, path, repo string) error {
	e, err := readEntry(path)
	if err != nil {
		return err
	}
	acts, err := history.FileIssues(ctx, history.GH{Repo: repo}, e)
	for _, a := range acts {
		switch a.Verb {
		case "create":
			fmt.Printf("historique : issue ouverte : %s\n", a.Title)
		case "comment":
			fmt.Printf("historique : commentaire sur l'issue %d : %s\n", a.Number, a.Title)
		case "close":
			fmt.Printf("historique : issue %d fermée : %s\n", a.Number, a.Title)
		}
	}
	if err == nil && len(acts) == 0 {
		fmt.Println("historique : rien à signaler")
	}
	return err
}
