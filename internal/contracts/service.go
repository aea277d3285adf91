// Package contracts is the application service behind the API: it checks
// who may see a contract, starts contract workflows and delivers people's
// decisions to them as Workflow Updates, and reads the PostgreSQL projection.
package contracts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/policy"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/workflows"
)

// Store is the part of the PostgreSQL store the service reads.
type Store interface {
	CreateDraft(ctx context.Context, year int, ownerID, requestKey string, build func(string) (store.Draft, error), start func(store.Draft) (json.RawMessage, error)) (store.Reservation, error)
	StartConfirmed(ctx context.Context, number string) error
	VoidNumber(ctx context.Context, number, reason string) (bool, error)
	Customer(ctx context.Context, id string) (store.Customer, error)
	Contacts(ctx context.Context, customerID string) ([]store.Contact, error)
	Product(ctx context.Context, id string) (store.Product, error)
	Template(ctx context.Context, id string, version int) (document.Template, error)
	CurrentTemplate(ctx context.Context, id string) (document.Template, error)
	TemplateRetirements(ctx context.Context, id string) ([]store.TemplateRetirement, error)
	LineItems(ctx context.Context, number string) ([]store.LineItem, error)
	Document(ctx context.Context, number string) (store.StoredDocument, error)
	// SignedPDF is a version's signed PDF, domain.ErrNotFound until its
	// round completes.
	SignedPDF(ctx context.Context, number string, version int) (store.SignedPDF, error)
	Contract(ctx context.Context, number string) (store.ContractRow, error)
	ListContracts(ctx context.Context, f store.ContractFilter) ([]store.ContractRow, error)
	Events(ctx context.Context, number string) ([]domain.Event, error)
	RecentEvents(ctx context.Context, owners []string, limit int) ([]domain.Event, error)
	Tasks(ctx context.Context, number string) ([]domain.ApprovalTask, error)
	TaskRound(ctx context.Context, id string) (string, int, error)
	WithdrawnTask(ctx context.Context, id string) (string, bool, error)
	HoldsOpenStep(ctx context.Context, number, userID string) (bool, error)
	Signatures(ctx context.Context, number string) ([]domain.Signature, error)
	User(ctx context.Context, id string) (domain.User, error)
	ContractExternalIDs(ctx context.Context, number string) ([]domain.ExternalID, error)
	SetContractExternalID(ctx context.Context, number string, x domain.ExternalID) error
}

// Service runs contract use cases.
type Service struct {
	store       Store
	attachments AttachmentStore
	versions    VersionsStore
	asOf        AsOfStore
	books       BooksStore
	temporal    client.Client
	// wf is the typed client every start, Update and query goes through.
	wf        workflows.Client
	taskQueue string
	loc       *time.Location
	company   string
	now       func() time.Time
}

// New returns a service that starts workflows on taskQueue, ends contract
// terms at midnight in loc and names company as our party in documents.
func New(st interface {
	Store
	AttachmentStore
	VersionsStore
	AsOfStore
	BooksStore
}, tc client.Client, taskQueue string, loc *time.Location, company string) *Service {
	return &Service{store: st, attachments: st, versions: st, asOf: st, books: st, temporal: tc, wf: workflows.Client{Temporal: tc}, taskQueue: taskQueue, loc: loc, company: company, now: time.Now}
}

// View is one contract as its readers see it: the recorded row, every
// approval task and signature, and the workflow's live state.
type View struct {
	Contract   store.ContractRow     `json:"contract"`
	LineItems  []store.LineItem      `json:"line_items"`
	Tasks      []domain.ApprovalTask `json:"tasks"`
	Signatures []domain.Signature    `json:"signatures"`
	// ExternalIDs are the keys other systems know the contract by.
	ExternalIDs []domain.ExternalID      `json:"external_ids"`
	Live        *workflows.ContractState `json:"live"`
	// Round is the review round under way: where the contract waits, on
	// whom and since when.
	Round *workflows.ApprovalState `json:"round,omitempty"`
	// Signing is the signing round under way: who has signed, who is next.
	Signing *workflows.SigningState `json:"signing,omitempty"`
	// LiveError says why the live state is missing (Temporal unreachable);
	// the recorded row is still served.
	LiveError string `json:"live_error,omitempty"`
}

// visible returns the contract row if u may read it: their own, their
// team's, every contract for a role that reads them all, or one on which
// they hold an open step: an approval task, or the company's signature as
// the signatory the sender chose (a step is a grant: whoever must decide
// or sign may read what they commit to while the step is open, whatever
// their role). This is the one place that grant is made. A contract u may not see is reported
// as not found, so its existence stays private.
func (s *Service) visible(ctx context.Context, u domain.User, number string) (store.ContractRow, error) {
	row, err := s.row(ctx, number)
	if err != nil || u.Sees(row.OwnerID) {
		return row, err
	}
	held, err := s.store.HoldsOpenStep(ctx, number, u.ID)
	if err != nil {
		return store.ContractRow{}, err
	}
	if !held {
		return store.ContractRow{}, domain.ErrNotFound
	}
	return row, nil
}

// managed returns the contract row if u may act on it: their own, their
// team's, or any for a role that reads every contract. An open task grants
// reading the contract and deciding that task, never changing the
// contract, so every other write goes through this check, not visible.
func (s *Service) managed(ctx context.Context, u domain.User, number string) (store.ContractRow, error) {
	row, err := s.row(ctx, number)
	if err == nil && !u.Sees(row.OwnerID) {
		return store.ContractRow{}, domain.ErrNotFound
	}
	return row, err
}

// row reads the contract's recorded row; a malformed number is not found.
func (s *Service) row(ctx context.Context, number string) (store.ContractRow, error) {
	if !domain.ValidContractNumber(number) {
		return store.ContractRow{}, domain.ErrNotFound
	}
	row, err := s.store.Contract(ctx, number)
	if err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return store.ContractRow{}, domain.ErrNotFound
		}
		return store.ContractRow{}, err
	}
	return row, nil
}

// Get returns one contract with its live state.
func (s *Service) Get(ctx context.Context, u domain.User, number string) (View, error) {
	row, err := s.visible(ctx, u, number)
	if err != nil {
		return View{}, err
	}
	v := View{Contract: row}
	if v.LineItems, err = s.store.LineItems(ctx, number); err != nil {
		return View{}, err
	}
	if v.Tasks, err = s.store.Tasks(ctx, number); err != nil {
		return View{}, err
	}
	if v.Signatures, err = s.store.Signatures(ctx, number); err != nil {
		return View{}, err
	}
	if v.ExternalIDs, err = s.store.ContractExternalIDs(ctx, number); err != nil {
		return View{}, err
	}
	state, err := s.LiveState(ctx, number)
	if err != nil {
		v.LiveError = "live state unavailable: the workflow could not be queried"
		return v, nil
	}
	v.Live = &state
	if state.RoundWorkflowID != "" {
		var round workflows.ApprovalState
		if s.wf.Query(ctx, state.RoundWorkflowID, workflows.QueryApprovalState, &round) == nil {
			v.Round = &round
		}
	}
	if state.SigningWorkflowID != "" {
		var round workflows.SigningState
		if s.wf.Query(ctx, state.SigningWorkflowID, workflows.QuerySigningState, &round) == nil {
			v.Signing = &round
		}
	}
	return v, nil
}

// ExternalIDInput is a contract's ID in another system.
type ExternalIDInput struct {
	ExternalID string `json:"external_id" validate:"required,external_id"`
}

// SetExternalID gives a contract its ID in source (replacing the one it
// had there), for whoever may act on the contract: what a finance system
// or CRM that keeps its own contract numbers calls. It answers the
// contract's external IDs.
func (s *Service) SetExternalID(ctx context.Context, u domain.User, number, source string, in ExternalIDInput) ([]domain.ExternalID, error) {
	verr := &domain.ValidationError{}
	if !domain.ValidExternalSource(source) {
		verr.Add("source", domain.ExternalSourceRule)
	}
	if !domain.ValidExternalID(in.ExternalID) {
		verr.Add("external_id", domain.ExternalIDRule)
	}
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	if _, err := s.managed(ctx, u, number); err != nil {
		return nil, err
	}
	err := s.store.SetContractExternalID(ctx, number, domain.ExternalID{Source: source, ID: in.ExternalID})
	if store.TakenKey(err) == store.ExternalIDTaken {
		return nil, &domain.Refusal{Kind: domain.RefusedConflict, Message: "external ID " + in.ExternalID + " of " + source + " is already another contract's"}
	}
	if err != nil {
		return nil, err
	}
	return s.store.ContractExternalIDs(ctx, number)
}

// LiveState queries the contract workflow for its state.
func (s *Service) LiveState(ctx context.Context, number string) (workflows.ContractState, error) {
	var state workflows.ContractState
	err := s.wf.Query(ctx, workflows.ContractWorkflowID(number), workflows.QueryState, &state)
	return state, err
}

// Events returns a contract's recorded transitions.
func (s *Service) Events(ctx context.Context, u domain.User, number string) ([]domain.Event, error) {
	if _, err := s.visible(ctx, u, number); err != nil {
		return nil, err
	}
	events, err := s.store.Events(ctx, number)
	if err != nil {
		return nil, err
	}
	return events, nil
}

// RecentEvents returns the newest events of the contracts u sees as
// their own, their team's or everyone's (not those an open task lends
// them), newest first.
func (s *Service) RecentEvents(ctx context.Context, u domain.User, limit int) ([]domain.Event, error) {
	events, err := s.store.RecentEvents(ctx, u.Owners(), limit)
	if err != nil {
		return nil, err
	}
	return events, nil
}

// ListInput filters and pages a contract list.
type ListInput struct {
	Status   string `form:"status" validate:"omitempty,contract_status"`
	Owner    string `form:"owner" validate:"max=100"`
	Customer string `form:"customer" validate:"max=200"`
	Cursor   string `form:"cursor" validate:"omitempty,contract_number"`
	Limit    int    `form:"limit" validate:"omitempty,min=1,max=200"`
}

// Page is one page of a list and the cursor of the next, if any.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// DefaultPageSize is the page size when a list request names none.
const DefaultPageSize = 50

// List returns the contracts u may see, filtered, newest first.
func (s *Service) List(ctx context.Context, u domain.User, in ListInput) (Page[store.ContractRow], error) {
	f := store.ContractFilter{Status: domain.Status(in.Status), OwnerID: in.Owner, Customer: in.Customer, After: in.Cursor, Limit: in.Limit}
	if f.Limit == 0 {
		f.Limit = DefaultPageSize
	}
	if f.OwnerID != "" && !u.Sees(f.OwnerID) {
		return Page[store.ContractRow]{Items: []store.ContractRow{}}, nil
	}
	f.Owners = u.Owners()
	rows, err := s.store.ListContracts(ctx, f)
	if err != nil {
		return Page[store.ContractRow]{}, err
	}
	page := Page[store.ContractRow]{Items: rows}
	if page.Items == nil {
		page.Items = []store.ContractRow{}
	}
	if len(rows) == f.Limit {
		page.NextCursor = rows[len(rows)-1].Number
	}
	return page, nil
}

// Visible reports domain.ErrNotFound unless u may see the contract.
func (s *Service) Visible(ctx context.Context, u domain.User, number string) error {
	_, err := s.visible(ctx, u, number)
	return err
}

// Submit sends a draft for approval.
func (s *Service) Submit(ctx context.Context, u domain.User, number, requestID string) (workflows.ContractState, error) {
	state, err := s.update(ctx, u, number, requestID, workflows.UpdateSubmit, workflows.SubmitRequest{Actor: u.Actor()})
	if err == nil && state.RoundDirect && state.RoundWorkflowID != "" {
		// Answered once the first tasks are in their approvers' inboxes.
		err = s.wf.AwaitOpened(ctx, state.RoundWorkflowID, requestID)
	}
	return state, err
}

// CancelInput gives the reason for a cancellation.
type CancelInput struct {
	Reason string `json:"reason" validate:"required,max=2000"`
}

// Cancel cancels a contract nobody has signed.
func (s *Service) Cancel(ctx context.Context, u domain.User, number, requestID string, in CancelInput) (workflows.ContractState, error) {
	return s.update(ctx, u, number, requestID, workflows.UpdateCancel, workflows.CancelRequest{Actor: u.Actor(), Reason: in.Reason})
}

// WithdrawInput may say why a submission is taken back.
type WithdrawInput struct {
	Reason string `json:"reason" validate:"max=2000"`
}

// Withdraw takes back a submission waiting on approval: its round closes
// (its open tasks withdrawn) and the contract is a draft again, to edit
// and submit anew.
func (s *Service) Withdraw(ctx context.Context, u domain.User, number, requestID string, in WithdrawInput) (workflows.ContractState, error) {
	return s.update(ctx, u, number, requestID, workflows.UpdateWithdraw, workflows.WithdrawRequest{Actor: u.Actor(), Reason: in.Reason})
}

// DecideInput is an approver's answer; an opinion is required unless approving.
type DecideInput struct {
	Decision domain.Decision `json:"decision" validate:"required,oneof=approve reject request_changes"`
	Opinion  string          `json:"opinion" validate:"max=4000"`
}

// Decide delivers an approval decision to the contract the task belongs to.
func (s *Service) Decide(ctx context.Context, u domain.User, taskID, requestID string, in DecideInput) (workflows.ContractState, error) {
	if !domain.PlausibleKey(taskID) {
		return workflows.ContractState{}, domain.ErrNotFound
	}
	// The round is addressed by what was recorded with the task.
	number, round, err := s.store.TaskRound(ctx, taskID)
	if err != nil {
		return workflows.ContractState{}, err
	}
	if in.Decision != domain.DecisionApprove && strings.TrimSpace(in.Opinion) == "" {
		return workflows.ContractState{}, &domain.ValidationError{Fields: []domain.FieldError{{Field: "opinion", Message: "is required to reject or request changes"}}}
	}
	// A decision that leaves its round open does not move the contract, so
	// its answer is the contract as it stands, read while the decision
	// travels rather than before it: the read costs no time of its own.
	type live struct {
		state workflows.ContractState
		err   error
	}
	standing := make(chan live, 1)
	go func() {
		st, err := s.LiveState(ctx, number)
		standing <- live{st, err}
	}()
	req := workflows.DecideRequest{Actor: u.Actor(), TaskID: taskID, Decision: in.Decision, Opinion: in.Opinion}
	var res workflows.DecideResult
	if err := s.updateRound(ctx, u, number, round, requestID, req, &res); err != nil {
		return workflows.ContractState{}, err
	}
	if res.Contract != nil {
		// The decision closed the round: the round answered once the
		// contract had recorded the outcome.
		return *res.Contract, nil
	}
	if res.Round.Outcome != "" && res.Round.DirectClose {
		// The decision closed a round that reports by completing: the
		// contract answers once it has applied the outcome. The decision
		// has landed; a retry under the same request ID waits again.
		return s.wf.AwaitRound(ctx, number, workflows.ApprovalWorkflowID(number, round), requestID)
	}
	before := <-standing
	if before.err != nil {
		// The decision has landed: read once more rather than answer 503
		// for it; a retry under the same request ID is answered as well.
		before.state, before.err = s.LiveState(ctx, number)
	}
	return before.state, before.err
}

// VisibleRow returns the contract's recorded row if u may read it (an
// open task on it included), else domain.ErrNotFound (its existence stays
// private).
func (s *Service) VisibleRow(ctx context.Context, u domain.User, number string) (store.ContractRow, error) {
	return s.visible(ctx, u, number)
}

// ManagedRow returns the contract's recorded row if u may act on it (an
// open task alone does not let them), else domain.ErrNotFound.
func (s *Service) ManagedRow(ctx context.Context, u domain.User, number string) (store.ContractRow, error) {
	return s.managed(ctx, u, number)
}

// UpdateContract delivers an Update to the contract's workflow after the
// same visibility check every other call makes.
func (s *Service) UpdateContract(ctx context.Context, u domain.User, number, requestID, name string, arg any) (workflows.ContractState, error) {
	return s.update(ctx, u, number, requestID, name, arg)
}

// Company is our party's name as documents show it.
func (s *Service) Company() string { return s.company }

// update delivers one decision to a contract workflow and waits for its
// verdict. requestID is the UpdateID, so a retried request is applied once.
func (s *Service) update(ctx context.Context, u domain.User, number, requestID, name string, arg any) (workflows.ContractState, error) {
	row, err := s.managed(ctx, u, number)
	if err != nil {
		return workflows.ContractState{}, err
	}
	var state workflows.ContractState
	err = s.updateWorkflow(ctx, workflows.ContractWorkflowID(number), requestID, name, arg, &state)
	if errors.Is(err, domain.ErrNotFound) {
		// The row exists, so the workflow has finished: nothing can change.
		return state, &domain.Refusal{Kind: domain.RefusedConflict, Message: fmt.Sprintf("contract is %s; nothing more can change", row.Status)}
	}
	return state, err
}

// updateRound delivers a decision to a review round's workflow: from
// someone who may read the contract (its task's holder may), and never
// from its owner or drafter, who approve nothing of their own even when a
// task is open to every holder of a role they have.
func (s *Service) updateRound(ctx context.Context, u domain.User, number string, round int, requestID string, req workflows.DecideRequest, res *workflows.DecideResult) error {
	row, err := s.visible(ctx, u, number)
	if err != nil {
		return err
	}
	if (policy.Parties{Owner: row.OwnerID, Drafter: row.CreatedBy}).Include(u.ID) {
		return &domain.Refusal{Kind: domain.RefusedForbidden, Message: fmt.Sprintf("nobody approves their own contract: you are the owner or drafter of %s", number)}
	}
	err = s.updateWorkflow(ctx, workflows.ApprovalWorkflowID(number, round), requestID, workflows.UpdateDecide, req, res)
	if errors.Is(err, domain.ErrNotFound) {
		// The round has ended; a withdrawn task says so, with why.
		if reason, withdrawn, werr := s.store.WithdrawnTask(ctx, req.TaskID); werr == nil && withdrawn {
			return &domain.Refusal{Kind: domain.RefusedConflict, Message: workflows.WithdrawnTaskMessage(req.TaskID, reason)}
		}
		return &domain.Refusal{Kind: domain.RefusedConflict, Message: fmt.Sprintf("review round %d of %s is closed", round, number)}
	}
	return err
}

// updateWorkflow sends an Update and reads its verdict into result.
func (s *Service) updateWorkflow(ctx context.Context, workflowID, requestID, name string, arg, result any) error {
	return s.wf.Update(ctx, workflowID, requestID, name, arg, result)
}

// unavailable marks an infrastructure failure: the API answers 503.
func unavailable(err error) error {
	return fmt.Errorf("%w: %w", domain.ErrUnavailable, err)
}
