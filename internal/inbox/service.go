// Package inbox is the application service of the approval engine:
// policies and risk rules as admins keep them, delegations, the approver's
// inbox with what changed since they last looked, and why a contract took
// the route it did.
package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/policy"
	"github.com/signet-clm/signet/internal/store"
)

// Store is what the approval service reads and writes.
type Store interface {
	SavePolicy(ctx context.Context, p policy.Policy, createdBy string) (policy.Policy, error)
	Policy(ctx context.Context, id string, version int) (policy.Policy, error)
	Policies(ctx context.Context) ([]policy.Policy, error)
	SaveRiskRules(ctx context.Context, rules []policy.RiskRule, createdBy string) (int, error)
	RiskRules(ctx context.Context) ([]policy.RiskRule, int, error)
	AddDelegation(ctx context.Context, d store.Delegation) error
	Delegations(ctx context.Context, userID string) ([]store.Delegation, error)
	Delegation(ctx context.Context, id string) (store.Delegation, error)
	RevokeDelegation(ctx context.Context, id string) (store.Delegation, error)
	Account(ctx context.Context, id string) (store.Account, error)
	Inbox(ctx context.Context, f store.InboxFilter) ([]store.InboxTask, error)
	InboxCounts(ctx context.Context, userID string, roles []domain.Role, owners []string, now time.Time) (map[string]int, error)
	InboxTask(ctx context.Context, id string, now time.Time) (store.InboxTask, error)
	Rounds(ctx context.Context, number string) ([]store.Round, error)
	Tasks(ctx context.Context, number string) ([]domain.ApprovalTask, error)
	DocumentVersion(ctx context.Context, number string, version int) (store.StoredDocument, error)
	CurrentTemplate(ctx context.Context, id string) (document.Template, error)
}

// Contracts decides who may read a contract (the contracts service): a
// task's reader must be able to read its contract, which holding the task
// open allows.
type Contracts interface {
	VisibleRow(ctx context.Context, u domain.User, number string) (store.ContractRow, error)
}

// Service runs the approval engine's use cases.
type Service struct {
	store     Store
	contracts Contracts
	now       func() time.Time
}

// New returns the service over st, reading contracts through cs.
func New(st Store, cs Contracts) *Service { return &Service{store: st, contracts: cs, now: time.Now} }

// problems turns "field: message" lines into a validation error.
func problems(lines []string) error {
	verr := &domain.ValidationError{}
	for _, p := range lines {
		field, msg, _ := strings.Cut(p, ": ")
		verr.Add(field, msg)
	}
	return verr.OrNil()
}

// SavePolicy stores a new version of a policy (admins only). Contracts in
// review keep the version their round started with.
func (s *Service) SavePolicy(ctx context.Context, u domain.User, p policy.Policy) (policy.Policy, error) {
	if err := problems(p.Check()); err != nil {
		return policy.Policy{}, err
	}
	saved, err := s.store.SavePolicy(ctx, p, u.ID)
	if err != nil {
		return policy.Policy{}, err
	}
	return saved, nil
}

// Policies lists the newest version of every approval policy, the
// built-in default among them until an admin saves their own under its ID.
func (s *Service) Policies(ctx context.Context) ([]policy.Policy, error) {
	list, err := s.store.Policies(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(list, func(p policy.Policy) bool { return p.ID == policy.DefaultPolicyID }) {
		list = append([]policy.Policy{policy.DefaultPolicy()}, list...)
		slices.SortFunc(list, func(a, b policy.Policy) int { return strings.Compare(a.ID, b.ID) })
	}
	return list, nil
}

// Policy returns a policy version (the newest for version 0); the default
// policy is the built-in one until an admin saves a version.
func (s *Service) Policy(ctx context.Context, id string, version int) (policy.Policy, error) {
	p, err := s.store.Policy(ctx, id, version)
	if errors.Is(err, domain.ErrNotFound) && id == policy.DefaultPolicyID && version == 0 {
		return policy.DefaultPolicy(), nil
	}
	if err != nil {
		return policy.Policy{}, err
	}
	return p, nil
}

// SampleContract is a contract as a route preview imagines it: the facts
// a policy's conditions and the risk rules read.
type SampleContract struct {
	// Amount is in major units of Currency.
	Amount           int64  `json:"amount" validate:"gte=0,lte=1000000000000"`
	Currency         string `json:"currency" validate:"required,len=3"`
	TemplateID       string `json:"template_id" validate:"max=64"`
	MaxDiscountBP    int    `json:"max_discount_bp" validate:"gte=0,lte=10000"`
	PaymentTermsDays *int64 `json:"payment_terms_days" validate:"omitempty,gte=0,lte=3650"`
	NonStandard      int    `json:"non_standard" validate:"gte=0,lte=100"`
}

// PreviewRoute is the route a sample contract would take through p, as
// typed and unsaved (checked as SavePolicy checks it), with the current
// risk rules: the policy editor's preview (admins).
func (s *Service) PreviewRoute(ctx context.Context, u domain.User, p policy.Policy, c SampleContract) (policy.Route, error) {
	if !u.Actor().Has(domain.RoleAdmin) {
		return policy.Route{}, domain.ErrForbidden
	}
	if err := problems(p.Check()); err != nil {
		return policy.Route{}, err
	}
	rules, _, err := s.store.RiskRules(ctx)
	if err != nil {
		return policy.Route{}, err
	}
	f := policy.Facts{Amount: domain.MinorUnits(c.Amount, c.Currency), Currency: c.Currency, TemplateID: c.TemplateID,
		MaxDiscountBP: c.MaxDiscountBP, NonStandard: c.NonStandard, Fields: map[string]json.RawMessage{}}
	if c.TemplateID != "" {
		// The template's clauses and sample text, so clause and phrase
		// checks read a document rather than nothing.
		t, err := s.store.CurrentTemplate(ctx, c.TemplateID)
		if errors.Is(err, domain.ErrNotFound) {
			return policy.Route{}, domain.InvalidField("template_id", "no template in use has this ID")
		}
		if err != nil {
			return policy.Route{}, err
		}
		d, _, err := document.Sample(t)
		if err != nil {
			return policy.Route{}, err
		}
		f.Text = d.Text
		for _, rc := range d.Clauses {
			f.Clauses = append(f.Clauses, rc.ID)
		}
	}
	if c.PaymentTermsDays != nil {
		f.Fields["payment_terms_days"] = json.RawMessage(strconv.FormatInt(*c.PaymentTermsDays, 10))
	}
	return policy.Plan(p, f, policy.Assess(rules, f)), nil
}

// RiskRules is the rule set as clients see and send it.
type RiskRules struct {
	Version int               `json:"version"`
	Rules   []policy.RiskRule `json:"rules" validate:"max=200,dive"`
}

// SaveRiskRules replaces the rule set with a new version (admin, legal).
func (s *Service) SaveRiskRules(ctx context.Context, u domain.User, in RiskRules) (RiskRules, error) {
	if in.Rules == nil {
		in.Rules = []policy.RiskRule{} // an empty set clears every rule
	}
	var lines []string
	ids := map[string]bool{}
	for i, r := range in.Rules {
		for _, m := range r.Check() {
			lines = append(lines, fmt.Sprintf("rules[%d].%s", i, m))
		}
		if ids[r.ID] {
			lines = append(lines, fmt.Sprintf("rules[%d].id: is used twice", i))
		}
		ids[r.ID] = true
	}
	if err := problems(lines); err != nil {
		return RiskRules{}, err
	}
	v, err := s.store.SaveRiskRules(ctx, in.Rules, u.ID)
	if err != nil {
		return RiskRules{}, err
	}
	return RiskRules{Version: v, Rules: in.Rules}, nil
}

// CurrentRiskRules returns the rule set in force.
func (s *Service) CurrentRiskRules(ctx context.Context) (RiskRules, error) {
	rules, v, err := s.store.RiskRules(ctx)
	if err != nil {
		return RiskRules{}, err
	}
	return RiskRules{Version: v, Rules: rules}, nil
}

// DelegationInput names a delegate for a date range. UserID is the caller
// unless an admin sets it for someone else.
type DelegationInput struct {
	UserID     string `json:"user_id" validate:"max=100"`
	DelegateID string `json:"delegate_id" validate:"required,max=100"`
	StartsOn   string `json:"starts_on" validate:"required,date"`
	EndsOn     string `json:"ends_on" validate:"required,date"`
}

// Delegate records a delegation: tasks created in the range go to the
// delegate, marked as delegated. The delegate must be active and hold
// every role the delegator holds, so a delegation lends a role's decisions
// only to someone who could take them anyway; assignment checks again
// against the stage's role (policy.DelegateQualifies).
func (s *Service) Delegate(ctx context.Context, u domain.User, in DelegationInput) (store.Delegation, error) {
	if in.UserID == "" {
		in.UserID = u.ID
	}
	if in.UserID != u.ID && !u.Actor().Has(domain.RoleAdmin) {
		return store.Delegation{}, domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	if in.EndsOn < in.StartsOn {
		verr.Add("ends_on", "must not be before starts_on")
	}
	delegator, err := s.account(ctx, in.UserID)
	if err != nil {
		return store.Delegation{}, err
	}
	if delegator == nil {
		verr.Add("user_id", "no such user")
	}
	switch delegate, err := s.account(ctx, in.DelegateID); {
	case err != nil:
		return store.Delegation{}, err
	case in.DelegateID == in.UserID:
		verr.Add("delegate_id", "must be someone other than the delegator")
	case delegate == nil || !delegate.Active:
		verr.Add("delegate_id", "is not an active user")
	case delegator != nil:
		if missing := missingRoles(delegator.Roles, delegate.Roles); len(missing) > 0 {
			verr.Add("delegate_id", fmt.Sprintf("must hold the delegator's roles; lacks %s", strings.Join(missing, ", ")))
		}
	}
	if err := verr.OrNil(); err != nil {
		return store.Delegation{}, err
	}
	d := store.Delegation{ID: uuid.Must(uuid.NewV7()).String(), UserID: in.UserID, DelegateID: in.DelegateID, StartsOn: in.StartsOn, EndsOn: in.EndsOn}
	if err := s.store.AddDelegation(ctx, d); err != nil {
		return store.Delegation{}, err
	}
	return d, nil
}

// account returns the user with id, or nil when there is none.
func (s *Service) account(ctx context.Context, id string) (*store.Account, error) {
	a, err := s.store.Account(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// missingRoles lists the roles of delegator the delegate lacks.
func missingRoles(delegator, delegate []domain.Role) []string {
	var missing []string
	for _, r := range delegator {
		if !policy.DelegateQualifies(r, nil, delegate) {
			missing = append(missing, string(r))
		}
	}
	return missing
}

// Delegations lists the caller's delegations, revoked ones included.
func (s *Service) Delegations(ctx context.Context, u domain.User) ([]store.Delegation, error) {
	ds, err := s.store.Delegations(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return ds, nil
}

// RevokeDelegation revokes a delegation of the caller's (any, for an
// admin): it redirects no task created from now on; tasks it already
// redirected stay with the delegate. Someone else's delegation is not
// found; revoking twice changes nothing.
func (s *Service) RevokeDelegation(ctx context.Context, u domain.User, id string) error {
	if uuid.Validate(id) != nil {
		return domain.ErrNotFound
	}
	d, err := s.store.Delegation(ctx, id)
	if err != nil {
		return err
	}
	if d.UserID != u.ID && !u.Actor().Has(domain.RoleAdmin) {
		return domain.ErrNotFound
	}
	_, err = s.store.RevokeDelegation(ctx, id)
	return err
}

// InboxQuery filters the caller's tasks.
type InboxQuery struct {
	Status   string `form:"status" validate:"omitempty,oneof=open approved rejected changes_requested cancelled withdrawn"`
	Contract string `form:"contract" validate:"omitempty,contract_number"`
	Overdue  bool   `form:"overdue"`
	Limit    int    `form:"limit" validate:"omitempty,min=1,max=500"`
}

// Inbox is the caller's tasks and how many they have in each status.
type Inbox struct {
	Items  []store.InboxTask `json:"items"`
	Counts map[string]int    `json:"counts"`
}

// Inbox lists the caller's tasks (open ones by default).
func (s *Service) Inbox(ctx context.Context, u domain.User, q InboxQuery) (Inbox, error) {
	if q.Status == "" {
		q.Status = string(domain.TaskOpen)
	}
	if q.Limit == 0 {
		q.Limit = 100
	}
	now := s.now()
	// A task assigned to nobody waits for the holders of its role who may
	// see the contract; one assigned to the caller is theirs to read.
	items, err := s.store.Inbox(ctx, store.InboxFilter{UserID: u.ID, Roles: u.Roles, Owners: u.Owners(), Status: domain.TaskStatus(q.Status),
		Contract: q.Contract, Overdue: q.Overdue, Now: now, Limit: q.Limit})
	if err != nil {
		return Inbox{}, err
	}
	counts, err := s.store.InboxCounts(ctx, u.ID, u.Roles, u.Owners(), now)
	if err != nil {
		return Inbox{}, err
	}
	if items == nil {
		items = []store.InboxTask{}
	}
	return Inbox{Items: items, Counts: counts}, nil
}

// TaskDetail is one task as its approver reads it: the task and contract,
// the round's risk findings and route, and what changed in the document
// since the last version this approver saw.
type TaskDetail struct {
	Task     store.InboxTask       `json:"task"`
	Contract store.ContractRow     `json:"contract"`
	Findings []policy.Finding      `json:"findings"`
	Risk     policy.Severity       `json:"risk"`
	Stages   []policy.Stage        `json:"stages"`
	Changes  *Changes              `json:"changes"`
	History  []domain.ApprovalTask `json:"opinions"`
}

// Changes compares the document under review with the one the approver
// last saw, in an earlier round.
type Changes struct {
	SinceRound  int               `json:"since_round"`
	SinceSHA256 string            `json:"since_sha256"`
	Lines       []policy.DiffLine `json:"lines"`
	// Fields and Clauses, for an amendment, compare it with the version
	// in force term by term.
	Fields  []document.FieldChange  `json:"fields,omitempty"`
	Clauses []document.ClauseChange `json:"clauses,omitempty"`
}

// mayRead: the task's approver, a holder of the role of a task assigned to
// nobody, or anyone who may read every contract; and in each case only
// while they may read the contract itself (Task asks the contracts
// service), so a closed task leaves its holder nothing a sales role would
// not see.
func mayRead(u domain.User, t domain.ApprovalTask) bool {
	return t.AssigneeID == u.ID || (t.AssigneeID == "" && u.Actor().Has(t.Role)) || u.SeesAllContracts()
}

// Task returns one task for its approver.
func (s *Service) Task(ctx context.Context, u domain.User, id string) (TaskDetail, error) {
	t, err := s.store.InboxTask(ctx, id, s.now())
	if err != nil {
		return TaskDetail{}, err
	}
	if !mayRead(u, t.ApprovalTask) {
		return TaskDetail{}, domain.ErrNotFound
	}
	d := TaskDetail{Task: t, Findings: []policy.Finding{}, Stages: []policy.Stage{}}
	if d.Contract, err = s.contracts.VisibleRow(ctx, u, t.ContractNumber); err != nil {
		return TaskDetail{}, err
	}
	rounds, err := s.store.Rounds(ctx, t.ContractNumber)
	if err != nil {
		return TaskDetail{}, err
	}
	tasks, err := s.store.Tasks(ctx, t.ContractNumber)
	if err != nil {
		return TaskDetail{}, err
	}
	seen := map[int]bool{} // rounds in which this approver had a task
	for _, o := range tasks {
		if o.AssigneeID == u.ID {
			seen[o.Round] = true
		}
		if o.Status != domain.TaskOpen && o.Status != domain.TaskPending && o.Status != domain.TaskCancelled {
			d.History = append(d.History, o)
		}
	}
	var current, last *store.Round
	for i := range rounds {
		r := &rounds[i]
		if r.Round == t.Round {
			current = r
		} else if r.Round < t.Round && seen[r.Round] {
			last = r
		}
	}
	if current != nil {
		var route policy.Route
		if err := json.Unmarshal(current.Route, &route); err == nil {
			d.Findings, d.Risk, d.Stages = route.Risk.Findings, route.Risk.Level, route.Stages
		}
		if last != nil {
			d.Changes = &Changes{SinceRound: last.Round, SinceSHA256: last.DocumentSHA256,
				Lines: policy.Diff(strings.Split(last.DocumentText, "\n"), strings.Split(current.DocumentText, "\n"))}
		}
		if current.DocumentSHA256 != d.Contract.DocumentSHA256 && d.Contract.Status == domain.StatusActive {
			if err := s.amendmentChanges(ctx, &d, current); err != nil {
				return TaskDetail{}, err
			}
		}
	}
	return d, nil
}

// amendmentChanges shows an amendment's approver what it changes in the
// version in force: its lines, and term by term and clause by clause.
func (s *Service) amendmentChanges(ctx context.Context, d *TaskDetail, round *store.Round) error {
	load := func(v int) (document.Document, store.StoredDocument, error) {
		stored, err := s.store.DocumentVersion(ctx, d.Contract.Number, v)
		if err != nil {
			return document.Document{}, stored, err
		}
		var doc document.Document
		return doc, stored, json.Unmarshal(stored.Content, &doc)
	}
	cur, curStored, err := load(d.Contract.Version)
	if err != nil {
		return err
	}
	next, _, err := load(d.Contract.Version + 1)
	if err != nil {
		return err
	}
	cmp := document.Compare(cur, next)
	if d.Changes == nil {
		d.Changes = &Changes{SinceSHA256: curStored.SHA256,
			Lines: policy.Diff(strings.Split(curStored.Text, "\n"), strings.Split(round.DocumentText, "\n"))}
	}
	d.Changes.Fields, d.Changes.Clauses = cmp.Fields, cmp.Clauses
	return nil
}

// RoundView is one review round explained.
type RoundView struct {
	Round          int                   `json:"round"`
	PolicyID       string                `json:"policy_id"`
	PolicyVersion  int                   `json:"policy_version"`
	DocumentSHA256 string                `json:"document_sha256"`
	Route          policy.Route          `json:"route"`
	Outcome        string                `json:"outcome"`
	StartedAt      time.Time             `json:"started_at"`
	ClosedAt       *time.Time            `json:"closed_at"`
	Decisions      []domain.ApprovalTask `json:"tasks"`
}

// Why explains a contract's approval: for every round, the policy version,
// each rule with the values it saw, the stages added and every task with
// who decided, when and the opinion. Visibility is the caller's to check.
func (s *Service) Why(ctx context.Context, number string) ([]RoundView, error) {
	rounds, err := s.store.Rounds(ctx, number)
	if err != nil {
		return nil, err
	}
	tasks, err := s.store.Tasks(ctx, number)
	if err != nil {
		return nil, err
	}
	views := []RoundView{}
	for _, r := range rounds {
		v := RoundView{Round: r.Round, PolicyID: r.PolicyID, PolicyVersion: r.PolicyVersion, DocumentSHA256: r.DocumentSHA256,
			Outcome: r.Outcome, StartedAt: r.StartedAt, ClosedAt: r.ClosedAt, Decisions: []domain.ApprovalTask{}}
		if err := json.Unmarshal(r.Route, &v.Route); err != nil {
			return nil, err
		}
		for _, t := range tasks {
			if t.Round == r.Round {
				v.Decisions = append(v.Decisions, t)
			}
		}
		views = append(views, v)
	}
	return views, nil
}
