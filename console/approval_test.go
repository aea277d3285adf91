package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
)

// TestApproverPathOverPages: without JavaScript, the sales manager finds
// the task in their inbox and on their home page, reads it (findings,
// route and why, document frame), is refused a rejection without an
// opinion in place (400, nothing recorded), approves with an opinion;
// finance approves; a decision on the closed task is refused with the
// workflow's reason in place; the contract page shows the route, every
// opinion and the timeline. Another sales person sees none of it (404
// pages), and legal has no ledger.
func TestApproverPathOverPages(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	n := submitted(t, s, "星辰数据平台采购合同", 150_000_00)
	task := openTask(t, s, "sales_manager", n)

	manager := newVisitor(t, s)
	manager.signIn("sales_manager")
	home := manager.get("/")
	assert.Contains(t, home.Body, "/tasks/"+task.ID, "home lists the open task")
	assert.Contains(t, home.Body, "剩余", "with its SLA countdown")
	box := manager.get("/inbox")
	require.Equal(t, http.StatusOK, box.Status)
	assert.Contains(t, box.Body, `href="/tasks/`+task.ID+`"`)
	assert.Contains(t, box.Body, "星辰数据平台采购合同")
	assert.Contains(t, box.Body, "CNY 150,000.00")

	tp := manager.get("/tasks/" + task.ID)
	require.Equal(t, http.StatusOK, tp.Status)
	for _, want := range []string{"风险提示", "审批路径与原因", `data-testid="stages"`, `data-testid="why"`, "变更内容", "历史审批意见",
		`<iframe class="document" src="/contracts/` + n + `/document" sandbox="allow-same-origin"`, `name="decision" value="approve"`, `name="request_id"`} {
		assert.Contains(t, tp.Body, want)
	}
	doc := manager.get("/contracts/" + n + "/document")
	require.Equal(t, http.StatusOK, doc.Status)
	assert.Contains(t, doc.Header.Get("Content-Security-Policy"), "sandbox")
	assert.Contains(t, doc.Header.Get("Content-Security-Policy"), "frame-ancestors 'self'")
	assert.Contains(t, doc.Body, "星辰数据平台采购合同")

	// Rejecting needs an opinion: refused in place, nothing recorded.
	events := count(t, s, `SELECT count(*) FROM contract_events WHERE contract_number = $1`, n)
	r := manager.post("/tasks/"+task.ID+"/decision", url.Values{"decision": {"reject"}, "opinion": {"  "}, "request_id": {"r-1"}})
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, r.Body, "opinion")
	assert.Contains(t, r.Body, `id="decision"`, "the task page again, with the panel")
	assert.Equal(t, events, count(t, s, `SELECT count(*) FROM contract_events WHERE contract_number = $1`, n))
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM approval_tasks WHERE id = $1 AND status = 'open'`, task.ID))

	// htmx gets the panel alone.
	frag := manager.post("/tasks/"+task.ID+"/decision", url.Values{"decision": {"bogus"}}, "HX-Request", "true", "HX-Target", "decision")
	assert.Equal(t, http.StatusBadRequest, frag.Status)
	assert.True(t, strings.HasPrefix(strings.TrimSpace(frag.Body), `<section class="card decision" id="decision">`), frag.Body)
	assert.NotContains(t, frag.Body, "<html")

	r = manager.post("/tasks/"+task.ID+"/decision", url.Values{"decision": {"approve"}, "opinion": {"同意，价格合理"}, "request_id": {"r-2"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	assert.Equal(t, "/inbox?done="+url.QueryEscape(task.ID), r.Location)
	assert.Contains(t, manager.get(r.Location).Body, "已提交您对 "+task.ID+" 的审批意见")

	// Deciding the same task again is refused by the round, in place.
	again := manager.post("/tasks/"+task.ID+"/decision", url.Values{"decision": {"approve"}, "request_id": {"r-3"}})
	assert.Contains(t, []int{http.StatusConflict, http.StatusUnprocessableEntity}, again.Status, again.Body)
	assert.Contains(t, again.Body, `data-testid="refusal"`)

	fin := openTask(t, s, "finance", n)
	finance := newVisitor(t, s)
	finance.signIn("finance")
	r = finance.post("/tasks/"+fin.ID+"/decision", url.Values{"decision": {"approve"}, "opinion": {"回款条件可接受"}, "request_id": {"f-1"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)

	sales := newVisitor(t, s)
	sales.signIn("sales")
	cp := sales.get("/contracts/" + n)
	require.Equal(t, http.StatusOK, cp.Status)
	for _, want := range []string{"已审批", "同意，价格合理", "回款条件可接受", `data-testid="timeline"`, "提交审批", "审批通过", `data-testid="round"`, "李娜 Li Na", "刘洋 Liu Yang"} {
		assert.Contains(t, cp.Body, want)
	}
	ledger := sales.get("/contracts?status=approved")
	require.Equal(t, http.StatusOK, ledger.Status)
	assert.Contains(t, ledger.Body, `href="/contracts/`+n+`"`)
	assert.NotContains(t, sales.get("/contracts?status=draft").Body, `href="/contracts/`+n+`"`)
	bad := sales.get("/contracts?status=nonsense")
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	assert.Contains(t, bad.Body, "status")
	assert.Equal(t, http.StatusBadRequest, sales.get("/contracts?bogus=1").Status, "an unknown filter is named, as the API does")

	// Someone who may not see it gets the 404 page for every page of it.
	legal := newVisitor(t, s)
	legal.signIn("legal")
	assert.Equal(t, http.StatusNotFound, legal.get("/contracts").Status, "legal reads no ledger")
	assert.NotContains(t, legal.get("/").Body, `href="/contracts"`, "nor is it in legal's nav")
	other := secondSales(t, s)
	for _, path := range []string{"/tasks/" + task.ID, "/contracts/" + n, "/contracts/" + n + "/document", "/tasks/nope", "/contracts/HT-2026-999999", "/nowhere"} {
		r := other.get(path)
		assert.Equal(t, http.StatusNotFound, r.Status, path)
		assert.Contains(t, r.Body, "页面不存在，或您无权查看", path)
		assert.NotContains(t, r.Body, "星辰", path)
	}
}

// TestSecondRoundShowsWhatChanged: after the manager asks for changes and
// sales revises and resubmits, the manager's new task shows the document
// against the version they saw, highlighted, and their earlier opinion.
func TestSecondRoundShowsWhatChanged(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	n := submitted(t, s, "修订测试合同", 50_000_00)
	first := openTask(t, s, "sales_manager", n)
	apiCall(t, s, http.MethodPost, "/v1/tasks/"+first.ID+"/decision", "sales_manager", map[string]any{"decision": "request_changes", "opinion": "请把价格调到六万"})
	apiCall(t, s, http.MethodPut, "/v1/contracts/"+n+"/content", "sales", contractBody("修订测试合同", 60_000_00))
	apiCall(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil)
	second := openTask(t, s, "sales_manager", n)
	require.NotEqual(t, first.ID, second.ID)

	m := newVisitor(t, s)
	m.signIn("sales_manager")
	tp := m.get("/tasks/" + second.ID)
	require.Equal(t, http.StatusOK, tp.Status)
	assert.Contains(t, tp.Body, "与您在第 1 轮看到的版本相比")
	assert.Contains(t, tp.Body, `<span class="op-del">- 合同总金额：人民币 50,000.00 元`)
	assert.Contains(t, tp.Body, `<span class="op-add">&#43; 合同总金额：人民币 60,000.00 元`)
	assert.Contains(t, tp.Body, "请把价格调到六万", "the earlier opinion")
	assert.Contains(t, m.get("/inbox?status=changes_requested").Body, `href="/tasks/`+first.ID+`"`, "the first task, decided, in its tab")
}

// TestLedgerPagesInTheURL: the ledger's page size, sort and cursor live in
// the URL, so the next page is a link that keeps the filters.
func TestLedgerPagesInTheURL(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	for i := 0; i < 3; i++ {
		apiCall(t, s, http.MethodPost, "/v1/contracts", "sales", contractBody("台账分页合同", int64(10_000_00*(i+1))))
	}
	v := newVisitor(t, s)
	v.signIn("finance")
	p := v.get("/contracts?status=draft&sort=amount&limit=2")
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, "CNY 10,000.00", "the smallest first")
	assert.Contains(t, p.Body, "CNY 20,000.00")
	assert.NotContains(t, p.Body, "CNY 30,000.00")
	next := nextLink.FindStringSubmatch(p.Body)
	require.NotNil(t, next, "a next page link")
	link := strings.ReplaceAll(next[1], "&amp;", "&")
	assert.Contains(t, link, "status=draft")
	assert.Contains(t, link, "sort=amount")
	assert.Contains(t, link, "cursor=")
	p2 := v.get(link)
	require.Equal(t, http.StatusOK, p2.Status)
	assert.Contains(t, p2.Body, "CNY 30,000.00")
	assert.NotContains(t, p2.Body, "CNY 10,000.00")
	assert.Contains(t, p2.Body, "第一页")
	assert.Nil(t, nextLink.FindStringSubmatch(p2.Body), "no page after the last")
}

var nextLink = regexp.MustCompile(`<a class="btn" href="([^"]+)" data-testid="next-page">`)
