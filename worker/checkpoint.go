package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/store"
)

// CheckpointLockKey keeps one checkpoint run at a time across worker
// replicas. It is the checkpoint's own key, apart from the audit trail's
// append lock and every other job's: holding it blocks no audited write.
const CheckpointLockKey = store.CheckpointLock

// LockStore runs a job under a session advisory lock.
type LockStore interface {
	WithAdvisoryLock(ctx context.Context, key int64, fn func(ctx context.Context) error) (bool, error)
}

// Checkpointer seals the audit chain's head into the checkpoint directory
// on a schedule (and once when the worker starts, so the rows chained
// before the audit key are vouched for from then on).
type Checkpointer struct {
	Store  LockStore
	Trail  *audit.Trail
	Logger *slog.Logger
}

// Run writes a checkpoint of the chain's head unless another replica is at
// it or the head has not moved. A chain that does not verify is not sealed:
// the error says where it breaks.
func (c *Checkpointer) Run(ctx context.Context, now time.Time) (cp audit.Checkpoint, written bool, err error) {
	ran, err := c.Store.WithAdvisoryLock(ctx, CheckpointLockKey, func(ctx context.Context) error {
		cp, written, err = c.Trail.Checkpoint(ctx, now)
		return err
	})
	if err != nil {
		return cp, false, fmt.Errorf("audit checkpoint: %w", err)
	}
	if !ran {
		c.Logger.Info("audit checkpoint skipped: another worker holds the lock")
	} else if written {
		c.Logger.Info("audit checkpoint written", "seq", cp.Seq, "dir", c.Trail.Checkpoints)
	}
	return cp, written, nil
}
