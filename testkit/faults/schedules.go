package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/testkit/harness"
	"github.com/signet-clm/signet/worker"
	"github.com/signet-clm/signet/workflows"
)

// scheduleEvery is how often the check's reconciliation runs.
const scheduleEvery = 2 * time.Second

// Schedules checks, on whatever shape s runs (the 2×2 one in the suite),
// that a scheduled job runs once per scheduled time across every worker
// process: it brings the reconciliation's schedule to every 2 s (the call
// each worker makes at start, with another spec), lets times scheduled
// times pass, pauses it, waits for the runs, and compares the schedule's
// actions with the reports the runs wrote to PostgreSQL, one per run. It
// then puts the workers' own spec back. Which worker ran each time is
// read from the runs' histories and shown in the notes.
func Schedules(ctx context.Context, s *harness.Stack, times int, logger *slog.Logger) Outcome {
	apis, workers := s.Shape()
	o := Outcome{Scenario: fmt.Sprintf("schedules (%d×%d)", apis, workers), Contracts: times}
	o.Err = schedules(ctx, s, times, workers, &o, logger)
	return o
}

func schedules(ctx context.Context, s *harness.Stack, times, workers int, o *Outcome, logger *slog.Logger) error {
	loc, err := time.LoadLocation(config.DefaultTimeZone)
	if err != nil {
		return err
	}
	var reportsBefore int
	if err := s.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM reconciliation_runs`).Scan(&reportsBefore); err != nil {
		return fmt.Errorf("count reports: %w", err)
	}
	id := worker.ScheduleID(harness.TaskQueue, workflows.JobReconciliation)
	h := s.Temporal.ScheduleClient().GetHandle(ctx, id)
	desc, err := h.Describe(ctx)
	if err != nil {
		return fmt.Errorf("the workers made no reconciliation schedule: %w", err)
	}
	actionsBefore := desc.Info.NumActions
	seen := map[string]bool{}
	for _, a := range desc.Info.RecentActions {
		seen[a.StartWorkflowResult.WorkflowID] = true
	}

	fast := []worker.JobSchedule{{Job: workflows.JobReconciliation, Cron: "@every " + scheduleEvery.String()}}
	if err := worker.EnsureSchedules(ctx, s.Temporal, harness.TaskQueue, loc, fast); err != nil {
		return err
	}
	defer func() {
		// Back to the spec the workers run with.
		restore := []worker.JobSchedule{{Job: workflows.JobReconciliation, Cron: config.DefaultReconcileSchedule}}
		if err := worker.EnsureSchedules(context.WithoutCancel(ctx), s.Temporal, harness.TaskQueue, loc, restore); err == nil {
			_ = h.Unpause(context.WithoutCancel(ctx), client.ScheduleUnpauseOptions{Note: "schedules check over"})
		}
	}()
	logger.Info("reconciliation every 2 s", "times", times, "workers", workers)
	deadline := time.Now().Add(time.Duration(times)*scheduleEvery + 2*time.Minute)
	for {
		if desc, err = h.Describe(ctx); err != nil {
			return err
		}
		if desc.Info.NumActions-actionsBefore >= times {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d scheduled times ran in time", desc.Info.NumActions-actionsBefore, times)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := h.Pause(ctx, client.SchedulePauseOptions{Note: "schedules check: counting"}); err != nil {
		return err
	}
	if desc, err = h.Describe(ctx); err != nil {
		return err
	}
	actions := desc.Info.NumActions - actionsBefore
	o.Injected = fmt.Sprintf("reconciliation every %s, %d scheduled times, %d workers polling", scheduleEvery, actions, workers)

	// Every run the check started, each waited for: one per scheduled
	// time, and the time its run did is the time it was scheduled for.
	byWorker := map[string]int{}
	pids := map[string]int{}
	for i := range workers {
		pids[strconv.Itoa(s.WorkerPid(i))] = i + 1
	}
	scheduled := map[time.Time]int{}
	for _, a := range desc.Info.RecentActions {
		wid := a.StartWorkflowResult.WorkflowID
		if seen[wid] {
			continue
		}
		scheduled[a.ScheduleTime]++
		var res workflows.JobResult
		if err := s.Temporal.GetWorkflow(ctx, wid, a.StartWorkflowResult.FirstExecutionRunID).Get(ctx, &res); err != nil {
			o.Failed = append(o.Failed, fmt.Sprintf("%s: %v", wid, err))
			continue
		}
		if d := res.ScheduledAt.Sub(a.ScheduleTime); d > time.Second || d < -time.Second {
			o.Verdict.Disagree = append(o.Verdict.Disagree, fmt.Sprintf("%s ran for %s, scheduled for %s", wid, res.ScheduledAt, a.ScheduleTime))
		}
		ran, err := ranOn(ctx, s, wid, a.StartWorkflowResult.FirstExecutionRunID)
		if err != nil {
			return err
		}
		for _, identity := range ran {
			pid, _, _ := strings.Cut(identity, "@")
			if slot, ok := pids[pid]; ok {
				byWorker[fmt.Sprintf("worker %d", slot)]++
			} else {
				byWorker["a worker since restarted"]++
			}
		}
	}
	for at, c := range scheduled {
		if c > 1 {
			o.Verdict.Duplicates = append(o.Verdict.Duplicates, fmt.Sprintf("%d runs for the time %s", c, at))
		}
	}
	var reports int
	if err := s.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM reconciliation_runs`).Scan(&reports); err != nil {
		return fmt.Errorf("count reports: %w", err)
	}
	reports -= reportsBefore
	o.Completed = reports
	o.Contracts = int(actions)
	switch {
	case reports > int(actions):
		o.Verdict.Duplicates = append(o.Verdict.Duplicates, fmt.Sprintf("%d reconciliation reports for %d scheduled times", reports, actions))
	case reports < int(actions):
		o.Verdict.Lost = append(o.Verdict.Lost, fmt.Sprintf("%d reconciliation reports for %d scheduled times", reports, actions))
	}
	keys := slices.Sorted(maps.Keys(byWorker))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, byWorker[k])
	}
	o.Notes = fmt.Sprintf("%d reports in PostgreSQL; runs by %s", reports, strings.Join(parts, ", "))
	if int(actions) < times {
		return errors.New("fewer scheduled times than asked for")
	}
	return nil
}

// ranOn lists the identity of the worker that ran a job run's RunJob
// activity (its last attempt: a history records one start per activity).
func ranOn(ctx context.Context, s *harness.Stack, workflowID, runID string) ([]string, error) {
	var out []string
	it := s.Temporal.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", workflowID, err)
		}
		if ev.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED {
			out = append(out, ev.GetActivityTaskStartedEventAttributes().GetIdentity())
		}
	}
	return out, nil
}
