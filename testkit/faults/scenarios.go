package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/testkit/harness"
	"github.com/signet-clm/signet/workflows"
)

// Outcome is one row of the suite's table: what was injected, and what
// the checks found afterwards.
type Outcome struct {
	Scenario  string
	Injected  string
	Contracts int
	// Completed counts the contracts that reached their expected state.
	Completed int
	Verdict   harness.Verdict
	// Statuses tallies every API answer during the scenario.
	Statuses map[int]int
	// Bad lists answers a client must never get (5xx other than 503 with
	// Retry-After, no answer at all).
	Bad []string
	// Failed lists contracts the driver could not finish, with why.
	Failed []string
	Notes  string
	Err    error
}

// Lost is what the table's last column counts: anything not in order.
func (o Outcome) Lost() int {
	return len(o.Verdict.Lost) + len(o.Verdict.Disagree) + len(o.Verdict.Duplicates) + len(o.Bad) + len(o.Failed)
}

// OK reports whether the scenario lost nothing.
func (o Outcome) OK() bool { return o.Err == nil && o.Lost() == 0 }

// Problems lists the first few things wrong, for the log.
func (o Outcome) Problems() []string {
	var all []string
	if o.Err != nil {
		all = append(all, o.Err.Error())
	}
	for _, l := range [][]string{o.Failed, o.Bad, o.Verdict.Lost, o.Verdict.Disagree, o.Verdict.Duplicates} {
		all = append(all, l...)
	}
	if len(all) > 10 {
		all = append(all[:10], fmt.Sprintf("… and %d more", len(all)-10))
	}
	return all
}

// batch drives n contracts to active from c clients while inject runs
// beside it; inject sees how many contracts have finished so far.
func batch(ctx context.Context, s *harness.Stack, n, c int, inject func(ctx context.Context, done func() int) (string, error)) (Outcome, []string) {
	client := s.NewClient(40 * time.Second)
	var finished atomic.Int64
	var mu sync.Mutex
	var numbers, failed []string
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				num, err := client.DriveToActive(ctx)
				mu.Lock()
				if num != "" {
					numbers = append(numbers, num)
				}
				if err != nil {
					failed = append(failed, fmt.Sprintf("%s: %v", num, err))
				}
				mu.Unlock()
				finished.Add(1)
			}
		}()
	}
	injCtx, stopInject := context.WithCancel(ctx)
	injected := make(chan struct {
		what string
		err  error
	}, 1)
	go func() {
		what, err := inject(injCtx, func() int { return int(finished.Load()) })
		injected <- struct {
			what string
			err  error
		}{what, err}
	}()
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	stopInject()
	inj := <-injected
	o := Outcome{Injected: inj.what, Contracts: n, Err: inj.err, Failed: failed, Statuses: client.Rec.Statuses(), Bad: client.Rec.Bad()}
	sort.Strings(numbers)
	return o, numbers
}

// verify fills o's verdict once the batch is over. Work the fault left
// queued (a creation still to be recorded, a retried activity) may land a
// little later, so it checks again for up to two minutes before it
// believes a loss.
func verify(ctx context.Context, s *harness.Stack, o *Outcome, numbers []string, want domain.Status) {
	v, err := s.Verify(ctx, numbers, want)
	for deadline := time.Now().Add(2 * time.Minute); err == nil && !v.OK() && time.Now().Before(deadline); {
		time.Sleep(5 * time.Second)
		v, err = s.Verify(ctx, numbers, want)
	}
	o.Verdict = v
	o.Completed = len(numbers) - len(v.Lost)
	if err != nil && o.Err == nil {
		o.Err = err
	}
}

// atProgress waits until done() reaches at, or ctx ends.
func atProgress(ctx context.Context, done func() int, at int) error {
	for done() < at {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

// WorkerKills drives n contracts while killing a worker with SIGKILL at
// least kills times, spread over the run, restarting it a second later
// each time. On a stack of several workers (the 2×2 shape) it kills one of
// them at a time, taking turns, while the others keep serving the queue.
// A kill that lands between activities loses nothing worth retrying, so it
// keeps killing (up to four times as often) until one has stranded an
// activity mid-run; afterwards it counts activity attempts past the first
// in the histories.
func WorkerKills(ctx context.Context, s *harness.Stack, n, kills int, logger *slog.Logger) Outcome {
	apis, workers := s.Shape()
	o, numbers := batch(ctx, s, n, 10, func(ctx context.Context, done func() int) (string, error) {
		k, stranded := 0, 0
		for ; k < 4*kills && (k < kills || stranded == 0); k++ {
			if k < kills {
				if err := atProgress(ctx, done, (k+1)*n/(kills+2)); err != nil {
					break
				}
			} else if err := awaitActivity(ctx, s, done, n); err != nil {
				// The planned kills all fell between activities: aim the
				// next one at an activity seen running.
				return "", err
			}
			if done() >= n {
				break
			}
			victim := k % workers
			pid, at := s.WorkerPid(victim), time.Now()
			if err := s.KillWorker(victim); err != nil {
				return "", err
			}
			time.Sleep(300 * time.Millisecond)
			hit, err := strandedActivities(ctx, s, pid, at)
			if err != nil {
				return "", err
			}
			stranded += hit
			logger.Info("SIGKILLed a worker", "kill", k+1, "worker", victim+1, "of", workers, "finished", done(), "stranded_activities", hit)
			time.Sleep(700 * time.Millisecond)
			if err := s.StartWorker(victim); err != nil {
				return "", err
			}
		}
		what := fmt.Sprintf("%d× SIGKILL of the worker, %d stranded an activity", k, stranded)
		if workers > 1 {
			what = fmt.Sprintf("%d× SIGKILL of one worker of %d, in turn, %d stranded an activity", k, workers, stranded)
		}
		if k < kills {
			return what, fmt.Errorf("only %d of %d kills: the batch ended first", k, kills)
		}
		return what, nil
	})
	o.Scenario = "worker SIGKILL"
	if apis > 1 || workers > 1 {
		o.Scenario = fmt.Sprintf("worker SIGKILL (%d×%d)", apis, workers)
	}
	verify(ctx, s, &o, numbers, domain.StatusActive)
	retries, err := activityRetries(ctx, s, numbers)
	if err != nil && o.Err == nil {
		o.Err = err
	}
	o.Notes = fmt.Sprintf("%d activity retries", retries)
	if retries == 0 && o.Err == nil {
		o.Err = errors.New("no activity was retried: the kills missed every activity")
	}
	return o
}

// awaitActivity returns as soon as an activity of one of the newest
// contracts is running on a worker, or when the batch is done.
func awaitActivity(ctx context.Context, s *harness.Stack, done func() int, n int) error {
	for done() < n && ctx.Err() == nil {
		running, err := strandedActivities(ctx, s, 0, time.Now())
		if err != nil || running > 0 {
			return err
		}
	}
	return nil
}

// strandedActivities counts started activities and workflow tasks (whose
// local activities write PostgreSQL) of the newest contracts (and their
// rounds), the only ones that can be mid-flight. Read just after a kill,
// they are what the dead worker had started: they stay started until
// their start-to-close timeout, then retry. With pid set (the killed
// worker's), only activities that worker had started count, and only
// workflow tasks started before the kill at: a pending workflow task does
// not say which worker has it, and one started before the kill and still
// running 300 ms later is almost surely the dead one's. With pid 0 every
// started activity counts.
func strandedActivities(ctx context.Context, s *harness.Stack, pid int, at time.Time) (int, error) {
	rows, err := s.Store.Pool().Query(ctx, `SELECT number FROM contracts WHERE status <> 'active' ORDER BY number DESC LIMIT 12`)
	if err != nil {
		return 0, fmt.Errorf("newest contracts: %w", err)
	}
	var ids []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, workflows.ContractWorkflowID(n), workflows.ApprovalWorkflowID(n, 1), workflows.SigningWorkflowID(n, 1))
	}
	rows.Close()
	victim := fmt.Sprintf("%d@", pid)
	hit := 0
	for _, id := range ids {
		d, err := s.Temporal.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			continue // a round not started yet
		}
		for _, a := range d.GetPendingActivities() {
			if a.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED && (pid == 0 || strings.HasPrefix(a.GetLastWorkerIdentity(), victim)) {
				hit++
			}
		}
		// Local activities run inside a workflow task: a task the dead
		// worker had started strands the writes it was making.
		if wt := d.GetPendingWorkflowTask(); wt.GetState() == enumspb.PENDING_WORKFLOW_TASK_STATE_STARTED && wt.GetStartedTime().AsTime().Before(at) {
			hit++
		}
	}
	return hit, nil
}

// activityRetries counts activity attempts after the first, and workflow
// tasks timed out while running (run again with their local activities),
// in the histories of the batch's contracts and their review and signing
// rounds.
func activityRetries(ctx context.Context, s *harness.Stack, numbers []string) (int, error) {
	hs, err := s.Histories(ctx)
	if err != nil {
		return 0, err
	}
	mine := map[string]bool{}
	for _, n := range numbers {
		mine[n] = true
	}
	retries := 0
	for _, h := range hs {
		n, _, _ := strings.Cut(strings.TrimPrefix(h.WorkflowID, "contract/"), "/")
		if !mine[n] {
			continue
		}
		for _, e := range h.Events.Events {
			if e.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED && e.GetActivityTaskStartedEventAttributes().GetAttempt() > 1 {
				retries++
			}
			// A workflow task cut off mid-run (its worker killed) runs
			// again elsewhere, its local activities with it.
			if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT &&
				e.GetWorkflowTaskTimedOutEventAttributes().GetTimeoutType() == enumspb.TIMEOUT_TYPE_START_TO_CLOSE {
				retries++
			}
		}
	}
	return retries, nil
}

// PostgresRestart drives n contracts and restarts the suite's own cluster
// a third of the way through, leaving it down for down.
func PostgresRestart(ctx context.Context, s *harness.Stack, n int, down time.Duration, logger *slog.Logger) Outcome {
	o, numbers := batch(ctx, s, n, 10, func(ctx context.Context, done func() int) (string, error) {
		if err := atProgress(ctx, done, n/3); err != nil {
			return "", err
		}
		logger.Info("restarting PostgreSQL", "finished", done(), "down", down)
		if err := s.RestartPostgres(ctx, down); err != nil {
			return "", err
		}
		return fmt.Sprintf("PostgreSQL stopped (fast) for %s at %d/%d, restarted", down, n/3, n), nil
	})
	o.Scenario = "PostgreSQL restart"
	verify(ctx, s, &o, numbers, domain.StatusActive)
	return o
}

// TemporalRestart drives n contracts and restarts the dev server (state on
// disk) a third of the way through.
func TemporalRestart(ctx context.Context, s *harness.Stack, n int, down time.Duration, logger *slog.Logger) Outcome {
	o, numbers := batch(ctx, s, n, 10, func(ctx context.Context, done func() int) (string, error) {
		if err := atProgress(ctx, done, n/3); err != nil {
			return "", err
		}
		logger.Info("restarting the Temporal dev server", "finished", done(), "down", down)
		if err := s.RestartTemporal(ctx, down); err != nil {
			return "", err
		}
		return fmt.Sprintf("Temporal dev server stopped for %s at %d/%d, restarted on its state file", down, n/3, n), nil
	})
	o.Scenario = "Temporal restart"
	verify(ctx, s, &o, numbers, domain.StatusActive)
	return o
}

// Overload offers creations at rate per second for d, open loop, then
// checks every accepted one was recorded in both places. Accepted means
// 201; anything else must be a 429 or a 503 with Retry-After.
func Overload(ctx context.Context, s *harness.Stack, rate float64, d time.Duration, logger *slog.Logger) Outcome {
	client := s.NewClient(40 * time.Second)
	client.Patience = 0 // one try each: an open-loop client does not retry
	logger.Info("overload", "rate", rate, "for", d)
	res := harness.OfferCreations(ctx, client, rate, d)
	o := Outcome{Scenario: "overload", Contracts: len(res.Accepted), Statuses: client.Rec.Statuses(), Bad: client.Rec.Bad()}
	refused := o.Statuses[http.StatusTooManyRequests] + o.Statuses[http.StatusServiceUnavailable]
	o.Injected = fmt.Sprintf("%.0f starts/s for %s (2× saturation): %d offered, %d accepted, %d refused", rate, d, res.Offered, len(res.Accepted), refused)
	lat := client.Rec.Latencies("create")
	o.Notes = fmt.Sprintf("accepted p99 %s, max %s", harness.Quantile(lat, 0.99).Round(time.Millisecond), harness.Quantile(lat, 1).Round(time.Millisecond))
	// Bounded means no accepted start waited past the API's request
	// timeout: the rest must have been refused (429, or 503 at the
	// timeout). Whether any were depends on how far past capacity twice
	// the latency-bound saturation rate is on this machine at this moment.
	if worst := harness.Quantile(lat, 1); worst > config.DefaultRequestTimeout+2*time.Second {
		o.Err = fmt.Errorf("an accepted start took %s: queued past the request timeout", worst.Round(time.Millisecond))
	}
	// Whatever the API accepted, and any draft a refused request left
	// (a 503 after the number was taken), must be whole in both places.
	numbers, err := draftsSince(ctx, s, res.Started)
	if err != nil {
		o.Err = err
		return o
	}
	verify(ctx, s, &o, numbers, domain.StatusDraft)
	o.Contracts = len(numbers)
	return o
}

func draftsSince(ctx context.Context, s *harness.Stack, since time.Time) ([]string, error) {
	rows, err := s.Store.Pool().Query(ctx, `SELECT number FROM contracts WHERE created_at >= $1 ORDER BY number`, since)
	if err != nil {
		return nil, fmt.Errorf("list drafts: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Determinism replays every history the run produced against today's code,
// then checks each broken variant is refused.
func Determinism(ctx context.Context, s *harness.Stack) Outcome {
	o := Outcome{Scenario: "determinism"}
	hs, err := s.Histories(ctx)
	if err != nil {
		o.Err = err
		return o
	}
	failed := 0
	for _, r := range harness.ReplayAll(hs) {
		if r.Err != nil {
			failed++
			o.Verdict.Lost = append(o.Verdict.Lost, fmt.Sprintf("%s (%s): %v", r.History.WorkflowID, r.History.Type, r.Err))
		}
	}
	o.Contracts, o.Completed = len(hs), len(hs)-failed
	var caught []string
	for _, v := range harness.BrokenVariants() {
		ok, on, err := harness.CatchVariant(hs, v)
		if !ok {
			o.Verdict.Lost = append(o.Verdict.Lost, fmt.Sprintf("variant %q not caught on %s: %v", v.Name, on, err))
			continue
		}
		caught = append(caught, v.Name)
	}
	o.Injected = fmt.Sprintf("replayed %d histories; %d broken variants", len(hs), len(harness.BrokenVariants()))
	o.Notes = fmt.Sprintf("caught: %s", strings.Join(caught, "; "))
	return o
}
