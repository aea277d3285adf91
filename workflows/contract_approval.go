package workflows

import (
	"errors"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/policy"
)

// startRound plans a review round (risk checks and policy) and starts it
// as a child workflow. A blocking risk finding refuses the submission.
// Callers hold mu.
func (w *contractWorkflow) startRound(ctx workflow.Context, req SubmitRequest) error {
	if w.local {
		return w.planAndSubmit(ctx, req)
	}
	var a *activities.Activities
	number, round := w.state.Contract.Number, w.state.Round+1
	var plan activities.PlanApprovalResult
	err := workflow.ExecuteActivity(recordOptions(ctx), a.PlanApproval, activities.PlanApprovalInput{
		ContractNumber: number, Round: round, At: workflow.Now(ctx).UTC(),
	}).Get(ctx, &plan)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == activities.ErrTypeBlocked {
		return refuse(domain.RefusedInvalid, "%s", appErr.Message())
	}
	if err != nil {
		return err
	}
	w.state.Round = round
	w.state.Tasks = []domain.ApprovalTask{}
	w.state.RoundWorkflowID = ApprovalWorkflowID(number, round)
	if err := w.transition(ctx, domain.EventSubmitted, req.Actor, domain.StatusInReview, transitionDetails{}); err != nil {
		return err
	}
	return w.runRound(ctx, round, plan.Route, "review", w.closeRound)
}

// planAndSubmit is startRound under changeLocalRecords: the round's plan
// and the submission are recorded by one local activity, and a refused
// plan leaves the state as it was. Callers hold mu.
func (w *contractWorkflow) planAndSubmit(ctx workflow.Context, req SubmitRequest) error {
	var a *activities.Activities
	before := w.state
	number, round := w.state.Contract.Number, w.state.Round+1
	w.state.Round = round
	w.state.Tasks = []domain.ApprovalTask{}
	w.state.RoundWorkflowID = ApprovalWorkflowID(number, round)
	from := w.state.Status
	submit := w.nextTransition(ctx, domain.EventSubmitted, req.Actor, domain.StatusInReview, transitionDetails{})
	var plan activities.PlanApprovalResult
	err := workflow.ExecuteLocalActivity(localOptions(ctx), a.PlanAndSubmit, activities.PlanAndSubmitInput{
		Plan:   activities.PlanApprovalInput{ContractNumber: number, Round: round, At: workflow.Now(ctx).UTC()},
		Submit: submit,
	}).Get(ctx, &plan)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == activities.ErrTypeBlocked {
		w.state = before
		return refuse(domain.RefusedInvalid, "%s", appErr.Message())
	}
	if err != nil {
		return err
	}
	if err := w.upsertSearch(ctx, domain.EventSubmitted, from, domain.StatusInReview, transitionDetails{}); err != nil {
		return err
	}
	return w.runRound(ctx, round, plan.Route, "review", w.closeRound)
}

// runRound runs a review round (a submission's, a termination's or an
// amendment's) as a child workflow and, when it ends, applies its outcome
// with apply, holding mu. A round cancelled with its contract has nothing
// to apply. Callers hold mu.
func (w *contractWorkflow) runRound(ctx workflow.Context, round int, route policy.Route, what string,
	apply func(workflow.Context, ApprovalState) error) error {
	number := w.state.Contract.Number
	w.state.RoundWorkflowID = ApprovalWorkflowID(number, round)
	cctx, cancel := workflow.WithCancel(ctx)
	cctx = workflow.WithChildOptions(cctx, workflow.ChildWorkflowOptions{
		WorkflowID: w.state.RoundWorkflowID,
		// A contract closing (cancelled) takes its open round with it.
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	})
	// Rounds started since changeWithdrawVoid hear their contract's recall.
	w.state.RoundRecallable = w.since(ctx, changeWithdrawVoid)
	direct := w.since(ctx, changeDirectClose)
	w.state.RoundDirect = direct
	child := workflow.ExecuteChildWorkflow(cctx, ApprovalWorkflow, ApprovalInput{ContractNumber: number, Round: round, Route: route, DirectClose: direct})
	w.cancelRound = cancel
	followRound(ctx, w, child, w.state.RoundWorkflowID, SignalRoundClosed, SignalRoundRecorded, what, direct, apply)
	return child.GetChildWorkflowExecution().Get(ctx, nil)
}

// closeRound moves the contract on from a finished round: to approved, or
// back to draft with the decisive opinion kept. A stale round is ignored.
func (w *contractWorkflow) closeRound(ctx workflow.Context, st ApprovalState) error {
	if st.Round != w.state.Round || w.state.Status != domain.StatusInReview {
		return nil
	}
	w.state.Tasks = st.Tasks
	w.state.RoundWorkflowID = ""
	w.state.RoundRecallable = false
	w.state.RoundDirect = false
	w.cancelRound = nil
	if st.Outcome == OutcomeWithdrawn && st.Recall != nil {
		w.withdrawnRound = st.Round
		return w.transition(ctx, domain.EventWithdrawn, st.Recall.Actor, domain.StatusDraft, transitionDetails{opinion: st.Recall.Reason, by: st.ClosedBy})
	}
	if st.Outcome == OutcomeApproved || st.Decisive == nil {
		return w.transition(ctx, domain.EventApproved, domain.SystemActor, domain.StatusApproved, transitionDetails{by: st.ClosedBy})
	}
	decided := *st.Decisive
	w.state.LastDecision = &decided
	kind := domain.EventRejected
	if st.Outcome == OutcomeChangesRequested {
		kind = domain.EventChangesRequested
	}
	actor := domain.Actor{UserID: decided.DecidedByID, Name: decided.DecidedByName}
	return w.transition(ctx, kind, actor, domain.StatusDraft, transitionDetails{taskID: decided.ID, opinion: decided.Opinion, by: st.ClosedBy})
}
