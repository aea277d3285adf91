package reports

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
)

// RenewalQuery is GET /v1/reports/renewals: active contracts ending within
// 30, 60 or 90 days (default 90) from today in the configured time zone.
type RenewalQuery struct {
	Within     string `form:"within"`
	Owner      string `form:"owner"`
	CustomerID string `form:"customer_id"`
	Format     string `form:"format"`
	// Limit lists only the soonest Limit rows (0: all), the counts still
	// of every one: the home page's glance.
	Limit int `form:"-"`
}

// Renewal statuses. A successor is the one the contract links to (an
// auto-renewal's), or else a later contract for the same customer from the
// same template, created after this one, starting no earlier and not
// cancelled (a renewal drafted by hand).
const (
	RenewalNone       = "none"        // no successor yet
	RenewalAuto       = "auto"        // none yet; it renews itself at the end
	RenewalInProgress = "in_progress" // a successor is being drafted, reviewed or signed
	RenewalRenewed    = "renewed"     // a successor is signed
)

// RenewalRow is one contract coming up for renewal.
type RenewalRow struct {
	Number        string `json:"number"`
	Title         string `json:"title"`
	CustomerID    string `json:"customer_id"`
	CustomerName  string `json:"customer_name"`
	OwnerID       string `json:"owner_id"`
	OwnerName     string `json:"owner_name"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	EndDate       string `json:"end_date"`
	DaysLeft      int    `json:"days_left"`
	Window        int    `json:"window"`
	RenewalStatus string `json:"renewal_status"`
	Successor     string `json:"successor,omitempty"`
}

// Renewals is the renewal pipeline and how many contracts end within each
// window (30 within 60, 60 within 90).
type Renewals struct {
	Today  string         `json:"today"`
	Within int            `json:"within"`
	Counts map[string]int `json:"counts"`
	Rows   []RenewalRow   `json:"rows"`
}

// Renewals lists the active contracts u may see ending within the window,
// soonest first.
func (s *Service) Renewals(ctx context.Context, u domain.User, in RenewalQuery) (Renewals, error) {
	v := &invalid{}
	q := &query{}
	within, _ := strconv.Atoi(v.oneOf("within", in.Within, "90", "30", "60", "90"))
	today := s.today()
	f := Filters{Owner: in.Owner, CustomerID: in.CustomerID}
	visible := f.apply(v, q, u, today, s.loc)
	scope(q, u)
	if err := v.err(); err != nil {
		return Renewals{}, err
	}
	out := Renewals{Today: today.Format(time.DateOnly), Within: within, Counts: map[string]int{"30": 0, "60": 0, "90": 0}, Rows: []RenewalRow{}}
	if !visible {
		return out, nil
	}
	day := q.arg(today)
	q.where("c.status = %s", domain.StatusActive)
	q.conds = append(q.conds, "c.end_date >= "+day+"::date", "c.end_date <= "+day+"::date + "+q.arg(within)+"::int")
	limit := ""
	if in.Limit > 0 {
		// The counts of every one, the soonest rows only: each row's
		// successor is a lateral lookup, made after the rows are chosen.
		counted, _ := s.db.Query(ctx, `SELECT count(*) FILTER (WHERE c.end_date <= `+day+`::date + 30),
				count(*) FILTER (WHERE c.end_date <= `+day+`::date + 60), count(*)
			FROM contracts c`+q.clause(), q.args...)
		n, err := pgx.CollectExactlyOneRow(counted, func(row pgx.CollectableRow) ([3]int, error) {
			var n [3]int
			return n, row.Scan(&n[0], &n[1], &n[2])
		})
		if err != nil {
			return Renewals{}, unavailable("renewals", err)
		}
		out.Counts["30"], out.Counts["60"], out.Counts["90"] = n[0], n[1], n[2]
		limit = " LIMIT " + q.arg(in.Limit)
	}
	rows, _ := s.db.Query(ctx, `SELECT c.number, c.title, coalesce(c.customer_id::text, ''), c.customer_name, c.owner_id, c.owner_name,
			c.amount, c.currency::text, c.end_date::text, (c.end_date - `+day+`::date), coalesce(succ.number, ''), coalesce(succ.status, ''),
			c.auto_renew
		FROM (SELECT * FROM contracts c`+q.clause()+` ORDER BY c.end_date, c.number`+limit+`) c LEFT JOIN LATERAL (
			SELECT s.number, s.status FROM contracts s WHERE s.number = c.successor_number
			UNION ALL
			(SELECT s.number, s.status FROM contracts s
			WHERE c.successor_number IS NULL AND s.customer_id = c.customer_id AND s.template_id = c.template_id AND s.number <> c.number
			  AND s.created_at > c.created_at AND s.start_date >= c.start_date AND s.status <> 'cancelled'
			ORDER BY (s.signed_at IS NULL), s.created_at LIMIT 1)
			LIMIT 1
		) succ ON true ORDER BY c.end_date, c.number`, q.args...)
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (RenewalRow, error) {
		var r RenewalRow
		var succStatus string
		var auto bool
		err := row.Scan(&r.Number, &r.Title, &r.CustomerID, &r.CustomerName, &r.OwnerID, &r.OwnerName, &r.Amount, &r.Currency,
			&r.EndDate, &r.DaysLeft, &r.Successor, &succStatus, &auto)
		switch st := domain.Status(succStatus); {
		case st == "" && auto:
			r.RenewalStatus = RenewalAuto
		case st == "":
			r.RenewalStatus = RenewalNone
		case st.Signed() || st == domain.StatusCompleted || st == domain.StatusArchived || st == domain.StatusTerminated:
			r.RenewalStatus = RenewalRenewed
		default:
			r.RenewalStatus = RenewalInProgress
		}
		switch {
		case r.DaysLeft <= 30:
			r.Window = 30
		case r.DaysLeft <= 60:
			r.Window = 60
		default:
			r.Window = 90
		}
		return r, err
	})
	if err != nil {
		return Renewals{}, unavailable("renewals", err)
	}
	for _, r := range list {
		if in.Limit == 0 {
			for _, w := range []int{30, 60, 90} {
				if r.DaysLeft <= w {
					out.Counts[strconv.Itoa(w)]++
				}
			}
		}
		out.Rows = append(out.Rows, r)
	}
	return out, nil
}
