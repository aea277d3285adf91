package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// A round (review or signing) started before changeDirectClose that ends
// reports its outcome to the contract that started it and waits for the
// contract's answer once the outcome is recorded, before it completes. So
// the Update that closed the round (a decision, a signature) answers with
// the contract already moved on, and no caller polls for it.
//
// A round started since reports by completing: the Update that closed it
// answers once the round has recorded its close, the contract applies the
// round's result when the child completes, and the service waits for that
// with the contract's UpdateAwaitRound (Client.AwaitRound). The same
// guarantee for the caller, without four signals' workflow tasks.

// reportToContract signals the round's outcome to its parent on closed
// and waits for the answer on recorded, returning the contract's state as
// recorded. A round run on its own (tests) has no one to tell: nil, nil.
func reportToContract(ctx workflow.Context, closed, recorded string, outcome any) (*ContractState, error) {
	parent := workflow.GetInfo(ctx).ParentWorkflowExecution
	if parent == nil {
		return nil, nil
	}
	if err := workflow.SignalExternalWorkflow(ctx, parent.ID, "", closed, outcome).Get(ctx, nil); err != nil {
		return nil, err
	}
	var st ContractState
	workflow.GetSignalChannel(ctx, recorded).Receive(ctx, &st)
	return &st, nil
}

// followRound is the contract's side, run as its own coroutine for one
// round: it waits for the round's report on closed, applies it with apply
// holding mu, and answers on recorded with the contract's state under the
// same lock, so no continue-as-new comes between the recorded outcome and
// the round hearing of it. A round that ends without reporting was
// cancelled with the contract, or failed. w.children counts the round
// until its workflow has completed, and w.following names it until its
// outcome is applied (UpdateAwaitRound waits for that).
//
// A round started under changeDirectClose (direct) reports by completing:
// its result is the outcome, applied the same way, with no signals.
func followRound[T any](ctx workflow.Context, w *contractWorkflow, child workflow.ChildWorkflowFuture, roundID, closed, recorded, what string,
	direct bool, apply func(workflow.Context, T) error) {
	w.children++
	w.following[roundID] = true
	workflow.Go(outsideUpdate(ctx), func(ctx workflow.Context) {
		defer func() {
			w.children--
			delete(w.following, roundID)
		}()
		var outcome T
		if direct {
			if err := child.Get(ctx, &outcome); err != nil {
				if !temporal.IsCanceledError(err) {
					workflow.GetLogger(ctx).Error(what+" round failed", "round", roundID, "err", err)
				}
				return
			}
			if err := w.locked(ctx, func() error { return apply(ctx, outcome) }); err != nil {
				workflow.GetLogger(ctx).Error("apply "+what+" round", "round", roundID, "err", err)
			}
			return
		}
		reported := false
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(workflow.GetSignalChannel(ctx, closed), func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, &outcome)
			reported = true
		})
		sel.AddFuture(child, func(workflow.Future) {})
		sel.Select(ctx)
		if reported {
			if err := w.locked(ctx, func() error {
				if err := apply(ctx, outcome); err != nil {
					workflow.GetLogger(ctx).Error("apply "+what+" round", "round", roundID, "err", err)
				}
				return workflow.SignalExternalWorkflow(ctx, roundID, "", recorded, w.state).Get(ctx, nil)
			}); err != nil {
				workflow.GetLogger(ctx).Error("answer "+what+" round", "round", roundID, "err", err)
			}
		}
		if err := child.Get(ctx, nil); err != nil && !temporal.IsCanceledError(err) {
			workflow.GetLogger(ctx).Error(what+" round failed", "round", roundID, "err", err)
		}
	})
}
