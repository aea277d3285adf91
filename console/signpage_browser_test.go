package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
)

// mouse dispatches one mouse event at x, y with the left button held
// (buttons) or not: Chromium turns it into the page's pointer events.
func mouse(typ input.DispatchMouseEventType, x, y float64, held bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		p := input.DispatchMouseEventParams{Type: typ, X: x, Y: y, Button: input.MouseButtonLeft, ClickCount: 1}
		if held {
			p.Buttons = 1
		}
		if typ == chromedp.MouseMoved && !held {
			p.Button = input.MouseButtonNone
		}
		_, err := cdp.Call(ctx, t, input.DispatchMouseEvent, p)
		return err
	})
}

func wheel(x, y, dy float64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, input.DispatchMouseEvent, input.DispatchMouseEventParams{Type: chromedp.MouseWheel, X: x, Y: y, DeltaX: 0.01, DeltaY: dy})
		return err
	})
}

// rect is an element's box in the viewport: left, top, width, height.
func (b *browser) rect(sel string) []float64 {
	b.t.Helper()
	r, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector('`+sel+`').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`))
	require.NoError(b.t, err)
	require.Len(b.t, r, 4)
	return r
}

func (b *browser) eval(js string) bool {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js))
	require.NoError(b.t, err, js)
	return v
}

// TestBrowserSigningDrawnWithReadToEnd: a round sent with 强制阅读; the
// customer's signer on a 390 px phone finds 签署 off and the reason
// shown, zooms the document to 125%, draws a signature on the pad with
// pointer events, scrolls the document (its sandboxed frame) to the end,
// which turns 签署 on, types their name, consents and signs; the done
// page offers the signed PDF, which downloads, and the drawing was kept.
// No page raises a script error or a CSP violation. Screenshots go to
// .data/screenshots/6x-*.png.
func TestBrowserSigningDrawnWithReadToEnd(t *testing.T) {
	testenv.RequireIntegration(t)
	alloc := browserAllocator(t)
	shots := newScreenshots(t, "", 60, "6[0-9]-*.png")
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	n := approvedContract(t, s, "星辰手写签名合同")
	apiCall(t, s, "POST", "/v1/contracts/"+n+"/send", "sales", map[string]any{"require_read_to_end": true})
	link := mailedSignLinksAfterExec(t, s, n)

	phone := newBrowser(t, alloc, "customer-phone", 390, 844, true, shots)
	phone.do(chromedp.Navigate(s.URL+link), chromedp.WaitVisible(chromedp.CSS(`[data-testid=drawpad]`)))
	assert.True(t, phone.eval(`document.querySelector('[data-testid=sign]').disabled`), "签署 waits for the reading")
	assert.Contains(t, phone.text(`[data-testid=read-note]`), "请将上方合同滚动至末尾")
	assert.True(t, phone.eval(`!document.querySelector('[data-testid=zoom]').hidden`), "zoom shows with script")
	assert.True(t, phone.eval(`document.documentElement.scrollWidth <= window.innerWidth + 1`), "no sideways scrolling at 390 px")
	phone.snap("page")

	phone.do(chromedp.Click(chromedp.CSS(`[data-zoom="1.25"]`)))
	assert.True(t, phone.eval(`document.querySelector('[data-zoom="1.25"]').getAttribute('aria-pressed') === 'true'`))

	// Draw: a stroke of pointer moves across the pad.
	phone.do(chromedp.ScrollIntoView(chromedp.CSS(`[data-testid=signature-pad]`)))
	r := phone.rect(`[data-testid=signature-pad]`)
	x0, y0, w, h := r[0], r[1], r[2], r[3]
	steps := []chromedp.Action[chromedp.Void]{mouse(chromedp.MouseMoved, x0+w*0.1, y0+h*0.6, false), mouse(chromedp.MousePressed, x0+w*0.1, y0+h*0.6, true)}
	for i := 1; i <= 40; i++ {
		f := float64(i) / 40
		y := y0 + h*(0.6-0.3*f+0.25*float64(i%8)/8)
		steps = append(steps, mouse(chromedp.MouseMoved, x0+w*(0.1+0.8*f), y, true))
	}
	steps = append(steps, mouse(chromedp.MouseReleased, x0+w*0.9, y0+h*0.4, false))
	phone.do(steps...)
	phone.waitFor(`document.querySelector('input[name=signature_image]').value.startsWith('data:image/png;base64,')`)
	assert.True(t, phone.eval(`document.querySelector('[data-testid=sign]').disabled`), "drawing is not reading")

	// Read: scroll the document in its frame to the end.
	phone.waitFor(`document.querySelector('iframe.document').hasAttribute('data-ready')`)
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end) && phone.eval(`document.querySelector('[data-testid=sign]').disabled`); {
		// Where the frame is now: a wheel the frame cannot take scrolls
		// the page under the pointer. The pointer moves onto the frame
		// first, as a mouse would: Chromium routes a wheel to the frame
		// (its own process) only once a move has entered it, else the
		// page scrolls instead (the test failed every other run).
		phone.do(chromedp.ScrollIntoView(chromedp.CSS(`iframe.document`)))
		fr := phone.rect(`iframe.document`)
		phone.do(mouse(chromedp.MouseMoved, fr[0]+fr[2]/2, fr[1]+fr[3]/2, false), chromedp.Sleep(50e6), wheel(fr[0]+fr[2]/2, fr[1]+fr[3]/2, 400), chromedp.Sleep(50e6))
	}
	phone.waitFor(`!document.querySelector('[data-testid=sign]').disabled && document.querySelector('input[name=read_to_end]').value === '1'`)
	assert.Contains(t, phone.text(`[data-testid=read-note]`), "您已阅读至合同末尾")
	phone.snap("read")

	phone.do(chromedp.SendKeys(chromedp.CSS(`[data-testid=signer-name]`), "王建国"),
		chromedp.Click(chromedp.CSS(`[data-testid=consent]`)),
		chromedp.ScrollIntoView(chromedp.CSS(`[data-testid=sign]`)))
	phone.snap("ready")
	phone.do(chromedp.Click(chromedp.CSS(`[data-testid=sign]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=sign-done]`)))
	assert.Contains(t, phone.text(`[data-testid=done-status]`), "合同已生效")
	assert.Contains(t, phone.text(`[data-testid=signed-pdf]`), "下载已签署的合同 PDF")
	href := phone.eval(`document.querySelector('[data-testid=signed-pdf]').getAttribute('href') === '` + link + `/document.pdf'`)
	assert.True(t, href, "the done page links the link's PDF")
	phone.snap("done")
	phone.clean()

	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM signature_captures WHERE contract_number = $1`, n), "the drawing was kept")
	customer := newVisitor(t, s)
	file := customer.get(link + "/document.pdf")
	require.Equal(t, http.StatusOK, file.Status)
	assert.True(t, strings.HasPrefix(file.Body, "%PDF-"))
}
