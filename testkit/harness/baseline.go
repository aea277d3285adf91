package harness

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// BaselineQueue is where the harness's own workflows run, on a worker in
// the harness process; Signet's worker never sees them.
const BaselineQueue = "signet-harness-baseline"

// Update names of the baseline workflows.
const (
	baselineCreate = "create"
	baselineStep   = "step"
)

// LifecycleSteps is how many Updates after create a Signet lifecycle sends:
// submit, the approvals, send, and per signer a link and a signature.
const LifecycleSteps = 1 + Approvals + 1 + 2*Signers

// NoOp is the activity a baseline runs per transition.
func NoOp(context.Context) error { return nil }

func noOpOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second})
}

// MinimalLifecycle is Temporal's floor under a Signet lifecycle: the same
// number of Updates, each running one no-op activity, and nothing else.
func MinimalLifecycle(ctx workflow.Context) error {
	created, steps := false, 0
	if err := workflow.SetUpdateHandler(ctx, baselineCreate, func(ctx workflow.Context) error {
		return workflow.Await(ctx, func() bool { return created })
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, baselineStep, func(ctx workflow.Context) error {
		err := workflow.ExecuteActivity(noOpOptions(ctx), NoOp).Get(ctx, nil)
		steps++
		return err
	}); err != nil {
		return err
	}
	if err := workflow.ExecuteActivity(noOpOptions(ctx), NoOp).Get(ctx, nil); err != nil {
		return err
	}
	created = true
	return workflow.Await(ctx, func() bool { return steps == LifecycleSteps && workflow.AllHandlersFinished(ctx) })
}

// Empty is the cheapest workflow to start.
func Empty(workflow.Context) error { return nil }

// Trivial answers one Update at once, without an activity, then ends.
func Trivial(ctx workflow.Context) error {
	done := false
	if err := workflow.SetUpdateHandler(ctx, baselineStep, func(workflow.Context) (int, error) {
		done = true
		return 1, nil
	}); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return done && workflow.AllHandlersFinished(ctx) })
}

// Baselines runs the harness's workflows.
type Baselines struct {
	tc  client.Client
	w   worker.Worker
	Rec *Recorder
}

// StartBaselines starts a worker for the baseline workflows in this process.
func (s *Stack) StartBaselines() (*Baselines, error) {
	w := worker.New(s.Temporal, BaselineQueue, worker.Options{})
	w.RegisterWorkflow(MinimalLifecycle)
	w.RegisterWorkflow(Empty)
	w.RegisterWorkflow(Trivial)
	w.RegisterActivity(NoOp)
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start baseline worker: %w", err)
	}
	return &Baselines{tc: s.Temporal, w: w, Rec: NewRecorder()}, nil
}

// Stop stops the baseline worker.
func (b *Baselines) Stop() { b.w.Stop() }

func (b *Baselines) id(kind string, i int64) string {
	return fmt.Sprintf("baseline/%s/%d-%d", kind, time.Now().UnixNano(), i)
}

func (b *Baselines) update(ctx context.Context, id, name string) error {
	h, err := b.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: name, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err != nil {
		return err
	}
	return h.Get(ctx, nil)
}

// timed records fn under op as a successful call (or a 503 on error, so
// failures show in the tallies).
func (b *Baselines) timed(op string, fn func() error) error {
	start := time.Now()
	err := fn()
	status := 200
	if err != nil {
		status = 503
	}
	b.Rec.record(op, time.Since(start), status, map[string][]string{"Retry-After": {"1"}}, nil)
	return err
}

// Lifecycle runs one MinimalLifecycle: start, create, then the steps.
func (b *Baselines) Lifecycle(ctx context.Context, i int64) (string, error) {
	id := b.id("minimal", i)
	err := b.timed("create", func() error {
		if _, err := b.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: BaselineQueue}, MinimalLifecycle); err != nil {
			return err
		}
		return b.update(ctx, id, baselineCreate)
	})
	if err != nil {
		return id, err
	}
	for range LifecycleSteps {
		if err := b.timed("step", func() error { return b.update(ctx, id, baselineStep) }); err != nil {
			return id, err
		}
	}
	return id, nil
}

// StartEmpty starts one Empty workflow and records how long the start took.
func (b *Baselines) StartEmpty(ctx context.Context, i int64) error {
	return b.timed("start", func() error {
		_, err := b.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: b.id("empty", i), TaskQueue: BaselineQueue}, Empty)
		return err
	})
}

// StartTrivial starts a Trivial workflow, untimed, for UpdateTrivial.
func (b *Baselines) StartTrivial(ctx context.Context, i int64) (string, error) {
	id := b.id("trivial", i)
	_, err := b.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: BaselineQueue}, Trivial)
	return id, err
}

// UpdateTrivial sends a Trivial workflow its Update and records the time.
func (b *Baselines) UpdateTrivial(ctx context.Context, id string) error {
	return b.timed("update", func() error { return b.update(ctx, id, baselineStep) })
}
