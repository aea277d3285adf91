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
	// Candidates are the active holders of a role or the named users;
	// ManagerChain a user's active managers, nearest first; each with the
	// delegate a delegation names for the day.
	Candidates(ctx context.Context, role domain.Role, users []string, day string) ([]policy.Candidate, error)
	ManagerChain(ctx context.Context, userID, day string) ([]policy.Candidate, error)
	// ContractParties are the contract's owner and drafter, who never
	// approve it.
	ContractParties(ctx context.Context, number string) (policy.Parties, error)
	Rounds(ctx context.Context, number string) ([]store.Round, error)
	StartRound(ctx context.Context, r store.Round) error
	CloseRound(ctx context.Context, number string, round int, outcome string, at time.Time) error
	// SaveTasks writes tasks and, in the same transaction, the notices
	// announcing them.
	SaveTasks(ctx context.Context, tasks []domain.ApprovalTask, notices ...notify.Notice) error
	ContractSummary(ctx context.Context, number string) (notify.ContractSummary, error)
}

// ErrTypeBlocked is the failure type of a submission a risk rule blocks,
// or one with a stage nobody but the contract's owner or drafter could
// decide.
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
	// Every stage must have someone other than the owner and the drafter
	// to decide it, or the submission is refused now, before anything is
	// recorded; the stage resolves again when it opens.
	parties, err := a.Approvals.ContractParties(ctx, in.ContractNumber)
	if err != nil {
		return PlanApprovalResult{}, err
	}
	for _, st := range route.Stages {
		approvers, err := a.stageApprovers(ctx, st, parties, in.At)
		if err != nil {
			return PlanApprovalResult{}, err
		}
		if len(approvers) == 0 {
			msg := fmt.Sprintf("submission refused: nobody may approve stage %q: nobody approves their own contract, "+
				"and no one but its owner or drafter could decide this stage (a manager up the owner's chain, a holder of its role or its escalation target)", st.Name)
			return PlanApprovalResult{}, temporal.NewNonRetryableApplicationError(msg, ErrTypeBlocked, nil, st.Name)
		}
	}
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
		f.MaxDiscountBP = max(f.MaxDiscountBP, l.EffectiveDiscountBP())
	}
	return f
}

// ResolveStageInput asks who decides a stage.
type ResolveStageInput struct {
	// ContractNumber names the contract whose owner and drafter never
	// decide it and whose owner's managers a sales-manager stage goes to.
	ContractNumber string `json:",omitempty"`
	Stage          policy.Stage
	At             time.Time
}

// ResolveResult are the people who get a task: nearest first up a manager
// chain, otherwise by ID.
type ResolveResult struct {
	Approvers []domain.Approver
}

// ResolveStage returns a stage's approvers (policy.StageApprovers): up the
// owner's manager chain for a sales-manager stage, else the active holders
// of its role or its named users, each replaced by a delegate who covers
// the day and holds the stage's role; never the contract's owner or
// drafter. Nobody left (people left since the submission) means one task
// any holder of the role who may see the contract may decide.
func (a *Activities) ResolveStage(ctx context.Context, in ResolveStageInput) (ResolveResult, error) {
	parties, err := a.parties(ctx, in.ContractNumber)
	if err != nil {
		return ResolveResult{}, err
	}
	approvers, err := a.stageApprovers(ctx, in.Stage, parties, in.At)
	if err != nil {
		return ResolveResult{}, err
	}
	if len(approvers) == 0 {
		activity.GetLogger(ctx).Warn("stage has no approver; any holder of its role who may see the contract may decide", "stage", in.Stage.Name)
	}
	return ResolveResult{Approvers: approvers}, nil
}

// parties reads the contract's owner and drafter; a contract number is
// always passed since the workflows pass it, but an input without one
// (none is recorded today) excludes nobody rather than failing the round.
func (a *Activities) parties(ctx context.Context, number string) (policy.Parties, error) {
	if number == "" {
		return policy.Parties{}, nil
	}
	return a.Approvals.ContractParties(ctx, number)
}

// stageApprovers reads the stage's pool from the directory and applies
// the policy's rule to it.
func (a *Activities) stageApprovers(ctx context.Context, st policy.Stage, parties policy.Parties, at time.Time) ([]domain.Approver, error) {
	day := at.In(a.location()).Format(time.DateOnly)
	var pool policy.Pool
	var err error
	if policy.ChainRole(st.Role) && len(st.Users) == 0 {
		if parties.Owner == "" {
			// No contract to walk up from: every holder of the role.
			pool.Holders, err = a.Approvals.Candidates(ctx, st.Role, nil, day)
			if err != nil {
				return nil, err
			}
			return policy.Assign(st.Role, pool.Holders, parties), nil
		}
		if pool.Chain, err = a.Approvals.ManagerChain(ctx, parties.Owner, day); err != nil {
			return nil, err
		}
		return policy.StageApprovers(st, parties, pool), nil
	}
	if pool.Holders, err = a.Approvals.Candidates(ctx, st.Role, st.Users, day); err != nil {
		return nil, err
	}
	if len(policy.Assign(st.Role, pool.Holders, parties)) == 0 {
		if pool.Escalation, err = a.escalationPool(ctx, st, pool.Holders, day); err != nil {
			return nil, err
		}
	}
	return policy.StageApprovers(st, parties, pool), nil
}

// escalationPool is who a stage escalates to: the holders of its
// escalation role, or the managers of the given people (nearest first,
// each chain in turn).
func (a *Activities) escalationPool(ctx context.Context, st policy.Stage, of []policy.Candidate, day string) ([]policy.Candidate, error) {
	switch {
	case st.EscalateTo.Role != "":
		return a.Approvals.Candidates(ctx, st.EscalateTo.Role, nil, day)
	case st.EscalateTo.Manager:
		var pool []policy.Candidate
		for _, c := range of {
			chain, err := a.Approvals.ManagerChain(ctx, c.ID, day)
			if err != nil {
				return nil, err
			}
			pool = append(pool, chain...)
		}
		return pool, nil
	}
	return nil, nil
}

// ResolveEscalationInput asks who a stage escalates to.
type ResolveEscalationInput struct {
	// ContractNumber names the contract whose owner and drafter are never
	// escalation targets.
	ContractNumber string `json:",omitempty"`
	Stage          policy.Stage
	// Approvers are the assignees of the stage's open tasks, for a
	// manager escalation.
	Approvers []string
	At        time.Time
}

// ResolveEscalation returns the escalation target: holders of a role, or
// for each open task's assignee the nearest manager up their chain; never
// the contract's owner or drafter, a delegate only within the role.
func (a *Activities) ResolveEscalation(ctx context.Context, in ResolveEscalationInput) (ResolveResult, error) {
	parties, err := a.parties(ctx, in.ContractNumber)
	if err != nil {
		return ResolveResult{}, err
	}
	day := in.At.In(a.location()).Format(time.DateOnly)
	targets := []domain.Approver{}
	switch {
	case in.Stage.EscalateTo.Manager:
		seen := map[string]bool{}
		for _, id := range in.Approvers {
			chain, err := a.Approvals.ManagerChain(ctx, id, day)
			if err != nil {
				return ResolveResult{}, err
			}
			for _, m := range policy.NearestManager(chain, parties) {
				if !seen[m.ID] {
					seen[m.ID] = true
					targets = append(targets, m)
				}
			}
		}
	case in.Stage.EscalateTo.Role != "":
		holders, err := a.Approvals.Candidates(ctx, in.Stage.EscalateTo.Role, nil, day)
		if err != nil {
			return ResolveResult{}, err
		}
		targets = policy.Assign(in.Stage.EscalateTo.Role, holders, parties)
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

// PlanAndSubmitInput plans a submission's review round and records the
// submission itself (changeLocalRecords merged the two steps).
type PlanAndSubmitInput struct {
	Plan   PlanApprovalInput
	Submit RecordTransitionInput
}

// PlanAndSubmit is PlanApproval then, unless the plan refused the
// submission, RecordTransition of it: one step of the workflow, two keyed
// writes (the round, the event), so a retry writes neither twice.
func (a *Activities) PlanAndSubmit(ctx context.Context, in PlanAndSubmitInput) (PlanApprovalResult, error) {
	plan, err := a.PlanApproval(ctx, in.Plan)
	if err != nil {
		return PlanApprovalResult{}, err
	}
	if _, err := a.RecordTransition(ctx, in.Submit); err != nil {
		return PlanApprovalResult{}, err
	}
	return plan, nil
}

// OpenStage is one stage of a group to open: its place in the route.
type OpenStage struct {
	Index int
	Stage policy.Stage
}

// OpenStagesInput opens a group of stages of a review round at At.
type OpenStagesInput struct {
	ContractNumber string
	Round          int
	Stages         []OpenStage
	At             time.Time
}

// OpenStagesResult are the tasks opened, in the stages' order.
type OpenStagesResult struct {
	Tasks []domain.ApprovalTask
}

// OpenStages resolves each stage's approvers (ResolveStage), gives each a
// task (StageTasks) and saves them with the notices announcing them
// (SaveTasks), as one step. Tasks are keyed by ID, so a retry resolving
// the same people writes nothing twice.
func (a *Activities) OpenStages(ctx context.Context, in OpenStagesInput) (OpenStagesResult, error) {
	tasks := []domain.ApprovalTask{}
	for _, st := range in.Stages {
		res, err := a.ResolveStage(ctx, ResolveStageInput{ContractNumber: in.ContractNumber, Stage: st.Stage, At: in.At})
		if err != nil {
			return OpenStagesResult{}, err
		}
		tasks = append(tasks, StageTasks(in.ContractNumber, in.Round, st.Index, st.Stage, res.Approvers, in.At)...)
	}
	if err := a.saveTasks(ctx, tasks); err != nil {
		return OpenStagesResult{}, err
	}
	return OpenStagesResult{Tasks: tasks}, nil
}

// StageTasks are the tasks of stage i (from 0) of a round opened at now,
// one per approver; with nobody holding the role, one task any future
// holder may decide. The round's workflow and OpenStages both build them
// here, so a task has the same ID whoever made it.
func StageTasks(number string, round, i int, stage policy.Stage, approvers []domain.Approver, now time.Time) []domain.ApprovalTask {
	due := now.Add(time.Duration(stage.SLAHours) * time.Hour)
	base := domain.ApprovalTask{ContractNumber: number, Round: round, Stage: i + 1, Role: stage.Role,
		Status: domain.TaskOpen, Kind: domain.TaskKindApproval, StageName: stage.Name, OpenedAt: &now, DueAt: &due}
	if len(approvers) == 0 {
		base.ID = StageTaskID(number, round, i+1, "1")
		return []domain.ApprovalTask{base}
	}
	tasks := make([]domain.ApprovalTask, len(approvers))
	for k, ap := range approvers {
		t := base
		t.ID = StageTaskID(number, round, i+1, fmt.Sprint(k+1))
		t.AssigneeID, t.AssigneeName, t.DelegatedFrom = ap.ID, ap.Name, ap.DelegatedFrom
		tasks[k] = t
	}
	return tasks
}

// StageTaskID names a task of a stage: suffix is the approver's number, or
// E and a number for an escalation's task.
func StageTaskID(number string, round, stage int, suffix string) string {
	return fmt.Sprintf("%s-R%d-S%d-%s", number, round, stage, suffix)
}
