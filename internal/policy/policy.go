package policy

import (
	"fmt"
	"slices"

	"github.com/signet-clm/signet/internal/domain"
)

// Quorum says how many of a stage's approvers must approve.
type Quorum string

// Quorums.
const (
	QuorumAny Quorum = "any" // the first approval closes the stage
	QuorumAll Quorum = "all" // every approver must approve
)

// Escalation names who gets a task when a stage's SLA passes: holders of a
// role, or the approver's manager.
type Escalation struct {
	Role    domain.Role `json:"role,omitempty"`
	Manager bool        `json:"manager,omitempty"`
}

// Stage is one step of an approval route.
type Stage struct {
	Name  string      `json:"name" validate:"required,max=100"`
	Role  domain.Role `json:"role,omitempty"`
	Users []string    `json:"users,omitempty" validate:"max=20"`
	// Parallel stages run at the same time as the stage before them.
	Parallel bool   `json:"parallel"`
	Quorum   Quorum `json:"quorum" validate:"required,oneof=any all"`
	SLAHours int    `json:"sla_hours"`
	// RemindAfterHours is the reminder point, before the SLA.
	RemindAfterHours int        `json:"remind_after_hours"`
	EscalateTo       Escalation `json:"escalate_to"`
}

// Condition is when a rule applies; every condition set must hold, and a
// rule with none always applies. Amounts are in major units of the
// contract's currency.
type Condition struct {
	AmountAtLeast     *int64   `json:"amount_at_least,omitempty"`
	Currency          string   `json:"currency,omitempty"`
	Templates         []string `json:"templates,omitempty"`
	DiscountAboveBP   *int     `json:"discount_above_bp,omitempty"`
	PaymentTermsField string   `json:"payment_terms_field,omitempty"`
	PaymentTermsAbove *int64   `json:"payment_terms_above,omitempty"`
	RiskAtLeast       Severity `json:"risk_at_least,omitempty"`
	NonStandard       *bool    `json:"non_standard,omitempty"`
}

// Rule adds its stages when its condition holds.
type Rule struct {
	Name   string    `json:"name" validate:"required,max=100"`
	When   Condition `json:"when"`
	Stages []Stage   `json:"stages" validate:"max=20,dive"`
}

// Policy is one version of an approval policy (审批流程).
type Policy struct {
	ID      string `json:"id" validate:"required,max=64"`
	Version int    `json:"version"`
	Name    string `json:"name" validate:"required,max=200"`
	Rules   []Rule `json:"rules" validate:"max=100,dive"`
}

// Check reports what is wrong with a policy beyond its struct tags: no
// stage at all, an unknown role, an SLA of zero, a reminder not before the
// SLA, a stage with no approvers, a cycle among escalation targets.
func (p Policy) Check() []string {
	var problems []string
	stages := 0
	escalates := map[domain.Role]domain.Role{}
	for i, r := range p.Rules {
		for j, s := range r.Stages {
			stages++
			at := fmt.Sprintf("rules[%d].stages[%d]", i, j)
			switch {
			case s.Role == "" && len(s.Users) == 0:
				problems = append(problems, at+".role: a stage needs a role or named users")
			case s.Role != "" && !s.Role.Valid():
				problems = append(problems, fmt.Sprintf("%s.role: unknown role %q", at, s.Role))
			}
			if s.SLAHours <= 0 {
				problems = append(problems, at+".sla_hours: must be at least 1")
			}
			if s.RemindAfterHours < 0 || (s.SLAHours > 0 && s.RemindAfterHours >= s.SLAHours) {
				problems = append(problems, at+".remind_after_hours: must be before the SLA")
			}
			if e := s.EscalateTo.Role; e != "" {
				if !e.Valid() {
					problems = append(problems, fmt.Sprintf("%s.escalate_to.role: unknown role %q", at, e))
				} else if s.Role != "" {
					escalates[s.Role] = e
				}
			}
			if s.EscalateTo.Role != "" && s.EscalateTo.Manager {
				problems = append(problems, at+".escalate_to: name a role or the manager, not both")
			}
		}
	}
	if stages == 0 {
		problems = append(problems, "rules: a policy needs at least one stage")
	}
	if r := escalationCycle(escalates); r != "" {
		problems = append(problems, fmt.Sprintf("rules: escalation targets form a cycle through %s", r))
	}
	return problems
}

// escalationCycle returns a role on a cycle of escalation targets, or "".
func escalationCycle(next map[domain.Role]domain.Role) domain.Role {
	for _, start := range domain.Roles { // fixed order, so the answer is stable
		seen := map[domain.Role]bool{}
		for r, ok := start, true; ok; r, ok = next[r] {
			if seen[r] {
				return r
			}
			seen[r] = true
		}
	}
	return ""
}

// Match is one rule's verdict with the values its conditions read.
type Match struct {
	Rule    string         `json:"rule"`
	Matched bool           `json:"matched"`
	Saw     map[string]any `json:"saw"`
	Stages  []string       `json:"stages_added"`
}

// Route is the approval path of one submission and why it was chosen.
type Route struct {
	PolicyID      string     `json:"policy_id"`
	PolicyVersion int        `json:"policy_version"`
	Risk          Assessment `json:"risk"`
	Matches       []Match    `json:"matches"`
	Stages        []Stage    `json:"stages"`
}

// Plan evaluates the policy over a contract's facts and risk: the stages of
// every matching rule, in rule order, each stage name once.
func Plan(p Policy, f Facts, risk Assessment) Route {
	route := Route{PolicyID: p.ID, PolicyVersion: p.Version, Risk: risk, Matches: []Match{}, Stages: []Stage{}}
	for _, r := range p.Rules {
		m := Match{Rule: r.Name, Saw: map[string]any{}, Stages: []string{}}
		m.Matched = r.When.holds(f, risk, m.Saw)
		if m.Matched {
			for _, s := range r.Stages {
				if slices.ContainsFunc(route.Stages, func(have Stage) bool { return have.Name == s.Name }) {
					continue
				}
				route.Stages = append(route.Stages, s)
				m.Stages = append(m.Stages, s.Name)
			}
		}
		route.Matches = append(route.Matches, m)
	}
	return route
}

func (c Condition) holds(f Facts, risk Assessment, saw map[string]any) bool {
	ok := true
	if c.Currency != "" {
		saw["currency"] = f.Currency
		ok = ok && f.Currency == c.Currency
	}
	if c.AmountAtLeast != nil {
		saw["amount"] = domain.Money{Amount: f.Amount, Currency: f.Currency}.String()
		ok = ok && f.Amount >= domain.MinorUnits(*c.AmountAtLeast, f.Currency)
	}
	if len(c.Templates) > 0 {
		saw["template"] = f.TemplateID
		ok = ok && slices.Contains(c.Templates, f.TemplateID)
	}
	if c.DiscountAboveBP != nil {
		saw["max_discount_bp"] = f.MaxDiscountBP
		ok = ok && f.MaxDiscountBP > *c.DiscountAboveBP
	}
	if c.PaymentTermsAbove != nil {
		field := c.PaymentTermsField
		if field == "" {
			field = "payment_terms_days"
		}
		days, set := f.intField(field)
		saw[field] = days
		ok = ok && set && days > *c.PaymentTermsAbove
	}
	if c.RiskAtLeast != "" {
		saw["risk"] = risk.Level
		ok = ok && risk.Level.Rank() >= c.RiskAtLeast.Rank()
	}
	if c.NonStandard != nil {
		saw["non_standard"] = f.NonStandard
		ok = ok && (f.NonStandard > 0) == *c.NonStandard
	}
	return ok
}

// DefaultPolicyID is the policy every submission uses.
const DefaultPolicyID = "default"

// DefaultPolicy is used until an admin saves one: DESIGN.md's example. A
// sales manager always; finance from 100,000 or payment terms over 60 days;
// legal for a non-standard clause or medium risk and above; an executive
// from 1,000,000. Each stage has a day's SLA, a reminder after 8 hours, and
// escalates to an executive (an executive's stage to their manager).
func DefaultPolicy() Policy {
	st := func(name string, role domain.Role) Stage {
		s := Stage{Name: name, Role: role, Quorum: QuorumAny, SLAHours: 24, RemindAfterHours: 8, EscalateTo: Escalation{Role: domain.RoleExecutive}}
		if role == domain.RoleExecutive {
			s.EscalateTo = Escalation{Manager: true}
		}
		return s
	}
	amount := func(major int64) *int64 { return &major }
	days, yes := int64(60), true
	return Policy{ID: DefaultPolicyID, Name: "默认审批流程 Default approval policy", Rules: []Rule{
		{Name: "sales manager always", Stages: []Stage{st("销售经理审批", domain.RoleSalesManager)}},
		{Name: "finance from 100,000", When: Condition{AmountAtLeast: amount(100_000)}, Stages: []Stage{st("财务审批", domain.RoleFinance)}},
		{Name: "finance for payment terms over 60 days", When: Condition{PaymentTermsAbove: &days}, Stages: []Stage{st("财务审批", domain.RoleFinance)}},
		{Name: "legal for non-standard clauses", When: Condition{NonStandard: &yes}, Stages: []Stage{st("法务审批", domain.RoleLegal)}},
		{Name: "legal for medium risk and above", When: Condition{RiskAtLeast: SeverityMedium}, Stages: []Stage{st("法务审批", domain.RoleLegal)}},
		{Name: "executive from 1,000,000", When: Condition{AmountAtLeast: amount(1_000_000)}, Stages: []Stage{st("总经理审批", domain.RoleExecutive)}},
	}}
}

// TerminationPolicyID names the policy termination requests follow.
const TerminationPolicyID = "termination"

// TerminationPolicy routes a request to terminate a signed contract: the
// sales manager, then legal and finance together (the settlement of what
// is still owed is theirs).
func TerminationPolicy() Policy {
	st := func(name string, role domain.Role, parallel bool) Stage {
		return Stage{Name: name, Role: role, Parallel: parallel, Quorum: QuorumAny, SLAHours: 48, RemindAfterHours: 24,
			EscalateTo: Escalation{Role: domain.RoleExecutive}}
	}
	return Policy{ID: TerminationPolicyID, Version: 1, Name: "合同终止审批 Termination approval", Rules: []Rule{
		{Name: "termination always", Stages: []Stage{
			st("销售经理审批（终止）", domain.RoleSalesManager, false),
			st("法务审批（终止）", domain.RoleLegal, false),
			st("财务结算审批", domain.RoleFinance, true),
		}},
	}}
}
