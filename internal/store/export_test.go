package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditedWithHold appends one audit entry about a bench object and keeps
// its transaction open for hold after it: the work a real write does
// after its entry (a transition's further statements, a slow disk), for
// which the entry's chain stays locked. Tests and benchmarks only.
func (s *Store) AuditedWithHold(ctx context.Context, objectID string, hold time.Duration) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.appendAudit(ctx, tx, "bench.write", "bench", objectID, nil, nil); err != nil {
			return err
		}
		time.Sleep(hold)
		return nil
	})
}
