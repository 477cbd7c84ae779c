package history

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Branch is the data branch that holds the history, on a remote of a git
// repository: one file of JSON lines, appended only.
type Branch struct {
	Dir    string // a git repository (the project's clone): objects are written there
	Remote string // a remote's name or URL ("origin", a bare repository's path)
	Name   string // the branch, "verifications"
	File   string // the file on it, "historique.jsonl"
}

// ErrNoBranch says the remote has no history branch: a fresh clone's
// remote, a fork.
var ErrNoBranch = errors.New("pas de branche d'historique")

// git runs git in b.Dir with stdin, and returns its standard output.
func (b Branch) git(ctx context.Context, stdin []byte, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", b.Dir}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("git %s : %w\n%s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// fetch brings the branch's tip into a ref of this process only, so that
// runs sharing a clone do not overwrite each other's; it returns the ref
// and a function that deletes it, or ErrNoBranch.
func (b Branch) fetch(ctx context.Context) (string, func(), error) {
	_, err := b.git(ctx, nil, nil, "ls-remote", "--exit-code", b.Remote, "refs/heads/"+b.Name)
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 2 {
		return "", func() {}, ErrNoBranch
	}
	if err != nil {
		return "", func() {}, err
	}
	tok := make([]byte, 6)
	rand.Read(tok)
	ref := fmt.Sprintf("refs/tpdocker-historique/%d-%s", os.Getpid(), hex.EncodeToString(tok))
	drop := func() { b.git(context.Background(), nil, nil, "update-ref", "-d", ref) }
	if _, err := b.git(ctx, nil, nil, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", b.Remote, "+refs/heads/"+b.Name+":"+ref); err != nil {
		drop()
		// Deleted between ls-remote and fetch.
		if strings.Contains(err.Error(), "couldn't find remote ref") {
			return "", func() {}, ErrNoBranch
		}
		return "", func() {}, err
	}
	return ref, drop, nil
}

// Read returns the history file's content on the branch, or ErrNoBranch.
func (b Branch) Read(ctx context.Context) ([]byte, error) {
	ref, drop, err := b.fetch(ctx)
	if err != nil {
		return nil, err
	}
	defer drop()
	out, err := b.git(ctx, nil, nil, "cat-file", "blob", ref+":"+b.File)
	if err != nil {
		return nil, fmt.Errorf("%s:%s illisible : %v", b.Name, b.File, err)
	}
	return []byte(out), nil
}

// Append adds one line to the history file with git plumbing, in a new
// commit on top of the branch (created if missing), and pushes it. When the
// push is refused because another run appended meanwhile, it fetches the
// branch again and retries: no entry is lost, none is written twice.
func (b Branch) Append(ctx context.Context, line []byte, message string) error {
	line = bytes.TrimRight(line, "\n")
	if bytes.ContainsRune(line, '\n') {
		return errors.New("une entrée d'historique tient sur une ligne")
	}
	env := []string{
		"GIT_AUTHOR_NAME=" + envOr("GIT_AUTHOR_NAME", "verification"),
		"GIT_AUTHOR_EMAIL=" + envOr("GIT_AUTHOR_EMAIL", "verification@invalid"),
		"GIT_COMMITTER_NAME=" + envOr("GIT_COMMITTER_NAME", "verification"),
		"GIT_COMMITTER_EMAIL=" + envOr("GIT_COMMITTER_EMAIL", "verification@invalid"),
	}
	var last error
	for attempt := range 12 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt*100+jitter()) * time.Millisecond)
		}
		err := b.appendOnce(ctx, line, message, env)
		if err == nil {
			return nil
		}
		last = err
		if ctx.Err() != nil {
			break
		}
	}
	return fmt.Errorf("ajout à la branche %s impossible : %v", b.Name, last)
}

func (b Branch) appendOnce(ctx context.Context, line []byte, message string, env []string) error {
	ref, drop, err := b.fetch(ctx)
	defer drop()
	var parent, tree string
	var content []byte
	switch {
	case errors.Is(err, ErrNoBranch):
	case err != nil:
		return err
	default:
		if parent, err = b.git(ctx, nil, nil, "rev-parse", ref); err != nil {
			return err
		}
		parent = strings.TrimSpace(parent)
		if tree, err = b.git(ctx, nil, nil, "ls-tree", parent); err != nil {
			return err
		}
		if old, err := b.git(ctx, nil, nil, "cat-file", "blob", parent+":"+b.File); err == nil {
			content = []byte(old)
		}
	}
	if len(content) > 0 && !bytes.HasSuffix(content, []byte("\n")) {
		content = append(content, '\n')
	}
	content = append(append(content, line...), '\n')
	blob, err := b.git(ctx, content, nil, "hash-object", "-w", "--stdin")
	if err != nil {
		return err
	}
	// The branch's other files stay; the history file gets its new blob.
	var entries []string
	for _, l := range strings.Split(strings.TrimSpace(tree), "\n") {
		if l != "" && !strings.HasSuffix(l, "\t"+b.File) {
			entries = append(entries, l)
		}
	}
	entries = append(entries, "100644 blob "+strings.TrimSpace(blob)+"\t"+b.File)
	newTree, err := b.git(ctx, []byte(strings.Join(entries, "\n")+"\n"), nil, "mktree")
	if err != nil {
		return err
	}
	args := []string{"commit-tree", strings.TrimSpace(newTree), "-m", message}
	if parent != "" {
		args = append(args, "-p", parent)
	}
	commit, err := b.git(ctx, nil, env, args...)
	if err != nil {
		return err
	}
	// A push that is not a fast-forward (another run was first) is refused
	// by the remote: the caller fetches again.
	_, err = b.git(ctx, nil, nil, "push", "--quiet", b.Remote, strings.TrimSpace(commit)+":refs/heads/"+b.Name)
	return err
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func jitter() int {
	var b [1]byte
	rand.Read(b[:])
	return int(b[0])
}
