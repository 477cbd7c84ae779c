package submission

// The students' variants of testdata/rendus: the correct ones pass every
// check and stage in the report's layout without touching their folder;
// the wrong ones fail the checks they are about, with the right file and
// line; the hostile ones are refused with their reason. No Docker.

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// rendus is the folder of the students' variants.
var rendus = filepath.Join("..", "..", "testdata", "rendus")

// copyTree copies a variant into a temporary folder, to change it.
func copyTree(t *testing.T, variant string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), variant)
	src := filepath.Join(rendus, variant)
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// write writes content to dir/rel, creating its folders.
func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// edit replaces old by new in dir/rel, which must hold old.
func edit(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s ne contient pas %q", rel, old)
	}
	write(t, dir, rel, strings.Replace(string(data), old, new, 1))
}

// entry is what a snapshot keeps of a file or folder.
type entry struct {
	data  string
	mode  fs.FileMode
	mtime time.Time
}

// snapshot records every entry of dir: content, mode and modification time.
func snapshot(t *testing.T, dir string) map[string]entry {
	t.Helper()
	out := map[string]entry{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		e := entry{mode: info.Mode(), mtime: info.ModTime()}
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			e.data = string(data)
		}
		out[p] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameSnapshot(t *testing.T, before, after map[string]entry) {
	t.Helper()
	for p, b := range before {
		a, ok := after[p]
		switch {
		case !ok:
			t.Errorf("%s a disparu", p)
		case a != b:
			t.Errorf("%s a changé", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s est apparu dans le dossier rendu", p)
		}
	}
}

// load loads dir and fails the test on an error.
func load(t *testing.T, dir string) *Submission {
	t.Helper()
	s, err := Load(dir)
	if err != nil {
		t.Fatalf("Load(%s) : %v", filepath.Base(dir), err)
	}
	checkMessages(t, s)
	return s
}

// refused loads dir, which must be refused, and returns the reasons.
func refused(t *testing.T, dir string) []string {
	t.Helper()
	s, err := Load(dir)
	var r *Refusal
	if !errors.As(err, &r) {
		if s != nil {
			for _, c := range s.Checks {
				t.Logf("%s %v %s", c.Question, c.OK, c.Message)
			}
		}
		t.Fatalf("Load(%s) : %v, attendu un refus", filepath.Base(dir), err)
	}
	if s != nil {
		t.Errorf("Load(%s) refuse mais rend aussi un rendu", filepath.Base(dir))
	}
	for _, m := range r.Reasons {
		checkFrench(t, m)
	}
	if !strings.HasPrefix(r.Error(), "rendu refusé :\n") || len(strings.Split(r.Error(), "\n")) != len(r.Reasons)+1 {
		t.Errorf("Error() = %q : une ligne d'en-tête, puis une ligne par raison", r.Error())
	}
	return r.Reasons
}

// wantReason fails unless one of the reasons holds every part.
func wantReason(t *testing.T, reasons []string, parts ...string) {
	t.Helper()
	for _, r := range reasons {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(r, p)
		}
		if ok {
			return
		}
	}
	t.Errorf("aucune raison ne contient %q :\n%s", parts, strings.Join(reasons, "\n"))
}

// frenchRE finds a trace of French in a message.
var frenchRE = regexp.MustCompile(`[éèàêç]|\b(le|la|les|du|des|ne|pas|vaut|ligne|il|aucun|aucune|plus|plusieurs|fichier|dossier|un|une|et|ou|en)\b`)

// checkFrench: a message is one French line.
func checkFrench(t *testing.T, msg string) {
	t.Helper()
	if strings.ContainsAny(msg, "\r\n") || strings.TrimSpace(msg) != msg || msg == "" {
		t.Errorf("message sur plusieurs lignes ou mal bordé : %q", msg)
	}
	if !frenchRE.MatchString(msg) {
		t.Errorf("message qui ne semble pas en français : %q", msg)
	}
}

// checkMessages: every check and hint of s is one French line, and the
// checks come in question order.
func checkMessages(t *testing.T, s *Submission) {
	t.Helper()
	last := -1
	for _, c := range s.Checks {
		checkFrench(t, c.Message)
		if c.File == "" || c.Line < 0 {
			t.Errorf("vérification sans fichier : %+v", c)
		}
		if questionOrder[c.Question] < last {
			t.Errorf("%s après une question suivante", c.Question)
		}
		last = questionOrder[c.Question]
	}
	for q, h := range s.Hints() {
		if !slices.Contains([]string{"3.a", "3.b", "4.a", "5.b"}, q) {
			t.Errorf("indice pour une question inattendue : %s", q)
		}
		checkFrench(t, h)
	}
}

// failed lists the questions of the checks that fail.
func failed(s *Submission) []string {
	var out []string
	for _, c := range s.Checks {
		if !c.OK && !slices.Contains(out, c.Question) {
			out = append(out, c.Question)
		}
	}
	return out
}

// failedCheck is the first failed check of question q.
func failedCheck(t *testing.T, s *Submission, q string) Check {
	t.Helper()
	for _, c := range s.Checks {
		if !c.OK && c.Question == q {
			return c
		}
	}
	t.Fatalf("aucune vérification de %s en échec", q)
	return Check{}
}

var correct = []struct{ name, layout string }{
	{"correct-tp", LayoutTP},
	{"correct-route-style", LayoutAPI},
	{"correct-run-en-plus", LayoutAPI},
	{"correct-workdir", LayoutAPI},
	{"correct-healthcheck", LayoutAPI},
}

func TestCorrectVariants(t *testing.T) {
	for _, v := range correct {
		t.Run(v.name, func(t *testing.T) {
			dir := filepath.Join(rendus, v.name)
			before := snapshot(t, dir)
			s := load(t, dir)
			if s.Layout != v.layout || s.Name != v.name || s.Dir != dir || s.ComposeFile != "docker-compose.yml" {
				t.Errorf("Layout %q, Name %q, Dir %q, ComposeFile %q", s.Layout, s.Name, s.Dir, s.ComposeFile)
			}
			for _, c := range s.Checks {
				if !c.OK {
					t.Errorf("en échec : %s", c.Message)
				}
				if c.Line == 0 {
					t.Errorf("sans ligne : %s", c.Message)
				}
			}
			for _, q := range []string{"3.a", "3.b", "5.b"} {
				if !slices.ContainsFunc(s.Checks, func(c Check) bool { return c.Question == q }) {
					t.Errorf("aucune vérification de %s", q)
				}
			}
			for _, q := range []string{"3.a", "3.b", "4.a", "5.b"} {
				if s.Hints()[q] == "" {
					t.Errorf("aucun indice pour %s", q)
				}
			}

			dst := filepath.Join(t.TempDir(), "travail")
			if err := s.Stage(dst); err != nil {
				t.Fatal(err)
			}
			sameSnapshot(t, before, snapshot(t, dir))
			app, dockerfile := "api/app.py", "api/Dockerfile"
			if v.layout == LayoutTP {
				app, dockerfile = "app.py", "Dockerfile"
			}
			for to, from := range map[string]string{
				"docker-compose.yml": "docker-compose.yml",
				"api/app.py":         app,
				"api/Dockerfile":     dockerfile,
			} {
				sameFile(t, filepath.Join(dst, to), filepath.Join(dir, from))
			}
			if v.layout == LayoutTP {
				sameFile(t, filepath.Join(dst, "app.py"), filepath.Join(dir, "app.py"))
				sameFile(t, filepath.Join(dst, "Dockerfile"), filepath.Join(dir, "Dockerfile"))
				if _, err := os.Stat(filepath.Join(dst, "api", "docker-compose.yml")); err == nil {
					t.Error("le fichier Compose est aussi copié dans api/")
				}
			}
		})
	}
}

// sameFile: got holds what want holds.
func sameFile(t *testing.T, got, want string) {
	t.Helper()
	g, err := os.ReadFile(got)
	if err != nil {
		t.Error(err)
		return
	}
	w, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Errorf("%s ne reproduit pas %s", got, want)
	}
}

func TestWrongVariants(t *testing.T) {
	for _, v := range []struct {
		name    string
		failing []string // the questions whose static checks fail
		message string   // part of the first failed check's message
		line    int      // its line
		hints   map[string]string
	}{
		{name: "faux-sans-health", failing: []string{"3.a"}, message: `api/app.py ne déclare aucune route /health (attendu : @app.get("/health"))`,
			hints: map[string]string{"3.a": "api/app.py ne déclare aucune route /health"}},
		{name: "faux-json", hints: map[string]string{"3.a": `api/app.py, ligne 8 : @app.get("/health")`}},
		{name: "faux-port", hints: map[string]string{"4.a": `api/Dockerfile, ligne 14 : CMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8080"] ; uvicorn y écoute sur le port 8080, alors que le TP publie le port 8000 du conteneur ; docker-compose.yml, ligne 20 : - "8000:8000"`}},
		{name: "faux-python312", failing: []string{"3.b"}, message: "api/Dockerfile, ligne 2 : FROM python:3.12, le TP demande python:3.9-slim", line: 2,
			hints: map[string]string{"3.b": "api/Dockerfile, ligne 2 : FROM python:3.12"}},
		{name: "faux-postgres15", failing: []string{"5.b"}, message: "docker-compose.yml, ligne 5 : image: postgres:15, le TP demande postgres:16", line: 5,
			hints: map[string]string{"5.b": "docker-compose.yml, ligne 5 : image: postgres:15 ; ligne 8 : POSTGRES_USER: demo ; ligne 9 : POSTGRES_PASSWORD: demo ; ligne 10 : POSTGRES_DB: demo ; ligne 13 : - \"5432:5432\" ; ligne 20 : - \"8000:8000\""}},
		{name: "faux-mot-de-passe", failing: []string{"5.b"}, message: "docker-compose.yml, ligne 9 : POSTGRES_PASSWORD vaut « motdepasse », le TP demande demo", line: 9,
			hints: map[string]string{"5.b": "ligne 9 : POSTGRES_PASSWORD: motdepasse"}},
		{name: "faux-syntaxe", hints: map[string]string{"3.a": "api/app.py, ligne 8 :"}},
		{name: "faux-build", hints: map[string]string{"3.b": "api/Dockerfile, ligne 2 : FROM python:3.9-slim"}},
	} {
		t.Run(v.name, func(t *testing.T) {
			s := load(t, filepath.Join(rendus, v.name))
			if got := failed(s); !slices.Equal(got, v.failing) {
				t.Errorf("questions en échec %q, attendu %q", got, v.failing)
			}
			if len(v.failing) > 0 {
				c := failedCheck(t, s, v.failing[0])
				if !strings.Contains(c.Message, v.message) || c.Line != v.line {
					t.Errorf("%+v : attendu %q, ligne %d", c, v.message, v.line)
				}
				if n := len(slices.DeleteFunc(slices.Clone(s.Checks), func(c Check) bool { return c.OK })); n != 1 {
					t.Errorf("%d vérifications en échec, attendu 1", n)
				}
			}
			for q, want := range v.hints {
				if got := s.Hints()[q]; !strings.Contains(got, want) {
					t.Errorf("indice de %s : %q, attendu %q", q, got, want)
				}
			}
		})
	}
}

// hostile makes a hostile variant's folder: the committed one, or a copy
// the test completes (a symbolic link, a big file: they are not
// committed).
func hostile(t *testing.T, name string) string {
	switch name {
	case "hostile-lien":
		dir := copyTree(t, name)
		if err := os.Symlink("/etc/passwd", filepath.Join(dir, "api", "app.py")); err != nil {
			t.Skipf("pas de lien symbolique ici : %v", err)
		}
		return dir
	case "hostile-gros":
		dir := copyTree(t, name)
		write(t, dir, "api/donnees.bin", strings.Repeat("x", 2<<20))
		return dir
	}
	return filepath.Join(rendus, name)
}

func TestHostileVariants(t *testing.T) {
	for _, v := range []struct {
		name  string
		parts []string // what one of the reasons says
	}{
		{"hostile-privileged", []string{"docker-compose.yml, ligne 18 : le service api demande privileged: true, refusé : le TP n'en a pas besoin et il donnerait au conteneur tout l'hôte."}},
		{"hostile-bind", []string{"ligne 22", "/var/run/docker.sock", "refusé"}},
		{"hostile-bind", []string{"ligne 23", "le montage du dossier de l'hôte / sur /hote"}},
		{"hostile-network-host", []string{"ligne 18", "network_mode: host", "réseau de la machine de correction"}},
		{"hostile-pid-host", []string{"ligne 18", "pid: host"}},
		{"hostile-cap-add", []string{"ligne 18", "cap_add: SYS_ADMIN"}},
		{"hostile-devices", []string{"ligne 18", "devices", "périphériques"}},
		{"hostile-ports", []string{"ligne 21", "2375:2375", "ne publie que 8000:8000"}},
		{"hostile-syntax", []string{"api/Dockerfile, ligne 1 :", "syntax=docker/dockerfile:1", "frontend"}},
		{"hostile-lien", []string{"lien symbolique refusé : api/app.py"}},
		{"hostile-gros", []string{"fichier trop gros", "api/donnees.bin (2,0 Mio)"}},
		{"hostile-yaml", []string{"docker-compose.yml, ligne 18 : le YAML ne se lit pas"}},
		{"manquant", []string{"il manque Dockerfile et docker-compose.yml", "deux dispositions sont acceptées"}},
	} {
		t.Run(v.name, func(t *testing.T) {
			reasons := refused(t, hostile(t, v.name))
			wantReason(t, reasons, v.parts...)
		})
	}
	t.Run("plusieurs", func(t *testing.T) {
		// One folder, every kind of problem: each is listed.
		dir := copyTree(t, "hostile-bind")
		edit(t, dir, "docker-compose.yml", "    build: ./api\n", "    build: ./api\n    privileged: true\n")
		edit(t, dir, "api/Dockerfile", "# TODO: choisir", "# syntax=docker/dockerfile:1\n# TODO: choisir")
		write(t, dir, "gros.bin", strings.Repeat("x", 1<<20+1))
		if err := os.Symlink("/etc", filepath.Join(dir, "etc")); err != nil {
			t.Skipf("pas de lien symbolique ici : %v", err)
		}
		reasons := refused(t, dir)
		for _, parts := range [][]string{
			{"privileged: true"}, {"/var/run/docker.sock"}, {"/ sur /hote"}, {"syntax="},
			{"fichier trop gros", "gros.bin"}, {"lien symbolique", "etc"},
		} {
			wantReason(t, reasons, parts...)
		}
		if len(reasons) != 6 {
			t.Errorf("%d raisons, attendu 6 :\n%s", len(reasons), strings.Join(reasons, "\n"))
		}
	})
}

// The committed variants are the ones README.md lists.
func TestVariantsListed(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(rendus, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(rendus)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !strings.Contains(string(readme), "`"+e.Name()+"`") {
			t.Errorf("README.md ne présente pas %s", e.Name())
		}
	}
}
