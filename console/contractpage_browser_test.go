package console_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"

	"github.com/signet-clm/signet/testkit/testenv"
)

// TestBrowserFinanceRecordsOnTheContractPage drives headless Chromium
// over an active contract's page: finance opens the record-invoice
// confirmation (a details element, no script), records an invoice, then
// a payment, and sees both in the books and the payment plan; the owner
// reads the page on a 390 px phone with its timers and actions; an
// auditor sees no action button or form. No page raises a script error
// or a CSP violation. Screenshots go to .data/screenshots/contract-*.
func TestBrowserFinanceRecordsOnTheContractPage(t *testing.T) {
	testenv.RequireIntegration(t)
	alloc := browserAllocator(t)
	shots := newScreenshots(t, "contract-", 0, "contract-*.png")
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	v := newVisitor(t, s)
	v.signIn("sales")
	n := draftThroughForm(t, s, v, "星辰年度运维服务合同")
	activeThroughAPI(t, s, n)

	finance := newBrowser(t, alloc, "finance", 1280, 860, false, shots)
	finance.signIn(s.URL, s.Logins["finance"])
	finance.do(chromedp.Navigate(s.URL+"/contracts/"+n), chromedp.WaitVisible(chromedp.CSS(`[data-testid=books]`)))
	finance.snap("page")
	finance.do(chromedp.Click(chromedp.CSS(`[data-testid=record-invoice]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=invoice-number]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=invoice-number]`), "FP-2026-0001"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=invoice-amount]`), "20,000.00"))
	finance.snap("invoice-confirm")
	finance.do(chromedp.Click(chromedp.CSS(`[data-testid=confirm-invoice]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=done]`)))
	assert.Contains(t, finance.text(`[data-testid=done]`), "发票已登记")
	assert.Contains(t, finance.text(`[data-testid=invoices]`), "FP-2026-0001")
	finance.do(chromedp.Click(chromedp.CSS(`[data-testid=record-payment]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=payment-amount]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=payment-amount]`), "20000"))
	finance.snap("payment-confirm")
	finance.do(chromedp.Click(chromedp.CSS(`[data-testid=confirm-payment]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=payments]`)))
	assert.Contains(t, finance.text(`[data-testid=done]`), "回款已登记")
	assert.Contains(t, finance.text(`[data-testid=payments]`), "CNY 20,000.00")
	assert.Contains(t, finance.text(`[data-testid=plan]`), "CNY 20,000.00")
	finance.snap("recorded")
	finance.clean()

	phone := newBrowser(t, alloc, "sales-phone", 390, 844, true, shots)
	phone.signIn(s.URL, s.Logins["sales"])
	phone.do(chromedp.Navigate(s.URL+"/contracts/"+n), chromedp.WaitVisible(chromedp.CSS(`[data-testid=timers]`)))
	assert.Contains(t, phone.text(`[data-testid=timers]`), "合同到期")
	assert.Contains(t, phone.text(`[data-testid=actions]`), "合同变更")
	wide, err := chromedp.Run(phone.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth + 1`))
	assert.NoError(t, err)
	assert.True(t, wide, "the page fits a 390 px phone")
	phone.snap("page")
	phone.do(chromedp.Click(chromedp.CSS(`[data-testid=action-terminate]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=terminate-reason]`)))
	phone.snap("terminate-confirm")
	phone.clean()

	auditor := newBrowser(t, alloc, "auditor", 1280, 860, false, shots)
	auditor.signIn(s.URL, s.Logins["auditor"])
	auditor.do(chromedp.Navigate(s.URL+"/contracts/"+n), chromedp.WaitVisible(chromedp.CSS(`[data-testid=books]`)))
	buttons, err := chromedp.Run(auditor.ctx, chromedp.Evaluate[int](`document.querySelectorAll('main [data-testid^=action-], main form[method=post], main input[type=file]').length`))
	assert.NoError(t, err)
	assert.Equal(t, 0, buttons, "an auditor sees no action")
	assert.False(t, strings.Contains(auditor.text(`main`), "登记发票"))
	auditor.snap("page")
	auditor.clean()
}
