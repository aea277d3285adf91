package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/outbound"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// Page tests run against a whole Signet (PostgreSQL, Temporal, worker,
// API and console on one engine) like the API's tests.
func TestMain(m *testing.M) {
	os.Exit(testenv.RunWithTemporal(m))
}

// page is what a browser got: status, headers and the HTML.
type page struct {
	Status int
	Header http.Header
	Body   string
	// Location is where a redirect points.
	Location string
}

// visitor is a browser without JavaScript: a cookie jar, no redirects
// followed unless asked, and the last form token it saw.
type visitor struct {
	t      testing.TB
	s      *testenv.Stack
	client *http.Client
	csrf   string
	lang   string
}

func newVisitor(t testing.TB, s *testenv.Stack) *visitor {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &visitor{t: t, s: s, lang: "zh-CN,zh;q=0.9", client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfPattern = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (v *visitor) do(req *http.Request) page {
	v.t.Helper()
	req.Header.Set("Accept-Language", v.lang)
	resp, err := v.client.Do(req)
	require.NoError(v.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(v.t, err)
	p := page{Status: resp.StatusCode, Header: resp.Header, Body: string(raw), Location: resp.Header.Get("Location")}
	if m := csrfPattern.FindStringSubmatch(p.Body); m != nil {
		v.csrf = m[1]
	}
	return p
}

func (v *visitor) get(path string) page {
	v.t.Helper()
	req, err := http.NewRequest(http.MethodGet, v.s.URL+path, nil)
	require.NoError(v.t, err)
	return v.do(req)
}

// post sends a form as a browser on the console's own page would (the
// form token added unless the form sets csrf_token), with extra headers.
func (v *visitor) post(path string, form url.Values, headers ...string) page {
	v.t.Helper()
	if _, set := form["csrf_token"]; !set && v.csrf != "" {
		form.Set("csrf_token", v.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, v.s.URL+path, strings.NewReader(form.Encode()))
	require.NoError(v.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// What a browser sends with a form's post (the signing link tells a
	// browser's form from curl -d by it).
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return v.do(req)
}

// signIn signs the visitor in as role's demo user and lands on home.
func (v *visitor) signIn(role string) {
	v.t.Helper()
	l := v.s.Logins[role]
	p := v.post("/login", url.Values{"login": {l.Login}, "password": {l.Password}})
	require.Equal(v.t, http.StatusSeeOther, p.Status, "sign in as %s: %s", role, p.Body)
	require.Equal(v.t, http.StatusOK, v.get("/").Status)
}

// api calls the JSON API with role's bearer token.
func apiCall(t testing.TB, s *testenv.Stack, method, path, role string, body any) []byte {
	t.Helper()
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.Tokens[role])
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Less(t, resp.StatusCode, 300, "%s %s as %s: %s", method, path, role, raw)
	return raw
}

// contractBody is a valid create request for the demo customer: one
// consulting line at amount fen, so finance joins the route at 100,000.00.
func contractBody(title string, amount int64) map[string]any {
	return map[string]any{
		"title": title, "customer_id": devstack.DemoCustomerID, "contact_id": devstack.DemoContactID,
		"template_id": devstack.DemoSalesTemplate, "currency": "CNY", "start_date": "2026-01-01", "end_date": "2026-12-31",
		"fields": map[string]any{"delivery_date": "2026-01-01", "delivery_place": "上海市浦东新区张江路88号",
			"payment_terms_days": 30, "payment_method": "银行转账"},
		"line_items": []map[string]any{{"product_id": devstack.DemoConsultingProduct, "quantity": "1", "unit_price": amount}},
	}
}

// submitted creates a contract through the API as sales and submits it;
// it returns the number.
func submitted(t testing.TB, s *testenv.Stack, title string, amount int64) string {
	t.Helper()
	var st workflows.ContractState
	require.NoError(t, json.Unmarshal(apiCall(t, s, http.MethodPost, "/v1/contracts", "sales", contractBody(title, amount)), &st))
	apiCall(t, s, http.MethodPost, "/v1/contracts/"+st.Contract.Number+"/submit", "sales", nil)
	return st.Contract.Number
}

// openTask waits for contract n's open task in role's inbox (a round
// opens its stages a moment after the submission returns) and returns it.
func openTask(t testing.TB, s *testenv.Stack, role, n string) store.InboxTask {
	t.Helper()
	var task store.InboxTask
	require.Eventually(t, func() bool {
		var box struct{ Items []store.InboxTask }
		require.NoError(t, json.Unmarshal(apiCall(t, s, http.MethodGet, "/v1/tasks?contract="+n, role, nil), &box))
		if len(box.Items) > 0 {
			task = box.Items[0]
		}
		return len(box.Items) > 0
	}, 20*time.Second, 25*time.Millisecond, "no task of %s reached %s", n, role)
	return task
}

// count runs a count(*) query.
func count(t testing.TB, s *testenv.Stack, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, s.Store.Pool().QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

// secondSales signs in the stack's second sales person, who owns nothing
// and holds no task.
func secondSales(t testing.TB, s *testenv.Stack) *visitor {
	t.Helper()
	ids := identity.New(s.Store, outbound.Guard{})
	require.NoError(t, ids.SetPassword(context.Background(), domain.User{ID: "demo-admin"}, testenv.SecondSales.ID, identity.PasswordInput{Password: "second-sales-pw"}))
	v := newVisitor(t, s)
	p := v.post("/login", url.Values{"login": {testenv.SecondSales.ID}, "password": {"second-sales-pw"}})
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	return v
}
