package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// ImportInput names the job an import workflow lands.
type ImportInput struct {
	ID string
}

// ImportResult is what the landing did, for the Temporal UI; people read
// the job's own counters, which move while it runs.
type ImportResult struct {
	Processed, Created, Updated, Unchanged, Failed int
	Error                                          string `json:",omitempty"`
}

// importActivityOptions: landing a file of 10,000 rows takes seconds to
// minutes. It heartbeats its progress, so a worker that dies is noticed
// within a minute and another attempt lands what is left (every record is
// keyed by its external ID: landing twice writes once).
var importActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 2 * time.Hour,
	HeartbeatTimeout:    time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    5 * time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    5 * time.Minute,
		MaximumAttempts:    20,
	},
}

// Import lands one import job. The job row, not this workflow, is what
// the API and the console read.
func Import(ctx workflow.Context, in ImportInput) (ImportResult, error) {
	var out ImportResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, importActivityOptions), ActivityLandImport, in).Get(ctx, &out)
	return out, err
}
