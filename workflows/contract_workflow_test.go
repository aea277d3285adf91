package workflows_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/domain"
	"github.com/signet-clm/signet/workflows"
)

var (
	owner     = domain.Actor{UserID: "u-sales", Name: "张伟 Zhang Wei", Roles: []domain.Role{domain.RoleSales}}
	otherRep  = domain.Actor{UserID: "u-sales-2", Name: "周杰", Roles: []domain.Role{domain.RoleSales}}
	manager   = domain.Actor{UserID: "u-mgr", Name: "李娜", Roles: []domain.Role{domain.RoleSalesManager}}
	finance   = domain.Actor{UserID: "u-fin", Name: "刘洋", Roles: []domain.Role{domain.RoleFinance}}
	executive = domain.Actor{UserID: "u-exec", Name: "陈静", Roles: []domain.Role{domain.RoleExecutive}}
)

// step is one update the test sends, and what it expects back.
type step struct {
	name   string
	arg    any
	refuse domain.RefusalKind // empty: must be accepted
	check  func(*testing.T, workflows.ContractState)
}

type contractSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env      *testsuite.TestWorkflowEnvironment
	recorded []domain.Transition
	start    time.Time
}

func TestContractWorkflow(t *testing.T) { suite.Run(t, new(contractSuite)) }

func (s *contractSuite) SetupTest() {
	s.env = s.NewTestWorkflowEnvironment()
	s.start = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	s.env.SetStartTime(s.start)
	s.recorded = nil
	var a *activities.Activities
	s.env.OnActivity(a.RecordTransition, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordTransitionInput) (activities.RecordTransitionResult, error) {
			s.recorded = append(s.recorded, in.Transition)
			return activities.RecordTransitionResult{Applied: true}, nil
		})
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

// run starts the workflow and sends steps one minute apart; each step's
// verdict is checked as it arrives. It returns the final live state.
func (s *contractSuite) run(c domain.Contract, steps []step) workflows.ContractState {
	t := s.T()
	for i, st := range steps {
		s.env.RegisterDelayedCallback(func() {
			s.env.UpdateWorkflow(st.name, st.name+"-"+string(rune('a'+i)), &testsuite.TestUpdateCallback{
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
					if st.check != nil {
						st.check(t, v.(workflows.ContractState))
					}
				},
			}, st.arg)
		}, time.Duration(i+1)*time.Minute)
	}
	var final workflows.ContractState
	s.env.RegisterDelayedCallback(func() {
		v, err := s.env.QueryWorkflow(workflows.QueryState)
		require.NoError(t, err)
		require.NoError(t, v.Get(&final))
		if !final.Status.Closed() && final.Status != domain.StatusActive {
			s.env.CancelWorkflow()
		}
	}, time.Duration(len(steps)+1)*time.Minute)
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
func send(a domain.Actor) step {
	return step{name: workflows.UpdateSend, arg: workflows.SendRequest{Actor: a}}
}
func decide(a domain.Actor, stage int, d domain.Decision, opinion string) step {
	return step{name: workflows.UpdateDecide, arg: workflows.DecideRequest{Actor: a,
		TaskID: workflows.TaskID("HT-2026-000123", 1, stage), Decision: d, Opinion: opinion}}
}
func sign(a domain.Actor, p domain.Party) step {
	return step{name: workflows.UpdateSign, arg: workflows.SignRequest{Actor: a, Party: p, SignerName: a.Name, IP: "10.0.0.8", UserAgent: "test"}}
}
func cancelBy(a domain.Actor) step {
	return step{name: workflows.UpdateCancel, arg: workflows.CancelRequest{Actor: a, Reason: "客户取消"}}
}
func refused(st step, kind domain.RefusalKind) step { st.refuse = kind; return st }
func then(st step, check func(*testing.T, workflows.ContractState)) step {
	st.check = check
	return st
}

func (s *contractSuite) TestHappyPathToActiveThenExpired() {
	c := s.contract(5_000_000, "CNY", 30*24*time.Hour)
	s.run(c, []step{
		then(step{name: workflows.UpdateCreate, arg: workflows.CreateRequest{Actor: owner}}, func(t *testing.T, st workflows.ContractState) {
			assert.Equal(t, domain.StatusDraft, st.Status)
		}),
		then(submit(owner), func(t *testing.T, st workflows.ContractState) {
			assert.Equal(t, domain.StatusInReview, st.Status)
			require.Len(t, st.Tasks, 1)
			assert.Equal(t, domain.RoleSalesManager, st.Tasks[0].Role)
			assert.Equal(t, domain.TaskOpen, st.Tasks[0].Status)
			assert.Len(t, st.OpenTasks(), 1)
		}),
		then(decide(manager, 1, domain.DecisionApprove, "同意"), func(t *testing.T, st workflows.ContractState) {
			assert.Equal(t, domain.StatusApproved, st.Status)
			assert.Equal(t, "李娜", st.Tasks[0].DecidedByName)
			assert.Empty(t, st.OpenTasks())
		}),
		then(send(owner), func(t *testing.T, st workflows.ContractState) {
			assert.Equal(t, domain.StatusSigning, st.Status)
			require.Len(t, st.Signatures, 2)
			assert.Equal(t, domain.PartyCompany, st.Signatures[0].Party)
			assert.Equal(t, domain.PartyCustomer, st.Signatures[1].Party)
		}),
		sign(executive, domain.PartyCompany),
		then(sign(owner, domain.PartyCustomer), func(t *testing.T, st workflows.ContractState) {
			assert.Equal(t, domain.StatusActive, st.Status)
			assert.NotNil(t, st.SignedAt)
		}),
	})
	s.True(s.env.IsWorkflowCompleted())
	var result workflows.ContractResult
	s.NoError(s.env.GetWorkflowResult(&result))
	s.Equal(domain.StatusExpired, result.Status)
	s.Equal([]string{domain.EventCreated, domain.EventSubmitted, domain.EventTaskApproved, domain.EventSent,
		domain.EventSigned, domain.EventSigned, domain.EventExpired}, s.kinds())
	for i, tr := range s.recorded {
		s.Equal(i+1, tr.Event.Seq)
		s.Equal("HT-2026-000123/"+string(rune('1'+i)), tr.Event.ID)
		s.Equal("上海星辰科技有限公司", tr.Contract.CustomerName)
	}
	expired := s.recorded[len(s.recorded)-1]
	s.Equal(domain.StatusActive, expired.Event.FromStatus)
	s.Equal(domain.SystemActor.UserID, expired.Event.ActorID)
	s.Equal(c.ExpiresAt, expired.Event.At, "the end-date timer fires at the expiry instant")
	signed := s.recorded[5]
	s.Require().NotNil(signed.Signature)
	s.Equal(domain.PartyCustomer, signed.Signature.Party)
	s.Equal("10.0.0.8", signed.Signature.IP)
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
		final := s.run(s.contract(tc.amount, tc.currency, 365*24*time.Hour), []step{submit(owner)})
		var roles []domain.Role
		for i, task := range final.Tasks {
			roles = append(roles, task.Role)
			want := domain.TaskPending
			if i == 0 {
				want = domain.TaskOpen
			}
			s.Equal(want, task.Status, "stage %d of %d %s", i+1, tc.amount, tc.currency)
		}
		s.Equal(tc.roles, roles, "%d %s", tc.amount, tc.currency)
	}
}

func (s *contractSuite) TestStagesApproveInOrder() {
	final := s.run(s.contract(100_000_000, "CNY", 365*24*time.Hour), []step{
		submit(owner),
		refused(decide(finance, 2, domain.DecisionApprove, ""), domain.RefusedConflict),
		decide(manager, 1, domain.DecisionApprove, ""),
		refused(decide(manager, 2, domain.DecisionApprove, ""), domain.RefusedForbidden),
		decide(finance, 2, domain.DecisionApprove, "账期可接受"),
		then(decide(executive, 3, domain.DecisionApprove, ""), func(t *testing.T, st workflows.ContractState) {
			assert.Equal(t, domain.StatusApproved, st.Status)
		}),
	})
	s.Equal(domain.StatusApproved, final.Status)
	s.Equal("账期可接受", final.Tasks[1].Opinion)
	s.Equal([]string{domain.EventCreated, domain.EventSubmitted, domain.EventTaskApproved, domain.EventTaskApproved, domain.EventTaskApproved}, s.kinds())
}

func (s *contractSuite) TestRejectThenResubmit() {
	final := s.run(s.contract(10_000_000, "CNY", 365*24*time.Hour), []step{
		submit(owner),
		then(decide(manager, 1, domain.DecisionReject, "折扣过高"), func(t *testing.T, st workflows.ContractState) {
			assert.Equal(t, domain.StatusDraft, st.Status)
			require.NotNil(t, st.LastDecision)
			assert.Equal(t, "折扣过高", st.LastDecision.Opinion)
			assert.Equal(t, manager.UserID, st.LastDecision.DecidedByID)
			assert.Equal(t, domain.TaskRejected, st.Tasks[0].Status)
			assert.Equal(t, domain.TaskCancelled, st.Tasks[1].Status, "the finance stage never opened")
		}),
		submit(owner),
	})
	s.Equal(domain.StatusInReview, final.Status)
	s.Equal(2, final.Round)
	s.Equal(workflows.TaskID("HT-2026-000123", 2, 1), final.Tasks[0].ID)
	s.NotNil(final.LastDecision, "the opinion is kept after resubmission")
	rejected := s.recorded[2]
	s.Equal(domain.EventRejected, rejected.Event.Kind)
	s.Equal("折扣过高", rejected.Event.Opinion)
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
	}{
		{"submit by another sales person", nil, submit(otherRep), domain.RefusedForbidden},
		{"submit twice", []step{submit(owner)}, submit(owner), domain.RefusedConflict},
		{"decide by the wrong role", []step{submit(owner)}, decide(finance, 1, domain.DecisionApprove, ""), domain.RefusedForbidden},
		{"decide an unknown task", []step{submit(owner)}, decide(manager, 9, domain.DecisionApprove, ""), domain.RefusedNotFound},
		{"decide a decided task", []step{submit(owner), decide(manager, 1, domain.DecisionApprove, "")}, decide(manager, 1, domain.DecisionReject, "no"), domain.RefusedConflict},
		{"an unknown decision", []step{submit(owner)}, decide(manager, 1, "maybe", ""), domain.RefusedInvalid},
		{"send a draft", nil, send(owner), domain.RefusedConflict},
		{"send by another sales person", []step{submit(owner), decide(manager, 1, domain.DecisionApprove, "")}, send(otherRep), domain.RefusedForbidden},
		{"sign before sending", nil, sign(executive, domain.PartyCompany), domain.RefusedConflict},
		{"company signature by sales", toSigning, sign(owner, domain.PartyCompany), domain.RefusedForbidden},
		{"customer before company", toSigning, sign(owner, domain.PartyCustomer), domain.RefusedConflict},
		{"company signs twice", append(toSigning, sign(executive, domain.PartyCompany)), sign(executive, domain.PartyCompany), domain.RefusedConflict},
		{"an unknown party", toSigning, sign(owner, "witness"), domain.RefusedInvalid},
		{"cancel while signing", toSigning, cancelBy(owner), domain.RefusedConflict},
		{"cancel by another sales person", nil, cancelBy(otherRep), domain.RefusedForbidden},
		{"create again by someone else", nil, step{name: workflows.UpdateCreate, arg: workflows.CreateRequest{Actor: otherRep}}, domain.RefusedConflict},
	}
	for _, tc := range cases {
		s.Run(tc.name, func() {
			s.SetupTest()
			steps := append(append([]step{}, tc.before...), refused(tc.bad, tc.kind))
			s.run(s.contract(5_000_000, "CNY", 365*24*time.Hour), steps)
			s.Len(s.recorded, 1+len(tc.before), "a refused update recorded a transition")
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
		then(submit(owner), func(t *testing.T, st workflows.ContractState) {
			require.Len(t, st.Tasks, 2, "stages follow the revised amount")
		}),
	})
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
		sign(executive, domain.PartyCompany), sign(manager, domain.PartyCustomer),
	})
	s.Equal(domain.StatusActive, final.Status)
	s.Require().Len(final.NextTimers, 1)
	s.Equal(workflows.TimerExpiry, final.NextTimers[0].Name)
}

func (s *contractSuite) TestTermAlreadyOverExpiresOnActivation() {
	s.run(s.contract(5_000_000, "CNY", -24*time.Hour), []step{
		submit(owner), decide(manager, 1, domain.DecisionApprove, ""), send(owner),
		sign(executive, domain.PartyCompany), sign(owner, domain.PartyCustomer),
	})
	s.True(s.env.IsWorkflowCompleted())
	last := s.recorded[len(s.recorded)-1]
	s.Equal(domain.EventExpired, last.Event.Kind)
	s.Equal(s.recorded[len(s.recorded)-2].Event.At, last.Event.At, "no waiting once the term is over")
}
