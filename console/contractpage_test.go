package console_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
)

// draftThroughForm saves the new-contract form as sales and returns the
// contract's number.
func draftThroughForm(t testing.TB, s *testenv.Stack, sales *visitor, title string) string {
	t.Helper()
	sales.get(newFormPath)
	r := sales.post("/contracts/new", draftForm(title))
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	return strings.TrimSuffix(strings.TrimPrefix(r.Location, "/contracts/"), "?created=1")
}

// activeThroughAPI takes draft n through review (every task approved as
// it opens), sends it and signs it as our executive and the customer.
func activeThroughAPI(t testing.TB, s *testenv.Stack, n string) {
	t.Helper()
	apiCall(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil)
	require.Eventually(t, func() bool {
		for _, role := range []string{"sales_manager", "finance", "legal", "executive"} {
			var box struct {
				Items []struct{ ID string }
			}
			require.NoError(t, json.Unmarshal(apiCall(t, s, http.MethodGet, "/v1/tasks?contract="+n, role, nil), &box))
			for _, task := range box.Items {
				apiCall(t, s, http.MethodPost, "/v1/tasks/"+task.ID+"/decision", role, map[string]any{"decision": "approve"})
			}
		}
		return count(t, s, `SELECT count(*) FROM contracts WHERE number = $1 AND status = 'approved'`, n) == 1
	}, 30*time.Second, 50*time.Millisecond)
	apiCall(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", nil)
	var round struct {
		Signers []struct{ ID, Party string }
	}
	require.NoError(t, json.Unmarshal(apiCall(t, s, http.MethodGet, "/v1/contracts/"+n+"/signing", "sales", nil), &round))
	for _, sg := range round.Signers {
		if sg.Party == "company" {
			apiCall(t, s, http.MethodPost, "/v1/contracts/"+n+"/signers/"+sg.ID+"/sign", "executive", map[string]any{"consent": true})
		}
	}
	link := mailedSignLinks(t, s, customerEmail, n, 1)[0]
	resp, err := http.Post(s.URL+link, "application/json", strings.NewReader(`{"signer_name":"王建国","consent":true}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Eventually(t, func() bool {
		return count(t, s, `SELECT count(*) FROM contracts WHERE number = $1 AND status = 'active'`, n) == 1
	}, 20*time.Second, 25*time.Millisecond)
}

// upload posts a file to the contract page's attachment form.
func (v *visitor) upload(path, name string, data []byte, headers ...string) page {
	v.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	require.NoError(v.t, w.WriteField("csrf_token", v.csrf))
	fw, err := w.CreateFormFile("file", name)
	require.NoError(v.t, err)
	_, err = fw.Write(data)
	require.NoError(v.t, err)
	require.NoError(v.t, w.Close())
	req, err := http.NewRequest(http.MethodPost, v.s.URL+path, &body)
	require.NoError(v.t, err)
	req.Header.Set("Content-Type", w.FormDataContentType())
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return v.do(req)
}

var milestoneOption = regexp.MustCompile(`<select name="milestone_id" data-testid="invoice-milestone"><option value="([0-9a-f-]{36})"`)

// TestContractPageBooksObligationsAttachments: on an active contract the
// page shows the next timers, the books, the obligations and the
// attachments. Finance records an invoice and a payment (a bad amount
// named in place, nothing written), and reverses the payment with a
// reason (红冲); sales uploads evidence and completes the obligation with
// it; the file downloads as an attachment. Forms from elsewhere are
// refused; sales may not record, another sales person sees nothing, an
// auditor sees no action at all.
func TestContractPageBooksObligationsAttachments(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	sales := newVisitor(t, s)
	sales.signIn("sales")
	n := draftThroughForm(t, s, sales, `<b>履约</b>测试合同`)
	activeThroughAPI(t, s, n)

	fin := newVisitor(t, s)
	fin.signIn("finance")
	fp := fin.get("/contracts/" + n)
	require.Equal(t, http.StatusOK, fp.Status)
	for _, want := range []string{`data-testid="timers"`, "回款逾期提醒", "合同到期", `data-testid="books"`, `data-testid="invoice-form"`, `data-testid="payment-form"`,
		`data-testid="obligations"`, "交付实施方案", `data-testid="attachments"`, `data-testid="versions"`, "&lt;b&gt;履约&lt;/b&gt;"} {
		has(t, fp.Body, want)
	}
	hasNot(t, fp.Body, "<b>履约</b>")
	hasNot(t, fp.Body, `data-testid="action-amend"`, "finance does not manage the contract")
	m := milestoneOption.FindStringSubmatch(fp.Body)
	require.NotNil(t, m)
	milestone := m[1]
	books := func() int {
		return count(t, s, `SELECT (SELECT count(*) FROM invoices WHERE contract_number = $1) + (SELECT count(*) FROM payments WHERE contract_number = $1)`, n)
	}

	// A bad amount: 400, named in the books section, the typed values kept.
	r := fin.post("/contracts/"+n+"/invoices", url.Values{"milestone_id": {milestone}, "invoice_number": {"FP-<001>"}, "amount": {"二万"}, "issued_on": {"2026-01-20"}})
	assert.Equal(t, http.StatusBadRequest, r.Status)
	has(t, r.Body, "<b>amount</b>")
	assert.Regexp(t, `<details open><summary class="btn" data-testid="record-invoice">`, r.Body)
	has(t, r.Body, `value="FP-&lt;001&gt;"`)
	assert.Equal(t, 0, books())
	// Forms from elsewhere, or without the token, are refused.
	valid := func() url.Values {
		return url.Values{"milestone_id": {milestone}, "invoice_number": {"FP-001"}, "amount": {"20,000.00"}, "issued_on": {"2026-01-20"}, "request_id": {"inv-1"}}
	}
	assert.Equal(t, http.StatusForbidden, fin.post("/contracts/"+n+"/invoices", valid(), "Sec-Fetch-Site", "cross-site").Status)
	noToken := valid()
	noToken.Set("csrf_token", "")
	assert.Equal(t, http.StatusForbidden, fin.post("/contracts/"+n+"/invoices", noToken).Status)
	assert.Equal(t, 0, books())
	// Sales may not record (the API's books roles): the 404 page.
	sales.get("/contracts/" + n)
	assert.Equal(t, http.StatusNotFound, sales.post("/contracts/"+n+"/invoices", valid()).Status)

	r = fin.post("/contracts/"+n+"/invoices", valid())
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	assert.Equal(t, "/contracts/"+n+"?done=invoice#books", r.Location)
	r = fin.post("/contracts/"+n+"/payments", url.Values{"milestone_id": {milestone}, "amount": {"20000"}, "received_on": {"2026-01-25"}, "method": {"银行转账"}, "reference": {"TX-9"}, "request_id": {"pay-1"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	fp = fin.get("/contracts/" + n + "?done=payment")
	has(t, fp.Body, "回款已登记")
	has(t, fp.Body, "FP-001")
	has(t, fp.Body, "TX-9")
	has(t, fp.Body, "CNY 20,000.00")
	assert.Equal(t, 2, books())
	rev := regexp.MustCompile(`action="(/contracts/` + n + `/payments/[^/"]+/reversal)"`).FindStringSubmatch(fp.Body)
	require.NotNil(t, rev)
	r = fin.post(rev[1], url.Values{"reason": {" "}})
	assert.Equal(t, http.StatusBadRequest, r.Status)
	has(t, r.Body, "<b>reason</b>")
	r = fin.post(rev[1], url.Values{"reason": {"金额录入错误"}, "request_id": {"rev-1"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	fp = fin.get("/contracts/" + n)
	has(t, fp.Body, "已红冲")
	has(t, fp.Body, "金额录入错误")
	assert.Equal(t, 3, books())
	// Reversing it again is the workflow's refusal, in place.
	again := fin.post(rev[1], url.Values{"reason": {"再次红冲"}, "request_id": {"rev-2"}})
	assert.Equal(t, http.StatusConflict, again.Status, again.Body)
	has(t, again.Body, "未能红冲回款")

	// Evidence uploaded, the obligation completed with it.
	sales.get("/contracts/" + n)
	assert.Equal(t, http.StatusForbidden, sales.upload("/contracts/"+n+"/attachments", "x.txt", []byte("x"), "Sec-Fetch-Site", "cross-site").Status)
	r = sales.upload("/contracts/"+n+"/attachments", `<img src=x onerror=alert(1)>方案.txt`, []byte("实施方案 v1"))
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	cp := sales.get("/contracts/" + n)
	has(t, cp.Body, "&lt;img src=x onerror=alert(1)&gt;方案.txt")
	hasNot(t, cp.Body, "<img src=x")
	file := regexp.MustCompile(`href="(/contracts/` + n + `/attachments/([0-9a-f-]+))" data-testid="attachment"`).FindStringSubmatch(cp.Body)
	require.NotNil(t, file)
	dl := sales.get(file[1])
	require.Equal(t, http.StatusOK, dl.Status)
	assert.Equal(t, "实施方案 v1", dl.Body)
	assert.Contains(t, dl.Header.Get("Content-Disposition"), "attachment")
	empty := sales.upload("/contracts/"+n+"/attachments", "empty.txt", nil)
	assert.Equal(t, http.StatusBadRequest, empty.Status)
	has(t, empty.Body, "未能上传附件")
	ob := regexp.MustCompile(`action="(/contracts/` + n + `/obligations/[^"]+)"`).FindStringSubmatch(cp.Body)
	require.NotNil(t, ob)
	r = sales.post(ob[1], url.Values{"complete": {"1"}, "request_id": {"ob-0"}})
	assert.Contains(t, []int{http.StatusBadRequest, http.StatusUnprocessableEntity}, r.Status, "completing needs evidence")
	r = sales.post(ob[1], url.Values{"complete": {"1"}, "evidence_id": {file[2]}, "note": {"已交付"}, "request_id": {"ob-1"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	cp = sales.get("/contracts/" + n)
	has(t, cp.Body, `value="100"`)
	has(t, cp.Body, "已交付")
	for _, want := range []string{`data-testid="action-amend"`, `data-testid="action-terminate"`, `data-testid="action-renew"`} {
		has(t, cp.Body, want)
	}
	hasNot(t, cp.Body, `data-testid="invoice-form"`)

	// An auditor reads it all and may do nothing.
	aud := newVisitor(t, s)
	aud.signIn("auditor")
	ap := aud.get("/contracts/" + n)
	require.Equal(t, http.StatusOK, ap.Status)
	has(t, ap.Body, "FP-001")
	hasNot(t, ap.Body, `data-testid="action-`)
	assert.NotRegexp(t, `<form method="post" action="/contracts/`, ap.Body)
	hasNot(t, ap.Body, `type="file"`)

	other := secondSales(t, s)
	for _, path := range []string{"/contracts/" + n, file[1], "/contracts/" + n + "/amend", "/contracts/" + n + "/renew"} {
		r := other.get(path)
		assert.Equal(t, http.StatusNotFound, r.Status, path)
		hasNot(t, r.Body, "履约", path)
	}
	other.get("/")
	assert.Equal(t, http.StatusNotFound, other.upload("/contracts/"+n+"/attachments", "x.txt", []byte("x")).Status)
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM attachments WHERE contract_number = $1`, n))
}

// has and hasNot check a page for text without printing the page.
func has(t testing.TB, body, want string, why ...any) {
	t.Helper()
	assert.True(t, strings.Contains(body, want), "missing %q %v", want, why)
}

func hasNot(t testing.TB, body, unwanted string, why ...any) {
	t.Helper()
	assert.False(t, strings.Contains(body, unwanted), "unwanted %q %v", unwanted, why)
}

// TestContractPageEditAmendRenewTerminate: a draft's edit is the
// new-contract form filled from its document (field errors in place,
// nothing saved; then saved); on the active contract amend is that form
// with a reason (required, named in place) and starts the amendment, a
// termination is refused in place while it is open, renew is a new
// draft for the next term, and two versions that cannot be compared are
// a 400 naming why. Nobody else reaches these forms.
func TestContractPageEditAmendRenewTerminate(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	sales := newVisitor(t, s)
	sales.signIn("sales")
	n := draftThroughForm(t, s, sales, "草稿编辑合同")
	page := sales.get("/contracts/" + n)
	has(t, page.Body, `href="/contracts/`+n+`/edit" data-testid="action-edit"`)
	hasNot(t, page.Body, `data-testid="action-amend"`)

	edit := sales.get("/contracts/" + n + "/edit")
	require.Equal(t, http.StatusOK, edit.Status)
	for _, want := range []string{`action="/contracts/` + n + `/edit"`, `name="mode" value="edit"`, `name="title" value="草稿编辑合同"`,
		`name="payment_plan[1].amount" value="30000.00"`, `name="line_items[0].unit_price" value="25000.00"`, `name="obligations[0].title" value="交付实施方案"`,
		`name="renewal.notice_days" value="60, 30"`, `value="warranty" checked`} {
		has(t, edit.Body, want)
	}
	other := secondSales(t, s)
	assert.Equal(t, http.StatusNotFound, other.get("/contracts/"+n+"/edit").Status)
	fin := newVisitor(t, s)
	fin.signIn("finance")
	assert.Equal(t, http.StatusNotFound, fin.get("/contracts/"+n+"/edit").Status)

	form := draftForm("草稿编辑合同（修订）")
	form.Set("mode", "edit")
	form.Set("number", n)
	form.Set("payment_plan[1].amount", "40,000.00")
	r := sales.post("/contracts/"+n+"/edit", form)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	has(t, r.Body, `action="/contracts/`+n+`/edit"`, "the edit form again")
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM contracts WHERE number = $1 AND title = '草稿编辑合同'`, n), "nothing saved")
	form = draftForm("草稿编辑合同（修订）")
	form.Set("request_key", "edit-1")
	r = sales.post("/contracts/"+n+"/edit", form)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	assert.Equal(t, "/contracts/"+n+"?done=edit", r.Location)
	has(t, sales.get(r.Location).Body, "草稿已更新")
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM contracts WHERE number = $1 AND title = '草稿编辑合同（修订）'`, n))

	activeThroughAPI(t, s, n)
	bad := sales.get("/contracts/" + n + "?from=1&to=x")
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	has(t, bad.Body, `data-testid="compare-error"`)
	same := sales.get("/contracts/" + n + "?from=1&to=1")
	assert.Equal(t, http.StatusOK, same.Status)
	has(t, same.Body, "两个版本没有差异")
	assert.Equal(t, http.StatusConflict, sales.get("/contracts/"+n+"/edit").Status, "an active contract is no draft")

	renew := sales.get("/contracts/" + n + "/renew")
	require.Equal(t, http.StatusOK, renew.Status)
	for _, want := range []string{`action="/contracts/new"`, `name="start_date" value="2027-01-01"`, `name="end_date" value="2027-12-31"`,
		`name="payment_plan[0].due_date" value="2027-01-31"`, n + " · 续签"} {
		has(t, renew.Body, want)
	}

	amend := sales.get("/contracts/" + n + "/amend")
	require.Equal(t, http.StatusOK, amend.Status)
	has(t, amend.Body, `name="reason"`)
	form = draftForm("草稿编辑合同（修订）")
	form.Set("mode", "amend")
	form.Set("request_key", "amend-1")
	form.Set("line_items[0].unit_price", "30,000.00")
	form.Set("payment_plan[1].amount", "40,000.00")
	r = sales.post("/contracts/"+n+"/amend", form)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.NotEmpty(t, errorBeside(r.Body, "reason"), "the reason is required, beside its input")
	form.Set("reason", "客户追加一项交付")
	r = sales.post("/contracts/"+n+"/amend", form)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	has(t, sales.get(r.Location).Body, "变更已提交审批")

	// Terminating: the reason is required; while the amendment is open,
	// the workflow refuses, in the actions card.
	sales.get("/contracts/" + n)
	r = sales.post("/contracts/"+n+"/terminate", url.Values{"reason": {""}, "effective_date": {"2026-12-20"}})
	assert.Equal(t, http.StatusBadRequest, r.Status)
	has(t, r.Body, "<b>reason</b>")
	r = sales.post("/contracts/"+n+"/terminate", url.Values{"reason": {"客户经营困难"}, "effective_date": {"2026-12-20"}, "request_id": {"term-1"}})
	assert.Equal(t, http.StatusConflict, r.Status)
	has(t, r.Body, "未能申请终止")
	has(t, r.Body, "amendment")
	assert.Equal(t, http.StatusNotFound, other.get("/contracts/"+n+"/amend").Status)
}

// TestTaskPageListsAttachments: the approver's task page lists the
// contract's files (hostile names shown as text) and the open task lets
// them download one; someone without the task gets the 404 page.
func TestTaskPageListsAttachments(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	sales := newVisitor(t, s)
	sales.signIn("sales")
	n := draftThroughForm(t, s, sales, "附件审阅合同")
	sales.get("/contracts/" + n)
	r := sales.upload("/contracts/"+n+"/attachments", `报价单<script>.txt`, []byte("报价 50,000"))
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	apiCall(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil)
	task := openTask(t, s, "sales_manager", n)
	m := newVisitor(t, s)
	m.signIn("sales_manager")
	tp := m.get("/tasks/" + task.ID)
	require.Equal(t, http.StatusOK, tp.Status)
	has(t, tp.Body, "报价单&lt;script&gt;.txt")
	hasNot(t, tp.Body, "报价单<script>")
	file := regexp.MustCompile(`href="(/contracts/` + n + `/attachments/[0-9a-f-]+)" data-testid="attachment"`).FindStringSubmatch(tp.Body)
	require.NotNil(t, file)
	dl := m.get(file[1])
	require.Equal(t, http.StatusOK, dl.Status)
	assert.Equal(t, "报价 50,000", dl.Body)
	assert.Equal(t, http.StatusNotFound, secondSales(t, s).get(file[1]).Status)
}
