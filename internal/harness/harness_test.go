package harness

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCopyLabFiles: a script's folder gets the author's three files, in
// the report's layout.
func TestCopyLabFiles(t *testing.T) {
	root, dst := t.TempDir(), t.TempDir()
	for _, f := range LabFiles {
		p := filepath.Join(root, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("contenu de "+f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := CopyLabFiles(root, dst); err != nil {
		t.Fatal(err)
	}
	for _, f := range LabFiles {
		if got, err := os.ReadFile(filepath.Join(dst, f)); err != nil || string(got) != "contenu de "+f {
			t.Errorf("%s : %q, %v", f, got, err)
		}
	}
	os.Remove(filepath.Join(root, "api/app.py"))
	if err := CopyLabFiles(root, t.TempDir()); err == nil {
		t.Error("un fichier du TP manquant doit être une erreur")
	}
}

// TestFinishWithoutEngine: a run whose scripts never reached the engine
// (go test -short) writes nothing and keeps its exit code; asked for a
// history entry, it says none could be made.
func TestFinishWithoutEngine(t *testing.T) {
	dir := t.TempDir()
	s := New(Config{Update: true, RecordDir: filepath.Join(dir, "runs"), CaptureDir: filepath.Join(dir, "captures")})
	if s.Started() {
		t.Fatal("Started avant Start")
	}
	if code := s.writeRecords(0); code != 0 {
		t.Errorf("writeRecords sans script : code %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "runs")); err == nil {
		t.Error("des enregistrements écrits sans script")
	}
	s.cfg.HistoryFile = filepath.Join(dir, "h.jsonl")
	if code := s.writeHistory(0); code != 1 {
		t.Errorf("writeHistory sans script : code %d, attendu 1", code)
	}
	if _, err := s.historyEntry(); err == nil || !strings.Contains(err.Error(), "aucun script") {
		t.Errorf("historyEntry sans script : %v", err)
	}
}

// TestSetenvUntil gives a variable back its value, or unsets it.
func TestSetenvUntil(t *testing.T) {
	t.Setenv("TPDOCKER_ESSAI", "avant")
	restore := SetenvUntil("TPDOCKER_ESSAI", "pendant")
	if os.Getenv("TPDOCKER_ESSAI") != "pendant" {
		t.Fatal("non posée")
	}
	restore()
	if os.Getenv("TPDOCKER_ESSAI") != "avant" {
		t.Error("valeur non rendue")
	}
	os.Unsetenv("TPDOCKER_ESSAI")
	SetenvUntil("TPDOCKER_ESSAI", "pendant")()
	if _, had := os.LookupEnv("TPDOCKER_ESSAI"); had {
		t.Error("variable non retirée")
	}
}
