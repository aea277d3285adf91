package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/store"
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

// Lifecycle takes one contract from draft to active: the draft stored as
// created and its workflow started, the submit and decide Updates (each
// task, on the review round's workflow),
// send, and per signer an issue_link and a sign Update on the signing
// round's workflow, with the same arguments the API sends.
func (d *Direct) Lifecycle(ctx context.Context) (string, error) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	sales := actors["demo-sales"]
	var n string
	err := d.timed("create", func() error {
		var started store.Draft
		res, err := d.st.CreateDraft(ctx, now.In(d.loc).Year(), sales.UserID, "", func(number string) (store.Draft, error) {
			dr := d.draft
			dr.Contract.Number, dr.Contract.CreatedAt = number, now
			dr.Created, _ = workflows.Created(dr.Contract)
			return dr, nil
		}, func(dr store.Draft) (json.RawMessage, error) {
			started = dr
			return json.Marshal(workflows.ContractInput{Contract: dr.Contract})
		})
		if err != nil {
			return err
		}
		// As the service does: the start after the commit, then confirmed.
		if _, err := d.tc.ExecuteWorkflow(ctx, workflows.StartOptions(started.Contract, TaskQueue), workflows.ContractWorkflow,
			workflows.ContractInput{Contract: started.Contract}); err != nil {
			return err
		}
		if err := d.st.StartConfirmed(ctx, res.Number); err != nil {
			return err
		}
		n = res.Number
		return nil
	})
	if err != nil {
		return n, err
	}
	id := workflows.ContractWorkflowID(n)
	if err := d.timed("submit", func() error {
		return d.update(ctx, id, "", workflows.UpdateSubmit, workflows.SubmitRequest{Actor: sales}, nil)
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
			return d.update(ctx, round, "", workflows.UpdateDecide, workflows.DecideRequest{
				Actor: actors[task.AssigneeID], TaskID: task.ID, Decision: domain.DecisionApprove, Opinion: "同意"}, nil)
		}); err != nil {
			return n, err
		}
	}
	if err := d.awaitStatus(ctx, id, domain.StatusApproved); err != nil {
		return n, err
	}
	var st workflows.ContractState
	if err := d.timed("send", func() error {
		return d.update(ctx, id, "", workflows.UpdateSend, workflows.SendRequest{Actor: sales, Signers: demoSigners}, &st)
	}); err != nil {
		return n, err
	}
	for i, sg := range demoSigners {
		signer, err := d.signer(ctx, st.SigningWorkflowID, i)
		if err != nil {
			return n, err
		}
		if sg.UserID != "" {
			// The company signer signs signed in, as the API has them.
			if err := d.timed("sign", func() error {
				return d.update(ctx, st.SigningWorkflowID, "", workflows.UpdateSignAsUser, workflows.UserSignRequest{
					Actor: domain.Actor{UserID: sg.UserID, Name: sg.Name, Roles: []domain.Role{domain.RoleExecutive}}, SignerID: signer.ID,
					Consent: true, IP: "127.0.0.1", UserAgent: "signet-harness"}, nil)
			}); err != nil {
				return n, err
			}
			continue
		}
		_, hash, err := eseal.NewToken()
		if err != nil {
			return n, err
		}
		var link workflows.IssuedLink
		if err := d.timed("link", func() error {
			return d.update(ctx, st.SigningWorkflowID, "", workflows.UpdateIssueLink, workflows.IssueLinkRequest{Actor: sales, SignerID: signer.ID, TokenHash: hash}, &link)
		}); err != nil {
			return n, err
		}
		if err := d.timed("sign", func() error {
			return d.update(ctx, st.SigningWorkflowID, "", workflows.UpdateSignerSign, workflows.SignerSignRequest{
				LinkID: link.LinkID, SignerName: signer.Name, Consent: true, IP: "127.0.0.1", UserAgent: "signet-harness"}, nil)
		}); err != nil {
			return n, err
		}
	}
	return n, d.awaitStatus(ctx, id, domain.StatusActive)
}

// demoSigners are who the API picks for a demo contract: our first
// executive (an account, signing signed in), then the customer's contact
// who may sign (through a link; here one the baseline holds).
var demoSigners = []domain.Signer{
	{Party: domain.PartyCompany, UserID: "demo-executive", Name: "陈静 Chen Jing", Email: "chen.jing@demo.signet.local", Role: "授权代表 / Authorised signatory", Group: 1},
	{Party: domain.PartyCustomer, Name: "王建国", Email: "wang.jianguo@xingchen.example", Role: "采购总监", Group: 2},
}

// signer waits for the signing round to list its i-th signer.
func (d *Direct) signer(ctx context.Context, round string, i int) (workflows.SignerState, error) {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		var st workflows.SigningState
		if ok, err := d.query(ctx, round, workflows.QuerySigningState, &st); err != nil {
			return workflows.SignerState{}, err
		} else if !ok {
			continue
		}
		if len(st.Signers) > i {
			return st.Signers[i], nil
		}
	}
	return workflows.SignerState{}, fmt.Errorf("%s never listed signer %d", round, i+1)
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

// update sends one Update and waits for its result (into result, if set).
func (d *Direct) update(ctx context.Context, workflowID, updateID, name string, arg, result any) error {
	h, err := d.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateID: updateID, UpdateName: name, Args: []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return fmt.Errorf("update %s of %s: %w", name, workflowID, err)
	}
	return h.Get(ctx, result)
}

// openTask waits for the round to open a task, reading its query as the
// API's inbox reads PostgreSQL.
func (d *Direct) openTask(ctx context.Context, round string) (domain.ApprovalTask, error) {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		var st workflows.ApprovalState
		if ok, err := d.query(ctx, round, workflows.QueryApprovalState, &st); err != nil {
			return domain.ApprovalTask{}, err
		} else if !ok {
			continue
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
		var st workflows.ContractState
		if ok, err := d.query(ctx, id, workflows.QueryState, &st); err != nil {
			return err
		} else if !ok {
			continue
		}
		if st.Status == want {
			return nil
		}
	}
	return fmt.Errorf("%s never reached %s", id, want)
}

// query reads a workflow's query into out. ok is false while the workflow
// does not exist yet or its worker is too busy to answer in time; callers
// poll, so both just mean "not yet".
func (d *Direct) query(ctx context.Context, id, name string, out any) (ok bool, err error) {
	v, err := d.tc.QueryWorkflow(ctx, id, "", name)
	var notFound *serviceerror.NotFound
	var late *serviceerror.DeadlineExceeded
	switch {
	case errors.As(err, &notFound), errors.As(err, &late), errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return false, nil
	case err != nil:
		return false, err
	}
	return true, v.Get(out)
}
