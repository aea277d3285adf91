package reports

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// LedgerRow is one contract in the ledger: its terms and where its money
// stands. Invoiced, received and outstanding add up the milestones of the
// contract's current version (outstanding = amount − received per
// milestone) once it is signed; an unsigned contract, or one without a
// payment plan, shows zeros.
type LedgerRow struct {
	Number       string        `json:"number"`
	Title        string        `json:"title"`
	CustomerID   string        `json:"customer_id"`
	CustomerName string        `json:"customer_name"`
	OwnerID      string        `json:"owner_id"`
	OwnerName    string        `json:"owner_name"`
	Type         string        `json:"type"`
	TypeName     string        `json:"type_name"`
	Amount       int64         `json:"amount"`
	Currency     string        `json:"currency"`
	SignedAt     *time.Time    `json:"signed_at"`
	SignedOn     string        `json:"signed_on"`
	StartDate    string        `json:"start_date"`
	EndDate      string        `json:"end_date"`
	Status       domain.Status `json:"status"`
	Invoiced     int64         `json:"invoiced"`
	Received     int64         `json:"received"`
	Outstanding  int64         `json:"outstanding"`
	Overdue      bool          `json:"overdue"`
	// ExternalIDs are the keys other systems know the contract by.
	ExternalIDs []domain.ExternalID `json:"external_ids"`
}

// LedgerQuery is GET /v1/reports/ledger: filters, a sort (a column name,
// "-" in front for descending; default -number), a cursor and a page size
// (default 50, at most MaxPageSize). Exports take every row and refuse
// cursor and limit.
type LedgerQuery struct {
	Filters
	Sort   string `form:"sort"`
	Cursor string `form:"cursor"`
	Limit  string `form:"limit"`
	Format string `form:"format"`
}

// Page sizes of the ledger.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// LedgerPage is one page of the ledger and the cursor of the next.
type LedgerPage struct {
	Items      []LedgerRow `json:"items"`
	NextCursor string      `json:"next_cursor,omitempty"`
}

// sortColumn is a column the ledger sorts on: its SQL (never from the
// request) and the type its cursor value is cast back to.
type sortColumn struct {
	expr, cast string
}

// sortColumns is the fixed list of sortable ledger columns. Unsigned
// contracts sort as signed at -infinity, so the key is never NULL and
// keyset paging holds.
var sortColumns = map[string]sortColumn{
	"number":      {"c.number", "text"},
	"title":       {"c.title", "text"},
	"customer":    {"c.customer_name", "text"},
	"owner":       {"c.owner_name", "text"},
	"type":        {"c.template_id", "text"},
	"amount":      {"c.amount", "bigint"},
	"currency":    {"c.currency::text", "text"},
	"signed_at":   {signedKey, "timestamptz"},
	"start_date":  {"c.start_date", "date"},
	"end_date":    {"c.end_date", "date"},
	"status":      {"c.status", "text"},
	"invoiced":    {"coalesce(m.invoiced, 0)", "bigint"},
	"received":    {"coalesce(m.received, 0)", "bigint"},
	"outstanding": {"coalesce(m.outstanding, 0)", "bigint"},
}

// cursor is where a page ended: the sort it belongs to, the last row's
// sort key (as PostgreSQL prints it) and number, the tie-breaker.
type cursor struct {
	Sort   string `json:"s"`
	Key    string `json:"k"`
	Number string `json:"n"`
}

func (c cursor) encode() string {
	raw, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func decodeCursor(s string) (cursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, false
	}
	var c cursor
	if json.Unmarshal(raw, &c) != nil || !domain.ValidContractNumber(c.Number) {
		return cursor{}, false
	}
	return c, true
}

// ledgerSQL selects the ledger rows: each contract with its template's
// name and the totals of its current version's milestones (joined as m by
// the milestones clause).
const ledgerSQL = `SELECT c.number, c.title, coalesce(c.customer_id::text, '') AS customer_id, c.customer_name,
	c.owner_id, c.owner_name, c.template_id AS type, coalesce(t.name, c.template_id) AS type_name,
	c.amount, c.currency, c.signed_at, c.start_date::text AS start_date, c.end_date::text AS end_date, c.status,
	coalesce(m.invoiced, 0) AS invoiced, coalesce(m.received, 0) AS received,
	coalesce(m.outstanding, 0) AS outstanding, coalesce(m.overdue, false) AS overdue,
	coalesce((SELECT jsonb_agg(jsonb_build_object('source', x.source, 'id', x.external_id) ORDER BY x.source)
		FROM external_ids x WHERE x.kind = 'contract' AND x.entity_id = c.number), '[]'::jsonb) AS external_ids, %s::text AS sort_key
FROM contracts c %s
LEFT JOIN templates t ON t.id = c.template_id AND t.version = c.template_version`

// milestoneTotals are the per-contract sums over the current version's
// milestones, as m, once it is signed (owes); sums are numeric (sums.go).
// A page sums each of its few contracts' milestones (LATERAL, by index);
// an export of every row joins the milestones summed once per contract
// instead of a lookup per row.
const (
	pageTotals = `LEFT JOIN LATERAL (
	SELECT sum(pm.invoiced) AS invoiced, sum(pm.received) AS received,
		sum(pm.amount - pm.received) AS outstanding,
		bool_or(pm.received < pm.amount AND pm.due_date < %[1]s) AS overdue
	FROM payment_milestones pm WHERE pm.contract_number = c.number AND pm.version = c.version AND ` + owes + `
) m ON true`
	exportTotals = `LEFT JOIN (
	SELECT pm.contract_number, pm.version, sum(pm.invoiced) AS invoiced, sum(pm.received) AS received,
		sum(pm.amount - pm.received) AS outstanding,
		bool_or(pm.received < pm.amount AND pm.due_date < %[1]s) AS overdue
	FROM payment_milestones pm GROUP BY pm.contract_number, pm.version
) m ON m.contract_number = c.number AND m.version = c.version AND ` + owes
)

// owes is the condition on a contract (alias c) under which its
// milestones are owed: once it is signed. A draft, a contract in review
// or cancelled owes nothing, and an amendment's plan counts only once it
// is signed and so the current version (c.version).
const owes = "c.signed_at IS NOT NULL"

// ledgerPlan is a checked ledger request turned into SQL.
type ledgerPlan struct {
	sql     string
	args    []any
	sort    string
	limit   int
	visible bool
}

// plan checks q and builds its SQL. Exports take no cursor and no limit.
func (s *Service) plan(u domain.User, in LedgerQuery, export bool) (ledgerPlan, error) {
	v := &invalid{}
	q := &query{}
	today := s.today()
	todayArg := q.arg(today)
	visible := in.Filters.apply(v, q, u, today, s.loc)
	scope(q, u)

	sortName, desc := strings.CutPrefix(in.Sort, "-")
	if in.Sort == "" {
		sortName, desc = "number", true
	}
	col, ok := sortColumns[sortName]
	if !ok {
		v.add("sort", "must be a ledger column, optionally with - in front: "+strings.Join(sortedNames(), ", "))
	}
	limit := DefaultPageSize
	switch {
	case export && in.Limit != "":
		v.add("limit", "is not taken by an export, which has every row the filters select")
	case in.Limit != "":
		n, err := strconv.Atoi(in.Limit)
		if err != nil || n < 1 || n > MaxPageSize {
			v.add("limit", fmt.Sprintf("must be a whole number from 1 to %d", MaxPageSize))
		}
		limit = n
	}
	op, dir := ">", "ASC"
	if desc {
		op, dir = "<", "DESC"
	}
	sortKey := in.Sort
	if sortKey == "" {
		sortKey = "-number"
	}
	if export && in.Cursor != "" {
		v.add("cursor", "is not taken by an export, which has every row the filters select")
	} else if in.Cursor != "" && ok {
		c, valid := decodeCursor(in.Cursor)
		switch {
		case !valid:
			v.add("cursor", "is not a cursor this ledger gave out")
		case c.Sort != sortKey:
			v.add("cursor", "belongs to sort "+c.Sort+"; page on with the same sort")
		default:
			key, ok := cursorKey(col.cast, c.Key)
			if !ok {
				v.add("cursor", "is not a cursor this ledger gave out")
				break
			}
			// Row comparison with the number as tie-breaker: rows inserted
			// after the cursor was made land before or after it, never
			// shifting what comes next.
			q.where("("+col.expr+", c.number) "+op+" (%s::"+col.cast+", %s)", key, c.Number)
		}
	}
	if err := v.err(); err != nil {
		return ledgerPlan{}, err
	}
	totals := pageTotals
	if export {
		totals = exportTotals
	}
	sql := fmt.Sprintf(ledgerSQL, col.expr, fmt.Sprintf(totals, todayArg)) + q.clause() +
		" ORDER BY " + col.expr + " " + dir + ", c.number " + dir
	if !export {
		sql += " LIMIT " + q.arg(limit+1)
	}
	return ledgerPlan{sql: sql, args: q.args, sort: sortKey, limit: limit, visible: visible}, nil
}

// cursorKey turns a cursor's sort key back into a typed value, so a
// tampered cursor is a 400 here rather than a cast error in PostgreSQL.
func cursorKey(cast, key string) (any, bool) {
	switch cast {
	case "bigint":
		n, err := strconv.ParseInt(key, 10, 64)
		return n, err == nil
	case "date":
		d, err := time.Parse(time.DateOnly, key)
		return d, err == nil
	case "timestamptz":
		if key == "-infinity" {
			return pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}, true
		}
		// PostgreSQL prints an offset as +08 or +05:30.
		for _, layout := range []string{"2006-01-02 15:04:05.999999-07", "2006-01-02 15:04:05.999999-07:00"} {
			if t, err := time.Parse(layout, key); err == nil {
				return t, true
			}
		}
		return nil, false
	default:
		return key, utf8.ValidString(key) && !strings.ContainsRune(key, 0)
	}
}

func sortedNames() []string {
	return []string{"number", "title", "customer", "owner", "type", "amount", "currency", "signed_at",
		"start_date", "end_date", "status", "invoiced", "received", "outstanding"}
}

// ledgerRecord is a ledger row with its sort key, as scanned.
type ledgerRecord struct {
	LedgerRow
	SortKey string `db:"sort_key"`
}

func (s *Service) scanLedger(row pgx.CollectableRow) (ledgerRecord, error) {
	var r ledgerRecord
	err := row.Scan(&r.Number, &r.Title, &r.CustomerID, &r.CustomerName, &r.OwnerID, &r.OwnerName, &r.Type, &r.TypeName,
		&r.Amount, &r.Currency, &r.SignedAt, &r.StartDate, &r.EndDate, &r.Status, sum{Dst: &r.Invoiced}, sum{Dst: &r.Received},
		sum{Dst: &r.Outstanding}, &r.Overdue, &r.ExternalIDs, &r.SortKey)
	if r.SignedAt != nil {
		r.SignedOn = r.SignedAt.In(s.loc).Format(time.DateOnly)
	}
	return r, err
}

// Ledger returns one page of the contracts u may see.
func (s *Service) Ledger(ctx context.Context, u domain.User, in LedgerQuery) (LedgerPage, error) {
	p, err := s.plan(u, in, false)
	if err != nil {
		return LedgerPage{}, err
	}
	page := LedgerPage{Items: []LedgerRow{}}
	if !p.visible {
		return page, nil
	}
	rows, _ := s.db.Query(ctx, p.sql, p.args...)
	recs, err := pgx.CollectRows(rows, s.scanLedger)
	if err != nil {
		return LedgerPage{}, unavailable("ledger", err)
	}
	if len(recs) > p.limit {
		recs = recs[:p.limit]
		last := recs[len(recs)-1]
		page.NextCursor = cursor{Sort: p.sort, Key: last.SortKey, Number: last.Number}.encode()
	}
	for _, r := range recs {
		page.Items = append(page.Items, r.LedgerRow)
	}
	return page, nil
}

// LedgerRows returns every ledger row the query selects, in its order, to
// be read one at a time: nothing holds them all. The query is checked
// first, so a bad parameter fails before anything is written.
func (s *Service) LedgerRows(ctx context.Context, u domain.User, in LedgerQuery) (*RowIter[LedgerRow], error) {
	p, err := s.plan(u, in, true)
	if err != nil {
		return nil, err
	}
	if !p.visible {
		return &RowIter[LedgerRow]{}, nil
	}
	rows, err := s.db.Query(ctx, p.sql, p.args...)
	if err != nil {
		return nil, unavailable("ledger export", err)
	}
	return &RowIter[LedgerRow]{rows: rows, scan: func(r pgx.CollectableRow) (LedgerRow, error) {
		rec, err := s.scanLedger(r)
		return rec.LedgerRow, err
	}}, nil
}

// RowIter reads query results one row at a time.
type RowIter[T any] struct {
	rows pgx.Rows
	scan func(pgx.CollectableRow) (T, error)
	cur  T
	err  error
	// started: Start has read the first row, which Next hands out first.
	started, ahead bool
}

// Start reads the first row, so a failing query shows before anything is
// written; Next then returns that row first.
func (it *RowIter[T]) Start() error {
	it.ahead = it.advance()
	it.started = true
	return it.Err()
}

// Next advances to the next row; false at the end or on an error.
func (it *RowIter[T]) Next() bool {
	if it.started {
		it.started = false
		return it.ahead
	}
	return it.advance()
}

func (it *RowIter[T]) advance() bool {
	if it.rows == nil || it.err != nil || !it.rows.Next() {
		return false
	}
	it.cur, it.err = it.scan(it.rows)
	return it.err == nil
}

// Row is the current row.
func (it *RowIter[T]) Row() T { return it.cur }

// Err is the error that ended the iteration, if any.
func (it *RowIter[T]) Err() error {
	if it.err != nil {
		return it.err
	}
	if it.rows != nil {
		if err := it.rows.Err(); err != nil {
			return unavailable("read rows", err)
		}
	}
	return nil
}

// Close releases the connection.
func (it *RowIter[T]) Close() {
	if it.rows != nil {
		it.rows.Close()
	}
}

// unavailable classifies a database failure the way the store does (an
// outage is domain.ErrUnavailable, bad data a validation error), so the
// API answers the same for a report as for any other read.
func unavailable(what string, err error) error {
	return fmt.Errorf("%s: %w", what, store.Classify(err))
}
