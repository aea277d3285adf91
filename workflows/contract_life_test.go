package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/policy"
	"github.com/signet-clm/signet/workflows"
)

// lifeSuite runs signed contracts through their term. Each starts active
// at once, as a successor renewed without approval does, so the tests
// begin where signing ends.
type lifeSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env      *testsuite.TestWorkflowEnvironment
	recorded []domain.Transition
	notices  []notify.Notice
	renewed  []domain.Contract
	start    time.Time
}

func TestContractLife(t *testing.T) { suite.Run(t, new(lifeSuite)) }

// shanghai is the zone due dates end in.
var shanghai = time.FixedZone("CST", 8*3600)

func (s *lifeSuite) SetupTest() {
	s.start = time.Date(2026, 1, 1, 0, 0, 0, 0, shanghai).UTC()
	s.recorded, s.notices, s.renewed = nil, nil, nil
	s.env = s.newEnv(s.start)
}

func (s *lifeSuite) newEnv(start time.Time) *testsuite.TestWorkflowEnvironment {
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.SetTestTimeout(time.Minute)
	var a *activities.Activities
	env.OnActivity(a.RecordTransition, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordTransitionInput) (activities.RecordTransitionResult, error) {
			s.recorded = append(s.recorded, in.Transition)
			return activities.RecordTransitionResult{Applied: true}, nil
		})
	env.OnActivity(a.Notify, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.NotifyInput) error {
		s.notices = append(s.notices, in.Notices()...)
		return nil
	}).Maybe()
	// Termination rounds: the real termination policy, one approver per role.
	env.RegisterWorkflow(workflows.ApprovalWorkflow)
	env.OnActivity(a.PlanApproval, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.PlanApprovalInput) (activities.PlanApprovalResult, error) {
		pol := policy.TerminationPolicy()
		if !in.Termination {
			pol = policy.DefaultPolicy()
		}
		return activities.PlanApprovalResult{Route: policy.Plan(pol, policy.Facts{}, policy.Assessment{})}, nil
	}).Maybe()
	env.OnActivity(a.ResolveStage, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ResolveStageInput) (activities.ResolveResult, error) {
		who := directory[in.Stage.Role]
		return activities.ResolveResult{Approvers: []domain.Approver{{ID: who.UserID, Name: who.Name}}}, nil
	}).Maybe()
	env.OnActivity(a.SaveTasks, mock.Anything, mock.Anything).Return(activities.SaveTasksResult{}, nil).Maybe()
	env.RegisterWorkflow(workflows.SigningWorkflow)
	env.OnActivity(a.RecordSigningStep, mock.Anything, mock.Anything).Return(nil).Maybe()
	env.OnActivity(a.SignPDF, mock.Anything, mock.Anything).Return(activities.SignPDFResult{Signed: true}, nil).Maybe()
	env.OnActivity(a.RecordSignature, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordSignatureInput) (activities.RecordSignatureResult, error) {
			seal, err := testSealer.Seal(in.Record)
			return activities.RecordSignatureResult{Signature: eseal.SealedSignature{SignatureRecord: in.Record, Seal: seal}}, err
		}).Maybe()
	env.OnActivity(a.CloseRound, mock.Anything, mock.Anything).Return(activities.CloseRoundResult{}, nil).Maybe()
	env.OnActivity(a.OpenStages, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.OpenStagesInput) (activities.OpenStagesResult, error) {
			return openStages(in, func(st policy.Stage) []domain.Approver {
				who := directory[st.Role]
				return []domain.Approver{{ID: who.UserID, Name: who.Name}}
			}, nil), nil
		}).Maybe()
	env.OnActivity(a.Renew, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RenewInput) (activities.RenewResult, error) {
		s.renewed = append(s.renewed, in.Contract)
		return activities.RenewResult{Successor: "HT-2027-000001"}, nil
	}).Maybe()
	return env
}

// day is the instant a local calendar day starts, plus h.
func day(date string, h time.Duration) time.Time {
	d, _ := time.ParseInLocation(time.DateOnly, date, shanghai)
	return d.Add(h).UTC()
}

// endOf is the end of a local calendar day: when something due on it
// is overdue.
func endOf(date string) time.Time { return day(date, 24*time.Hour) }

// yearContract runs for 2026 with months monthly milestones of 1,000.00
// due on the 15th and, if given, one obligation due on 30 June.
func yearContract(months int, obligation bool) domain.Contract {
	c := domain.Contract{Number: number, Title: "年度运维服务合同", CustomerName: "上海星辰科技有限公司",
		OwnerID: owner.UserID, OwnerName: owner.Name, Amount: int64(months) * 100_000, Currency: "CNY",
		StartDate: "2026-01-01", EndDate: "2026-12-31", ExpiresAt: endOf("2026-12-31"), CreatedAt: day("2026-01-01", 0),
		Renewal: domain.Renewal{NoticeDays: []int{90, 30, 7}}}
	for i := range months {
		due := time.Date(2026, time.Month(i+1), 15, 0, 0, 0, 0, shanghai).Format(time.DateOnly)
		c.Plan = append(c.Plan, domain.Milestone{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1), Seq: i + 1,
			Title: fmt.Sprintf("第%d期服务费", i+1), Amount: 100_000, DueDate: due, DueAt: endOf(due)})
	}
	if obligation {
		c.Obligations = []domain.Obligation{{ID: number + "-V1-O1", Seq: 1, Title: "上线验收报告", OwnerID: manager.UserID,
			OwnerName: manager.Name, DueDate: "2026-06-30", DueAt: endOf("2026-06-30")}}
	}
	return c
}

var financeActor = domain.Actor{UserID: "u-fin", Name: "刘洋", Roles: []domain.Role{domain.RoleFinance}}

// act is an update sent at an instant.
type lifeAct struct {
	at time.Time
	// round or signing, if set, sends the update to that review or
	// signing round.
	round, signing int
	name           string
	arg            any
	refuse         domain.RefusalKind
	check          func(*testing.T, workflows.ContractState)
}

func pay(at time.Time, seq int, amount int64) lifeAct {
	return lifeAct{at: at, name: workflows.UpdateRecordPayment, arg: workflows.PaymentRequest{Actor: financeActor, Payment: domain.Payment{
		MilestoneID: fmt.Sprintf("00000000-0000-4000-8000-%012d", seq), Amount: amount, ReceivedOn: at.In(shanghai).Format(time.DateOnly), Method: "银行转账"}}}
}

func (a lifeAct) refused(k domain.RefusalKind) lifeAct { a.refuse = k; return a }

func archiveAt(at time.Time) lifeAct {
	return lifeAct{at: at, name: workflows.UpdateArchive, arg: workflows.ArchiveRequest{Actor: owner}}
}

// run starts c, sends the acts at their instants and returns the
// workflow's end (or its continue-as-new).
func (s *lifeSuite) run(env *testsuite.TestWorkflowEnvironment, in workflows.ContractInput, acts ...lifeAct) error {
	t := s.T()
	now := env.Now()
	for i, a := range acts {
		env.RegisterDelayedCallback(func() {
			cb := &testsuite.TestUpdateCallback{
				OnAccept: func() {
					if a.refuse != "" {
						t.Errorf("act %d (%s) accepted, want %s", i, a.name, a.refuse)
					}
				},
				OnReject: func(err error) {
					var appErr *temporal.ApplicationError
					if a.refuse == "" || !errors.As(err, &appErr) {
						t.Errorf("act %d (%s) refused: %v", i, a.name, err)
						return
					}
					assert.Equal(t, string(a.refuse), appErr.Type(), "act %d: %s", i, appErr.Message())
				},
				OnComplete: func(v any, err error) {
					if a.refuse == "" {
						require.NoError(t, err, "act %d (%s)", i, a.name)
						if st, ok := v.(workflows.ContractState); ok && a.check != nil {
							a.check(t, st)
						}
					}
				},
			}
			id := fmt.Sprintf("act-%d", i)
			if a.round > 0 {
				require.NoError(t, env.UpdateWorkflowByID(workflows.ApprovalWorkflowID(number, a.round), a.name, id, cb, a.arg))
				return
			}
			if a.signing > 0 {
				require.NoError(t, env.UpdateWorkflowByID(workflows.SigningWorkflowID(number, a.signing), a.name, id, cb, a.arg))
				return
			}
			env.UpdateWorkflow(a.name, id, cb, a.arg)
		}, a.at.Sub(now))
	}
	env.ExecuteWorkflow(workflows.ContractWorkflow, in)
	require.True(t, env.IsWorkflowCompleted())
	return env.GetWorkflowError()
}

func renewedInput(c domain.Contract) workflows.ContractInput {
	return workflows.ContractInput{Contract: c, RenewalOf: &workflows.RenewalStart{Predecessor: "HT-2025-000042"}}
}

func (s *lifeSuite) kinds() []string {
	var k []string
	for _, tr := range s.recorded {
		k = append(k, tr.Event.Kind)
	}
	return k
}

func (s *lifeSuite) noticeKeys(kind string) []string {
	var keys []string
	for _, n := range s.notices {
		if n.Kind == kind {
			keys = append(keys, n.Key)
		}
	}
	return keys
}

func (s *lifeSuite) TestLifeAFullTermWithMonthlyPaymentsAndOneOverdue() {
	c := yearContract(12, false)
	var acts []lifeAct
	for i := 1; i <= 12; i++ {
		at := day(c.Plan[i-1].DueDate, 14*time.Hour)
		if i == 3 {
			// March is paid ten days late, in two parts.
			acts = append(acts, pay(day("2026-03-20", 10*time.Hour), 3, 40_000), pay(day("2026-03-25", 10*time.Hour), 3, 60_000))
			continue
		}
		acts = append(acts, pay(at, i, 100_000))
	}
	var final workflows.ContractState
	acts = append(acts,
		pay(day("2026-06-20", 0), 6, 1).refused(domain.RefusedConflict),
		lifeAct{at: day("2027-01-02", 0), name: workflows.UpdateRecordPayment, arg: workflows.PaymentRequest{Actor: owner,
			Payment: domain.Payment{MilestoneID: c.Plan[0].ID, Amount: 1}}}.refused(domain.RefusedForbidden),
		lifeAct{at: day("2027-01-03", 0), name: workflows.UpdateArchive, arg: workflows.ArchiveRequest{Actor: owner},
			check: func(_ *testing.T, st workflows.ContractState) { final = st }},
	)
	s.Require().NoError(s.run(s.env, renewedInput(c), acts...))
	var result workflows.ContractResult
	s.Require().NoError(s.env.GetWorkflowResult(&result))
	s.Equal(domain.StatusArchived, result.Status)

	s.Len(s.noticeKeys(notify.KindPaymentDue), 12, "a reminder before every due date")
	s.Equal([]string{"milestone/" + c.Plan[2].ID + "/overdue/1", "milestone/" + c.Plan[2].ID + "/overdue/2"},
		s.noticeKeys(notify.KindPaymentOverdue), "March: the morning after its due date, then a week later")
	s.Len(s.noticeKeys(notify.KindRenewalNotice), 3, "90, 30 and 7 days before the end")
	for _, n := range s.notices {
		if n.Kind == notify.KindPaymentDue && n.Data["milestone_id"] == c.Plan[0].ID {
			s.Contains(n.Subject, "2026-01-15")
			s.Contains(n.Subject, "CNY 1000.00")
		}
	}

	kinds := s.kinds()
	s.Equal(domain.EventRenewalActivated, kinds[1])
	s.Equal(13, countOf(kinds, domain.EventPaymentRecorded), "twelve milestones, one paid in two parts")
	s.Equal([]string{domain.EventExpired, domain.EventCompleted, domain.EventArchived}, kinds[len(kinds)-3:])
	s.Equal(endOf("2026-12-31"), s.recorded[len(s.recorded)-3].Event.At, "it expires at the end of its last day")
	march := final.Contract.Plan[2]
	s.Equal(int64(100_000), march.Received)
	s.Equal(day("2026-03-25", 10*time.Hour), *march.PaidAt)
	var partial *domain.Payment
	for _, tr := range s.recorded {
		if tr.Payment != nil && tr.Payment.Amount == 40_000 {
			partial = tr.Payment
		}
	}
	s.Require().NotNil(partial, "each payment reaches the projection")
	s.Equal("2026-03-20", partial.ReceivedOn)
}

func countOf(list []string, v string) int {
	n := 0
	for _, x := range list {
		if x == v {
			n++
		}
	}
	return n
}

func (s *lifeSuite) TestLifeRefusesWhatDoesNotFit() {
	c := yearContract(2, true)
	o := c.Obligations[0].ID
	obligation := func(at time.Time, by domain.Actor, progress int, evidence string, complete bool) lifeAct {
		return lifeAct{at: at, name: workflows.UpdateObligation, arg: workflows.ObligationRequest{Actor: by, ObligationID: o,
			Progress: progress, EvidenceID: evidence, Complete: complete}}
	}
	invoice := func(at time.Time, amount int64) lifeAct {
		return lifeAct{at: at, name: workflows.UpdateRecordInvoice, arg: workflows.InvoiceRequest{Actor: financeActor,
			Invoice: domain.Invoice{MilestoneID: c.Plan[0].ID, Number: "FP-2026-0001", Amount: amount, IssuedOn: "2026-01-10"}}}
	}
	h := func(n int) time.Time { return day("2026-01-02", time.Duration(n)*time.Hour) }
	s.Require().NoError(s.run(s.env, renewedInput(c),
		pay(h(1), 1, 100_001).refused(domain.RefusedConflict),
		invoice(h(2), 60_000),
		invoice(h(3), 60_000).refused(domain.RefusedConflict),
		lifeAct{at: h(4), name: workflows.UpdateRecordPayment, arg: workflows.PaymentRequest{Actor: financeActor,
			Payment: domain.Payment{MilestoneID: "no-such-milestone", Amount: 1}}}.refused(domain.RefusedNotFound),
		obligation(h(5), otherRep, 50, "", false).refused(domain.RefusedForbidden),
		obligation(h(6), manager, 50, "", false),
		obligation(h(7), manager, 100, "", true).refused(domain.RefusedInvalid),
		obligation(h(8), manager, 101, "", false).refused(domain.RefusedInvalid),
		archiveAt(h(9)).refused(domain.RefusedConflict),
		obligation(day("2026-07-10", 0), manager, 100, "0194c3a2-0000-7000-8000-000000000001", true),
		pay(day("2026-07-11", 0), 1, 100_000),
		pay(day("2026-07-12", 0), 2, 100_000),
		archiveAt(day("2027-01-05", 0)),
	))
	s.Equal([]string{"obligation/" + o + "/due/" + manager.UserID, "obligation/" + o + "/due/" + owner.UserID},
		s.noticeKeys(notify.KindObligationDue), "the obligation's owner and the contract's")
	s.Len(s.noticeKeys(notify.KindObligationOverdue), 4, "overdue on 1 July to both, and again a week later")
	last := s.recorded[len(s.recorded)-1]
	s.Equal(domain.StatusArchived, last.Status)
	var done *domain.Obligation
	for _, tr := range s.recorded {
		for _, ob := range tr.Obligations {
			if ob.Done() {
				done = &ob
			}
		}
	}
	s.Require().NotNil(done)
	s.Equal("0194c3a2-0000-7000-8000-000000000001", done.EvidenceID)
}

func (s *lifeSuite) TestLifeAutoRenewalMakesALinkedSuccessor() {
	c := yearContract(0, false)
	c.Renewal.AutoRenew = true
	s.Require().NoError(s.run(s.env, renewedInput(c), archiveAt(day("2027-01-05", 0))))
	s.Require().Len(s.renewed, 1)
	s.Equal(number, s.renewed[0].Number)
	kinds := s.kinds()
	s.Equal([]string{domain.EventRenewed, domain.EventCompleted, domain.EventArchived}, kinds[len(kinds)-3:])
	renewed := s.recorded[len(s.recorded)-3]
	s.Equal(domain.StatusRenewed, renewed.Status)
	s.Equal("HT-2027-000001", renewed.Contract.SuccessorNumber, "linked to its successor")
	for _, n := range s.notices {
		if n.Kind == notify.KindRenewalNotice {
			s.Equal(true, n.Data["auto_renew"])
		}
	}
}

// TestLifeContinuesAsNewWithItsStateIntact runs a three-year contract
// with 36 monthly payments, continuing as new whenever Temporal suggests
// it (here: once a year), and checks each run stays small and the state
// survives every handoff.
func (s *lifeSuite) TestLifeContinuesAsNewWithItsStateIntact() {
	c := yearContract(0, false)
	c.EndDate, c.ExpiresAt, c.Amount = "2028-12-31", endOf("2028-12-31"), 36*100_000
	for i := range 36 {
		due := time.Date(2026, time.Month(i+1), 15, 0, 0, 0, 0, shanghai).Format(time.DateOnly)
		c.Plan = append(c.Plan, domain.Milestone{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1), Seq: i + 1,
			Title: fmt.Sprintf("第%d期", i+1), Amount: 100_000, DueDate: due, DueAt: endOf(due)})
	}
	in := renewedInput(c)
	env, start := s.env, s.start
	runs, perRun := 0, []int{}
	for {
		runs++
		s.Require().Less(runs, 10, "the contract should have finished")
		before := len(s.recorded)
		var acts []lifeAct
		for _, m := range c.Plan {
			if at := day(m.DueDate, 12*time.Hour); at.After(start) && at.Before(start.AddDate(1, 0, 0)) {
				acts = append(acts, pay(at, m.Seq, 100_000))
			}
		}
		if start.AddDate(1, 0, 0).After(c.ExpiresAt) {
			acts = append(acts, archiveAt(c.ExpiresAt.Add(48*time.Hour)))
		} else {
			env.RegisterDelayedCallback(func() { env.SetContinueAsNewSuggested(true) }, start.AddDate(1, 0, 0).Sub(start)-time.Hour)
		}
		err := s.run(env, in, acts...)
		perRun = append(perRun, len(s.recorded)-before)
		var can *workflow.ContinueAsNewError
		if !errors.As(err, &can) {
			s.Require().NoError(err)
			break
		}
		var next workflows.ContractInput
		s.Require().NoError(converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
		s.Require().NotNil(next.State)
		s.True(next.State.Life)
		paid := 0
		for _, m := range next.State.Contract.Plan {
			if m.Paid() {
				paid++
			}
		}
		s.Equal(countOf(s.kinds(), domain.EventPaymentRecorded), paid, "the handoff carries every payment so far")
		s.Equal(len(s.recorded), next.State.EventSeq, "and the event numbering")
		in = next
		start = env.Now()
		env = s.newEnv(start)
	}
	s.GreaterOrEqual(runs, 3, "a run a year")
	for i, n := range perRun {
		s.LessOrEqual(n, 20, "run %d recorded %d transitions: each run's history stays small", i+1, n)
	}
	s.Equal(36, countOf(s.kinds(), domain.EventPaymentRecorded))
	last := s.recorded[len(s.recorded)-1]
	s.Equal(domain.StatusArchived, last.Status)
	s.Len(s.noticeKeys(notify.KindRenewalNotice), 3)
	seqs := make([]int, len(s.recorded))
	for i, tr := range s.recorded {
		seqs[i] = tr.Event.Seq
	}
	s.True(slices.IsSorted(seqs), "event numbering carries across runs")
	s.Equal(len(s.recorded), seqs[len(seqs)-1], "no event lost or repeated")
}

func (s *lifeSuite) TestLifeTerminationMidTerm() {
	c := yearContract(12, false)
	terminate := func(at time.Time, by domain.Actor, effective string) lifeAct {
		return lifeAct{at: at, name: workflows.UpdateTerminate, arg: workflows.TerminateRequest{Actor: by, Reason: "双方协商解除",
			EffectiveDate: effective, EffectiveAt: day(effective, 0)}}
	}
	approve := func(at time.Time, by domain.Actor, stage int) lifeAct {
		return lifeAct{at: at, round: 1, name: workflows.UpdateDecide, arg: workflows.DecideRequest{Actor: by,
			TaskID: workflows.StageTaskID(number, 1, stage, "1"), Decision: domain.DecisionApprove}}
	}
	var pending string
	s.Require().NoError(s.run(s.env, renewedInput(c),
		pay(day("2026-01-15", 12*time.Hour), 1, 100_000),
		terminate(day("2026-03-01", 0), otherRep, "2026-04-01").refused(domain.RefusedForbidden),
		terminate(day("2026-03-01", time.Hour), owner, "2027-02-01").refused(domain.RefusedInvalid),
		lifeAct{at: day("2026-03-01", 2*time.Hour), name: workflows.UpdateTerminate, arg: workflows.TerminateRequest{Actor: owner, Reason: "双方协商解除",
			EffectiveDate: "2026-04-01", EffectiveAt: day("2026-04-01", 0)}, check: func(_ *testing.T, st workflows.ContractState) { pending = st.Termination.Status }},
		terminate(day("2026-03-01", 3*time.Hour), owner, "2026-04-01").refused(domain.RefusedConflict),
		approve(day("2026-03-02", 0), manager, 1),
		approve(day("2026-03-03", 0), legal, 2),
		approve(day("2026-03-03", time.Hour), finance, 3),
		pay(day("2026-04-02", 0), 2, 100_000).refused(domain.RefusedConflict),
		archiveAt(day("2026-04-03", 0)),
	))
	s.Equal(workflows.TerminationPending, pending)
	kinds := s.kinds()
	s.Equal([]string{domain.EventTerminationRequested}, kinds[slices.Index(kinds, domain.EventTerminationRequested):][:1])
	terminated := s.recorded[len(s.recorded)-2]
	s.Equal(domain.EventTerminated, terminated.Event.Kind)
	s.Equal(day("2026-04-01", 0), terminated.Event.At, "it ends on its effective date, not when approved")
	s.Contains(terminated.Event.Opinion, "CNY 11000.00", "eleven months still owed")
	s.Equal(domain.StatusArchived, s.recorded[len(s.recorded)-1].Status)
	for _, n := range s.notices {
		s.False(n.Kind == notify.KindPaymentDue && n.Data["due_date"] == "2026-04-15", "no reminders after termination")
	}
}

func (s *lifeSuite) TestLifeAnAmendmentChangesAmountAndPlan() {
	c := yearContract(2, false)
	next := c
	next.Amount = 300_000
	next.Plan = []domain.Milestone{c.Plan[0], {ID: "00000000-0000-4000-8000-000000000099", Seq: 2, Title: "扩容款", Amount: 200_000,
		DueDate: "2026-09-15", DueAt: endOf("2026-09-15")}}
	amend := func(at time.Time, plan []domain.Milestone) lifeAct {
		terms := next
		terms.Plan = plan
		return lifeAct{at: at, name: workflows.UpdateAmend, arg: workflows.AmendRequest{Actor: owner, Reason: "客户扩容",
			Contract: terms, Document: domain.RenderedDocument{SHA256: docHash, Text: "v2"}}}
	}
	shrunk := []domain.Milestone{{ID: c.Plan[0].ID, Seq: 1, Title: "首付款", Amount: 50_000, DueDate: "2026-01-15", DueAt: endOf("2026-01-15")}, next.Plan[1]}
	signer := domain.Signer{Party: domain.PartyCustomer, Name: "王建国", Email: "wang@xingchen.example", Group: 1}
	var amended workflows.ContractState
	s.Require().NoError(s.run(s.env, renewedInput(c),
		pay(day("2026-01-15", 12*time.Hour), 1, 100_000),
		amend(day("2026-02-01", 0), shrunk).refused(domain.RefusedInvalid),
		amend(day("2026-02-01", time.Hour), next.Plan),
		amend(day("2026-02-01", 2*time.Hour), next.Plan).refused(domain.RefusedConflict),
		lifeAct{at: day("2026-02-01", 3*time.Hour), name: workflows.UpdateSend, arg: workflows.SendRequest{Actor: owner, Signers: []domain.Signer{signer}}}.refused(domain.RefusedConflict),
		lifeAct{at: day("2026-02-02", 0), round: 1, name: workflows.UpdateDecide, arg: workflows.DecideRequest{Actor: manager,
			TaskID: workflows.StageTaskID(number, 1, 1, "1"), Decision: domain.DecisionApprove}},
		lifeAct{at: day("2026-02-03", 0), name: workflows.UpdateSend, arg: workflows.SendRequest{Actor: owner, Signers: []domain.Signer{signer}},
			check: func(t *testing.T, st workflows.ContractState) {
				assert.Equal(t, domain.StatusActive, st.Status, "in force while the amendment is signed")
				assert.Equal(t, workflows.AmendmentSigning, st.Amendment.Status)
			}},
		lifeAct{at: day("2026-02-04", 0), signing: 1, name: workflows.UpdateSignerSign, arg: workflows.SignerSignRequest{
			LinkID: workflows.LinkID(workflows.SignerID(number, 1, 1), 0), SignerName: "王建国", Consent: true}},
		lifeAct{at: day("2026-02-05", 0), name: workflows.UpdateRecordPayment, arg: workflows.PaymentRequest{Actor: financeActor,
			Payment: domain.Payment{MilestoneID: next.Plan[1].ID, Amount: 200_000}}, check: func(_ *testing.T, st workflows.ContractState) { amended = st }},
		archiveAt(day("2027-01-05", 0)),
	))
	s.Equal(2, amended.Version)
	s.Equal(int64(300_000), amended.Contract.Amount)
	s.Equal(int64(100_000), amended.Contract.Plan[0].Received, "what was paid on version 1 carries over")
	s.True(amended.Contract.Plan[1].Paid())
	kinds := s.kinds()
	for _, k := range []string{domain.EventAmendmentRequested, domain.EventAmendmentApproved, domain.EventSent, domain.EventAmended} {
		s.Contains(kinds, k)
	}
	s.Equal([]string{domain.EventExpired, domain.EventCompleted, domain.EventArchived}, kinds[len(kinds)-3:])
	for _, tr := range s.recorded {
		if tr.Event.Kind == domain.EventAmendmentRequested {
			s.Require().NotNil(tr.Amendment)
			s.Equal(2, tr.Amendment.Version)
			s.Equal(1, tr.Version, "the draft is written as version 2 while version 1 stays current")
		}
	}
}
