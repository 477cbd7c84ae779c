package submission

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Digest sums what a check of dir depends on: every entry's path and kind,
// a symbolic link's target (never followed), a regular file's executable
// bit and contents (the .git folder aside, as Load does). A file too large
// to be accepted is summed by its size and modification time only: its
// folder is refused whatever it holds. Two folders with the same digest
// get the same check.
func Digest(dir string) (string, error) {
	h := sha256.New()
	entries := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if entries++; entries > maxEntries {
			return errors.New("trop d'entrées")
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch mode := info.Mode(); {
		case mode.IsDir():
			fmt.Fprintf(h, "d %q\n", rel)
		case mode&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "l %q %q\n", rel, target)
		case !mode.IsRegular():
			fmt.Fprintf(h, "s %q %v\n", rel, mode.Type())
		case info.Size() > maxFileSize:
			fmt.Fprintf(h, "F %q %d %d\n", rel, info.Size(), info.ModTime().UnixNano())
		default:
			fmt.Fprintf(h, "f %q %v %d\n", rel, mode&0o111 != 0, info.Size())
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			_, err = io.Copy(h, f)
			f.Close()
			return err
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}
