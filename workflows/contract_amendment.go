package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/internal/domain"
)

// UpdateAmend asks to amend (合同变更) an active contract: the next
// version's terms and document go through approval and signing again,
// and take over once signed.
const UpdateAmend = "amend"

// Amendment statuses.
const (
	AmendmentInReview = "in_review"
	AmendmentApproved = "approved"
	AmendmentSigning  = "signing"
)

// AmendRequest carries the next version's terms, lines and document.
type AmendRequest struct {
	Actor    domain.Actor            `json:"actor"`
	Reason   string                  `json:"reason"`
	Contract domain.Contract         `json:"contract"`
	Lines    []domain.LineItem       `json:"lines"`
	Document domain.RenderedDocument `json:"document"`
}

// Amendment is an open amendment: the next version and where it stands.
type Amendment struct {
	Version        int             `json:"version"`
	Reason         string          `json:"reason"`
	RequestedBy    string          `json:"requested_by"`
	Contract       domain.Contract `json:"contract"`
	DocumentSHA256 string          `json:"document_sha256"`
	Round          int             `json:"round"`
	Status         string          `json:"status"`
}

func (w *contractWorkflow) validateAmend(req AmendRequest) error {
	if !w.mayManage(req.Actor) {
		return refuse(domain.RefusedForbidden, "only the contract's owner or a sales manager may amend it")
	}
	if !w.state.Life || w.state.Status != domain.StatusActive {
		return refuse(domain.RefusedConflict, "contract is %s; only an active contract can be amended", w.state.Status)
	}
	if a := w.state.Amendment; a != nil {
		return refuse(domain.RefusedConflict, "amendment to version %d is already open (%s)", a.Version, a.Status)
	}
	if t := w.state.Termination; t != nil && t.Status != TerminationRejected {
		return refuse(domain.RefusedConflict, "the contract is being terminated")
	}
	if strings.TrimSpace(req.Reason) == "" || len(req.Document.SHA256) != 64 || req.Contract.Currency != w.state.Contract.Currency {
		return refuse(domain.RefusedInvalid, "an amendment needs a reason and the new version's document, in the contract's currency")
	}
	// Money already received or invoiced stays where it was.
	for _, old := range w.state.Contract.Plan {
		used := max(old.Received, old.Invoiced)
		if used == 0 {
			continue
		}
		i := slices.IndexFunc(req.Contract.Plan, func(m domain.Milestone) bool { return m.Seq == old.Seq })
		if i < 0 || req.Contract.Plan[i].Amount < used {
			return refuse(domain.RefusedInvalid, "milestone %d already has %s against it; the new plan must keep it at least that large",
				old.Seq, w.money(used))
		}
	}
	return nil
}

// amend records the next version's draft and starts its review round.
func (w *contractWorkflow) amend(ctx workflow.Context, req AmendRequest) (ContractState, error) {
	err := w.locked(ctx, func() error {
		if err := w.validateAmend(req); err != nil {
			return err
		}
		cur := w.state.Contract
		next, round := w.state.Version+1, w.state.Round+1
		c := req.Contract
		c.Number, c.OwnerID, c.OwnerName, c.CreatedAt = cur.Number, cur.OwnerID, cur.OwnerName, cur.CreatedAt
		c.PredecessorNumber, c.SuccessorNumber, c.DocumentSHA256 = cur.PredecessorNumber, cur.SuccessorNumber, req.Document.SHA256
		carryTotals(&c, cur)
		doc := req.Document
		if err := w.transition(ctx, domain.EventAmendmentRequested, req.Actor, w.state.Status, transitionDetails{
			opinion: req.Reason, document: &doc, lines: req.Lines, amendment: &domain.AmendmentDraft{Version: next, Contract: c}}); err != nil {
			return err
		}
		var a *activities.Activities
		var plan activities.PlanApprovalResult
		err := write(ctx, w.local, a.PlanApproval, activities.PlanApprovalInput{
			ContractNumber: cur.Number, Round: round, At: workflow.Now(ctx).UTC(), Version: next,
		}).Get(ctx, &plan)
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) && appErr.Type() == activities.ErrTypeBlocked {
			if err := w.transition(ctx, domain.EventAmendmentRejected, domain.SystemActor, w.state.Status, transitionDetails{opinion: appErr.Message()}); err != nil {
				return err
			}
			return refuse(domain.RefusedInvalid, "%s", appErr.Message())
		}
		if err != nil {
			return err
		}
		w.state.Round = round
		w.state.Amendment = &Amendment{Version: next, Reason: strings.TrimSpace(req.Reason), RequestedBy: req.Actor.Name, Contract: c,
			DocumentSHA256: doc.SHA256, Round: round, Status: AmendmentInReview}
		return w.runRound(ctx, round, plan.Route, "amendment", w.closeAmendment)
	})
	return w.state, err
}

// carryTotals moves what was invoiced, received and reported onto the
// next version's milestones and obligations of the same place.
func carryTotals(next *domain.Contract, cur domain.Contract) {
	for i := range next.Plan {
		m := &next.Plan[i]
		if j := slices.IndexFunc(cur.Plan, func(o domain.Milestone) bool { return o.Seq == m.Seq }); j >= 0 {
			old := cur.Plan[j]
			m.Invoiced, m.Received, m.Reminded, m.OverdueAlerts = old.Invoiced, old.Received, old.Reminded && old.DueDate == m.DueDate, old.OverdueAlerts
			if m.Paid() {
				m.PaidAt = old.PaidAt
			}
		}
	}
	for i := range next.Obligations {
		o := &next.Obligations[i]
		if j := slices.IndexFunc(cur.Obligations, func(p domain.Obligation) bool { return p.Seq == o.Seq }); j >= 0 {
			old := cur.Obligations[j]
			o.Progress, o.Note, o.EvidenceID, o.CompletedAt = old.Progress, old.Note, old.EvidenceID, old.CompletedAt
		}
	}
}

// closeAmendment applies the amendment round's outcome. Callers hold mu.
func (w *contractWorkflow) closeAmendment(ctx workflow.Context, st ApprovalState) error {
	a := w.state.Amendment
	if a == nil || a.Round != st.Round || a.Status != AmendmentInReview {
		return nil
	}
	w.state.Tasks, w.state.RoundWorkflowID, w.cancelRound = st.Tasks, "", nil
	if st.Outcome != OutcomeApproved && st.Decisive != nil {
		w.state.Amendment = nil
		actor := domain.Actor{UserID: st.Decisive.DecidedByID, Name: st.Decisive.DecidedByName}
		return w.transition(ctx, domain.EventAmendmentRejected, actor, w.state.Status, transitionDetails{taskID: st.Decisive.ID, opinion: st.Decisive.Opinion, by: st.ClosedBy})
	}
	a.Status = AmendmentApproved
	return w.transition(ctx, domain.EventAmendmentApproved, domain.SystemActor, w.state.Status, transitionDetails{opinion: fmt.Sprintf("v%d", a.Version), by: st.ClosedBy})
}

// applyAmendment makes the signed amendment the contract's current
// version. Callers hold mu.
func (w *contractWorkflow) applyAmendment(ctx workflow.Context, sigs []domain.Signature, by domain.Actor) error {
	a := w.state.Amendment
	w.state.Amendment = nil
	w.state.Version, w.state.Contract, w.state.Signatures = a.Version, a.Contract, sigs
	w.wake = true
	c := w.state.Contract
	endDate, _ := time.Parse(time.DateOnly, c.EndDate)
	d := transitionDetails{opinion: fmt.Sprintf("v%d：%s", a.Version, a.Reason)}
	search := []temporal.SearchAttributeUpdate{SearchContractAmount.ValueSet(c.Amount), SearchContractEndDate.ValueSet(endDate)}
	if w.local {
		d.search = search
	} else if err := workflow.UpsertTypedSearchAttributes(ctx, search...); err != nil {
		return err
	}
	return w.transition(ctx, domain.EventAmended, by, w.state.Status, d)
}
