package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/customers"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// addUser creates an account through the admin API and issues it a token,
// which call then uses under the account's ID.
func addUser(t *testing.T, s *testenv.Stack, id, name string, roles []string, manager string) {
	t.Helper()
	body := map[string]any{"id": id, "name": name, "email": id + "@test.signet.local", "roles": roles}
	if manager != "" {
		body["manager_id"] = manager
	}
	expect[store.Account](t, call(t, s, http.MethodPost, "/v1/users", "admin", body), http.StatusCreated)
	tok := expect[identity.IssuedToken](t, call(t, s, http.MethodPost, "/v1/tokens", "admin", map[string]any{"user_id": id, "label": "test"}), http.StatusCreated)
	s.Tokens[id] = tok.Token
}

// twoTeams is the organisation of the separation-of-duties tests: team A is
// the demo sales person under the demo sales manager (李娜), who now reports
// to a sales director; team B is a second manager with their own sales
// person and nobody above. The demo executive, finance and legal stay.
func twoTeams(t *testing.T, s *testenv.Stack) (customerB string) {
	t.Helper()
	addUser(t, s, "dir.wang", "王总监 Wang", []string{"sales_manager"}, "")
	expect[store.Account](t, call(t, s, http.MethodPatch, "/v1/users/demo-sales-manager", "admin", map[string]any{"manager_id": "dir.wang"}), http.StatusOK)
	addUser(t, s, "m2.zhao", "赵经理 Zhao", []string{"sales_manager"}, "")
	addUser(t, s, "s2.qian", "钱销售 Qian", []string{"sales"}, "m2.zhao")
	return expect[customers.Detail](t, call(t, s, http.MethodPost, "/v1/customers", "s2.qian",
		map[string]any{"name": "南京乙队客户有限公司", "tier": "B"}), http.StatusCreated).ID
}

// contractFor is a draft request for a customer without a contact.
func contractFor(customerID string, amount int64) map[string]any {
	body := newContract(amount, "2026-01-01", "2026-12-31")
	body["customer_id"] = customerID
	delete(body, "contact_id")
	return body
}

func draftAs(t *testing.T, s *testenv.Stack, who string, body map[string]any) string {
	t.Helper()
	return expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts", who, body), http.StatusCreated).Contract.Number
}

// roundTasks are every task of the contract as its owner reads them.
func roundTasks(t *testing.T, s *testenv.Stack, owner, n string) []domain.ApprovalTask {
	t.Helper()
	return expect[contracts.View](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, owner, nil), http.StatusOK).Tasks
}

func assignees(tasks []domain.ApprovalTask) []string {
	var ids []string
	for _, task := range tasks {
		ids = append(ids, task.AssigneeID)
	}
	return ids
}

// noticesAbout are the notices written for who that concern contract n.
func noticesAbout(t *testing.T, s *testenv.Stack, who, n string) []api.OutboxEntry {
	t.Helper()
	all := expect[struct{ Items []api.OutboxEntry }](t, call(t, s, http.MethodGet, "/v1/notifications", who, nil), http.StatusOK)
	var out []api.OutboxEntry
	for _, e := range all.Items {
		if strings.Contains(e.Key, n) {
			out = append(out, e)
		}
	}
	return out
}

func countOf(t *testing.T, s *testenv.Stack, query, n string) int {
	t.Helper()
	var c int
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), query, n).Scan(&c))
	return c
}

// TestSalesManagerStageGoesUpTheOwnersChain: in a two-team organisation a
// sales person's contract goes to their own manager only; the other team's
// manager gets no task, no notice and 404 on every task and on the
// contract. A sales manager's own contract goes to the manager above them,
// and never to themselves; with nobody above, the submission is refused
// with a 422 that names the stage, and nothing is written.
func TestSalesManagerStageGoesUpTheOwnersChain(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithMail())
	customerB := twoTeams(t, s)

	// Team A's contract: 李娜 alone, not her director, not team B.
	n := create(t, s, newContract(8_000_00, "2026-01-01", "2026-12-31")).Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	task := waitTask(t, s, "sales_manager", n)
	tasks := roundTasks(t, s, "sales", n)
	assert.Equal(t, []string{"demo-sales-manager"}, assignees(tasks), "the owner's nearest manager, alone")
	assert.Empty(t, inbox(t, s, "m2.zhao", n), "the other team's manager has no task")
	assert.Empty(t, inbox(t, s, "dir.wang", n), "the director above is not asked while the manager is")
	for _, other := range tasks {
		expect[errorBody](t, call(t, s, http.MethodGet, "/v1/tasks/"+other.ID, "m2.zhao", nil), http.StatusNotFound)
		expect[errorBody](t, call(t, s, http.MethodPost, "/v1/tasks/"+other.ID+"/decision", "m2.zhao", map[string]any{"decision": "approve"}), http.StatusNotFound)
	}
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "m2.zhao", nil), http.StatusNotFound)
	assert.Empty(t, noticesAbout(t, s, "m2.zhao", n), "no task.open notice reaches the other team")
	assert.Empty(t, noticesAbout(t, s, "dir.wang", n))
	opened := noticesAbout(t, s, "sales_manager", n)
	require.Len(t, opened, 1)
	assert.Equal(t, "task.open", opened[0].Kind)
	assert.Equal(t, domain.StatusApproved, approveAs(t, s, "sales_manager", n).Status)
	assert.Equal(t, task.ID, roundTasks(t, s, "sales", n)[0].ID)

	// Team B's contract: their manager, not 李娜.
	b := draftAs(t, s, "s2.qian", contractFor(customerB, 8_000_00))
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+b+"/submit", "s2.qian", nil), http.StatusOK)
	waitTask(t, s, "m2.zhao", b)
	assert.Equal(t, []string{"m2.zhao"}, assignees(roundTasks(t, s, "s2.qian", b)))
	assert.Empty(t, inbox(t, s, "sales_manager", b))

	// 李娜's own contract goes up to her director; she cannot decide it.
	own := draftAs(t, s, "sales_manager", newContract(8_000_00, "2026-01-01", "2026-12-31"))
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+own+"/submit", "sales_manager", nil), http.StatusOK)
	up := waitTask(t, s, "dir.wang", own)
	assert.Equal(t, []string{"dir.wang"}, assignees(roundTasks(t, s, "sales_manager", own)), "escalated past the owner to her manager")
	assert.Empty(t, inbox(t, s, "sales_manager", own))
	assert.Empty(t, inbox(t, s, "m2.zhao", own))
	r := call(t, s, http.MethodPost, "/v1/tasks/"+up.ID+"/decision", "sales_manager", map[string]any{"decision": "approve"})
	assert.Contains(t, expect[errorBody](t, r, http.StatusForbidden).Message, "own contract")
	assert.Equal(t, domain.StatusApproved, approveAs(t, s, "dir.wang", own).Status)

	// Team B's manager has nobody above: refused, naming the stage, and
	// nothing written (executives elsewhere do not count for this stage).
	mine := draftAs(t, s, "m2.zhao", contractFor(customerB, 8_000_00))
	auditBefore := countAudit(t, s)
	r = call(t, s, http.MethodPost, "/v1/contracts/"+mine+"/submit", "m2.zhao", nil)
	refusal := expect[errorBody](t, r, http.StatusUnprocessableEntity)
	assert.Contains(t, refusal.Message, "销售经理审批")
	assert.Contains(t, refusal.Message, "own contract")
	view := expect[contracts.View](t, call(t, s, http.MethodGet, "/v1/contracts/"+mine, "m2.zhao", nil), http.StatusOK)
	assert.Equal(t, domain.StatusDraft, view.Contract.Status)
	assert.Empty(t, view.Tasks)
	assert.Zero(t, countOf(t, s, `SELECT count(*) FROM approval_rounds WHERE contract_number = $1`, mine))
	assert.Zero(t, countOf(t, s, `SELECT count(*) FROM approval_tasks WHERE contract_number = $1`, mine))
	assert.Zero(t, countOf(t, s, `SELECT count(*) FROM contract_events WHERE contract_number = $1 AND kind = 'submitted'`, mine))
	assert.Equal(t, auditBefore, countAudit(t, s), "no audit entry: nothing was submitted")
}

// TestOpenTaskGrantsItsHolderTheContract: a stage of named users with only
// the sales role (one of them away, delegating to another sales person)
// reaches them in another team; each reads the contract, its document,
// its approval and the task, and decides, while their task is open, and
// the round closes. Once their task closes they are refused again (404),
// and the grant never let them change the contract. The owner, though
// named and delegated to, holds no task.
func TestOpenTaskGrantsItsHolderTheContract(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	twoTeams(t, s)
	addUser(t, s, "x.sun", "孙销售 Sun", []string{"sales"}, "m2.zhao")
	addUser(t, s, "y.li", "李销售 Li", []string{"sales"}, "m2.zhao")
	addUser(t, s, "z.zhou", "周销售 Zhou", []string{"sales"}, "m2.zhao")
	today := time.Now().In(s.Loc).Format(time.DateOnly)
	for who, to := range map[string]string{"x.sun": "y.li", "z.zhou": "demo-sales"} {
		expect[api.Delegation](t, call(t, s, http.MethodPost, "/v1/delegations", who,
			map[string]any{"delegate_id": to, "starts_on": today, "ends_on": today}), http.StatusCreated)
	}
	named := stageJSON("指定审批", "", map[string]any{"users": []string{"s2.qian", "x.sun", "demo-sales", "z.zhou"}, "quorum": "all"})
	delete(named, "role")
	expect[map[string]any](t, call(t, s, http.MethodPost, "/v1/approval-policies", "admin", map[string]any{
		"id": "default", "name": "指定人员审批", "rules": []map[string]any{{"name": "always", "stages": []map[string]any{
			stageJSON("销售经理审批", "sales_manager", nil), named,
		}}},
	}), http.StatusCreated)

	n := create(t, s, newContract(8_000_00, "2026-01-01", "2026-12-31")).Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	reads := []string{"/v1/contracts/" + n, "/v1/contracts/" + n + "/document", "/v1/contracts/" + n + "/approval",
		"/v1/contracts/" + n + "/versions", "/v1/contracts/" + n + "/events"}
	for _, who := range []string{"s2.qian", "y.li"} {
		for _, path := range reads {
			expect[errorBody](t, call(t, s, http.MethodGet, path, who, nil), http.StatusNotFound)
		}
	}
	approveAs(t, s, "sales_manager", n)

	mineS2 := waitTask(t, s, "s2.qian", n)
	mineY := waitTask(t, s, "y.li", n)
	assert.Equal(t, "x.sun", mineY.DelegatedFrom)
	var stage2 []domain.ApprovalTask
	for _, task := range roundTasks(t, s, "sales", n) {
		if task.Stage == 2 {
			stage2 = append(stage2, task)
		}
	}
	assert.ElementsMatch(t, []string{"s2.qian", "y.li"}, assignees(stage2), "the owner is named and delegated to, yet holds no task")
	assert.Empty(t, inbox(t, s, "sales", n))
	assert.Empty(t, inbox(t, s, "x.sun", n), "the delegator's task went to the delegate")

	for _, who := range []string{"s2.qian", "y.li"} {
		for _, path := range reads {
			r := call(t, s, http.MethodGet, path, who, nil)
			assert.Equal(t, http.StatusOK, r.Status, "%s reads %s while the task is open: %s", who, path, r.Body)
		}
		// Reading, not managing: the grant does not reach the contract's writes.
		expect[errorBody](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/cancel", who, map[string]any{"reason": "不要了"}), http.StatusNotFound)
		expect[errorBody](t, call(t, s, http.MethodPut, "/v1/contracts/"+n+"/content", who, newContract(1_00, "2026-01-01", "2026-12-31")), http.StatusNotFound)
	}
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "x.sun", nil), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales2", nil), http.StatusNotFound)
	detail := expect[map[string]any](t, call(t, s, http.MethodGet, "/v1/tasks/"+mineS2.ID, "s2.qian", nil), http.StatusOK)
	assert.Equal(t, n, detail["contract"].(map[string]any)["number"])
	// Only one's own task.
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/tasks/"+mineY.ID, "s2.qian", nil), http.StatusNotFound)

	// s2 decides; their grant ends with their task while the round waits for y.
	state := expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/tasks/"+mineS2.ID+"/decision", "s2.qian",
		map[string]any{"decision": "approve", "opinion": "同意"}), http.StatusOK)
	assert.Equal(t, domain.StatusInReview, state.Status)
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "s2.qian", nil), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/tasks/"+mineS2.ID, "s2.qian", nil), http.StatusNotFound)
	expect[contracts.View](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "y.li", nil), http.StatusOK)

	state = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/tasks/"+mineY.ID+"/decision", "y.li",
		map[string]any{"decision": "approve"}), http.StatusOK)
	assert.Equal(t, domain.StatusApproved, state.Status, "the round closes")
	for _, who := range []string{"s2.qian", "y.li"} {
		for _, path := range reads {
			expect[errorBody](t, call(t, s, http.MethodGet, path, who, nil), http.StatusNotFound)
		}
	}
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/tasks/"+mineY.ID, "y.li", nil), http.StatusNotFound)
	for _, task := range roundTasks(t, s, "sales", n) {
		assert.NotEqual(t, "demo-sales", task.AssigneeID)
		assert.NotEqual(t, "demo-sales", task.DecidedByID)
	}
}

// TestDelegationStaysWithinTheRole: a delegate must be active and hold the
// delegator's roles (400 naming delegate_id, nothing written); a task goes
// through a delegation only to someone holding the stage's role when it
// opens; a revoked delegation (DELETE, by its owner or an admin) redirects
// no new task.
func TestDelegationStaysWithinTheRole(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	twoTeams(t, s)
	today := time.Now().In(s.Loc).Format(time.DateOnly)
	addUser(t, s, "legal.gone", "离职法务 Gone", []string{"legal"}, "")
	expect[store.Account](t, call(t, s, http.MethodPatch, "/v1/users/legal.gone", "admin", map[string]any{"active": false}), http.StatusOK)
	delegation := func(to string) map[string]any {
		return map[string]any{"delegate_id": to, "starts_on": today, "ends_on": today}
	}

	before := countAudit(t, s)
	for _, to := range []string{"demo-admin", "demo-sales", "legal.gone", "ghost"} {
		assert.Equal(t, []string{"delegate_id"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/delegations", "legal", delegation(to))), to)
	}
	assert.Equal(t, []string{"delegate_id"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/delegations", "sales_manager", delegation("demo-sales"))),
		"a sales manager's tasks never go to a sales person")
	assert.Equal(t, []string{"delegate_id"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/delegations", "admin",
		map[string]any{"user_id": "demo-legal", "delegate_id": "demo-finance", "starts_on": today, "ends_on": today})))
	assert.Equal(t, before, countAudit(t, s), "nothing was written")
	assert.Empty(t, expect[struct{ Items []api.Delegation }](t, call(t, s, http.MethodGet, "/v1/delegations", "legal", nil), http.StatusOK).Items)

	// 李娜 is away: team B's manager, a sales manager too, stands in.
	d := expect[api.Delegation](t, call(t, s, http.MethodPost, "/v1/delegations", "sales_manager", delegation("m2.zhao")), http.StatusCreated)
	assert.Nil(t, d.RevokedAt)
	submit := func() (store.InboxTask, string) {
		t.Helper()
		n := create(t, s, newContract(8_000_00, "2026-01-01", "2026-12-31")).Contract.Number
		expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
		var task store.InboxTask
		var who string
		require.Eventually(t, func() bool {
			for _, w := range []string{"sales_manager", "m2.zhao"} {
				if tasks := inbox(t, s, w, n); len(tasks) > 0 {
					task, who = tasks[0], w
					return true
				}
			}
			return false
		}, 15*time.Second, 20*time.Millisecond, "no task of %s", n)
		// The stage's tasks are recorded together: one, in one inbox.
		assert.Len(t, roundTasks(t, s, "sales", n), 1)
		return task, who
	}

	task, who := submit()
	assert.Equal(t, "m2.zhao", who, "the delegation applies")
	assert.Equal(t, "demo-sales-manager", task.DelegatedFrom)

	// The delegate no longer holds the stage's role: the task stays put.
	expect[store.Account](t, call(t, s, http.MethodPatch, "/v1/users/m2.zhao", "admin", map[string]any{"roles": []string{"sales"}}), http.StatusOK)
	task, who = submit()
	assert.Equal(t, "sales_manager", who)
	assert.Empty(t, task.DelegatedFrom)
	expect[store.Account](t, call(t, s, http.MethodPatch, "/v1/users/m2.zhao", "admin", map[string]any{"roles": []string{"sales_manager"}}), http.StatusOK)

	// Revoked by its owner (nobody else's to revoke); twice is no change.
	expect[errorBody](t, call(t, s, http.MethodDelete, "/v1/delegations/"+d.ID, "m2.zhao", nil), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodDelete, "/v1/delegations/not-a-uuid", "sales_manager", nil), http.StatusNotFound)
	r := call(t, s, http.MethodDelete, "/v1/delegations/"+d.ID, "sales_manager", nil)
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Body)
	after := countAudit(t, s)
	r = call(t, s, http.MethodDelete, "/v1/delegations/"+d.ID, "admin", nil)
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Body)
	assert.Equal(t, after, countAudit(t, s), "revoking again writes nothing")
	list := expect[struct{ Items []api.Delegation }](t, call(t, s, http.MethodGet, "/v1/delegations", "sales_manager", nil), http.StatusOK).Items
	require.Len(t, list, 1)
	require.NotNil(t, list[0].RevokedAt)

	task, who = submit()
	assert.Equal(t, "sales_manager", who, "a revoked delegation redirects no new task")
	assert.Empty(t, task.DelegatedFrom)
}
