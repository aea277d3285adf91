package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/signet-clm/signet/activities"
)

// localRecords reports whether this run writes PostgreSQL through local
// activities (changeLocalRecords). Each workflow asks once, first thing,
// so the marker sits at the same place in every history of the version.
func localRecords(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, changeLocalRecords, workflow.DefaultVersion, 1) == 1
}

// localOptions are the options of a local activity: a short PostgreSQL
// transaction, so a try that has not answered in 10 s is cut and tried
// again; retried without limit (every 10 s at most) so a PostgreSQL
// restart delays the write and loses nothing. The SDK heartbeats the
// workflow task meanwhile, and a worker killed mid-write hands the task to
// another, which runs the write again: every one is keyed, so it lands once.
func localOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second},
	})
}

// signPDFOptions bound the PDF's rendering and signing (some 70 ms on a
// core, longer on a loaded one) and give up after a few attempts: what
// fails three times (a missing glyph) fails every time.
func signPDFOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumAttempts: activities.SignPDFAttempts},
	})
}

// write runs activity fn with arg: a local activity under
// changeLocalRecords, a remote one (recordOptions) in runs from before.
func write(ctx workflow.Context, local bool, fn, arg any) workflow.Future {
	if local {
		return workflow.ExecuteLocalActivity(localOptions(ctx), fn, arg)
	}
	return workflow.ExecuteActivity(recordOptions(ctx), fn, arg)
}
