package reports

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
)

// AgingQuery is GET /v1/reports/aging. AsOf (default today in the
// configured time zone) is the day the ages are counted on.
type AgingQuery struct {
	AsOf       string `form:"as_of"`
	Owner      string `form:"owner"`
	CustomerID string `form:"customer_id"`
	Currency   string `form:"currency"`
	Format     string `form:"format"`
}

// Buckets is outstanding money by days past due: not yet due (due on or
// after the day), 0–30 (1 to 30 days past due: a milestone is overdue from
// the day after its due date), 31–60, 61–90 and over 90.
type Buckets struct {
	Currency    string `json:"currency"`
	NotDue      int64  `json:"not_due"`
	Days0To30   int64  `json:"days_0_30"`
	Days31To60  int64  `json:"days_31_60"`
	Days61To90  int64  `json:"days_61_90"`
	DaysOver90  int64  `json:"days_over_90"`
	Overdue     int64  `json:"overdue"`
	Outstanding int64  `json:"outstanding"`
}

// AgingRow is one customer's receivables in one currency.
type AgingRow struct {
	CustomerID   string `json:"customer_id"`
	CustomerName string `json:"customer_name"`
	Buckets
}

// Aging is receivables by customer and in total, per currency.
type Aging struct {
	AsOf   string     `json:"as_of"`
	Rows   []AgingRow `json:"rows"`
	Totals []Buckets  `json:"totals"`
}

// Aging ages what the milestones of the current versions of the signed
// contracts u may see still have outstanding (amount − received).
func (s *Service) Aging(ctx context.Context, u domain.User, in AgingQuery) (Aging, error) {
	v := &invalid{}
	q := &query{}
	asOf := s.today()
	if d := v.date("as_of", in.AsOf); d != nil {
		asOf = *d
	}
	day := q.arg(asOf)
	f := Filters{Owner: in.Owner, CustomerID: in.CustomerID, Currency: in.Currency}
	visible := f.apply(v, q, u, asOf, s.loc)
	scope(q, u)
	if err := v.err(); err != nil {
		return Aging{}, err
	}
	out := Aging{AsOf: asOf.Format(time.DateOnly), Rows: []AgingRow{}, Totals: []Buckets{}}
	if !visible {
		return out, nil
	}
	q.where("pm.received < pm.amount AND " + owes)
	owed := "(pm.amount - pm.received)"
	age := "(" + day + "::date - pm.due_date)"
	bucket := func(cond string) string {
		return "coalesce(sum(" + owed + ") FILTER (WHERE " + cond + "), 0)"
	}
	cols := bucket(age+" <= 0") + ", " + bucket(age+" BETWEEN 1 AND 30") + ", " + bucket(age+" BETWEEN 31 AND 60") + ", " +
		bucket(age+" BETWEEN 61 AND 90") + ", " + bucket(age+" > 90") + ", " + bucket(age+" > 0") + ", sum(" + owed + ")"
	from := ` FROM payment_milestones pm JOIN contracts c ON c.number = pm.contract_number AND c.version = pm.version` + q.clause()
	err := s.heavyRead(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT coalesce(c.customer_id::text, ''), c.customer_name, c.currency::text, `+cols+from+`
			GROUP BY c.customer_id, c.customer_name, c.currency ORDER BY c.customer_name, c.customer_id, c.currency`, q.args...)
		list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AgingRow, error) {
			var r AgingRow
			return r, row.Scan(append([]any{&r.CustomerID, &r.CustomerName, &r.Currency}, sums(&r.NotDue, &r.Days0To30, &r.Days31To60,
				&r.Days61To90, &r.DaysOver90, &r.Overdue, &r.Outstanding)...)...)
		})
		if err != nil {
			return err
		}
		out.Rows = append(out.Rows, list...)
		rows, _ = tx.Query(ctx, `SELECT c.currency::text, `+cols+from+` GROUP BY c.currency ORDER BY c.currency`, q.args...)
		totals, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Buckets, error) {
			var b Buckets
			return b, row.Scan(append([]any{&b.Currency}, sums(&b.NotDue, &b.Days0To30, &b.Days31To60, &b.Days61To90, &b.DaysOver90, &b.Overdue, &b.Outstanding)...)...)
		})
		out.Totals = append(out.Totals, totals...)
		return err
	})
	if err != nil {
		return Aging{}, unavailable("aging", err)
	}
	return out, nil
}
