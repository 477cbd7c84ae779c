package submission

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A folder's digest changes with any file, name, executable bit or link,
// never with modification times alone (an archive extracted again), nor
// with .git.
func TestDigest(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("api/app.py", "app = 1\n")
	write("docker-compose.yml", "services: {}\n")
	digest := func() string {
		t.Helper()
		d, err := Digest(dir)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	first := digest()
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	os.Chtimes(filepath.Join(dir, "api", "app.py"), old, old)
	write(".git/HEAD", "ref: refs/heads/main\n")
	write("api/.git/HEAD", "ref: refs/heads/main\n")
	if digest() != first {
		t.Error("the digest changed with a modification time or .git")
	}
	seen := map[string]string{first: "first"}
	for _, c := range []struct {
		name   string
		change func()
	}{
		{"contents", func() { write("api/app.py", "app = 2\n") }},
		{"new file", func() { write("api/requirements.txt", "") }},
		{"renamed", func() { os.Rename(filepath.Join(dir, "api", "requirements.txt"), filepath.Join(dir, "api", "req.txt")) }},
		{"executable", func() { os.Chmod(filepath.Join(dir, "api", "req.txt"), 0o755) }},
		{"link", func() { os.Symlink("/etc/passwd", filepath.Join(dir, "lien")) }},
		{"link moved", func() { os.Remove(filepath.Join(dir, "lien")); os.Symlink("/etc/hosts", filepath.Join(dir, "lien")) }},
	} {
		name := c.name
		c.change()
		d := digest()
		if prev, ok := seen[d]; ok {
			t.Errorf("%s: same digest as %s", name, prev)
		}
		seen[d] = name
	}
	if _, err := Digest(filepath.Join(dir, "absent")); err == nil {
		t.Error("no error for a missing folder")
	}
}
