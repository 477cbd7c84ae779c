// Command pdf: the full lab as a PDF, as the student hands it in.
//
//	go run ./cmd/pdf [-o out/tp1-docker.pdf]
//
// It builds the site (go tool hugo) into a temporary folder, serves it
// locally, opens the "Le TP complet" page (/exercices/) in headless Chromium
// and prints it to PDF: A4, backgrounds printed, details expanded, page
// numbers in the footer, bookmarks by heading. The site's print style sheet
// (site/assets/css/site.css, @media print) does the layout.
//
// Publishing (GitHub Pages) puts the PDF beside the site:
// go run ./cmd/pdf -o public/tp1-docker.pdf; the home page links to it when
// built with HUGO_PARAMS_PDF=tp1-docker.pdf, as .ci/publish does.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"

	"tpdocker/internal/browser"
)

func main() {
	out := flag.String("o", filepath.Join("out", "tp1-docker.pdf"), "fichier PDF à écrire")
	chromium := flag.String("chromium", browser.Path, "navigateur Chromium à utiliser")
	flag.Parse()
	if err := run(*out, *chromium); err != nil {
		fmt.Fprintln(os.Stderr, "pdf :", err)
		os.Exit(1)
	}
}

func run(out, chromium string) error {
	start := time.Now()
	if _, err := os.Stat(chromium); err != nil {
		return fmt.Errorf("navigateur Chromium introuvable (%s) : apt-get install chromium, ou -chromium CHEMIN", chromium)
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	// The output path is relative to the current folder, not to the repository root.
	if out, err = filepath.Abs(out); err != nil {
		return err
	}

	// 1. The site, built for the address it will be served at.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	base := fmt.Sprintf("http://%s/", ln.Addr())
	dir, err := os.MkdirTemp("", "tp1-pdf-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	hugo := exec.Command("go", "tool", "hugo", "--source", "site", "--destination", dir,
		"--baseURL", base, "--panicOnWarning", "--cleanDestinationDir")
	hugo.Dir = root
	var log bytes.Buffer
	hugo.Stdout, hugo.Stderr = &log, &log
	if err := hugo.Run(); err != nil {
		return fmt.Errorf("construction du site : %v\n%s", err, log.String())
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	// 2. Headless Chromium, no sandbox, no outside connection.
	profile, err := os.MkdirTemp("", "tp1-pdf-chromium-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	bctx, stop, err := browser.Start(chromium, profile)
	if err != nil {
		return err
	}
	defer stop()
	ctx, cancelTimeout := context.WithTimeout(bctx, 2*time.Minute)
	defer cancelTimeout()

	// 3. The full lab page, details expanded (as site.js does before
	// printing) and lazy images loaded.
	page := base + "exercices/"
	err = chromedp.Do(ctx,
		chromedp.Navigate(page),
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("details").forEach(d => { if (!d.closest(".verified, .more-steps")) d.open = true; });
		  `+browser.LoadImages+`.then(() => document.fonts.ready)`, chromedp.EvalAwaitPromise),
	)
	if err != nil {
		return fmt.Errorf("%s : %v", page, err)
	}
	broken, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.images).filter(i => !i.naturalWidth).map(i => i.getAttribute("src"))`))
	if err != nil {
		return err
	}
	if len(broken) > 0 {
		return fmt.Errorf("%s : images non chargées : %v", page, broken)
	}

	// 4. Printing.
	const small = `font-family: system-ui, sans-serif; font-size: 8px; color: #555; width: 100%; margin: 0 15mm;`
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(
		chromedp.PDFPaper(chromedp.PaperA4),
		chromedp.PDFMargins(0.6, 0.55, 0.6, 0.55), // top, right, bottom, left (inches)
		chromedp.PDFPrintBackground(),
		chromedp.PDFOutlineAndTagged(),
		chromedp.PDFHeaderTemplate(`<div style="`+small+` display: flex; justify-content: space-between;">`+
			`<span>Compte rendu du TP 1 Docker</span><span>`+frenchDate(time.Now())+`</span></div>`),
		chromedp.PDFFooterTemplate(`<div style="`+small+` text-align: center;">`+
			`<span class="pageNumber"></span> / <span class="totalPages"></span></div>`),
	))
	if err != nil {
		return fmt.Errorf("impression en PDF : %v", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return errors.New("impression en PDF : Chromium n'a pas rendu un PDF")
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, pdf, 0o644); err != nil {
		return err
	}
	fmt.Printf("%s : %d Ko, en %v\n", out, len(pdf)/1024, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// repoRoot walks up from the current folder to the repository root (site/hugo.toml).
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "site", "hugo.toml")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("site/hugo.toml introuvable : lancez la commande dans le dépôt du TP")
		}
		dir = parent
	}
}

// frenchDate writes the date the French way (26 novembre 2026): the browser's
// own header (class="date") would follow Chromium's language.
func frenchDate(t time.Time) string {
	months := [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
		"août", "septembre", "octobre", "novembre", "décembre"}
	return fmt.Sprintf("%d %s %d", t.Day(), months[t.Month()-1], t.Year())
}
