package browser

// The headless Chromium the site's checks share: started, a page loaded
// with its images.

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

// A page loaded in the browser has its lazy images loaded once LoadImages
// settles. Skipped where Chromium is not installed.
func TestStartAndLoadImages(t *testing.T) {
	if _, err := os.Stat(Path); err != nil {
		t.Skipf("Chromium introuvable (%s)", Path)
	}
	ctx, stop, err := Start(Path, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	const page = `data:text/html,<img loading="lazy" style="margin-top:5000px" src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==">`
	err = chromedp.Do(ctx,
		chromedp.Navigate(page),
		chromedp.Evaluate[chromedp.Void](LoadImages, chromedp.EvalAwaitPromise),
	)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.images).filter(i => i.naturalWidth > 0).length`))
	if err != nil {
		t.Fatal(err)
	}
	if loaded != 1 {
		t.Errorf("%d image chargée, 1 attendue", loaded)
	}
}
