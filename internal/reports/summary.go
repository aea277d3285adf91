package reports

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
)

// Dimensions the figures group by.
const (
	DimMonth       = "month"
	DimCustomer    = "customer"
	DimOwner       = "owner"
	DimProductLine = "product_line"
	DimStatus      = "status"
)

// dimension is one way to group contracts: the key and label SQL (never
// from the request).
type dimension struct {
	key, label string
}

// dimensions is the fixed list of group_by values. Month is the month of
// signing in the configured time zone ("" for unsigned contracts). A
// product line groups the contract's line amounts by the line of each
// line item's product (see summarySQL).
var dimensions = map[string]dimension{
	DimMonth:       {"coalesce(to_char(c.signed_at AT TIME ZONE {tz}, 'YYYY-MM'), '')", "coalesce(to_char(c.signed_at AT TIME ZONE {tz}, 'YYYY-MM'), '')"},
	DimCustomer:    {"coalesce(c.customer_id::text, c.customer_name)", "c.customer_name"},
	DimOwner:       {"c.owner_id", "c.owner_name"},
	DimProductLine: {"coalesce(pl.line_id::text, '')", "coalesce(l.name, '')"},
	DimStatus:      {"c.status", "c.status"},
}

var dimensionNames = []string{DimMonth, DimCustomer, DimOwner, DimProductLine, DimStatus}

// SummaryQuery is GET /v1/reports/summary: the ledger's filters and one or
// two dimensions separated by a comma (month,owner).
type SummaryQuery struct {
	Filters
	GroupBy string `form:"group_by"`
	Format  string `form:"format"`
}

// Group is one value of one dimension: its key (an ID, a month, a status)
// and what people read.
type Group struct {
	Dimension string `json:"dimension"`
	Key       string `json:"key"`
	Label     string `json:"label"`
}

// Figures are the money of a set of contracts in one currency.
type Figures struct {
	Currency    string `json:"currency"`
	Count       int64  `json:"count"`
	Amount      int64  `json:"amount"`
	Invoiced    int64  `json:"invoiced"`
	Received    int64  `json:"received"`
	Outstanding int64  `json:"outstanding"`
}

// SummaryRow is the figures of one group and currency.
type SummaryRow struct {
	Groups []Group `json:"groups"`
	Figures
}

// Summary is the figures by group, and per currency over all groups.
// Currencies are never added together.
type Summary struct {
	GroupBy []string     `json:"group_by"`
	Rows    []SummaryRow `json:"rows"`
	Totals  []Figures    `json:"totals"`
}

// parseGroupBy reads one or two distinct dimensions.
func parseGroupBy(v *invalid, s string) []string {
	if s == "" {
		v.add("group_by", "is required: one or two of "+strings.Join(dimensionNames, ", ")+" separated by a comma")
		return nil
	}
	dims := strings.Split(s, ",")
	if len(dims) > 2 || (len(dims) == 2 && dims[0] == dims[1]) {
		v.add("group_by", "takes one or two different dimensions")
		return nil
	}
	for _, d := range dims {
		if _, ok := dimensions[d]; !ok {
			v.add("group_by", "must be one or two of "+strings.Join(dimensionNames, ", ")+" separated by a comma")
			return nil
		}
	}
	return dims
}

// Summary adds up the contracts u may see that the filters select, by
// the requested dimensions and currency.
//
// Counting rules: count and amount are the contracts' (amount is the
// contract amount). Invoiced, received and outstanding add up the
// milestones of each signed contract's current version (owes). Grouped by product line,
// amount is the sum of the contract's line totals in that line, so a
// contract with lines in two product lines counts its line amounts in
// each (together they are its amount), while count, invoiced, received and
// outstanding, which have no product line, are the whole contract's in
// each line it touches: across product lines those add up to more than
// the total, which is why totals are computed over contracts, not rows.
func (s *Service) Summary(ctx context.Context, u domain.User, in SummaryQuery) (Summary, error) {
	v := &invalid{}
	q := &query{}
	tz := literal(s.loc.String())
	visible := in.Filters.apply(v, q, u, s.today(), s.loc)
	scope(q, u)
	dims := parseGroupBy(v, in.GroupBy)
	if err := v.err(); err != nil {
		return Summary{}, err
	}
	out := Summary{GroupBy: dims, Rows: []SummaryRow{}, Totals: []Figures{}}
	if !visible {
		return out, nil
	}
	byLine := slices.Contains(dims, DimProductLine)
	var groups []dimension
	for _, d := range dims {
		dim := dimensions[d]
		groups = append(groups, dimension{strings.ReplaceAll(dim.key, "{tz}", tz), strings.ReplaceAll(dim.label, "{tz}", tz)})
	}
	err := s.heavyRead(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, figuresSQL(groups, byLine, q.clause()), q.args...)
		defer rows.Close()
		for rows.Next() {
			r := SummaryRow{Groups: make([]Group, len(dims))}
			dest := []any{}
			for i, d := range dims {
				r.Groups[i].Dimension = d
				dest = append(dest, &r.Groups[i].Key, &r.Groups[i].Label)
			}
			dest = append(dest, &r.Currency, &r.Count)
			dest = append(dest, sums(&r.Amount, &r.Invoiced, &r.Received, &r.Outstanding)...)
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			out.Rows = append(out.Rows, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if !byLine {
			// Each contract is in exactly one row: the totals add them up.
			var err error
			out.Totals, err = addUp(out.Rows)
			return err
		}
		// By product line a contract is a row in each of its lines, so the
		// totals, per currency over contracts, take a pass of their own.
		rows, _ = tx.Query(ctx, figuresSQL(nil, false, q.clause()), q.args...)
		totals, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Figures, error) {
			var f Figures
			return f, row.Scan(append([]any{&f.Currency, &f.Count}, sums(&f.Amount, &f.Invoiced, &f.Received, &f.Outstanding)...)...)
		})
		out.Totals = append(out.Totals, totals...)
		return err
	})
	if err != nil {
		return Summary{}, unavailable("summary", err)
	}
	return out, nil
}

// figuresSQL adds up the contracts (alias c) that where selects by the
// groups and currency: key, label, currency, count, amount, invoiced,
// received, outstanding. Contracts (count, amount) and their current
// version's milestones (the receivables) are grouped separately and
// joined on the group, so each side is one parallel scan and hash
// aggregate rather than a per-contract sum of milestones. byLine joins
// each contract's line totals per product line (alias pl, line name l).
func figuresSQL(groups []dimension, byLine bool, where string) string {
	var cols, keys, on, outer []string
	for i, g := range groups {
		cols = append(cols, fmt.Sprintf("%s AS k%d", g.key, i))
		keys = append(keys, fmt.Sprintf("k%d", i))
		on = append(on, fmt.Sprintf("ms.k%d = cs.k%d", i, i))
		outer = append(outer, fmt.Sprintf("cs.k%d, cs.l%d", i, i))
	}
	labels := ""
	for i, g := range groups {
		labels += fmt.Sprintf("max(%s) AS l%d, ", g.label, i)
	}
	// cur, not currency: milestones have a currency column too.
	keys = append(keys, "cur")
	cols = append(cols, "c.currency::text AS cur")
	on = append(on, "ms.cur = cs.cur")
	amount, lines := "c.amount", ""
	if byLine {
		amount = "coalesce(pl.amount, c.amount)"
		lines = ` LEFT JOIN (
			SELECT li.contract_number, li.version, p.line_id, sum(li.total) AS amount
			FROM contract_line_items li JOIN products p ON p.id = li.product_id
			GROUP BY li.contract_number, li.version, p.line_id
		) pl ON pl.contract_number = c.number AND pl.version = c.version
		LEFT JOIN product_lines l ON l.id = pl.line_id`
	}
	group := strings.Join(keys, ", ")
	return `WITH cs AS (
			SELECT ` + strings.Join(cols, ", ") + `, ` + labels + `count(*) AS n, sum(` + amount + `) AS amount
			FROM contracts c` + lines + where + ` GROUP BY ` + group + `
		), ms AS (
			SELECT ` + strings.Join(cols, ", ") + `, sum(pm.invoiced) AS invoiced, sum(pm.received) AS received,
				sum(pm.amount - pm.received) AS outstanding
			FROM payment_milestones pm JOIN contracts c ON c.number = pm.contract_number AND c.version = pm.version AND ` + owes + lines + where + `
			GROUP BY ` + group + `
		)
		SELECT ` + strings.Join(append(outer, "cs.cur"), ", ") + `, cs.n, cs.amount, coalesce(ms.invoiced, 0),
			coalesce(ms.received, 0), coalesce(ms.outstanding, 0)
		FROM cs LEFT JOIN ms ON ` + strings.Join(on, " AND ") + `
		ORDER BY ` + strings.Join(append(outerKeys(len(groups)), "cs.cur"), ", ")
}

func outerKeys(n int) []string {
	var keys []string
	for i := range n {
		keys = append(keys, fmt.Sprintf("cs.k%d", i))
	}
	return keys
}

// addUp totals rows per currency, in currency order, each sum checked.
func addUp(rows []SummaryRow) ([]Figures, error) {
	by := map[string]*Figures{}
	var order []string
	for _, r := range rows {
		f, ok := by[r.Currency]
		if !ok {
			f = &Figures{Currency: r.Currency}
			by[r.Currency] = f
			order = append(order, r.Currency)
		}
		f.Count += r.Count
		for _, p := range []struct {
			dst *int64
			v   int64
		}{
			{&f.Amount, r.Amount}, {&f.Invoiced, r.Invoiced}, {&f.Received, r.Received}, {&f.Outstanding, r.Outstanding},
		} {
			if err := add(p.dst, p.v); err != nil {
				return nil, err
			}
		}
	}
	slices.Sort(order)
	totals := []Figures{}
	for _, c := range order {
		totals = append(totals, *by[c])
	}
	return totals, nil
}

// StatusFigure is how many contracts of one status and currency there are
// and what they amount to.
type StatusFigure struct {
	Status   string
	Currency string
	Count    int64
	Amount   int64
}

// ByStatus counts the contracts u may see by status and currency with
// their amounts: the home page's figures. Unlike Summary it reads no
// receivables, so it is one scan of the contracts.
func (s *Service) ByStatus(ctx context.Context, u domain.User) ([]StatusFigure, error) {
	q := &query{}
	scope(q, u)
	rows, _ := s.db.Query(ctx, `SELECT c.status::text, c.currency::text, count(*), sum(c.amount)
		FROM contracts c`+q.clause()+` GROUP BY 1, 2 ORDER BY 1, 2`, q.args...)
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (StatusFigure, error) {
		var f StatusFigure
		return f, row.Scan(append([]any{&f.Status, &f.Currency, &f.Count}, sums(&f.Amount)...)...)
	})
	if err != nil {
		return nil, unavailable("contracts by status", err)
	}
	return list, nil
}
