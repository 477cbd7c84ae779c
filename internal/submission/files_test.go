package submission

// The folder itself: its limits, its layout, and Stage, which writes the
// files Load read into the work folder and never into the student's.

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func readFile(t *testing.T, dir, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func remove(t *testing.T, dir, rel string) {
	t.Helper()
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
		t.Fatal(err)
	}
}

// files lists the regular files under dir, slash-separated.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for p, e := range snapshot(t, dir) {
		if e.mode.IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
	}
	slices.Sort(out)
	return out
}

func TestLimits(t *testing.T) {
	t.Run("trop de fichiers", func(t *testing.T) {
		dir := copyTree(t, "correct-tp")
		for i := range 200 {
			write(t, dir, fmt.Sprintf(".venv/f%03d.py", i), "")
		}
		wantReason(t, refused(t, dir), "trop de fichiers : 203, au plus 200")
	})
	t.Run("trop gros en tout", func(t *testing.T) {
		dir := copyTree(t, "correct-tp")
		for i := range 10 {
			write(t, dir, fmt.Sprintf("donnees/%d.bin", i), strings.Repeat("x", 1<<20))
		}
		reasons := refused(t, dir)
		wantReason(t, reasons, "dossier trop gros")
		if len(reasons) != 1 {
			t.Errorf("un fichier de 1 Mio tout juste est accepté : %q", reasons)
		}
	})
	t.Run(".git ignoré", func(t *testing.T) {
		dir := copyTree(t, "correct-tp")
		for i := range 300 {
			write(t, dir, fmt.Sprintf(".git/objects/%03d", i), "")
		}
		s := load(t, dir)
		dst := t.TempDir()
		if err := s.Stage(dst); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dst, ".git")); err == nil {
			t.Error(".git est copié")
		}
	})
	t.Run("introuvable", func(t *testing.T) {
		wantReason(t, refused(t, filepath.Join(t.TempDir(), "absent")), "absent : dossier introuvable.")
	})
	t.Run("lien vers un dossier", func(t *testing.T) {
		dir := copyTree(t, "correct-tp")
		if err := os.Symlink(t.TempDir(), filepath.Join(dir, "ailleurs")); err != nil {
			t.Skipf("pas de lien symbolique ici : %v", err)
		}
		wantReason(t, refused(t, dir), "lien symbolique refusé : ailleurs")
	})
	t.Run("nom sur deux lignes", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("Windows refuse ce nom")
		}
		dir := copyTree(t, "correct-tp")
		write(t, dir, "a\nb.txt", "")
		wantReason(t, refused(t, dir), "nom de fichier refusé")
	})
}

func TestLayouts(t *testing.T) {
	t.Run("api sans app.py", func(t *testing.T) {
		dir := copyTree(t, "correct-route-style")
		remove(t, dir, "api/app.py")
		wantReason(t, refused(t, dir), "il manque api/app.py : deux dispositions")
	})
	t.Run("tp sans Compose", func(t *testing.T) {
		dir := copyTree(t, "correct-tp")
		remove(t, dir, "docker-compose.yml")
		wantReason(t, refused(t, dir), "il manque docker-compose.yml : deux dispositions")
	})
	t.Run("les deux, api/Dockerfile l'emporte", func(t *testing.T) {
		dir := copyTree(t, "correct-route-style")
		write(t, dir, "app.py", "print('brouillon')\n")
		if s := load(t, dir); s.Layout != LayoutAPI {
			t.Errorf("Layout %q", s.Layout)
		}
	})
}

func TestStage(t *testing.T) {
	t.Run("api", func(t *testing.T) {
		dir := copyTree(t, "correct-route-style")
		write(t, dir, "README.md", "# Mon TP\n")
		write(t, dir, "api/requirements.txt", "fastapi\n")
		write(t, dir, "scripts/lancer.sh", "#!/bin/sh\n")
		if err := os.Chmod(filepath.Join(dir, "scripts", "lancer.sh"), 0o755); err != nil {
			t.Fatal(err)
		}
		data := readFile(t, dir, "docker-compose.yml")
		remove(t, dir, "docker-compose.yml")
		write(t, dir, "compose.yml", data)
		before := snapshot(t, dir)
		s := load(t, dir)
		if s.ComposeFile != "compose.yml" {
			t.Errorf("ComposeFile %q", s.ComposeFile)
		}
		dst := filepath.Join(t.TempDir(), "a", "b")
		if err := s.Stage(dst); err != nil {
			t.Fatal(err)
		}
		sameSnapshot(t, before, snapshot(t, dir))
		want := []string{"README.md", "api/Dockerfile", "api/app.py", "api/requirements.txt", "docker-compose.yml", "scripts/lancer.sh"}
		if got := files(t, dst); !slices.Equal(got, want) {
			t.Errorf("copiés : %q, attendu %q", got, want)
		}
		if readFile(t, dst, "docker-compose.yml") != data {
			t.Error("docker-compose.yml n'est pas compose.yml")
		}
		if runtime.GOOS != "windows" {
			if info, err := os.Stat(filepath.Join(dst, "scripts", "lancer.sh")); err != nil || info.Mode().Perm()&0o100 == 0 {
				t.Errorf("lancer.sh n'est plus exécutable : %v %v", info.Mode(), err)
			}
		}
	})
	t.Run("tp", func(t *testing.T) {
		dir := copyTree(t, "correct-tp")
		write(t, dir, ".env", "PW=demo\n")
		write(t, dir, "notes/lisez-moi.txt", "notes\n")
		s := load(t, dir)
		dst := t.TempDir()
		if err := s.Stage(dst); err != nil {
			t.Fatal(err)
		}
		want := []string{".env", "Dockerfile", "api/.env", "api/Dockerfile", "api/app.py", "api/notes/lisez-moi.txt", "app.py", "docker-compose.yml", "notes/lisez-moi.txt"}
		if got := files(t, dst); !slices.Equal(got, want) {
			t.Errorf("copiés : %q, attendu %q", got, want)
		}
	})
	t.Run("jamais dans le dossier rendu", func(t *testing.T) {
		dir := copyTree(t, "correct-route-style")
		s := load(t, dir)
		before := snapshot(t, dir)
		for _, dst := range []string{dir, filepath.Join(dir, "travail"), filepath.Dir(dir)} {
			if err := s.Stage(dst); err == nil || !strings.Contains(err.Error(), "se recouvrent") {
				t.Errorf("Stage(%s) : %v", dst, err)
			}
		}
		sameSnapshot(t, before, snapshot(t, dir))
	})
	t.Run("ce que Load a lu", func(t *testing.T) {
		// A file changed after Load is staged as Load read it.
		dir := copyTree(t, "correct-route-style")
		s := load(t, dir)
		write(t, dir, "api/app.py", "changé\n")
		dst := t.TempDir()
		if err := s.Stage(dst); err != nil {
			t.Fatal(err)
		}
		if readFile(t, dst, "api/app.py") == "changé\n" {
			t.Error("Stage relit le dossier rendu")
		}
	})
}
