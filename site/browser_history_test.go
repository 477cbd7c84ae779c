package site_test

// The history page in the browser: a history of 30 runs read on a phone
// (360 px), without horizontal scrolling.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// browserHistoryFails are the failed runs of the browser tests' history.
var browserHistoryFails = map[int]bool{4: true, 11: true, 23: true, 27: true}

// browserNarrow: at 360 px, a small phone, the history page, the home page
// and an exercise scroll only vertically: the tables scroll inside their
// own focusable region, the chart shrinks to the width, every run of the
// table and every point of the chart is there, the failed ones marked.
func browserNarrow(t *testing.T, s *browserSite) {
	ctx, probs := s.tab(t)
	type layout struct {
		Width, ScrollWidth int
		Overflowing        []string
		Rows, FailRows     int
		Points, FailPoints int
		Chart              float64
		Regions, Focusable int
		RegionScrolls      bool
	}
	for _, page := range []string{"historique/index.html", "index.html", "exercices/ex6/index.html"} {
		err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 780), chromedp.Navigate(s.url(page)), browserSettle())
		if err != nil {
			t.Errorf("%s : %v", page, err)
			continue
		}
		l, err := chromedp.Run(ctx, js[layout](`(() => {
		  const vw = document.documentElement.clientWidth;
		  const over = Array.from(document.querySelectorAll("main *")).filter(e => {
		    if (e.closest(".table-wrap, pre, .out, .toc")) return false;
		    const r = e.getBoundingClientRect();
		    return r.width > 0 && r.right > vw + 1;
		  }).slice(0, 5).map(e => e.tagName.toLowerCase() + "." + e.className);
		  const regions = document.querySelectorAll(".table-wrap");
		  const svg = document.querySelector(".history-chart svg");
		  return {width: vw, scrollWidth: document.documentElement.scrollWidth, overflowing: over,
		    rows: document.querySelectorAll(".history-table:not(.scripts-table) tbody tr").length,
		    failRows: document.querySelectorAll(".history-table:not(.scripts-table) tbody tr.fail").length,
		    points: document.querySelectorAll(".history-chart circle").length,
		    failPoints: document.querySelectorAll(".history-chart circle.fail").length,
		    chart: svg ? svg.getBoundingClientRect().width : 0,
		    regions: regions.length,
		    focusable: Array.from(regions).filter(r => r.tabIndex === 0 && r.getAttribute("role") === "region").length,
		    regionScrolls: Array.from(regions).some(r => r.scrollWidth > r.clientWidth)};
		})()`))
		if err != nil {
			t.Errorf("%s : %v", page, err)
			continue
		}
		if l.Width != 360 || l.ScrollWidth > l.Width {
			t.Errorf("%s à 360 px : la page fait %d px de large pour une fenêtre de %d (défilement horizontal)", page, l.ScrollWidth, l.Width)
		}
		if len(l.Overflowing) > 0 {
			t.Errorf("%s à 360 px : éléments qui dépassent à droite : %s", page, strings.Join(l.Overflowing, ", "))
		}
		if page == "historique/index.html" {
			want := fmt.Sprintf("%d lignes dont %d en échec, %d points dont %d en échec", 30, len(browserHistoryFails), 30, len(browserHistoryFails))
			got := fmt.Sprintf("%d lignes dont %d en échec, %d points dont %d en échec", l.Rows, l.FailRows, l.Points, l.FailPoints)
			if got != want {
				t.Errorf("%s : %s, attendu %s", page, got, want)
			}
			if l.Chart < 200 || l.Chart > 360 {
				t.Errorf("%s à 360 px : graphique de %.0f px de large", page, l.Chart)
			}
			if l.Regions != 2 || l.Focusable != 2 || !l.RegionScrolls {
				t.Errorf("%s à 360 px : %d tableaux, %d régions focalisables, défilement dans la région : %v", page, l.Regions, l.Focusable, l.RegionScrolls)
			}
		}
		for _, p := range probs.take() {
			t.Errorf("%s : %s", page, p)
		}
	}
}
