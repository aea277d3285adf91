package workflows

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/domain"
)

var (
	managerOnly = []domain.Role{domain.RoleSalesManager}
	withFinance = []domain.Role{domain.RoleSalesManager, domain.RoleFinance}
	allStages   = []domain.Role{domain.RoleSalesManager, domain.RoleFinance, domain.RoleExecutive}
)

func TestFoundationHappyPathFromDraftToExpiry(t *testing.T) {
	h := newHarness(t)
	c := contractOf(5_000_000, "CNY", 30*24*time.Hour) // CNY 50,000.00
	res := h.run(c,
		createBy(ownerRep).then(func(t *testing.T, st ContractState) {
			assert.Equal(t, domain.StatusDraft, st.Status)
			assert.Equal(t, c, st.Contract)
			assert.Equal(t, 1, st.Version)
			assert.Equal(t, 1, st.EventSeq, "the creation is recorded before create answers")
			assert.Zero(t, st.Round)
			assert.Empty(t, st.Tasks)
			assert.Empty(t, st.Signatures)
		}),
		submitBy(ownerRep).then(func(t *testing.T, st ContractState) {
			assert.Equal(t, domain.StatusInReview, st.Status)
			assert.Equal(t, 1, st.Round)
			assert.Empty(t, st.RoundWorkflowID, "the foundation path decides on the contract itself")
			assert.Equal(t, plannedTasks(1, managerOnly, domain.TaskOpen), viewTasks(st.Tasks))
			require.Len(t, st.OpenTasks(), 1)
			sameInstant(t, at(2), st.Tasks[0].OpenedAt, "stage 1 opened")
		}),
		decideBy(salesMgr, TaskID(contractNo, 1, 1), domain.DecisionApprove, "同意，价格在授权范围内").then(func(t *testing.T, st ContractState) {
			assert.Equal(t, domain.StatusApproved, st.Status)
			require.Len(t, st.Tasks, 1)
			task := st.Tasks[0]
			assert.Equal(t, domain.TaskApproved, task.Status)
			assert.Equal(t, salesMgr.UserID, task.DecidedByID)
			assert.Equal(t, salesMgr.Name, task.DecidedByName)
			assert.Equal(t, "同意，价格在授权范围内", task.Opinion)
			sameInstant(t, at(3), task.DecidedAt, "decided")
			assert.Empty(t, st.OpenTasks())
		}),
		sendBy(ownerRep).then(func(t *testing.T, st ContractState) {
			assert.Equal(t, domain.StatusSigning, st.Status)
			assert.Equal(t, []domain.Signature{
				{ID: SignatureID(contractNo, 1, domain.PartyCompany), ContractNumber: contractNo, Version: 1, Party: domain.PartyCompany, Order: 1},
				{ID: SignatureID(contractNo, 1, domain.PartyCustomer), ContractNumber: contractNo, Version: 1, Party: domain.PartyCustomer, Order: 2},
			}, st.Signatures)
		}),
		signAs(executive, domain.PartyCompany).then(func(t *testing.T, st ContractState) {
			assert.Equal(t, domain.StatusSigning, st.Status, "the customer has not signed yet")
			require.Len(t, st.Signatures, 2)
			company := st.Signatures[0]
			assert.Equal(t, executive.UserID, company.RecordedByID)
			assert.Equal(t, "陈静 Chen Jing（签署）", company.SignerName)
			assert.Equal(t, "u-exec@example.cn", company.SignerEmail)
			assert.Equal(t, "10.0.0.8", company.IP)
			assert.Equal(t, "signet-test", company.UserAgent)
			sameInstant(t, at(5), company.SignedAt, "company signed")
			assert.Nil(t, st.Signatures[1].SignedAt)
			assert.Nil(t, st.SignedAt)
		}),
		signAs(ownerRep, domain.PartyCustomer).then(func(t *testing.T, st ContractState) {
			assert.Equal(t, domain.StatusActive, st.Status)
			sameInstant(t, at(6), st.SignedAt, "contract signed")
			require.Len(t, st.Signatures, 2)
			assert.Equal(t, ownerRep.UserID, st.Signatures[1].RecordedByID)
			sameInstant(t, at(6), st.Signatures[1].SignedAt, "customer signed")
		}),
	)

	assert.Equal(t, ContractResult{Number: contractNo, Status: domain.StatusExpired}, res)
	// While active, the contract waits on its end date.
	require.NotNil(t, h.final)
	assert.Equal(t, domain.StatusActive, h.final.Status)
	require.Len(t, h.final.NextTimers, 1)
	assert.Equal(t, TimerExpiry, h.final.NextTimers[0].Name)
	sameInstant(t, c.ExpiresAt, &h.final.NextTimers[0].At, "expiry timer")

	want := []struct {
		kind     string
		from, to domain.Status
		actor    domain.Actor
		at       time.Time
	}{
		{domain.EventCreated, "", domain.StatusDraft, ownerRep, testStart},
		{domain.EventSubmitted, domain.StatusDraft, domain.StatusInReview, ownerRep, at(2)},
		{domain.EventTaskApproved, domain.StatusInReview, domain.StatusApproved, salesMgr, at(3)},
		{domain.EventSent, domain.StatusApproved, domain.StatusSigning, ownerRep, at(4)},
		{domain.EventSigned, domain.StatusSigning, domain.StatusSigning, executive, at(5)},
		{domain.EventSigned, domain.StatusSigning, domain.StatusActive, ownerRep, at(6)},
		{domain.EventExpired, domain.StatusActive, domain.StatusExpired, domain.SystemActor, c.ExpiresAt},
	}
	require.Len(t, h.recorded, len(want), "recorded %v", h.kinds())
	for i, w := range want {
		e := h.recorded[i].Event
		assert.Equal(t, w.kind, e.Kind, "event %d", i+1)
		assert.Equal(t, w.from, e.FromStatus, "event %d", i+1)
		assert.Equal(t, w.to, e.ToStatus, "event %d", i+1)
		assert.Equal(t, w.actor.UserID, e.ActorID, "event %d", i+1)
		assert.Equal(t, w.actor.Name, e.ActorName, "event %d", i+1)
		sameInstant(t, w.at, &e.At, fmt.Sprintf("event %d", i+1))
	}
	// The contract, Chinese text and all, reaches the projection intact.
	assert.Equal(t, c, h.recorded[0].Contract)
	assert.Equal(t, "上海星辰科技有限公司", h.recorded[6].Contract.CustomerName)
	assert.Equal(t, "年度软件服务合同（二期）", h.recorded[6].Contract.Title)

	assert.Nil(t, h.recorded[0].Tasks)
	assert.Equal(t, plannedTasks(1, managerOnly, domain.TaskOpen), viewTasks(h.recorded[1].Tasks), "submission records the round's tasks")
	approved := h.recorded[2]
	assert.Equal(t, TaskID(contractNo, 1, 1), approved.Event.TaskID)
	assert.Equal(t, "同意，价格在授权范围内", approved.Event.Opinion)
	assert.Equal(t, plannedTasks(1, managerOnly, domain.TaskApproved), viewTasks(approved.Tasks))
	assert.Nil(t, h.recorded[3].Signature)

	for i, party := range []domain.Party{domain.PartyCompany, domain.PartyCustomer} {
		sig := h.recorded[4+i].Signature
		if assert.NotNil(t, sig, "signature of the %s", party) {
			assert.Equal(t, party, sig.Party)
			assert.Equal(t, i+1, sig.Order)
			assert.Equal(t, SignatureID(contractNo, 1, party), sig.ID)
			sameInstant(t, at(5+i), sig.SignedAt, string(party)+" signed")
		}
	}
	assert.Nil(t, h.recorded[4].SignedAt, "not active after the company alone signed")
	sameInstant(t, at(6), h.recorded[5].SignedAt, "activation records when it was signed")
	sameInstant(t, at(6), h.recorded[6].SignedAt, "expiry keeps when it was signed")

	assert.Equal(t, []domain.Status{domain.StatusDraft, domain.StatusInReview, domain.StatusApproved,
		domain.StatusSigning, domain.StatusActive, domain.StatusExpired}, h.statusAttr)
}

func TestFoundationStagesFollowTheAmountAndOpenInTurn(t *testing.T) {
	cases := []struct {
		name     string
		amount   int64
		currency string
		roles    []domain.Role
	}{
		{"CNY 50,000.00", 5_000_000, "CNY", managerOnly},
		{"CNY 99,999.99", 9_999_999, "CNY", managerOnly},
		{"CNY 100,000.00 exactly", 10_000_000, "CNY", withFinance},
		{"CNY 999,999.99", 99_999_999, "CNY", withFinance},
		{"CNY 1,000,000.00 exactly", 100_000_000, "CNY", allStages},
		{"JPY 99,999 (no minor unit)", 99_999, "JPY", managerOnly},
		{"JPY 100,000 (no minor unit)", 100_000, "JPY", withFinance},
		{"JPY 1,000,000 (no minor unit)", 1_000_000, "JPY", allStages},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			n := len(tc.roles)
			// statusesAfter is each task's status once `approved` stages are approved.
			statusesAfter := func(approved int) []domain.TaskStatus {
				s := make([]domain.TaskStatus, n)
				for i := range s {
					switch {
					case i < approved:
						s[i] = domain.TaskApproved
					case i == approved:
						s[i] = domain.TaskOpen
					default:
						s[i] = domain.TaskPending
					}
				}
				return s
			}
			steps := []step{submitBy(ownerRep).then(func(t *testing.T, st ContractState) {
				assert.Equal(t, plannedTasks(1, tc.roles, statusesAfter(0)...), viewTasks(st.Tasks))
				for _, task := range st.Tasks[1:] {
					assert.Nil(t, task.OpenedAt, "%s opens only after the stage before it", task.ID)
				}
			})}
			for k, role := range tc.roles {
				stepNo := len(steps) + 1
				steps = append(steps, approveStage(1, k+1, role).then(func(t *testing.T, st ContractState) {
					assert.Equal(t, plannedTasks(1, tc.roles, statusesAfter(k+1)...), viewTasks(st.Tasks))
					if k+1 < n {
						assert.Equal(t, domain.StatusInReview, st.Status)
						sameInstant(t, at(stepNo), st.Tasks[k+1].OpenedAt, "the next stage opens on this approval")
					} else {
						assert.Equal(t, domain.StatusApproved, st.Status)
					}
				}))
			}
			h.run(contractOf(tc.amount, tc.currency, oneYear), steps...)

			require.NotNil(t, h.final)
			assert.Equal(t, domain.StatusApproved, h.final.Status)
			wantKinds := []string{domain.EventCreated, domain.EventSubmitted}
			for range tc.roles {
				wantKinds = append(wantKinds, domain.EventTaskApproved)
			}
			assert.Equal(t, wantKinds, h.kinds())
			for k, role := range tc.roles {
				e := h.recorded[2+k].Event
				assert.Equal(t, TaskID(contractNo, 1, k+1), e.TaskID)
				assert.Equal(t, approverFor[role].UserID, e.ActorID)
			}
			// Approving an intermediate stage keeps the contract in review,
			// so the status search attribute is set once per status.
			assert.Equal(t, []domain.Status{domain.StatusDraft, domain.StatusInReview, domain.StatusApproved}, h.statusAttr)
		})
	}
}

func TestFoundationSentBackToDraftThenResubmitted(t *testing.T) {
	const opinion = "回款周期过长，请调整付款条款"
	cases := []struct {
		decision domain.Decision
		kind     string
		status   domain.TaskStatus
	}{
		{domain.DecisionReject, domain.EventRejected, domain.TaskRejected},
		{domain.DecisionRequestChanges, domain.EventChangesRequested, domain.TaskChangesRequested},
	}
	for _, tc := range cases {
		t.Run(string(tc.decision), func(t *testing.T) {
			h := newHarness(t)
			decisive := func(t *testing.T, d *domain.ApprovalTask) {
				if assert.NotNil(t, d, "the decisive opinion is kept") {
					assert.Equal(t, TaskID(contractNo, 1, 2), d.ID)
					assert.Equal(t, tc.status, d.Status)
					assert.Equal(t, financeMgr.UserID, d.DecidedByID)
					assert.Equal(t, financeMgr.Name, d.DecidedByName)
					assert.Equal(t, opinion, d.Opinion)
					sameInstant(t, at(3), d.DecidedAt, "decided")
				}
			}
			h.run(contractOf(100_000_000, "CNY", oneYear),
				submitBy(ownerRep),
				approveStage(1, 1, domain.RoleSalesManager),
				decideBy(financeMgr, TaskID(contractNo, 1, 2), tc.decision, opinion).then(func(t *testing.T, st ContractState) {
					assert.Equal(t, domain.StatusDraft, st.Status)
					decisive(t, st.LastDecision)
					assert.Equal(t, plannedTasks(1, allStages, domain.TaskApproved, tc.status, domain.TaskCancelled), viewTasks(st.Tasks),
						"the stage not yet reached is cancelled")
					assert.Empty(t, st.OpenTasks())
				}),
				decideBy(executive, TaskID(contractNo, 1, 3), domain.DecisionApprove, "").refused(domain.RefusedConflict),
				submitBy(ownerRep).then(func(t *testing.T, st ContractState) {
					assert.Equal(t, domain.StatusInReview, st.Status)
					assert.Equal(t, 2, st.Round)
					assert.Equal(t, plannedTasks(2, allStages, domain.TaskOpen, domain.TaskPending, domain.TaskPending), viewTasks(st.Tasks),
						"round 2 starts over from the first stage with new tasks")
					decisive(t, st.LastDecision)
				}),
				decideBy(salesMgr, TaskID(contractNo, 1, 1), domain.DecisionApprove, "").refused(domain.RefusedNotFound),
				approveStage(2, 1, domain.RoleSalesManager),
			)

			assert.Equal(t, []string{domain.EventCreated, domain.EventSubmitted, domain.EventTaskApproved, tc.kind,
				domain.EventSubmitted, domain.EventTaskApproved}, h.kinds())
			back := h.recorded[3]
			assert.Equal(t, domain.StatusInReview, back.Event.FromStatus)
			assert.Equal(t, domain.StatusDraft, back.Status)
			assert.Equal(t, financeMgr.UserID, back.Event.ActorID)
			assert.Equal(t, TaskID(contractNo, 1, 2), back.Event.TaskID)
			assert.Equal(t, opinion, back.Event.Opinion)
			assert.Equal(t, plannedTasks(1, allStages, domain.TaskApproved, tc.status, domain.TaskCancelled), viewTasks(back.Tasks))
			assert.Equal(t, plannedTasks(2, allStages, domain.TaskOpen, domain.TaskPending, domain.TaskPending), viewTasks(h.recorded[4].Tasks))
			assert.Equal(t, TaskID(contractNo, 2, 1), h.recorded[5].Event.TaskID)
			require.NotNil(t, h.final)
			assert.Equal(t, 2, h.final.Round)
			assert.Equal(t, []domain.Status{domain.StatusDraft, domain.StatusInReview, domain.StatusDraft, domain.StatusInReview}, h.statusAttr)
		})
	}
}

func TestFoundationCancelBeforeSigning(t *testing.T) {
	const reason = "客户预算冻结，项目暂停"
	cases := []struct {
		name   string
		amount int64
		before []step
		by     domain.Actor
		from   domain.Status
		// tasks are the statuses the cancellation records, if it records tasks.
		tasks []domain.TaskStatus
	}{
		{"draft by the owner", 5_000_000, nil, ownerRep, domain.StatusDraft, nil},
		{"draft by a sales manager", 5_000_000, nil, salesMgr, domain.StatusDraft, nil},
		{"in review: the open and the pending stages are cancelled", 100_000_000,
			[]step{submitBy(ownerRep), approveStage(1, 1, domain.RoleSalesManager)}, ownerRep, domain.StatusInReview,
			[]domain.TaskStatus{domain.TaskApproved, domain.TaskCancelled, domain.TaskCancelled}},
		{"sent back to draft", 5_000_000,
			[]step{submitBy(ownerRep), decideBy(salesMgr, TaskID(contractNo, 1, 1), domain.DecisionReject, "不同意")}, ownerRep, domain.StatusDraft, nil},
		{"approved by a sales manager", 5_000_000,
			[]step{submitBy(ownerRep), approveStage(1, 1, domain.RoleSalesManager)}, salesMgr, domain.StatusApproved, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			steps := append(append([]step{}, tc.before...), cancelBy(tc.by, reason).then(func(t *testing.T, st ContractState) {
				assert.Equal(t, domain.StatusCancelled, st.Status)
				assert.Empty(t, st.OpenTasks())
			}))
			res := h.run(contractOf(tc.amount, "CNY", oneYear), steps...)

			assert.Equal(t, ContractResult{Number: contractNo, Status: domain.StatusCancelled}, res, "the workflow ends with the cancellation")
			last := h.last()
			assert.Equal(t, domain.EventCancelled, last.Event.Kind)
			assert.Equal(t, tc.from, last.Event.FromStatus)
			assert.Equal(t, tc.by.UserID, last.Event.ActorID)
			assert.Equal(t, tc.by.Name, last.Event.ActorName)
			assert.Equal(t, reason, last.Event.Opinion)
			if tc.tasks == nil {
				assert.Nil(t, last.Tasks)
			} else {
				assert.Equal(t, plannedTasks(1, allStages, tc.tasks...), viewTasks(last.Tasks))
			}
			assert.Equal(t, domain.StatusCancelled, h.statusAttr[len(h.statusAttr)-1])
		})
	}
}

func TestFoundationRefusedUpdatesChangeNothing(t *testing.T) {
	signing := toSigning()
	companySigned := append(toSigning(), signAs(executive, domain.PartyCompany))
	inReview := []step{submitBy(ownerRep)}
	approved := []step{submitBy(ownerRep), approveStage(1, 1, domain.RoleSalesManager)}
	task1 := TaskID(contractNo, 1, 1)
	cases := []struct {
		name   string
		amount int64 // CNY minor units; 0 is CNY 50,000.00
		before []step
		bad    step
		kind   domain.RefusalKind
	}{
		{"submit by another sales person", 0, nil, submitBy(otherRep), domain.RefusedForbidden},
		{"submit by finance", 0, nil, submitBy(financeMgr), domain.RefusedForbidden},
		{"submit while in review", 0, inReview, submitBy(ownerRep), domain.RefusedConflict},
		{"submit while signing", 0, signing, submitBy(salesMgr), domain.RefusedConflict},
		{"decide by the wrong role", 0, inReview, decideBy(financeMgr, task1, domain.DecisionApprove, ""), domain.RefusedForbidden},
		{"the owner approves their own contract", 0, inReview, decideBy(ownerRep, task1, domain.DecisionApprove, ""), domain.RefusedForbidden},
		{"decide a stage not open yet", 100_000_000, inReview,
			decideBy(financeMgr, TaskID(contractNo, 1, 2), domain.DecisionApprove, ""), domain.RefusedConflict},
		{"decide an already decided task", 10_000_000, approved,
			decideBy(salesMgr, task1, domain.DecisionReject, "改主意了"), domain.RefusedConflict},
		{"decide an unknown task", 0, inReview, decideBy(salesMgr, TaskID(contractNo, 1, 9), domain.DecisionApprove, ""), domain.RefusedNotFound},
		{"decide another contract's task", 0, inReview, decideBy(salesMgr, TaskID("HT-2026-000999", 1, 1), domain.DecisionApprove, ""), domain.RefusedNotFound},
		{"decide in a draft", 0, nil, decideBy(salesMgr, task1, domain.DecisionApprove, ""), domain.RefusedNotFound},
		{"an unknown decision", 0, inReview, decideBy(salesMgr, task1, "maybe", ""), domain.RefusedInvalid},
		{"no decision", 0, inReview, decideBy(salesMgr, task1, "", ""), domain.RefusedInvalid},
		{"send a draft", 0, nil, sendBy(ownerRep), domain.RefusedConflict},
		{"send while in review", 0, inReview, sendBy(ownerRep), domain.RefusedConflict},
		{"send twice", 0, signing, sendBy(ownerRep), domain.RefusedConflict},
		{"send by another sales person", 0, approved, sendBy(otherRep), domain.RefusedForbidden},
		{"send by an executive", 0, approved, sendBy(executive), domain.RefusedForbidden},
		{"company signature by the owner", 0, signing, signAs(ownerRep, domain.PartyCompany), domain.RefusedForbidden},
		{"company signature by a sales manager", 0, signing, signAs(salesMgr, domain.PartyCompany), domain.RefusedForbidden},
		{"customer signs before the company", 0, signing, signAs(ownerRep, domain.PartyCustomer), domain.RefusedConflict},
		{"company signs twice", 0, companySigned, signAs(executive, domain.PartyCompany), domain.RefusedConflict},
		{"customer signature by another sales person", 0, companySigned, signAs(otherRep, domain.PartyCustomer), domain.RefusedForbidden},
		{"an unknown party", 0, signing, signAs(ownerRep, "witness"), domain.RefusedInvalid},
		{"sign before it is sent", 0, approved, signAs(executive, domain.PartyCompany), domain.RefusedConflict},
		{"sign an active contract", 0, toActive(), signAs(ownerRep, domain.PartyCustomer), domain.RefusedConflict},
		{"cancel while signing", 0, signing, cancelBy(ownerRep, "客户变卦"), domain.RefusedConflict},
		{"cancel an active contract", 0, toActive(), cancelBy(salesMgr, "客户变卦"), domain.RefusedConflict},
		{"cancel by another sales person", 0, nil, cancelBy(otherRep, "不是我的合同"), domain.RefusedForbidden},
		{"create again by someone else", 0, nil, createBy(otherRep), domain.RefusedConflict},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			amount := tc.amount
			if amount == 0 {
				amount = 5_000_000
			}
			steps := append(append([]step{}, tc.before...), tc.bad.refused(tc.kind))
			// The harness checks the refusal's type and that it recorded
			// nothing and left the state as it was.
			h.run(contractOf(amount, "CNY", oneYear), steps...)
			written := len(h.recorded)
			if h.last().Event.Kind == domain.EventExpired {
				written-- // an active contract runs on to its end date
			}
			assert.Equal(t, 1+len(tc.before), written, "only the creation and the accepted steps were recorded: %v", h.kinds())
		})
	}
}

func TestFoundationCreateAnswersOnceRecordedAndAgainForTheOwner(t *testing.T) {
	h := newHarness(t)
	draft := func(t *testing.T, st ContractState) {
		assert.Equal(t, domain.StatusDraft, st.Status)
		assert.Equal(t, 1, st.EventSeq)
		assert.Len(t, h.recorded, 1, "create answers once the creation is recorded")
	}
	h.run(contractOf(5_000_000, "CNY", oneYear), createBy(ownerRep).sentWithStart().then(draft), createBy(ownerRep).then(draft))
	assert.Equal(t, []string{domain.EventCreated}, h.kinds(), "a repeated create records nothing")
}

func TestFoundationSalesManagerActsForTheOwner(t *testing.T) {
	h := newHarness(t)
	res := h.run(contractOf(5_000_000, "CNY", oneYear),
		submitBy(salesMgr),
		approveStage(1, 1, domain.RoleSalesManager),
		sendBy(salesMgr),
		signAs(executive, domain.PartyCompany),
		signAs(salesMgr, domain.PartyCustomer).then(func(t *testing.T, st ContractState) {
			assert.Equal(t, domain.StatusActive, st.Status)
			assert.Equal(t, salesMgr.UserID, st.Signatures[1].RecordedByID)
		}),
	)
	assert.Equal(t, domain.StatusExpired, res.Status)
	assert.Equal(t, []string{domain.EventCreated, domain.EventSubmitted, domain.EventTaskApproved, domain.EventSent,
		domain.EventSigned, domain.EventSigned, domain.EventExpired}, h.kinds())
	for _, i := range []int{1, 3, 5} {
		assert.Equal(t, salesMgr.UserID, h.recorded[i].Event.ActorID, "%s by the manager", h.recorded[i].Event.Kind)
	}
	assert.Equal(t, ownerRep.UserID, h.recorded[5].Contract.OwnerID, "the owner stays the owner")
}

func TestFoundationContractStatusSearchAttribute(t *testing.T) {
	cases := []struct {
		name   string
		amount int64
		steps  []step
		want   []domain.Status
	}{
		{"three stages to expiry", 100_000_000, []step{
			submitBy(ownerRep), approveStage(1, 1, domain.RoleSalesManager), approveStage(1, 2, domain.RoleFinance),
			approveStage(1, 3, domain.RoleExecutive), sendBy(ownerRep), signAs(executive, domain.PartyCompany), signAs(ownerRep, domain.PartyCustomer),
		}, []domain.Status{domain.StatusDraft, domain.StatusInReview, domain.StatusApproved, domain.StatusSigning, domain.StatusActive, domain.StatusExpired}},
		{"changes requested and resubmitted", 5_000_000, []step{
			submitBy(ownerRep), decideBy(salesMgr, TaskID(contractNo, 1, 1), domain.DecisionRequestChanges, "请补充违约责任条款"), submitBy(ownerRep),
		}, []domain.Status{domain.StatusDraft, domain.StatusInReview, domain.StatusDraft, domain.StatusInReview}},
		{"cancelled in review", 5_000_000, []step{submitBy(ownerRep), cancelBy(ownerRep, "重复创建")},
			[]domain.Status{domain.StatusDraft, domain.StatusInReview, domain.StatusCancelled}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.run(contractOf(tc.amount, "CNY", oneYear), tc.steps...)
			assert.Equal(t, tc.want, h.statusAttr)
			// The attribute always ends on the status last recorded.
			assert.Equal(t, h.last().Status, h.statusAttr[len(h.statusAttr)-1])
		})
	}
}

func TestFoundationTermAlreadyOverExpiresOnActivation(t *testing.T) {
	activatedAt := at(len(toActive()))
	cases := []struct {
		name string
		term time.Duration
	}{
		{"ended before the contract was created", -24 * time.Hour},
		{"ended while it was in review", 150 * time.Second},
		{"ends the moment it becomes active", activatedAt.Sub(testStart)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			res := h.run(contractOf(5_000_000, "CNY", tc.term), toActive()...)

			assert.Equal(t, ContractResult{Number: contractNo, Status: domain.StatusExpired}, res)
			require.GreaterOrEqual(t, len(h.recorded), 2)
			activated, expired := h.recorded[len(h.recorded)-2], h.last()
			assert.Equal(t, domain.StatusActive, activated.Status)
			assert.Equal(t, domain.EventExpired, expired.Event.Kind)
			assert.Equal(t, domain.SystemActor.UserID, expired.Event.ActorID)
			sameInstant(t, activatedAt, &expired.Event.At, "no waiting once the term is over")
			assert.Equal(t, []string{domain.EventCreated, domain.EventSubmitted, domain.EventTaskApproved, domain.EventSent,
				domain.EventSigned, domain.EventSigned, domain.EventExpired}, h.kinds(), "nothing expires before it is signed")
		})
	}
}

func TestFoundationContinueAsNewCarriesTheContractOn(t *testing.T) {
	expiry := []string{domain.EventExpired}
	cases := []struct {
		name   string
		amount int64
		before []step // sent before the suggestion
		status domain.Status
		after  []step // sent to the next run
		kinds  []string
	}{
		{"in draft", 5_000_000, []step{createBy(ownerRep)}, domain.StatusDraft,
			toActive(), []string{domain.EventSubmitted, domain.EventTaskApproved, domain.EventSent, domain.EventSigned, domain.EventSigned, domain.EventExpired}},
		{"between review stages", 100_000_000, []step{submitBy(ownerRep), approveStage(1, 1, domain.RoleSalesManager)}, domain.StatusInReview,
			[]step{approveStage(1, 2, domain.RoleFinance), approveStage(1, 3, domain.RoleExecutive)},
			[]string{domain.EventTaskApproved, domain.EventTaskApproved}},
		{"while active", 5_000_000, toActive(), domain.StatusActive, nil, expiry},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := contractOf(tc.amount, "CNY", 30*24*time.Hour)
			first := newHarness(t)
			first.suggestContinueAsNew(len(tc.before))
			first.run(c, tc.before...)
			next := first.continued
			require.NotNil(t, next, "the run continued as new")
			require.NotNil(t, next.State)
			assert.Equal(t, c, next.Contract)
			assert.Equal(t, tc.status, next.State.Status)
			assert.Equal(t, len(first.recorded), next.State.EventSeq, "every event of the first run was recorded before it handed over")

			second := newHarness(t)
			res := second.resume(*next, tc.after...)
			// The harness checks the events number on from the first run's.
			assert.Equal(t, tc.kinds, second.kinds(), "the next run does not record the creation again")
			if tc.status == domain.StatusInReview {
				require.NotNil(t, second.final)
				assert.Equal(t, domain.StatusApproved, second.final.Status, "the carried tasks are decided in the next run")
				assert.Equal(t, plannedTasks(1, allStages, domain.TaskApproved, domain.TaskApproved, domain.TaskApproved), viewTasks(second.final.Tasks))
				return
			}
			assert.Equal(t, ContractResult{Number: contractNo, Status: domain.StatusExpired}, res)
			expired := second.last().Event
			sameInstant(t, c.ExpiresAt, &expired.At, "the next run keeps the end date")
		})
	}
}
