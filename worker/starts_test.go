package worker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/worker"
	"github.com/signet-clm/signet/workflows"
)

// flakyStarts is the real Temporal client with its start answering err:
// after starting the workflow all the same when started is set (the
// answer was lost), and with Describe failing too when blind is set. A
// blind start is held back until land is called: the start that went
// through unseen arrives after its number was voided, every time.
type flakyStarts struct {
	client.Client
	err     error
	started bool
	blind   bool
	land    func(context.Context) (client.WorkflowRun, error)
}

func (f *flakyStarts) ExecuteWorkflow(ctx context.Context, o client.StartWorkflowOptions, wf any, args ...any) (client.WorkflowRun, error) {
	switch {
	case f.started && f.blind:
		f.land = func(ctx context.Context) (client.WorkflowRun, error) {
			return f.Client.ExecuteWorkflow(ctx, o, wf, args...)
		}
	case f.started:
		if _, err := f.Client.ExecuteWorkflow(ctx, o, wf, args...); err != nil {
			return nil, err
		}
	}
	return nil, f.err
}

func (f *flakyStarts) DescribeWorkflowExecution(ctx context.Context, id, run string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	if f.blind {
		return nil, serviceerror.NewUnavailable("temporal is away")
	}
	return f.Client.DescribeWorkflowExecution(ctx, id, run)
}

// A contract's number is committed before its workflow starts, with no
// lock held across the start: a start that fails voids the number (作废:
// no draft left, listed, never given out again), a start whose answer was
// lost is the contract it started, and one Temporal cannot tell about
// stays pending until the reconciliation settles it.
func TestFailedStartsVoidTheirNumbers(t *testing.T) {
	testenv.RequireIntegration(t)
	ctx := context.Background()
	s := testenv.NewStack(t, testenv.TemporalAddress())
	sales := devstack.DemoUsers[0]
	in := serviceDraft()
	flaky := &flakyStarts{Client: s.Temporal, err: serviceerror.NewUnavailable("temporal is away")}
	svc := contracts.New(s.Store, flaky, s.TaskQueue, s.Loc, "示例科技有限公司")

	_, err := svc.Create(ctx, sales, "", in)
	require.ErrorIs(t, err, domain.ErrUnavailable)
	voids, err := s.Store.VoidedNumbers(ctx, 10)
	require.NoError(t, err)
	require.Len(t, voids, 1)
	void := voids[0].Number
	_, err = s.Store.Contract(ctx, void)
	assert.ErrorIs(t, err, domain.ErrNotFound, "a void number leaves no draft")

	flaky.started = true
	lost, err := svc.Create(ctx, sales, "", in)
	require.NoError(t, err, "the workflow runs although its start's answer was lost")
	assert.Equal(t, domain.StatusDraft, lost.Status)
	assert.Greater(t, lost.Contract.Number, void)

	// Temporal cannot say whether the start went through, and it did: the
	// number is void all the same, and the run it started fails at its
	// first record instead of bringing the draft back.
	flaky.started, flaky.blind = true, true
	_, err = svc.Create(ctx, sales, "", in)
	require.ErrorIs(t, err, domain.ErrUnavailable)
	voids, err = s.Store.VoidedNumbers(ctx, 10)
	require.NoError(t, err)
	require.Len(t, voids, 2)
	unseen := voids[0].Number
	require.NotNil(t, flaky.land)
	run, err := flaky.land(ctx)
	require.NoError(t, err)
	assert.Equal(t, workflows.ContractWorkflowID(unseen), run.GetID())
	waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var failed *temporal.WorkflowExecutionError
	require.ErrorAs(t, run.Get(waitCtx, nil), &failed)
	_, err = s.Store.Contract(ctx, unseen)
	assert.ErrorIs(t, err, domain.ErrNotFound, "the void number's run recorded nothing")

	// A process that stopped between its commit and its start leaves the
	// start pending; the reconciliation voids it, as no workflow runs.
	res, err := s.Store.CreateDraft(ctx, 2026, sales.ID, "key-1", func(number string) (store.Draft, error) {
		c := domain.Contract{Number: number, Title: "停在提交之后", OwnerID: sales.ID, OwnerName: sales.Name,
			Amount: 1, Currency: "CNY", StartDate: "2026-01-01", EndDate: "2026-12-31", ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now().UTC()}
		created, _ := workflows.Created(c)
		return store.Draft{Contract: c, Created: created}, nil
	}, func(store.Draft) (json.RawMessage, error) { return json.RawMessage(`{}`), nil })
	require.NoError(t, err)
	pending, err := s.Store.PendingStarts(ctx, farFuture, 10)
	require.NoError(t, err)
	assert.Equal(t, []string{res.Number}, pending)
	healthy := contracts.New(s.Store, s.Temporal, s.TaskQueue, s.Loc, "示例科技有限公司")
	rec := &worker.Reconciler{Store: pendingNow{s.Store}, Client: s.Temporal, TaskQueue: s.TaskQueue, Starts: healthy, Logger: testenv.Logger()}
	rep, err := rec.Run(ctx)
	require.NoError(t, err)
	assert.Empty(t, rep.Drift, "a void number is not drift")
	pending, err = s.Store.PendingStarts(ctx, farFuture, 10)
	require.NoError(t, err)
	assert.Empty(t, pending)

	// Auditors see every void number, newest first, with why.
	var list struct {
		Items []struct {
			Number  string `json:"number"`
			Reason  string `json:"reason"`
			OwnerID string `json:"owner_id"`
		} `json:"items"`
	}
	require.NoError(t, json.Unmarshal([]byte(get(t, s.URL+"/v1/contract-numbers/voided", s.Tokens["auditor"])), &list))
	require.Len(t, list.Items, 3)
	assert.Equal(t, []string{res.Number, unseen, void}, []string{list.Items[0].Number, list.Items[1].Number, list.Items[2].Number})
	assert.Contains(t, list.Items[2].Reason, "the workflow could not be started")
	assert.Contains(t, list.Items[0].Reason, "never started")
	assert.Equal(t, sales.ID, list.Items[0].OwnerID)
	// The next contract takes the next number; none is given out twice.
	next, err := healthy.Create(ctx, sales, "key-1", in)
	require.NoError(t, err, "the pending key was released with its void number")
	assert.Greater(t, next.Contract.Number, list.Items[0].Number)
	req, err := http.NewRequest(http.MethodGet, s.URL+"/v1/contract-numbers/voided", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+s.Tokens["sales"])
	refused, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	refused.Body.Close()
	assert.Equal(t, http.StatusForbidden, refused.StatusCode, "sales do not see the void numbers")
}

// farFuture is a bound every pending start is older than.
var farFuture = time.Now().Add(24 * time.Hour)

// pendingNow is the store with every pending start past its grace, so the
// reconciliation settles the one this test just left.
type pendingNow struct{ *store.Store }

func (p pendingNow) PendingStarts(ctx context.Context, _ time.Time, limit int) ([]string, error) {
	return p.Store.PendingStarts(ctx, farFuture, limit)
}

// submitWithStart is the real Temporal client whose contract starts carry
// a submit Update in the same request (update-with-start): the submit is
// in the workflow's first task, as it is when a client submits the moment
// its creation is answered, before the workflow has run.
type submitWithStart struct {
	client.Client
	actor domain.Actor
}

func (c submitWithStart) ExecuteWorkflow(ctx context.Context, o client.StartWorkflowOptions, wf any, args ...any) (client.WorkflowRun, error) {
	start := c.Client.NewWithStartWorkflowOperation(o, wf, args...)
	submit, err := c.Client.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{UpdateName: workflows.UpdateSubmit,
			Args: []any{workflows.SubmitRequest{Actor: c.actor}}, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	if err != nil {
		return nil, err
	}
	if err := submit.Get(ctx, nil); err != nil {
		return nil, err
	}
	return start.Get(ctx)
}

// A creation is answered once its workflow has started, the draft stored
// as created: an Update that reaches the workflow in its first task, ahead
// of the workflow's own record of the creation, waits for it, so the
// contract's events stay in order and none is lost.
func TestAnUpdateWithTheStartWaitsForTheCreation(t *testing.T) {
	testenv.RequireIntegration(t)
	ctx := context.Background()
	s := testenv.NewStack(t, testenv.TemporalAddress())
	sales := devstack.DemoUsers[0]
	svc := contracts.New(s.Store, submitWithStart{Client: s.Temporal, actor: sales.Actor()}, s.TaskQueue, s.Loc, "示例科技有限公司")
	created, err := svc.Create(ctx, sales, "", serviceDraft())
	require.NoError(t, err)
	assert.Equal(t, domain.StatusDraft, created.Status, "the answer is the creation")
	assert.Equal(t, 1, created.EventSeq)

	// The submit has answered: it is recorded after the creation.
	number := created.Contract.Number
	events, err := s.Store.Events(ctx, number)
	require.NoError(t, err)
	var kinds []string
	for i, e := range events {
		kinds = append(kinds, e.Kind)
		assert.Equal(t, i+1, e.Seq)
	}
	assert.Equal(t, []string{domain.EventCreated, domain.EventSubmitted}, kinds)
	row, err := s.Store.Contract(ctx, number)
	require.NoError(t, err)
	assert.Equal(t, domain.StatusInReview, row.Status)
}
