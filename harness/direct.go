package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/signet-clm/signet/config"
	"github.com/signet-clm/signet/devstack"
	"github.com/signet-clm/signet/document"
	"github.com/signet-clm/signet/domain"
	"github.com/signet-clm/signet/store"
	"github.com/signet-clm/signet/workflows"
)

// Direct drives Signet's own workflows with the Temporal client, as the API
// does underneath, but with no HTTP, authentication, service checks or
// inbox reads: the baseline for the API's overhead. The contract row must
// still exist (the workflow records into it), so each lifecycle stores a
// copy of one draft the API rendered, in the same transaction as the
// workflow's start, as the API does.
type Direct struct {
	tc    client.Client
	st    *store.Store
	draft store.Draft
	loc   *time.Location
	Rec   *Recorder
}

// NewDirect renders one draft through the API (c) and keeps it as the
// template of every direct lifecycle.
func (s *Stack) NewDirect(ctx context.Context, c *Client) (*Direct, error) {
	raw, err := c.Call(ctx, "template", http.MethodPost, "/v1/contracts", "sales", ContractBody())
	if err != nil {
		return nil, err
	}
	var created workflows.ContractState
	if err := json.Unmarshal(raw, &created); err != nil {
		return nil, err
	}
	n := created.Contract.Number
	stored, err := s.Store.Document(ctx, n)
	if err != nil {
		return nil, err
	}
	var doc document.Document
	if err := json.Unmarshal(stored.Content, &doc); err != nil {
		return nil, fmt.Errorf("decode document of %s: %w", n, err)
	}
	doc.Text, doc.HTML, doc.SHA256 = stored.Text, stored.HTML, stored.SHA256
	items, err := s.Store.LineItems(ctx, n)
	if err != nil {
		return nil, err
	}
	lines := make([]document.Line, len(items))
	for i, l := range items {
		lines[i] = l.Line
	}
	loc, _ := time.LoadLocation(config.DefaultTimeZone)
	return &Direct{tc: s.Temporal, st: s.Store, loc: loc, Rec: NewRecorder(),
		draft: store.Draft{Contract: created.Contract, Lines: lines, Document: doc}}, nil
}

// actors are the demo users by ID, as the API would resolve their tokens.
var actors = func() map[string]domain.Actor {
	m := map[string]domain.Actor{}
	for _, u := range devstack.DemoUsers {
		m[u.ID] = u.Actor()
	}
	return m
}()

// Lifecycle takes one contract from draft to active: start, the create,
// submit, decide (each task, on the round's workflow), send and two sign
// Updates, with the same arguments the API sends.
func (d *Direct) Lifecycle(ctx context.Context) (string, error) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	sales, exec := actors["demo-sales"], actors["demo-executive"]
	var n string
	err := d.timed("create", func() error {
		number, _, err := d.st.CreateDraft(ctx, now.In(d.loc).Year(), sales.UserID, "", func(number string) (store.Draft, error) {
			dr := d.draft
			dr.Contract.Number, dr.Contract.CreatedAt = number, now
			return dr, nil
		}, func(dr store.Draft) error {
			_, err := d.tc.ExecuteWorkflow(ctx, startOptions(dr.Contract), workflows.ContractWorkflow, workflows.ContractInput{Contract: dr.Contract})
			return err
		})
		if err != nil {
			return err
		}
		n = number
		_, err = d.update(ctx, workflows.ContractWorkflowID(n), "create/"+n, workflows.UpdateCreate, workflows.CreateRequest{Actor: sales})
		return err
	})
	if err != nil {
		return n, err
	}
	id := workflows.ContractWorkflowID(n)
	if err := d.timed("submit", func() error {
		_, err := d.update(ctx, id, "", workflows.UpdateSubmit, workflows.SubmitRequest{Actor: sales})
		return err
	}); err != nil {
		return n, err
	}
	round := workflows.ApprovalWorkflowID(n, 1)
	for range Approvals {
		task, err := d.openTask(ctx, round)
		if err != nil {
			return n, err
		}
		if err := d.timed("decision", func() error {
			_, err := d.update(ctx, round, "", workflows.UpdateDecide, workflows.DecideRequest{
				Actor: actors[task.AssigneeID], TaskID: task.ID, Decision: domain.DecisionApprove, Opinion: "同意"})
			return err
		}); err != nil {
			return n, err
		}
	}
	if err := d.awaitStatus(ctx, id, domain.StatusApproved); err != nil {
		return n, err
	}
	steps := []struct {
		op, name string
		arg      any
	}{
		{"send", workflows.UpdateSend, workflows.SendRequest{Actor: sales}},
		{"sign", workflows.UpdateSign, workflows.SignRequest{Actor: exec, Party: domain.PartyCompany, SignerName: "陈静"}},
		{"sign", workflows.UpdateSign, workflows.SignRequest{Actor: sales, Party: domain.PartyCustomer, SignerName: "王建国", SignerEmail: "wang.jianguo@xingchen.example"}},
	}
	var st workflows.ContractState
	for _, s := range steps {
		if err := d.timed(s.op, func() error {
			var err error
			st, err = d.update(ctx, id, "", s.name, s.arg)
			return err
		}); err != nil {
			return n, err
		}
	}
	if st.Status != domain.StatusActive {
		return n, fmt.Errorf("%s is %s after both signatures", n, st.Status)
	}
	return n, nil
}

func (d *Direct) timed(op string, fn func() error) error {
	start := time.Now()
	err := fn()
	status := http.StatusOK
	if err != nil {
		status = http.StatusServiceUnavailable
	}
	d.Rec.record(op, time.Since(start), status, http.Header{"Retry-After": {"1"}}, nil)
	return err
}

func (d *Direct) update(ctx context.Context, workflowID, updateID, name string, arg any) (workflows.ContractState, error) {
	var st workflows.ContractState
	h, err := d.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateID: updateID, UpdateName: name, Args: []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return st, fmt.Errorf("update %s of %s: %w", name, workflowID, err)
	}
	// A round's decide answers with the round's state; only the contract's
	// updates are read.
	if name == workflows.UpdateDecide {
		return st, h.Get(ctx, nil)
	}
	return st, h.Get(ctx, &st)
}

// openTask waits for the round to open a task, reading its query as the
// API's inbox reads PostgreSQL.
func (d *Direct) openTask(ctx context.Context, round string) (domain.ApprovalTask, error) {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		v, err := d.tc.QueryWorkflow(ctx, round, "", workflows.QueryApprovalState)
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			continue // the round's workflow is still starting
		}
		if err != nil {
			return domain.ApprovalTask{}, err
		}
		var st workflows.ApprovalState
		if err := v.Get(&st); err != nil {
			return domain.ApprovalTask{}, err
		}
		for _, t := range st.Tasks {
			if t.Status == domain.TaskOpen {
				return t, nil
			}
		}
	}
	return domain.ApprovalTask{}, fmt.Errorf("no task opened in %s", round)
}

// awaitStatus waits for the contract to take in its closed round.
func (d *Direct) awaitStatus(ctx context.Context, id string, want domain.Status) error {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		v, err := d.tc.QueryWorkflow(ctx, id, "", workflows.QueryState)
		if err != nil {
			return err
		}
		var st workflows.ContractState
		if err := v.Get(&st); err != nil {
			return err
		}
		if st.Status == want {
			return nil
		}
	}
	return fmt.Errorf("%s never reached %s", id, want)
}

// startOptions mirror the API's: ID, reuse policy and search attributes.
func startOptions(c domain.Contract) client.StartWorkflowOptions {
	endDate, _ := domain.ParseDate(c.EndDate)
	return client.StartWorkflowOptions{
		ID:                       workflows.ContractWorkflowID(c.Number),
		TaskQueue:                TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.SearchContractNumber.ValueSet(c.Number),
			workflows.SearchContractStatus.ValueSet(string(domain.StatusDraft)),
			workflows.SearchCustomerID.ValueSet(c.CustomerID),
			workflows.SearchOwnerID.ValueSet(c.OwnerID),
			workflows.SearchContractAmount.ValueSet(c.Amount),
			workflows.SearchContractEndDate.ValueSet(endDate),
		),
	}
}
