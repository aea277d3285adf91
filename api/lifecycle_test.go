package api_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

type errorBody = api.ErrorBody

// newContract is a valid create request from the demo 销售合同 template for
// the demo customer, with one tax-free line priced at amount minor units of
// CNY, so the server-computed total is exactly amount.
func newContract(amount int64, start, end string) map[string]any {
	return map[string]any{
		"title":       "年度软件服务合同（含运维）",
		"customer_id": devstack.DemoCustomerID,
		"contact_id":  devstack.DemoContactID,
		"template_id": devstack.DemoSalesTemplate,
		"currency":    "CNY",
		"start_date":  start,
		"end_date":    end,
		"fields": map[string]any{
			"delivery_date": start, "delivery_place": "上海市浦东新区张江路88号",
			"payment_terms_days": 30, "payment_method": "银行转账",
		},
		"line_items": []map[string]any{{"product_id": devstack.DemoConsultingProduct, "quantity": "1", "unit_price": amount}},
	}
}

func create(t testing.TB, s *testenv.Stack, body map[string]any) workflows.ContractState {
	t.Helper()
	return expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts", "sales", body), http.StatusCreated)
}

// approvers are the demo roles that decide stages, in escalation order.
var approvers = []string{"sales_manager", "finance", "legal", "executive"}

// inbox returns the open tasks of contract n in role's inbox. It asks for
// n's tasks only: an inbox with more open tasks than one page holds (the
// submit-to-first-task benchmark leaves 200 open) would hide the newest.
func inbox(t testing.TB, s *testenv.Stack, role, n string) []store.InboxTask {
	t.Helper()
	all := expect[struct{ Items []store.InboxTask }](t, call(t, s, http.MethodGet, "/v1/tasks?contract="+n, role, nil), http.StatusOK)
	var mine []store.InboxTask
	for _, task := range all.Items {
		if task.ContractNumber == n {
			mine = append(mine, task)
		}
	}
	return mine
}

// waitTask waits for a task of contract n to open in role's inbox; review
// rounds open their stages a moment after the submission returns.
func waitTask(t testing.TB, s *testenv.Stack, role, n string) store.InboxTask {
	t.Helper()
	var task store.InboxTask
	require.Eventually(t, func() bool {
		tasks := inbox(t, s, role, n)
		if len(tasks) > 0 {
			task = tasks[0]
		}
		return len(tasks) > 0
	}, 15*time.Second, 20*time.Millisecond, "no task of %s reached %s", n, role)
	return task
}

// approveAll approves every stage of the contract's round as it opens, in
// whichever inbox it lands, until the contract is approved.
func approveAll(t testing.TB, s *testenv.Stack, state workflows.ContractState) workflows.ContractState {
	t.Helper()
	n := state.Contract.Number
	deadline := time.Now().Add(30 * time.Second)
	for state.Status == domain.StatusInReview && time.Now().Before(deadline) {
		decided := false
		for _, role := range approvers {
			for _, task := range inbox(t, s, role, n) {
				state = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/tasks/"+task.ID+"/decision",
					role, map[string]any{"decision": "approve", "opinion": "同意，条款无异议"}), http.StatusOK)
				decided = true
			}
		}
		if !decided {
			time.Sleep(20 * time.Millisecond)
		}
	}
	return state
}

// driveToActive takes a new contract through review and both signatures.
func driveToActive(t testing.TB, s *testenv.Stack, body map[string]any) workflows.ContractState {
	t.Helper()
	state := create(t, s, body)
	n := state.Contract.Number
	state = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	require.Equal(t, domain.StatusInReview, state.Status)
	state = approveAll(t, s, state)
	require.Equal(t, domain.StatusApproved, state.Status)
	state = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", nil), http.StatusOK)
	require.Equal(t, domain.StatusSigning, state.Status)
	return signAll(t, s, n)
}

// signAll signs an out-for-signature contract as each signer in turn (the
// company's signed in, each customer's through the link mailed to them)
// and returns the contract's state after.
func signAll(t testing.TB, s *testenv.Stack, n string) workflows.ContractState {
	t.Helper()
	round := expect[workflows.SigningState](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/signing", "sales", nil), http.StatusOK)
	for _, sg := range round.Signers {
		res := signAs(t, s, n, sg.ID, sg.Name)
		require.NotNil(t, res.Signature)
	}
	state := expect[contracts.View](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK)
	require.NotNil(t, state.Live)
	return *state.Live
}

// signAs signs as one signer: a company signer signed in as their
// account, a customer signer through the newest link mailed to them.
func signAs(t testing.TB, s *testenv.Stack, n, signerID, name string) esign.SignResult {
	t.Helper()
	ref, err := s.Store.SignerOf(t.Context(), signerID)
	require.NoError(t, err)
	if ref.Party == domain.PartyCompany {
		return expect[esign.SignResult](t, signIn(t, s, n, signerID, roleOf(ref.UserID)), http.StatusOK)
	}
	return expect[esign.SignResult](t, call(t, s, http.MethodPost, mailedLink(t, s, n, signerID), "", map[string]any{"signer_name": name, "consent": true}), http.StatusOK)
}

// listByQuery returns the workflow IDs a visibility query finds, waiting
// for visibility to catch up with the wanted count.
func listByQuery(t testing.TB, s *testenv.Stack, query string, want int) []string {
	t.Helper()
	var ids []string
	require.Eventually(t, func() bool {
		resp, err := s.Temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			return false
		}
		ids = ids[:0]
		for _, e := range resp.Executions {
			ids = append(ids, e.Execution.WorkflowId)
		}
		return len(ids) == want
	}, 15*time.Second, 200*time.Millisecond, "query %q never found %d workflows (last: %v)", query, want, ids)
	return ids
}

func TestContractFromDraftToActiveThenExpired(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	today := time.Now().In(s.Loc)

	// A 1,200,000.00 contract needs sales manager, finance and executive.
	live := driveToActive(t, s, newContract(120_000_000, today.Format(time.DateOnly), today.AddDate(1, 0, 0).Format(time.DateOnly)))
	n := live.Contract.Number
	assert.Equal(t, domain.StatusActive, live.Status)
	assert.NotNil(t, live.SignedAt)
	// The contract view lists its tasks once, beside (not inside) the live state.
	tasks := expect[contracts.View](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK).Tasks
	require.Len(t, tasks, 3)
	for i, role := range []domain.Role{domain.RoleSalesManager, domain.RoleFinance, domain.RoleExecutive} {
		assert.Equal(t, role, tasks[i].Role)
		assert.Equal(t, domain.TaskApproved, tasks[i].Status)
		assert.NotEmpty(t, tasks[i].AssigneeID, "tasks go to people")
	}

	view := expect[contracts.View](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK)
	assert.Equal(t, domain.StatusActive, view.Contract.Status)
	assert.Equal(t, "上海星辰科技有限公司", view.Contract.CustomerName)
	assert.Equal(t, "年度软件服务合同（含运维）", view.Contract.Title)
	assert.Equal(t, int64(120_000_000), view.Contract.Amount)
	require.NotNil(t, view.Live, "live state: %s", view.LiveError)
	assert.Equal(t, domain.StatusActive, view.Live.Status)
	var timers []string
	for _, tm := range view.Live.NextTimers {
		timers = append(timers, tm.Name)
	}
	assert.Equal(t, []string{"renewal_notice:90", "renewal_notice:30", "renewal_notice:7", workflows.TimerExpiry}, timers,
		"the owner hears 90, 30 and 7 days before the end")
	require.Len(t, view.Signatures, 2)
	assert.Equal(t, domain.PartyCompany, view.Signatures[0].Party)
	assert.Equal(t, "陈静 Chen Jing", view.Signatures[0].SignerName, "the default company signatory: the first executive")
	assert.Equal(t, domain.PartyCustomer, view.Signatures[1].Party)
	assert.Equal(t, "王建国", view.Signatures[1].SignerName)
	assert.Equal(t, "127.0.0.1", view.Signatures[1].IP)
	assert.Equal(t, "signet-integration-test/1.0", view.Signatures[1].UserAgent)
	assert.Len(t, view.Tasks, 3)

	listByQuery(t, s, fmt.Sprintf("ContractStatus = 'active' AND ContractNumber = '%s'", n), 1)
	listByQuery(t, s, fmt.Sprintf("OwnerID = 'demo-sales' AND ContractAmount = 120000000 AND ContractNumber = '%s'", n), 1)

	// A contract whose term has already ended expires as soon as it is active.
	past := driveToActive(t, s, newContract(5_000_000, "2025-01-01", "2025-12-31"))
	pn := past.Contract.Number
	assert.NotNil(t, past.SignedAt, "it was signed, then expired")
	// With nothing to receive or deliver, an ended term completes it.
	require.Eventually(t, func() bool {
		row, err := s.Store.Contract(context.Background(), pn)
		return err == nil && row.Status == domain.StatusCompleted
	}, 15*time.Second, 100*time.Millisecond)
	listByQuery(t, s, fmt.Sprintf("ContractStatus = 'completed' AND ContractNumber = '%s'", pn), 1)
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/archive", "sales", nil), http.StatusConflict)
	archived := expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+pn+"/archive", "sales", nil), http.StatusOK)
	assert.Equal(t, domain.StatusArchived, archived.Status)

	view = expect[contracts.View](t, call(t, s, http.MethodGet, "/v1/contracts/"+pn, "auditor", nil), http.StatusOK)
	require.NotNil(t, view.Live, "a finished contract is still queryable: %s", view.LiveError)
	assert.Equal(t, domain.StatusArchived, view.Live.Status)
	body := expect[errorBody](t, call(t, s, http.MethodPost, "/v1/contracts/"+pn+"/archive", "sales", nil), http.StatusConflict)
	assert.Contains(t, body.Message, "archived", "an archived contract refuses every change")

	events := expect[struct{ Items []domain.Event }](t, call(t, s, http.MethodGet, "/v1/contracts/"+pn+"/events", "sales", nil), http.StatusOK)
	var kinds []string
	for i, e := range events.Items {
		kinds = append(kinds, e.Kind)
		assert.Equal(t, i+1, e.Seq)
	}
	assert.Equal(t, []string{
		domain.EventCreated, domain.EventSubmitted, domain.EventApproved, domain.EventSent,
		domain.EventSigned, domain.EventExpired, domain.EventCompleted, domain.EventArchived,
	}, kinds, "one signed event when the last signer signs; each signature is a signing event")
	assert.Equal(t, domain.SystemActor.UserID, events.Items[len(events.Items)-2].ActorID, "the system completed it")
	assert.Equal(t, "张伟 Zhang Wei", events.Items[0].ActorName)

	// The inbox is empty again once everything is decided.
	inbox := expect[struct{ Items []store.InboxTask }](t, call(t, s, http.MethodGet, "/v1/tasks", "sales_manager", nil), http.StatusOK)
	assert.Empty(t, inbox.Items)
}

// A submission answers once its first stage's task is in the approver's
// inbox, as is the send once the first signer's link is out: what the
// answer says is open can be acted on at once, without waiting.
func TestSubmitAndSendAnswerWithWhatCanBeActedOn(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	today := time.Now().In(s.Loc)
	// Several at once, as a busy morning has them: each approver's inbox
	// is read the moment its submission answers.
	const submissions = 12
	drafts := make([]workflows.ContractState, submissions)
	for i := range drafts {
		drafts[i] = create(t, s, newContract(15_000_000, today.Format(time.DateOnly), today.AddDate(1, 0, 0).Format(time.DateOnly)))
	}
	var wg sync.WaitGroup
	found := make([]int, submissions)
	for i, d := range drafts {
		wg.Go(func() {
			st := expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+d.Contract.Number+"/submit", "sales", nil), http.StatusOK)
			assert.Equal(t, domain.StatusInReview, st.Status)
			found[i] = len(inbox(t, s, "sales_manager", d.Contract.Number))
		})
	}
	wg.Wait()
	for i, d := range drafts {
		assert.Equal(t, 1, found[i], "%s: the first stage's task is in the inbox as the submission answers", d.Contract.Number)
	}
	state := drafts[0]
	n := state.Contract.Number
	state.Status = domain.StatusInReview

	require.Equal(t, domain.StatusApproved, approveAll(t, s, state).Status)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", nil), http.StatusOK)
	round := signingOf(t, s, n)
	require.NotEmpty(t, round.Signers)
	assert.Positive(t, round.Signers[0].Links, "the first signer's link is out as the send answers")
}

// A creation answers once the draft is stored as created and its workflow
// has started, without waiting for the workflow to run: at once its
// creator reads the creation in its events and can submit it, and the
// feed's contract.created follows when the workflow has recorded it.
func TestACreationIsReadableAndSubmittableAtOnce(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	today := time.Now().In(s.Loc)
	d := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	const drafts = 6
	var wg sync.WaitGroup
	numbers := make([]string, drafts)
	for i := range drafts {
		wg.Go(func() {
			state := create(t, s, withPlan(d(0), d(365), d(30), d(200), d(60)))
			n := state.Contract.Number
			numbers[i] = n
			assert.Equal(t, domain.StatusDraft, state.Status)
			// The contract page's live state, asked before the workflow may
			// have run its first task: the server waits for it.
			view := expect[contracts.View](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK)
			assert.Empty(t, view.LiveError, n)
			if assert.NotNil(t, view.Live, n) {
				assert.Equal(t, domain.StatusDraft, view.Live.Status)
			}
			events := expect[struct{ Items []api.Event }](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/events", "sales", nil), http.StatusOK).Items
			if assert.Len(t, events, 1, n) {
				assert.Equal(t, domain.EventCreated, events[0].Kind)
				assert.Equal(t, n+"/1", events[0].ID)
			}
			submitted := expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
			assert.Equal(t, domain.StatusInReview, submitted.Status)
			events = expect[struct{ Items []api.Event }](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/events", "sales", nil), http.StatusOK).Items
			var kinds []string
			for _, e := range events {
				kinds = append(kinds, fmt.Sprintf("%d %s", e.Seq, e.Kind))
			}
			assert.Equal(t, []string{"1 created", "2 submitted"}, kinds, "the submission follows the creation")
		})
	}
	wg.Wait()
	created := map[string]bool{}
	require.Eventually(t, func() bool {
		page := expect[api.EventPage](t, call(t, s, http.MethodGet, "/v1/events?type=contract.created&limit=100", "finance", nil), http.StatusOK)
		for _, e := range page.Items {
			created[e.Contract.Number] = true
		}
		return len(created) == drafts
	}, 20*time.Second, 50*time.Millisecond, "every creation reaches the feed")
	for _, n := range numbers {
		assert.True(t, created[n], n)
	}
}
