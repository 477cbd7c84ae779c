package history

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"sort"
	"strings"
)

// TitlePrefix starts the title of every issue the reports open: the
// issues of the verification are found by it.
const TitlePrefix = "Vérification en échec : "

// IssueTitle is the title of the issue of a failure: one issue per script
// and step (the script's file and line).
func IssueTitle(f Failure) string {
	return fmt.Sprintf("%s%s, étape %s:%d", TitlePrefix, f.Script, f.File, f.Line)
}

// GH runs GitHub's command line (gh): the runner's, or a stand-in in tests.
type GH struct {
	Path string // "gh" by default, found on PATH
	Repo string // owner/name, passed as -R when set
}

func (g GH) run(ctx context.Context, stdin string, args ...string) (string, error) {
	path := g.Path
	if path == "" {
		path = "gh"
	}
	if g.Repo != "" {
		args = append(args, "-R", g.Repo)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("gh %s : %v\n%s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

type issue struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
}

// Action is what Report did, one line each.
type Action struct {
	Verb   string // "create", "comment", "close"
	Number int    // the issue's number (0 for a creation)
	Title  string
}

// FileIssues files a run on GitHub's issues: each failure opens an issue, or
// comments on the one already open for the same script and step; each open
// issue of a script that passed in this run is closed, with a comment.
func FileIssues(ctx context.Context, gh GH, e *Entry) ([]Action, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	out, err := gh.run(ctx, "", "issue", "list", "--state", "open", "--limit", "200", "--json", "number,title")
	if err != nil {
		return nil, err
	}
	var open []issue
	if err := json.Unmarshal([]byte(out), &open); err != nil {
		return nil, fmt.Errorf("gh issue list : réponse illisible : %v", err)
	}
	byTitle := map[string]int{}
	for _, is := range open {
		if strings.HasPrefix(is.Title, TitlePrefix) {
			if n, ok := byTitle[is.Title]; !ok || is.Number < n {
				byTitle[is.Title] = is.Number
			}
		}
	}
	var acts []Action
	seen := map[string]bool{}
	for _, f := range e.Failures {
		title := IssueTitle(f)
		if seen[title] {
			continue
		}
		seen[title] = true
		body := IssueBody(e, f)
		if n, ok := byTitle[title]; ok {
			if _, err := gh.run(ctx, body, "issue", "comment", fmt.Sprint(n), "--body-file", "-"); err != nil {
				return acts, err
			}
			acts = append(acts, Action{"comment", n, title})
			continue
		}
		if _, err := gh.run(ctx, body, "issue", "create", "--title", title, "--body-file", "-"); err != nil {
			return acts, err
		}
		acts = append(acts, Action{"create", 0, title})
	}
	passed := map[string]bool{}
	for _, s := range e.Scripts {
		passed[s.Script] = s.Status == "pass"
	}
	titles := make([]string, 0, len(byTitle))
	for t := range byTitle {
		titles = append(titles, t)
	}
	sort.Strings(titles)
	for _, title := range titles {
		script, _, _ := strings.Cut(strings.TrimPrefix(title, TitlePrefix), ",")
		if !passed[script] {
			continue
		}
		n := byTitle[title]
		msg := fmt.Sprintf("Le script %s passe de nouveau (vérification du %s%s).", script, e.Date, runLink(e))
		if _, err := gh.run(ctx, "", "issue", "close", fmt.Sprint(n), "--comment", msg); err != nil {
			return acts, err
		}
		acts = append(acts, Action{"close", n, title})
	}
	return acts, nil
}

func runLink(e *Entry) string {
	if e.RunURL == "" {
		return ""
	}
	return ", " + e.RunURL
}

// IssueBody is the issue's text (Markdown): the failing step, what was
// expected and what came, the versions and digests, the run's link.
func IssueBody(e *Entry, f Failure) string {
	var b strings.Builder
	fmt.Fprintf(&b, "La vérification du %s (%s) a échoué.\n\n", e.Date, orDash(e.Event))
	if e.RunURL != "" {
		fmt.Fprintf(&b, "Exécution : %s\n\n", e.RunURL)
	}
	fmt.Fprintf(&b, "- Script : `%s`\n- Étape : `%s:%d`", f.Script, f.File, f.Line)
	if f.Section != "" {
		fmt.Fprintf(&b, " (%s)", f.Section)
	}
	b.WriteString("\n")
	if f.Cmd != "" {
		fmt.Fprintf(&b, "- Dernière commande : `%s`\n", f.Cmd)
	}
	fmt.Fprintf(&b, "- Message : %s\n\n", f.Message)
	fmt.Fprintf(&b, "Attendu (ligne du script) :\n\n%s\n\nObtenu (premières lignes de la sortie) :\n\n%s\n\n", fence(f.Expected), fence(f.Actual))
	fmt.Fprintf(&b, "Machine : %s, %s", orDash(e.Runner.Name), orDash(e.Runner.OS))
	if e.Runner.Image != "" {
		fmt.Fprintf(&b, ", image %s", e.Runner.Image)
	}
	fmt.Fprintf(&b, "\nDocker %s (client %s), Compose %s, buildx %s, stockage d'images %s\n",
		orDash(e.Engine.Engine), orDash(e.Engine.Client), orDash(e.Engine.Compose), orDash(e.Engine.Buildx), orDash(e.Engine.Store))
	if e.Commit != "" {
		fmt.Fprintf(&b, "Commit : %s\n", e.Commit)
	}
	b.WriteString("\n| Image | Nature | Empreinte |\n|---|---|---|\n")
	for _, im := range e.Images {
		fmt.Fprintf(&b, "| `%s` | %s | `%s` |\n", im.Ref, im.Kind, orDash(firstNonEmpty(im.Digest, im.ID)))
	}
	in := e.Inside
	fmt.Fprintf(&b, "\nDans les images : Python %s, FastAPI %s, Uvicorn %s, PostgreSQL %s\n",
		orDash(in.Python), orDash(in.FastAPI), orDash(in.Uvicorn), orDash(in.PostgreSQL))
	return b.String()
}

func fence(s string) string {
	if s == "" {
		s = "(rien)"
	}
	return "```\n" + strings.ReplaceAll(s, "```", "ˋˋˋ") + "\n```"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
