package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
)

// startSigning starts a signing round on the approved document as a child
// workflow. Callers hold mu.
func (w *contractWorkflow) startSigning(ctx workflow.Context, req SendRequest) error {
	// The service always names signers; only a bare client could not.
	if len(req.Signers) == 0 {
		return refuse(domain.RefusedInvalid, "a signing request needs at least one signer")
	}
	number, round := w.state.Contract.Number, w.state.SigningRound+1
	days := req.DeadlineDays
	if days <= 0 {
		days = DefaultSigningDays
	}
	signers := make([]domain.Signer, len(req.Signers))
	for i, s := range req.Signers {
		s.ID, s.Seq, s.Status = SignerID(number, round, i+1), i+1, domain.SignerWaiting
		signers[i] = s
	}
	// An approved amendment is signed as the next version while the
	// contract stays in force; otherwise the contract goes out itself.
	version, hash, to := w.state.Version, w.state.Contract.DocumentSHA256, domain.StatusSigning
	if a := w.state.Amendment; a != nil {
		version, hash, to = a.Version, a.DocumentSHA256, w.state.Status
		a.Status = AmendmentSigning
	} else {
		w.state.Signatures = []domain.Signature{}
	}
	w.state.SigningRound = round
	w.state.SigningWorkflowID = SigningWorkflowID(number, round)
	if err := w.transition(ctx, domain.EventSent, req.Actor, to, transitionDetails{opinion: fmt.Sprintf("v%d", version)}); err != nil {
		return err
	}
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            w.state.SigningWorkflowID,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	})
	// Rounds started since changeWithdrawVoid hear their contract's void.
	w.state.SigningRecallable = w.since(ctx, changeWithdrawVoid)
	direct := w.since(ctx, changeDirectClose)
	w.state.SigningDirect = direct
	child := workflow.ExecuteChildWorkflow(cctx, SigningWorkflow, SigningInput{
		ContractNumber: number, Title: w.state.Contract.Title, OwnerID: w.state.Contract.OwnerID,
		Version: version, Round: round, DocumentSHA256: hash,
		Signers: signers, Deadline: workflow.Now(ctx).UTC().Add(time.Duration(days) * 24 * time.Hour),
		Reminders: DefaultReminders, RequireCode: req.RequireCode, RequireReadToEnd: req.RequireReadToEnd,
		DirectClose: direct,
	})
	followRound(ctx, w, child, w.state.SigningWorkflowID, SignalSigningClosed, SignalSigningRecorded, "signing", direct, w.closeSigning)
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		return err
	}
	if direct {
		// The service asks the round when its first links are out
		// (UpdateAwaitOpened).
		return nil
	}
	// Answer the sender once the round's first links are out (or the round
	// ended without any).
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(workflow.GetSignalChannel(ctx, SignalSigningOpened), func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil) })
	sel.AddFuture(child, func(workflow.Future) {})
	sel.Select(ctx)
	return nil
}

// closeSigning makes the contract active once everyone signed, or returns
// it to approved with the reason. A stale round is ignored.
func (w *contractWorkflow) closeSigning(ctx workflow.Context, st SigningState) error {
	amendment := w.state.Amendment != nil && w.state.Amendment.Status == AmendmentSigning
	if st.Round != w.state.SigningRound || (w.state.Status != domain.StatusSigning && !amendment) {
		return nil
	}
	w.state.SigningWorkflowID = ""
	w.state.SigningRecallable = false
	w.state.SigningDirect = false
	back := domain.StatusApproved
	if amendment {
		// An unsigned amendment can go out again; the contract stays as it is.
		back = w.state.Status
		if st.Outcome != SigningOutcomeSigned {
			w.state.Amendment.Status = AmendmentApproved
		}
	}
	switch st.Outcome {
	case SigningOutcomeSigned:
		sigs := make([]domain.Signature, 0, len(st.Signers))
		// The last to sign completes the contract.
		last, lastAt := domain.SystemActor, time.Time{}
		for _, s := range st.Signers {
			sig := domain.Signature{ID: s.ID, ContractNumber: st.ContractNumber, Version: st.Version, Party: s.Party, Order: s.Seq,
				SignerName: s.Name, SignerEmail: s.Email}
			if r := s.Signature; r != nil {
				at := r.SignedAt
				sig.SignerName, sig.IP, sig.UserAgent, sig.SignedAt = r.SignerName, r.IP, r.UserAgent, &at
				if at.After(lastAt) {
					last, lastAt = domain.Actor{UserID: "signer:" + s.ID, Name: r.SignerName}, at
				}
			}
			sigs = append(sigs, sig)
		}
		if amendment {
			return w.applyAmendment(ctx, sigs, last)
		}
		w.state.Signatures = sigs
		return w.transition(ctx, domain.EventSigned, last, domain.StatusActive, transitionDetails{})
	case SigningOutcomeVoided:
		w.voidedRound = st.Round
		var actor domain.Actor
		var by audit.Actor
		reason := st.Reason
		if r := st.Recall; r != nil {
			actor, by, reason = r.Actor, r.By, r.Reason
		}
		return w.transition(ctx, domain.EventSigningVoided, actor, back, transitionDetails{opinion: reason, by: by})
	case SigningOutcomeDeclined:
		actor := domain.Actor{UserID: "signer", Name: st.DeclinedBy}
		return w.transition(ctx, domain.EventSigningDeclined, actor, back, transitionDetails{opinion: st.Reason})
	default:
		return w.transition(ctx, domain.EventSigningExpired, domain.SystemActor, back,
			transitionDetails{opinion: "签署期限已过 / the signing deadline passed"})
	}
}
