package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/policy"
	"github.com/signet-clm/signet/workflows"
)

var (
	owner     = domain.Actor{UserID: "u-sales", Name: "张伟 Zhang Wei", Roles: []domain.Role{domain.RoleSales}}
	otherRep  = domain.Actor{UserID: "u-sales-2", Name: "周杰", Roles: []domain.Role{domain.RoleSales}}
	manager   = domain.Actor{UserID: "u-mgr", Name: "李娜", Roles: []domain.Role{domain.RoleSalesManager}}
	finance   = domain.Actor{UserID: "u-fin", Name: "刘洋", Roles: []domain.Role{domain.RoleFinance}}
	executive = domain.Actor{UserID: "u-exec", Name: "陈静", Roles: []domain.Role{domain.RoleExecutive}}
	legal     = domain.Actor{UserID: "u-legal", Name: "王芳", Roles: []domain.Role{domain.RoleLegal}}
	// directory is who holds each approving role.
	directory = map[domain.Role]domain.Actor{
		domain.RoleSalesManager: manager, domain.RoleFinance: finance, domain.RoleExecutive: executive, domain.RoleLegal: legal,
	}
)

const number = "HT-2026-000123"

// step is one update the test sends, and what it expects back. Updates
// go to the contract unless round names a review round's workflow.
type step struct {
	name  string
	arg   any
	round int
	// signing, if set, sends the update to that signing round's workflow.
	signing int
	// at, if set, sends the step at that time after the start rather than
	// a minute after the one before.
	at     time.Duration
	refuse domain.RefusalKind // empty: must be accepted
	check  func(*testing.T, workflows.ContractState)
	// opened checks the answer of a signing round's UpdateAwaitOpened,
	// reviewOpened a review round's.
	opened       func(*testing.T, workflows.SigningState)
	reviewOpened func(*testing.T, workflows.ApprovalState)
}

type contractSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env      *testsuite.TestWorkflowEnvironment
	recorded []domain.Transition
	// saved are task writes by the review rounds, in order.
	saved []domain.ApprovalTask
	// beforeLast counts the transitions recorded before the last step.
	beforeLast int
	// round is the open review round's state when the test ended.
	round workflows.ApprovalState
	start time.Time
	// onPlan, if set, runs while a submission plans its round.
	onPlan func()
}

func TestContractWorkflow(t *testing.T) { suite.Run(t, new(contractSuite)) }

func (s *contractSuite) SetupTest() {
	s.env = s.NewTestWorkflowEnvironment()
	s.start = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	s.env.SetStartTime(s.start)
	s.recorded = nil
	var a *activities.Activities
	s.saved = nil
	s.round = workflows.ApprovalState{}
	s.onPlan = nil
	s.env.RegisterWorkflow(workflows.ApprovalWorkflow)
	s.env.RegisterWorkflow(workflows.SigningWorkflow)
	s.env.OnActivity(a.RecordTransition, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordTransitionInput) (activities.RecordTransitionResult, error) {
			s.recorded = append(s.recorded, in.Transition)
			return activities.RecordTransitionResult{Applied: true}, nil
		})
	// Routes come from the real default policy over the contract's latest
	// recorded terms; approvers from the directory.
	s.env.OnActivity(a.PlanApproval, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PlanApprovalInput) (activities.PlanApprovalResult, error) {
			if s.onPlan != nil {
				s.onPlan()
			}
			c := s.recorded[len(s.recorded)-1].Contract
			facts := policy.Facts{Amount: c.Amount, Currency: c.Currency}
			return activities.PlanApprovalResult{Route: policy.Plan(policy.DefaultPolicy(), facts, policy.Assess(nil, facts))}, nil
		}).Maybe()
	resolve := func(role domain.Role) activities.ResolveResult {
		a := directory[role]
		return activities.ResolveResult{Approvers: []domain.Approver{{ID: a.UserID, Name: a.Name}}}
	}
	s.env.OnActivity(a.ResolveStage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ResolveStageInput) (activities.ResolveResult, error) {
			return resolve(in.Stage.Role), nil
		}).Maybe()
	s.env.OnActivity(a.ResolveEscalation, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ResolveEscalationInput) (activities.ResolveResult, error) {
			return resolve(in.Stage.EscalateTo.Role), nil
		}).Maybe()
	s.env.OnActivity(a.SaveTasks, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SaveTasksInput) (activities.SaveTasksResult, error) {
			s.saved = append(s.saved, in.Tasks...)
			return activities.SaveTasksResult{}, nil
		}).Maybe()
	s.env.OnActivity(a.CloseRound, mock.Anything, mock.Anything).Return(activities.CloseRoundResult{}, nil).Maybe()
	// What changeLocalRecords merged runs the steps above.
	s.env.OnActivity(a.PlanAndSubmit, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.PlanAndSubmitInput) (activities.PlanApprovalResult, error) {
			if s.onPlan != nil {
				s.onPlan()
			}
			c := in.Submit.Transition.Contract
			facts := policy.Facts{Amount: c.Amount, Currency: c.Currency}
			s.recorded = append(s.recorded, in.Submit.Transition)
			return activities.PlanApprovalResult{Route: policy.Plan(policy.DefaultPolicy(), facts, policy.Assess(nil, facts))}, nil
		}).Maybe()
	s.env.OnActivity(a.OpenStages, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.OpenStagesInput) (activities.OpenStagesResult, error) {
			return openStages(in, func(st policy.Stage) []domain.Approver { return resolve(st.Role).Approvers }, &s.saved), nil
		}).Maybe()
	s.env.OnActivity(a.RecordSigningStep, mock.Anything, mock.Anything).Return(nil).Maybe()
	s.env.OnActivity(a.SignPDF, mock.Anything, mock.Anything).Return(activities.SignPDFResult{Signed: true}, nil).Maybe()
	s.env.OnActivity(a.RecordSignature, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordSignatureInput) (activities.RecordSignatureResult, error) {
			seal, err := testSealer.Seal(in.Record)
			return activities.RecordSignatureResult{Signature: eseal.SealedSignature{SignatureRecord: in.Record, Seal: seal}}, err
		}).Maybe()
}

func (s *contractSuite) AfterTest(_, _ string) { s.env.AssertExpectations(s.T()) }

// contract returns terms worth amount minor units of currency whose term
// ends `term` after the test's start.
func (s *contractSuite) contract(amount int64, currency string, term time.Duration) domain.Contract {
	return domain.Contract{
		Number: "HT-2026-000123", Title: "年度软件服务合同", CustomerName: "上海星辰科技有限公司",
		OwnerID: owner.UserID, OwnerName: owner.Name, Amount: amount, Currency: currency,
		StartDate: "2026-03-02", EndDate: "2027-03-01", ExpiresAt: s.start.Add(term), CreatedAt: s.start,
	}
}

// awaitRound sends the contract the Update the service sends once a
// round's closing Update has answered, and checks the contract's answer.
func (s *contractSuite) awaitRound(t *testing.T, roundID, requestID string, check func(*testing.T, workflows.ContractState)) {
	s.env.UpdateWorkflow(workflows.UpdateAwaitRound, requestID+"/applied", &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(err error) { t.Errorf("await %s refused: %v", roundID, err) },
		OnComplete: func(v any, err error) {
			require.NoError(t, err, "await %s", roundID)
			st, ok := v.(workflows.ContractState)
			require.True(t, ok, "await %s answered %T", roundID, v)
			check(t, st)
		},
	}, workflows.AwaitRoundRequest{RoundWorkflowID: roundID})
}

// run starts the workflow and sends steps one minute apart; each step's
// verdict is checked as it arrives. It returns the final live state.
func (s *contractSuite) run(c domain.Contract, steps []step) workflows.ContractState {
	t := s.T()
	end := time.Duration(len(steps)+1) * time.Minute
	for i, st := range steps {
		when := time.Duration(i+1) * time.Minute
		if st.at > 0 {
			when = st.at
			end = max(end, when+time.Minute)
		}
		s.env.RegisterDelayedCallback(func() {
			s.beforeLast = len(s.recorded)
			id := st.name + "-" + string(rune('a'+i))
			cb := &testsuite.TestUpdateCallback{
				OnAccept: func() {
					if st.refuse != "" {
						t.Errorf("step %d (%s) accepted, want refused %s", i, st.name, st.refuse)
					}
				},
				OnReject: func(err error) {
					if st.refuse == "" {
						t.Errorf("step %d (%s) refused: %v", i, st.name, err)
						return
					}
					var appErr *temporal.ApplicationError
					if assert.True(t, errors.As(err, &appErr), "step %d: %v", i, err) {
						assert.Equal(t, string(st.refuse), appErr.Type(), "step %d: %s", i, appErr.Message())
					}
				},
				OnComplete: func(v any, err error) {
					if st.refuse != "" {
						return
					}
					require.NoError(t, err, "step %d (%s)", i, st.name)
					if res, ok := v.(workflows.SigningState); ok && st.opened != nil {
						st.opened(t, res)
						return
					}
					if res, ok := v.(workflows.ApprovalState); ok && st.reviewOpened != nil {
						st.reviewOpened(t, res)
						return
					}
					if st.check == nil {
						return
					}
					switch res := v.(type) {
					case workflows.ContractState:
						st.check(t, res)
					case workflows.DecideResult:
						// A decision that closed its round answers with the
						// round closed; the service then asks the contract,
						// as here, which answers once it has applied it.
						if res.Round.Outcome == "" || !res.Round.DirectClose {
							t.Errorf("step %d (%s): the decision did not close a round that reports by completing: %+v", i, st.name, res.Round)
							return
						}
						s.awaitRound(t, workflows.ApprovalWorkflowID(number, res.Round.Round), id, st.check)
					case workflows.SigningState:
						// Likewise a signature that ended its round.
						if res.Outcome == "" || !res.DirectClose {
							t.Errorf("step %d (%s): the signature did not close a round that reports by completing", i, st.name)
							return
						}
						s.awaitRound(t, workflows.SigningWorkflowID(number, res.Round), id, st.check)
					}
				},
			}
			if st.signing > 0 {
				if err := s.env.UpdateWorkflowByID(workflows.SigningWorkflowID(number, st.signing), st.name, id, cb, st.arg); err != nil && st.refuse != domain.RefusedConflict {
					t.Errorf("step %d (%s) to signing round %d: %v", i, st.name, st.signing, err)
				}
				return
			}
			if st.round > 0 {
				// A closed round's workflow has ended: the API answers 409.
				if err := s.env.UpdateWorkflowByID(workflows.ApprovalWorkflowID(number, st.round), st.name, id, cb, st.arg); err != nil && st.refuse != domain.RefusedConflict {
					t.Errorf("step %d (%s) to round %d: %v", i, st.name, st.round, err)
				}
				return
			}
			s.env.UpdateWorkflow(st.name, id, cb, st.arg)
		}, when)
	}
	var final workflows.ContractState
	s.env.RegisterDelayedCallback(func() {
		v, err := s.env.QueryWorkflow(workflows.QueryState)
		require.NoError(t, err)
		require.NoError(t, v.Get(&final))
		if final.RoundWorkflowID != "" {
			rv, err := s.env.QueryWorkflowByID(final.RoundWorkflowID, workflows.QueryApprovalState)
			require.NoError(t, err)
			require.NoError(t, rv.Get(&s.round))
		}
		if !final.Status.Closed() && final.Status != domain.StatusActive {
			s.env.CancelWorkflow()
		}
	}, end)
	s.env.ExecuteWorkflow(workflows.ContractWorkflow, workflows.ContractInput{Contract: c})
	return final
}

func (s *contractSuite) kinds() []string {
	var k []string
	for _, tr := range s.recorded {
		k = append(k, tr.Event.Kind)
	}
	return k
}

func submit(a domain.Actor) step {
	return step{name: workflows.UpdateSubmit, arg: workflows.SubmitRequest{Actor: a}}
}
func send(a domain.Actor) step { return sendTo(a, 0, roundSigners...) }

// decide decides the first task of a stage of round 1.
func decide(a domain.Actor, stage int, d domain.Decision, opinion string) step {
	return decideIn(1, a, stage, d, opinion)
}

func decideIn(round int, a domain.Actor, stage int, d domain.Decision, opinion string) step {
	return step{name: workflows.UpdateDecide, round: round, arg: workflows.DecideRequest{Actor: a,
		TaskID: workflows.StageTaskID(number, round, stage, "1"), Decision: d, Opinion: opinion}}
}
func cancelBy(a domain.Actor) step {
	return step{name: workflows.UpdateCancel, arg: workflows.CancelRequest{Actor: a, Reason: "客户取消"}}
}
func refused(st step, kind domain.RefusalKind) step { st.refuse = kind; return st }
func then(st step, check func(*testing.T, workflows.ContractState)) step {
	st.check = check
	return st
}

func (s *contractSuite) TestStagesFollowTheAmount() {
	cases := []struct {
		amount   int64
		currency string
		roles    []domain.Role
	}{
		{9_999_999, "CNY", []domain.Role{domain.RoleSalesManager}},
		{10_000_000, "CNY", []domain.Role{domain.RoleSalesManager, domain.RoleFinance}},
		{100_000_000, "CNY", []domain.Role{domain.RoleSalesManager, domain.RoleFinance, domain.RoleExecutive}},
		{100_000, "JPY", []domain.Role{domain.RoleSalesManager, domain.RoleFinance}},
	}
	for _, tc := range cases {
		s.SetupTest()
		s.run(s.contract(tc.amount, tc.currency, 365*24*time.Hour), []step{submit(owner)})
		var roles []domain.Role
		for _, st := range s.round.Route.Stages {
			roles = append(roles, st.Role)
		}
		s.Equal(tc.roles, roles, "%d %s", tc.amount, tc.currency)
		s.Require().Len(s.round.Tasks, 1, "only the first stage is open")
		s.Equal(domain.RoleSalesManager, s.round.Tasks[0].Role)
		s.Equal(manager.UserID, s.round.Tasks[0].AssigneeID)
		s.Equal(domain.TaskOpen, s.round.Tasks[0].Status)
	}
}

func (s *contractSuite) TestStagesApproveInOrder() {
	final := s.run(s.contract(100_000_000, "CNY", 365*24*time.Hour), []step{
		submit(owner),
		refused(decide(finance, 2, domain.DecisionApprove, ""), domain.RefusedNotFound),
		decide(manager, 1, domain.DecisionApprove, ""),
		refused(decide(manager, 2, domain.DecisionApprove, ""), domain.RefusedForbidden),
		decide(finance, 2, domain.DecisionApprove, "账期可接受"),
		decide(executive, 3, domain.DecisionApprove, ""),
	})
	s.Equal(domain.StatusApproved, final.Status)
	s.Require().Len(final.Tasks, 3)
	s.Equal("账期可接受", final.Tasks[1].Opinion)
	s.Equal([]string{domain.EventCreated, domain.EventSubmitted, domain.EventApproved}, s.kinds())
}

func (s *contractSuite) TestRejectThenResubmit() {
	final := s.run(s.contract(10_000_000, "CNY", 365*24*time.Hour), []step{
		submit(owner),
		decide(manager, 1, domain.DecisionReject, "折扣过高"),
		then(submit(owner), func(t *testing.T, st workflows.ContractState) {
			assert.Equal(t, 2, st.Round)
			require.NotNil(t, st.LastDecision, "the opinion is kept after resubmission")
			assert.Equal(t, "折扣过高", st.LastDecision.Opinion)
			assert.Equal(t, manager.UserID, st.LastDecision.DecidedByID)
		}),
		refused(decideIn(1, manager, 1, domain.DecisionApprove, ""), domain.RefusedConflict),
	})
	s.Equal(domain.StatusInReview, final.Status)
	s.Equal(workflows.StageTaskID(number, 2, 1, "1"), s.round.Tasks[0].ID)
	rejected := s.recorded[2]
	s.Equal(domain.EventRejected, rejected.Event.Kind)
	s.Equal(domain.StatusDraft, rejected.Status)
	s.Equal("折扣过高", rejected.Event.Opinion)
	s.Equal(manager.UserID, rejected.Event.ActorID)
}

func (s *contractSuite) TestRequestChangesReturnsToDraft() {
	final := s.run(s.contract(5_000_000, "CNY", 365*24*time.Hour), []step{
		submit(owner),
		decide(manager, 1, domain.DecisionRequestChanges, "请补充违约责任条款"),
	})
	s.Equal(domain.StatusDraft, final.Status)
	s.Equal(domain.TaskChangesRequested, final.LastDecision.Status)
	s.Equal(domain.EventChangesRequested, s.recorded[2].Event.Kind)
}

func (s *contractSuite) TestCancel() {
	for _, tc := range []struct {
		name   string
		before []step
	}{
		{"draft", nil},
		{"in review", []step{submit(owner)}},
		{"approved", []step{submit(owner), decide(manager, 1, domain.DecisionApprove, "")}},
	} {
		s.SetupTest()
		s.run(s.contract(5_000_000, "CNY", 365*24*time.Hour), append(tc.before, cancelBy(owner)))
		s.True(s.env.IsWorkflowCompleted(), tc.name)
		var result workflows.ContractResult
		s.NoError(s.env.GetWorkflowResult(&result), tc.name)
		s.Equal(domain.StatusCancelled, result.Status, tc.name)
		last := s.recorded[len(s.recorded)-1]
		s.Equal(domain.EventCancelled, last.Event.Kind, tc.name)
		s.Equal("客户取消", last.Event.Opinion, tc.name)
		for _, task := range last.Tasks {
			s.NotEqual(domain.TaskOpen, task.Status, "%s: no task stays open", tc.name)
		}
	}
}

func (s *contractSuite) TestRefusedUpdatesRecordNothing() {
	toSigning := []step{submit(owner), decide(manager, 1, domain.DecisionApprove, ""), send(owner)}
	cases := []struct {
		name   string
		before []step
		bad    step
		kind   domain.RefusalKind
		amount int64 // default 50,000.00
	}{
		{"submit by another sales person", nil, submit(otherRep), domain.RefusedForbidden, 0},
		{"submit twice", []step{submit(owner)}, submit(owner), domain.RefusedConflict, 0},
		{"decide by the wrong role", []step{submit(owner)}, decide(finance, 1, domain.DecisionApprove, ""), domain.RefusedForbidden, 0},
		{"decide an unknown task", []step{submit(owner)}, decide(manager, 9, domain.DecisionApprove, ""), domain.RefusedNotFound, 0},
		{name: "decide a decided task", before: []step{submit(owner), decide(manager, 1, domain.DecisionApprove, "")},
			bad: decide(manager, 1, domain.DecisionReject, "no"), kind: domain.RefusedConflict, amount: 10_000_000},
		{"an unknown decision", []step{submit(owner)}, decide(manager, 1, "maybe", ""), domain.RefusedInvalid, 0},
		{"send a draft", nil, send(owner), domain.RefusedConflict, 0},
		{"send by another sales person", []step{submit(owner), decide(manager, 1, domain.DecisionApprove, "")}, send(otherRep), domain.RefusedForbidden, 0},
		{"cancel while signing", toSigning, cancelBy(owner), domain.RefusedConflict, 0},
		{"cancel by another sales person", nil, cancelBy(otherRep), domain.RefusedForbidden, 0},
		{"create again by someone else", nil, step{name: workflows.UpdateCreate, arg: workflows.CreateRequest{Actor: otherRep}}, domain.RefusedConflict, 0},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			s.SetupTest()
			steps := append(append([]step{}, tc.before...), refused(tc.bad, tc.kind))
			amount := tc.amount
			if amount == 0 {
				amount = 5_000_000
			}
			s.run(s.contract(amount, "CNY", 365*24*time.Hour), steps)
			s.Len(s.recorded, s.beforeLast, "a refused update recorded a transition")
			s.Positive(s.beforeLast)
		})
	}
}

func (s *contractSuite) TestLegalRevisesADraftsDocument() {
	legal := domain.Actor{UserID: "u-legal", Name: "王芳", Roles: []domain.Role{domain.RoleLegal}}
	doc := func(hash string) workflows.ReviseRequest {
		return workflows.ReviseRequest{Actor: legal, Kind: workflows.ReviseNonStandard, Document: domain.RenderedDocument{SHA256: hash, Text: "合同正文", HTML: "<p>合同正文</p>"}}
	}
	newHash := strings.Repeat("ab", 32)
	final := s.run(s.contract(5_000_000, "CNY", 365*24*time.Hour), []step{
		refused(step{name: workflows.UpdateRevise, arg: workflows.ReviseRequest{Actor: owner, Kind: workflows.ReviseNonStandard, Document: doc(newHash).Document}}, domain.RefusedForbidden),
		refused(step{name: workflows.UpdateRevise, arg: doc("short")}, domain.RefusedInvalid),
		then(step{name: workflows.UpdateRevise, arg: doc(newHash)}, func(t *testing.T, st workflows.ContractState) {
			assert.Equal(t, newHash, st.Contract.DocumentSHA256)
			assert.Equal(t, domain.StatusDraft, st.Status)
		}),
		submit(owner),
		refused(step{name: workflows.UpdateRevise, arg: doc(strings.Repeat("cd", 32))}, domain.RefusedConflict),
	})
	s.Equal(newHash, final.Contract.DocumentSHA256)
	revised := s.recorded[1]
	s.Equal(domain.EventRevised, revised.Event.Kind)
	s.Require().NotNil(revised.Document)
	s.Equal(newHash, revised.Document.SHA256)
	s.Equal(newHash, revised.Contract.DocumentSHA256)
}

func (s *contractSuite) TestOwnerRevisesADraftsContent() {
	c := s.contract(5_000_000, "CNY", 365*24*time.Hour)
	terms := c
	terms.Amount, terms.Title, terms.OwnerID, terms.Number = 150_000_00, "修订后的合同", "u-someone-else", "HT-9999-999999"
	lines := []domain.LineItem{{ProductID: "p1", Description: "许可", Unit: "套", QuantityMilli: 1000, UnitPrice: 150_000_00,
		LineAmounts: domain.LineAmounts{Gross: 150_000_00, Net: 150_000_00, Total: 150_000_00}}}
	rd := domain.RenderedDocument{SHA256: strings.Repeat("ef", 32), Text: "修订后的正文"}
	revise := func(a domain.Actor, withTerms bool) step {
		req := workflows.ReviseRequest{Actor: a, Kind: workflows.ReviseContent, Lines: lines, Document: rd}
		if withTerms {
			req.Contract = &terms
		}
		return step{name: workflows.UpdateRevise, arg: req}
	}
	final := s.run(c, []step{
		refused(revise(finance, true), domain.RefusedForbidden),
		refused(revise(owner, false), domain.RefusedInvalid),
		refused(step{name: workflows.UpdateRevise, arg: workflows.ReviseRequest{Actor: owner, Kind: "rewrite", Document: rd}}, domain.RefusedInvalid),
		revise(owner, true),
		submit(owner),
	})
	s.Len(s.round.Route.Stages, 2, "stages follow the revised amount")
	s.Equal(int64(150_000_00), final.Contract.Amount)
	s.Equal("修订后的合同", final.Contract.Title)
	s.Equal(c.Number, final.Contract.Number, "the number never changes")
	s.Equal(owner.UserID, final.Contract.OwnerID, "nor the owner")
	revised := s.recorded[1]
	s.Equal(domain.EventRevised, revised.Event.Kind)
	s.Equal(lines, revised.Lines)
	s.Equal(rd.SHA256, revised.Contract.DocumentSHA256)
}

func (s *contractSuite) TestManagerActsForTheOwner() {
	final := s.run(s.contract(5_000_000, "CNY", 365*24*time.Hour), []step{
		submit(manager), decide(manager, 1, domain.DecisionApprove, ""), send(manager),
		signThrough(1, 1, "陈静"), signThrough(1, 2, "王建国"),
	})
	s.Equal(domain.StatusActive, final.Status)
	s.Require().Len(final.NextTimers, 1)
	s.Equal(workflows.TimerExpiry, final.NextTimers[0].Name)
}

func (s *contractSuite) TestTermAlreadyOverExpiresOnActivation() {
	s.run(s.contract(5_000_000, "CNY", -24*time.Hour), []step{
		submit(owner), decide(manager, 1, domain.DecisionApprove, ""), send(owner),
		signThrough(1, 1, "陈静"), signThrough(1, 2, "王建国"),
	})
	s.True(s.env.IsWorkflowCompleted())
	expired := s.recorded[len(s.recorded)-2]
	s.Equal(domain.EventExpired, expired.Event.Kind)
	s.Equal(domain.EventCompleted, s.recorded[len(s.recorded)-1].Event.Kind, "owing nothing, it completes")
	s.Equal(s.recorded[len(s.recorded)-3].Event.At, expired.Event.At, "no waiting once the term is over")
}

// A run hands over to the next only when nothing is in flight: neither a
// submission still planning its round nor a round's outcome still being
// recorded may be cut off by continue-as-new.
func (s *contractSuite) TestContinueAsNewWaitsForWorkInFlight() {
	for _, tc := range []struct {
		name    string
		suggest func()
	}{
		{"suggested while a submission plans its round", func() {
			s.onPlan = func() { s.env.SetContinueAsNewSuggested(true) }
		}},
		{"suggested while the round is open", func() {
			s.env.RegisterDelayedCallback(func() { s.env.SetContinueAsNewSuggested(true) }, 90*time.Second)
		}},
	} {
		s.Run(tc.name, func() {
			s.SetupTest()
			tc.suggest()
			s.run(s.contract(5_000_000, "CNY", 365*24*time.Hour), []step{
				then(submit(owner), func(t *testing.T, st workflows.ContractState) {
					assert.Equal(t, domain.StatusInReview, st.Status)
				}),
				decide(manager, 1, domain.DecisionApprove, "同意"),
			})
			s.Equal([]string{domain.EventCreated, domain.EventSubmitted, domain.EventApproved}, s.kinds(),
				"the round's outcome is recorded before the run hands over")
			var can *workflow.ContinueAsNewError
			s.Require().ErrorAs(s.env.GetWorkflowError(), &can)
			var next workflows.ContractInput
			s.Require().NoError(converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
			s.Require().NotNil(next.State)
			s.Equal(domain.StatusApproved, next.State.Status, fmt.Sprintf("%+v", next.State))
			s.Empty(next.State.RoundWorkflowID)
			s.Equal(3, next.State.EventSeq)
		})
	}
}

// The decision that closes a round answers once the round has recorded its
// close (changeDirectClose); the contract's UpdateAwaitRound, which the
// service sends next, answers once the contract has recorded the outcome:
// approved (or back in draft), with the recorded event, and nobody needs
// to poll for it.
func (s *contractSuite) TestClosingDecisionAnswersWithTheRecordedContract() {
	for _, tc := range []struct {
		name     string
		decision domain.Decision
		want     domain.Status
		event    string
	}{
		{"approved", domain.DecisionApprove, domain.StatusApproved, domain.EventApproved},
		{"rejected", domain.DecisionReject, domain.StatusDraft, domain.EventRejected},
	} {
		s.Run(tc.name, func() {
			s.SetupTest()
			s.run(s.contract(5_000_000, "CNY", 365*24*time.Hour), []step{
				submit(owner),
				then(decide(manager, 1, tc.decision, "意见"), func(t *testing.T, st workflows.ContractState) {
					assert.Equal(t, tc.want, st.Status)
					assert.Empty(t, st.RoundWorkflowID, "the round is taken in")
					require.NotEmpty(t, s.recorded)
					assert.Equal(t, tc.event, s.recorded[len(s.recorded)-1].Event.Kind, "recorded before the answer")
				}),
			})
		})
	}
}

// A submission answers once the review round has started; the round's
// UpdateAwaitOpened, which the service sends next, once the first stage's
// task is saved, so it is in the approver's inbox.
func (s *contractSuite) TestSubmitIsAnsweredOnceTheFirstTasksAreSaved() {
	s.run(s.contract(5_000_000, "CNY", 365*24*time.Hour), []step{
		then(submit(owner), func(t *testing.T, st workflows.ContractState) {
			assert.True(t, st.RoundDirect, "the round reports by completing")
			assert.Equal(t, workflows.ApprovalWorkflowID(number, 1), st.RoundWorkflowID)
		}),
		{name: workflows.UpdateAwaitOpened, round: 1, arg: struct{}{}, reviewOpened: func(t *testing.T, st workflows.ApprovalState) {
			require.NotEmpty(t, st.Tasks)
			assert.Equal(t, domain.TaskOpen, st.Tasks[0].Status)
			assert.Equal(t, workflows.StageTaskID(number, 1, 1, "1"), st.Tasks[0].ID)
			saved := make([]string, len(s.saved))
			for i, tk := range s.saved {
				saved[i] = tk.ID
			}
			assert.Contains(t, saved, st.Tasks[0].ID, "saved before the answer")
			assert.Empty(t, st.Outcome)
		}},
	})
}

// A send answers once the round has started; the round's UpdateAwaitOpened,
// which the service sends next, once the first group's links are out.
func (s *contractSuite) TestSendIsAnsweredOnceTheFirstLinksAreOut() {
	c := s.contract(5_000_000, "CNY", 365*24*time.Hour)
	s.run(c, []step{
		submit(owner),
		decide(manager, 1, domain.DecisionApprove, ""),
		then(send(owner), func(t *testing.T, st workflows.ContractState) {
			assert.True(t, st.SigningDirect, "the round reports by completing")
			assert.Equal(t, workflows.SigningWorkflowID(number, 1), st.SigningWorkflowID)
		}),
		{name: workflows.UpdateAwaitOpened, signing: 1, arg: struct{}{}, opened: func(t *testing.T, st workflows.SigningState) {
			require.Len(t, st.Signers, 2)
			assert.Equal(t, 1, st.Signers[0].Links, "the first group's signer has a link")
			assert.Zero(t, st.Signers[1].Links, "the second group waits for the first")
			assert.Empty(t, st.Outcome)
		}},
	})
}

// The signature that ends a signing round answers with the round closed,
// and the contract's UpdateAwaitRound once the contract is active.
func (s *contractSuite) TestLastSignatureAnswersOnceTheContractIsActive() {
	c := s.contract(5_000_000, "CNY", 365*24*time.Hour)
	s.run(c, []step{
		submit(owner),
		decide(manager, 1, domain.DecisionApprove, ""),
		then(send(owner), func(t *testing.T, st workflows.ContractState) {
			assert.Equal(t, domain.StatusSigning, st.Status)
		}),
		signThrough(1, 1, "陈静"),
		then(signThrough(1, 2, "王建国"), func(t *testing.T, st workflows.ContractState) {
			assert.Equal(t, domain.StatusActive, st.Status, "recorded active before the contract answered")
			assert.Equal(t, domain.EventSigned, s.recorded[len(s.recorded)-1].Event.Kind)
		}),
	})
}

// A lifecycle's writes to PostgreSQL run as local activities in the
// workflow worker, each step one write (changeLocalRecords): no activity
// task goes to the task queue between a person's action and its answer.
func (s *contractSuite) TestALifecycleWritesThroughLocalActivitiesOnly() {
	var remote, local []string
	s.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		remote = append(remote, info.ActivityType.Name)
	})
	s.env.SetOnLocalActivityStartedListener(func(info *activity.Info, _ context.Context, _ []any) {
		local = append(local, info.ActivityType.Name)
	})
	c := s.contract(5_000_000, "CNY", 365*24*time.Hour)
	st := s.run(c, []step{
		submit(owner),
		decide(manager, 1, domain.DecisionApprove, ""),
		send(owner),
		signThrough(1, 1, "陈静"),
		signThrough(1, 2, "王建国"),
	})
	s.Equal(domain.StatusActive, st.Status)
	s.Empty(remote, "no remote activity in a lifecycle")
	// (Then the test clock runs the term out: expired, completed.)
	s.Require().GreaterOrEqual(len(local), 11)
	s.Equal([]string{
		"RecordTransition",  // created
		"PlanAndSubmit",     // the round planned and the submission recorded
		"OpenStages",        // the sales manager's task
		"CloseRound",        // the approval that closed the round
		"RecordTransition",  // approved
		"RecordTransition",  // sent
		"RecordSigningStep", // the round with its first signer's link
		"RecordSignature",   // signed, with the customer's link
		"RecordSignature",   // signed, with the round closed
		"SignPDF",           // the version's PDF signed (changeSignedPDF)
		"RecordTransition",  // active
	}, local[:11])
}
