package console_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
)

// TestBrowserTemplateEditAndAReadOnlyAuditor: an admin edits a template
// clause online in real Chromium, previews it with sample values and
// saves version 2; finance reads the reports on a 390 px phone; an
// auditor walks every page they may open and sees no edit button, form or
// action anywhere but signing out and the language. Screenshots of each
// step go to .data/screenshots/admin-*.png.
func TestBrowserTemplateEditAndAReadOnlyAuditor(t *testing.T) {
	testenv.RequireIntegration(t)
	alloc := browserAllocator(t)
	shots := newScreenshots(t, "admin-", 0, "admin-*.png")
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	n := submitted(t, s, "审计只读合同", 8_000_00)
	openTask(t, s, "sales_manager", n)

	admin := newBrowser(t, alloc, "admin", 1280, 900, false, shots)
	admin.signIn(s.URL, s.Logins["admin"])
	admin.do(chromedp.Click(chromedp.CSS(`[data-testid=nav-templates]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=templates]`)))
	admin.snap("templates")
	admin.do(chromedp.Click(chromedp.CSS(`a[href="/admin/templates/sales-zh"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=template-form]`)))
	admin.snap("editor")
	body := `textarea[name="c3.body"]`
	_, err := chromedp.Run(admin.ctx, chromedp.Evaluate[bool](`(document.querySelector('`+body+`').value = '', true)`))
	require.NoError(t, err)
	admin.do(chromedp.SendKeys(chromedp.CSS(body), "乙方应在收货后五个工作日内完成验收。"),
		chromedp.Click(chromedp.CSS(`[data-testid=preview]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=preview-text]`)))
	assert.Contains(t, admin.text(`[data-testid=preview-text]`), "五个工作日")
	admin.snap("preview")
	admin.do(chromedp.Click(chromedp.CSS(`[data-testid=save-template]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=saved]`)))
	assert.Contains(t, admin.text(`h1.page-title`), "v2")
	admin.snap("saved-v2")
	admin.do(chromedp.Navigate(s.URL+"/admin/policies/default"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=policy-json]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=preview-route]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=route]`)))
	admin.snap("policy-route")
	admin.clean()

	finance := newBrowser(t, alloc, "finance-phone", 390, 844, true, shots)
	finance.signIn(s.URL, s.Logins["finance"])
	finance.do(chromedp.Navigate(s.URL+"/reports"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=chart]`)))
	fits, err := chromedp.Run(finance.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth + 1`))
	require.NoError(t, err)
	assert.True(t, fits, "the reports page fits a 390 px phone without sideways scrolling")
	finance.snap("reports")
	finance.do(chromedp.Navigate(s.URL+"/customers"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=customers]`)))
	finance.snap("customers")
	finance.clean()

	auditor := newBrowser(t, alloc, "auditor", 1280, 900, false, shots)
	auditor.signIn(s.URL, s.Logins["auditor"])
	// Everything that edits: a form that posts (but signing out and the
	// language), a link to a form that creates or edits, an action panel.
	const editing = `[...document.querySelectorAll('form[method=post]')].filter(f => !['/logout', '/account/language', '/account/password', '/account/notifications', '/account/delegations'].includes(f.getAttribute('action'))).length
		+ document.querySelectorAll('a[href$="/edit"], a[href$="/new"], a[href*="/amend"], a[href*="/renew"], .contract-actions, [data-testid^=save], [data-testid^=new-]').length`
	for _, page := range []string{"/", "/inbox", "/contracts", "/contracts/" + n, "/customers", "/reports", "/reports?view=aging", "/audit",
		"/admin/users", "/admin/users/demo-sales", "/notices"} {
		auditor.do(chromedp.Navigate(s.URL+page), chromedp.WaitVisible(chromedp.CSS(`main.content`)))
		count, err := chromedp.Run(auditor.ctx, chromedp.Evaluate[int](editing))
		require.NoError(t, err, page)
		assert.Zero(t, count, "an auditor sees something that edits on %s", page)
		title, err := chromedp.Run(auditor.ctx, chromedp.Evaluate[string](`document.title`))
		require.NoError(t, err, page)
		assert.NotContains(t, title, "不存在", page)
	}
	auditor.snap("contract")
	auditor.do(chromedp.Navigate(s.URL+"/audit?verify=1"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=verify-result]`)))
	assert.Contains(t, auditor.text(`[data-testid=verify-result]`), "审计链完整")
	auditor.snap("audit-verified")
	auditor.clean()
	t.Logf("screenshots: %s", shots.dir)
}
