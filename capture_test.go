package tpdocker_test

// The report's ten screenshots, drawn as terminal windows from the recorded
// run: what a capture shows is what a verified run printed, nothing retyped.
//
//	go test -run TestCaptures -update    redraws them all from site/data/runs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"tpdocker/internal/buildkit"
)

// capture names a screenshot of the report and the recorded commands it shows.
type capture struct {
	name, script, title string
	cmds                []captureCmd
}

type captureCmd struct {
	cmd   string
	nth   int // which occurrence of cmd in the record, from 1
	lines int // keep only the last lines of the output (0: all)
}

var captures = []capture{
	{"image1b", "ex1-hello", "docker run hello-world", []captureCmd{{"docker run hello-world", 1, 0}}},
	{"image3c", "ex3-build", "docker build -t simple-api .", []captureCmd{{"docker build -t simple-api .", 1, 0}}},
	{"image4b", "ex4-run", "curl http://localhost:8000/health", []captureCmd{{"curl http://localhost:8000/health", 1, 0}}},
	{"image5c", "ex5-compose", "docker compose up -d, docker compose ps", []captureCmd{{"docker compose up -d", 1, 16}, {"docker compose ps", 1, 0}}},
	{"image5d", "ex5-compose", "curl http://localhost:8000/health", []captureCmd{{"curl http://localhost:8000/health", 1, 0}}},
	{"image6b", "ex6-postgres", "docker compose exec db psql -U demo -d demo", []captureCmd{{"docker compose exec db psql -U demo -d demo", 1, 0}}},
	{"image7a", "ex7-debug", "docker compose logs -f api", []captureCmd{{"docker compose logs -f api", 1, 0}}},
	{"image7b", "ex7-debug", "docker compose exec api sh", []captureCmd{{"docker compose exec api sh", 1, 0}}},
	{"image7c", "ex7-debug", "docker compose restart api, curl", []captureCmd{{"docker compose restart api", 1, 0}, {"curl http://localhost:8000/health", 2, 0}}},
	{"image7d", "ex7-debug", "docker compose logs -f api", []captureCmd{{"docker compose up -d --build", 1, 8}, {"docker compose logs -f api", 2, 0}}},
}

func captureDir() string { return filepath.Join("site", "assets", "captures") }

func readRecord(script string) (*scriptResult, error) {
	data, err := os.ReadFile(filepath.Join(recordDir(), script+".json"))
	if err != nil {
		return nil, err
	}
	var r scriptResult
	return &r, json.Unmarshal(data, &r)
}

// terminalText is what the capture's window shows: each command after a
// prompt, then what it printed (the session itself for an interactive one).
func (c capture) terminalText() (string, error) {
	r, err := readRecord(c.script)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, cc := range c.cmds {
		n := 0
		var found *step
		for i := range r.Steps {
			if r.Steps[i].Cmd == cc.cmd {
				if n++; n == cc.nth {
					found = &r.Steps[i]
					break
				}
			}
		}
		if found == nil {
			return "", fmt.Errorf("%s : la commande %q (occurrence %d) n'est pas dans l'enregistrement %s", c.name, cc.cmd, cc.nth, c.script)
		}
		out := found.Tty
		if v, ok := buildkit.Terminal(found.Stderr, 100); ok && found.Stdout == "" && !strings.Contains(cc.cmd, "compose") {
			// A build in a terminal: BuildKit's condensed view, as the
			// author's screenshot showed it, not the plain log.
			out = v
		} else if out == "" {
			out = found.Stdout
			if found.Stderr != "" {
				out = strings.TrimSuffix(out, "\n")
				if out != "" {
					out += "\n"
				}
				out += found.Stderr
			}
		}
		out = strings.TrimRight(out, "\n")
		if lines := strings.Split(out, "\n"); cc.lines > 0 && len(lines) > cc.lines {
			out = "…\n" + strings.Join(lines[len(lines)-cc.lines:], "\n")
		}
		fmt.Fprintf(&b, "$ %s\n%s\n", cc.cmd, out)
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

const (
	svgFont     = 13.0
	svgLine     = 17.0
	svgCharW    = 7.8 // advance of a 13 px monospace character
	svgPad      = 14.0
	svgBar      = 28.0
	svgMaxChars = 110
)

// svg draws the text as a terminal window, in plain SVG text (readable,
// searchable, sharp at any size).
func (c capture) svg(text string) []byte {
	lines := strings.Split(text, "\n")
	width := 40
	for i, l := range lines {
		l = strings.ReplaceAll(l, "\t", "    ")
		if utf8.RuneCountInString(l) > svgMaxChars {
			l = string([]rune(l)[:svgMaxChars-1]) + "…"
		}
		lines[i] = l
		width = max(width, utf8.RuneCountInString(l))
	}
	w := svgPad*2 + float64(width)*svgCharW
	h := svgBar + svgPad*2 + float64(len(lines))*svgLine
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="t">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, "<title id=\"t\">Terminal : %s</title>\n", html.EscapeString(c.title))
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" rx="8" fill="#1e1f24"/>`+"\n")
	fmt.Fprintf(&b, `<rect width="100%%" height="%.0f" rx="8" fill="#34363d"/><rect y="%.0f" width="100%%" height="8" fill="#34363d"/>`+"\n", svgBar, svgBar-8)
	for i, col := range []string{"#ff5f57", "#febc2e", "#28c840"} {
		fmt.Fprintf(&b, `<circle cx="%d" cy="14" r="6" fill="%s"/>`+"\n", 16+i*20, col)
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="18" fill="#c9cbd1" font-family="sans-serif" font-size="12" text-anchor="middle">%s</text>`+"\n", w/2, html.EscapeString(c.title))
	fmt.Fprintf(&b, `<g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="%.0f" xml:space="preserve" style="white-space:pre">`+"\n", svgFont)
	for i, l := range lines {
		y := svgBar + svgPad + float64(i+1)*svgLine - 4
		fill := "#e6e6e6"
		if strings.HasPrefix(l, "$ ") {
			fill = "#8ae68a"
		}
		// No-break spaces: an SVG shown as an image keeps no run of
		// spaces, and a terminal's columns are made of them.
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="%s">%s</text>`+"\n", svgPad, y, fill, html.EscapeString(strings.ReplaceAll(l, " ", "\u00a0")))
	}
	b.WriteString("</g>\n</svg>\n")
	return b.Bytes()
}

// writeCaptures redraws every capture from the records on disk; go test
// -update calls it once all scripts have written theirs.
func writeCaptures() error {
	if err := os.MkdirAll(captureDir(), 0o755); err != nil {
		return err
	}
	for _, c := range captures {
		text, err := c.terminalText()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(captureDir(), c.name+".svg"), c.svg(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// TestCaptures checks that each screenshot is the drawing of the recorded run.
func TestCaptures(t *testing.T) {
	skipUnderUpdate(t)
	for _, c := range captures {
		text, err := c.terminalText()
		if err != nil {
			t.Error(err)
			continue
		}
		path := filepath.Join(captureDir(), c.name+".svg")
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, c.svg(text)) {
			t.Errorf("%s ne correspond pas à l'enregistrement %s : redessinez les captures avec « go test -run TestCaptures -update »", path, c.script)
		}
	}
}
