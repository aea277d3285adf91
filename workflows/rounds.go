package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// A round (review or signing) that ends reports its outcome to the
// contract that started it and waits for the contract's answer once the
// outcome is recorded, before it completes. So the Update that closed the
// round (a decision, a signature) answers with the contract already moved
// on, and no caller polls for it.

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
// until its workflow has completed.
func followRound[T any](ctx workflow.Context, w *contractWorkflow, child workflow.ChildWorkflowFuture, roundID, closed, recorded, what string,
	apply func(workflow.Context, T) error) {
	w.children++
	workflow.Go(outsideUpdate(ctx), func(ctx workflow.Context) {
		defer func() { w.children-- }()
		var outcome T
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
