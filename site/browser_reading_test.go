package site_test

// Reading comfort in a real browser: the search shows the
// words it found, marked, and opens their section; an anchor jump leaves its
// heading below the sticky header; wide outputs (docker ps, compose ps) fit a
// desktop's width; images have their size; program outputs are marked as
// English.

import (
	"fmt"
	"net/url"
	"os"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestBrowserReading(t *testing.T) {
	if _, err := os.Stat(browserPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium introuvable (%s) alors que CI=true", browserPath)
		}
		t.Skipf("Chromium introuvable (%s) : tests du navigateur ignorés", browserPath)
	}
	s := browserStart(t)
	t.Run("recherche-extraits", func(t *testing.T) { browserSearchSnippets(t, s) })
	t.Run("ancres", func(t *testing.T) { browserAnchors(t, s) })
	t.Run("sorties-larges", func(t *testing.T) { browserWideOutputs(t, s) })
	t.Run("images-taille", func(t *testing.T) { browserImageSizes(t, s) })
	t.Run("sorties-en-anglais", func(t *testing.T) { browserOutputsLang(t, s) })
}

// browserFold lowers a text and strips the accents of French letters, as
// the search does.
func browserFold(s string) string {
	return browserAccents.Replace(strings.ToLower(s))
}

var browserAccents = strings.NewReplacer("à", "a", "â", "a", "ä", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ÿ", "y")

// browserSearchSnippets: for « réseau », « volume » and « appi », every
// result's snippet contains the word typed (accents and case aside), with
// each occurrence in a <mark>; every result leads to a heading of its page
// (an anchor that exists), and the first one, opened, shows that heading
// below the sticky header.
func browserSearchSnippets(t *testing.T, s *browserSite) {
	ctx, probs := s.tab(t)
	type result struct {
		Href, Hash, Snippet string
		Marks               []string
	}
	for _, q := range []string{"réseau", "volume", "appi"} {
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(1366, 800),
			chromedp.Navigate(s.root),
			chromedp.Click(chromedp.CSS("#recherche")),
			chromedp.SendKeys(chromedp.CSS("#recherche"), q),
			chromedp.WaitVisible(chromedp.CSS("#resultats a")),
		)
		if err != nil {
			t.Fatalf("recherche « %s » : %v", q, err)
		}
		rs, err := chromedp.Run(ctx, js[[]result](`Array.from(document.querySelectorAll("#resultats a"), a => ({
		  href: a.href, hash: decodeURIComponent(a.hash), snippet: a.querySelector("small").textContent,
		  marks: Array.from(a.querySelectorAll("small mark"), m => m.textContent)}))`))
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 {
			t.Errorf("« %s » : aucun résultat", q)
		}
		want := browserFold(q)
		for i, r := range rs {
			if !strings.Contains(browserFold(r.Snippet), want) {
				t.Errorf("« %s », résultat %d (%s) : l'extrait ne contient pas le mot cherché : %q", q, i+1, r.Href, r.Snippet)
			}
			if len(r.Marks) == 0 {
				t.Errorf("« %s », résultat %d (%s) : aucun <mark> dans l'extrait %q", q, i+1, r.Href, r.Snippet)
			}
			for _, m := range r.Marks {
				if !strings.Contains(browserFold(m), want) {
					t.Errorf("« %s », résultat %d : <mark>%s</mark> ne contient pas le mot cherché", q, i+1, m)
				}
			}
			if r.Hash == "" && strings.HasPrefix(r.Href, s.root+"exercices/") {
				t.Errorf("« %s », résultat %d : %s ouvre le haut de la page d'exercice, pas la section", q, i+1, r.Href)
			}
		}
		for i, r := range rs {
			if r.Hash == "" {
				continue
			}
			// The section exists, is a heading, and holds the word.
			type target struct {
				Heading bool
				Text    string
				Top     float64
				Header  float64
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(r.Href), chromedp.Sleep(100*time.Millisecond)); err != nil {
				t.Fatalf("%s : %v", r.Href, err)
			}
			tg, err := chromedp.Run(ctx, js[target](fmt.Sprintf(`(() => {
			  const h = document.getElementById(%q);
			  if (!h) return {heading: false, text: "", top: 0, header: 0};
			  let text = "", n = h.nextElementSibling;
			  while (n && !/^H[1-3]$/.test(n.tagName)) { text += " " + n.textContent; n = n.nextElementSibling; }
			  return {heading: /^H[2-6]$/.test(h.tagName), text: text, top: h.getBoundingClientRect().top,
			    header: document.querySelector(".site-header").getBoundingClientRect().bottom};
			})()`, strings.TrimPrefix(r.Hash, "#"))))
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case !tg.Heading:
				t.Errorf("« %s », résultat %d : %s ne mène pas à un titre de la page", q, i+1, r.Href)
			case !strings.Contains(browserFold(tg.Text), want):
				t.Errorf("« %s », résultat %d : la section %s ne contient pas le mot cherché", q, i+1, r.Href)
			case i == 0 && tg.Top < tg.Header:
				t.Errorf("« %s » : le premier résultat ouvre %s, dont le titre est sous l'en-tête (haut %.0f px, en-tête jusqu'à %.0f px)", q, r.Href, tg.Top, tg.Header)
			}
		}
		t.Logf("« %s » : %d résultats, le premier : %s : %q", q, len(rs), rs[0].Href, rs[0].Snippet)
	}
	for _, p := range probs.take() {
		t.Error(p)
	}
}

// browserAnchors: on a desktop and on a phone, a jump to each heading of
// exercises 5 and 7 leaves the heading whole below the sticky header.
func browserAnchors(t *testing.T, s *browserSite) {
	ctx, probs := s.tab(t)
	type pos struct {
		Top, Header, ScrollY float64
	}
	checked := 0
	for _, w := range []int64{1366, 390} {
		for _, ex := range []string{"ex5", "ex7"} {
			page := s.url(path.Join("exercices", ex, "index.html"))
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 800), chromedp.Navigate(page)); err != nil {
				t.Fatal(err)
			}
			ids, err := chromedp.Run(ctx, js[[]string](`Array.from(document.querySelectorAll("article h2[id], article h3[id]"), h => h.id)`))
			if err != nil || len(ids) == 0 {
				t.Fatalf("%s : aucun titre avec ancre (%v)", page, err)
			}
			for _, id := range ids {
				// A real anchor jump: the browser follows the link's fragment.
				err := chromedp.Do(ctx, chromedp.Navigate(page+"#"+url.PathEscape(id)), chromedp.Sleep(50*time.Millisecond))
				if err != nil {
					t.Fatal(err)
				}
				p, err := chromedp.Run(ctx, js[pos](fmt.Sprintf(`({top: document.getElementById(%q).getBoundingClientRect().top,
				  header: document.querySelector(".site-header").getBoundingClientRect().bottom, scrollY: scrollY})`, id)))
				if err != nil {
					t.Fatal(err)
				}
				checked++
				if p.ScrollY > 0 && p.Top < p.Header {
					t.Errorf("%s à %d px : après un saut à #%s, le titre commence à %.0f px, sous l'en-tête collant (jusqu'à %.0f px)", ex, w, id, p.Top, p.Header)
				}
			}
		}
	}
	t.Logf("%d sauts d'ancre vérifiés à 1366 et 390 px", checked)
	for _, p := range probs.take() {
		t.Error(p)
	}
}

// browserWideOutputs: at 1366 px, the outputs of docker ps -a (exercise 1),
// docker ps (exercise 4) and docker compose ps (exercise 5) show every
// column without scrolling sideways. The outputs that still scroll are
// counted, page by page.
func browserWideOutputs(t *testing.T, s *browserSite) {
	ctx, probs := s.tab(t)
	type block struct {
		Cmd                      string
		ScrollWidth, ClientWidth float64
		Visible                  bool
	}
	want := map[string][]string{
		"ex1": {"docker ps -a"},
		"ex4": {"docker ps"},
		"ex5": {"docker compose ps"},
	}
	for _, ex := range siteExercises {
		page := path.Join("exercices", ex, "index.html")
		err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 800), chromedp.Navigate(s.url(page)),
			jsDo(`document.querySelectorAll("details").forEach(d => d.open = true)`), chromedp.Sleep(50*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		bs, err := chromedp.Run(ctx, js[[]block](`Array.from(document.querySelectorAll("pre.out.stdout, pre.out.tty, pre.out.stderr"), o => ({
		  cmd: o.closest(".run").querySelector(".cmd code").textContent.replace(/^\$ /, ""),
		  scrollWidth: o.scrollWidth, clientWidth: o.clientWidth, visible: o.offsetParent !== null}))`))
		if err != nil {
			t.Fatal(err)
		}
		scrolling, found := 0, map[string]int{}
		for _, b := range bs {
			over := b.ScrollWidth > b.ClientWidth+1
			if over {
				scrolling++
			}
			for _, c := range want[ex] {
				if b.Cmd != c || !b.Visible {
					continue
				}
				found[c]++
				if over {
					t.Errorf("%s à 1366 px : la sortie de « %s » défile de côté (%.0f px de contenu pour %.0f px de large) : des colonnes sont cachées", ex, c, b.ScrollWidth, b.ClientWidth)
				}
			}
		}
		for _, c := range want[ex] {
			if found[c] == 0 {
				t.Errorf("%s : aucune sortie de « %s » sur la page", ex, c)
			}
		}
		t.Logf("%s à 1366 px : %d sorties sur %d défilent de côté", ex, scrolling, len(bs))
	}
	for _, p := range probs.take() {
		t.Error(p)
	}
}

// browserImageSizes: every <img> of the exercises carries width and height
// (no shift of the page while it loads) in the proportions of the image,
// and every screenshot is a link to its own file, to open it full size.
func browserImageSizes(t *testing.T, s *browserSite) {
	ctx, probs := s.tab(t)
	type img struct {
		Src, Width, Height, Link string
		NW, NH                   float64
	}
	total := 0
	for _, ex := range siteExercises {
		page := path.Join("exercices", ex, "index.html")
		if err := chromedp.Do(ctx, chromedp.Navigate(s.url(page)), browserSettle()); err != nil {
			t.Fatal(err)
		}
		imgs, err := chromedp.Run(ctx, js[[]img](`Array.from(document.images, i => ({src: i.src,
		  width: i.getAttribute("width") || "", height: i.getAttribute("height") || "",
		  link: i.closest("a") ? i.closest("a").href : "", nw: i.naturalWidth, nh: i.naturalHeight}))`))
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range imgs {
			total++
			var w, h float64
			if _, err := fmt.Sscan(i.Width, &w); err != nil || w <= 0 {
				t.Errorf("%s : image %s sans attribut width (%q)", ex, i.Src, i.Width)
				continue
			}
			if _, err := fmt.Sscan(i.Height, &h); err != nil || h <= 0 {
				t.Errorf("%s : image %s sans attribut height (%q)", ex, i.Src, i.Height)
				continue
			}
			if i.NW > 0 && i.NH > 0 {
				if r, nr := w/h, i.NW/i.NH; r/nr > 1.01 || nr/r > 1.01 {
					t.Errorf("%s : image %s : width/height %v×%v, mais l'image fait %v×%v", ex, i.Src, w, h, i.NW, i.NH)
				}
			}
			if i.Link != i.Src {
				t.Errorf("%s : la capture %s ne s'ouvre pas en grand (lien %q)", ex, i.Src, i.Link)
			}
		}
	}
	if total == 0 {
		t.Error("aucune image dans les exercices")
	}
	t.Logf("%d images avec largeur, hauteur et lien vers le fichier", total)
	for _, p := range probs.take() {
		t.Error(p)
	}
}

// browserOutputsLang: every program output (terminal, stdout, stderr, input)
// is in English for the browser and screen readers (lang="en"), on a page
// in French.
func browserOutputsLang(t *testing.T, s *browserSite) {
	ctx, probs := s.tab(t)
	type outs struct {
		Page  string
		Total int
		NotEn []string
	}
	total := 0
	for _, ex := range siteExercises {
		page := path.Join("exercices", ex, "index.html")
		if err := chromedp.Do(ctx, chromedp.Navigate(s.url(page))); err != nil {
			t.Fatal(err)
		}
		o, err := chromedp.Run(ctx, js[outs](`(() => { const all = document.querySelectorAll("pre.out");
		  return {page: document.documentElement.lang, total: all.length,
		    notEn: Array.from(all).filter(o => o.closest("[lang]").lang !== "en").map(o => o.className + " : " + o.textContent.slice(0, 60))}; })()`))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(o.Page, "fr") {
			t.Errorf("%s : page en %q, attendu fr", ex, o.Page)
		}
		for _, n := range o.NotEn {
			t.Errorf("%s : sortie de programme sans lang=\"en\" : %s", ex, n)
		}
		total += o.Total
	}
	if total == 0 {
		t.Error("aucune sortie dans les exercices")
	}
	t.Logf("%d sorties vérifiées", total)
	for _, p := range probs.take() {
		t.Error(p)
	}
}
