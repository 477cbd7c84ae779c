// Package htmltest holds the helpers that the site's checks and the lab's
// report checks share to read built HTML: walking a parsed page, reading
// attributes and classes, and a node's reader text.
package htmltest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// Walk calls f on n and on each element below it, in document order.
func Walk(n *html.Node, f func(*html.Node)) {
	if n.Type == html.ElementNode {
		f(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		Walk(c, f)
	}
}

// HasAttr returns the value of the attribute key and whether n has it.
func HasAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// Attr is the value of the attribute key, or "".
func Attr(n *html.Node, key string) string {
	v, _ := HasAttr(n, key)
	return v
}

// HasClass tells whether n carries class among its classes.
func HasClass(n *html.Node, class string) bool {
	return strings.Contains(" "+Attr(n, "class")+" ", " "+class+" ")
}

// ByClass lists the elements below doc named tag (any when tag is "") that
// carry class.
func ByClass(doc *html.Node, tag, class string) []*html.Node {
	var out []*html.Node
	Walk(doc, func(n *html.Node) {
		if (tag == "" || n.Data == tag) && HasClass(n, class) {
			out = append(out, n)
		}
	})
	return out
}

// First is the first element below n named tag, or nil.
func First(n *html.Node, tag string) *html.Node {
	var found *html.Node
	Walk(n, func(e *html.Node) {
		if found == nil && e.Data == tag {
			found = e
		}
	})
	return found
}

// Text is the text of n as a reader sees it: every text below it, without
// the shell prompts that the page draws before a command (class "prompt").
func Text(n *html.Node) string {
	if n == nil {
		return ""
	}
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && HasClass(c, "prompt") {
			continue
		}
		b.WriteString(Text(c))
	}
	return b.String()
}

// OneSpace folds every run of white space into one space.
func OneSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// Lang is the lang attribute of the page's <html>.
func Lang(doc *html.Node) string {
	if h := First(doc, "html"); h != nil {
		return Attr(h, "lang")
	}
	return ""
}

// Page is a built HTML page, parsed, with the ids it defines.
type Page struct {
	Doc *html.Node
	IDs map[string]bool
}

// ParseDir parses every .html file below dir, keyed by its slash-separated
// path relative to dir (exercices/ex1/index.html).
func ParseDir(dir string) (map[string]*Page, error) {
	pages := map[string]*Page{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := html.Parse(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("%s : %v", p, err)
		}
		rel, _ := filepath.Rel(dir, p)
		page := &Page{Doc: doc, IDs: map[string]bool{}}
		Walk(doc, func(n *html.Node) {
			if id := Attr(n, "id"); id != "" {
				page.IDs[id] = true
			}
		})
		pages[filepath.ToSlash(rel)] = page
		return nil
	})
	return pages, err
}

// Build builds the Hugo site of the folder source (go tool hugo, with
// --panicOnWarning) into a temporary folder of t and returns that folder.
// baseURL is Hugo's when not empty; dataDir, when not empty, stands for the
// site's data folder (HUGO_DATADIR); extra are more arguments for Hugo.
func Build(t testing.TB, source, baseURL, dataDir string, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	args := []string{"tool", "hugo", "--source", source, "--destination", dir,
		"--panicOnWarning", "--cleanDestinationDir"}
	args = append(args, extra...)
	if baseURL != "" {
		args = append(args, "--baseURL", baseURL)
	}
	cmd := exec.Command("go", args...)
	if dataDir != "" {
		cmd.Env = append(os.Environ(), "HUGO_DATADIR="+dataDir)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("go %s : %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return dir
}
