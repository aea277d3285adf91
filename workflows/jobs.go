package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Signet's scheduled jobs run as Temporal Schedules, one per job, each
// starting a ScheduledJob workflow: the server starts exactly one run per
// scheduled time whichever worker replicas are up, catches up a time it
// missed (within the schedule's catch-up window), and skips a time while
// the last run is still going. No replica holds a lock for it, so they
// work behind a transaction-mode connection pooler too.

// ScheduledJobWorkflow is the workflow type a job's schedule starts.
const ScheduledJobWorkflow = "ScheduledJob"

// ActivityRunJob is the activity that does a job's work (worker.Jobs).
const ActivityRunJob = "RunJob"

// Job names, which are also the last part of their schedule's ID.
const (
	// JobDailyDigest enqueues each person's morning summary.
	JobDailyDigest = "daily-digest"
	// JobReconciliation compares PostgreSQL's open contracts with Temporal.
	JobReconciliation = "reconciliation"
)

// ScheduleID is a job's schedule, e.g. signet/job/daily-digest, as the
// Temporal UI lists it.
func ScheduleID(job string) string { return "signet/job/" + job }

// JobWorkflowID is the ID prefix of a job's runs; the schedule appends the
// scheduled time.
func JobWorkflowID(job string) string { return "signet/job/" + job }

// JobInput names the job a schedule runs.
type JobInput struct {
	Job string
}

// JobRun is what the job's activity is given: the job and the time it was
// scheduled for (a run caught up late still does the day it was for).
type JobRun struct {
	Job         string
	ScheduledAt time.Time
}

// JobResult says what a run did, for the Temporal UI and the tests.
type JobResult struct {
	Job         string
	ScheduledAt time.Time
	// Count is the job's own measure: digests enqueued, contracts checked.
	Count int
	// Drift is how many contracts the reconciliation found out of step.
	Drift int `json:",omitempty"`
}

// scheduledStart is the search attribute the server sets on a run a
// schedule started: the time it was scheduled for.
var scheduledStart = temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")

// jobActivityOptions: a job reads and writes PostgreSQL and calls
// Temporal's visibility; it may take minutes on a large database, and a
// retry is safe (the digest is keyed per person and day, a reconciliation
// only records another report). It heartbeats, so a job whose worker died
// is retried within a minute rather than when the hour is up (the
// schedule skips its times while a run is open).
var jobActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: time.Hour,
	HeartbeatTimeout:    time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    10 * time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    10 * time.Minute,
		MaximumAttempts:    10,
	},
}

// ScheduledJob runs one scheduled job once.
func ScheduledJob(ctx workflow.Context, in JobInput) (JobResult, error) {
	at := workflow.Now(ctx).UTC()
	if scheduled, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(scheduledStart); ok && !scheduled.IsZero() {
		at = scheduled.UTC()
	}
	var out JobResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, jobActivityOptions), ActivityRunJob,
		JobRun{Job: in.Job, ScheduledAt: at}).Get(ctx, &out)
	return out, err
}
