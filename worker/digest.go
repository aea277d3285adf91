package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/store"
)

// DigestLockKey keeps one digest run at a time across worker replicas; the
// outbox key (one digest per person and day) makes a second run a no-op
// even without it.
const DigestLockKey = store.DigestLock

// DigestHorizonDays is how far ahead the digest looks for payments due and
// contracts ending.
const DigestHorizonDays = 30

// DigestStore is what the digest reads and writes.
type DigestStore interface {
	WithAdvisoryLock(ctx context.Context, key int64, fn func(ctx context.Context) error) (bool, error)
	DigestLines(ctx context.Context, day time.Time, within int) ([]notify.DigestLine, error)
	EnqueueNotices(ctx context.Context, notices []notify.Notice, at time.Time) error
}

// Digester sends each person one morning summary of what waits for them
// (notify words it).
type Digester struct {
	Store    DigestStore
	Location *time.Location
	Logger   *slog.Logger
}

// Run enqueues today's digests, unless another replica is at it. It
// returns how many people have one.
func (d *Digester) Run(ctx context.Context, now time.Time) (int, error) {
	sent := 0
	ran, err := d.Store.WithAdvisoryLock(ctx, DigestLockKey, func(ctx context.Context) error {
		day := now.In(d.Location)
		lines, err := d.Store.DigestLines(ctx, day, DigestHorizonDays)
		if err != nil {
			return err
		}
		notices := notify.ForDigests(day.Format(time.DateOnly), DigestHorizonDays, lines)
		sent = len(notices)
		return d.Store.EnqueueNotices(ctx, notices, now)
	})
	if err != nil {
		return 0, fmt.Errorf("daily digest: %w", err)
	}
	if !ran {
		d.Logger.Info("daily digest skipped: another worker holds the lock")
	}
	return sent, nil
}
