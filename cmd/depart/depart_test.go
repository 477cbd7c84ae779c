package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rhysd/actionlint"
)

const (
	testRepo   = "prof-exemple/tp-docker"
	testCommit = "0123456789abcdef0123456789abcdef01234567"
)

func readZip(t *testing.T, data []byte) map[string]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = string(b)
	}
	return files
}

// The ZIP holds mon-tp/ with every starting file, the workflow with the
// repository and the commit written in; the same input gives the same
// bytes.
func TestZip(t *testing.T) {
	src := os.DirFS("../../depart")
	var a, b bytes.Buffer
	when := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	if err := Write(&a, src, testRepo, testCommit, when); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, src, testRepo, testCommit, when); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("deux ZIP différents pour les mêmes fichiers")
	}
	files := readZip(t, a.Bytes())
	for _, f := range []string{"README.md", "docker-compose.yml", "api/app.py", "api/Dockerfile", workflowFile} {
		got, ok := files["mon-tp/"+f]
		if !ok {
			t.Errorf("mon-tp/%s manque dans le ZIP (%d fichiers)", f, len(files))
			continue
		}
		want, err := os.ReadFile(filepath.Join("../../depart", filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		if f != workflowFile && got != string(want) {
			t.Errorf("mon-tp/%s diffère de depart/%s", f, f)
		}
	}
	wf := files["mon-tp/"+workflowFile]
	for _, want := range []string{`TPDOCKER_DEPOT: "` + testRepo + `"`, `TPDOCKER_COMMIT: "` + testCommit + `"`} {
		if !strings.Contains(wf, want) {
			t.Errorf("le workflow du ZIP ne contient pas %s :\n%s", want, wf)
		}
	}
	// The filled-in workflow still passes actionlint.
	linter, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{LogWriter: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := linter.Lint("verifier-tp.yml", []byte(wf), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("actionlint : %d:%d: %s", e.Line, e.Column, e.Message)
	}
}

func TestWorkflowRefusesBadValues(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("../../depart", filepath.FromSlash(workflowFile)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ repo, commit, want string }{
		{"", testCommit, "n'est pas un dépôt GitHub"},
		{"a/b\nx: y", testCommit, "n'est pas un dépôt GitHub"},
		{"https://github.com/a/b", testCommit, "n'est pas un dépôt GitHub"},
		{testRepo, "main", "n'est pas un commit"},
		{testRepo, "${{ github.sha }}", "n'est pas un commit"},
	} {
		if _, err := Workflow(src, tc.repo, tc.commit); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Workflow(%q, %q) : %v, attendu « %s »", tc.repo, tc.commit, err, tc.want)
		}
	}
}

// withoutAnswers removes from one of the author's files the lines that
// answer its TODOs: under each "# TODO" comment, the lines up to a blank
// line, a comment, a less indented line or, in YAML, a key that opens a
// block at the comment's indentation.
func withoutAnswers(src string, yaml bool) string {
	lines := strings.Split(src, "\n")
	var out []string
	indent := func(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		out = append(out, l)
		if !strings.HasPrefix(strings.TrimSpace(l), "# TODO") {
			continue
		}
		for i+1 < len(lines) {
			n := lines[i+1]
			t := strings.TrimSpace(n)
			if t == "" || strings.HasPrefix(t, "#") || indent(n) < indent(l) ||
				(yaml && indent(n) == indent(l) && strings.HasSuffix(t, ":")) {
				break
			}
			i++
		}
	}
	return strings.Join(out, "\n")
}

// The starting files are the author's files without the lines that answer
// the TODOs: every other line, comments and statements, as the lab gives it.
func TestStartingFilesAreTheAuthorsWithoutAnswers(t *testing.T) {
	for _, f := range []string{"api/app.py", "api/Dockerfile", "docker-compose.yml"} {
		author, err := os.ReadFile(filepath.Join("../..", filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		start, err := os.ReadFile(filepath.Join("../../depart", filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		if want := withoutAnswers(string(author), strings.HasSuffix(f, ".yml")); string(start) != want {
			t.Errorf("depart/%s n'est pas %s sans ses réponses :\n--- depart/%s\n%s\n--- attendu\n%s", f, f, f, start, want)
		}
		if string(start) == string(author) || strings.Count(string(start), "# TODO") != strings.Count(string(author), "# TODO") {
			t.Errorf("depart/%s : les mêmes # TODO que %s, sans leurs réponses", f, f)
		}
	}
}
