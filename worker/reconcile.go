package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/workflows"
)

// ReconcileLockKey is the advisory lock that keeps one reconciliation
// running at a time across worker replicas.
const ReconcileLockKey = store.ReconcileLock

// ReconcileStore is what a reconciliation reads and records.
type ReconcileStore interface {
	WithAdvisoryLock(ctx context.Context, key int64, fn func(ctx context.Context) error) (bool, error)
	OpenContracts(ctx context.Context) ([]store.OpenContract, error)
	SaveReconciliation(ctx context.Context, r store.Reconciliation) error
}

// Reconciler compares the PostgreSQL projection with Temporal: every
// contract PostgreSQL holds open must have a running workflow whose
// ContractStatus search attribute agrees with PostgreSQL's status.
type Reconciler struct {
	Store  ReconcileStore
	Client client.Client
	Logger *slog.Logger
}

// Report is the outcome of one reconciliation.
type Report struct {
	// Skipped is true when another replica held the lock.
	Skipped bool
	Checked int
	Drift   []store.Drift
}

// Run checks every open contract once, unless another replica is at it,
// and records the report for the metrics endpoint and auditors.
func (r *Reconciler) Run(ctx context.Context) (Report, error) {
	var rep Report
	started := time.Now()
	ran, err := r.Store.WithAdvisoryLock(ctx, ReconcileLockKey, func(ctx context.Context) error {
		var err error
		if rep, err = r.check(ctx); err != nil {
			return err
		}
		return r.Store.SaveReconciliation(ctx, store.Reconciliation{StartedAt: started, FinishedAt: time.Now(), Checked: rep.Checked, Drift: rep.Drift})
	})
	if !ran && err == nil {
		return Report{Skipped: true}, nil
	}
	return rep, err
}

func (r *Reconciler) check(ctx context.Context) (Report, error) {
	open, err := r.Store.OpenContracts(ctx)
	if err != nil {
		return Report{}, err
	}
	var rep Report
	for _, c := range open {
		rep.Checked++
		n := c.Number
		desc, err := r.Client.DescribeWorkflowExecution(ctx, workflows.ContractWorkflowID(n), "")
		var notFound *serviceerror.NotFound
		switch {
		case errors.As(err, &notFound):
			rep.Drift = append(rep.Drift, store.Drift{Number: n, Reason: "no workflow exists for this open contract"})
		case err != nil:
			return rep, fmt.Errorf("describe %s: %w", n, err)
		case desc.WorkflowExecutionInfo.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
			rep.Drift = append(rep.Drift, store.Drift{Number: n, Reason: "workflow is " + desc.WorkflowExecutionInfo.GetStatus().String() + " but the contract is open"})
		default:
			if sa := statusAttribute(desc.WorkflowExecutionInfo.GetSearchAttributes().GetIndexedFields()["ContractStatus"]); sa != string(c.Status) {
				rep.Drift = append(rep.Drift, store.Drift{Number: n, Reason: fmt.Sprintf("search attribute ContractStatus is %q but PostgreSQL says %q", sa, c.Status)})
			}
		}
	}
	for _, d := range rep.Drift {
		r.Logger.Warn("contract drift", "number", d.Number, "reason", d.Reason)
	}
	r.Logger.Info("reconciliation done", "checked", rep.Checked, "drift", len(rep.Drift))
	return rep, nil
}

// statusAttribute decodes a keyword search attribute ("" when absent).
func statusAttribute(p *commonpb.Payload) string {
	var s string
	if p != nil {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &s)
	}
	return s
}
