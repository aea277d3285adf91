package console_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/testkit/testenv"
)

// TestBrowserSealsOnAPhone: the admin on a 390 px phone picks a seal
// image and sees its preview before uploading, uploads it and finds it
// listed with its image, the page no wider than the phone; no script
// error, no image refused by the page's policy.
func TestBrowserSealsOnAPhone(t *testing.T) {
	testenv.RequireIntegration(t)
	alloc := browserAllocator(t)
	shots := newScreenshots(t, "seals-", 0, "seals-*.png")
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	file := filepath.Join(t.TempDir(), "合同专用章.png")
	require.NoError(t, os.WriteFile(file, devstack.SealPNG(320), 0o600))

	phone := newBrowser(t, alloc, "admin-phone", 390, 844, true, shots)
	phone.signIn(s.URL, s.Logins["admin"])
	phone.do(chromedp.Navigate(s.URL+"/admin/seals"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=seal-upload]`)))
	phone.do(chromedp.SendKeys(chromedp.CSS(`[data-testid=seal-name]`), "合同专用章"),
		chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=seal-image]`), []string{file}),
		chromedp.WaitVisible(chromedp.CSS(`#seal-preview`)))
	loaded, err := chromedp.Run(phone.ctx, chromedp.Evaluate[bool](`document.getElementById('seal-preview').naturalWidth === 320`))
	require.NoError(t, err)
	assert.True(t, loaded, "the preview shows the chosen image")
	phone.snap("preview")

	phone.do(chromedp.Click(chromedp.CSS(`[data-testid=seal-upload] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=seal] img.seal-image`)))
	assert.Contains(t, phone.text(`[data-testid=seal]`), "合同专用章")
	shown, err := chromedp.Run(phone.ctx, chromedp.Evaluate[bool](`document.querySelector('[data-testid=seal] img.seal-image').naturalWidth === 320`))
	require.NoError(t, err)
	assert.True(t, shown, "the listed seal's image loads")
	// The page's own part: the top bar is the layout's, as on every page.
	over, err := chromedp.Run(phone.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('main.content *')).
		filter(e => e.getBoundingClientRect().right > 390).map(e => e.tagName + '.' + e.className)`))
	require.NoError(t, err)
	assert.Empty(t, over, "nothing on the page wider than the phone")
	phone.snap("listed")
	phone.clean()
}
