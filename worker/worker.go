// Package worker runs Signet's Temporal worker: it registers the contract
// workflow and its activities, keeps the scheduled jobs' Temporal Schedules,
// and runs the per-replica chores on its own clock (robfig/cron).
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/imports"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/pdfsig"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/workflows"
)

// Options configure a worker.
type Options struct {
	Client    client.Client
	Store     *store.Store
	TaskQueue string
	// Pollers is config.WorkerPollers: 0 scales the task pollers with the
	// load.
	Pollers int
	// ReconcileSchedule and DigestSchedule are cron specs, read in Location.
	ReconcileSchedule string
	DigestSchedule    string
	Location          *time.Location
	Logger            *slog.Logger
	// Sealer seals signature records.
	Sealer *eseal.Sealer
	// PDFSigner signs each version's PDF when its round completes; nil
	// leaves them unsigned. CompanyName names the signature.
	PDFSigner   *pdfsig.Key
	CompanyName string
	// PDFTimestamps is the time-stamping authority PDF signatures carry
	// a token of; nil for none.
	PDFTimestamps *pdfsig.Timestamps
	// Renewer drafts successors of auto-renewing contracts.
	Renewer activities.Renewer
	// Historian builds and starts contracts a bulk import brings in
	// (contracts.Service); nil lands customers and products only.
	Historian imports.Historian
	// Starts settles contract starts left pending at reconciliation; nil
	// leaves them to the next.
	Starts StartSettler
	// Dispatcher delivers the notification outbox; nil delivers nothing.
	Dispatcher *notify.Dispatcher
	// Trail seals the audit chain's head on CheckpointSchedule into its
	// checkpoint directory; nil (or no directory) seals nothing.
	Trail              *audit.Trail
	CheckpointSchedule string
}

// RequestIDRetention is how long a client request ID stays held to its
// first use (409 on reuse for anything else). Retries come within
// minutes; Temporal itself remembers Update IDs for less.
const RequestIDRetention = 7 * 24 * time.Hour

// outboxListenRetry is the wait before the outbox listener connects again
// after losing its connection (a PostgreSQL restart).
const outboxListenRetry = 2 * time.Second

// New returns a Temporal worker with Signet's workflows and activities
// registered, not yet started.
func New(o Options) sdkworker.Worker {
	w := sdkworker.New(o.Client, o.TaskQueue, sdkworker.Options{
		WorkflowTaskPollerBehavior: o.pollers(), ActivityTaskPollerBehavior: o.pollers(),
	})
	workflows.RegisterWorkflows(w)
	w.RegisterActivity(&activities.Activities{Projection: o.Store, Approvals: o.Store, Signing: o.Store, Sealer: o.Sealer,
		Notifier: o.Store, Renewer: o.Renewer, PDF: o.Store, Location: o.Location,
		PDFSigner: o.PDFSigner, CompanyName: o.CompanyName, PDFTimestamps: o.PDFTimestamps})
	jobs := o.jobs()
	w.RegisterActivityWithOptions(jobs.RunJob, activity.RegisterOptions{Name: workflows.ActivityRunJob})
	land := &Imports{Service: imports.New(o.Store, nil, nil, o.Location).WithHistorian(o.Historian)}
	w.RegisterActivityWithOptions(land.LandImport, activity.RegisterOptions{Name: workflows.ActivityLandImport})
	return w
}

// pollers is how the worker polls each kind of task: Pollers of them, or
// as many as the load the server reports calls for when 0.
func (o Options) pollers() sdkworker.PollerBehavior {
	if o.Pollers > 0 {
		return sdkworker.NewPollerBehaviorSimpleMaximum(sdkworker.PollerBehaviorSimpleMaximumOptions{MaximumNumberOfPollers: o.Pollers})
	}
	return sdkworker.NewPollerBehaviorAutoscaling(sdkworker.PollerBehaviorAutoscalingOptions{})
}

// jobs is what the scheduled jobs' activity runs with.
func (o Options) jobs() *Jobs {
	logger := o.Logger
	if logger == nil {
		logger = slog.Default()
	}
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	return &Jobs{
		Digest:    &Digester{Store: o.Store, Location: loc, Logger: logger},
		Reconcile: &Reconciler{Store: o.Store, Client: o.Client, TaskQueue: o.TaskQueue, Starts: o.Starts, Logger: logger},
	}
}

// Run runs the worker and its scheduled jobs until ctx ends.
func Run(ctx context.Context, o Options) error {
	w := New(o)
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	defer w.Stop()

	// The digest and the reconciliation run once per time across every
	// replica, as Temporal Schedules; what any replica may do alike stays
	// on each one's own clock.
	if err := EnsureSchedules(ctx, o.Client, o.TaskQueue, o.Location, []JobSchedule{
		{Job: workflows.JobReconciliation, Cron: o.ReconcileSchedule},
		{Job: workflows.JobDailyDigest, Cron: o.DigestSchedule},
	}); err != nil {
		return err
	}
	sched := cron.New(cron.WithLocation(o.Location))
	jobs := []struct {
		name, spec string
		run        func() error
	}{
		// Any replica may run it: the delete is the same whoever runs it.
		{"request ID retention", o.ReconcileSchedule, func() error {
			_, err := o.Store.ForgetRequestIDs(ctx, time.Now().Add(-RequestIDRetention))
			return err
		}},
	}
	if o.Trail != nil && o.Trail.Checkpoints != "" {
		cp := &Checkpointer{Store: o.Store, Trail: o.Trail, Logger: o.Logger}
		checkpoint := func() error { _, _, err := cp.Run(ctx, time.Now()); return err }
		jobs = append(jobs, struct {
			name, spec string
			run        func() error
		}{"audit checkpoint", o.CheckpointSchedule, checkpoint})
		// At start too: after an upgrade this is what vouches for the rows
		// chained before the audit key.
		if err := checkpoint(); err != nil {
			o.Logger.Error("audit checkpoint failed", "err", err)
		}
	}
	for _, j := range jobs {
		if _, err := sched.AddFunc(j.spec, func() {
			if err := j.run(); err != nil {
				o.Logger.Error(j.name+" failed", "err", err)
			}
		}); err != nil {
			return fmt.Errorf("schedule %s %q: %w", j.name, j.spec, err)
		}
	}
	sched.Start()
	defer func() { <-sched.Stop().Done() }()

	done := make(chan struct{})
	if o.Dispatcher != nil {
		if o.Dispatcher.Wake == nil {
			// Outbox rows are delivered as their transaction commits, not
			// at the next poll.
			wake := make(chan struct{}, 1)
			o.Dispatcher.Wake = wake
			go o.Store.ListenOutbox(ctx, wake, outboxListenRetry, func(err error) {
				o.Logger.Warn("outbox listener lost; the dispatcher polls until it is back", "err", err)
			})
		}
		go func() { defer close(done); o.Dispatcher.Run(ctx) }()
	} else {
		close(done)
	}
	o.Logger.Info("worker running", "task_queue", o.TaskQueue, "reconcile", o.ReconcileSchedule, "digest", o.DigestSchedule,
		"audit_checkpoint", o.CheckpointSchedule)
	<-ctx.Done()
	<-done
	return nil
}
