package workflows

import (
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
)

// WithdrawRequest takes a submission back while it waits on approval.
type WithdrawRequest struct {
	Actor  domain.Actor `json:"actor"`
	Reason string       `json:"reason,omitempty"`
}

// VoidSigningRequest voids the open signing round; a reason is required.
type VoidSigningRequest struct {
	Actor  domain.Actor `json:"actor"`
	Reason string       `json:"reason"`
}

// Recall is what a contract tells its open round when it takes it back
// (SignalRoundWithdraw, SignalSigningVoid): who, why, and through which
// request, which the round reports back with its outcome.
type Recall struct {
	Actor  domain.Actor `json:"actor"`
	Reason string       `json:"reason,omitempty"`
	By     audit.Actor  `json:"by,omitzero"`
}

func (w *contractWorkflow) validateWithdraw(req WithdrawRequest) error {
	if !w.mayManage(req.Actor) {
		return refuse(domain.RefusedForbidden, "only the contract's owner or a sales manager may withdraw its submission")
	}
	if w.state.Status != domain.StatusInReview || w.state.RoundWorkflowID == "" {
		return refuse(domain.RefusedConflict, "contract is %s; only a contract waiting on approval can be withdrawn", w.state.Status)
	}
	if !w.state.RoundRecallable {
		return refuse(domain.RefusedConflict, "review round %d was opened before submissions could be withdrawn; an approver can request changes instead", w.state.Round)
	}
	return nil
}

// withdraw asks the open review round to close itself as withdrawn and
// answers once the contract, told by the round as for any outcome
// (closeRound), is a draft again. A decision that closed the round first
// wins, and the withdrawal is refused.
func (w *contractWorkflow) withdraw(ctx workflow.Context, req WithdrawRequest) (ContractState, error) {
	round := 0
	err := w.locked(ctx, func() error {
		if err := w.validateWithdraw(req); err != nil {
			return err
		}
		round = w.state.Round
		recall := Recall{Actor: req.Actor, Reason: strings.TrimSpace(req.Reason), By: acting(ctx, req.Actor)}
		return workflow.SignalExternalWorkflow(ctx, w.state.RoundWorkflowID, "", SignalRoundWithdraw, recall).Get(ctx, nil)
	})
	if err != nil {
		return w.state, err
	}
	if err := w.awaitRecorded(ctx, func() bool { return w.state.Round != round || w.state.Status != domain.StatusInReview }); err != nil {
		return w.state, err
	}
	if w.withdrawnRound != round {
		return w.state, refuse(domain.RefusedConflict, "review round %d closed before the withdrawal reached it; the contract is %s", round, w.state.Status)
	}
	return w.state, nil
}

// signingOpen reports whether a signing round is out: the contract's own
// or its amendment's.
func (w *contractWorkflow) signingOpen() bool {
	if w.state.SigningWorkflowID == "" {
		return false
	}
	return w.state.Status == domain.StatusSigning || (w.state.Amendment != nil && w.state.Amendment.Status == AmendmentSigning)
}

func (w *contractWorkflow) validateVoidSigning(req VoidSigningRequest) error {
	if !w.mayManage(req.Actor) {
		return refuse(domain.RefusedForbidden, "only the contract's owner or a sales manager may void its signing round")
	}
	if strings.TrimSpace(req.Reason) == "" {
		return refuse(domain.RefusedInvalid, "voiding a signing round needs a reason")
	}
	if !w.signingOpen() {
		return refuse(domain.RefusedConflict, "contract is %s with no signing round open; there is nothing to void", w.state.Status)
	}
	if !w.state.SigningRecallable {
		return refuse(domain.RefusedConflict, "signing round %d was sent before signing rounds could be voided; let it expire or be declined", w.state.SigningRound)
	}
	return nil
}

// voidSigning asks the open signing round to close itself as voided and
// answers once the contract, told by the round (closeSigning), is back to
// approved. A signature or decline that closed the round first wins.
func (w *contractWorkflow) voidSigning(ctx workflow.Context, req VoidSigningRequest) (ContractState, error) {
	round := 0
	err := w.locked(ctx, func() error {
		if err := w.validateVoidSigning(req); err != nil {
			return err
		}
		round = w.state.SigningRound
		recall := Recall{Actor: req.Actor, Reason: strings.TrimSpace(req.Reason), By: acting(ctx, req.Actor)}
		return workflow.SignalExternalWorkflow(ctx, w.state.SigningWorkflowID, "", SignalSigningVoid, recall).Get(ctx, nil)
	})
	if err != nil {
		return w.state, err
	}
	if err := w.awaitRecorded(ctx, func() bool { return w.state.SigningRound != round || !w.signingOpen() }); err != nil {
		return w.state, err
	}
	if w.voidedRound != round {
		return w.state, refuse(domain.RefusedConflict, "signing round %d closed before the void reached it; the contract is %s", round, w.state.Status)
	}
	return w.state, nil
}

// awaitRecorded waits until done, then until the transition that made it
// so is recorded: a round's outcome is applied holding mu (followRound),
// and its state changes before its write completes.
func (w *contractWorkflow) awaitRecorded(ctx workflow.Context, done func() bool) error {
	if err := workflow.Await(ctx, done); err != nil {
		return err
	}
	return w.locked(ctx, func() error { return nil })
}
