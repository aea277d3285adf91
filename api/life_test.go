package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// withPlan is a 100,000.00 contract for start..end paid in two halves due
// on the given dates, with one delivery obligation.
func withPlan(start, end, due1, due2, obligationDue string) map[string]any {
	body := newContract(100_000_00, start, end)
	body["payment_plan"] = []map[string]any{
		{"title": "首付款", "amount": 50_000_00, "due_date": due1},
		{"title": "尾款", "amount": 50_000_00, "due_date": due2},
	}
	body["obligations"] = []map[string]any{{"title": "交付实施报告", "due_date": obligationDue}}
	return body
}

// TestDraftingTermsRefusals: a plan that does not add up, due dates
// outside the term and renewal notices longer than it are 400s naming the
// field, and nothing is written.
func TestDraftingTermsRefusals(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	before := countRows(t, s)
	for name, tc := range map[string]struct {
		edit   func(map[string]any)
		fields []string
	}{
		"a plan short of the total": {func(b map[string]any) {
			b["payment_plan"] = []map[string]any{{"title": "首付款", "amount": 50_000_00, "due_date": "2026-03-01"}}
		}, []string{"payment_plan"}},
		"a due date after the term": {func(b map[string]any) {
			b["payment_plan"].([]map[string]any)[1]["due_date"] = "2027-01-31"
		}, []string{"payment_plan[1].due_date"}},
		"a zero milestone": {func(b map[string]any) {
			b["payment_plan"].([]map[string]any)[0]["amount"] = 0
		}, []string{"payment_plan[0].amount"}},
		"an obligation before the term": {func(b map[string]any) {
			b["obligations"].([]map[string]any)[0]["due_date"] = "2025-12-31"
		}, []string{"obligations[0].due_date"}},
		"an obligation owner nobody is": {func(b map[string]any) {
			b["obligations"].([]map[string]any)[0]["owner_id"] = "ghost"
		}, []string{"obligations[0].owner_id"}},
		"a renewal notice longer than the term": {func(b map[string]any) {
			b["renewal"] = map[string]any{"auto_renew": true, "notice_days": []int{400, 30}}
		}, []string{"renewal.notice_days[0]"}},
	} {
		t.Run(name, func(t *testing.T) {
			body := withPlan("2026-01-01", "2026-12-31", "2026-03-01", "2026-12-01", "2026-06-30")
			tc.edit(body)
			assert.Equal(t, tc.fields, fieldsOf(t, call(t, s, http.MethodPost, "/v1/contracts", "sales", body)))
		})
	}
	assert.Equal(t, before, countRows(t, s), "nothing was written")
}

// TestRecordingPaymentsAndObligations: finance records an invoice and
// payments against a signed contract's milestones, partly and in full; an
// over-payment is refused with what is outstanding; the obligation's
// owner completes it with an attachment as evidence.
func TestRecordingPaymentsAndObligations(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	today := time.Now().In(s.Loc)
	d := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	live := driveToActive(t, s, withPlan(d(0), d(365), d(30), d(300), d(60)))
	n := live.Contract.Number
	require.Equal(t, domain.StatusActive, live.Status)
	require.Len(t, live.Contract.Plan, 2)
	first, second := live.Contract.Plan[0], live.Contract.Plan[1]
	assert.Equal(t, "首付款", first.Title)
	obligation := live.Contract.Obligations[0]
	assert.Equal(t, "demo-sales", obligation.OwnerID, "the drafter owns an obligation nobody else was named for")

	path := "/v1/contracts/" + n
	invoice := map[string]any{"milestone_id": first.ID, "invoice_number": "FP-2026-00012", "amount": 50_000_00, "issued_on": d(1)}
	st := expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/invoices", "finance", invoice), http.StatusOK)
	assert.Equal(t, int64(50_000_00), st.Contract.Plan[0].Invoiced)
	payment := func(id string, amount int64) map[string]any {
		return map[string]any{"milestone_id": id, "amount": amount, "received_on": d(0), "method": "银行转账", "reference": "招商银行 20260102-01"}
	}
	st = expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/payments", "finance", payment(first.ID, 20_000_00), "X-Request-ID", "pay-1"), http.StatusOK)
	assert.Equal(t, int64(20_000_00), st.Contract.Plan[0].Received)
	again := expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/payments", "finance", payment(first.ID, 20_000_00), "X-Request-ID", "pay-1"), http.StatusOK)
	assert.Equal(t, int64(20_000_00), again.Contract.Plan[0].Received, "a retried request records once")

	body := expect[errorBody](t, call(t, s, http.MethodPost, path+"/payments", "finance", payment(first.ID, 30_000_01)), http.StatusConflict)
	assert.Contains(t, body.Message, "30000.00", "the refusal says what is outstanding")
	expect[errorBody](t, call(t, s, http.MethodPost, path+"/payments", "sales", payment(first.ID, 1)), http.StatusForbidden)
	expect[errorBody](t, call(t, s, http.MethodPost, path+"/payments", "finance", payment("01960000-0000-7000-8000-0000000000ff", 1)), http.StatusNotFound)
	assert.Equal(t, []string{"amount"}, fieldsOf(t, call(t, s, http.MethodPost, path+"/payments", "finance", payment(first.ID, 0))))
	assert.Equal(t, []string{"received_on"}, fieldsOf(t, call(t, s, http.MethodPost, path+"/payments", "finance",
		map[string]any{"milestone_id": first.ID, "amount": 1, "received_on": "yesterday"})))
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/payments", "finance", payment(first.ID, 30_000_00)), http.StatusOK)

	milestones, err := s.Store.Milestones(t.Context(), n, 1)
	require.NoError(t, err)
	require.Len(t, milestones, 2)
	assert.Equal(t, int64(50_000_00), milestones[0].Received, "the projection holds both payments")
	assert.Equal(t, int64(50_000_00), milestones[0].Invoiced)
	assert.NotNil(t, milestones[0].PaidAt)
	assert.Equal(t, second.ID, milestones[1].ID)
	var payments int
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM payments WHERE contract_number = $1`, n).Scan(&payments))
	assert.Equal(t, 2, payments)

	// The obligation: progress, then done with its evidence.
	opath := path + "/obligations/" + obligation.ID
	expect[errorBody](t, call(t, s, http.MethodPatch, opath, "sales2", map[string]any{"progress": 10}), http.StatusNotFound)
	st = expect[workflows.ContractState](t, call(t, s, http.MethodPatch, opath, "sales", map[string]any{"progress": 60, "note": "已完成部署"}), http.StatusOK)
	assert.Equal(t, 60, st.Contract.Obligations[0].Progress)
	expect[errorBody](t, call(t, s, http.MethodPatch, opath, "sales", map[string]any{"progress": 100, "complete": true}), http.StatusUnprocessableEntity)
	expect[errorBody](t, call(t, s, http.MethodPatch, opath, "sales", map[string]any{"progress": 100, "complete": true,
		"evidence_id": "01960000-0000-7000-8000-0000000000ff"}), http.StatusNotFound)
	att := expect[struct{ ID string }](t, upload(t, s, n, "sales", "实施报告.pdf", []byte("%PDF-1.4 实施报告")), http.StatusCreated)
	st = expect[workflows.ContractState](t, call(t, s, http.MethodPatch, opath, "sales", map[string]any{"progress": 100, "complete": true, "evidence_id": att.ID}), http.StatusOK)
	require.NotNil(t, st.Contract.Obligations[0].CompletedAt)
	var evidence string
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT evidence_id::text FROM obligations WHERE id = $1`, obligation.ID).Scan(&evidence))
	assert.Equal(t, att.ID, evidence)

	events := expect[struct{ Items []domain.Event }](t, call(t, s, http.MethodGet, path+"/events", "auditor", nil), http.StatusOK)
	var kinds []string
	for _, e := range events.Items {
		kinds = append(kinds, e.Kind)
	}
	assert.Equal(t, []string{domain.EventInvoiceRecorded, domain.EventPaymentRecorded, domain.EventPaymentRecorded,
		domain.EventObligationUpdated, domain.EventObligationUpdated}, kinds[len(kinds)-5:])
	view := expect[contracts.View](t, call(t, s, http.MethodGet, path, "sales", nil), http.StatusOK)
	require.NotNil(t, view.Live)
	assert.Equal(t, domain.StatusActive, view.Live.Status, "still in its term with a milestone to pay")
}

// TestNothingChangesOnAnArchivedContract: a contract whose term is over
// expires at once; once its payments are in it completes, is archived,
// and refuses every change.
func TestNothingChangesOnAnArchivedContract(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	live := driveToActive(t, s, withPlan("2025-01-01", "2025-12-31", "2025-03-01", "2025-12-01", "2025-06-30"))
	n := live.Contract.Number
	path := "/v1/contracts/" + n
	for _, m := range live.Contract.Plan {
		expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/payments", "finance",
			map[string]any{"milestone_id": m.ID, "amount": m.Amount, "received_on": "2025-12-20"}), http.StatusOK)
	}
	expect[errorBody](t, call(t, s, http.MethodPost, path+"/archive", "sales", nil), http.StatusConflict)
	att := expect[struct{ ID string }](t, upload(t, s, n, "sales", "验收单.pdf", []byte("%PDF-1.4 验收")), http.StatusCreated)
	expect[workflows.ContractState](t, call(t, s, http.MethodPatch, path+"/obligations/"+live.Contract.Obligations[0].ID, "sales",
		map[string]any{"progress": 100, "complete": true, "evidence_id": att.ID}), http.StatusOK)
	require.Eventually(t, func() bool {
		row, err := s.Store.Contract(t.Context(), n)
		return err == nil && row.Status == domain.StatusCompleted
	}, 15*time.Second, 50*time.Millisecond, "term over, paid and delivered: completed")
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/archive", "sales", nil), http.StatusOK)
	for name, r := range map[string]response{
		"a payment": call(t, s, http.MethodPost, path+"/payments", "finance", map[string]any{"milestone_id": live.Contract.Plan[0].ID, "amount": 1, "received_on": "2026-01-05"}),
		"an invoice": call(t, s, http.MethodPost, path+"/invoices", "finance", map[string]any{"milestone_id": live.Contract.Plan[0].ID,
			"invoice_number": "FP-1", "amount": 1, "issued_on": "2026-01-05"}),
		"archiving again": call(t, s, http.MethodPost, path+"/archive", "sales", nil),
	} {
		t.Run(name, func(t *testing.T) {
			body := expect[errorBody](t, r, http.StatusConflict)
			assert.Contains(t, body.Message, "archived")
		})
	}
}

// TestAutoRenewalDraftsALinkedSuccessor: an auto-renewing contract whose
// term ends renews into a successor with the next term, the same
// customer and terms moved on, its own number and workflow, linked both
// ways.
func TestAutoRenewalDraftsALinkedSuccessor(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	today := time.Now().In(s.Loc)
	d := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	// A 40-day term that ended yesterday renews into one that started today.
	body := withPlan(d(-40), d(-1), d(-30), d(-5), d(-20))
	body["renewal"] = map[string]any{"auto_renew": true}
	live := driveToActive(t, s, body)
	n := live.Contract.Number
	var succ string
	require.Eventually(t, func() bool {
		row, err := s.Store.Contract(t.Context(), n)
		succ = row.SuccessorNumber
		return err == nil && row.Status == domain.StatusRenewed && succ != ""
	}, 20*time.Second, 50*time.Millisecond)
	assert.NotEqual(t, n, succ)

	var view contracts.View
	require.Eventually(t, func() bool {
		view = expect[contracts.View](t, call(t, s, http.MethodGet, "/v1/contracts/"+succ, "sales", nil), http.StatusOK)
		return view.Contract.Status == domain.StatusActive
	}, 20*time.Second, 50*time.Millisecond, "renewed straight into force by the auto-renewal clause")
	c := view.Contract
	assert.Equal(t, n, c.PredecessorNumber)
	assert.Equal(t, d(0), c.StartDate)
	assert.Equal(t, d(39), c.EndDate)
	assert.Equal(t, live.Contract.CustomerID, c.CustomerID)
	assert.Equal(t, live.Contract.Amount, c.Amount)
	require.NotNil(t, view.Live)
	require.Len(t, view.Live.Contract.Plan, 2)
	assert.Equal(t, d(10), view.Live.Contract.Plan[0].DueDate, "the plan moves on with the term")
	assert.Zero(t, view.Live.Contract.Plan[0].Received)
	assert.Equal(t, d(20), view.Live.Contract.Obligations[0].DueDate)
	doc := call(t, s, http.MethodGet, "/v1/contracts/"+succ+"/document?format=text", "sales", nil)
	require.Equal(t, http.StatusOK, doc.Status)
	assert.Contains(t, string(doc.Body), succ)
	end := today.AddDate(0, 0, 39)
	assert.Contains(t, string(doc.Body), fmt.Sprintf("%d年%d月%d日", end.Year(), end.Month(), end.Day()), "rendered with the new term")
	pipeline := expect[struct {
		Rows []struct {
			Number        string `json:"number"`
			RenewalStatus string `json:"renewal_status"`
		} `json:"rows"`
	}](t, call(t, s, http.MethodGet, "/v1/reports/renewals", "sales", nil), http.StatusOK)
	require.Len(t, pipeline.Rows, 1)
	assert.Equal(t, succ, pipeline.Rows[0].Number)
	assert.Equal(t, "auto", pipeline.Rows[0].RenewalStatus, "the pipeline knows it renews itself")
	events := expect[struct{ Items []domain.Event }](t, call(t, s, http.MethodGet, "/v1/contracts/"+succ+"/events", "sales", nil), http.StatusOK)
	require.Len(t, events.Items, 2)
	assert.Equal(t, domain.EventRenewalActivated, events.Items[1].Kind)
}

// TestTerminationMidTerm: the owner asks to terminate; the sales manager,
// then legal and finance approve; the contract ends that day with what is
// still owed listed, takes no more payments and can be archived.
func TestTerminationMidTerm(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	today := time.Now().In(s.Loc)
	d := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	live := driveToActive(t, s, withPlan(d(-30), d(335), d(-1), d(300), d(60)))
	n, path := live.Contract.Number, "/v1/contracts/"+live.Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/payments", "finance",
		map[string]any{"milestone_id": live.Contract.Plan[0].ID, "amount": 50_000_00, "received_on": d(0)}), http.StatusOK)

	terminate := func(role string, body map[string]any) response {
		return call(t, s, http.MethodPost, path+"/terminate", role, body)
	}
	good := map[string]any{"reason": "客户经营调整，双方协商解除", "effective_date": d(0)}
	assert.Equal(t, []string{"effective_date"}, fieldsOf(t, terminate("sales", map[string]any{"reason": "x", "effective_date": d(-1)})))
	assert.Equal(t, []string{"reason"}, fieldsOf(t, terminate("sales", map[string]any{"effective_date": d(0)})))
	expect[errorBody](t, terminate("sales", map[string]any{"reason": "x", "effective_date": d(400)}), http.StatusUnprocessableEntity)
	expect[errorBody](t, terminate("sales2", good), http.StatusNotFound)
	expect[errorBody](t, terminate("finance", good), http.StatusForbidden)

	st := expect[workflows.ContractState](t, terminate("sales", good), http.StatusOK)
	require.NotNil(t, st.Termination)
	assert.Equal(t, workflows.TerminationPending, st.Termination.Status)
	assert.Equal(t, domain.StatusActive, st.Status, "in force until the round decides")
	expect[errorBody](t, terminate("sales", good), http.StatusConflict)

	task := waitTask(t, s, "sales_manager", n)
	assert.Equal(t, "销售经理审批（终止）", task.StageName)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/tasks/"+task.ID+"/decision", "sales_manager",
		map[string]any{"decision": "approve", "opinion": "同意解除"}), http.StatusOK)
	for _, role := range []string{"legal", "finance"} {
		task := waitTask(t, s, role, n)
		expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/tasks/"+task.ID+"/decision", role,
			map[string]any{"decision": "approve"}), http.StatusOK)
	}
	var view contracts.View
	require.Eventually(t, func() bool {
		view = expect[contracts.View](t, call(t, s, http.MethodGet, path, "sales", nil), http.StatusOK)
		return view.Contract.Status == domain.StatusTerminated
	}, 15*time.Second, 50*time.Millisecond)
	require.NotNil(t, view.Live.Settlement)
	assert.Equal(t, int64(50_000_00), view.Live.Settlement.Outstanding, "the second half is still owed")
	require.Len(t, view.Live.Settlement.Milestones, 1)
	assert.Equal(t, "尾款", view.Live.Settlement.Milestones[0].Title)
	assert.Len(t, view.Live.Settlement.OpenObligations, 1)
	assert.Empty(t, view.Live.NextTimers, "a terminated contract waits for nothing")

	expect[errorBody](t, call(t, s, http.MethodPost, path+"/payments", "finance",
		map[string]any{"milestone_id": live.Contract.Plan[1].ID, "amount": 1, "received_on": d(0)}), http.StatusConflict)
	events := expect[struct{ Items []domain.Event }](t, call(t, s, http.MethodGet, path+"/events", "auditor", nil), http.StatusOK)
	last := events.Items[len(events.Items)-1]
	assert.Equal(t, domain.EventTerminated, last.Kind)
	assert.Contains(t, last.Opinion, "50000.00")
	approvalView := expect[struct {
		Items []struct {
			PolicyID string `json:"policy_id"`
		}
	}](t, call(t, s, http.MethodGet, path+"/approval", "sales", nil), http.StatusOK)
	assert.Equal(t, "termination", approvalView.Items[len(approvalView.Items)-1].PolicyID, "the round says which policy it followed")
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/archive", "sales", nil), http.StatusOK)
}

// TestAmendmentChangesAmountAndPlan: an active contract, half paid, is
// amended to a larger amount with a new plan; the amendment goes through
// approval and signing while the contract stays in force, then becomes
// version 2 with the payment carried over; both versions stay readable
// and comparable.
func TestAmendmentChangesAmountAndPlan(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	today := time.Now().In(s.Loc)
	d := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	original := withPlan(d(-10), d(355), d(-1), d(300), d(60))
	live := driveToActive(t, s, original)
	n, path := live.Contract.Number, "/v1/contracts/"+live.Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/payments", "finance",
		map[string]any{"milestone_id": live.Contract.Plan[0].ID, "amount": 50_000_00, "received_on": d(0)}), http.StatusOK)

	content := withPlan(d(-10), d(355), d(-1), d(300), d(60))
	content["line_items"] = []map[string]any{{"product_id": original["line_items"].([]map[string]any)[0]["product_id"], "quantity": "1", "unit_price": 120_000_00}}
	content["payment_plan"] = []map[string]any{
		{"title": "首付款", "amount": 50_000_00, "due_date": d(-1)},
		{"title": "扩容尾款", "amount": 70_000_00, "due_date": d(300)},
	}
	amend := func(role string, body map[string]any) response {
		return call(t, s, http.MethodPost, path+"/amendments", role, body)
	}
	shrunk := withPlan(d(-10), d(355), d(-1), d(300), d(60))
	shrunk["payment_plan"] = []map[string]any{{"title": "首付款", "amount": 30_000_00, "due_date": d(-1)}, {"title": "尾款", "amount": 70_000_00, "due_date": d(300)}}
	expect[errorBody](t, amend("sales", map[string]any{"reason": "x", "content": shrunk}), http.StatusUnprocessableEntity)
	badSum := withPlan(d(-10), d(355), d(-1), d(300), d(60))
	badSum["line_items"] = content["line_items"]
	assert.Equal(t, []string{"content.payment_plan"}, fieldsOf(t, amend("sales", map[string]any{"reason": "扩容", "content": badSum})))
	expect[errorBody](t, amend("sales2", map[string]any{"reason": "扩容", "content": content}), http.StatusNotFound)

	st := expect[workflows.ContractState](t, amend("sales", map[string]any{"reason": "客户扩容，金额调整为 120,000.00", "content": content}), http.StatusOK)
	require.NotNil(t, st.Amendment)
	assert.Equal(t, 2, st.Amendment.Version)
	assert.Equal(t, workflows.AmendmentInReview, st.Amendment.Status)
	assert.Equal(t, domain.StatusActive, st.Status, "the contract stays in force")
	expect[errorBody](t, amend("sales", map[string]any{"reason": "再改", "content": content}), http.StatusConflict)

	// Approvers see what the amendment changes in the version in force.
	task := waitTask(t, s, "sales_manager", n)
	detail := expect[struct {
		Changes struct {
			Fields []struct{ Field, From, To string }
		}
	}](t, call(t, s, http.MethodGet, "/v1/tasks/"+task.ID, "sales_manager", nil), http.StatusOK)
	var changedFields []string
	for _, f := range detail.Changes.Fields {
		changedFields = append(changedFields, f.Field)
	}
	assert.Contains(t, changedFields, "total")

	// Review: the policy runs over the new version (finance from 100,000).
	require.Eventually(t, func() bool {
		for _, role := range approvers {
			for _, task := range inbox(t, s, role, n) {
				call(t, s, http.MethodPost, "/v1/tasks/"+task.ID+"/decision", role, map[string]any{"decision": "approve"})
			}
		}
		live := expect[contracts.View](t, call(t, s, http.MethodGet, path, "sales", nil), http.StatusOK).Live
		return live.Amendment != nil && live.Amendment.Status == workflows.AmendmentApproved
	}, 20*time.Second, 50*time.Millisecond)
	var stages []string
	for _, task := range expect[contracts.View](t, call(t, s, http.MethodGet, path, "sales", nil), http.StatusOK).Tasks {
		if task.Round == st.Round {
			stages = append(stages, string(task.Role))
		}
	}
	assert.Contains(t, stages, "finance", "the amended amount brings finance in")

	st = expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/send", "sales", nil), http.StatusOK)
	assert.Equal(t, domain.StatusActive, st.Status)
	assert.Equal(t, workflows.AmendmentSigning, st.Amendment.Status)
	round := signingOf(t, s, n)
	assert.Equal(t, 2, round.Version, "the amendment is signed as version 2")
	for _, sg := range round.Signers {
		signAs(t, s, n, sg.ID, sg.Name)
	}
	var now workflows.ContractState
	require.Eventually(t, func() bool {
		view := expect[contracts.View](t, call(t, s, http.MethodGet, path, "sales", nil), http.StatusOK)
		now = *view.Live
		return view.Contract.Version == 2
	}, 15*time.Second, 50*time.Millisecond, "version 2 is recorded once signed")
	assert.Nil(t, now.Amendment)
	assert.Equal(t, int64(120_000_00), now.Contract.Amount)
	require.Len(t, now.Contract.Plan, 2)
	assert.Equal(t, int64(50_000_00), now.Contract.Plan[0].Received, "what was received carries over")
	assert.Equal(t, int64(70_000_00), now.Contract.Plan[1].Amount)
	row, err := s.Store.Contract(t.Context(), n)
	require.NoError(t, err)
	assert.Equal(t, 2, row.Version)
	assert.Equal(t, int64(120_000_00), row.Amount)
	ms, err := s.Store.Milestones(t.Context(), n, 2)
	require.NoError(t, err)
	assert.Equal(t, int64(50_000_00), ms[0].Received, "and the projection of version 2 says so")

	versions := expect[struct {
		Items []struct {
			Version int
			Current bool
		}
	}](t, call(t, s, http.MethodGet, path+"/versions", "sales", nil), http.StatusOK)
	require.Len(t, versions.Items, 2)
	assert.True(t, versions.Items[1].Current)
	v1 := expect[contracts.VersionView](t, call(t, s, http.MethodGet, path+"/versions/1", "sales", nil), http.StatusOK)
	assert.Equal(t, live.Contract.DocumentSHA256, v1.DocumentSHA256, "version 1 stays readable as signed")
	diff := expect[struct {
		Fields []struct{ Field, From, To string }
	}](t, call(t, s, http.MethodGet, path+"/diff?from=1&to=2", "sales", nil), http.StatusOK)
	changed := map[string][2]string{}
	for _, f := range diff.Fields {
		changed[f.Field] = [2]string{f.From, f.To}
	}
	assert.Equal(t, [2]string{"CNY 100000.00", "CNY 120000.00"}, changed["total"])
	assert.Contains(t, changed, "line_items[0]")
	expect[errorBody](t, call(t, s, http.MethodGet, path+"/versions/9", "sales", nil), http.StatusNotFound)
	assert.Equal(t, []string{"to"}, fieldsOf(t, call(t, s, http.MethodGet, path+"/diff?from=1", "sales", nil)))
	v := expect[esign.VerifyResult](t, call(t, s, http.MethodPost, "/v1/verify", "", map[string]any{"document_sha256": now.Contract.DocumentSHA256}), http.StatusOK)
	assert.True(t, v.Matches && v.SealsValid, "the amendment's signatures verify")

	// As of a day: what was in force then.
	past := expect[contracts.AsOf](t, call(t, s, http.MethodGet, path+"?as_of="+d(0), "sales", nil), http.StatusOK)
	assert.Equal(t, 2, past.Version)
	assert.Equal(t, domain.StatusActive, past.Status)
	assert.Equal(t, now.Contract.DocumentSHA256, past.DocumentSHA256)
	require.Len(t, past.Milestones, 2)
	assert.Equal(t, int64(50_000_00), past.Milestones[0].Received, "paid on version 1, counted on its place in version 2")
	assert.Equal(t, int64(120_000_00), past.Terms.Totals.Total)
	expect[errorBody](t, call(t, s, http.MethodGet, path+"?as_of="+d(-400), "sales", nil), http.StatusNotFound)
	assert.Equal(t, []string{"as_of"}, fieldsOf(t, call(t, s, http.MethodGet, path+"?as_of=soon", "sales", nil)))
	assert.Equal(t, []string{"at"}, fieldsOf(t, call(t, s, http.MethodGet, path+"?at="+d(0), "sales", nil)))
}

// TestDigestListsPaymentsDue: the owner's morning digest lists the unpaid
// milestones of their signed contracts falling due within its horizon.
func TestDigestListsPaymentsDue(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	today := time.Now().In(s.Loc)
	d := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	n := driveToActive(t, s, withPlan(d(0), d(365), d(5), d(300), d(60))).Contract.Number
	lines, err := s.Store.DigestLines(t.Context(), today, 30)
	require.NoError(t, err)
	var payments []string
	for _, l := range lines {
		if l.Section == "payments" && l.ContractNumber == n {
			assert.Equal(t, "demo-sales", l.UserID)
			assert.Equal(t, int64(50_000_00), l.Outstanding)
			payments = append(payments, l.What())
		}
	}
	assert.Equal(t, []string{"第1期 " + d(5) + " 到期"}, payments, "the milestone due in 5 days, not the one in 300")
}
