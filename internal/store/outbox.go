package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/notify"
)

// Claim leases due deliveries (notify.Queue).
func (s *Store) Claim(ctx context.Context, limit int, lease time.Duration) ([]notify.Delivery, error) {
	rows, _ := s.pool.Query(ctx, `
		UPDATE notification_outbox o
		SET status = 'sending', attempts = o.attempts + 1, lease_until = now() + $2 * interval '1 microsecond'
		FROM (
			SELECT key FROM notification_outbox
			WHERE status IN ('pending', 'sending') AND next_attempt_at <= now()
			  AND (status = 'pending' OR lease_until < now())
			ORDER BY next_attempt_at
			LIMIT $1
			FOR UPDATE SKIP LOCKED
		) due
		WHERE o.key = due.key
		RETURNING o.key, coalesce(o.user_id, ''), o.channel, o.address, o.secret, o.message, o.attempts`, limit, lease.Microseconds())
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (notify.Delivery, error) {
		var d notify.Delivery
		err := row.Scan(&d.ID, &d.UserID, &d.Target.Channel, &d.Target.Address, &d.Target.Secret, &d.Message, &d.Attempts)
		return d, err
	})
	if err != nil {
		return nil, wrap("claim deliveries", err)
	}
	return list, nil
}

// Delivered records a sent delivery (notify.Queue).
func (s *Store) Delivered(ctx context.Context, key string) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE notification_outbox SET status = 'sent', sent_at = now(), lease_until = NULL, last_error = ''
		WHERE key = $1 AND status = 'sending'`, key)
	if err != nil {
		return wrap(fmt.Sprintf("mark %s sent", key), err)
	}
	return nil
}

// Failed records a failed attempt (notify.Queue).
func (s *Store) Failed(ctx context.Context, key, reason string, retryAt time.Time, dead bool) error {
	status := "pending"
	if dead {
		status, retryAt = "dead", time.Now()
	}
	_, err := s.pool.Exec(ctx, `
		UPDATE notification_outbox SET status = $2, next_attempt_at = $3, last_error = $4, lease_until = NULL
		WHERE key = $1 AND status = 'sending'`, key, status, retryAt, reason)
	if err != nil {
		return wrap(fmt.Sprintf("mark %s failed", key), err)
	}
	return nil
}

// OutboxEntry is a delivery as people read it: never its secret.
type OutboxEntry struct {
	ID string `json:"id" db:"id"`
	// Key is the delivery ID receivers see (X-Signet-Delivery, Message-ID).
	Key       string         `json:"key" db:"key"`
	UserID    string         `json:"user_id" db:"user_id"`
	Kind      string         `json:"kind" db:"kind"`
	Channel   string         `json:"channel" db:"channel"`
	Address   string         `json:"address" db:"address"`
	Message   notify.Message `json:"message" db:"message"`
	Status    string         `json:"status" db:"status"`
	Attempts  int            `json:"attempts" db:"attempts"`
	LastError string         `json:"last_error" db:"last_error"`
	CreatedAt time.Time      `json:"created_at" db:"created_at"`
	SentAt    *time.Time     `json:"sent_at" db:"sent_at"`
}

const outboxColumns = `id::text, key, coalesce(user_id, '') AS user_id, kind, channel, address, message, status, attempts, last_error, created_at, sent_at`

// OutboxFilter selects deliveries.
type OutboxFilter struct {
	UserID string
	Status string
	Limit  int
}

// Outbox lists deliveries, newest first.
func (s *Store) Outbox(ctx context.Context, f OutboxFilter) ([]OutboxEntry, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+outboxColumns+` FROM notification_outbox
		WHERE ($1 = '' OR user_id = $1) AND ($2 = '' OR status = $2)
		ORDER BY created_at DESC, key DESC LIMIT $3`, f.UserID, f.Status, f.Limit)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[OutboxEntry])
	if err != nil {
		return nil, wrap("list outbox", err)
	}
	return list, nil
}

// RetryDelivery puts a dead delivery back in the queue, with fresh attempts;
// domain.ErrNotFound for an unknown one, domain.ErrConflict unless dead.
func (s *Store) RetryDelivery(ctx context.Context, id string) (OutboxEntry, error) {
	var out OutboxEntry
	err := s.audited(ctx, "notification.retried", "notification", id, func(tx pgx.Tx) (any, any, error) {
		rows, _ := tx.Query(ctx, `SELECT `+outboxColumns+` FROM notification_outbox WHERE id = $1::uuid FOR UPDATE`, id)
		before, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[OutboxEntry])
		if err != nil {
			return nil, nil, wrap("", err)
		}
		if before.Status != "dead" {
			return nil, nil, &domain.Refusal{Kind: domain.RefusedConflict, Message: "the delivery is " + before.Status + "; only a dead letter can be retried"}
		}
		rows, _ = tx.Query(ctx, `UPDATE notification_outbox SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = ''
			WHERE id = $1::uuid RETURNING `+outboxColumns, id)
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[OutboxEntry])
		return map[string]string{"status": before.Status, "last_error": before.LastError}, map[string]string{"status": out.Status}, err
	})
	if err != nil {
		return OutboxEntry{}, wrap(fmt.Sprintf("retry delivery %s", id), err)
	}
	return out, nil
}

// OutboxCounts counts deliveries by status.
func (s *Store) OutboxCounts(ctx context.Context) (map[string]int, error) {
	rows, _ := s.pool.Query(ctx, `SELECT status, count(*)::int FROM notification_outbox GROUP BY status`)
	type count struct {
		Status string
		Count  int
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[count])
	if err != nil {
		return nil, wrap("outbox counts", err)
	}
	counts := map[string]int{"pending": 0, "sending": 0, "sent": 0, "dead": 0}
	for _, c := range list {
		counts[c.Status] = c.Count
	}
	return counts, nil
}

// OutboxChannel is the PostgreSQL notification channel a transaction that
// writes outbox rows notifies at its commit.
const OutboxChannel = "signet_outbox"

// ListenOutbox sends on wake (without blocking: one pending wake is enough)
// each time a transaction that wrote outbox rows commits, until ctx ends,
// so a dispatcher delivers a signing link or a task notice at once instead
// of at its next poll. It holds one connection of its own, outside the
// pool, and connects again (after retry) when that one is lost; the
// dispatcher's poll still finds what was written meanwhile. A connection
// pooler in transaction mode passes no notifications: then the poll alone
// delivers.
func (s *Store) ListenOutbox(ctx context.Context, wake chan<- struct{}, retry time.Duration, onErr func(error)) {
	for ctx.Err() == nil {
		err := s.listen(ctx, wake)
		if ctx.Err() != nil {
			return
		}
		onErr(err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(retry):
		}
	}
}

func (s *Store) listen(ctx context.Context, wake chan<- struct{}) error {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("connect to listen on %s: %w", OutboxChannel, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+OutboxChannel); err != nil {
		return fmt.Errorf("listen on %s: %w", OutboxChannel, err)
	}
	// Rows written before the LISTEN took are found by a drain now.
	notifyWake(wake)
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return fmt.Errorf("wait on %s: %w", OutboxChannel, err)
		}
		notifyWake(wake)
	}
}

func notifyWake(wake chan<- struct{}) {
	select {
	case wake <- struct{}{}:
	default:
	}
}
