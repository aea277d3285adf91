package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/worker"
	"github.com/signet-clm/signet/workflows"
)

// Two worker replicas on one task queue, each ensuring the schedules as it
// does at start: every scheduled time runs the job once, not once per
// replica, and nothing holds a lock for it.
func TestScheduledJobsRunOncePerTimeAcrossReplicas(t *testing.T) {
	testenv.RequireIntegration(t)
	ctx := context.Background()
	s := testenv.NewStack(t, testenv.TemporalAddress())
	second := worker.New(worker.Options{Client: s.Temporal, Store: s.Store, TaskQueue: s.TaskQueue, Location: s.Loc, Logger: testenv.Logger()})
	require.NoError(t, second.Start())
	t.Cleanup(second.Stop)

	jobs := []worker.JobSchedule{
		{Job: workflows.JobReconciliation, Cron: "@every 2s"},
		{Job: workflows.JobDailyDigest, Cron: "0 8 * * *"},
	}
	for range 2 {
		require.NoError(t, worker.EnsureSchedules(ctx, s.Temporal, s.TaskQueue, s.Loc, jobs))
	}
	schedules := s.Temporal.ScheduleClient()
	for _, j := range jobs {
		h := schedules.GetHandle(ctx, worker.ScheduleID(s.TaskQueue, j.Job))
		t.Cleanup(func() { _ = h.Delete(context.Background()) })
	}
	rec := schedules.GetHandle(ctx, worker.ScheduleID(s.TaskQueue, workflows.JobReconciliation))
	desc, err := rec.Describe(ctx)
	require.NoError(t, err)
	require.Len(t, desc.Schedule.Spec.Intervals, 1)
	assert.Equal(t, 2*time.Second, desc.Schedule.Spec.Intervals[0].Every)

	// Three scheduled times pass; then the schedule is paused and its runs
	// are let finish.
	require.Eventually(t, func() bool {
		d, err := rec.Describe(ctx)
		return err == nil && d.Info.NumActions >= 3
	}, time.Minute, 200*time.Millisecond)
	require.NoError(t, rec.Pause(ctx, client.SchedulePauseOptions{Note: "test over"}))
	desc, err = rec.Describe(ctx)
	require.NoError(t, err)
	started := desc.Info.NumActions
	for _, a := range desc.Info.RecentActions {
		var res workflows.JobResult
		require.NoError(t, s.Temporal.GetWorkflow(ctx, a.StartWorkflowResult.WorkflowID, a.StartWorkflowResult.FirstExecutionRunID).Get(ctx, &res))
		assert.Equal(t, workflows.JobReconciliation, res.Job)
		assert.WithinDuration(t, a.ScheduleTime, res.ScheduledAt, time.Second, "the run knows the time it was scheduled for")
	}
	var reports int
	require.NoError(t, s.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM reconciliation_runs`).Scan(&reports))
	assert.Equal(t, started, reports, "one reconciliation report per scheduled time, with two replicas")

	// A replica started with another spec brings the schedule to it.
	require.NoError(t, worker.EnsureSchedules(ctx, s.Temporal, s.TaskQueue, s.Loc, []worker.JobSchedule{{Job: workflows.JobDailyDigest, Cron: "0 9 * * 1-5"}}))
	desc, err = schedules.GetHandle(ctx, worker.ScheduleID(s.TaskQueue, workflows.JobDailyDigest)).Describe(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, desc.Info.NextActionTimes)
	for _, next := range desc.Info.NextActionTimes {
		local := next.In(s.Loc)
		assert.Equal(t, 9, local.Hour(), "the digest runs at 09:00 %s", s.Loc)
		assert.NotContains(t, []time.Weekday{time.Saturday, time.Sunday}, local.Weekday())
	}
}
