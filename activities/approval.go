package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/policy"
	"github.com/signet-clm/signet/internal/store"
)

// ApprovalStore is what the approval activities read and write.
type ApprovalStore interface {
	Document(ctx context.Context, number string) (store.StoredDocument, error)
	DocumentVersion(ctx context.Context, number string, version int) (store.StoredDocument, error)
	Policy(ctx context.Context, id string, version int) (policy.Policy, error)
	RiskRules(ctx context.Context) ([]policy.RiskRule, int, error)
	ResolveApprovers(ctx context.Context, role domain.Role, users []string, day string) ([]domain.Approver, error)
	Managers(ctx context.Context, userIDs []string) ([]domain.Approver, error)
	Rounds(ctx context.Context, number string) ([]store.Round, error)
	StartRound(ctx context.Context, r store.Round) error
	CloseRound(ctx context.Context, number string, round int, outcome string, at time.Time) error
	// SaveTasks writes tasks and, in the same transaction, the notices
	// announcing them.
	SaveTasks(ctx context.Context, tasks []domain.ApprovalTask, notices ...notify.Notice) error
	ContractSummary(ctx context.Context, number string) (notify.ContractSummary, error)
}

// ErrTypeBlocked is the failure type of a submission a risk rule blocks.
const ErrTypeBlocked = "SubmissionBlocked"

// PlanApprovalInput asks for the route of a new review round.
type PlanApprovalInput struct {
	ContractNumber string
	Round          int
	At             time.Time
	// Termination plans a request to terminate rather than a submission.
	Termination bool `json:",omitempty"`
	// Version, when set, is the amendment's version whose document the
	// round reviews; otherwise the current one.
	Version int `json:",omitempty"`
}

// PlanApprovalResult is the chosen route, with the risk assessment in it.
type PlanApprovalResult struct {
	Route policy.Route
}

// PlanApproval runs the risk checks over the contract's document and picks
// the stages from the newest policy (the built-in default until an admin
// saves one), then records the round. A round already recorded keeps the
// route it got, so a retry never re-plans against a newer policy. A
// blocking finding fails with ErrTypeBlocked and records nothing.
func (a *Activities) PlanApproval(ctx context.Context, in PlanApprovalInput) (PlanApprovalResult, error) {
	rounds, err := a.Approvals.Rounds(ctx, in.ContractNumber)
	if err != nil {
		return PlanApprovalResult{}, err
	}
	for _, r := range rounds {
		if r.Round == in.Round {
			var route policy.Route
			if err := json.Unmarshal(r.Route, &route); err != nil {
				return PlanApprovalResult{}, err
			}
			return PlanApprovalResult{Route: route}, nil
		}
	}
	var stored store.StoredDocument
	if in.Version > 0 {
		stored, err = a.Approvals.DocumentVersion(ctx, in.ContractNumber, in.Version)
	} else {
		stored, err = a.Approvals.Document(ctx, in.ContractNumber)
	}
	if err != nil {
		return PlanApprovalResult{}, fmt.Errorf("document of %s: %w", in.ContractNumber, err)
	}
	var doc document.Document
	if err := json.Unmarshal(stored.Content, &doc); err != nil {
		return PlanApprovalResult{}, temporal.NewNonRetryableApplicationError("undecodable document", "BadDocument", err)
	}
	facts := Facts(doc, stored.Text)
	pol, err := a.Approvals.Policy(ctx, policy.DefaultPolicyID, 0)
	if errors.Is(err, domain.ErrNotFound) {
		pol, err = policy.DefaultPolicy(), nil
	}
	if in.Termination {
		pol, err = policy.TerminationPolicy(), nil
	}
	if err != nil {
		return PlanApprovalResult{}, err
	}
	rules, _, err := a.Approvals.RiskRules(ctx)
	if err != nil {
		return PlanApprovalResult{}, err
	}
	risk := policy.Assess(rules, facts)
	// A signed contract's risk findings inform its terminators; they do
	// not stop it being ended.
	if risk.Blocked && !in.Termination {
		return PlanApprovalResult{}, temporal.NewNonRetryableApplicationError(blockedMessage(risk), ErrTypeBlocked, nil, risk)
	}
	route := policy.Plan(pol, facts, risk)
	raw, err := json.Marshal(route)
	if err != nil {
		return PlanApprovalResult{}, err
	}
	if err := a.Approvals.StartRound(ctx, store.Round{ContractNumber: in.ContractNumber, Round: in.Round, PolicyID: pol.ID,
		PolicyVersion: pol.Version, Route: raw, DocumentSHA256: stored.SHA256, DocumentText: stored.Text, StartedAt: in.At}); err != nil {
		return PlanApprovalResult{}, err
	}
	return PlanApprovalResult{Route: route}, nil
}

func blockedMessage(a policy.Assessment) string {
	for _, f := range a.Findings {
		if f.Blocking {
			return "submission blocked: " + f.Message
		}
	}
	return "submission blocked"
}

// Facts are what the risk rules and the policy read from a rendered document.
func Facts(doc document.Document, text string) policy.Facts {
	f := policy.Facts{
		Amount: doc.Input.Totals.Total, Currency: doc.Input.Currency, TemplateID: doc.TemplateID,
		Text: text, Fields: doc.Input.Fields, Clauses: []string{},
	}
	for _, c := range doc.Clauses {
		if c.NonStandard {
			f.NonStandard++
		} else {
			f.Clauses = append(f.Clauses, c.ID)
		}
	}
	for _, l := range doc.Input.Lines {
		f.MaxDiscountBP = max(f.MaxDiscountBP, l.DiscountBP)
	}
	return f
}

// ResolveStageInput asks who decides a stage.
type ResolveStageInput struct {
	Stage policy.Stage
	At    time.Time
}

// ResolveResult are the people who get a task, sorted by ID.
type ResolveResult struct {
	Approvers []domain.Approver
}

// ResolveStage returns a stage's approvers: the active holders of its role
// or its named users, each replaced by a delegate who covers the day.
func (a *Activities) ResolveStage(ctx context.Context, in ResolveStageInput) (ResolveResult, error) {
	day := in.At.In(a.location()).Format(time.DateOnly)
	approvers, err := a.Approvals.ResolveApprovers(ctx, in.Stage.Role, in.Stage.Users, day)
	if err != nil {
		return ResolveResult{}, err
	}
	if len(approvers) == 0 {
		activity.GetLogger(ctx).Warn("stage has no approver; any holder of its role may decide", "stage", in.Stage.Name)
	}
	return ResolveResult{Approvers: approvers}, nil
}

// ResolveEscalationInput asks who a stage escalates to.
type ResolveEscalationInput struct {
	Stage policy.Stage
	// Approvers are the assignees of the stage's open tasks, for a
	// manager escalation.
	Approvers []string
	At        time.Time
}

// ResolveEscalation returns the escalation target: holders of a role, or
// the managers of the open tasks' assignees.
func (a *Activities) ResolveEscalation(ctx context.Context, in ResolveEscalationInput) (ResolveResult, error) {
	var targets []domain.Approver
	var err error
	switch {
	case in.Stage.EscalateTo.Manager:
		targets, err = a.Approvals.Managers(ctx, in.Approvers)
	case in.Stage.EscalateTo.Role != "":
		targets, err = a.Approvals.ResolveApprovers(ctx, in.Stage.EscalateTo.Role, nil, in.At.In(a.location()).Format(time.DateOnly))
	}
	if err != nil {
		return ResolveResult{}, err
	}
	return ResolveResult{Approvers: targets}, nil
}

// SaveTasksInput are tasks whose new state must be recorded; By is who
// changed them (a decision's approver and request), for the audit trail.
type SaveTasksInput struct {
	Tasks []domain.ApprovalTask
	By    audit.Actor `json:",omitzero"`
}

// SaveTasksResult is empty: the tasks are recorded.
type SaveTasksResult struct{}

// SaveTasks records tasks (decisions, reminders, cancellations).
func (a *Activities) SaveTasks(ctx context.Context, in SaveTasksInput) (SaveTasksResult, error) {
	return SaveTasksResult{}, a.saveTasks(acting(ctx, in.By), in.Tasks)
}

// CloseRoundInput records a round's end.
type CloseRoundInput struct {
	ContractNumber string
	Round          int
	Outcome        string
	Tasks          []domain.ApprovalTask
	At             time.Time
	// By is whose decision closed the round, for the audit trail.
	By audit.Actor `json:",omitzero"`
}

// CloseRoundResult is empty: the round is recorded closed.
type CloseRoundResult struct{}

// CloseRound records the round's outcome and its tasks' final state.
func (a *Activities) CloseRound(ctx context.Context, in CloseRoundInput) (CloseRoundResult, error) {
	ctx = acting(ctx, in.By)
	if err := a.saveTasks(ctx, in.Tasks); err != nil {
		return CloseRoundResult{}, err
	}
	return CloseRoundResult{}, a.Approvals.CloseRound(ctx, in.ContractNumber, in.Round, in.Outcome, in.At)
}

func (a *Activities) location() *time.Location {
	if a.Location == nil {
		return time.UTC
	}
	return a.Location
}
