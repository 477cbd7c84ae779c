package record

// The report's screenshots, drawn as terminal windows from the recorded run:
// what a capture shows is what a verified run printed, nothing retyped.

import (
	"bytes"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"

	"tpdocker/internal/buildprogress"
)

// Capture names a screenshot of the report and the recorded commands it
// shows, in that order.
type Capture struct {
	Name   string // the SVG file's name, without .svg
	Script string // the record the commands come from
	Title  string // the window's title
	Cmds   []CaptureCmd
}

// CaptureCmd is one command of a capture.
type CaptureCmd struct {
	Cmd   string
	Nth   int // which occurrence of Cmd in the record, from 1
	Lines int // keep only the last lines of the output (0: all)
}

// Text is what the capture's window shows: each command after a prompt,
// then what it printed (the session itself for an interactive one).
func (c Capture) Text(r *Result) (string, error) {
	var b strings.Builder
	for _, cc := range c.Cmds {
		n := 0
		var found *Step
		for i := range r.Steps {
			if r.Steps[i].Cmd == cc.Cmd {
				if n++; n == cc.Nth {
					found = &r.Steps[i]
					break
				}
			}
		}
		if found == nil {
			return "", fmt.Errorf("%s : la commande %q (occurrence %d) n'est pas dans l'enregistrement %s", c.Name, cc.Cmd, cc.Nth, c.Script)
		}
		out := found.Tty
		if v, ok := buildprogress.Terminal(found.Stderr, 100); ok && found.Stdout == "" && !strings.Contains(cc.Cmd, "compose") {
			// A build in a terminal: BuildKit's condensed view, as the
			// author's screenshot showed it, not the plain log.
			out = v
		} else if out == "" && found.Output != "" {
			out = found.Output
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
		if lines := strings.Split(out, "\n"); cc.Lines > 0 && len(lines) > cc.Lines {
			out = "…\n" + strings.Join(lines[len(lines)-cc.Lines:], "\n")
		}
		fmt.Fprintf(&b, "$ %s\n%s\n", cc.Cmd, out)
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

const (
	svgFont     = 13.0
	svgLine     = 17.0
	svgCharW    = 7.8 // advance of a 13 px monospace character
	svgPad      = 14.0
	svgBar      = 28.0
	svgMaxChars = 160 // wider lines go on, on the next line, as a terminal wraps them
)

// SVG draws the text as a terminal window, in plain SVG text (readable,
// searchable, sharp at any size).
func (c Capture) SVG(text string) []byte {
	var lines []string
	width := 40
	for _, l := range strings.Split(text, "\n") {
		r := []rune(strings.ReplaceAll(l, "\t", "    "))
		for len(r) > svgMaxChars {
			lines = append(lines, string(r[:svgMaxChars]))
			r = r[svgMaxChars:]
		}
		lines = append(lines, string(r))
		width = max(width, min(len([]rune(strings.ReplaceAll(l, "\t", "    "))), svgMaxChars))
	}
	w := svgPad*2 + float64(width)*svgCharW
	h := svgBar + svgPad*2 + float64(len(lines))*svgLine
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="t">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, "<title id=\"t\">Terminal : %s</title>\n", html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" rx="8" fill="#1e1f24"/>`+"\n")
	fmt.Fprintf(&b, `<rect width="100%%" height="%.0f" rx="8" fill="#34363d"/><rect y="%.0f" width="100%%" height="8" fill="#34363d"/>`+"\n", svgBar, svgBar-8)
	for i, col := range []string{"#ff5f57", "#febc2e", "#28c840"} {
		fmt.Fprintf(&b, `<circle cx="%d" cy="14" r="6" fill="%s"/>`+"\n", 16+i*20, col)
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="18" fill="#c9cbd1" font-family="sans-serif" font-size="12" text-anchor="middle">%s</text>`+"\n", w/2, html.EscapeString(c.Title))
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

// Draw reads the capture's record in recordDir and draws it.
func (c Capture) Draw(recordDir string) ([]byte, error) {
	r, err := Read(recordDir, c.Script)
	if err != nil {
		return nil, err
	}
	text, err := c.Text(r)
	if err != nil {
		return nil, err
	}
	return c.SVG(text), nil
}

// WriteCaptures redraws every capture from the records in recordDir into
// dir/<name>.svg.
func WriteCaptures(dir, recordDir string, captures []Capture) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, c := range captures {
		svg, err := c.Draw(recordDir)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, c.Name+".svg"), svg, 0o644); err != nil {
			return err
		}
	}
	return nil
}
