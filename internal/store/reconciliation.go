package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Drift is one contract on which PostgreSQL and Temporal disagree.
type Drift struct {
	Number string `json:"number"`
	Reason string `json:"reason"`
}

// Reconciliation is one nightly comparison of PostgreSQL with Temporal.
type Reconciliation struct {
	StartedAt  time.Time `json:"started_at" db:"started_at"`
	FinishedAt time.Time `json:"finished_at" db:"finished_at"`
	Checked    int       `json:"checked" db:"checked"`
	Drift      []Drift   `json:"drift" db:"drift"`
}

// SaveReconciliation records a finished reconciliation.
func (s *Store) SaveReconciliation(ctx context.Context, r Reconciliation) error {
	if r.Drift == nil {
		r.Drift = []Drift{}
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO reconciliation_runs (started_at, finished_at, checked, drift) VALUES ($1, $2, $3, $4)`,
		r.StartedAt, r.FinishedAt, r.Checked, r.Drift)
	if err != nil {
		return wrap("save reconciliation", err)
	}
	return nil
}

// LastReconciliation returns the latest recorded reconciliation, or
// domain.ErrNotFound before the first.
func (s *Store) LastReconciliation(ctx context.Context) (Reconciliation, error) {
	rows, _ := s.pool.Query(ctx, `SELECT started_at, finished_at, checked, drift FROM reconciliation_runs ORDER BY id DESC LIMIT 1`)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Reconciliation])
	if err != nil {
		return Reconciliation{}, wrap("last reconciliation", err)
	}
	return r, nil
}
