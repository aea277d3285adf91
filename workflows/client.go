package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/internal/domain"
)

// Client is the one typed way in to Signet's workflows for the services:
// starts, Updates and queries, with Temporal's errors turned into domain
// errors in one place (Error). It is not used by workflow code.
type Client struct {
	Temporal client.Client
}

// StartContract starts a contract's workflow under its readable ID.
func (c Client) StartContract(ctx context.Context, contract domain.Contract, taskQueue string, in ContractInput) error {
	_, err := c.Temporal.ExecuteWorkflow(ctx, StartOptions(contract, taskQueue), ContractWorkflow, in)
	return Error(err)
}

// Update sends an Update and reads its answer into result once the
// workflow has completed it. updateID is the client's request ID, so a
// retry is answered with the first result; the validator's refusal only
// shows in the handle's Get.
//
// The server aborts an Update whose workflow task failed before it was
// recorded (WorkflowNotReady: "unexpected workflow task failure"), as when
// an event arrived while that task closed the workflow; nothing of it was
// recorded, so it is sent again under the same ID, a few times, before the
// caller hears that the service is unavailable.
func (c Client) Update(ctx context.Context, workflowID, updateID, name string, arg, result any) error {
	var err error
	for attempt, wait := 0, notReadyBackoff; ; attempt, wait = attempt+1, wait*2 {
		var handle client.WorkflowUpdateHandle
		handle, err = c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID:   workflowID,
			UpdateID:     updateID,
			UpdateName:   name,
			Args:         []any{arg},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = handle.Get(ctx, result)
		}
		var notReady *serviceerror.WorkflowNotReady
		if !errors.As(err, &notReady) || attempt+1 >= notReadyAttempts {
			break
		}
		select {
		case <-ctx.Done():
			return Error(err)
		case <-time.After(wait):
		}
	}
	return Error(err)
}

// AwaitRound returns the contract's state once it has applied the outcome
// of round roundID, for a round started under changeDirectClose whose
// closing Update (requestID) has answered. It only waits, under an
// UpdateID derived from requestID, so a retried request waits again
// harmlessly. A contract whose run has closed since (a termination the
// round approved) answers with its final state.
func (c Client) AwaitRound(ctx context.Context, number, roundID, requestID string) (ContractState, error) {
	var st ContractState
	id := ContractWorkflowID(number)
	err := c.Update(ctx, id, derivedUpdateID(requestID, "applied"), UpdateAwaitRound, AwaitRoundRequest{RoundWorkflowID: roundID}, &st)
	if errors.Is(err, domain.ErrNotFound) {
		err = c.Query(ctx, id, QueryState, &st)
	}
	return st, err
}

// SettleSigning completes the answer of the signature or decline
// (requestID) that ended a round started under changeDirectClose with
// the contract's status once the contract has applied the round; any
// other answer is left as it is.
func (c Client) SettleSigning(ctx context.Context, st *SigningState, requestID string) error {
	if st.Outcome == "" || !st.DirectClose || st.ContractStatus != "" {
		return nil
	}
	cs, err := c.AwaitRound(ctx, st.ContractNumber, SigningWorkflowID(st.ContractNumber, st.Round), requestID)
	if err != nil {
		return err
	}
	st.ContractStatus = cs.Status
	return nil
}

// AwaitOpened waits until the round a send or a submission started under
// changeDirectClose has its first links or tasks out (or has ended).
func (c Client) AwaitOpened(ctx context.Context, roundID, requestID string) error {
	err := c.Update(ctx, roundID, derivedUpdateID(requestID, "opened"), UpdateAwaitOpened, struct{}{}, nil)
	if errors.Is(err, domain.ErrNotFound) {
		// The round has ended already.
		return nil
	}
	return err
}

// derivedUpdateID is the UpdateID of a wait that follows the Update sent
// under requestID; without one, the client picks one.
func derivedUpdateID(requestID, what string) string {
	if requestID == "" {
		return ""
	}
	return requestID + "/" + what
}

// An Update refused as not ready is sent at most notReadyAttempts times,
// waiting notReadyBackoff, then twice as long each time (1.5 s in all).
const (
	notReadyAttempts = 5
	notReadyBackoff  = 100 * time.Millisecond
)

// UpdateResult reads into result the outcome of an Update already sent
// with updateID (a retried request's first answer), waiting for it to
// complete, even once the workflow has; an Update never sent, or refused
// by its validator, is domain.ErrNotFound. It never sends one.
func (c Client) UpdateResult(ctx context.Context, workflowID, updateID string, result any) error {
	handle := c.Temporal.GetWorkflowUpdateHandle(client.GetWorkflowUpdateHandleOptions{WorkflowID: workflowID, UpdateID: updateID})
	return Error(handle.Get(ctx, result))
}

// Query reads a workflow's query into result.
func (c Client) Query(ctx context.Context, workflowID, name string, result any) error {
	resp, err := c.Temporal.QueryWorkflow(ctx, workflowID, "", name)
	if err != nil {
		return Error(err)
	}
	if err := resp.Get(result); err != nil {
		return fmt.Errorf("decode query %s of %s: %w", name, workflowID, err)
	}
	return nil
}

// Exists reports whether a workflow with this ID has been started (running
// or closed).
func (c Client) Exists(ctx context.Context, workflowID string) (bool, error) {
	_, err := c.Temporal.DescribeWorkflowExecution(ctx, workflowID, "")
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return false, nil
	}
	if err != nil {
		return false, Error(err)
	}
	return true, nil
}

// Signal delivers a signal to a running workflow.
func (c Client) Signal(ctx context.Context, workflowID, name string, arg any) error {
	return Error(c.Temporal.SignalWorkflow(ctx, workflowID, "", name, arg))
}

// Error turns a Temporal client error into a domain error the API maps to
// a status: a workflow's refusal keeps its kind and reason, a missing
// workflow is domain.ErrNotFound, a taken ID domain.ErrAlreadyExists, and
// anything else domain.ErrUnavailable, keeping its cause for the log.
func Error(err error) error {
	if err == nil {
		return nil
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		switch kind := domain.RefusalKind(appErr.Type()); kind {
		case domain.RefusedForbidden, domain.RefusedConflict, domain.RefusedNotFound, domain.RefusedInvalid:
			return &domain.Refusal{Kind: kind, Message: appErr.Message()}
		}
		// A round the planner refused (a blocking risk finding, a stage
		// nobody but the owner or drafter could decide) where the workflow
		// passes the activity's failure on as is (a termination request).
		if appErr.Type() == activities.ErrTypeBlocked {
			return &domain.Refusal{Kind: domain.RefusedInvalid, Message: appErr.Message()}
		}
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return domain.ErrNotFound
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return fmt.Errorf("%w: %w", domain.ErrAlreadyExists, err)
	}
	if errors.Is(err, domain.ErrUnavailable) || errors.Is(err, domain.ErrAlreadyExists) || errors.Is(err, domain.ErrNotFound) {
		return err
	}
	return fmt.Errorf("%w: %w", domain.ErrUnavailable, err)
}

// StartImport starts an import job's workflow; starting one that runs or
// ran already is no error (a retried upload).
func (c Client) StartImport(ctx context.Context, id, taskQueue string) error {
	_, err := c.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: ImportWorkflowID(id), TaskQueue: taskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, ImportWorkflowType, ImportInput{ID: id})
	if err = Error(err); errors.Is(err, domain.ErrAlreadyExists) {
		return nil
	}
	return err
}
