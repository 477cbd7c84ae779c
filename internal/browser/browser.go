// Package browser starts the headless Chromium that reads the built site:
// the browser tests and the PDF of the full lab (cmd/pdf) share its
// options, headless, without a sandbox (root, containers) and without any
// connection to online services.
package browser

import (
	"context"
	"fmt"

	"github.com/chromedp/chromedp"
)

// Path is the Chromium of the Debian "chromium" package.
const Path = "/usr/bin/chromium"

// Options are Chromium's options: the program at execPath, its profile in
// userDataDir.
func Options(execPath, userDataDir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(userDataDir),
	}
}

// Start launches Chromium with Options and the extra ones, and returns the
// context of its first tab and what stops it.
func Start(execPath, userDataDir string, extra ...chromedp.ExecAllocatorOption) (context.Context, context.CancelFunc, error) {
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(Options(execPath, userDataDir), extra...)...)
	ctx, cancel := chromedp.NewContext(actx)
	stop := func() { cancel(); cancelAlloc() }
	if err := chromedp.Do(ctx); err != nil {
		stop()
		return nil, nil, fmt.Errorf("lancement de Chromium : %v", err)
	}
	return ctx, stop, nil
}

// LoadImages is a JavaScript expression that makes the page's lazy images
// (loading="lazy") load, and whose promise settles once every image has
// loaded or failed.
const LoadImages = `Promise.all(Array.from(document.images, img => {
  img.loading = "eager";
  return img.complete ? null : new Promise(r => { img.addEventListener("load", r); img.addEventListener("error", r); });
}))`
