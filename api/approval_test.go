package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/domain"
	inbox1 "github.com/signet-clm/signet/internal/inbox"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

func stageJSON(name, role string, extra map[string]any) map[string]any {
	s := map[string]any{"name": name, "role": role, "quorum": "any", "sla_hours": 24, "remind_after_hours": 8,
		"escalate_to": map[string]any{"role": "executive"}}
	if role == "executive" {
		s["escalate_to"] = map[string]any{"manager": true}
	}
	for k, v := range extra {
		s[k] = v
	}
	return s
}

// fourStages: a sales manager; finance (all of them) and legal at once;
// then an executive. Finance and legal only from 1,000,000 or with a
// non-standard clause.
func fourStages() map[string]any {
	return map[string]any{"id": "default", "name": "四级审批", "rules": []map[string]any{
		{"name": "manager always", "stages": []map[string]any{stageJSON("销售经理审批", "sales_manager", nil)}},
		{"name": "big deals", "when": map[string]any{"amount_at_least": 1_000_000}, "stages": []map[string]any{
			stageJSON("财务审批", "finance", map[string]any{"quorum": "all"}),
			stageJSON("法务审批", "legal", map[string]any{"parallel": true}),
			stageJSON("总经理审批", "executive", nil),
		}},
	}}
}

func TestFourStageApprovalKeepsItsPolicyVersionAndExplainsItself(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	today := time.Now().In(s.Loc).Format(time.DateOnly)

	// Bad policies are refused, naming the field.
	bad := fourStages()
	bad["rules"] = []map[string]any{{"name": "empty"}}
	assert.Equal(t, []string{"rules"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/approval-policies", "admin", bad)))
	for name, stage := range map[string]map[string]any{
		"zero SLA":     stageJSON("x", "finance", map[string]any{"sla_hours": 0, "remind_after_hours": 0}),
		"unknown role": stageJSON("x", "ceo", nil),
	} {
		p := fourStages()
		p["rules"] = []map[string]any{{"name": "r", "stages": []map[string]any{stage}}}
		assert.NotEmpty(t, fieldsOf(t, call(t, s, http.MethodPost, "/v1/approval-policies", "admin", p)), name)
	}
	cycle := fourStages()
	cycle["rules"] = []map[string]any{{"name": "r", "stages": []map[string]any{
		stageJSON("a", "finance", map[string]any{"escalate_to": map[string]any{"role": "legal"}}),
		stageJSON("b", "legal", map[string]any{"escalate_to": map[string]any{"role": "finance"}}),
	}}}
	assert.Equal(t, []string{"rules"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/approval-policies", "admin", cycle)))
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/approval-policies", "sales_manager", fourStages()), http.StatusForbidden)
	v1 := expect[map[string]any](t, call(t, s, http.MethodPost, "/v1/approval-policies", "admin", fourStages()), http.StatusCreated)
	assert.EqualValues(t, 1, v1["version"])

	// Legal is away: their tasks go to a second lawyer, marked delegated
	// (a delegate holds the delegator's role; the admin does not).
	assert.Equal(t, []string{"delegate_id"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/delegations", "legal",
		map[string]any{"delegate_id": "demo-legal", "starts_on": today, "ends_on": today})))
	_, err := s.Store.Pool().Exec(context.Background(), `UPDATE users SET active = false WHERE id = 'demo-auditor'`)
	require.NoError(t, err)
	assert.Equal(t, []string{"delegate_id"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/delegations", "legal",
		map[string]any{"delegate_id": "demo-auditor", "starts_on": today, "ends_on": today})))
	addUser(t, s, "legal.two", "吴律师 Wu", []string{"legal"}, "")
	expect[store.Delegation](t, call(t, s, http.MethodPost, "/v1/delegations", "legal",
		map[string]any{"delegate_id": "legal.two", "starts_on": today, "ends_on": today}), http.StatusCreated)

	state := create(t, s, newContract(1_200_000_00, "2026-01-01", "2026-12-31"))
	n := state.Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)

	// An edit to the policy now affects later submissions only.
	v2 := fourStages()
	v2["rules"] = []map[string]any{{"name": "manager only", "stages": []map[string]any{stageJSON("销售经理审批", "sales_manager", nil)}}}
	expect[map[string]any](t, call(t, s, http.MethodPost, "/v1/approval-policies", "admin", v2), http.StatusCreated)

	first := waitTask(t, s, "sales_manager", n)
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/tasks/"+first.ID+"/decision", "finance", map[string]any{"decision": "approve"}), http.StatusForbidden)
	approveAs(t, s, "sales_manager", n)
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/tasks/"+first.ID+"/decision", "sales_manager", map[string]any{"decision": "approve"}), http.StatusConflict)

	// Finance and legal run at once; legal's task went to the delegate.
	fin := waitTask(t, s, "finance", n)
	leg := waitTask(t, s, "legal.two", n)
	waiting := expect[contracts.View](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK)
	require.NotNil(t, waiting.Round, "the owner sees where the contract waits")
	var open []string
	for _, t := range waiting.Tasks {
		if t.Round == waiting.Round.Round && t.Status == domain.TaskOpen {
			open = append(open, t.AssigneeName)
		}
	}
	assert.ElementsMatch(t, []string{"刘洋 Liu Yang", "吴律师 Wu"}, open)
	assert.Equal(t, "demo-legal", leg.DelegatedFrom)
	assert.Equal(t, fin.OpenedAt, leg.OpenedAt, "parallel stages open together")
	assert.Empty(t, inbox(t, s, "legal", n), "the delegator's inbox stays empty")
	assert.Empty(t, inbox(t, s, "executive", n), "the executive waits for both")
	assert.Len(t, fin.DocumentSHA256, 64, "the inbox shows the document hash")

	detail := expect[inbox1.TaskDetail](t, call(t, s, http.MethodGet, "/v1/tasks/"+fin.ID, "finance", nil), http.StatusOK)
	assert.Equal(t, n, detail.Contract.Number)
	assert.Len(t, detail.Stages, 4)
	assert.Nil(t, detail.Changes, "first time finance sees it")
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/tasks/"+fin.ID, "sales2", nil), http.StatusNotFound)

	approveAs(t, s, "finance", n)
	approveAs(t, s, "legal.two", n)
	final := approveAs(t, s, "executive", n)
	assert.Equal(t, domain.StatusApproved, final.Status)

	why := expect[struct{ Items []inbox1.RoundView }](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/approval", "sales", nil), http.StatusOK)
	require.Len(t, why.Items, 1)
	round := why.Items[0]
	assert.Equal(t, 1, round.PolicyVersion, "the round kept the version it started with")
	assert.Equal(t, "approved", round.Outcome)
	require.Len(t, round.Route.Matches, 2)
	assert.True(t, round.Route.Matches[1].Matched)
	assert.Equal(t, "CNY 1200000.00", round.Route.Matches[1].Saw["amount"])
	assert.Len(t, round.Route.Stages, 4)
	assert.Len(t, round.Decisions, 4)
	for _, d := range round.Decisions {
		assert.Equal(t, domain.TaskApproved, d.Status, d.ID)
		assert.NotEmpty(t, d.DecidedByID, d.ID)
	}
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/approval", "sales2", nil), http.StatusNotFound)

	// A later submission uses version 2: the manager alone.
	later := create(t, s, newContract(1_200_000_00, "2026-01-01", "2026-12-31")).Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+later+"/submit", "sales", nil), http.StatusOK)
	assert.Equal(t, domain.StatusApproved, approveAs(t, s, "sales_manager", later).Status)
}

func TestRiskRulesFindingsBlockingAndChangesSinceLastSeen(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	rules := map[string]any{"rules": []map[string]any{
		{"id": "long-terms", "kind": "payment_terms", "field": "payment_terms_days", "max_days": 45, "severity": "medium"},
		{"id": "unlimited", "kind": "forbidden_phrase", "phrase": "无限连带责任", "severity": "high", "block": true},
		{"id": "warranty", "kind": "required_clause", "clause": "warranty", "severity": "low"},
	}}
	expect[errorBody](t, call(t, s, http.MethodPut, "/v1/risk-rules", "sales", rules), http.StatusForbidden)
	assert.Equal(t, []string{"rules[0].max_days"}, fieldsOf(t, call(t, s, http.MethodPut, "/v1/risk-rules", "legal",
		map[string]any{"rules": []map[string]any{{"id": "x", "kind": "payment_terms", "field": "f", "severity": "low"}}})))
	saved := expect[inbox1.RiskRules](t, call(t, s, http.MethodPut, "/v1/risk-rules", "legal", rules), http.StatusOK)
	assert.Equal(t, 1, saved.Version)

	// A blocking finding refuses the submission and changes nothing.
	blocked := newContract(100_00, "2026-01-01", "2026-12-31")
	blocked["fields"].(map[string]any)["delivery_place"] = "甲方承担无限连带责任的仓库"
	bn := create(t, s, blocked).Contract.Number
	r := call(t, s, http.MethodPost, "/v1/contracts/"+bn+"/submit", "sales", nil)
	assert.Contains(t, expect[errorBody](t, r, http.StatusUnprocessableEntity).Message, "无限连带责任")
	view := expect[struct{ Contract store.ContractRow }](t, call(t, s, http.MethodGet, "/v1/contracts/"+bn, "sales", nil), http.StatusOK)
	assert.Equal(t, domain.StatusDraft, view.Contract.Status)

	// Findings reach the approver; after changes are requested and the
	// draft edited, the approver sees what changed since their version.
	body := newContract(100_00, "2026-01-01", "2026-12-31")
	body["fields"].(map[string]any)["payment_terms_days"] = 90
	n := create(t, s, body).Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	task := waitTask(t, s, "sales_manager", n)
	detail := expect[inbox1.TaskDetail](t, call(t, s, http.MethodGet, "/v1/tasks/"+task.ID, "sales_manager", nil), http.StatusOK)
	assert.Equal(t, "medium", string(detail.Risk))
	var ids []string
	for _, f := range detail.Findings {
		ids = append(ids, f.RuleID)
	}
	assert.ElementsMatch(t, []string{"long-terms", "warranty"}, ids)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/tasks/"+task.ID+"/decision", "sales_manager",
		map[string]any{"decision": "request_changes", "opinion": "账期请缩短到30天"}), http.StatusOK)

	body["fields"].(map[string]any)["payment_terms_days"] = 30
	expect[workflows.ContractState](t, call(t, s, http.MethodPut, "/v1/contracts/"+n+"/content", "sales", body), http.StatusOK)
	state := expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	assert.Equal(t, 2, state.Round)
	second := waitTask(t, s, "sales_manager", n)
	detail = expect[inbox1.TaskDetail](t, call(t, s, http.MethodGet, "/v1/tasks/"+second.ID, "sales_manager", nil), http.StatusOK)
	require.NotNil(t, detail.Changes)
	assert.Equal(t, 1, detail.Changes.SinceRound)
	var removed, added []string
	for _, l := range detail.Changes.Lines {
		switch l.Op {
		case "-":
			removed = append(removed, l.Text)
		case "+":
			added = append(added, l.Text)
		}
	}
	assert.Equal(t, []string{"乙方应在收到甲方开具的增值税专用发票后90日内以银行转账方式支付货款。"}, removed)
	assert.Equal(t, []string{"乙方应在收到甲方开具的增值税专用发票后30日内以银行转账方式支付货款。"}, added)
	require.NotEmpty(t, detail.History, "earlier opinions are kept")
	assert.Equal(t, "账期请缩短到30天", detail.History[0].Opinion)

	counts := expect[inbox1.Inbox](t, call(t, s, http.MethodGet, "/v1/tasks?status=changes_requested", "sales_manager", nil), http.StatusOK)
	assert.Equal(t, 1, counts.Counts["changes_requested"])
	assert.Equal(t, 1, counts.Counts["open"])
	require.Len(t, counts.Items, 1)
	assert.Equal(t, task.ID, counts.Items[0].ID)
	assert.Equal(t, []string{"status"}, fieldsOf(t, call(t, s, http.MethodGet, "/v1/tasks?status=maybe", "sales_manager", nil)))
}

// The policies are listed, each at its newest version: the built-in
// default until an admin saves their own under its ID, then theirs.
func TestApprovalPoliciesAreListedAtTheirNewestVersion(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	list := func() []api.Policy {
		return expect[struct{ Items []api.Policy }](t, call(t, s, http.MethodGet, "/v1/approval-policies", "sales", nil), http.StatusOK).Items
	}
	before := list()
	require.Len(t, before, 1)
	assert.Equal(t, "default", before[0].ID)

	p := fourStages()
	expect[api.Policy](t, call(t, s, http.MethodPost, "/v1/approval-policies", "admin", p), http.StatusCreated)
	p["name"] = "四级审批（二版）"
	expect[api.Policy](t, call(t, s, http.MethodPost, "/v1/approval-policies", "admin", p), http.StatusCreated)
	other := fourStages()
	other["id"], other["name"] = "framework", "框架协议审批"
	expect[api.Policy](t, call(t, s, http.MethodPost, "/v1/approval-policies", "admin", other), http.StatusCreated)

	after := list()
	require.Len(t, after, 2)
	assert.Equal(t, "default", after[0].ID)
	assert.Equal(t, 2, after[0].Version)
	assert.Equal(t, "四级审批（二版）", after[0].Name)
	assert.Len(t, after[0].Rules, 2)
	assert.Equal(t, "framework", after[1].ID)
	assert.Equal(t, "框架协议审批", after[1].Name)
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/approval-policies", "", nil), http.StatusUnauthorized)
}
