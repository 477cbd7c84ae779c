package tpdocker_test

// One source of truth, both ways: a page never shows a shell command that no
// script ran, and every command of the report is run by a script and shown,
// with its recorded output, on a page. The screenshots are drawn from the
// same records.

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"tpdocker/internal/htmltest"
	"tpdocker/internal/record"
)

// labCommands are the commands the lab asks the reader to type.
var labCommands = []string{
	"docker run hello-world",
	"docker ps -a",
	`docker run alpine echo "Bonjour depuis un conteneur Alpine"`,
	"docker run -it alpine sh",
	"docker build -t simple-api .",
	"docker run -p 8000:8000 simple-api",
	"curl http://localhost:8000/health",
	"docker ps",
	"docker stop <nom_ou_id_du_conteneur>",
	"docker compose up -d",
	"docker compose ps",
	"docker compose down",
	"docker compose exec db psql -U demo -d demo",
	"docker compose down -v",
	"docker compose logs -f api",
	"docker compose exec api sh",
	"docker compose restart api",
	"docker compose up -d --build",
	"docker container prune",
	"docker image prune",
}

// recordedCommands lists every command of every run record.
func recordedCommands(t *testing.T) map[string]bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(recordDir, "*.json"))
	if len(files) == 0 {
		t.Fatal("aucun enregistrement dans site/data/runs : lancez go test -update")
	}
	cmds := map[string]bool{}
	for _, f := range files {
		r, err := record.Read(recordDir, strings.TrimSuffix(filepath.Base(f), ".json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range r.Steps {
			cmds[s.Cmd] = true
		}
	}
	return cmds
}

// isRun tells whether a command written on a page was run: exactly, or, for
// a partial mention ("docker stop <id>", "docker network create"), as the
// start of a recorded command up to its first placeholder.
func isRun(cmd string, recorded map[string]bool) bool {
	if recorded[cmd] {
		return true
	}
	prefix := strings.TrimSpace(strings.SplitN(cmd, "<", 2)[0])
	for r := range recorded {
		if r == prefix || strings.HasPrefix(r, prefix+" ") {
			return true
		}
	}
	return false
}

func TestSiteShowsOnlyRunCommands(t *testing.T) {
	skipUnderUpdate(t)
	recorded := recordedCommands(t)
	dir := htmltest.Build(t, "site", "", "")
	shownInRuns := map[string]bool{}
	pages, _ := filepath.Glob(filepath.Join(dir, "exercices", "*", "index.html"))
	for _, p := range pages {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := html.Parse(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		page, _ := filepath.Rel(dir, p)
		var walk func(n *html.Node, inPre, inRun bool)
		walk = func(n *html.Node, inPre, inRun bool) {
			if n.Type == html.ElementNode {
				switch {
				case n.Data == "div" && htmltest.HasClass(n, "cmd"):
					inRun = true
				case n.Data == "pre":
					inPre = true
				case n.Data == "code" && (inRun || !inPre):
					text := strings.TrimPrefix(strings.TrimSpace(htmltest.Text(n)), "$ ")
					if inRun {
						shownInRuns[text] = true
					}
					if (strings.HasPrefix(text, "docker ") || strings.HasPrefix(text, "curl ")) && !isRun(text, recorded) {
						t.Errorf("%s montre « %s », qu'aucun script n'exécute", page, text)
					}
					return
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, inPre, inRun)
			}
		}
		walk(doc, false, false)
	}
	var missing []string
	for _, c := range labCommands {
		switch {
		case !recorded[c]:
			t.Errorf("la commande du rapport « %s » n'est exécutée par aucun script", c)
		case !shownInRuns[c]:
			missing = append(missing, c)
		}
	}
	sort.Strings(missing)
	for _, c := range missing {
		t.Errorf("la commande du rapport « %s » est exécutée mais aucune page ne la montre avec sa sortie", c)
	}
}

// captures are the report's ten screenshots: terminal windows drawn from
// the recorded run (internal/record), each named by the commands it shows.
//
//	go test -run TestCaptures -update    redraws them all from site/data/runs
var captures = []record.Capture{
	{Name: "image1b", Script: "ex1-hello", Title: "docker run hello-world", Cmds: []record.CaptureCmd{{Cmd: "docker run hello-world", Nth: 1}}},
	{Name: "image3c", Script: "ex3-build", Title: "docker build -t simple-api .", Cmds: []record.CaptureCmd{{Cmd: "docker build -t simple-api .", Nth: 1}}},
	{Name: "image4b", Script: "ex4-run", Title: "curl http://localhost:8000/health", Cmds: []record.CaptureCmd{{Cmd: "curl http://localhost:8000/health", Nth: 1}}},
	{Name: "image5c", Script: "ex5-compose", Title: "docker compose up -d, docker compose ps", Cmds: []record.CaptureCmd{{Cmd: "docker compose up -d", Nth: 1, Lines: 16}, {Cmd: "docker compose ps", Nth: 1}}},
	{Name: "image5d", Script: "ex5-compose", Title: "curl http://localhost:8000/health", Cmds: []record.CaptureCmd{{Cmd: "curl http://localhost:8000/health", Nth: 1}}},
	{Name: "image6b", Script: "ex6-postgres", Title: "docker compose exec db psql -U demo -d demo", Cmds: []record.CaptureCmd{{Cmd: "docker compose exec db psql -U demo -d demo", Nth: 1}}},
	{Name: "image7a", Script: "ex7-debug", Title: "docker compose logs -f api", Cmds: []record.CaptureCmd{{Cmd: "docker compose logs -f api", Nth: 1}}},
	{Name: "image7b", Script: "ex7-debug", Title: "docker compose exec api sh", Cmds: []record.CaptureCmd{{Cmd: "docker compose exec api sh", Nth: 1}}},
	{Name: "image7c", Script: "ex7-debug", Title: "docker compose restart api, curl", Cmds: []record.CaptureCmd{{Cmd: "docker compose restart api", Nth: 1}, {Cmd: "curl http://localhost:8000/health", Nth: 2}}},
	{Name: "image7d", Script: "ex7-debug", Title: "docker compose logs api", Cmds: []record.CaptureCmd{{Cmd: "docker compose up -d --build", Nth: 1, Lines: 8}, {Cmd: "docker compose logs api", Nth: 1}}},
}

// TestCaptures checks that each screenshot is the drawing of the recorded run.
func TestCaptures(t *testing.T) {
	skipUnderUpdate(t)
	for _, c := range captures {
		want, err := c.Draw(recordDir)
		if err != nil {
			t.Error(err)
			continue
		}
		path := filepath.Join(captureDir, c.Name+".svg")
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s ne correspond pas à l'enregistrement %s : redessinez les captures avec « go test -run TestCaptures -update »", path, c.Script)
		}
	}
}

// authorClaims are values the author's answers state about an output that
// a page shows beside them. Where the recorded output does not show the
// stated value (a stand-in image, another machine), a note of
// site/data/notes.yaml must match that output, so that the page explains
// the difference right there.
var authorClaims = []struct {
	script, cmd string // the recorded step
	says        string // what the author wrote
	shows       string // what the output shows when it agrees
}{
	{"ex2-alpine", "docker run -it alpine sh", `noyau Linux "Microsoft-standard-WSL2"`, `(?i)microsoft-standard-WSL2`},
	{"ex3-build", "docker build -t simple-api .", "4 étapes principales", `(?m)^#\d+ \[4/4\] RUN pip install fastapi uvicorn$`},
	{"ex3-build", "docker build -t simple-api .", "Installation des dépendances (fastapi, uvicorn)", `Downloading fastapi-`},
	{"ex3-build", "docker build -t simple-api .", "L'image finale a été nommée et taguée simple-api:latest", `naming to docker\.io/library/simple-api:latest`},
	{"ex6-postgres", "docker compose exec db psql -U demo -d demo", "PostgreSQL 16.11 (Debian 16.11-1.pgdg13+1)", `PostgreSQL 16\.\d+ \(Debian 16\.\d+-\d+\.pgdg`},
	{"ex6-postgres", "docker compose exec db psql -U demo -d demo", "basée sur une image Debian (psql)", `psql \(16\.\d+ \(Debian`},
	{"ex7-debug", "docker compose exec api sh", "Le système retourne Python 3.9.25", `Python 3\.9\.25`},
	{"ex7-debug", "docker image prune", "l'ancienne version devient « orpheline » (dangling)", `Deleted Images:`},
}

func TestAuthorClaims(t *testing.T) {
	skipUnderUpdate(t)
	notes := readNotes(t)
	for _, n := range notes {
		if _, err := regexp.Compile(n.Match); err != nil {
			t.Errorf("site/data/notes.yaml : expression %q invalide : %v", n.Match, err)
		}
	}
	for _, c := range authorClaims {
		r, err := record.Read(recordDir, c.script)
		if err != nil {
			t.Fatal(err)
		}
		var out string
		for _, s := range r.Steps {
			if s.Cmd == c.cmd {
				out = s.Tty + "\n" + s.Stdout + "\n" + s.Stderr
				break
			}
		}
		if out == "" {
			t.Errorf("%s : la commande %q n'est pas dans l'enregistrement", c.script, c.cmd)
			continue
		}
		if regexp.MustCompile(c.shows).MatchString(out) {
			continue
		}
		explained := false
		for _, n := range notes {
			if re, err := regexp.Compile(n.Match); err == nil && re.MatchString(out) {
				explained = true
			}
		}
		if !explained {
			t.Errorf("%s, %q : l'auteur écrit « %s », la sortie enregistrée ne le montre pas (%s) et aucune note de site/data/notes.yaml ne l'explique à côté", c.script, c.cmd, c.says, c.shows)
		}
	}
}

// readNotes reads site/data/notes.yaml (internal/record).
func readNotes(t *testing.T) []record.Note {
	t.Helper()
	notes, err := record.ReadNotes(filepath.Join("site", "data"))
	if err != nil {
		t.Fatal(err)
	}
	return notes
}
