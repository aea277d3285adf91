package worker_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

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

// A job's worker dies mid-job (here one that takes the job and then goes
// silent, no heartbeat and no answer, as a killed process does): the
// server times the attempt out on its heartbeat, another worker runs the
// job, and the scheduled time gets its one report, within about a minute
// rather than when the hour's start-to-close runs out.
func TestScheduledJobOutlivesItsWorker(t *testing.T) {
	testenv.RequireIntegration(t)
	ctx := context.Background()
	s := testenv.NewStack(t, testenv.TemporalAddress())
	queue := s.TaskQueue + "-jobs"

	taken := make(chan struct{}, 1)
	hold := make(chan struct{})
	dead := sdkworker.New(s.Temporal, queue, sdkworker.Options{WorkerStopTimeout: time.Second})
	workflows.RegisterWorkflows(dead)
	dead.RegisterActivityWithOptions(func(context.Context, workflows.JobRun) (workflows.JobResult, error) {
		select {
		case taken <- struct{}{}:
		default:
		}
		<-hold
		return workflows.JobResult{}, errors.New("a dead worker answers nothing")
	}, activity.RegisterOptions{Name: workflows.ActivityRunJob})
	require.NoError(t, dead.Start())
	t.Cleanup(func() { close(hold) })

	// A schedule that would run on New Year's night only, triggered now.
	require.NoError(t, worker.EnsureSchedules(ctx, s.Temporal, queue, s.Loc, []worker.JobSchedule{{Job: workflows.JobReconciliation, Cron: "0 2 1 1 *"}}))
	h := s.Temporal.ScheduleClient().GetHandle(ctx, worker.ScheduleID(queue, workflows.JobReconciliation))
	t.Cleanup(func() { _ = h.Delete(context.Background()) })
	require.NoError(t, h.Trigger(ctx, client.ScheduleTriggerOptions{}))
	select {
	case <-taken:
	case <-time.After(time.Minute):
		t.Fatal("the job never reached the worker")
	}
	dead.Stop()
	live := worker.New(worker.Options{Client: s.Temporal, Store: s.Store, TaskQueue: queue, Location: s.Loc, Logger: testenv.Logger()})
	require.NoError(t, live.Start())
	t.Cleanup(live.Stop)

	desc, err := h.Describe(ctx)
	require.NoError(t, err)
	require.Len(t, desc.Info.RecentActions, 1)
	run := desc.Info.RecentActions[0].StartWorkflowResult
	wait, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	var res workflows.JobResult
	require.NoError(t, s.Temporal.GetWorkflow(wait, run.WorkflowID, run.FirstExecutionRunID).Get(wait, &res), "the job finishes on the live worker")
	assert.Equal(t, workflows.JobReconciliation, res.Job)

	var reports int
	require.NoError(t, s.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM reconciliation_runs`).Scan(&reports))
	assert.Equal(t, 1, reports, "one report for the one scheduled time")

	// The attempt that ran is the second, after the first timed out on
	// its heartbeat.
	var started *historypb.ActivityTaskStartedEventAttributes
	iter := s.Temporal.GetWorkflowHistory(ctx, run.WorkflowID, run.FirstExecutionRunID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		require.NoError(t, err)
		if a := e.GetActivityTaskStartedEventAttributes(); a != nil {
			started = a
		}
	}
	require.NotNil(t, started)
	assert.Equal(t, int32(2), started.GetAttempt())
	assert.Contains(t, strings.ToLower(started.GetLastFailure().GetMessage()), "heartbeat")
}
