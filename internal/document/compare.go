package document

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/signet-clm/signet/internal/domain"
)

// FieldChange is one term that differs between two versions.
type FieldChange struct {
	Field string `json:"field"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// ClauseChange is one clause added, removed or reworded.
type ClauseChange struct {
	Key    string `json:"key"`
	Title  string `json:"title"`
	Change string `json:"change"` // added, removed or changed
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
}

// Comparison is what changed from one rendered version to another,
// field by field and clause by clause.
type Comparison struct {
	Fields  []FieldChange  `json:"fields"`
	Clauses []ClauseChange `json:"clauses"`
}

// Compare lists the differences from a to b: the terms (title, dates,
// currency, totals, filled-in fields, line items) and the clauses, matched
// by template clause ID, or by title for non-standard ones.
func Compare(a, b Document) Comparison {
	out := Comparison{Fields: []FieldChange{}, Clauses: []ClauseChange{}}
	field := func(name, from, to string) {
		if from != to {
			out.Fields = append(out.Fields, FieldChange{Field: name, From: from, To: to})
		}
	}
	money := func(d Document, v int64) string { return domain.Money{Amount: v, Currency: d.Input.Currency}.String() }
	field("title", a.Input.Title, b.Input.Title)
	field("start_date", a.Input.StartDate, b.Input.StartDate)
	field("end_date", a.Input.EndDate, b.Input.EndDate)
	field("currency", a.Input.Currency, b.Input.Currency)
	field("total", money(a, a.Input.Totals.Total), money(b, b.Input.Totals.Total))
	keys := make([]string, 0, len(a.Input.Values)+len(b.Input.Values))
	for k := range a.Input.Values {
		keys = append(keys, k)
	}
	for k := range b.Input.Values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		field("fields."+k, a.Input.Values[k], b.Input.Values[k])
	}
	line := func(d Document, i int) string {
		if i >= len(d.Input.Lines) {
			return ""
		}
		l := d.Input.Lines[i]
		return fmt.Sprintf("%s × %s = %s", l.Description, strconv.FormatFloat(float64(l.QuantityMilli)/1000, 'f', -1, 64), money(d, l.Total))
	}
	for i := range max(len(a.Input.Lines), len(b.Input.Lines)) {
		field(fmt.Sprintf("line_items[%d]", i), line(a, i), line(b, i))
	}
	payment := func(d Document, i int) string {
		if i >= len(d.Input.PaymentPlan) {
			return ""
		}
		p := d.Input.PaymentPlan[i]
		return fmt.Sprintf("%s: %s due %s", p.Title, money(d, p.Amount), p.DueDate)
	}
	for i := range max(len(a.Input.PaymentPlan), len(b.Input.PaymentPlan)) {
		field(fmt.Sprintf("payment_plan[%d]", i), payment(a, i), payment(b, i))
	}
	duty := func(d Document, i int) string {
		if i >= len(d.Input.Obligations) {
			return ""
		}
		o := d.Input.Obligations[i]
		return fmt.Sprintf("%s by %s", o.Title, o.DueDate)
	}
	for i := range max(len(a.Input.Obligations), len(b.Input.Obligations)) {
		field(fmt.Sprintf("obligations[%d]", i), duty(a, i), duty(b, i))
	}
	field("renewal", renewalTerms(a.Input.Renewal), renewalTerms(b.Input.Renewal))

	key := func(c RenderedClause) string {
		if c.ID != "" {
			return c.ID
		}
		return "non_standard:" + c.Title
	}
	old := map[string]RenderedClause{}
	for _, c := range a.Clauses {
		old[key(c)] = c
	}
	seen := map[string]bool{}
	for _, c := range b.Clauses {
		k := key(c)
		seen[k] = true
		prev, ok := old[k]
		switch {
		case !ok:
			out.Clauses = append(out.Clauses, ClauseChange{Key: k, Title: c.Title, Change: "added", To: c.Text})
		case prev.Text != c.Text || prev.Title != c.Title:
			out.Clauses = append(out.Clauses, ClauseChange{Key: k, Title: c.Title, Change: "changed", From: prev.Text, To: c.Text})
		}
	}
	for _, c := range a.Clauses {
		if !seen[key(c)] {
			out.Clauses = append(out.Clauses, ClauseChange{Key: key(c), Title: c.Title, Change: "removed", From: c.Text})
		}
	}
	return out
}

// renewalTerms is renewal terms as one comparable line.
func renewalTerms(r *domain.Renewal) string {
	if r == nil {
		return ""
	}
	days := make([]string, len(r.NoticeDays))
	for i, d := range r.NoticeDays {
		days[i] = strconv.Itoa(d)
	}
	return fmt.Sprintf("auto_renew=%t through_approval=%t notice_days=%s", r.AutoRenew, r.AutoRenew && r.ThroughApproval, strings.Join(days, ","))
}
