package worker

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/signet-clm/signet/workflows"
)

// Jobs does the scheduled jobs' work as the RunJob activity, which the
// jobs' Temporal Schedules start through the ScheduledJob workflow.
type Jobs struct {
	Digest    *Digester
	Reconcile *Reconciler
}

// RunJob runs one job for the time it was scheduled for.
func (j *Jobs) RunJob(ctx context.Context, in workflows.JobRun) (workflows.JobResult, error) {
	// The job's own work does not report progress; beat while it runs so
	// the server can tell a live job from one whose worker died.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		t := time.NewTicker(jobHeartbeat)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	out := workflows.JobResult{Job: in.Job, ScheduledAt: in.ScheduledAt}
	switch in.Job {
	case workflows.JobDailyDigest:
		n, err := j.Digest.Run(ctx, in.ScheduledAt)
		out.Count = n
		return out, err
	case workflows.JobReconciliation:
		rep, err := j.Reconcile.Run(ctx)
		out.Count, out.Drift = rep.Checked, len(rep.Drift)
		return out, err
	}
	return out, temporal.NewNonRetryableApplicationError("unknown job "+in.Job, "UnknownJob", nil)
}

// jobHeartbeat is how often a running job heartbeats: well inside the
// workflow's minute of heartbeat timeout.
const jobHeartbeat = 10 * time.Second

// JobSchedule is one job's schedule: a cron spec read in the worker's
// time zone.
type JobSchedule struct {
	Job  string
	Cron string
}

// JobCatchupWindow is how late the server still starts a run it missed
// (while it was down itself); a run it started while no worker was up
// simply waits in the task queue for the first one.
const JobCatchupWindow = 24 * time.Hour

// ScheduleID is the schedule of job for the workers of taskQueue, e.g.
// signet-contracts/daily-digest: each deployment (and each test stack,
// which has its own queue) has its own schedules.
func ScheduleID(taskQueue, job string) string { return taskQueue + "/" + job }

// EnsureSchedules creates each job's schedule, or brings an existing one
// to this spec: every worker replica calls it at start and the last one's
// configuration holds. Runs never overlap (a time that comes while the
// last run is still going is skipped).
func EnsureSchedules(ctx context.Context, c client.Client, taskQueue string, loc *time.Location, jobs []JobSchedule) error {
	for _, j := range jobs {
		id := ScheduleID(taskQueue, j.Job)
		spec := client.ScheduleSpec{CronExpressions: []string{j.Cron}, TimeZoneName: loc.String()}
		action := &client.ScheduleWorkflowAction{
			ID:        id,
			Workflow:  workflows.ScheduledJobWorkflow,
			Args:      []any{workflows.JobInput{Job: j.Job}},
			TaskQueue: taskQueue,
		}
		_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
			ID: id, Spec: spec, Action: action,
			Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: JobCatchupWindow,
		})
		if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
			err = c.ScheduleClient().GetHandle(ctx, id).Update(ctx, client.ScheduleUpdateOptions{
				DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
					s := in.Description.Schedule
					s.Spec, s.Action = &spec, action
					if s.Policy == nil {
						s.Policy = &client.SchedulePolicies{}
					}
					s.Policy.Overlap, s.Policy.CatchupWindow = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, JobCatchupWindow
					return &client.ScheduleUpdate{Schedule: &s}, nil
				},
			})
		}
		if err != nil {
			return fmt.Errorf("schedule %s %q: %w", j.Job, j.Cron, err)
		}
	}
	return nil
}
