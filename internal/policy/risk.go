// Package policy holds the pure rules that route a contract for approval:
// risk and compliance checks over its document and terms, and versioned
// approval policies whose rules pick the stages. Both are data an admin
// edits; evaluating them is deterministic, so workflows may call it.
package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Severity grades a finding; the highest finding is the contract's risk.
type Severity string

// Severities, in increasing order.
const (
	SeverityNone   Severity = "none"
	SeverityLow    Severity = "low"
	SeverityMedium Severity = "medium"
	SeverityHigh   Severity = "high"
)

var severityOrder = []Severity{SeverityNone, SeverityLow, SeverityMedium, SeverityHigh}

// Rank orders severities: none < low < medium < high.
func (s Severity) Rank() int { return slices.Index(severityOrder, s) }

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return s.Rank() >= 0 }

// RuleKind names what a risk rule checks.
type RuleKind string

// Risk rule kinds.
const (
	RuleRequiredClause RuleKind = "required_clause"  // Clause must be in the document
	RuleLiabilityCap   RuleKind = "liability_cap"    // Field must be set and at most MaxAmount
	RulePaymentTerms   RuleKind = "payment_terms"    // Field (days) must be at most MaxDays
	RuleDiscount       RuleKind = "discount"         // no line discount above MaxDiscountBP
	RuleForbiddenTerm  RuleKind = "forbidden_phrase" // Phrase must not appear in the document
	RuleNonStandard    RuleKind = "non_standard"     // any non-standard clause is a finding
)

// RiskRule is one check an admin configures. Block makes a finding stop
// submission outright.
type RiskRule struct {
	ID            string   `json:"id" validate:"required,max=64"`
	Kind          RuleKind `json:"kind" validate:"required,oneof=required_clause liability_cap payment_terms discount forbidden_phrase non_standard"`
	Severity      Severity `json:"severity" validate:"required,oneof=low medium high"`
	Block         bool     `json:"block"`
	Clause        string   `json:"clause,omitempty" validate:"max=64"`
	Field         string   `json:"field,omitempty" validate:"max=64"`
	MaxAmount     *int64   `json:"max_amount,omitempty" validate:"omitempty,gte=0"`
	MaxDays       *int64   `json:"max_days,omitempty" validate:"omitempty,gte=0"`
	MaxDiscountBP *int     `json:"max_discount_bp,omitempty" validate:"omitempty,gte=0,lte=10000"`
	Phrase        string   `json:"phrase,omitempty" validate:"max=200"`
}

// Check reports what a rule lacks for its kind.
func (r RiskRule) Check() []string {
	var missing []string
	need := func(ok bool, field string) {
		if !ok {
			missing = append(missing, field+": is required for a "+string(r.Kind)+" rule")
		}
	}
	switch r.Kind {
	case RuleRequiredClause:
		need(r.Clause != "", "clause")
	case RuleLiabilityCap:
		need(r.Field != "", "field")
	case RulePaymentTerms:
		need(r.Field != "", "field")
		need(r.MaxDays != nil, "max_days")
	case RuleDiscount:
		need(r.MaxDiscountBP != nil, "max_discount_bp")
	case RuleForbiddenTerm:
		need(strings.TrimSpace(r.Phrase) != "", "phrase")
	}
	return missing
}

// Facts are what the checks and the policy read about a contract.
type Facts struct {
	Amount        int64                      `json:"amount"`
	Currency      string                     `json:"currency"`
	TemplateID    string                     `json:"template_id"`
	Clauses       []string                   `json:"clauses"`      // IDs of the template clauses in the document
	NonStandard   int                        `json:"non_standard"` // how many non-standard clauses
	Text          string                     `json:"-"`            // the canonical document text
	Fields        map[string]json.RawMessage `json:"fields"`       // the drafter's raw field values
	MaxDiscountBP int                        `json:"max_discount_bp"`
}

// intField reads a whole-number field, reporting whether it is set.
func (f Facts) intField(name string) (int64, bool) {
	raw, ok := f.Fields[name]
	if !ok {
		return 0, false
	}
	var v int64
	if json.Unmarshal(raw, &v) != nil {
		return 0, false
	}
	return v, true
}

// Finding is one rule's verdict on a contract.
type Finding struct {
	RuleID   string   `json:"rule_id"`
	Kind     RuleKind `json:"kind"`
	Severity Severity `json:"severity"`
	Blocking bool     `json:"blocking"`
	Message  string   `json:"message"`
}

// Assessment is the outcome of every check: the findings and the risk
// level (the highest severity found, none when nothing was).
type Assessment struct {
	Findings []Finding `json:"findings"`
	Level    Severity  `json:"level"`
	Blocked  bool      `json:"blocked"`
}

// Assess runs every rule over the facts.
func Assess(rules []RiskRule, f Facts) Assessment {
	a := Assessment{Findings: []Finding{}, Level: SeverityNone}
	for _, r := range rules {
		msg, found := check(r, f)
		if !found {
			continue
		}
		a.Findings = append(a.Findings, Finding{RuleID: r.ID, Kind: r.Kind, Severity: r.Severity, Blocking: r.Block, Message: msg})
		if r.Severity.Rank() > a.Level.Rank() {
			a.Level = r.Severity
		}
		a.Blocked = a.Blocked || r.Block
	}
	return a
}

func check(r RiskRule, f Facts) (string, bool) {
	switch r.Kind {
	case RuleRequiredClause:
		if !slices.Contains(f.Clauses, r.Clause) {
			return fmt.Sprintf("required clause %q is missing", r.Clause), true
		}
	case RuleLiabilityCap:
		v, ok := f.intField(r.Field)
		if !ok {
			return fmt.Sprintf("no liability cap (%s) is set", r.Field), true
		}
		if r.MaxAmount != nil && v > *r.MaxAmount {
			return fmt.Sprintf("liability cap %d is above the limit %d", v, *r.MaxAmount), true
		}
	case RulePaymentTerms:
		if v, ok := f.intField(r.Field); ok && r.MaxDays != nil && v > *r.MaxDays {
			return fmt.Sprintf("payment terms of %d days exceed %d", v, *r.MaxDays), true
		}
	case RuleDiscount:
		if r.MaxDiscountBP != nil && f.MaxDiscountBP > *r.MaxDiscountBP {
			return fmt.Sprintf("a discount of %s exceeds %s", percent(f.MaxDiscountBP), percent(*r.MaxDiscountBP)), true
		}
	case RuleForbiddenTerm:
		if r.Phrase != "" && strings.Contains(f.Text, r.Phrase) {
			return fmt.Sprintf("the document contains the forbidden phrase %q", r.Phrase), true
		}
	case RuleNonStandard:
		if f.NonStandard > 0 {
			return fmt.Sprintf("%d non-standard clause(s) are used", f.NonStandard), true
		}
	}
	return "", false
}

func percent(bp int) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%d.%02d", bp/100, bp%100), "0"), ".") + "%"
}
