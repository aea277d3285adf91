package reports

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/signet-clm/signet/internal/domain"
)

// Filters select contracts for the ledger and the figures. Every field is
// a query parameter, read as text and checked here so an error names it.
// Amounts are minor units; dates are YYYY-MM-DD calendar dates, a signed
// date being the day of signing in the configured time zone.
type Filters struct {
	// Status is one status or several separated by commas.
	Status     string `form:"status"`
	Owner      string `form:"owner"`
	CustomerID string `form:"customer_id"`
	// Customer matches part of the customer's name, case-insensitively.
	Customer   string `form:"customer"`
	Type       string `form:"type"`
	Currency   string `form:"currency"`
	SignedFrom string `form:"signed_from"`
	SignedTo   string `form:"signed_to"`
	EndFrom    string `form:"end_from"`
	EndTo      string `form:"end_to"`
	AmountMin  string `form:"amount_min"`
	AmountMax  string `form:"amount_max"`
	// Overdue "true" keeps signed contracts with a milestone past due and
	// not fully received; "false" keeps the others.
	Overdue string `form:"overdue"`
	// Source and ExternalID keep the contracts another system knows by
	// that key (either alone: any from the source, any source's ID).
	Source     string `form:"source"`
	ExternalID string `form:"external_id"`
}

// apply checks the filters and adds them to q (contracts aliased c). It
// reports false when the filters can select nothing for u (an owner u may
// not see).
func (f Filters) apply(v *invalid, q *query, u domain.User, today time.Time, loc *time.Location) bool {
	visible := true
	if f.Status != "" {
		var statuses []string
		for _, s := range strings.Split(f.Status, ",") {
			if !domain.Status(s).Valid() {
				v.add("status", "must be contract statuses separated by commas, such as active,expired")
				statuses = nil
				break
			}
			statuses = append(statuses, s)
		}
		if statuses != nil {
			q.where("c.status = ANY(%s)", statuses)
		}
	}
	if v.text("owner", f.Owner, 100) != "" {
		q.where("c.owner_id = %s", f.Owner)
		visible = u.Sees(f.Owner)
	}
	if f.CustomerID != "" {
		if _, err := uuid.Parse(f.CustomerID); err != nil {
			v.add("customer_id", "must be a customer ID (UUID)")
		} else {
			q.where("c.customer_id = %s::uuid", f.CustomerID)
		}
	}
	if v.text("customer", f.Customer, 200) != "" {
		q.where("c.customer_name ILIKE '%%' || %s || '%%'", escapeLike(f.Customer))
	}
	if v.text("type", f.Type, 100) != "" {
		q.where("c.template_id = %s", f.Type)
	}
	if f.Currency != "" {
		if !domain.ValidCurrency(f.Currency) {
			v.add("currency", "must be an ISO 4217 currency code such as CNY")
		} else {
			q.where("c.currency = %s", f.Currency)
		}
	}
	// Signed dates are days in loc; compare instants, and in the terms of
	// the ledger's signed_at sort key (unsigned = -infinity), so its index
	// serves both the range and the sort.
	from, to := v.dateRange("signed_from", f.SignedFrom, "signed_to", f.SignedTo)
	if from != nil {
		q.where(signedKey+" >= %s", midnight(*from, loc))
	}
	if to != nil {
		q.where(signedKey+" > '-infinity' AND "+signedKey+" < %s", midnight(to.AddDate(0, 0, 1), loc))
	}
	endFrom, endTo := v.dateRange("end_from", f.EndFrom, "end_to", f.EndTo)
	if endFrom != nil {
		q.where("c.end_date >= %s", *endFrom)
	}
	if endTo != nil {
		q.where("c.end_date <= %s", *endTo)
	}
	lo, hi := v.amount("amount_min", f.AmountMin), v.amount("amount_max", f.AmountMax)
	if lo != nil && hi != nil && *hi < *lo {
		v.add("amount_max", "must not be less than amount_min")
	}
	if lo != nil {
		q.where("c.amount >= %s", *lo)
	}
	if hi != nil {
		q.where("c.amount <= %s", *hi)
	}
	if f.Overdue != "" {
		overdue, err := strconv.ParseBool(f.Overdue)
		if err != nil {
			v.add("overdue", "must be true or false")
		} else {
			not := ""
			if !overdue {
				not = "NOT "
			}
			q.where(not+`(`+owes+` AND EXISTS (SELECT 1 FROM payment_milestones od WHERE od.contract_number = c.number
				AND od.version = c.version AND od.received < od.amount AND od.due_date < %s))`, today)
		}
	}
	f.external(v, q)
	return visible
}

// external adds the external ID filters to q.
func (f Filters) external(v *invalid, q *query) {
	if f.Source != "" && !domain.ValidExternalSource(f.Source) {
		v.add("source", domain.ExternalSourceRule)
		return
	}
	if f.ExternalID != "" && !domain.ValidExternalID(f.ExternalID) {
		v.add("external_id", domain.ExternalIDRule)
		return
	}
	switch {
	case f.Source != "" && f.ExternalID != "":
		q.where("EXISTS (SELECT 1 FROM external_ids x WHERE x.kind = 'contract' AND x.entity_id = c.number AND x.source = %s AND x.external_id = %s)", f.Source, f.ExternalID)
	case f.Source != "":
		q.where("EXISTS (SELECT 1 FROM external_ids x WHERE x.kind = 'contract' AND x.entity_id = c.number AND x.source = %s)", f.Source)
	case f.ExternalID != "":
		q.where("EXISTS (SELECT 1 FROM external_ids x WHERE x.kind = 'contract' AND x.entity_id = c.number AND x.external_id = %s)", f.ExternalID)
	}
}

// signedKey is when a contract was signed, -infinity for never: never
// NULL, so keyset paging on it holds.
const signedKey = "coalesce(c.signed_at, '-infinity'::timestamptz)"

// midnight is the instant day begins in loc.
func midnight(day time.Time, loc *time.Location) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
}
