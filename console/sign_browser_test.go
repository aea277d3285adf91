package console_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
)

// TestBrowserSigningOnAPhone drives headless Chromium through a signing
// round: the executive, signed in to the console, signs on the contract
// page (consent, 签署); the customer's signer opens the link mailed to
// them (read from the stack's mailbox) on a 390 px phone, reads the
// page (no sideways scrolling, the document in its sandboxed frame),
// types their name, consents and signs; the done page says the contract
// is in force, and it is. No page raises a script error or a CSP
// violation. Screenshots go to .data/screenshots/.
func TestBrowserSigningOnAPhone(t *testing.T) {
	testenv.RequireIntegration(t)
	alloc := browserAllocator(t)
	shots := newScreenshots(t, "", 50, "5[0-9]-*.png")
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())

	n := approvedContract(t, s, "星辰数据平台采购合同")
	apiCall(t, s, "POST", "/v1/contracts/"+n+"/send", "sales", nil)

	exec := newBrowser(t, alloc, "executive", 1280, 860, false, shots)
	exec.signIn(s.URL, s.Logins["executive"])
	exec.do(chromedp.Navigate(s.URL+"/contracts/"+n), chromedp.WaitVisible(chromedp.CSS(`[data-testid=my-signature]`)))
	exec.snap("to-sign")
	exec.do(chromedp.Click(chromedp.CSS(`[data-testid=my-signature] [data-testid=consent]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=my-signature] [data-testid=sign]`)),
		chromedp.WaitVisible(chromedp.CSS(`.alert.success`)))
	assert.True(t, strings.HasSuffix(exec.location(), "/contracts/"+n+"?signed=1"), exec.location())
	assert.Contains(t, exec.text(`[data-testid=signers]`), "已签署")
	exec.snap("signed")
	exec.clean()

	link := mailedSignLinks(t, s, customerEmail, n, 1)[0]
	desk := newBrowser(t, alloc, "customer-desktop", 1280, 860, false, shots)
	desk.do(chromedp.Navigate(s.URL+link), chromedp.WaitVisible(chromedp.CSS(`[data-testid=sign-page]`)))
	assert.Equal(t, "星辰数据平台采购合同", desk.text(`[data-testid=sign-title]`), "the same page on a desktop")
	desk.snap("page")
	desk.clean()
	phone := newBrowser(t, alloc, "customer-phone", 390, 844, true, shots)
	phone.do(chromedp.Navigate(s.URL+link), chromedp.WaitVisible(chromedp.CSS(`[data-testid=sign-page]`)))
	assert.Equal(t, "星辰数据平台采购合同", phone.text(`[data-testid=sign-title]`))
	assert.Contains(t, phone.text(`[data-testid=sign-amount]`), "大写：伍万元整")
	assert.Contains(t, phone.text(`[data-testid=sign-signers]`), "已签署")
	wide, err := chromedp.Run(phone.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	require.NoError(t, err)
	assert.True(t, wide, "the page fits a 390 px phone without sideways scrolling")
	assert.Eventually(t, func() bool {
		res, err := chromedp.CallBrowser(phone.ctx, target.GetTargets, target.GetTargetsParams{})
		if err != nil {
			return false
		}
		for _, info := range res.TargetInfos {
			if info.Type == "iframe" && strings.HasSuffix(info.URL, "/signing/"+strings.TrimPrefix(link, "/sign/")+"/document") {
				return true
			}
		}
		return false
	}, 10*time.Second, 100*time.Millisecond, "the document frame loads, sandboxed")
	phone.snap("page")
	phone.do(chromedp.ScrollIntoView(chromedp.CSS(`iframe.document`)), chromedp.Sleep(500*time.Millisecond))
	docShot, err := chromedp.Run(phone.ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(shots.next("customer-phone-document"), docShot, 0o644))

	phone.do(chromedp.SendKeys(chromedp.CSS(`[data-testid=signer-name]`), "王建国"),
		chromedp.Click(chromedp.CSS(`[data-testid=consent]`)),
		chromedp.ScrollIntoView(chromedp.CSS(`[data-testid=sign]`)))
	phone.snap("ready")
	phone.do(chromedp.Click(chromedp.CSS(`[data-testid=sign]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=sign-done]`)))
	assert.Contains(t, phone.text(`[data-testid=done-status]`), "合同已生效")
	phone.snap("done")
	phone.clean()
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM contracts WHERE number = $1 AND status = 'active'`, n))
}
