package submission

import (
	"os"
	"path/filepath"
	"testing"
)

// In the "tp" layout, api/app.py is app.py under a second name: an edit
// of one (question 7.d edits api/app.py) is what a Compose file with
// build: . builds.
func TestStageLinksTPLayout(t *testing.T) {
	s, err := Load(filepath.Join("..", "..", "testdata", "rendus", "correct-tp"))
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	if err := s.Stage(dst); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"app.py", "Dockerfile"} {
		a, err1 := os.Stat(filepath.Join(dst, f))
		b, err2 := os.Stat(filepath.Join(dst, "api", f))
		if err1 != nil || err2 != nil || !os.SameFile(a, b) {
			t.Errorf("%s et api/%s ne sont pas le même fichier (%v, %v)", f, f, err1, err2)
		}
	}
	if err := os.WriteFile(filepath.Join(dst, "api", "app.py"), []byte("appi = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dst, "app.py")); string(data) != "appi = 1\n" {
		t.Errorf("app.py après modification de api/app.py : %q", data)
	}
}

func TestWithin(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "eleve"), 0o755)
	os.Symlink(filepath.Join(dir, "eleve"), filepath.Join(dir, "lien"))
	for p, want := range map[string]bool{
		"eleve": true, "eleve/sortie": true, "lien/sortie": true, "..eleve": false, "autre": false,
	} {
		if got := Within(filepath.Join(dir, p), filepath.Join(dir, "eleve")); got != want {
			t.Errorf("Within(%s) = %v", p, got)
		}
	}
}
