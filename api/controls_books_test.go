package api_test

import (
	"context"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// Issue 15, the books: read scopes of the receivables, overflow-safe
// money, invoices and payments by reversal, archive freezing attachments,
// and an audit trail that says who.

// customerTotals is a customer page's totals as a client reads them.
type customerTotals struct {
	Totals []struct {
		Currency    string
		Contracts   int
		Amount      int64
		Invoiced    int64
		Received    int64
		Outstanding int64
	}
}

// TestCustomerPageAndReceivablesCountWhatIsSignedAndSeen: a customer's
// page shows a salesperson the totals of their own contracts only, not a
// colleague's on the same customer, with invoiced, received and
// outstanding; a draft with a payment plan overdue since the spring owes
// nothing there, in the aging or in the ledger's outstanding.
func TestCustomerPageAndReceivablesCountWhatIsSignedAndSeen(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	today := time.Now().In(s.Loc)
	d := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }

	// Signed: 100,000.00 in two halves, the first overdue, 20,000.00 of it
	// received.
	live := driveToActive(t, s, withPlan(d(-60), d(300), d(-10), d(200), d(30)))
	n := live.Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/invoices", "finance", map[string]any{
		"milestone_id": live.Contract.Plan[0].ID, "invoice_number": "FP-2026-0501", "amount": 50_000_00, "issued_on": d(-12)}), http.StatusOK)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/payments", "finance", map[string]any{
		"milestone_id": live.Contract.Plan[0].ID, "amount": 20_000_00, "received_on": d(-1)}), http.StatusOK)
	// A draft of the same salesperson, 30,000.00 all due months ago.
	draft := newContract(30_000_00, d(-200), d(100))
	draft["payment_plan"] = []map[string]any{{"title": "全款", "amount": 30_000_00, "due_date": d(-150)}}
	dn := create(t, s, draft).Contract.Number
	// The sales manager's own contract with the same customer: not the
	// salesperson's to see.
	mine := newContract(77_000_00, d(0), d(300))
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts", "sales_manager", mine), http.StatusCreated)

	page := expect[customerTotals](t, call(t, s, http.MethodGet, "/v1/customers/"+devstack.DemoCustomerID, "sales", nil), http.StatusOK)
	require.Len(t, page.Totals, 1)
	cny := page.Totals[0]
	assert.Equal(t, 2, cny.Contracts, "the salesperson's two contracts, not the manager's")
	assert.Equal(t, int64(100_000_00+30_000_00), cny.Amount)
	assert.Equal(t, int64(50_000_00), cny.Invoiced)
	assert.Equal(t, int64(20_000_00), cny.Received)
	assert.Equal(t, int64(80_000_00), cny.Outstanding, "the signed contract's; the draft owes nothing")

	manager := expect[customerTotals](t, call(t, s, http.MethodGet, "/v1/customers/"+devstack.DemoCustomerID, "sales_manager", nil), http.StatusOK)
	require.Len(t, manager.Totals, 1)
	assert.Equal(t, 3, manager.Totals[0].Contracts, "the manager sees the team's and their own")
	assert.Equal(t, int64(80_000_00), manager.Totals[0].Outstanding)

	aging := expect[struct {
		Totals []struct {
			Currency    string
			Outstanding int64
			Overdue     int64
			DaysOver90  int64 `json:"days_over_90"`
		}
	}](t, call(t, s, http.MethodGet, "/v1/reports/aging", "sales", nil), http.StatusOK)
	require.Len(t, aging.Totals, 1)
	assert.Equal(t, int64(80_000_00), aging.Totals[0].Outstanding)
	assert.Equal(t, int64(30_000_00), aging.Totals[0].Overdue, "only the signed milestone is overdue")
	assert.Zero(t, aging.Totals[0].DaysOver90, "the draft's milestone, 150 days past due, is owed by nobody")

	type ledgerRow struct {
		Number      string
		Outstanding int64
		Overdue     bool
	}
	ledger := expect[struct{ Items []ledgerRow }](t, call(t, s, http.MethodGet, "/v1/reports/ledger", "sales", nil), http.StatusOK)
	rows := map[string]ledgerRow{}
	for _, r := range ledger.Items {
		rows[r.Number] = r
	}
	assert.Equal(t, ledgerRow{n, 80_000_00, true}, rows[n])
	assert.Equal(t, ledgerRow{dn, 0, false}, rows[dn], "a draft owes nothing and is not overdue")
	overdue := expect[struct{ Items []ledgerRow }](t, call(t, s, http.MethodGet, "/v1/reports/ledger?overdue=true", "sales", nil), http.StatusOK)
	require.Len(t, overdue.Items, 1)
	assert.Equal(t, n, overdue.Items[0].Number)

	// An amendment in review to 120,000.00 owes nothing more until it is
	// signed and becomes the current version.
	content := withPlan(d(-60), d(300), d(-10), d(200), d(30))
	content["line_items"] = []map[string]any{{"product_id": devstack.DemoConsultingProduct, "quantity": "1", "unit_price": 120_000_00}}
	content["payment_plan"] = []map[string]any{
		{"title": "首付款", "amount": 50_000_00, "due_date": d(-10)},
		{"title": "扩容尾款", "amount": 70_000_00, "due_date": d(200)},
	}
	st := expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/amendments", "sales",
		map[string]any{"reason": "客户扩容", "content": content}), http.StatusOK)
	require.NotNil(t, st.Amendment)
	page = expect[customerTotals](t, call(t, s, http.MethodGet, "/v1/customers/"+devstack.DemoCustomerID, "sales", nil), http.StatusOK)
	assert.Equal(t, int64(80_000_00), page.Totals[0].Outstanding, "the amendment is not signed")
	ledger = expect[struct{ Items []ledgerRow }](t, call(t, s, http.MethodGet, "/v1/reports/ledger?owner=demo-sales&sort=number", "finance", nil), http.StatusOK)
	require.NotEmpty(t, ledger.Items)
	assert.Equal(t, ledgerRow{n, 80_000_00, true}, ledger.Items[0])
}

// TestMoneyThatWouldWrapIsRefusedAndTheReportsStillAnswer: two MaxInt64
// milestones and a third that wraps their sum to the total are a 400
// naming each amount, as are amounts above the maximum elsewhere, with
// nothing written; the ledger, aging, summary and CSV answer 200 after.
func TestMoneyThatWouldWrapIsRefusedAndTheReportsStillAnswer(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := create(t, s, newContract(100_00, "2026-01-01", "2026-12-31")).Contract.Number
	before := countRows(t, s)
	plans := countPlans(t, s)

	wrapping := newContract(100_000_00, "2026-01-01", "2026-12-31")
	wrapping["payment_plan"] = []map[string]any{
		{"title": "一", "amount": int64(math.MaxInt64), "due_date": "2026-03-01"},
		{"title": "二", "amount": int64(math.MaxInt64), "due_date": "2026-06-01"},
		{"title": "三", "amount": 100_000_00 + 2, "due_date": "2026-09-01"}, // 2×MaxInt64 wraps to −2
	}
	assert.Equal(t, []string{"payment_plan[0].amount", "payment_plan[1].amount"},
		fieldsOf(t, call(t, s, http.MethodPost, "/v1/contracts", "sales", wrapping)))
	just := newContract(100_000_00, "2026-01-01", "2026-12-31")
	just["payment_plan"] = []map[string]any{
		{"title": "一", "amount": 100_000_00, "due_date": "2026-03-01"},
		{"title": "二", "amount": domain.MaxAmount + 1, "due_date": "2026-06-01"},
	}
	assert.Equal(t, []string{"payment_plan[1].amount"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/contracts", "sales", just)))
	price := newContract(domain.MaxAmount+1, "2026-01-01", "2026-12-31")
	assert.Equal(t, []string{"line_items[0].unit_price"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/contracts", "sales", price)))
	assert.Equal(t, []string{"amount"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/invoices", "finance", map[string]any{
		"milestone_id": "01960000-0000-7000-8000-0000000000ff", "invoice_number": "FP-1", "amount": int64(math.MaxInt64), "issued_on": "2026-01-05"})))
	assert.Equal(t, []string{"amount"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/payments", "finance", map[string]any{
		"milestone_id": "01960000-0000-7000-8000-0000000000ff", "amount": domain.MaxAmount + 1, "received_on": "2026-01-05"})))
	assert.Equal(t, before, countRows(t, s), "nothing was written")
	assert.Equal(t, plans, countPlans(t, s), "no milestone was written")

	for _, path := range []string{"/v1/reports/ledger", "/v1/reports/aging", "/v1/reports/summary?group_by=owner", "/v1/reports/ledger?format=csv"} {
		for _, role := range []string{"sales", "finance"} {
			assert.Equal(t, http.StatusOK, call(t, s, http.MethodGet, path, role, nil).Status, "%s as %s", path, role)
		}
	}
}

func countPlans(t *testing.T, s *testenv.Stack) int {
	t.Helper()
	var n int
	require.NoError(t, s.Store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM payment_milestones`).Scan(&n))
	return n
}

// book is an invoice or a payment as GET …/invoices and …/payments list it.
type book struct {
	ID            string
	InvoiceNumber string `json:"invoice_number"`
	Amount        int64
	Reverses      string
	ReversedBy    string `json:"reversed_by"`
	Reason        string
}

// TestInvoicesAndPaymentsAsFinanceExpects: an invoice number is issued
// once per contract (409), a receipt dated after today is a 400, and an
// invoice or payment is corrected by a reversal that keeps the original:
// both are listed, the original marked reversed, the totals drop, and a
// second reversal is a 409.
func TestInvoicesAndPaymentsAsFinanceExpects(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	today := time.Now().In(s.Loc)
	d := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	live := driveToActive(t, s, withPlan(d(-30), d(300), d(10), d(200), d(60)))
	path := "/v1/contracts/" + live.Contract.Number
	first, second := live.Contract.Plan[0], live.Contract.Plan[1]
	invoice := func(m domain.Milestone, number string) response {
		return call(t, s, http.MethodPost, path+"/invoices", "finance", map[string]any{
			"milestone_id": m.ID, "invoice_number": number, "amount": 50_000_00, "issued_on": d(0)})
	}
	count := func(table string) int {
		var n int
		require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM `+table+` WHERE contract_number = $1`, live.Contract.Number).Scan(&n))
		return n
	}

	st := expect[workflows.ContractState](t, invoice(first, "FP-2026-0001"), http.StatusOK)
	assert.Equal(t, int64(50_000_00), st.Contract.Plan[0].Invoiced)
	body := expect[errorBody](t, invoice(second, "FP-2026-0001"), http.StatusConflict)
	assert.Contains(t, body.Message, "FP-2026-0001")
	assert.Equal(t, 1, count("invoices"), "the reused number wrote nothing")

	assert.Equal(t, []string{"received_on"}, fieldsOf(t, call(t, s, http.MethodPost, path+"/payments", "finance",
		map[string]any{"milestone_id": first.ID, "amount": 1_00, "received_on": d(1)})))
	assert.Zero(t, count("payments"), "a receipt from tomorrow wrote nothing")
	st = expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/payments", "finance",
		map[string]any{"milestone_id": first.ID, "amount": 20_000_00, "received_on": d(0)}), http.StatusOK)
	assert.Equal(t, int64(20_000_00), st.Contract.Plan[0].Received)

	invoices := expect[struct{ Items []book }](t, call(t, s, http.MethodGet, path+"/invoices", "finance", nil), http.StatusOK).Items
	require.Len(t, invoices, 1)
	orig := invoices[0]
	payments := expect[struct{ Items []book }](t, call(t, s, http.MethodGet, path+"/payments", "sales", nil), http.StatusOK).Items
	require.Len(t, payments, 1)
	paid := payments[0]

	// Who may, and what a reversal needs.
	reason := map[string]any{"reason": "开票信息有误，红冲重开"}
	expect[errorBody](t, call(t, s, http.MethodPost, path+"/invoices/"+orig.ID+"/reversal", "sales", reason), http.StatusForbidden)
	assert.Equal(t, []string{"reason"}, fieldsOf(t, call(t, s, http.MethodPost, path+"/invoices/"+orig.ID+"/reversal", "finance", map[string]any{"reason": " "})))
	expect[errorBody](t, call(t, s, http.MethodPost, path+"/invoices/"+live.Contract.Number+"-E999/reversal", "finance", reason), http.StatusNotFound)

	// The invoice.
	st = expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/invoices/"+orig.ID+"/reversal", "finance", reason), http.StatusOK)
	assert.Zero(t, st.Contract.Plan[0].Invoiced, "the reversal takes the invoice out of the invoiced total")
	invoices = expect[struct{ Items []book }](t, call(t, s, http.MethodGet, path+"/invoices", "finance", nil), http.StatusOK).Items
	require.Len(t, invoices, 2, "the original and its reversal")
	assert.Equal(t, orig.ID, invoices[0].ID)
	assert.Equal(t, int64(50_000_00), invoices[0].Amount, "the original is kept as it was")
	assert.Equal(t, invoices[1].ID, invoices[0].ReversedBy)
	assert.Equal(t, book{ID: invoices[1].ID, InvoiceNumber: "FP-2026-0001", Amount: -50_000_00, Reverses: orig.ID, Reason: "开票信息有误，红冲重开"}, invoices[1])
	body = expect[errorBody](t, call(t, s, http.MethodPost, path+"/invoices/"+orig.ID+"/reversal", "finance", reason), http.StatusConflict)
	assert.Contains(t, body.Message, "already reversed")
	expect[errorBody](t, call(t, s, http.MethodPost, path+"/invoices/"+invoices[1].ID+"/reversal", "finance", reason), http.StatusConflict)
	expect[errorBody](t, invoice(second, "FP-2026-0001"), http.StatusConflict)
	expect[workflows.ContractState](t, invoice(first, "FP-2026-0002"), http.StatusOK)

	// The payment.
	st = expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/payments/"+paid.ID+"/reversal", "finance",
		map[string]any{"reason": "银行退票"}), http.StatusOK)
	assert.Zero(t, st.Contract.Plan[0].Received, "the milestone is owed in full again")
	payments = expect[struct{ Items []book }](t, call(t, s, http.MethodGet, path+"/payments", "finance", nil), http.StatusOK).Items
	require.Len(t, payments, 2)
	assert.Equal(t, int64(20_000_00), payments[0].Amount)
	assert.Equal(t, payments[1].ID, payments[0].ReversedBy)
	assert.Equal(t, book{ID: payments[1].ID, Amount: -20_000_00, Reverses: paid.ID, Reason: "银行退票"}, payments[1])
	expect[errorBody](t, call(t, s, http.MethodPost, path+"/payments/"+paid.ID+"/reversal", "finance", map[string]any{"reason": "again"}), http.StatusConflict)

	milestones, err := s.Store.Milestones(t.Context(), live.Contract.Number, 1)
	require.NoError(t, err)
	assert.Equal(t, int64(50_000_00), milestones[0].Invoiced, "FP-2026-0002 only")
	assert.Zero(t, milestones[0].Received)
	assert.Nil(t, milestones[0].PaidAt)
	assert.Equal(t, 3, count("invoices"))
	assert.Equal(t, 2, count("payments"))
	events := expect[struct{ Items []domain.Event }](t, call(t, s, http.MethodGet, path+"/events", "auditor", nil), http.StatusOK).Items
	var kinds []string
	for _, e := range events[len(events)-5:] {
		kinds = append(kinds, e.Kind)
	}
	assert.Equal(t, []string{domain.EventInvoiceRecorded, domain.EventPaymentRecorded, domain.EventInvoiceReversed,
		domain.EventInvoiceRecorded, domain.EventPaymentReversed}, kinds)
}

// TestAnArchivedContractTakesNoAttachment: archiving freezes everything,
// attachments included: an upload is a 409 and none is stored.
func TestAnArchivedContractTakesNoAttachment(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	live := driveToActive(t, s, withPlan("2025-01-01", "2025-12-31", "2025-03-01", "2025-12-01", "2025-06-30"))
	n := live.Contract.Number
	path := "/v1/contracts/" + n
	for _, m := range live.Contract.Plan {
		expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/payments", "finance",
			map[string]any{"milestone_id": m.ID, "amount": m.Amount, "received_on": "2025-12-20"}), http.StatusOK)
	}
	att := expect[struct{ ID string }](t, upload(t, s, n, "sales", "验收单.pdf", []byte("%PDF-1.4 验收")), http.StatusCreated)
	expect[workflows.ContractState](t, call(t, s, http.MethodPatch, path+"/obligations/"+live.Contract.Obligations[0].ID, "sales",
		map[string]any{"progress": 100, "complete": true, "evidence_id": att.ID}), http.StatusOK)
	require.Eventually(t, func() bool {
		row, err := s.Store.Contract(t.Context(), n)
		return err == nil && row.Status == domain.StatusCompleted
	}, 15*time.Second, 50*time.Millisecond, "term over, paid and delivered: completed")
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/archive", "sales", nil), http.StatusOK)

	for _, role := range []string{"sales", "finance", "admin"} {
		body := expect[errorBody](t, upload(t, s, n, role, "补充协议.pdf", []byte("%PDF-1.4 补充")), http.StatusConflict)
		assert.Contains(t, body.Message, "archived")
	}
	list := expect[struct{ Items []struct{ ID string } }](t, call(t, s, http.MethodGet, path+"/attachments", "sales", nil), http.StatusOK)
	require.Len(t, list.Items, 1, "only the evidence uploaded before the archive")
	assert.Equal(t, att.ID, list.Items[0].ID)
	var added int
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE action = 'attachment.added' AND object_id = $1`, n).Scan(&added))
	assert.Equal(t, 1, added, "no refused upload reached the audit trail")
}

// TestTheAuditTrailNamesTheApproverAndTheRequest: the entries a decision
// writes (the task, and the approval it brings about) name the approver
// and the X-Request-ID the client sent, as the submission's name the
// submitter's; creation names the drafter's request.
func TestTheAuditTrailNamesTheApproverAndTheRequest(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	st := expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts", "sales",
		newContract(20_000_00, "2026-01-01", "2026-12-31"), "X-Request-ID", "req-draft-15"), http.StatusCreated)
	n := st.Contract.Number
	st = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil,
		"X-Request-ID", "req-submit-15"), http.StatusOK)
	require.Equal(t, domain.StatusInReview, st.Status)
	task := waitTask(t, s, "sales_manager", n)
	st = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/tasks/"+task.ID+"/decision", "sales_manager",
		map[string]any{"decision": "approve", "opinion": "同意"}, "X-Request-ID", "req-approve-15"), http.StatusOK)
	require.Equal(t, domain.StatusApproved, st.Status)

	page := expect[struct{ Items []audit.Entry }](t, call(t, s, http.MethodGet, "/v1/audit?object_type=contract&object_id="+n, "auditor", nil), http.StatusOK)
	type who struct{ Action, ActorID, RequestID string }
	var got []who
	for _, e := range page.Items {
		got = append(got, who{e.Action, e.ActorID, e.RequestID})
	}
	assert.Contains(t, got, who{"contract.drafted", "demo-sales", "req-draft-15"})
	assert.Contains(t, got, who{"contract.created", "demo-sales", "req-draft-15"})
	assert.Contains(t, got, who{"contract.submitted", "demo-sales", "req-submit-15"})
	assert.Contains(t, got, who{"contract.approved", "demo-sales-manager", "req-approve-15"}, "the decision that closed the round")
	var decided int
	for _, e := range got {
		if e.Action == "approval_tasks.saved" && e.RequestID == "req-approve-15" {
			assert.Equal(t, "demo-sales-manager", e.ActorID)
			decided++
		}
	}
	assert.Positive(t, decided, "the decision's task entries name the approver and the request: %v", got)
	for _, e := range got {
		if e.RequestID == "req-approve-15" || e.RequestID == "req-submit-15" {
			assert.NotEqual(t, "system", e.ActorID, "%v", e)
		}
	}
}

// TestAuditorsVerifyTheChainOverTheAPI: GET /v1/audit/verify answers as
// `signet audit verify` does: ok with the rows checked, and the first
// broken row once one is altered behind the trigger's back.
func TestAuditorsVerifyTheChainOverTheAPI(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	expect[struct{ ID string }](t, call(t, s, http.MethodPost, "/v1/customers", "sales", map[string]any{"name": "链校验客户", "tier": "C"}), http.StatusCreated)
	type verification struct {
		OK      bool
		Checked int64
		Broken  *struct {
			Seq    int64
			Reason string
		}
	}
	var rows int64
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM audit_events`).Scan(&rows))
	v := expect[verification](t, call(t, s, http.MethodGet, "/v1/audit/verify", "auditor", nil), http.StatusOK)
	assert.True(t, v.OK)
	assert.Equal(t, rows, v.Checked)
	assert.Nil(t, v.Broken)
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/audit/verify", "sales", nil), http.StatusForbidden)
	assert.Equal(t, []string{"seq"}, fieldsOf(t, call(t, s, http.MethodGet, "/v1/audit/verify?seq=2", "admin", nil)))

	for _, q := range []string{`ALTER TABLE audit_events DISABLE TRIGGER USER`,
		`UPDATE audit_events SET content = replace(content, '链校验', '改过的') WHERE action = 'customer.created' AND content LIKE '%链校验%'`,
		`ALTER TABLE audit_events ENABLE TRIGGER USER`} {
		_, err := s.Owner.Exec(t.Context(), q) // as the owner: the app's role may not
		require.NoError(t, err, q)
	}
	var altered int64
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT seq FROM audit_events WHERE content LIKE '%改过的%'`).Scan(&altered))
	v = expect[verification](t, call(t, s, http.MethodGet, "/v1/audit/verify", "admin", nil), http.StatusOK)
	assert.False(t, v.OK)
	require.NotNil(t, v.Broken)
	assert.Equal(t, altered, v.Broken.Seq)
	assert.Contains(t, v.Broken.Reason, "content")
	assert.Equal(t, altered, v.Checked, "the walk stops at the first break")
}
