package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/signet-clm/signet/internal/notify"
)

// DigestHorizonDays is how far ahead the digest looks for payments due and
// contracts ending.
const DigestHorizonDays = 30

// DigestStore is what the digest reads and writes.
type DigestStore interface {
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

// Run enqueues the digests of the day now falls on. Its schedule
// (JobDailyDigest) runs it once per day across replicas, and the outbox key
// (one digest per person and day) makes a second run of a day a no-op. It
// returns how many people have one.
func (d *Digester) Run(ctx context.Context, now time.Time) (int, error) {
	day := now.In(d.Location)
	lines, err := d.Store.DigestLines(ctx, day, DigestHorizonDays)
	if err != nil {
		return 0, fmt.Errorf("daily digest: %w", err)
	}
	notices := notify.ForDigests(day.Format(time.DateOnly), DigestHorizonDays, lines)
	if err := d.Store.EnqueueNotices(ctx, notices, now); err != nil {
		return 0, fmt.Errorf("daily digest: %w", err)
	}
	return len(notices), nil
}
