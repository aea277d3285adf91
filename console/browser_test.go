package console_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/testkit/testenv"
)

// chromium finds the headless browser the browser tests drive:
// SIGNET_CHROMIUM, else Debian's chromium (or Chrome) on PATH. Without one
// the test fails saying what to install; it is never skipped, except
// with the rest of the integration tests (SIGNET_SKIP_INTEGRATION=1).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SIGNET_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("the browser tests need Chromium: apt-get install -y chromium fonts-noto-cjk (or set SIGNET_CHROMIUM to a Chrome binary); `make test` installs them when run as root with apt")
	return ""
}

// browser is one person's tab in a shared headless Chromium, recording
// every console error (a CSP violation, a script error) the page shows.
type browser struct {
	t    *testing.T
	ctx  context.Context
	name string
	mu   sync.Mutex
	errs []string
	shot *screenshots
}

// browserAllocator starts headless Chromium for t; it ends with t.
func browserAllocator(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-dev-shm-usage", true))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	return alloc
}

// newScreenshots saves a scenario's steps under .data/screenshots as
// prefix, a number from first+1 and the step's name; the files an
// earlier run left that match stale (if given) go first.
func newScreenshots(t *testing.T, prefix string, first int, stale string) *screenshots {
	t.Helper()
	root, err := devstack.RepoRoot()
	require.NoError(t, err)
	shots := &screenshots{dir: filepath.Join(root, ".data", "screenshots"), prefix: prefix, n: first}
	require.NoError(t, os.MkdirAll(shots.dir, 0o755))
	if stale != "" {
		old, _ := filepath.Glob(filepath.Join(shots.dir, stale))
		for _, f := range old {
			_ = os.Remove(f)
		}
	}
	return shots
}

type screenshots struct {
	dir string
	// prefix keeps one scenario's files apart from another's.
	prefix string
	n      int
	mu     sync.Mutex
}

func (s *screenshots) next(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return filepath.Join(s.dir, fmt.Sprintf("%s%02d-%s.png", s.prefix, s.n, name))
}

func newBrowser(t *testing.T, alloc context.Context, name string, width, height int64, mobile bool, shots *screenshots) *browser {
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	b := &browser{t: t, ctx: ctx, name: name, shot: shots}
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch e := ev.(type) {
		case *log.EventEntryAdded:
			// The refused decision's 400 is the test's own doing.
			if e.Entry.Level == log.EntryLevelError && !strings.Contains(e.Entry.Text, "status of 400") {
				b.errs = append(b.errs, e.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			b.errs = append(b.errs, e.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				b.errs = append(b.errs, "console.error")
			}
		}
	}))
	opts := []chromedp.EmulateViewportOption{}
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	// Chinese first: what a browser in China asks for.
	b.do(chromedp.EmulateViewport(width, height, opts...),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}})
			return err
		}))
	return b
}

// do runs steps, bounded, failing the test with what it was doing.
func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.snap("failed")
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		b.t.Fatalf("%s at %s: %v", b.name, loc, err)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(b.t, err, "%s: text of %s", b.name, sel)
	return s
}

func (b *browser) location() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Location())
	require.NoError(b.t, err)
	return s
}

// snap saves a screenshot of the whole page for review.
func (b *browser) snap(step string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", step, err)
		return
	}
	path := b.shot.next(b.name + "-" + step)
	require.NoError(b.t, os.WriteFile(path, png, 0o644))
}

func (b *browser) signIn(base string, l devstack.Login) {
	b.t.Helper()
	b.do(chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS(`input[name=login]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=login]`), l.Login), chromedp.SendKeys(chromedp.CSS(`input[name=password]`), l.Password))
	b.snap("sign-in")
	b.do(chromedp.Click(chromedp.CSS(`button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`.topbar .who`)))
}

// clean asserts the page raised no error: no script error, no resource
// refused by the Content-Security-Policy.
func (b *browser) clean() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	assert.Empty(b.t, b.errs, "%s: the browser reported errors", b.name)
}

// TestBrowserApprovalOnAPhone drives real headless Chromium through the
// approver's path: sales signs in; a contract created through the API is
// submitted; the sales manager signs in on a 390 px phone, opens the
// inbox from the folded nav, opens the task (the document in its
// sandboxed frame), is refused a rejection without an opinion in place
// (htmx, no reload), approves with an opinion; finance approves on a
// desktop; the contract page shows the route, the opinions and the
// timeline. No page raises a script error or a CSP violation.
// Screenshots of each step go to .data/screenshots/.
func TestBrowserApprovalOnAPhone(t *testing.T) {
	testenv.RequireIntegration(t)
	alloc := browserAllocator(t)
	shots := newScreenshots(t, "", 0, "[0-4][0-9]-*.png")
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())

	sales := newBrowser(t, alloc, "sales", 1280, 860, false, shots)
	sales.signIn(s.URL, s.Logins["sales"])
	sales.snap("home")
	assert.Contains(t, sales.text("h1.page-title"), "张伟")

	n := submitted(t, s, "星辰数据平台采购合同", 150_000_00)
	task := openTask(t, s, "sales_manager", n)

	phone := newBrowser(t, alloc, "manager-phone", 390, 844, true, shots)
	phone.signIn(s.URL, s.Logins["sales_manager"])
	phone.snap("home")
	// The nav is folded away on a phone; the burger opens it.
	phone.do(chromedp.Click(chromedp.CSS(`label.burger`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=nav-inbox]`)))
	phone.snap("nav-open")
	phone.do(chromedp.Click(chromedp.CSS(`[data-testid=nav-inbox]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=inbox]`)))
	assert.Contains(t, phone.text(`[data-testid=inbox]`), n)
	phone.snap("inbox")
	phone.do(chromedp.Click(chromedp.CSS(`a[href="/tasks/`+task.ID+`"]`)), chromedp.WaitVisible(chromedp.CSS(`#decision`)))
	assert.Contains(t, phone.text(`[data-testid=why]`), "finance")
	// The document loads in its frame, sandboxed: an opaque origin, so
	// Chromium runs it apart from the page (a frame target of its own)
	// and not even the console's own page can reach into it.
	assert.Eventually(t, func() bool {
		res, err := chromedp.CallBrowser(phone.ctx, target.GetTargets, target.GetTargetsParams{})
		if err != nil {
			return false
		}
		for _, info := range res.TargetInfos {
			if info.Type == "iframe" && strings.HasSuffix(info.URL, "/contracts/"+n+"/document") {
				return true
			}
		}
		return false
	}, 10*time.Second, 100*time.Millisecond, "the document frame loads, sandboxed")
	reach, err := chromedp.Run(phone.ctx, chromedp.Evaluate[bool](`document.querySelector('iframe.document').contentDocument === null`))
	require.NoError(t, err)
	assert.True(t, reach, "the page cannot reach into the document")
	phone.snap("task")
	// Chromium paints a frame of another origin (the sandboxed document)
	// only on screen: scroll to it, then capture the screen.
	phone.do(chromedp.ScrollIntoView(chromedp.CSS(`iframe.document`)), chromedp.Sleep(500*time.Millisecond))
	docShot, err := chromedp.Run(phone.ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(shots.next("manager-phone-document"), docShot, 0o644))
	taskURL := phone.location()

	// A rejection without an opinion: refused in the panel, in place.
	phone.do(chromedp.Click(chromedp.CSS(`[data-testid=reject]`)), chromedp.WaitVisible(chromedp.CSS(`#decision .field-errors`)))
	assert.Contains(t, phone.text(`#decision .field-errors`), "opinion")
	assert.Equal(t, taskURL, phone.location(), "no page load")
	phone.snap("refused-in-place")
	phone.do(chromedp.SendKeys(chromedp.CSS(`#decision textarea[name=opinion]`), "同意，价格与回款条件合理"),
		chromedp.Click(chromedp.CSS(`[data-testid=approve]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=decided]`)))
	assert.True(t, strings.HasSuffix(phone.location(), "/inbox?done="+task.ID), phone.location())
	phone.snap("approved")
	phone.clean()

	fin := openTask(t, s, "finance", n)
	finance := newBrowser(t, alloc, "finance", 1280, 860, false, shots)
	finance.signIn(s.URL, s.Logins["finance"])
	finance.do(chromedp.Click(chromedp.CSS(`[data-testid=nav-inbox]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=inbox]`)),
		chromedp.Click(chromedp.CSS(`a[href="/tasks/`+fin.ID+`"]`)), chromedp.WaitVisible(chromedp.CSS(`#decision`)))
	finance.snap("task")
	finance.do(chromedp.SendKeys(chromedp.CSS(`#decision textarea[name=opinion]`), "回款节点清晰，同意"),
		chromedp.Click(chromedp.CSS(`[data-testid=approve]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=decided]`)))
	finance.clean()

	sales.do(chromedp.Navigate(s.URL+"/contracts/"+n), chromedp.WaitVisible(chromedp.CSS(`[data-testid=timeline]`)))
	assert.Equal(t, "已审批", sales.text(`[data-testid=status]`))
	rounds := sales.text(`[data-testid=round]`)
	for _, want := range []string{"同意，价格与回款条件合理", "回款节点清晰，同意", "李娜 Li Na", "刘洋 Liu Yang", "finance from 100,000"} {
		assert.Contains(t, rounds, want)
	}
	timeline := sales.text(`[data-testid=timeline]`)
	for _, want := range []string{"创建", "提交审批", "审批通过 → 已审批"} {
		assert.Contains(t, timeline, want)
	}
	sales.snap("contract")
	sales.do(chromedp.Navigate(s.URL+"/contracts"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=ledger]`)))
	assert.Contains(t, sales.text(`[data-testid=ledger]`), n)
	sales.snap("ledger")
	sales.clean()
}

// waitFor waits, bounded, until the script js is true on b's page.
func (b *browser) waitFor(js string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js)); err != nil {
		b.snap("failed")
		b.t.Fatalf("%s: waiting for %s: %v", b.name, js, err)
	}
}

// TestBrowserNewContract drives headless Chromium through drafting: sales
// signs in, opens 新建合同 from the nav, chooses the customer and the
// template, fills in the form generated from the template's fields, sees
// the server price the line as they type (htmx), saves with a quantity
// of four decimals and is shown the error beside the quantity with
// everything typed kept, fixes it, saves, lands on the contract page and
// submits it for approval after confirming. No page raises a script error
// or a CSP violation. Screenshots go to .data/screenshots/newcontract-*.
func TestBrowserNewContract(t *testing.T) {
	testenv.RequireIntegration(t)
	alloc := browserAllocator(t)
	shots := newScreenshots(t, "newcontract-", 0, "newcontract-*.png")
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())

	sales := newBrowser(t, alloc, "sales", 1280, 900, false, shots)
	sales.signIn(s.URL, s.Logins["sales"])
	sales.do(chromedp.Click(chromedp.CSS(`[data-testid=nav-new]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=choose]`)))
	sales.do(chromedp.SetValue(chromedp.CSS(`select[name=customer_id]`), devstack.DemoCustomerID),
		chromedp.SetValue(chromedp.CSS(`select[name=template_id]`), devstack.DemoSalesTemplate))
	sales.snap("choose")
	sales.do(chromedp.Click(chromedp.CSS(`[data-testid=choose]`)), chromedp.WaitVisible(chromedp.CSS(`#contract-form`)))
	// Auto-filled from the customer, read-only.
	buyer, err := chromedp.Run(sales.ctx, chromedp.Value(chromedp.CSS(`input[data-field=buyer]`)))
	require.NoError(t, err)
	assert.Equal(t, "上海星辰科技有限公司", buyer)

	const lineQty = `input[name="line_items[0].quantity"]`
	sales.do(chromedp.SendKeys(chromedp.CSS(`input[name=title]`), "星辰数据平台采购合同（浏览器）"),
		chromedp.SetValue(chromedp.CSS(`input[name=start_date]`), "2026-01-01"),
		chromedp.SetValue(chromedp.CSS(`input[name=end_date]`), "2026-12-31"),
		chromedp.SetValue(chromedp.CSS(`input[name="fields.delivery_date"]`), "2026-02-15"),
		chromedp.SendKeys(chromedp.CSS(`input[name="fields.delivery_place"]`), "上海市浦东新区张江路88号"),
		chromedp.SendKeys(chromedp.CSS(`input[name="fields.payment_terms_days"]`), "30"),
		chromedp.SetValue(chromedp.CSS(`select[name="fields.payment_method"]`), "银行转账"),
		chromedp.Click(chromedp.CSS(`input[name=optional_clauses][value=warranty]`)),
		chromedp.SetValue(chromedp.CSS(`select[name="line_items[0].product_id"]`), devstack.DemoLicenceProductID),
		chromedp.SendKeys(chromedp.CSS(lineQty), "2"))
	// The server prices the line as it is typed: 2 × 98,000.00 + 13%.
	sales.waitFor(`document.querySelector('[data-testid=total]')?.textContent === 'CNY 221,480.00'`)
	sales.snap("priced")
	sales.do(chromedp.SendKeys(chromedp.CSS(lineQty), ".5005"),
		chromedp.SendKeys(chromedp.CSS(`input[name="renewal.notice_days"]`), "60, 30"),
		chromedp.Click(chromedp.CSS(`[data-testid=save]`)),
		chromedp.WaitVisible(chromedp.CSS(lineQty+` + .field-error`)))
	assert.NotEmpty(t, sales.text(lineQty+` + .field-error`))
	kept, err := chromedp.Run(sales.ctx, chromedp.Value(chromedp.CSS(`input[name="fields.delivery_place"]`)))
	require.NoError(t, err)
	assert.Equal(t, "上海市浦东新区张江路88号", kept, "what was typed is kept")
	qty, err := chromedp.Run(sales.ctx, chromedp.Value(chromedp.CSS(lineQty)))
	require.NoError(t, err)
	assert.Equal(t, "2.5005", qty)
	sales.snap("field-error")
	assert.Equal(t, 0, count(t, s, `SELECT count(*) FROM contracts`), "nothing saved")

	sales.do(chromedp.Clear(chromedp.CSS(lineQty)), chromedp.SendKeys(chromedp.CSS(lineQty), "1"),
		chromedp.Click(chromedp.CSS(`[data-testid=save]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=done]`)))
	assert.Equal(t, "草稿", sales.text(`[data-testid=status]`))
	assert.Contains(t, sales.location(), "/contracts/HT-")
	sales.snap("draft")
	sales.do(chromedp.Click(chromedp.CSS(`[data-testid=action-submit]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=confirm-submit]`)))
	sales.snap("confirm-submit")
	// The draft's page says "saved" too: wait for the submission's page.
	sales.do(chromedp.Click(chromedp.CSS(`[data-testid=confirm-submit]`)), chromedp.WaitVisible(chromedp.CSS(`[data-done=submit]`)))
	assert.Equal(t, "审批中", sales.text(`[data-testid=status]`))
	sales.snap("submitted")
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM contracts WHERE status = 'in_review' AND amount = 11074000 AND title = '星辰数据平台采购合同（浏览器）'`))
	sales.clean()

	// On a 390 px phone the form fits the screen: its tables scroll, the page does not.
	phone := newBrowser(t, alloc, "sales-phone", 390, 844, true, shots)
	phone.signIn(s.URL, s.Logins["sales"])
	phone.do(chromedp.Navigate(s.URL+newFormPath), chromedp.WaitVisible(chromedp.CSS(`#contract-form`)))
	wide, err := chromedp.Run(phone.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	require.NoError(t, err)
	assert.True(t, wide, "the page does not scroll sideways")
	phone.snap("form")
	phone.clean()
}
