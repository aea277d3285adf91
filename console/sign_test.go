package console_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// browserAccept is what Chromium sends for a page.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

// approvedContract drafts a contract under 100,000.00 (the sales manager
// alone reviews it) and approves it through the API.
func approvedContract(t testing.TB, s *testenv.Stack, title string) string {
	t.Helper()
	n := submitted(t, s, title, 50_000_00)
	task := openTask(t, s, "sales_manager", n)
	apiCall(t, s, http.MethodPost, "/v1/tasks/"+task.ID+"/decision", "sales_manager", map[string]any{"decision": "approve"})
	require.Eventually(t, func() bool {
		return count(t, s, `SELECT count(*) FROM contracts WHERE number = $1 AND status = 'approved'`, n) == 1
	}, 20*time.Second, 25*time.Millisecond)
	return n
}

var signLinkPattern = regexp.MustCompile(`/sign/[A-Za-z0-9_-]{43}`)

// mailedSignLinks are the signing links mailed to address about contract
// n, oldest first, waiting for at least want of them.
func mailedSignLinks(t testing.TB, s *testenv.Stack, address, n string, want int) []string {
	t.Helper()
	var links []string
	require.Eventually(t, func() bool {
		links = nil
		for _, m := range s.Mailbox(t) {
			if m.Recipient == address && strings.Contains(m.Subject+m.Text, n) {
				if l := signLinkPattern.FindString(m.Text); l != "" {
					links = append(links, l)
				}
			}
		}
		return len(links) >= want
	}, 20*time.Second, 50*time.Millisecond, "no signing link mailed to %s", address)
	return links
}

// mailedCodeTo is the newest one-time code mailed to address about n.
func mailedCodeTo(t testing.TB, s *testenv.Stack, address, n string) string {
	t.Helper()
	code := ""
	for _, m := range s.Mailbox(t) {
		if m.Recipient == address && strings.Contains(m.Subject+m.Text, n) {
			if c := regexp.MustCompile(`\b\d{6}\b`).FindString(m.Subject); c != "" {
				code = c
			}
		}
	}
	require.NotEmpty(t, code)
	return code
}

// browse is a browser's GET of a page (Accept as Chromium sends it).
func (v *visitor) browse(path string) page {
	v.t.Helper()
	req, err := http.NewRequest(http.MethodGet, v.s.URL+path, nil)
	require.NoError(v.t, err)
	req.Header.Set("Accept", browserAccept)
	return v.do(req)
}

const customerEmail = "wang.jianguo@xingchen.example"

func signatures(t testing.TB, s *testenv.Stack, n string) int {
	return count(t, s, `SELECT count(*) FROM signatures WHERE contract_number = $1`, n)
}

func signingEvents(t testing.TB, s *testenv.Stack, n string) int {
	return count(t, s, `SELECT count(*) FROM signing_events WHERE contract_number = $1`, n)
}

// TestSigningPagesWithoutScript: the executive signs on the contract page
// signed in (refused without consent, in place), then the customer opens
// the mailed link in a browser: the page (hostile text escaped), the
// document frame, JSON still for API clients, cross-origin posts refused,
// a signature without consent refused in place, the signature, the done
// page, and the used link's page.
func TestSigningPagesWithoutScript(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	hostile := `<script>alert("x")</script>星辰采购`
	n := approvedContract(t, s, hostile)
	apiCall(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", nil)

	// Sales may read the contract but is no signer: no form.
	sales := newVisitor(t, s)
	sales.signIn("sales")
	assert.NotContains(t, sales.get("/contracts/"+n).Body, `data-testid="my-signature"`)

	exec := newVisitor(t, s)
	exec.signIn("executive")
	home := exec.get("/")
	assert.Contains(t, home.Body, `data-testid="to-sign"`, "待我签署 on the home page")
	assert.Contains(t, home.Body, `href="/contracts/`+n+`#sign-`)
	assert.NotContains(t, sales.get("/").Body, `data-testid="to-sign"`, "sales signs nothing")
	cp := exec.get("/contracts/" + n)
	require.Equal(t, http.StatusOK, cp.Status)
	require.Contains(t, cp.Body, `data-testid="my-signature"`)
	action := regexp.MustCompile(`action="(/contracts/` + n + `/signers/[^/"]+)/sign"`).FindStringSubmatch(cp.Body)
	require.NotNil(t, action, cp.Body)
	assert.Contains(t, cp.Body, action[1]+`/decline"`)
	assert.NotContains(t, cp.Body, hostile)

	// Without consent: 400 naming consent, on the contract page, nothing signed.
	r := exec.post(action[1]+"/sign", url.Values{"request_id": {"exec-1"}})
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, r.Body, "<b>consent</b>")
	assert.Contains(t, r.Body, `data-testid="my-signature"`)
	assert.Equal(t, 0, signatures(t, s, n))
	// Declining needs a reason, as the API's route.
	r = exec.post(action[1]+"/decline", url.Values{"reason": {"  "}})
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, r.Body, "<b>reason</b>")
	// A form from another site is refused before anything is read.
	r = exec.post(action[1]+"/sign", url.Values{"consent": {"1"}}, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, r.Status)
	assert.Equal(t, 0, signatures(t, s, n))

	r = exec.post(action[1]+"/sign", url.Values{"consent": {"1"}, "request_id": {"exec-2"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	assert.Equal(t, "/contracts/"+n+"?signed=1", r.Location)
	assert.Equal(t, 1, signatures(t, s, n))
	after := exec.get(r.Location)
	assert.NotContains(t, after.Body, `data-testid="my-signature"`, "signed: no form any more")
	assert.Contains(t, after.Body, "已提交您的签署意见")
	assert.NotContains(t, exec.get("/").Body, `data-testid="to-sign"`, "nothing left to sign")

	link := mailedSignLinks(t, s, customerEmail, n, 1)[0]
	customer := newVisitor(t, s)

	// API clients keep their JSON: no Accept, */*, or JSON asked for.
	for _, accept := range []string{"", "*/*", "application/json", "application/json, text/html"} {
		req, err := http.NewRequest(http.MethodGet, s.URL+link, nil)
		require.NoError(t, err)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		p := customer.do(req)
		require.Equal(t, http.StatusOK, p.Status, accept)
		assert.Contains(t, p.Header.Get("Content-Type"), "application/json", accept)
		var view struct {
			DocumentSHA256 string `json:"document_sha256"`
			Title          string `json:"title"`
		}
		require.NoError(t, json.Unmarshal([]byte(p.Body), &view), accept)
		assert.Equal(t, hostile, view.Title)
	}

	pg := customer.browse(link)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Header.Get("Content-Type"), "text/html")
	assert.Contains(t, pg.Header.Get("Content-Security-Policy"), "script-src 'self'")
	assert.Equal(t, "no-store", pg.Header.Get("Cache-Control"))
	assert.Equal(t, "no-referrer", pg.Header.Get("Referrer-Policy"))
	assert.NotContains(t, pg.Body, hostile, "the title is escaped")
	assert.Contains(t, pg.Body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;星辰采购")
	for _, want := range []string{
		"示例科技有限公司", "上海星辰科技有限公司", "CNY 50,000.00", "大写：伍万元整", "王建国",
		`data-testid="sign-signers"`, "已签署", "待签署",
		`<iframe class="document" src="/signing/` + strings.TrimPrefix(link, "/sign/") + `/document" sandbox="allow-scripts"`,
		`<form method="post" action="` + link + `" class="form" data-sign-form>`, `name="signer_name"`, `name="consent" value="1" required`,
		`action="` + link + `/decline"`, `name="reason"`,
	} {
		assert.Contains(t, pg.Body, want)
	}
	assert.NotContains(t, pg.Body, `data-testid="code-step"`, "this round asks for no code")
	assert.NotContains(t, pg.Body, `name="csrf_token"`, "no session: the cross-origin check guards the forms")

	doc := customer.get("/signing/" + strings.TrimPrefix(link, "/sign/") + "/document")
	require.Equal(t, http.StatusOK, doc.Status)
	assert.Contains(t, doc.Header.Get("Content-Security-Policy"), "sandbox")
	assert.Contains(t, doc.Body, "第1条 合同标的")
	assert.NotContains(t, doc.Body, hostile)

	// Forms from elsewhere are refused, nothing written.
	events := signingEvents(t, s, n)
	for _, h := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
		r := customer.post(link, url.Values{"signer_name": {"王建国"}, "consent": {"1"}}, h...)
		assert.Equal(t, http.StatusForbidden, r.Status, h)
		assert.Contains(t, r.Body, "请求来源校验失败")
		r = customer.post(link+"/decline", url.Values{"reason": {"no"}}, h...)
		assert.Equal(t, http.StatusForbidden, r.Status, h)
	}
	assert.Equal(t, events, signingEvents(t, s, n))
	assert.Equal(t, 1, signatures(t, s, n))

	// No consent: 400 on the page itself, with what was typed; nothing signed.
	r = customer.post(link, url.Values{"signer_name": {"王建国<b>"}, "request_id": {"c-1"}})
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, r.Body, "<b>consent</b>")
	assert.Contains(t, r.Body, `value="王建国&lt;b&gt;"`)
	assert.Contains(t, r.Body, `data-testid="sign-page"`)
	assert.Equal(t, 1, signatures(t, s, n))
	r = customer.post(link+"/decline", url.Values{"reason": {" "}})
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, r.Body, "<b>reason</b>")
	assert.Equal(t, events, signingEvents(t, s, n), "refusals write nothing")

	done := customer.post(link, url.Values{"signer_name": {"王建国"}, "consent": {"1"}, "request_id": {"c-2"}})
	require.Equal(t, http.StatusOK, done.Status, done.Body)
	assert.Contains(t, done.Body, `data-testid="sign-done"`)
	assert.Contains(t, done.Body, "合同已生效")
	assert.Equal(t, 2, signatures(t, s, n))
	require.Eventually(t, func() bool {
		return count(t, s, `SELECT count(*) FROM contracts WHERE number = $1 AND status = 'active'`, n) == 1
	}, 20*time.Second, 25*time.Millisecond)

	// The used link: its page, never JSON, saying whom to ask.
	used := customer.browse(link)
	assert.Equal(t, http.StatusGone, used.Status)
	assert.Contains(t, used.Header.Get("Content-Type"), "text/html")
	assert.Contains(t, used.Body, `data-state="used"`)
	assert.Contains(t, used.Body, "此签署链接已使用")
	assert.Contains(t, used.Body, "请联系发送方 "+salesName(t, s))
	// A form posted again on it gets the same page.
	again := customer.post(link, url.Values{"signer_name": {"王建国"}, "consent": {"1"}, "request_id": {"c-3"}})
	assert.Equal(t, http.StatusGone, again.Status)
	assert.Contains(t, again.Body, `data-state="used"`)
	assert.Equal(t, 2, signatures(t, s, n))
	// An unknown link is the 404 page.
	assert.Equal(t, http.StatusNotFound, customer.browse("/sign/"+strings.Repeat("A", 43)).Status)
}

// TestSigningPageCodesDeclineAndDeadLinks: a round asking for one-time
// codes shows the code step by the service's rules (cooldown, codes and
// tries left), a wrong code is refused in place, a replaced link says it
// was revoked (the sender corrected the signer), a link past its deadline says it expired, and declining
// with a reason ends the round.
func TestSigningPageCodesDeclineAndDeadLinks(t *testing.T) {
	testenv.RequireIntegration(t)
	clock := &testenv.Clock{}
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins(), testenv.WithClock(clock))
	customerFirst := map[string]any{
		"signers":      []map[string]any{{"party": "customer", "name": "王建国", "email": customerEmail, "group": 1}, {"party": "company", "user_id": "demo-executive", "group": 2}},
		"require_code": true,
	}
	n := approvedContract(t, s, "星辰验证码合同")
	apiCall(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", customerFirst)
	late := approvedContract(t, s, "星辰过期合同")
	apiCall(t, s, http.MethodPost, "/v1/contracts/"+late+"/send", "sales", map[string]any{"deadline_days": 3})
	first := mailedSignLinks(t, s, customerEmail, n, 1)[0]
	customer := newVisitor(t, s)

	pg := customer.browse(first)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, `data-testid="code-step"`)
	assert.Contains(t, pg.Body, `name="code"`)
	assert.Contains(t, pg.Body, "还可获取 5 次")
	assert.NotContains(t, pg.Body, "disabled")

	sent := customer.post(first+"/code", url.Values{"request_id": {"code-1"}})
	require.Equal(t, http.StatusOK, sent.Status, sent.Body)
	assert.Contains(t, sent.Body, "验证码已发送至 w***@xingchen.example")
	assert.Contains(t, sent.Body, "后可重新获取", "the cooldown is shown")
	assert.Contains(t, sent.Body, "还可获取 4 次")
	assert.Contains(t, sent.Body, "验证码还可尝试 5 次")
	assert.Regexp(t, `data-testid="send-code" disabled`, sent.Body)
	// Inside the cooldown a second code is refused in place (429).
	clock.Advance(10 * time.Second)
	soon := customer.post(first+"/code", url.Values{"request_id": {"code-2"}})
	assert.Equal(t, http.StatusTooManyRequests, soon.Status)
	assert.NotEmpty(t, soon.Header.Get("Retry-After"))
	assert.Contains(t, soon.Body, `data-testid="refusal"`)

	code := mailedCodeTo(t, s, customerEmail, n)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	bad := customer.post(first, url.Values{"signer_name": {"王建国"}, "consent": {"1"}, "code": {wrong}, "request_id": {"w-1"}})
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	assert.Contains(t, bad.Body, "<b>code</b>")
	assert.Contains(t, bad.Body, "验证码还可尝试 4 次")
	assert.Equal(t, 0, signatures(t, s, n))

	// The sender corrects the signer: the first link is revoked, a new one mailed.
	var st workflows.SigningState
	require.NoError(t, json.Unmarshal(apiCall(t, s, http.MethodGet, "/v1/contracts/"+n+"/signing", "sales", nil), &st))
	apiCall(t, s, http.MethodPut, "/v1/contracts/"+n+"/signers/"+st.Signers[0].ID, "sales", map[string]any{"name": "王建国", "email": customerEmail, "role": "采购总监"})
	links := mailedSignLinks(t, s, customerEmail, n, 2)
	second := links[len(links)-1]
	revoked := customer.browse(first)
	assert.Equal(t, http.StatusGone, revoked.Status)
	assert.Contains(t, revoked.Body, `data-state="voided"`)
	assert.Contains(t, revoked.Body, "此签署链接已被撤销")
	assert.Contains(t, revoked.Body, "请联系发送方 "+salesName(t, s))

	// Declining with a reason ends the round; the owner reads the reason.
	declined := customer.post(second+"/decline", url.Values{"reason": {"价格需要<再议>"}, "request_id": {"d-1"}})
	require.Equal(t, http.StatusOK, declined.Status, declined.Body)
	assert.Contains(t, declined.Body, "您已拒签")
	require.Eventually(t, func() bool {
		return count(t, s, `SELECT count(*) FROM contracts WHERE number = $1 AND status = 'approved'`, n) == 1
	}, 20*time.Second, 25*time.Millisecond)
	require.NoError(t, json.Unmarshal(apiCall(t, s, http.MethodGet, "/v1/contracts/"+n+"/signing", "sales", nil), &st))
	assert.Equal(t, "价格需要<再议>", st.Reason)

	// Past its deadline the other contract's link says it expired.
	lateLinks := mailedSignLinksAfterExec(t, s, late)
	clock.Advance(4 * 24 * time.Hour)
	expired := customer.browse(lateLinks)
	assert.Equal(t, http.StatusGone, expired.Status)
	assert.Contains(t, expired.Body, `data-state="expired"`)
	assert.Contains(t, expired.Body, "此签署链接已过期")
	assert.Contains(t, expired.Header.Get("Content-Type"), "text/html")
}

// mailedSignLinksAfterExec has the executive sign contract n over the API
// and returns the link then mailed to the customer.
func mailedSignLinksAfterExec(t testing.TB, s *testenv.Stack, n string) string {
	t.Helper()
	var st workflows.SigningState
	require.NoError(t, json.Unmarshal(apiCall(t, s, http.MethodGet, "/v1/contracts/"+n+"/signing", "sales", nil), &st))
	for _, sg := range st.Signers {
		if sg.UserID != "" {
			apiCall(t, s, http.MethodPost, "/v1/contracts/"+n+"/signers/"+sg.ID+"/sign", "executive", map[string]any{"consent": true})
		}
	}
	return mailedSignLinks(t, s, customerEmail, n, 1)[0]
}

// salesName is the demo sales person's name, who owns and sent the contracts.
func salesName(t testing.TB, s *testenv.Stack) string {
	t.Helper()
	var name string
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT name FROM users WHERE id = 'demo-sales'`).Scan(&name))
	return name
}
