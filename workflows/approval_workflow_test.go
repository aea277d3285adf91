package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/policy"
	"github.com/signet-clm/signet/workflows"
)

var (
	finance2 = domain.Actor{UserID: "u-fin-2", Name: "赵敏", Roles: []domain.Role{domain.RoleFinance}}
	legal2   = domain.Actor{UserID: "u-legal-2", Name: "钱进", Roles: []domain.Role{domain.RoleLegal}}
	// holders is who holds each role in these tests: finance and legal have two.
	holders = map[domain.Role][]domain.Actor{
		domain.RoleSalesManager: {manager}, domain.RoleFinance: {finance, finance2},
		domain.RoleLegal: {legal, legal2}, domain.RoleExecutive: {executive},
	}
)

// roundEnv runs review rounds on their own with recorded task writes.
type roundEnv struct {
	env   *testsuite.TestWorkflowEnvironment
	saved []domain.ApprovalTask
	start time.Time
}

func newRoundEnv(t *testing.T) *roundEnv {
	var suite testsuite.WorkflowTestSuite
	r := &roundEnv{env: suite.NewTestWorkflowEnvironment(), start: time.Date(2026, 5, 11, 1, 0, 0, 0, time.UTC)}
	r.env.SetStartTime(r.start)
	var a *activities.Activities
	resolve := func(role domain.Role) activities.ResolveResult {
		var res activities.ResolveResult
		for _, h := range holders[role] {
			res.Approvers = append(res.Approvers, domain.Approver{ID: h.UserID, Name: h.Name})
		}
		return res
	}
	r.env.OnActivity(a.ResolveStage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ResolveStageInput) (activities.ResolveResult, error) {
			return resolve(in.Stage.Role), nil
		})
	r.env.OnActivity(a.ResolveEscalation, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ResolveEscalationInput) (activities.ResolveResult, error) {
			return resolve(in.Stage.EscalateTo.Role), nil
		}).Maybe()
	r.env.OnActivity(a.SaveTasks, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SaveTasksInput) (activities.SaveTasksResult, error) {
			r.saved = append(r.saved, in.Tasks...)
			return activities.SaveTasksResult{}, nil
		})
	r.env.OnActivity(a.CloseRound, mock.Anything, mock.Anything).Return(activities.CloseRoundResult{}, nil)
	r.env.OnActivity(a.OpenStages, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.OpenStagesInput) (activities.OpenStagesResult, error) {
			return openStages(in, func(s policy.Stage) []domain.Approver { return resolve(s.Role).Approvers }, &r.saved), nil
		})
	return r
}

// decideAt sends a decision on task (stage, suffix) after d.
func (r *roundEnv) decideAt(t *testing.T, d time.Duration, by domain.Actor, stage int, suffix string, decision domain.Decision, refuse domain.RefusalKind) {
	r.env.RegisterDelayedCallback(func() {
		r.env.UpdateWorkflow(workflows.UpdateDecide, by.UserID+suffix+d.String(), &testsuite.TestUpdateCallback{
			OnAccept: func() {
				if refuse != "" {
					t.Errorf("%s's decision on S%d-%s accepted, want %s", by.Name, stage, suffix, refuse)
				}
			},
			OnReject: func(err error) {
				if refuse == "" {
					t.Errorf("%s's decision on S%d-%s refused: %v", by.Name, stage, suffix, err)
				}
			},
			OnComplete: func(any, error) {},
		}, workflows.DecideRequest{Actor: by, TaskID: workflows.StageTaskID(number, 1, stage, suffix), Decision: decision, Opinion: "意见"})
	}, d)
}

func (r *roundEnv) run(stages ...policy.Stage) workflows.ApprovalState {
	r.env.ExecuteWorkflow(workflows.ApprovalWorkflow, workflows.ApprovalInput{ContractNumber: number, Round: 1,
		Route: policy.Route{PolicyID: "default", PolicyVersion: 1, Stages: stages}})
	var st workflows.ApprovalState
	if r.env.IsWorkflowCompleted() && r.env.GetWorkflowError() == nil {
		_ = r.env.GetWorkflowResult(&st)
	}
	return st
}

func stageOf(name string, role domain.Role, quorum policy.Quorum, parallel bool) policy.Stage {
	return policy.Stage{Name: name, Role: role, Quorum: quorum, Parallel: parallel, SLAHours: 48, RemindAfterHours: 24,
		EscalateTo: policy.Escalation{Role: domain.RoleExecutive}}
}

func task(st workflows.ApprovalState, id string) domain.ApprovalTask {
	for _, t := range st.Tasks {
		if t.ID == id {
			return t
		}
	}
	return domain.ApprovalTask{}
}

func TestParallelStagesWithAllAndAnyQuorum(t *testing.T) {
	r := newRoundEnv(t)
	// Finance (all must approve) and legal (any one) run at once after the manager.
	r.decideAt(t, time.Minute, manager, 1, "1", domain.DecisionApprove, "")
	r.decideAt(t, 2*time.Minute, finance, 2, "1", domain.DecisionApprove, "")
	r.decideAt(t, 3*time.Minute, legal2, 3, "2", domain.DecisionApprove, "")
	r.decideAt(t, 4*time.Minute, legal, 3, "1", domain.DecisionApprove, domain.RefusedConflict) // legal's stage closed on legal2's approval
	r.decideAt(t, 5*time.Minute, finance2, 2, "2", domain.DecisionApprove, "")
	st := r.run(
		stageOf("销售经理", domain.RoleSalesManager, policy.QuorumAny, false),
		stageOf("财务会签", domain.RoleFinance, policy.QuorumAll, false),
		stageOf("法务", domain.RoleLegal, policy.QuorumAny, true),
	)
	require.NoError(t, r.env.GetWorkflowError())
	assert.Equal(t, workflows.OutcomeApproved, st.Outcome)
	assert.Equal(t, []bool{true, true, true}, st.StagesDone)
	assert.Equal(t, domain.TaskCancelled, task(st, workflows.StageTaskID(number, 1, 3, "1")).Status)
	fin := task(st, workflows.StageTaskID(number, 1, 2, "2"))
	assert.Equal(t, domain.TaskApproved, fin.Status)
	assert.Equal(t, r.start.Add(5*time.Minute), *fin.DecidedAt, "finance's stage waited for both")
	// Legal and finance opened together, right after the manager approved.
	assert.Equal(t, r.start.Add(time.Minute), *task(st, workflows.StageTaskID(number, 1, 2, "1")).OpenedAt)
	assert.Equal(t, r.start.Add(time.Minute), *task(st, workflows.StageTaskID(number, 1, 3, "1")).OpenedAt)
}

func TestReminderThenEscalationThenTheTargetDecides(t *testing.T) {
	r := newRoundEnv(t)
	// Nobody acts on finance's stage: reminded at 24h, escalated at 48h;
	// the executive approves at 49h, closing the stage.
	r.decideAt(t, 49*time.Hour, executive, 1, "E1", domain.DecisionApprove, "")
	st := r.run(stageOf("财务", domain.RoleFinance, policy.QuorumAll, false))
	require.NoError(t, r.env.GetWorkflowError())
	assert.Equal(t, workflows.OutcomeApproved, st.Outcome)
	orig := task(st, workflows.StageTaskID(number, 1, 1, "1"))
	require.NotNil(t, orig.RemindedAt)
	assert.Equal(t, r.start.Add(24*time.Hour), *orig.RemindedAt)
	require.NotNil(t, orig.EscalatedAt)
	assert.Equal(t, r.start.Add(48*time.Hour), *orig.EscalatedAt)
	assert.Equal(t, domain.TaskCancelled, orig.Status, "the original tasks close with the stage")
	esc := task(st, workflows.StageTaskID(number, 1, 1, "E1"))
	assert.Equal(t, domain.TaskKindEscalation, esc.Kind)
	assert.Equal(t, executive.UserID, esc.AssigneeID)
	assert.Equal(t, domain.TaskApproved, esc.Status)
	var reminded, escalated bool
	for _, s := range r.saved {
		reminded = reminded || s.RemindedAt != nil
		escalated = escalated || s.Kind == domain.TaskKindEscalation
	}
	assert.True(t, reminded && escalated, "reminder and escalation were recorded")
}

func TestOriginalApproverMayStillDecideAfterEscalation(t *testing.T) {
	r := newRoundEnv(t)
	r.decideAt(t, 50*time.Hour, manager, 1, "1", domain.DecisionApprove, "")
	st := r.run(stageOf("销售经理", domain.RoleSalesManager, policy.QuorumAny, false))
	require.NoError(t, r.env.GetWorkflowError())
	assert.Equal(t, workflows.OutcomeApproved, st.Outcome)
	assert.Equal(t, domain.TaskCancelled, task(st, workflows.StageTaskID(number, 1, 1, "E1")).Status)
}

func TestFirstRejectionClosesTheRound(t *testing.T) {
	r := newRoundEnv(t)
	r.decideAt(t, time.Minute, finance, 1, "1", domain.DecisionReject, "")
	r.decideAt(t, 2*time.Minute, finance2, 1, "2", domain.DecisionApprove, domain.RefusedConflict)
	st := r.run(
		stageOf("财务会签", domain.RoleFinance, policy.QuorumAll, false),
		stageOf("总经理", domain.RoleExecutive, policy.QuorumAny, false),
	)
	require.NoError(t, r.env.GetWorkflowError())
	assert.Equal(t, workflows.OutcomeRejected, st.Outcome)
	require.NotNil(t, st.Decisive)
	assert.Equal(t, finance.UserID, st.Decisive.DecidedByID)
	assert.Equal(t, domain.TaskCancelled, task(st, workflows.StageTaskID(number, 1, 1, "2")).Status)
	assert.Empty(t, task(st, workflows.StageTaskID(number, 1, 2, "1")).ID, "the executive's stage never opened")
}

func TestDecisionsOnlyByTheAssignee(t *testing.T) {
	r := newRoundEnv(t)
	r.decideAt(t, time.Minute, finance2, 1, "1", domain.DecisionApprove, domain.RefusedForbidden) // finance's task
	r.decideAt(t, 2*time.Minute, finance, 1, "1", "maybe", domain.RefusedInvalid)
	r.decideAt(t, 3*time.Minute, finance, 1, "1", domain.DecisionRequestChanges, "")
	st := r.run(stageOf("财务", domain.RoleFinance, policy.QuorumAny, false))
	require.NoError(t, r.env.GetWorkflowError())
	assert.Equal(t, workflows.OutcomeChangesRequested, st.Outcome)
	assert.Equal(t, domain.TaskChangesRequested, st.Decisive.Status)
}
