package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
)

// TestFormsRefuseCrossSiteRequests: a decision posted from another site
// (Sec-Fetch-Site or Origin saying so), or without the session's form
// token, is refused with 403 and records nothing; the same post from the
// console's own page is accepted.
func TestFormsRefuseCrossSiteRequests(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	n := submitted(t, s, "跨站测试合同", 50_000_00)
	task := openTask(t, s, "sales_manager", n)
	m := newVisitor(t, s)
	m.signIn("sales_manager")
	m.get("/tasks/" + task.ID)
	events := func() int { return count(t, s, `SELECT count(*) FROM contract_events WHERE contract_number = $1`, n) }
	before := events()
	decision := func() url.Values { return url.Values{"decision": {"approve"}, "opinion": {"同意"}} }
	for _, tc := range []struct {
		name    string
		form    url.Values
		headers []string
	}{
		{"another site says Sec-Fetch-Site", decision(), []string{"Sec-Fetch-Site", "cross-site"}},
		{"another origin", decision(), []string{"Origin", "https://evil.example"}},
		{"no form token", func() url.Values { f := decision(); f.Set("csrf_token", ""); return f }(), nil},
		{"another session's token", func() url.Values { f := decision(); f.Set("csrf_token", "x"+m.csrf[1:]); return f }(), nil},
	} {
		r := m.post("/tasks/"+task.ID+"/decision", tc.form, tc.headers...)
		assert.Equal(t, http.StatusForbidden, r.Status, tc.name)
		assert.Contains(t, r.Body, "请求来源校验失败", tc.name)
	}
	assert.Equal(t, before, events(), "nothing recorded")
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM approval_tasks WHERE id = $1 AND status = 'open'`, task.ID))
	r := m.post("/tasks/"+task.ID+"/decision", decision(), "Sec-Fetch-Site", "same-origin", "Origin", s.URL)
	assert.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	// Signing in from another site is refused too (login CSRF).
	l := s.Logins["sales"]
	assert.Equal(t, http.StatusForbidden, newVisitor(t, s).post("/login", url.Values{"login": {l.Login}, "password": {l.Password}}, "Sec-Fetch-Site", "cross-site").Status)
}

// TestHostileTextIsShownAsText: a title and an opinion holding markup are
// shown escaped on every page that shows them, and the document frame is
// Signet's own escaped rendering.
func TestHostileTextIsShownAsText(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	const title = `<script>alert("t")</script>采购合同`
	n := submitted(t, s, title, 50_000_00)
	task := openTask(t, s, "sales_manager", n)
	const opinion = `<img src=x onerror=alert(1)>请补充附件`
	apiCall(t, s, http.MethodPost, "/v1/tasks/"+task.ID+"/decision", "sales_manager", map[string]any{"decision": "request_changes", "opinion": opinion})
	sales := newVisitor(t, s)
	sales.signIn("sales")
	m := newVisitor(t, s)
	m.signIn("sales_manager")
	for _, tc := range []struct {
		v     *visitor
		path  string
		shows bool
	}{{m, "/tasks/" + task.ID, true}, {m, "/inbox?status=changes_requested", true}, {sales, "/contracts/" + n, true}, {sales, "/", false},
		{m, "/", false}, {sales, "/contracts", true}, {sales, "/contracts/" + n + "/document", true}} {
		r := tc.v.get(tc.path)
		require.Equal(t, http.StatusOK, r.Status, tc.path)
		assert.NotContains(t, r.Body, "<script>alert", tc.path)
		assert.NotContains(t, r.Body, "<img src=x", tc.path)
		if tc.shows {
			assert.Contains(t, r.Body, "&lt;script&gt;", tc.path)
		}
	}
	assert.Contains(t, sales.get("/contracts/"+n).Body, "&lt;img src=x onerror=alert(1)&gt;请补充附件")
	// Hostile query values are values: a 400 page or an empty ledger.
	for _, q := range []string{"customer=" + url.QueryEscape("' OR '1'='1"), "status=" + url.QueryEscape("<b>x</b>"), "sort=" + url.QueryEscape("number; DROP TABLE contracts")} {
		r := sales.get("/contracts?" + q)
		assert.Contains(t, []int{http.StatusOK, http.StatusBadRequest}, r.Status, q)
		assert.NotContains(t, r.Body, "<b>x</b>", q)
	}
}

// TestConsoleHeadersAndPlumbing: pages carry the console's own strict
// policy (scripts and styles only from its files, no framing), the API's
// answers keep theirs, static files are cached by version, unknown paths
// are the console's 404 page or, under the API's prefixes, the API's JSON.
func TestConsoleHeadersAndPlumbing(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	v := newVisitor(t, s)
	login := v.get("/login")
	require.Equal(t, http.StatusOK, login.Status)
	csp := login.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "form-action 'self'", "frame-ancestors 'none'"} {
		assert.Contains(t, csp, want)
	}
	assert.NotContains(t, csp, "unsafe-inline")
	assert.NotContains(t, csp, "unsafe-eval")
	assert.Equal(t, "DENY", login.Header.Get("X-Frame-Options"))
	assert.Equal(t, "nosniff", login.Header.Get("X-Content-Type-Options"))
	assert.Equal(t, "no-store", login.Header.Get("Cache-Control"))
	assert.NotContains(t, login.Body, "<script>", "no inline script")
	assert.NotContains(t, login.Body, " style=", "no inline style")

	css := v.get("/static/console.css")
	require.Equal(t, http.StatusOK, css.Status)
	assert.True(t, strings.HasPrefix(css.Header.Get("Content-Type"), "text/css"))
	assert.Equal(t, "public, max-age=86400", css.Header.Get("Cache-Control"))
	js := v.get("/static/htmx.min.js")
	assert.Contains(t, js.Body[:300], "htmx 2.0.11")
	assert.Equal(t, http.StatusNotFound, v.get("/static/nope.js").Status)

	page := v.get("/no/such/page")
	assert.Equal(t, http.StatusNotFound, page.Status)
	assert.True(t, strings.HasPrefix(page.Header.Get("Content-Type"), "text/html"))
	apiMissing := v.get("/v1/no/such/route")
	assert.Equal(t, http.StatusNotFound, apiMissing.Status)
	var body struct{ Error string }
	require.NoError(t, json.Unmarshal([]byte(apiMissing.Body), &body), apiMissing.Body)
	assert.Equal(t, "not_found", body.Error)
	assert.NotContains(t, apiMissing.Header.Get("Content-Security-Policy"), "script-src", "the API's own policy")
	// The API stays bearer-only: a console session opens no /v1 route.
	v.signIn("sales")
	assert.Equal(t, http.StatusUnauthorized, v.get("/v1/me").Status)
	assert.Equal(t, http.StatusMethodNotAllowed, v.get("/logout").Status)
}

// TestLanguageAndPassword: pages follow Accept-Language until the user
// chooses a language, which then wins on every device; a user changes
// their password on the account page (a wrong current one is named in
// place), which ends their other sessions but not this one.
func TestLanguageAndPassword(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	v := newVisitor(t, s)
	v.lang = "en-US,en;q=0.9,zh;q=0.5"
	assert.Contains(t, v.get("/login").Body, "Sign in")
	v.signIn("sales")
	home := v.get("/")
	assert.Contains(t, home.Body, `<html lang="en">`)
	assert.Contains(t, home.Body, "My open tasks")
	r := v.post("/account/language", url.Values{"language": {"zh-CN"}, "next": {"/inbox"}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	assert.Equal(t, "/inbox", r.Location)
	assert.Contains(t, v.get("/").Body, "我的待办", "the choice beats the browser")
	assert.Equal(t, http.StatusBadRequest, v.post("/account/language", url.Values{"language": {"fr"}}).Status)

	other := newVisitor(t, s)
	other.signIn("sales")
	l := s.Logins["sales"]
	bad := v.post("/account/password", url.Values{"current_password": {"wrong-one-here"}, "new_password": {"a-new-password-1"}, "confirm_password": {"a-new-password-1"}})
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	assert.Contains(t, bad.Body, "current_password")
	mismatch := v.post("/account/password", url.Values{"current_password": {l.Password}, "new_password": {"a-new-password-1"}, "confirm_password": {"a-new-password-2"}})
	assert.Equal(t, http.StatusBadRequest, mismatch.Status)
	assert.Contains(t, mismatch.Body, "两次输入的新密码不一致")
	ok := v.post("/account/password", url.Values{"current_password": {l.Password}, "new_password": {"a-new-password-1"}, "confirm_password": {"a-new-password-1"}})
	require.Equal(t, http.StatusSeeOther, ok.Status, ok.Body)
	assert.Contains(t, v.get(ok.Location).Body, "密码已修改")
	assert.Equal(t, http.StatusSeeOther, other.get("/").Status, "the other session ended")
	var n int
	require.NoError(t, s.Store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE user_id = 'demo-sales'`).Scan(&n))
	assert.Equal(t, 1, n)
	fresh := newVisitor(t, s)
	assert.Equal(t, http.StatusSeeOther, fresh.post("/login", url.Values{"login": {l.Login}, "password": {"a-new-password-1"}}).Status)
}
