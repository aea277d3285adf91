// Package reports reads the contract ledger (合同台账) and the figures
// built on it — amounts by dimension, receivables aging, approval cycle
// times, the renewal pipeline — scoped to what the caller may see, and
// writes any of them as CSV, XLSX or an SVG chart.
//
// Every query is parameterised; the only SQL text a request chooses comes
// from fixed whitelists (sort columns, dimensions), so a filter value that
// looks like SQL is just a value.
package reports

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
)

// DB is the part of a pgx pool the reports read through.
type DB interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

// Service answers report queries.
type Service struct {
	db  DB
	loc *time.Location
	now func() time.Time
}

// New returns a service reading db; calendar dates (signed on, today, due)
// are taken in loc.
func New(db DB, loc *time.Location) *Service {
	return &Service{db: db, loc: loc, now: time.Now}
}

// heavyRead runs fn in a read-only transaction tuned for a query that
// reads every contract (the figures, the aging): enough work_mem to group
// and hash a million rows in memory rather than in temporary files, and no
// JIT, which over 1,000,000 contracts spent about a second compiling
// cheap expressions of a 4.5 s query (see the benchmark's plans).
func (s *Service) heavyRead(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, s.db, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		for _, set := range []string{`SET LOCAL work_mem = '64MB'`, `SET LOCAL jit = off`} {
			if _, err := tx.Exec(ctx, set); err != nil {
				return err
			}
		}
		return fn(tx)
	})
}

// today is the current calendar date in the configured time zone.
func (s *Service) today() time.Time {
	y, m, d := s.now().In(s.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// query is a WHERE clause under construction with its positional arguments.
type query struct {
	conds []string
	args  []any
}

// arg adds a value and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// where adds a condition; each %s in cond is replaced by the placeholder
// of the matching value.
func (q *query) where(cond string, vals ...any) {
	ph := make([]any, len(vals))
	for i, v := range vals {
		ph[i] = q.arg(v)
	}
	q.conds = append(q.conds, fmt.Sprintf(cond, ph...))
}

func (q *query) clause() string {
	if len(q.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.conds, " AND ")
}

// scope limits q to the contracts (alias c) u may see.
func scope(q *query, u domain.User) {
	if owners := u.Owners(); owners != nil {
		q.where("c.owner_id = ANY(%s)", owners)
	}
}

// invalid collects the parameters at fault in one request.
type invalid struct{ domain.ValidationError }

func (v *invalid) add(param, msg string) { v.Add(param, msg) }

func (v *invalid) err() error { return v.OrNil() }

// date parses an optional YYYY-MM-DD parameter.
func (v *invalid) date(param, s string) *time.Time {
	if s == "" {
		return nil
	}
	t, err := domain.ParseDate(s)
	if err != nil {
		v.add(param, fmt.Sprintf("must be a date YYYY-MM-DD from year %d", domain.MinYear))
		return nil
	}
	return &t
}

// amount parses an optional amount in minor units.
func (v *invalid) amount(param, s string) *int64 {
	if s == "" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > domain.MaxAmount {
		v.add(param, "must be a whole number of minor units (fen, cents) from 0 to 10^15")
		return nil
	}
	return &n
}

// dateRange parses from/to and refuses a reversed range, naming to.
func (v *invalid) dateRange(fromParam, from, toParam, to string) (*time.Time, *time.Time) {
	f, t := v.date(fromParam, from), v.date(toParam, to)
	if f != nil && t != nil && t.Before(*f) {
		v.add(toParam, "must not be before "+fromParam)
	}
	return f, t
}

// text checks a free-text filter's length.
func (v *invalid) text(param, s string, max int) string {
	if len([]rune(s)) > max {
		v.add(param, fmt.Sprintf("must be at most %d characters", max))
	}
	return s
}

// oneOf checks an enumerated parameter.
func (v *invalid) oneOf(param, s, def string, allowed ...string) string {
	if s == "" {
		return def
	}
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	v.add(param, "must be one of: "+strings.Join(allowed, ", "))
	return def
}

// escapeLike makes s match literally inside an ILIKE pattern.
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// literal quotes a configured value (the time zone's name, never request
// input) as an SQL string literal, for queries whose parameters are
// shared with others that do not use it.
func literal(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
