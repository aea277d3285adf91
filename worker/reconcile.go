package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/workflows"
)

// ReconcileStore is what a reconciliation reads and records.
type ReconcileStore interface {
	OpenContracts(ctx context.Context, after string, limit int) ([]store.OpenContract, error)
	SaveReconciliation(ctx context.Context, r store.Reconciliation) error
	PendingStarts(ctx context.Context, olderThan time.Time, limit int) ([]string, error)
}

// StartSettler settles contract starts left pending (contracts.Service):
// confirmed where the workflow runs, the number void where it does not.
type StartSettler interface {
	SettlePendingStarts(ctx context.Context, pending []string) (voided int, err error)
}

// PendingStartGrace is how long a start may stay pending before the
// reconciliation settles it: a request still starting its workflow is
// left alone.
const PendingStartGrace = time.Minute

// ReconcilePage is how many contracts a reconciliation reads from
// PostgreSQL, and asks Temporal's visibility for, at a time.
const ReconcilePage = 1000

// Reconciler compares the PostgreSQL projection with Temporal: every
// contract PostgreSQL holds open must have a running workflow whose
// ContractStatus search attribute agrees with PostgreSQL's status. Its
// schedule (JobReconciliation) runs it once per time across replicas.
type Reconciler struct {
	Store  ReconcileStore
	Client client.Client
	// TaskQueue, when set, narrows the workflows listed to its own.
	TaskQueue string
	// Starts, when set, settles pending starts before the check, so a
	// number whose start never happened is void rather than drift.
	Starts StartSettler
	Logger *slog.Logger
}

// Report is the outcome of one reconciliation.
type Report struct {
	Checked int
	Drift   []store.Drift
}

// Run checks every open contract once and records the report for the
// metrics endpoint and auditors.
func (r *Reconciler) Run(ctx context.Context) (Report, error) {
	started := time.Now()
	if err := r.settleStarts(ctx, started.Add(-PendingStartGrace)); err != nil {
		return Report{}, err
	}
	rep, err := r.check(ctx)
	if err != nil {
		return rep, err
	}
	return rep, r.Store.SaveReconciliation(ctx, store.Reconciliation{StartedAt: started, FinishedAt: time.Now(), Checked: rep.Checked, Drift: rep.Drift})
}

// settleStarts settles the starts pending since before olderThan, a page
// at a time.
func (r *Reconciler) settleStarts(ctx context.Context, olderThan time.Time) error {
	if r.Starts == nil {
		return nil
	}
	for {
		pending, err := r.Store.PendingStarts(ctx, olderThan, ReconcilePage)
		if err != nil || len(pending) == 0 {
			return err
		}
		voided, err := r.Starts.SettlePendingStarts(ctx, pending)
		if voided > 0 {
			r.Logger.Warn("contract numbers voided: their workflows were never started", "voided", voided)
		}
		if err != nil || len(pending) < ReconcilePage {
			return err
		}
	}
}

// check reads the running contract workflows' statuses from visibility a
// page at a time, then PostgreSQL's open contracts a page at a time, and
// describes only the contracts the two disagree on: visibility lags a
// moment behind, so a disagreement is confirmed against the workflow
// itself before it counts as drift.
func (r *Reconciler) check(ctx context.Context) (Report, error) {
	running, err := r.runningStatuses(ctx)
	if err != nil {
		return Report{}, err
	}
	var rep Report
	for after := ""; ; {
		open, err := r.Store.OpenContracts(ctx, after, ReconcilePage)
		if err != nil {
			return rep, err
		}
		for _, c := range open {
			rep.Checked++
			if st, ok := running[c.Number]; ok && st == string(c.Status) {
				continue
			}
			d, err := r.confirm(ctx, c)
			if err != nil {
				return rep, err
			}
			if d != nil {
				rep.Drift = append(rep.Drift, *d)
			}
		}
		if len(open) < ReconcilePage {
			break
		}
		after = open[len(open)-1].Number
	}
	for _, d := range rep.Drift {
		r.Logger.Warn("contract drift", "number", d.Number, "reason", d.Reason)
	}
	r.Logger.Info("reconciliation done", "checked", rep.Checked, "drift", len(rep.Drift))
	return rep, nil
}

// runningStatuses maps each running contract workflow's number to its
// ContractStatus search attribute.
func (r *Reconciler) runningStatuses(ctx context.Context) (map[string]string, error) {
	query := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running'", workflowTypeContract)
	if r.TaskQueue != "" {
		query += fmt.Sprintf(" AND TaskQueue = '%s'", r.TaskQueue)
	}
	out := map[string]string{}
	var token []byte
	for {
		resp, err := r.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: ReconcilePage, NextPageToken: token})
		if err != nil {
			return nil, fmt.Errorf("list running contract workflows: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			number := strings.TrimPrefix(e.GetExecution().GetWorkflowId(), workflows.ContractWorkflowID(""))
			out[number] = statusAttribute(e.GetSearchAttributes().GetIndexedFields()["ContractStatus"])
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return out, nil
		}
	}
}

// confirm describes one contract's workflow: nil when it runs with the
// status PostgreSQL has after all.
func (r *Reconciler) confirm(ctx context.Context, c store.OpenContract) (*store.Drift, error) {
	n := c.Number
	desc, err := r.Client.DescribeWorkflowExecution(ctx, workflows.ContractWorkflowID(n), "")
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		return &store.Drift{Number: n, Reason: "no workflow exists for this open contract"}, nil
	case err != nil:
		return nil, fmt.Errorf("describe %s: %w", n, err)
	case desc.WorkflowExecutionInfo.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return &store.Drift{Number: n, Reason: "workflow is " + desc.WorkflowExecutionInfo.GetStatus().String() + " but the contract is open"}, nil
	}
	if sa := statusAttribute(desc.WorkflowExecutionInfo.GetSearchAttributes().GetIndexedFields()["ContractStatus"]); sa != string(c.Status) {
		return &store.Drift{Number: n, Reason: fmt.Sprintf("search attribute ContractStatus is %q but PostgreSQL says %q", sa, c.Status)}, nil
	}
	return nil, nil
}

// workflowTypeContract is the contract workflow's registered type name.
const workflowTypeContract = "ContractWorkflow"

// statusAttribute decodes a keyword search attribute ("" when absent).
func statusAttribute(p *commonpb.Payload) string {
	var s string
	if p != nil {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &s)
	}
	return s
}
