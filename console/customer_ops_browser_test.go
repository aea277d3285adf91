package console_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
)

// TestBrowserCustomerContactsOnAPhone: on a 390 px phone sales opens a
// customer, edits a contact in place and saves, removes another after
// confirming, and deactivates the customer after confirming; the page
// never scrolls sideways, with every form open, and raises no script
// error. Screenshots go to .data/screenshots/customers-*.
func TestBrowserCustomerContactsOnAPhone(t *testing.T) {
	testenv.RequireIntegration(t)
	alloc := browserAllocator(t)
	shots := newScreenshots(t, "customers-", 0, "customers-*.png")
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	id, contacts := seedCustomer(t, s, "demo-sales", "杭州滨江区手机页面测试用超长名称客户有限公司", "欧阳一一", "司马二")
	phone := newBrowser(t, alloc, "sales-phone", 390, 844, true, shots)
	phone.signIn(s.URL, s.Logins["sales"])
	fits := func(why string) {
		t.Helper()
		ok, err := chromedp.Run(phone.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		require.NoError(t, err)
		assert.True(t, ok, "the page does not scroll sideways: %s", why)
	}

	edit := `#contact-` + contacts[0]
	phone.do(chromedp.Navigate(s.URL+"/customers/"+id), chromedp.WaitVisible(chromedp.CSS(edit)))
	fits("the customer page")
	phone.do(chromedp.Click(chromedp.CSS(edit+` [data-testid=edit-contact]`)), chromedp.WaitVisible(chromedp.CSS(edit+` input[name=title]`)))
	fits("a contact's edit form open")
	phone.snap("edit-contact")
	phone.do(chromedp.SendKeys(chromedp.CSS(edit+` input[name=title]`), "华东区采购负责人"),
		chromedp.Click(chromedp.CSS(edit+` button[type=submit]`)))
	// The save loads the customer page again, with the contact's new
	// title. The page before it showed the same section, so wait for the
	// title itself, asking again when the load cuts a wait short.
	saved := `(() => { const c = document.querySelector('` + edit + `'); return !!c && c.innerText.includes('华东区采购负责人'); })()`
	for deadline := time.Now().Add(30 * time.Second); ; {
		ctx, cancel := context.WithTimeout(phone.ctx, 5*time.Second)
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](saved))
		cancel()
		if err == nil {
			break
		}
		require.True(t, time.Now().Before(deadline), "the saved title never showed: %v", err)
	}
	assert.Contains(t, phone.text(edit), "华东区采购负责人")

	other := `#contact-` + contacts[1]
	phone.do(chromedp.Click(chromedp.CSS(other+` [data-testid=remove-contact]`)), chromedp.WaitVisible(chromedp.CSS(other+` [data-testid=confirm-remove-contact]`)))
	fits("the removal's confirmation open")
	phone.snap("remove-contact")
	phone.do(chromedp.Click(chromedp.CSS(other+` [data-testid=confirm-remove-contact]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=removed-contacts]`)))
	assert.Contains(t, phone.text(`[data-testid=removed-contacts]`), "1")

	phone.do(chromedp.Click(chromedp.CSS(`[data-testid=deactivate]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=confirm-deactivate]`)))
	fits("the deactivation's confirmation open")
	phone.snap("deactivate")
	phone.do(chromedp.Click(chromedp.CSS(`[data-testid=confirm-deactivate]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=inactive-note]`)))
	fits("the deactivated customer")
	phone.snap("deactivated")
	phone.clean()
}
