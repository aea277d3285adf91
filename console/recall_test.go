package console_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
)

// TestContractPageWithdraw: a contract waiting on approval offers its
// owner 撤回提交, confirming first; finance and another sales person are
// offered nothing and refused. A form from elsewhere is refused; the
// withdrawal takes the approver's task away and the draft is editable;
// a stale second withdrawal shows the workflow's refusal in place.
func TestContractPageWithdraw(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	sales := newVisitor(t, s)
	sales.signIn("sales")
	n := draftThroughForm(t, s, sales, "撤回测试合同")
	page := sales.get("/contracts/" + n)
	hasNot(t, page.Body, `data-testid="action-withdraw"`, "a draft has nothing to withdraw")
	apiCall(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil)
	task := openTask(t, s, "sales_manager", n)

	page = sales.get("/contracts/" + n)
	require.Equal(t, http.StatusOK, page.Status)
	assert.Regexp(t, `<details><summary class="btn" data-testid="action-withdraw">撤回提交</summary>`, page.Body, "confirms first")
	has(t, page.Body, "确定撤回")

	fin := newVisitor(t, s)
	fin.signIn("finance")
	fp := fin.get("/contracts/" + n)
	require.Equal(t, http.StatusOK, fp.Status)
	hasNot(t, fp.Body, `data-testid="action-withdraw"`)
	assert.Equal(t, http.StatusNotFound, fin.post("/contracts/"+n+"/withdraw", url.Values{}).Status)
	other := secondSales(t, s)
	other.get("/")
	assert.Equal(t, http.StatusNotFound, other.post("/contracts/"+n+"/withdraw", url.Values{}).Status)

	sales.get("/contracts/" + n)
	assert.Equal(t, http.StatusForbidden, sales.post("/contracts/"+n+"/withdraw", url.Values{}, "Sec-Fetch-Site", "cross-site").Status)
	noToken := url.Values{"csrf_token": {""}}
	assert.Equal(t, http.StatusForbidden, sales.post("/contracts/"+n+"/withdraw", noToken).Status)
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM contracts WHERE number = $1 AND status = 'in_review'`, n), "nothing withdrawn")

	r := sales.post("/contracts/"+n+"/withdraw", url.Values{"reason": {"<script>报价调整</script>"}, "request_id": {"withdraw-once"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	assert.Equal(t, "/contracts/"+n+"?done=withdraw", r.Location)
	page = sales.get(r.Location)
	has(t, page.Body, "已撤回提交，合同回到草稿。")
	has(t, page.Body, "&lt;script&gt;报价调整&lt;/script&gt;")
	hasNot(t, page.Body, "<script>报价调整")
	has(t, page.Body, `data-testid="action-submit"`)
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM approval_tasks WHERE id = $1 AND status = 'withdrawn'`, task.ID))

	// From the stale page: refused in place, 409.
	again := sales.post("/contracts/"+n+"/withdraw", url.Values{"request_id": {"withdraw-twice"}})
	assert.Equal(t, http.StatusConflict, again.Status)
	has(t, again.Body, `data-testid="action-refusal"`)
	has(t, again.Body, "未能撤回：")
	has(t, again.Body, "only a contract waiting on approval can be withdrawn")

	// The approver's task page refuses the decision with the reason.
	mgr := newVisitor(t, s)
	mgr.signIn("sales_manager")
	mgr.get("/tasks/" + task.ID)
	d := mgr.post("/tasks/"+task.ID+"/decision", url.Values{"decision": {"approve"}})
	assert.Equal(t, http.StatusConflict, d.Status)
	has(t, d.Body, "withdrawn with its submission")
}

// TestContractPageVoidSigning: a contract out for signature offers its
// owner 作废签署 with a required reason, confirming first; others are
// offered nothing and refused, a form from elsewhere is refused, a
// missing reason is named in place. Voided, the customer's link shows
// the revoked page, and the contract can be sent again.
func TestContractPageVoidSigning(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	sales := newVisitor(t, s)
	sales.signIn("sales")
	n := draftThroughForm(t, s, sales, "作废签署测试合同")
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
	page := sales.get("/contracts/" + n)
	hasNot(t, page.Body, `data-testid="action-void"`, "nothing is out for signature yet")
	apiCall(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", nil)
	link := mailedSignLinksAfterExec(t, s, n)

	page = sales.get("/contracts/" + n)
	assert.Regexp(t, `<details><summary class="btn danger" data-testid="action-void">作废签署</summary>`, page.Body, "confirms first")
	fin := newVisitor(t, s)
	fin.signIn("finance")
	hasNot(t, fin.get("/contracts/"+n).Body, `data-testid="action-void"`)
	assert.Equal(t, http.StatusNotFound, fin.post("/contracts/"+n+"/signing/void", url.Values{"reason": {"x"}}).Status)
	other := secondSales(t, s)
	other.get("/")
	assert.Equal(t, http.StatusNotFound, other.post("/contracts/"+n+"/signing/void", url.Values{"reason": {"x"}}).Status)

	sales.get("/contracts/" + n)
	assert.Equal(t, http.StatusForbidden, sales.post("/contracts/"+n+"/signing/void", url.Values{"reason": {"x"}}, "Sec-Fetch-Site", "cross-site").Status)
	noToken := url.Values{"reason": {"x"}, "csrf_token": {""}}
	assert.Equal(t, http.StatusForbidden, sales.post("/contracts/"+n+"/signing/void", noToken).Status)
	bad := sales.post("/contracts/"+n+"/signing/void", url.Values{"reason": {""}})
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	assert.Regexp(t, `<details open><summary class="btn danger" data-testid="action-void">`, bad.Body)
	has(t, bad.Body, "<b>reason</b>")
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM contracts WHERE number = $1 AND status = 'signing'`, n), "nothing voided")

	r := sales.post("/contracts/"+n+"/signing/void", url.Values{"reason": {"客户签字人变更"}, "request_id": {"void-once"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	page = sales.get(r.Location)
	has(t, page.Body, "本轮签署已作废，可重新发起签署。")
	has(t, page.Body, `data-testid="action-send"`)
	assert.Equal(t, 0, count(t, s, `SELECT count(*) FROM signatures WHERE contract_number = $1 AND voided_at IS NULL`, n), "the executive's signature no longer stands")
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM signatures WHERE contract_number = $1 AND voided_at IS NOT NULL`, n), "but is kept")

	again := sales.post("/contracts/"+n+"/signing/void", url.Values{"reason": {"再次作废"}, "request_id": {"void-twice"}})
	assert.Equal(t, http.StatusConflict, again.Status)
	has(t, again.Body, "未能作废签署：")
	has(t, again.Body, "no signing round open")

	// The customer's link is revoked.
	gone := newVisitor(t, s).browse(link)
	assert.Equal(t, http.StatusGone, gone.Status)
	has(t, gone.Body, `data-state="voided"`)
	has(t, gone.Body, "此签署链接已被撤销")
}
