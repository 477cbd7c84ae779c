package site_test

// Tests of the site in a real browser: headless Chromium, driven by chromedp.
// The site is built (siteBuild) under a GitHub Pages project base path and
// served locally; the tests load the pages as a reader does: requests and
// console without errors, Content Security Policy present and never
// violated, copy buttons, dark theme, search, images, accessibility
// (axe-core) and screenshots in out/screenshots/. They need no Docker and also
// run with -short.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	chromium "tpdocker/internal/browser"
	"tpdocker/internal/htmltest"
)

// browserPath is the Chromium of the Debian "chromium" package (installed by .ci/run).
const browserPath = chromium.Path

// browserBase is the base path the site is served under, as on GitHub Pages.
const browserBase = "/tp-docker/"

// browserSite is the built and served site, and the browser the subtests share.
type browserSite struct {
	root  string          // http://127.0.0.1:PORT/tp-docker/
	pages []string        // built HTML pages, relative (index.html, exercices/ex1/index.html…)
	ctx   context.Context // browser
}

func TestBrowser(t *testing.T) {
	if _, err := os.Stat(browserPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium introuvable (%s) alors que CI=true : .ci/run doit installer le paquet chromium", browserPath)
		}
		t.Skipf("Chromium introuvable (%s) : tests du navigateur ignorés (apt-get install chromium pour les lancer)", browserPath)
	}
	start := time.Now()
	s := browserStart(t)
	t.Logf("site construit et Chromium lancé en %v", time.Since(start).Round(time.Millisecond))

	t.Run("pages", func(t *testing.T) { browserPages(t, s) })
	t.Run("csp", func(t *testing.T) { browserCSPProbe(t, s) })
	t.Run("images", func(t *testing.T) { browserImages(t, s) })
	t.Run("copie", func(t *testing.T) { browserCopy(t, s) })
	t.Run("theme", func(t *testing.T) { browserTheme(t, s) })
	t.Run("recherche", func(t *testing.T) { browserSearch(t, s) })
	t.Run("accessibilite", func(t *testing.T) { browserAxe(t, s) })
	t.Run("largeur-360", func(t *testing.T) { browserNarrow(t, s) })
	t.Run("captures", func(t *testing.T) { browserScreenshots(t, s) })
	t.Run("pdf", browserPDF)
}

// browserStart picks a port, builds the site for that port under browserBase,
// serves it, and starts Chromium (a single process for all the subtests).
func browserStart(t *testing.T) *browserSite {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	root := fmt.Sprintf("http://%s%s", ln.Addr(), browserBase)
	// With a verification history of 30 runs, four of them failed
	// (history_site_test.go): the history page, the home page's summary,
	// each exercise's last runs and each command's time are on the pages.
	data, _ := historyFixture(t, 30, browserHistoryFails)
	dir := htmltest.Build(t, ".", root, data)
	mux := http.NewServeMux()
	mux.Handle(browserBase, http.StripPrefix(strings.TrimSuffix(browserBase, "/"), http.FileServer(http.Dir(dir))))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	s := &browserSite{root: root}
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".html") {
			rel, _ := filepath.Rel(dir, p)
			s.pages = append(s.pages, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(s.pages)

	// Chromium as internal/browser starts it, for screenshots: no
	// scrollbars, a desktop window.
	ctx, stop, err := chromium.Start(browserPath, t.TempDir(),
		chromedp.Flag("hide-scrollbars", true), chromedp.WindowSize(1280, 800))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	s.ctx = ctx
	return s
}

// url returns the served address of a built page (exercices/ex1/index.html → …/exercices/ex1/).
func (s *browserSite) url(page string) string {
	return s.root + strings.TrimSuffix(page, "index.html")
}

// tab opens a new tab of the shared browser, closed at the end of the subtest,
// and records its failed requests, error responses, console errors,
// exceptions and Content Security Policy violations. The returned context
// limits the subtest to one minute. A CSP violation is never lost: one the
// subtest has not taken (see take) fails it when the tab closes.
func (s *browserSite) tab(t *testing.T) (context.Context, *browserProblems) {
	t.Helper()
	tctx, cancel := chromedp.NewContext(s.ctx)
	if err := chromedp.Do(tctx); err != nil {
		cancel()
		t.Fatalf("nouvel onglet : %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(tctx, 5*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	p := &browserProblems{root: s.root, urls: map[network.RequestID]string{}}
	if err := chromedp.Listen(tctx, p.listen); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, runtime.Enable, cdp.Empty{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, cdplog.Enable, cdp.Empty{}); err != nil {
			return err
		}
		// Every document of the tab reports its securitypolicyviolation
		// events through a binding, from an isolated world the page's own
		// scripts cannot see, installed before the page is parsed.
		if _, err := cdp.Call(ctx, tg, runtime.AddBinding, runtime.AddBindingParams{
			Name: browserCSPBinding, ExecutionContextName: browserCSPWorld}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: browserCSPListener, WorldName: browserCSPWorld})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Lets the last events through, then fails on the violations left.
		time.Sleep(50 * time.Millisecond)
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, v := range p.csp {
			t.Error(v)
		}
	})
	return ctx, p
}

// browserCSPBinding and browserCSPWorld name the binding and the isolated
// world through which the pages report their CSP violations.
const (
	browserCSPBinding = "tpViolationCSP"
	browserCSPWorld   = "tp-csp"
)

// browserCSPListener runs in every document before its own scripts: it passes
// each securitypolicyviolation event (fired on the element or document that
// was blocked, and bubbling to window) to the binding.
const browserCSPListener = `addEventListener("securitypolicyviolation", e => {
  ` + browserCSPBinding + `(JSON.stringify({document: e.documentURI, directive: e.effectiveDirective,
    blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber, column: e.columnNumber, sample: e.sample}));
}, true);`

// browserCSPViolation is the payload sent by browserCSPListener.
type browserCSPViolation struct {
	Document, Directive, Blocked, Source, Sample string
	Line, Column                                 int
}

// describe tells the violation in French: the page, what was blocked, by
// which directive, and where.
func (v browserCSPViolation) describe(root string) string {
	what := "la ressource " + v.Blocked
	if v.Blocked == "inline" {
		what = map[string]string{
			"script-src-elem": "un <script> en ligne",
			"script-src-attr": "un gestionnaire d'événement en ligne (attribut on…=)",
			"style-src-elem":  "un bloc <style> en ligne",
			"style-src-attr":  "un attribut style= en ligne",
		}[v.Directive]
		if what == "" {
			what = "du code en ligne"
		}
	} else if v.Blocked == "eval" {
		what = "un appel à eval()"
	}
	if v.Sample != "" {
		what += fmt.Sprintf(" (« %s »)", v.Sample)
	}
	where := ""
	if v.Source != "" {
		where = fmt.Sprintf(", dans %s ligne %d colonne %d", browserRel(root, v.Source), v.Line, v.Column)
	}
	return fmt.Sprintf("violation de la politique de sécurité (CSP) sur la page %s : la directive %s bloque %s%s",
		browserRel(root, v.Document), v.Directive, what, where)
}

// browserRel shortens an address of the served site to its path under the
// site's root (index.html for the root itself).
func browserRel(root, u string) string {
	r, ok := strings.CutPrefix(u, root)
	if !ok {
		return u
	}
	if r == "" || strings.HasSuffix(r, "/") {
		r += "index.html"
	}
	return r
}

// browserProblems collects what went wrong in a tab. CSP violations are also
// kept apart (csp) until taken.
type browserProblems struct {
	root string
	mu   sync.Mutex
	urls map[network.RequestID]string
	list []string
	csp  []string
}

func (p *browserProblems) add(format string, args ...any) {
	p.mu.Lock()
	p.list = append(p.list, fmt.Sprintf(format, args...))
	p.mu.Unlock()
}

// addCSP records a CSP violation or a browser message about the policy.
func (p *browserProblems) addCSP(msg string) {
	p.mu.Lock()
	p.list = append(p.list, msg)
	p.csp = append(p.csp, msg)
	p.mu.Unlock()
}

// browserAboutCSP tells whether a browser message is about the Content
// Security Policy (a blocked resource, a directive ignored or not understood).
func browserAboutCSP(msg string) bool {
	return strings.Contains(msg, "Content Security Policy") || strings.Contains(msg, "Content-Security-Policy")
}

// listen is called for every event of the tab: it must return quickly.
func (p *browserProblems) listen(ev any) {
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		p.mu.Lock()
		p.urls[ev.RequestID] = ev.Request.URL
		p.mu.Unlock()
	case *network.EventResponseReceived:
		if ev.Response.Status >= 400 {
			p.add("réponse %d pour %s", ev.Response.Status, ev.Response.URL)
		}
	case *network.EventLoadingFailed:
		p.mu.Lock()
		u := p.urls[ev.RequestID]
		p.mu.Unlock()
		reason := ev.ErrorText
		if ev.BlockedReason != "" {
			reason += ", bloquée : " + string(ev.BlockedReason)
		}
		p.add("requête échouée (%s) : %s", reason, u)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				if a.Value != nil {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			msg := fmt.Sprintf("console.%s : %s", ev.Type, strings.Join(args, " "))
			if browserAboutCSP(msg) {
				p.addCSP("politique de sécurité (CSP), message de la " + msg)
			} else {
				p.add("%s", msg)
			}
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg = d.Exception.Description
		}
		p.add("exception non rattrapée : %s (%s:%d)", msg, d.URL, d.LineNumber+1)
	case *cdplog.EventEntryAdded:
		if browserAboutCSP(ev.Entry.Text) {
			// Whatever its level: a directive the browser ignores is a policy that does not hold.
			where := ""
			if ev.Entry.URL != "" {
				where = " sur " + browserRel(p.root, ev.Entry.URL)
			}
			p.addCSP(fmt.Sprintf("politique de sécurité (CSP), message du navigateur (%s)%s : %s", ev.Entry.Level, where, ev.Entry.Text))
		} else if ev.Entry.Level == cdplog.EntryLevelError {
			p.add("journal du navigateur (%s) : %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		}
	case *runtime.EventBindingCalled:
		if ev.Name != browserCSPBinding {
			return
		}
		var v browserCSPViolation
		if err := json.Unmarshal([]byte(ev.Payload), &v); err != nil {
			p.addCSP(fmt.Sprintf("violation de la politique de sécurité (CSP) illisible : %v : %s", err, ev.Payload))
			return
		}
		p.addCSP(v.describe(p.root))
	}
}

// take returns the problems recorded since the last call and forgets them
// (the CSP violations among them included).
func (p *browserProblems) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.list
	p.list, p.csp = nil, nil
	return l
}

// js evaluates a JavaScript expression in the page (awaiting the promise it
// returns, if any) and decodes its result.
func js[T any](expr string) chromedp.Action[T] {
	return chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise)
}

// jsDo evaluates a JavaScript expression whose result is ignored.
func jsDo(expr string) chromedp.Action[chromedp.Void] {
	return js[chromedp.Void](expr)
}

// browserSettle forces lazy images (loading="lazy") to load, waits until
// they are loaded or have failed, then lets the page's last messages
// through.
func browserSettle() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		jsDo(chromium.LoadImages),
		chromedp.Sleep(50*time.Millisecond),
	)
}

// browserPages: every built page loads without a failed request, an error
// response, a console error, an exception or a CSP violation, and carries the
// Content Security Policy (siteCSP) in a <meta> of its <head> that comes
// before anything it loads.
func browserPages(t *testing.T, s *browserSite) {
	ctx, probs := s.tab(t)
	type meta struct {
		Count   int
		Content string
		InHead  bool
		Before  []string // elements that load something before the policy applies
	}
	for _, page := range s.pages {
		if err := chromedp.Do(ctx, chromedp.Navigate(s.url(page)), browserSettle()); err != nil {
			t.Errorf("%s : %v", page, err)
			continue
		}
		if title, err := chromedp.Run(ctx, chromedp.Title()); err != nil || title == "" {
			t.Errorf("%s : page sans titre (%v)", page, err)
		}
		m, err := chromedp.Run(ctx, js[meta](`(() => {
		  const all = document.querySelectorAll('meta[http-equiv="Content-Security-Policy" i]'), m = all[0];
		  return {count: all.length, content: m ? m.content : "", inHead: !!m && m.parentElement === document.head,
		    before: m ? Array.from(document.querySelectorAll("script, link, style, img, iframe, object"))
		      .filter(e => m.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_PRECEDING)
		      .map(e => e.outerHTML.slice(0, 100)) : []};
		})()`))
		switch {
		case err != nil:
			t.Errorf("%s : lecture de la balise meta CSP : %v", page, err)
		case m.Count != 1:
			t.Errorf("%s : %d balise(s) <meta http-equiv=\"Content-Security-Policy\">, attendu exactement 1", page, m.Count)
		case m.Content != siteCSP:
			t.Errorf("%s : politique de sécurité (CSP) %q, attendu %q", page, m.Content, siteCSP)
		case !m.InHead:
			t.Errorf("%s : la balise meta CSP est hors de <head> : le navigateur l'ignore", page)
		case len(m.Before) > 0:
			t.Errorf("%s : la balise meta CSP vient après %s : ces éléments échappent à la politique", page, strings.Join(m.Before, ", "))
		}
		for _, p := range probs.take() {
			t.Errorf("%s : %s", page, p)
		}
	}
	t.Logf("%d pages chargées, toutes avec la politique de sécurité %q et sans violation : %s",
		len(s.pages), siteCSP, strings.Join(s.pages, " "))
}

// browserCSPProbe proves that the policy is enforced and that its violations
// are seen: on an exercise page, an inline script, an inline event handler, a
// style attribute and a request to another origin (a closed local port: the
// probe never leaves the machine, even unblocked) are each blocked by the
// browser and reported as a violation of the expected directive. Without
// this, a silent detector would let every page pass.
func browserCSPProbe(t *testing.T, s *browserSite) {
	ctx, probs := s.tab(t)
	page := "exercices/ex6/index.html"
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url(page)), browserSettle()); err != nil {
		t.Fatalf("%s : %v", page, err)
	}
	for _, p := range probs.take() {
		t.Errorf("%s, avant la sonde : %s", page, p)
	}
	type result struct{ Script, Handler, Style, Fetch bool }
	r, err := chromedp.Run(ctx, js[result](`(async () => {
	  const s = document.createElement("script");
	  s.textContent = "window.tpSondeScript = true";
	  document.head.append(s);
	  const d = document.createElement("div");
	  d.setAttribute("onclick", "window.tpSondeGestionnaire = true");
	  d.setAttribute("style", "outline-color: rgb(1, 2, 3)");
	  document.body.append(d);
	  d.click();
	  let fetched = true;
	  try { await fetch("http://127.0.0.1:9/sonde.json"); } catch (e) { fetched = false; }
	  const res = {script: window.tpSondeScript === true, handler: window.tpSondeGestionnaire === true,
	    style: getComputedStyle(d).outlineColor === "rgb(1, 2, 3)", fetch: fetched};
	  d.remove(); s.remove();
	  return res;
	})()`))
	if err != nil {
		t.Fatalf("%s : sonde : %v", page, err)
	}
	for _, c := range []struct {
		what string
		ran  bool
	}{
		{"le <script> en ligne", r.Script},
		{"le gestionnaire onclick=", r.Handler},
		{"l'attribut style=", r.Style},
		{"la requête vers une autre origine", r.Fetch},
	} {
		if c.ran {
			t.Errorf("%s : la politique de sécurité n'est pas appliquée, rien n'a bloqué %s", page, c.what)
		}
	}
	chromedp.Do(ctx, chromedp.Sleep(100*time.Millisecond))
	got := strings.Join(probs.take(), "\n")
	for _, directive := range []string{"script-src-elem", "script-src-attr", "style-src-attr", "connect-src"} {
		if !strings.Contains(got, "la directive "+directive+" bloque") {
			t.Errorf("%s : la sonde enfreint la directive %s mais aucune violation n'a été relevée ; relevé :\n%s", page, directive, got)
		}
	}
	if !t.Failed() {
		t.Logf("sonde sur %s, violations relevées comme attendu :\n%s", page, got)
	}
}

// browserImages: every <img> of every page is loaded (naturalWidth > 0)
// and takes up a non-empty box.
func browserImages(t *testing.T, s *browserSite) {
	ctx, _ := s.tab(t)
	type img struct {
		Src     string
		Natural float64
		W, H    float64
	}
	total := 0
	for _, page := range s.pages {
		if err := chromedp.Do(ctx, chromedp.Navigate(s.url(page)), browserSettle()); err != nil {
			t.Errorf("%s : %v", page, err)
			continue
		}
		imgs, err := chromedp.Run(ctx, js[[]img](`Array.from(document.images, img => {
		  const r = img.getBoundingClientRect();
		  return {src: img.getAttribute("src"), natural: img.naturalWidth, w: r.width, h: r.height}; })`))
		if err != nil {
			t.Errorf("%s : %v", page, err)
			continue
		}
		for _, img := range imgs {
			total++
			if img.Natural <= 0 {
				t.Errorf("%s : image %s non chargée (naturalWidth = 0)", page, img.Src)
			}
			if img.W <= 0 || img.H <= 0 {
				t.Errorf("%s : image %s invisible (boîte %.0f × %.0f)", page, img.Src, img.W, img.H)
			}
		}
	}
	if total == 0 {
		t.Error("aucune image dans le site : les captures ont disparu ?")
	}
	t.Logf("%d images chargées et visibles", total)
}

// copyPlaceholder is a value to put in, as the page shows it (<name>).
var copyPlaceholder = regexp.MustCompile(`<[A-Za-z0-9_]+>`)

// browserCopy: the button of a command block copies exactly the command
// (without the "$" prompt, without the output); the one of a lab file copies
// the file as it is in the repository. The clipboard is the real one: the
// permission is granted to the site's origin, then it is read back.
func browserCopy(t *testing.T, s *browserSite) {
	ctx, probs := s.tab(t)
	origin := strings.TrimSuffix(s.root, browserBase)
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		_, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true},
			Setting:    browser.PermissionSettingGranted,
			Origin:     origin,
		})
		if err != nil {
			t.Fatalf("permission %s : %v", name, err)
		}
	}
	// copy clicks the button (a real mouse click), waits for "Copié" and reads the clipboard back.
	copy := func(sel string) (string, error) {
		err := chromedp.Do(ctx,
			jsDo(`navigator.clipboard.writeText("(presse-papiers vide)")`),
			chromedp.ScrollIntoView(chromedp.CSS(sel)),
			chromedp.Click(chromedp.CSS(sel)),
			chromedp.WaitVisible(chromedp.CSS(sel+".done")),
		)
		if err != nil {
			return "", err
		}
		return chromedp.Run(ctx, js[string](`navigator.clipboard.readText()`))
	}

	// Every command of every exercise, including those of the "Vérifié" boxes
	// and of the additional checks (details opened).
	type cmd struct{ Shown, Copy string }
	total := 0
	for _, ex := range siteExercises {
		page := path.Join("exercices", ex, "index.html")
		if err := chromedp.Do(ctx, chromedp.Navigate(s.url(page)),
			jsDo(`document.querySelectorAll("details").forEach(d => d.open = true);
			  document.querySelectorAll(".run > .cmd > .copy").forEach((b, i) => b.id = "copie-" + i)`)); err != nil {
			t.Fatal(err)
		}
		cmds, err := chromedp.Run(ctx, js[[]cmd](`Array.from(document.querySelectorAll(".run > .cmd"), c => ({
		  shown: c.querySelector("pre code").innerText, copy: c.querySelector(".copy").dataset.copy }))`))
		if err != nil {
			t.Fatal(err)
		}
		if len(cmds) == 0 {
			t.Errorf("%s : aucun bloc de commande", page)
		}
		for i, c := range cmds {
			got, err := copy(fmt.Sprintf("#copie-%d", i))
			if err != nil {
				t.Fatalf("%s, commande %d (%s) : %v", page, i+1, c.Shown, err)
			}
			want, ok := strings.CutPrefix(c.Shown, "$ ")
			// A value to put in, written <name> on the page, is copied as
			// NAME: a shell would read <name> as a redirection.
			want = copyPlaceholder.ReplaceAllStringFunc(want, func(m string) string {
				return strings.ToUpper(strings.Trim(m, "<>"))
			})
			if !ok {
				t.Errorf("%s : la commande affichée %q ne commence pas par l'invite « $ »", page, c.Shown)
			}
			if got != want || got != c.Copy {
				t.Errorf("%s, commande %d : copié %q, attendu %q (affiché %q)", page, i+1, got, want, c.Shown)
			}
			if strings.HasPrefix(got, "$") {
				t.Errorf("%s, commande %d : la copie contient l'invite : %q", page, i+1, got)
			}
		}
		total += len(cmds)
		for _, p := range probs.take() {
			t.Errorf("%s : %s", page, p)
		}
	}
	t.Logf("%d boutons de commande vérifiés (copie = commande affichée, sans invite ni sortie, <valeur> copiée VALEUR)", total)

	// The api/app.py file, copied from its box, is the repository's.
	page := "exercices/ex3/index.html"
	want, err := os.ReadFile(filepath.Join(repoRoot, "api", "app.py"))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url(page)), jsDo(`(() => {
	  const f = Array.from(document.querySelectorAll("figure.file")).find(f => f.querySelector(".file-name").textContent === "api/app.py");
	  if (!f) throw new Error("pas d'encadré api/app.py");
	  f.querySelector(".copy").id = "copie-app";
	})()`)); err != nil {
		t.Fatalf("%s : %v", page, err)
	}
	got, err := copy("#copie-app")
	if err != nil {
		t.Fatalf("%s, copie de api/app.py : %v", page, err)
	}
	if got != strings.TrimSuffix(string(want), "\n") {
		t.Errorf("%s : la copie de api/app.py diffère du fichier du dépôt :\n%s", page, got)
	}
	for _, p := range probs.take() {
		t.Errorf("%s : %s", page, p)
	}
}

// browserTheme: the theme button sets data-theme on <html>, changes the
// computed background colour, and the choice survives a reload; printing
// stays light.
func browserTheme(t *testing.T, s *browserSite) {
	ctx, probs := s.tab(t)
	type state struct{ Theme, Bg string }
	read := js[state](`({theme: document.documentElement.dataset.theme || "", bg: getComputedStyle(document.body).backgroundColor})`)
	step := func(actions ...chromedp.Action[chromedp.Void]) state {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatal(err)
		}
		st, err := chromedp.Run(ctx, read)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	toggle := chromedp.Click(chromedp.CSS(".theme-toggle"))
	before := step(chromedp.Navigate(s.url("exercices/ex1/index.html")), jsDo(`localStorage.removeItem("theme")`), chromedp.Reload())
	after := step(toggle)
	reloaded := step(chromedp.Reload())
	// On paper, always light, even with the dark theme chosen.
	media := func(m string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return err
		})
	}
	printed := step(media("print"))
	step(media(""))
	back := step(toggle)
	chromedp.Do(ctx, jsDo(`localStorage.removeItem("theme")`))
	t.Logf("avant %+v, après le clic %+v, après rechargement %+v, imprimé %+v, second clic %+v", before, after, reloaded, printed, back)
	if before.Theme != "" || before.Bg != "rgb(255, 255, 255)" {
		t.Errorf("thème initial (système clair) : %+v, attendu un fond blanc sans data-theme", before)
	}
	if after.Theme != "dark" || after.Bg == before.Bg {
		t.Errorf("après le clic : %+v, attendu data-theme=\"dark\" et un autre fond que %s", after, before.Bg)
	}
	if reloaded != after {
		t.Errorf("après rechargement : %+v, attendu le thème choisi %+v", reloaded, after)
	}
	if printed.Bg != "rgb(255, 255, 255)" {
		t.Errorf("impression avec le thème sombre choisi : fond %s, attendu blanc", printed.Bg)
	}
	if back.Theme != "light" || back.Bg != before.Bg {
		t.Errorf("second clic : %+v, attendu data-theme=\"light\" et le fond %s", back, before.Bg)
	}
	for _, p := range probs.take() {
		t.Error(p)
	}
}

// browserSearch: "conteneur" typed into the search shows results that lead
// to the exercise pages, and the first one opens, by a click or by Enter.
func browserSearch(t *testing.T, s *browserSite) {
	ctx, probs := s.tab(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.root),
		chromedp.Click(chromedp.CSS("#recherche")),
		chromedp.SendKeys(chromedp.CSS("#recherche"), "conteneur"),
		chromedp.WaitVisible(chromedp.CSS("#resultats a")),
	)
	if err != nil {
		t.Fatal(err)
	}
	hrefs, err := chromedp.Run(ctx, js[[]string](`Array.from(document.querySelectorAll("#resultats a"), a => a.href)`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d résultats : %s", len(hrefs), strings.Join(hrefs, " "))
	if len(hrefs) == 0 {
		t.Fatal("aucun résultat pour « conteneur »")
	}
	for _, h := range hrefs {
		if !strings.HasPrefix(h, s.root+"exercices/ex") {
			t.Errorf("résultat %s : attendu une page d'exercice sous %sexercices/", h, s.root)
		}
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#resultats a")),
		chromedp.WaitVisible(chromedp.CSS("article.exercise h1")),
	)
	if err != nil {
		t.Fatalf("ouverture du premier résultat : %v", err)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || loc != hrefs[0] {
		t.Errorf("le premier résultat ouvre %s (%v), attendu %s", loc, err, hrefs[0])
	}
	// Enter opens the first result too, and the form is not submitted
	// (site.js prevents it; the CSP's form-action 'none' would report it).
	err = chromedp.Do(ctx,
		chromedp.Navigate(s.root),
		chromedp.Click(chromedp.CSS("#recherche")),
		chromedp.SendKeys(chromedp.CSS("#recherche"), "conteneur"),
		chromedp.WaitVisible(chromedp.CSS("#resultats a")),
		chromedp.SendKeys(chromedp.CSS("#recherche"), kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("article.exercise h1")),
		chromedp.Sleep(50*time.Millisecond),
	)
	if err != nil {
		t.Fatalf("Entrée dans la recherche : %v", err)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || loc != hrefs[0] {
		t.Errorf("Entrée dans la recherche ouvre %s (%v), attendu le premier résultat %s", loc, err, hrefs[0])
	}
	for _, p := range probs.take() {
		t.Error(p)
	}
}

// browserAxeViolation is a violation reported by axe-core.
type browserAxeViolation struct {
	ID, Impact, Help string
	Nodes            []struct {
		Target  []any
		Summary string
	}
}

// browserAxe: axe-core (tools/node_modules, installed by npm ci --prefix tools)
// finds no "serious" or "critical" violation on the home page, the full lab
// and each exercise, in the light theme then in the dark theme.
func browserAxe(t *testing.T, s *browserSite) {
	src, err := os.ReadFile(filepath.Join(repoRoot, "tools", "node_modules", "axe-core", "axe.min.js"))
	if errors.Is(err, os.ErrNotExist) && os.Getenv("CI") != "true" {
		t.Skip("axe-core absent : lancez npm ci --prefix tools pour le test d'accessibilité")
	}
	if err != nil {
		t.Fatalf("axe-core : %v (npm ci --prefix tools)", err)
	}
	ctx, _ := s.tab(t)
	pages := []string{"index.html", "exercices/index.html", "historique/index.html"}
	for _, ex := range siteExercises {
		pages = append(pages, path.Join("exercices", ex, "index.html"))
	}
	defer chromedp.Do(ctx, jsDo(`localStorage.removeItem("theme")`))
	tolerated := 0
	for _, theme := range []string{"light", "dark"} {
		for _, page := range pages {
			err := chromedp.Do(ctx,
				chromedp.Navigate(s.url(page)),
				jsDo(fmt.Sprintf(`localStorage.setItem("theme", %q); document.documentElement.dataset.theme = %[1]q`, theme)),
				browserSettle(),
				jsDo(string(src)+"\n;0"),
			)
			if err != nil {
				t.Errorf("%s (thème %s) : %v", page, theme, err)
				continue
			}
			vs, err := chromedp.Run(ctx, js[[]browserAxeViolation](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
			  r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
			    nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))})))`))
			if err != nil {
				t.Errorf("%s (thème %s) : axe.run : %v", page, theme, err)
				continue
			}
			for _, v := range vs {
				if v.Impact != "serious" && v.Impact != "critical" {
					tolerated++
					t.Logf("%s (thème %s) : %s [%s] %s (%d éléments), toléré", page, theme, v.ID, v.Impact, v.Help, len(v.Nodes))
					continue
				}
				var b strings.Builder
				for i, n := range v.Nodes {
					if i == 5 {
						fmt.Fprintf(&b, "\n    … et %d autres", len(v.Nodes)-5)
						break
					}
					tg, _ := json.Marshal(n.Target)
					fmt.Fprintf(&b, "\n    %s : %s", tg, strings.ReplaceAll(n.Summary, "\n", " "))
				}
				t.Errorf("%s (thème %s) : %s [%s] %s%s", page, theme, v.ID, v.Impact, v.Help, b.String())
			}
		}
	}
	t.Logf("axe-core : %d pages × 2 thèmes, %d violation(s) mineure(s) tolérée(s)", len(pages), tolerated)
}

// browserScreenshots writes full-page screenshots of the home page and of
// exercise 6, at desktop (1280 px) and phone (390 px) widths, into
// out/screenshots/ (ignored by git): to look at, not to compare.
func browserScreenshots(t *testing.T, s *browserSite) {
	ctx, _ := s.tab(t)
	out := filepath.Join(repoRoot, "out", "screenshots")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, shot := range []struct{ name, page string }{
		{"home", "index.html"},
		{"ex6", "exercices/ex6/index.html"},
		{"historique", "historique/index.html"},
	} {
		for _, w := range []int64{1280, 390, 360} {
			h := map[bool]int64{true: 844, false: 800}[w < 500]
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(w, h),
				chromedp.Navigate(s.url(shot.page)),
				browserSettle(),
			)
			if err != nil {
				t.Errorf("%s à %d px : %v", shot.page, w, err)
				continue
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Errorf("%s à %d px : %v", shot.page, w, err)
				continue
			}
			f := filepath.Join(out, fmt.Sprintf("%s-%d.png", shot.name, w))
			if err := os.WriteFile(f, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s (%d Ko)", f, len(png)/1024)
		}
	}
}

// browserPDF: go run ./cmd/pdf produces the PDF of the full lab (A4), with at
// least one page per exercise (each exercise starts a page).
func browserPDF(t *testing.T) {
	out := filepath.Join(t.TempDir(), "tp1-docker.pdf")
	cmd := exec.Command("go", "run", "./cmd/pdf", "-o", out)
	cmd.Dir = repoRoot
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./cmd/pdf : %v\n%s", err, b)
	}
	pdf, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("%s n'est pas un PDF", out)
	}
	pages := len(regexp.MustCompile(`/Type\s*/Page\b`).FindAll(pdf, -1))
	if pages < len(siteExercises) {
		t.Errorf("PDF de %d pages, au moins %d attendues (une par exercice)", pages, len(siteExercises))
	}
	if !strings.Contains(string(pdf), "/MediaBox [0 0 595") {
		t.Errorf("PDF : pages non A4 (MediaBox 595 × 842 pt attendue)")
	}
	t.Logf("PDF : %d pages, %d Ko", pages, len(pdf)/1024)
}
