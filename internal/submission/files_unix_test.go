//go:build unix

package submission

// A special file (here a named pipe) refuses the folder.

import (
	"path/filepath"
	"syscall"
	"testing"
)

func TestSpecialFile(t *testing.T) {
	dir := copyTree(t, "correct-tp")
	if err := syscall.Mkfifo(filepath.Join(dir, "tube"), 0o644); err != nil {
		t.Skipf("pas de tube nommé ici : %v", err)
	}
	wantReason(t, refused(t, dir), "fichier spécial refusé (ni fichier ordinaire ni dossier) : tube.")
}
