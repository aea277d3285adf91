package workflows

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/domain"
)

// These tests drive the contract workflow on its foundation (v1) approval
// path: stages follow the amount and are decided on the contract itself.
// Contracts submitted before the approval engine shipped still run on it
// (see testdata/contract_v1_*.json); the engine path is covered by
// contract_workflow_test.go.

var (
	ownerRep   = domain.Actor{UserID: "u-sales", Name: "张伟 Zhang Wei", Roles: []domain.Role{domain.RoleSales}}
	otherRep   = domain.Actor{UserID: "u-sales2", Name: "周杰 Zhou Jie", Roles: []domain.Role{domain.RoleSales}}
	salesMgr   = domain.Actor{UserID: "u-mgr", Name: "李娜 Li Na", Roles: []domain.Role{domain.RoleSalesManager}}
	financeMgr = domain.Actor{UserID: "u-fin", Name: "刘洋 Liu Yang", Roles: []domain.Role{domain.RoleFinance}}
	executive  = domain.Actor{UserID: "u-exec", Name: "陈静 Chen Jing", Roles: []domain.Role{domain.RoleExecutive}}
	// approverFor is who decides each foundation stage in these tests.
	approverFor = map[domain.Role]domain.Actor{
		domain.RoleSalesManager: salesMgr, domain.RoleFinance: financeMgr, domain.RoleExecutive: executive,
	}
)

const (
	contractNo   = "HT-2026-000888"
	customerName = "上海星辰科技有限公司"
	// stepGap separates the updates a test sends.
	stepGap = time.Minute
)

// testStart is the test environment's clock at the workflow's start.
var testStart = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// contractOf returns a contract worth amount minor units of currency,
// created at testStart, whose term ends `term` after it.
func contractOf(amount int64, currency string, term time.Duration) domain.Contract {
	return domain.Contract{
		Number: contractNo, Title: "年度软件服务合同（二期）", CustomerID: "cust-0042", CustomerName: customerName,
		OwnerID: ownerRep.UserID, OwnerName: ownerRep.Name, Amount: amount, Currency: currency,
		StartDate: "2026-03-02", EndDate: "2027-03-01", ExpiresAt: testStart.Add(term), CreatedAt: testStart,
		TemplateID: "tpl-saas", TemplateVersion: 3, DocumentSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	}
}

// oneYear is a term no test reaches.
const oneYear = 365 * 24 * time.Hour

// step is one update a test sends and the answer it expects.
type step struct {
	update string
	arg    any
	refuse domain.RefusalKind // empty: the update must be accepted
	check  func(*testing.T, ContractState)
	// withStart sends the update as the workflow starts, as the API's
	// update-with-start does, rather than a stepGap after the step before.
	withStart bool
}

// refused expects the update's validator to refuse it with kind.
func (s step) refused(kind domain.RefusalKind) step { s.refuse = kind; return s }

// sentWithStart sends the update as the workflow starts.
func (s step) sentWithStart() step { s.withStart = true; return s }

// then checks the state an accepted update returns.
func (s step) then(check func(*testing.T, ContractState)) step { s.check = check; return s }

func createBy(a domain.Actor) step {
	return step{update: UpdateCreate, arg: CreateRequest{Actor: a}}
}
func submitBy(a domain.Actor) step {
	return step{update: UpdateSubmit, arg: SubmitRequest{Actor: a}}
}
func decideBy(a domain.Actor, taskID string, d domain.Decision, opinion string) step {
	return step{update: UpdateDecide, arg: DecideRequest{Actor: a, TaskID: taskID, Decision: d, Opinion: opinion}}
}

// approveStage approves stage of round by the stage role's approver.
func approveStage(round, stage int, role domain.Role) step {
	return decideBy(approverFor[role], TaskID(contractNo, round, stage), domain.DecisionApprove, "同意")
}
func sendBy(a domain.Actor) step {
	return step{update: UpdateSend, arg: SendRequest{Actor: a}}
}
func signAs(a domain.Actor, p domain.Party) step {
	return step{update: UpdateSign, arg: SignRequest{Actor: a, Party: p, SignerName: a.Name + "（签署）",
		SignerEmail: a.UserID + "@example.cn", IP: "10.0.0.8", UserAgent: "signet-test"}}
}
func cancelBy(a domain.Actor, reason string) step {
	return step{update: UpdateCancel, arg: CancelRequest{Actor: a, Reason: reason}}
}

// toSigning takes a CNY 50,000.00 contract from draft to signing.
func toSigning() []step {
	return []step{submitBy(ownerRep), approveStage(1, 1, domain.RoleSalesManager), sendBy(ownerRep)}
}

// toActive takes a CNY 50,000.00 contract from draft to active.
func toActive() []step {
	return append(toSigning(), signAs(executive, domain.PartyCompany), signAs(ownerRep, domain.PartyCustomer))
}

// harness runs one contract workflow on the foundation approval path,
// recording every transition it writes and every ContractStatus it sets.
type harness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment
	// recorded are the transitions RecordTransition was asked to write.
	recorded []domain.Transition
	// statusAttr are the ContractStatus search attribute values set.
	statusAttr []domain.Status
	// final is the live state queried after the last step, if the
	// workflow was still running then.
	final *ContractState
	// answered marks the steps whose update was refused or completed.
	answered []bool
	// pending is the refused step whose effects are still to be checked.
	pending *refusal
	// continued is what the run handed to its successor, if it continued
	// as new.
	continued *ContractInput
}

// refusal is what stood before a refused update, to prove it changed nothing.
type refusal struct {
	step     int
	recorded int
	state    ContractState
}

func newHarness(t *testing.T) *harness {
	var s testsuite.WorkflowTestSuite
	h := &harness{t: t, env: s.NewTestWorkflowEnvironment()}
	h.env.SetStartTime(testStart)
	h.env.SetTestTimeout(30 * time.Second)
	h.env.RegisterWorkflow(ContractWorkflow)
	// Pin the foundation path, as for a contract first submitted before the
	// approval engine shipped.
	h.env.OnGetVersion(changeApprovalEngine, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion).Maybe()
	h.env.OnGetVersion(changeSigningRounds, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion).Maybe()
	h.env.OnGetVersion(changeActiveLife, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion).Maybe()
	var a *activities.Activities
	h.env.OnActivity(a.RecordTransition, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordTransitionInput) (activities.RecordTransitionResult, error) {
			h.recorded = append(h.recorded, in.Transition)
			return activities.RecordTransitionResult{Applied: true}, nil
		})
	h.env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		if v, ok := args.Get(0).(temporal.SearchAttributes).GetKeyword(SearchContractStatus); ok {
			h.statusAttr = append(h.statusAttr, domain.Status(v))
		}
	}).Return(nil).Maybe()
	return h
}

// run starts a new contract c and sends steps stepGap apart, checking each
// answer as it arrives. A stepGap after the last step it queries the live
// state and cancels a contract still in progress; an active one runs on to
// its end date. It returns the finished workflow's result, or the zero
// result when the workflow was cancelled or continued as new.
func (h *harness) run(c domain.Contract, steps ...step) ContractResult {
	h.t.Helper()
	return h.runInput(ContractInput{Contract: c}, steps)
}

// resume runs the run that follows a continue-as-new, from its input.
func (h *harness) resume(in ContractInput, steps ...step) ContractResult {
	h.t.Helper()
	return h.runInput(in, steps)
}

// suggestContinueAsNew has the server suggest continue-as-new half a
// stepGap after step n.
func (h *harness) suggestContinueAsNew(n int) {
	h.env.RegisterDelayedCallback(func() { h.env.SetContinueAsNewSuggested(true) }, time.Duration(n)*stepGap+stepGap/2)
}

func (h *harness) runInput(in ContractInput, steps []step) ContractResult {
	t := h.t
	t.Helper()
	h.answered = make([]bool, len(steps))
	for i, st := range steps {
		delay := time.Duration(i+1) * stepGap
		if st.withStart {
			delay = 0
		}
		h.env.RegisterDelayedCallback(func() {
			h.checkRefusal(true)
			if st.refuse != "" {
				h.pending = &refusal{step: i + 1, recorded: len(h.recorded), state: h.query()}
			}
			h.env.UpdateWorkflow(st.update, fmt.Sprintf("%s-%d", st.update, i+1), h.callbacks(i, st), st.arg)
		}, delay)
	}
	h.env.RegisterDelayedCallback(func() {
		h.checkRefusal(true)
		st := h.query()
		h.final = &st
		if st.Status != domain.StatusActive && !st.Status.Closed() {
			h.env.CancelWorkflow()
		}
	}, time.Duration(len(steps)+1)*stepGap)

	h.env.ExecuteWorkflow(ContractWorkflow, in)

	require.True(t, h.env.IsWorkflowCompleted())
	h.checkRefusal(false)
	for i, ok := range h.answered {
		assert.True(t, ok, "step %d (%s) was never answered", i+1, steps[i].update)
	}
	h.checkEventChain(in)
	var res ContractResult
	var can *workflow.ContinueAsNewError
	switch err := h.env.GetWorkflowError(); {
	case errors.As(err, &can):
		var next ContractInput
		require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
		h.continued = &next
		return res
	case err != nil:
		require.True(t, temporal.IsCanceledError(err), "workflow failed: %v", err)
		return res
	}
	require.NoError(t, h.env.GetWorkflowResult(&res))
	return res
}

func (h *harness) callbacks(i int, st step) *testsuite.TestUpdateCallback {
	t := h.t
	return &testsuite.TestUpdateCallback{
		OnAccept: func() {
			if st.refuse != "" {
				t.Errorf("step %d (%s) accepted, want it refused %s", i+1, st.update, st.refuse)
			}
		},
		OnReject: func(err error) {
			h.answered[i] = true
			if st.refuse == "" {
				t.Errorf("step %d (%s) refused: %v", i+1, st.update, err)
				return
			}
			var appErr *temporal.ApplicationError
			if assert.True(t, errors.As(err, &appErr), "step %d (%s): %v is not an application error", i+1, st.update, err) {
				assert.Equal(t, string(st.refuse), appErr.Type(), "step %d (%s): %s", i+1, st.update, appErr.Message())
			}
		},
		OnComplete: func(v any, err error) {
			h.answered[i] = true
			if st.refuse != "" {
				return
			}
			if !assert.NoError(t, err, "step %d (%s)", i+1, st.update) {
				return
			}
			if st.check != nil {
				st.check(t, v.(ContractState))
			}
		},
	}
}

// checkRefusal proves the last refused update recorded nothing and, while
// the workflow can still be queried, left the state as it was.
func (h *harness) checkRefusal(live bool) {
	p := h.pending
	if p == nil {
		return
	}
	h.pending = nil
	assert.Len(h.t, h.recorded, p.recorded, "refused step %d recorded a transition", p.step)
	if live {
		assert.Equal(h.t, p.state, h.query(), "refused step %d changed the contract", p.step)
	}
}

func (h *harness) query() ContractState {
	v, err := h.env.QueryWorkflow(QueryState)
	require.NoError(h.t, err)
	var st ContractState
	require.NoError(h.t, v.Get(&st))
	return st
}

// checkEventChain asserts what every recorded history shares: events
// numbered on from the run's input (1 for a new contract) and keyed
// "<number>/<seq>", each starting where the previous one ended, carrying the
// contract as created.
func (h *harness) checkEventChain(in ContractInput) {
	t := h.t
	c, seq, prev := in.Contract, 0, domain.Status("")
	if in.State != nil {
		seq, prev = in.State.EventSeq, in.State.Status
	}
	for _, tr := range h.recorded {
		e := tr.Event
		seq++
		assert.Equal(t, seq, e.Seq, "event %d", seq)
		assert.Equal(t, fmt.Sprintf("%s/%d", c.Number, seq), e.ID, "event %d", seq)
		assert.Equal(t, c.Number, e.ContractNumber, "event %d", seq)
		assert.Equal(t, prev, e.FromStatus, "event %d (%s) starts where the last ended", seq, e.Kind)
		assert.Equal(t, e.ToStatus, tr.Status, "event %d", seq)
		assert.Equal(t, 1, tr.Version, "event %d", seq)
		assert.Equal(t, c.Title, tr.Contract.Title, "event %d", seq)
		assert.Equal(t, c.CustomerName, tr.Contract.CustomerName, "event %d", seq)
		prev = e.ToStatus
	}
}

// kinds lists the recorded events' kinds in order.
func (h *harness) kinds() []string {
	k := []string{}
	for _, tr := range h.recorded {
		k = append(k, tr.Event.Kind)
	}
	return k
}

// last returns the last recorded transition.
func (h *harness) last() domain.Transition {
	require.NotEmpty(h.t, h.recorded)
	return h.recorded[len(h.recorded)-1]
}

// at is the test clock when step n (1-based) is sent.
func at(n int) time.Time { return testStart.Add(time.Duration(n) * stepGap) }

// sameInstant asserts got is set and names the instant want; what says
// which time it is.
func sameInstant(t *testing.T, want time.Time, got *time.Time, what string) {
	t.Helper()
	if assert.NotNil(t, got, what) {
		assert.True(t, want.Equal(*got), "%s: want %s, got %s", what, want, *got)
	}
}

// taskView is what a user sees of an approval task in a list.
type taskView struct {
	ID     string
	Stage  int
	Role   domain.Role
	Status domain.TaskStatus
}

func viewTasks(tasks []domain.ApprovalTask) []taskView {
	v := []taskView{}
	for _, t := range tasks {
		v = append(v, taskView{t.ID, t.Stage, t.Role, t.Status})
	}
	return v
}

// plannedTasks are round's tasks for roles with the given statuses.
func plannedTasks(round int, roles []domain.Role, statuses ...domain.TaskStatus) []taskView {
	v := []taskView{}
	for i, r := range roles {
		v = append(v, taskView{TaskID(contractNo, round, i+1), i + 1, r, statuses[i]})
	}
	return v
}
