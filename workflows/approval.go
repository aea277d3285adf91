package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/policy"
)

// ApprovalWorkflowID is the child workflow of one review round, e.g.
// contract/HT-2026-000123/approval/2.
func ApprovalWorkflowID(number string, round int) string {
	return fmt.Sprintf("contract/%s/approval/%d", number, round)
}

// Outcome is how a review round ended.
type Outcome string

// Round outcomes.
const (
	OutcomeApproved         Outcome = "approved"
	OutcomeRejected         Outcome = "rejected"
	OutcomeChangesRequested Outcome = "changes_requested"
	OutcomeCancelled        Outcome = "cancelled" // the contract was cancelled
	OutcomeWithdrawn        Outcome = "withdrawn" // its submission was withdrawn
)

// ApprovalInput starts a review round with its planned route.
type ApprovalInput struct {
	ContractNumber string       `json:"contract_number"`
	Round          int          `json:"round"`
	Route          policy.Route `json:"route"`
	// DirectClose: the round reports to its contract by completing
	// (changeDirectClose), not by the signals of rounds.go.
	DirectClose bool `json:"direct_close,omitempty"`
}

// ApprovalState is a round's live state: its route, its tasks and, once
// decided, its outcome. QueryApprovalState and UpdateDecide return it.
type ApprovalState struct {
	ContractNumber string                `json:"contract_number"`
	Round          int                   `json:"round"`
	Route          policy.Route          `json:"route"`
	Tasks          []domain.ApprovalTask `json:"tasks"`
	// StagesDone marks each stage of the route closed on its quorum.
	StagesDone []bool  `json:"stages_done"`
	Outcome    Outcome `json:"outcome,omitempty"`
	// Decisive is the task whose rejection or request for changes closed
	// the round.
	Decisive *domain.ApprovalTask `json:"decisive,omitempty"`
	// ClosedBy is whose decision closed the round and through which
	// request: the audit trail names them for what the close writes.
	ClosedBy audit.Actor `json:"closed_by,omitzero"`
	// Recall is the withdrawal that closed the round, if one did.
	Recall *Recall `json:"recall,omitempty"`
	// DirectClose: the round reports by completing (changeDirectClose), so
	// the decision that closed it answers before the contract has applied
	// it; the service asks the contract (UpdateAwaitRound) for its state.
	DirectClose bool `json:"direct_close,omitempty"`
}

// QueryApprovalState returns a round's ApprovalState.
const QueryApprovalState = "approval_state"

// roundWorkflow runs one review round: stages in order, neighbours marked
// parallel at once, each closing on its quorum, with a reminder and an
// escalation timer per stage; the first rejection closes the round.
type roundWorkflow struct {
	state ApprovalState
	mu    workflow.Mutex
	// recorded is the contract's state once it has recorded this round's
	// outcome (see rounds.go); the decision that closed the round answers
	// with it.
	recorded *ContractState
	// local: this run writes through local activities (changeLocalRecords).
	local bool
	// closeRecorded: the decision that closed the round recorded the close.
	closeRecorded bool
	// opening is set once the first group's tasks are saved
	// (UpdateAwaitOpened).
	opening bool
}

// DecideResult answers a decision: the round after it and, when the
// decision closed the round, the contract's state once the contract has
// recorded the outcome, so the caller reads it without asking again.
type DecideResult struct {
	Round    ApprovalState  `json:"round"`
	Contract *ContractState `json:"contract,omitempty"`
}

// ApprovalWorkflow runs one review round and returns its outcome.
func ApprovalWorkflow(ctx workflow.Context, in ApprovalInput) (ApprovalState, error) {
	w := &roundWorkflow{mu: workflow.NewMutex(ctx), local: in.DirectClose || localRecords(ctx), state: ApprovalState{
		ContractNumber: in.ContractNumber, Round: in.Round, Route: in.Route,
		Tasks: []domain.ApprovalTask{}, StagesDone: make([]bool, len(in.Route.Stages)), DirectClose: in.DirectClose,
	}}
	if err := w.setup(ctx); err != nil {
		return ApprovalState{}, err
	}
	if in.DirectClose || workflow.GetVersion(ctx, changeWithdrawVoid, workflow.DefaultVersion, 1) == 1 {
		workflow.Go(ctx, w.awaitWithdrawal)
	}
	return w.run(ctx)
}

// awaitWithdrawal closes the round as withdrawn when its contract asks,
// unless a decision closed it first; review then records the close (the
// open tasks withdrawn) and reports it like any outcome.
func (w *roundWorkflow) awaitWithdrawal(ctx workflow.Context) {
	var recall Recall
	workflow.GetSignalChannel(ctx, SignalRoundWithdraw).Receive(ctx, &recall)
	w.logIfFailed(ctx, "withdraw", w.withLock(ctx, func() error {
		if w.state.Outcome != "" {
			return nil
		}
		w.state.Outcome, w.state.Recall, w.state.ClosedBy = OutcomeWithdrawn, &recall, recall.By
		return nil
	}))
}

func (w *roundWorkflow) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryApprovalState, func() (ApprovalState, error) { return w.state, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateDecide, inUpdate(w.decide), workflow.UpdateHandlerOptions{Validator: w.validateDecide}); err != nil {
		return err
	}
	if !w.state.DirectClose {
		// Rounds from before changeDirectClose: the submission answered
		// once the round had started.
		return nil
	}
	return workflow.SetUpdateHandler(ctx, UpdateAwaitOpened, w.awaitOpened)
}

// awaitOpened answers the submission once the first group's tasks are
// saved, so they are in their approvers' inboxes (or once the round has
// ended without them).
func (w *roundWorkflow) awaitOpened(ctx workflow.Context, _ struct{}) (ApprovalState, error) {
	err := workflow.Await(ctx, func() bool { return w.opening || w.state.Outcome != "" })
	return w.state, err
}

// groups splits the route into runs of stages that run at once.
func groups(stages []policy.Stage) [][]int {
	var out [][]int
	for i, s := range stages {
		if i > 0 && s.Parallel {
			out[len(out)-1] = append(out[len(out)-1], i)
			continue
		}
		out = append(out, []int{i})
	}
	return out
}

func (w *roundWorkflow) run(ctx workflow.Context) (ApprovalState, error) {
	err := w.review(ctx)
	if temporal.IsCanceledError(err) {
		// The contract was cancelled: close the round's tasks even though
		// this workflow's own context is gone.
		dctx, cancel := workflow.NewDisconnectedContext(ctx)
		defer cancel()
		w.state.Outcome = OutcomeCancelled
		w.closeOpen(domain.TaskCancelled)
		var a *activities.Activities
		if cerr := write(dctx, w.local, a.CloseRound, activities.CloseRoundInput{
			ContractNumber: w.state.ContractNumber, Round: w.state.Round, Outcome: string(w.state.Outcome),
			Tasks: w.state.Tasks, At: workflow.Now(dctx).UTC(),
		}).Get(dctx, nil); cerr != nil {
			return w.state, cerr
		}
		return w.state, err
	}
	if err != nil {
		return ApprovalState{}, err
	}
	return w.state, nil
}

// review runs the stages, then records the round closed.
func (w *roundWorkflow) review(ctx workflow.Context) error {
	var a *activities.Activities
	for _, group := range groups(w.state.Route.Stages) {
		if err := w.openGroup(ctx, group); err != nil {
			return err
		}
		w.opening = true
		for _, i := range group {
			workflow.Go(ctx, func(ctx workflow.Context) { w.watch(ctx, i) })
		}
		if err := workflow.Await(ctx, func() bool { return w.state.Outcome != "" || w.groupDone(group) }); err != nil {
			return err
		}
		if w.state.Outcome != "" {
			break
		}
	}
	// The lock orders the close after the deciding handler's own write; a
	// handler still waiting for it finds the round closed and is refused.
	if err := w.withLock(ctx, func() error {
		if w.closeRecorded {
			return nil
		}
		if w.state.Outcome == "" {
			w.state.Outcome = OutcomeApproved
		}
		if w.state.Outcome == OutcomeWithdrawn {
			w.closeOpen(domain.TaskWithdrawn)
		} else {
			w.closeOpen(domain.TaskCancelled)
		}
		return write(ctx, w.local, a.CloseRound, activities.CloseRoundInput{
			ContractNumber: w.state.ContractNumber, Round: w.state.Round, Outcome: string(w.state.Outcome),
			Tasks: w.state.Tasks, At: workflow.Now(ctx).UTC(), By: w.state.ClosedBy,
		}).Get(ctx, nil)
	}); err != nil {
		return err
	}
	return w.report(ctx)
}

// report tells the contract the round's outcome and waits until it is
// recorded (rounds.go), then lets the closing decision answer.
func (w *roundWorkflow) report(ctx workflow.Context) error {
	if w.state.DirectClose {
		// The round's result is its report (changeDirectClose).
		return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	}
	st, err := reportToContract(ctx, SignalRoundClosed, SignalRoundRecorded, w.state)
	if err != nil || st == nil {
		return err
	}
	w.recorded = st
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// openGroup gives the approvers of a group's stages a task each, all
// opened at the same moment. The tasks join the round's state before they
// are recorded, so an approver who finds one in the inbox can decide it.
func (w *roundWorkflow) openGroup(ctx workflow.Context, group []int) error {
	var a *activities.Activities
	actx := recordOptions(ctx)
	now := workflow.Now(ctx).UTC()
	if w.local {
		// One local activity resolves and saves the group's tasks; the
		// workflow task that runs it completes only with them in the
		// state, so no decision can arrive before they are.
		in := activities.OpenStagesInput{ContractNumber: w.state.ContractNumber, Round: w.state.Round, At: now}
		for _, i := range group {
			in.Stages = append(in.Stages, activities.OpenStage{Index: i, Stage: w.state.Route.Stages[i]})
		}
		return w.withLock(ctx, func() error {
			var res activities.OpenStagesResult
			if err := workflow.ExecuteLocalActivity(localOptions(ctx), a.OpenStages, in).Get(ctx, &res); err != nil {
				return err
			}
			w.state.Tasks = append(w.state.Tasks, res.Tasks...)
			return nil
		})
	}
	futures := make([]workflow.Future, len(group))
	for k, i := range group {
		futures[k] = workflow.ExecuteActivity(actx, a.ResolveStage, activities.ResolveStageInput{
			ContractNumber: w.state.ContractNumber, Stage: w.state.Route.Stages[i], At: now})
	}
	opened := []domain.ApprovalTask{}
	for k, i := range group {
		var res activities.ResolveResult
		if err := futures[k].Get(ctx, &res); err != nil {
			return err
		}
		opened = append(opened, w.stageTasks(i, res.Approvers, now)...)
	}
	return w.withLock(ctx, func() error {
		w.state.Tasks = append(w.state.Tasks, opened...)
		return workflow.ExecuteActivity(actx, a.SaveTasks, activities.SaveTasksInput{Tasks: opened}).Get(ctx, nil)
	})
}

// stageTasks are stage i's tasks, one per approver (activities.StageTasks).
func (w *roundWorkflow) stageTasks(i int, approvers []domain.Approver, now time.Time) []domain.ApprovalTask {
	return activities.StageTasks(w.state.ContractNumber, w.state.Round, i, w.state.Route.Stages[i], approvers, now)
}

// StageTaskID names a task of a stage: suffix is the approver's number, or
// E and a number for an escalation's task.
func StageTaskID(number string, round, stage int, suffix string) string {
	return activities.StageTaskID(number, round, stage, suffix)
}

func (w *roundWorkflow) groupDone(group []int) bool {
	for _, i := range group {
		if !w.state.StagesDone[i] {
			return false
		}
	}
	return true
}

func (w *roundWorkflow) stageClosed(i int) func() bool {
	return func() bool { return w.state.StagesDone[i] || w.state.Outcome != "" }
}

// watch runs a stage's timers: the reminder at its reminder point, then
// the escalation at its SLA, each only if the stage is still open.
func (w *roundWorkflow) watch(ctx workflow.Context, i int) {
	var a *activities.Activities
	stage := w.state.Route.Stages[i]
	remind := time.Duration(stage.RemindAfterHours) * time.Hour
	if remind > 0 {
		if closed, err := workflow.AwaitWithTimeout(ctx, remind, w.stageClosed(i)); err != nil || closed {
			return
		}
		w.logIfFailed(ctx, "remind", w.withLock(ctx, func() error {
			now := workflow.Now(ctx).UTC()
			open := w.openTasks(i)
			for j := range open {
				open[j].RemindedAt = &now
			}
			w.replace(open)
			return write(ctx, w.local, a.SaveTasks, activities.SaveTasksInput{Tasks: open}).Get(ctx, nil)
		}))
	}
	sla := time.Duration(stage.SLAHours)*time.Hour - remind
	if closed, err := workflow.AwaitWithTimeout(ctx, sla, w.stageClosed(i)); err != nil || closed {
		return
	}
	if stage.EscalateTo.Role == "" && !stage.EscalateTo.Manager {
		return
	}
	w.logIfFailed(ctx, "escalate", w.escalate(ctx, i))
}

// escalate gives stage i's escalation target a task each and marks the
// stage's open tasks escalated; their approvers may still decide.
func (w *roundWorkflow) escalate(ctx workflow.Context, i int) error {
	var a *activities.Activities
	stage := w.state.Route.Stages[i]
	now := workflow.Now(ctx).UTC()
	var assignees []string
	for _, t := range w.openTasks(i) {
		assignees = append(assignees, t.AssigneeID)
	}
	var res activities.ResolveResult
	if err := write(ctx, w.local, a.ResolveEscalation, activities.ResolveEscalationInput{
		ContractNumber: w.state.ContractNumber, Stage: stage, Approvers: assignees, At: now,
	}).Get(ctx, &res); err != nil {
		return err
	}
	return w.withLock(ctx, func() error {
		if w.stageClosed(i)() {
			return nil
		}
		changed := w.openTasks(i)
		for k := range changed {
			changed[k].EscalatedAt = &now
		}
		for k, ap := range res.Approvers {
			changed = append(changed, domain.ApprovalTask{
				ID:             StageTaskID(w.state.ContractNumber, w.state.Round, i+1, fmt.Sprintf("E%d", k+1)),
				ContractNumber: w.state.ContractNumber, Round: w.state.Round, Stage: i + 1, Role: stage.EscalateTo.Role,
				Status: domain.TaskOpen, Kind: domain.TaskKindEscalation, StageName: stage.Name,
				AssigneeID: ap.ID, AssigneeName: ap.Name, DelegatedFrom: ap.DelegatedFrom, OpenedAt: &now,
			})
		}
		w.replace(changed)
		return write(ctx, w.local, a.SaveTasks, activities.SaveTasksInput{Tasks: changed}).Get(ctx, nil)
	})
}

// logIfFailed logs a timer's failed action; it only fails when the round
// is ending, which ends its timers too.
func (w *roundWorkflow) logIfFailed(ctx workflow.Context, what string, err error) {
	if err != nil {
		workflow.GetLogger(ctx).Warn("stage timer action failed", "action", what, "err", err)
	}
}

func (w *roundWorkflow) withLock(ctx workflow.Context, fn func() error) error {
	return withMutex(ctx, w.mu, fn)
}

// openTasks returns copies of stage i's open tasks.
func (w *roundWorkflow) openTasks(i int) []domain.ApprovalTask {
	var open []domain.ApprovalTask
	for _, t := range w.state.Tasks {
		if t.Stage == i+1 && t.Status == domain.TaskOpen {
			open = append(open, t)
		}
	}
	return open
}

// replace puts updated tasks in place and appends new ones.
func (w *roundWorkflow) replace(tasks []domain.ApprovalTask) {
	for _, t := range tasks {
		if j, ok := w.findTask(t.ID); ok {
			w.state.Tasks[j] = t
		} else {
			w.state.Tasks = append(w.state.Tasks, t)
		}
	}
}

func (w *roundWorkflow) findTask(id string) (int, bool) {
	for j, t := range w.state.Tasks {
		if t.ID == id {
			return j, true
		}
	}
	return 0, false
}

// closeOpen gives every still-open task status s.
func (w *roundWorkflow) closeOpen(s domain.TaskStatus) {
	for j := range w.state.Tasks {
		if w.state.Tasks[j].Status == domain.TaskOpen {
			w.state.Tasks[j].Status = s
		}
	}
}

// mayDecide: the task's assignee, or any holder of its role when it has
// no assignee.
func mayDecide(t domain.ApprovalTask, a domain.Actor) bool {
	if t.AssigneeID != "" {
		return t.AssigneeID == a.UserID
	}
	return a.Has(t.Role)
}

func (w *roundWorkflow) validateDecide(req DecideRequest) error {
	switch req.Decision {
	case domain.DecisionApprove, domain.DecisionReject, domain.DecisionRequestChanges:
	default:
		return refuse(domain.RefusedInvalid, "decision must be approve, reject or request_changes")
	}
	j, ok := w.findTask(req.TaskID)
	if !ok {
		return refuse(domain.RefusedNotFound, "task %s is not open in this round", req.TaskID)
	}
	t := w.state.Tasks[j]
	if !mayDecide(t, req.Actor) {
		return refuse(domain.RefusedForbidden, "task %s is assigned to %s, not to you", t.ID, t.AssigneeName)
	}
	if r := w.state.Recall; r != nil && w.state.Outcome == OutcomeWithdrawn {
		return refuse(domain.RefusedConflict, "%s", WithdrawnTaskMessage(t.ID, r.Reason))
	}
	if t.Status != domain.TaskOpen || w.state.Outcome != "" {
		return refuse(domain.RefusedConflict, "task %s is already closed (%s)", t.ID, t.Status)
	}
	return nil
}

func (w *roundWorkflow) decide(ctx workflow.Context, req DecideRequest) (DecideResult, error) {
	closes := false
	err := w.withLock(ctx, func() error {
		if err := w.validateDecide(req); err != nil {
			return err
		}
		now := workflow.Now(ctx).UTC()
		j, _ := w.findTask(req.TaskID)
		t := &w.state.Tasks[j]
		t.Status, t.DecidedByID, t.DecidedByName, t.Opinion, t.DecidedAt = req.Decision.TaskStatus(), req.Actor.UserID, req.Actor.Name, req.Opinion, &now
		changed := []domain.ApprovalTask{*t}
		i := t.Stage - 1
		switch req.Decision {
		case domain.DecisionReject, domain.DecisionRequestChanges:
			decided := *t
			w.state.Decisive = &decided
			w.state.Outcome = OutcomeRejected
			if req.Decision == domain.DecisionRequestChanges {
				w.state.Outcome = OutcomeChangesRequested
			}
		default:
			if w.stageApproved(i, *t) {
				w.state.StagesDone[i] = true
				for k := range w.state.Tasks {
					if o := &w.state.Tasks[k]; o.Stage == i+1 && o.Status == domain.TaskOpen {
						o.Status = domain.TaskCancelled
						changed = append(changed, *o)
					}
				}
			}
		}
		closes = w.state.Outcome != "" || allTrue(w.state.StagesDone)
		by := acting(ctx, req.Actor)
		if closes {
			w.state.ClosedBy = by
		}
		var a *activities.Activities
		if closes && w.local {
			// The decision that closes the round records the close with
			// it, every still-open task cancelled (review skips its own).
			if w.state.Outcome == "" {
				w.state.Outcome = OutcomeApproved
			}
			w.closeOpen(domain.TaskCancelled)
			if err := workflow.ExecuteLocalActivity(localOptions(ctx), a.CloseRound, activities.CloseRoundInput{
				ContractNumber: w.state.ContractNumber, Round: w.state.Round, Outcome: string(w.state.Outcome),
				Tasks: w.state.Tasks, At: now, By: by,
			}).Get(ctx, nil); err != nil {
				return err
			}
			w.closeRecorded = true
			return nil
		}
		return write(ctx, w.local, a.SaveTasks, activities.SaveTasksInput{Tasks: changed, By: by}).Get(ctx, nil)
	})
	if err != nil {
		return DecideResult{Round: w.state}, err
	}
	if closes && workflow.GetInfo(ctx).ParentWorkflowExecution != nil && !w.state.DirectClose {
		// This decision ends the round: answer once the contract has
		// recorded the outcome. A round reporting by completing answers
		// with its close recorded, and the service asks the contract.
		if err := workflow.Await(ctx, func() bool { return w.recorded != nil }); err != nil {
			return DecideResult{Round: w.state}, err
		}
	}
	return DecideResult{Round: w.state, Contract: w.recorded}, nil
}

// WithdrawnTaskMessage is the refusal of a decision on a task whose
// submission was withdrawn, with the withdrawal's reason if it gave one.
func WithdrawnTaskMessage(taskID, reason string) string {
	msg := fmt.Sprintf("task %s was withdrawn with its submission", taskID)
	if reason != "" {
		msg += ": " + reason
	}
	return msg
}

func allTrue(bs []bool) bool {
	for _, b := range bs {
		if !b {
			return false
		}
	}
	return true
}

// stageApproved reports whether stage i's quorum is met after approval by
// task t: any one approval, every approver's, or an escalation target's.
func (w *roundWorkflow) stageApproved(i int, t domain.ApprovalTask) bool {
	if t.Kind == domain.TaskKindEscalation || w.state.Route.Stages[i].Quorum != policy.QuorumAll {
		return true
	}
	for _, o := range w.state.Tasks {
		if o.Stage == i+1 && o.Kind != domain.TaskKindEscalation && o.Status != domain.TaskApproved {
			return false
		}
	}
	return true
}
