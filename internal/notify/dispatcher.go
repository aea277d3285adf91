package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Delivery is one outbox row: a message for one target.
type Delivery struct {
	ID       string
	UserID   string
	Target   Target
	Message  Message
	Attempts int
}

// Queue is the outbox as the dispatcher sees it.
type Queue interface {
	// Claim leases up to limit due deliveries, counting an attempt on each.
	// A lease that runs out (its dispatcher died) makes the row due again.
	Claim(ctx context.Context, limit int, lease time.Duration) ([]Delivery, error)
	Delivered(ctx context.Context, id string) error
	// Failed records a failed attempt: due again at retryAt, or dead.
	Failed(ctx context.Context, id, reason string, retryAt time.Time, dead bool) error
}

// DefaultBackoff is the wait before each retry; a delivery that has failed
// once more than it lists is dead-lettered (about nine hours in all).
var DefaultBackoff = []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}

// Dispatcher delivers the outbox. Any number may run against one outbox:
// a claimed row is leased to one of them.
type Dispatcher struct {
	Queue   Queue
	Senders map[string]Sender
	// BaseURL makes notices' links absolute.
	BaseURL string
	Backoff []time.Duration
	// Lease must outlast SendTimeout, or a slow send could be claimed twice.
	Lease       time.Duration
	SendTimeout time.Duration
	Poll        time.Duration
	// Wake, if set, ends a wait for the next poll early: the outbox has
	// new rows (store.ListenOutbox).
	Wake   <-chan struct{}
	Batch  int
	Logger *slog.Logger
}

// NewDispatcher returns a dispatcher with the default timings.
func NewDispatcher(q Queue, senders map[string]Sender, baseURL string, logger *slog.Logger) *Dispatcher {
	return &Dispatcher{
		Queue: q, Senders: senders, BaseURL: strings.TrimRight(baseURL, "/"), Backoff: DefaultBackoff,
		Lease: 2 * time.Minute, SendTimeout: 30 * time.Second, Poll: 2 * time.Second, Batch: 20, Logger: logger,
	}
}

// Run delivers until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	for {
		n, err := d.Drain(ctx)
		if err != nil && ctx.Err() == nil {
			d.Logger.Error("notification dispatch", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-d.Wake:
		case <-time.After(d.Poll):
		}
	}
}

// Drain makes one pass: it claims a batch and tries each delivery once.
func (d *Dispatcher) Drain(ctx context.Context) (int, error) {
	batch, err := d.Queue.Claim(ctx, d.Batch, d.Lease)
	if err != nil {
		return 0, fmt.Errorf("claim deliveries: %w", err)
	}
	for _, dl := range batch {
		if err := d.deliver(ctx, dl); err != nil {
			return len(batch), err
		}
	}
	return len(batch), nil
}

func (d *Dispatcher) deliver(ctx context.Context, dl Delivery) error {
	m := dl.Message
	m.ID = dl.ID
	if m.Link != "" && strings.HasPrefix(m.Link, "/") {
		m.Link = d.BaseURL + m.Link
	}
	var sendErr error
	if s, ok := d.Senders[dl.Target.Channel]; ok {
		sctx, cancel := context.WithTimeout(ctx, d.SendTimeout)
		sendErr = s.Send(sctx, dl.Target, m)
		cancel()
	} else {
		sendErr = fmt.Errorf("%w: channel %s is not configured", ErrPermanent, dl.Target.Channel)
	}
	if ctx.Err() != nil {
		// Stopping: the lease runs out and another run retries the row.
		return ctx.Err()
	}
	if sendErr == nil {
		return d.Queue.Delivered(ctx, dl.ID)
	}
	dead := errors.Is(sendErr, ErrPermanent) || dl.Attempts > len(d.Backoff)
	var retryAt time.Time
	if !dead {
		retryAt = time.Now().Add(d.Backoff[dl.Attempts-1])
	}
	d.Logger.Warn("notification not delivered", "id", dl.ID, "channel", dl.Target.Channel, "attempt", dl.Attempts, "dead", dead, "err", sendErr)
	return d.Queue.Failed(ctx, dl.ID, truncate(sendErr.Error(), 500), retryAt, dead)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
