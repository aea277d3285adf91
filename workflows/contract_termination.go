package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
)

// UpdateTerminate asks to terminate (终止/解除) an active contract: a review
// round under the termination policy decides, and the contract ends on
// the effective date.
const UpdateTerminate = "terminate"

// TimerTermination fires on an approved termination's effective date.
const TimerTermination = "termination"

// Termination request statuses.
const (
	TerminationPending  = "pending"
	TerminationApproved = "approved"
	TerminationRejected = "rejected"
)

// TerminateRequest asks to end an active contract from EffectiveDate (a
// calendar day; EffectiveAt is its start in the configured zone).
type TerminateRequest struct {
	Actor         domain.Actor `json:"actor"`
	Reason        string       `json:"reason"`
	EffectiveDate string       `json:"effective_date"`
	EffectiveAt   time.Time    `json:"effective_at"`
}

// Termination is a contract's termination request and how it stands.
type Termination struct {
	Reason        string    `json:"reason"`
	EffectiveDate string    `json:"effective_date"`
	EffectiveAt   time.Time `json:"effective_at"`
	RequestedBy   string    `json:"requested_by"`
	Round         int       `json:"round"`
	Status        string    `json:"status"`
	Opinion       string    `json:"opinion,omitempty"`
}

// Settlement is what a terminated contract leaves to settle.
type Settlement struct {
	Outstanding     int64               `json:"outstanding"`
	Currency        string              `json:"currency"`
	Milestones      []domain.Milestone  `json:"milestones"`
	OpenObligations []domain.Obligation `json:"open_obligations"`
}

func (w *contractWorkflow) validateTerminate(req TerminateRequest) error {
	if !w.mayManage(req.Actor) {
		return refuse(domain.RefusedForbidden, "only the contract's owner or a sales manager may ask to terminate it")
	}
	if !w.state.Life || w.state.Status != domain.StatusActive {
		return refuse(domain.RefusedConflict, "contract is %s; only an active contract can be terminated", w.state.Status)
	}
	if t := w.state.Termination; t != nil && t.Status != TerminationRejected {
		return refuse(domain.RefusedConflict, "a termination from %s is already %s", t.EffectiveDate, t.Status)
	}
	if a := w.state.Amendment; a != nil {
		return refuse(domain.RefusedConflict, "an amendment to version %d is open (%s)", a.Version, a.Status)
	}
	if strings.TrimSpace(req.Reason) == "" || req.EffectiveAt.IsZero() {
		return refuse(domain.RefusedInvalid, "a termination needs a reason and an effective date")
	}
	if !req.EffectiveAt.Before(w.state.Contract.ExpiresAt) {
		return refuse(domain.RefusedInvalid, "the effective date must fall within the term, which ends %s", w.state.Contract.EndDate)
	}
	return nil
}

// terminate records the request and starts its review round.
func (w *contractWorkflow) terminate(ctx workflow.Context, req TerminateRequest) (ContractState, error) {
	err := w.locked(ctx, func() error {
		if err := w.validateTerminate(req); err != nil {
			return err
		}
		number, round := w.state.Contract.Number, w.state.Round+1
		var a *activities.Activities
		var plan activities.PlanApprovalResult
		if err := write(ctx, w.local, a.PlanApproval, activities.PlanApprovalInput{
			ContractNumber: number, Round: round, At: workflow.Now(ctx).UTC(), Termination: true,
		}).Get(ctx, &plan); err != nil {
			return err
		}
		w.state.Round = round
		w.state.Termination = &Termination{Reason: strings.TrimSpace(req.Reason), EffectiveDate: req.EffectiveDate, EffectiveAt: req.EffectiveAt,
			RequestedBy: req.Actor.Name, Round: round, Status: TerminationPending}
		if err := w.transition(ctx, domain.EventTerminationRequested, req.Actor, w.state.Status, transitionDetails{
			opinion: fmt.Sprintf("%s（自 %s 起）", w.state.Termination.Reason, req.EffectiveDate)}); err != nil {
			return err
		}
		return w.runRound(ctx, round, plan.Route, "termination", w.closeTermination)
	})
	return w.state, err
}

// closeTermination applies the termination round's outcome. Callers hold mu.
func (w *contractWorkflow) closeTermination(ctx workflow.Context, st ApprovalState) error {
	t := w.state.Termination
	if t == nil || t.Round != st.Round || t.Status != TerminationPending {
		return nil
	}
	w.state.Tasks, w.state.RoundWorkflowID, w.cancelRound = st.Tasks, "", nil
	w.wake = true
	if st.Outcome != OutcomeApproved && st.Decisive != nil {
		t.Status, t.Opinion = TerminationRejected, st.Decisive.Opinion
		actor := domain.Actor{UserID: st.Decisive.DecidedByID, Name: st.Decisive.DecidedByName}
		return w.transition(ctx, domain.EventTerminationRejected, actor, w.state.Status, transitionDetails{taskID: st.Decisive.ID, opinion: t.Opinion, by: st.ClosedBy})
	}
	t.Status = TerminationApproved
	if workflow.Now(ctx).Before(t.EffectiveAt) {
		return nil
	}
	return w.terminateNow(ctx, st.ClosedBy)
}

// terminateNow ends the contract under its approved termination: its
// timers stop and what is still owed is listed. by is the approver whose
// decision ended it, or nobody when its effective date did. Callers hold
// mu.
func (w *contractWorkflow) terminateNow(ctx workflow.Context, by audit.Actor) error {
	c := w.state.Contract
	s := &Settlement{Currency: c.Currency, Milestones: []domain.Milestone{}, OpenObligations: []domain.Obligation{}}
	for _, m := range c.Plan {
		if !m.Paid() {
			s.Outstanding += m.Outstanding()
			s.Milestones = append(s.Milestones, m)
		}
	}
	for _, o := range c.Obligations {
		if !o.Done() {
			s.OpenObligations = append(s.OpenObligations, o)
		}
	}
	w.state.Settlement = s
	w.state.NextTimers = []Timer{}
	summary := fmt.Sprintf("%s；待结清 %s（%d 个回款节点），未完成履约事项 %d 项", w.state.Termination.Reason,
		w.money(s.Outstanding), len(s.Milestones), len(s.OpenObligations))
	return w.transition(ctx, domain.EventTerminated, domain.SystemActor, domain.StatusTerminated, transitionDetails{opinion: summary, by: by})
}
