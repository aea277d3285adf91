package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/domain"
	"github.com/signet-clm/signet/notify"
)

// Preference is one place a user wants to hear about things. Kinds limits
// it to some notice kinds; empty means all.
type Preference struct {
	Channel string   `json:"channel"`
	Address string   `json:"address"`
	Secret  string   `json:"secret,omitempty"`
	Kinds   []string `json:"kinds"`
}

// NotificationSettings returns userID's preferences; saved is false when
// they never chose, and the default (email, when configured) applies.
func (s *Store) NotificationSettings(ctx context.Context, userID string) (prefs []Preference, saved bool, err error) {
	err = s.pool.QueryRow(ctx, `SELECT targets FROM notification_settings WHERE user_id = $1`, userID).Scan(&prefs)
	if errors.Is(err, pgx.ErrNoRows) {
		return []Preference{}, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("notification settings of %s: %w", userID, err)
	}
	return prefs, true, nil
}

// SaveNotificationSettings replaces userID's preferences.
func (s *Store) SaveNotificationSettings(ctx context.Context, userID string, prefs []Preference) error {
	redacted := make([]Preference, len(prefs))
	for i, p := range prefs {
		p.Secret = ""
		redacted[i] = p
	}
	return s.audited(ctx, "notification_settings.saved", "user", userID, func(tx pgx.Tx) (any, any, error) {
		_, err := tx.Exec(ctx, `
			INSERT INTO notification_settings (user_id, targets, updated_at) VALUES ($1, $2, now())
			ON CONFLICT (user_id) DO UPDATE SET targets = EXCLUDED.targets, updated_at = now()`, userID, prefs)
		// The audit trail records where notices go, never the secrets.
		return nil, redacted, err
	})
}

// recipient is a user as the outbox needs them.
type recipient struct {
	ID      string
	Email   string
	Active  bool
	Targets []Preference
	Saved   bool
}

// enqueue writes notices to the outbox inside tx: one row per notice and
// target, keyed so that writing them again changes nothing.
func (s *Store) enqueue(ctx context.Context, tx pgx.Tx, notices []notify.Notice, at time.Time) error {
	if len(notices) == 0 {
		return nil
	}
	ids := make([]string, 0, len(notices))
	for _, n := range notices {
		ids = append(ids, n.UserID)
	}
	rows, _ := tx.Query(ctx, `
		SELECT u.id, u.email, u.active, coalesce(ns.targets, '[]'::jsonb) AS targets, ns.user_id IS NOT NULL AS saved
		FROM users u LEFT JOIN notification_settings ns ON ns.user_id = u.id
		WHERE u.id = ANY($1)`, ids)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[recipient])
	if err != nil {
		return fmt.Errorf("notice recipients: %w", err)
	}
	byID := make(map[string]recipient, len(list))
	for _, r := range list {
		byID[r.ID] = r
	}
	batch := &pgx.Batch{}
	for _, n := range notices {
		r, ok := byID[n.UserID]
		if !ok || !r.Active {
			continue
		}
		msg := notify.Message{Kind: n.Kind, Subject: n.Subject, Text: n.Text, Link: n.Link, At: at, Data: n.Data}
		for _, p := range s.targets(r) {
			if len(p.Kinds) > 0 && !slices.Contains(p.Kinds, n.Kind) {
				continue
			}
			sum := sha256.Sum256([]byte(p.Channel + "\x00" + p.Address))
			key := n.Key + "/" + p.Channel + "/" + hex.EncodeToString(sum[:6])
			batch.Queue(`
				INSERT INTO notification_outbox (key, user_id, kind, channel, address, secret, message, created_at, next_attempt_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now())
				ON CONFLICT (key) DO NOTHING`, key, n.UserID, n.Kind, p.Channel, p.Address, p.Secret, msg)
		}
	}
	if batch.Len() == 0 {
		return nil
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("write outbox: %w", err)
	}
	return nil
}

// targets is where r hears about things: their choice, or by default
// their email address when the store mails by default.
func (s *Store) targets(r recipient) []Preference {
	if r.Saved {
		return r.Targets
	}
	if s.EmailByDefault && r.Email != "" {
		return []Preference{{Channel: notify.ChannelEmail, Address: r.Email}}
	}
	return nil
}

// EnqueueNotices writes notices on their own (the digest's).
func (s *Store) EnqueueNotices(ctx context.Context, notices []notify.Notice, at time.Time) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.enqueue(ctx, tx, notices, at) })
}

// enqueueTasks announces the tasks that need someone now.
func (s *Store) enqueueTasks(ctx context.Context, tx pgx.Tx, number string, tasks []domain.ApprovalTask, at time.Time) error {
	if !slices.ContainsFunc(tasks, func(t domain.ApprovalTask) bool { return t.Status == domain.TaskOpen && t.AssigneeID != "" }) {
		return nil
	}
	c, err := contractSummary(ctx, tx, number)
	if err != nil {
		return err
	}
	return s.enqueue(ctx, tx, notify.ForTasks(c, tasks), at)
}

// contractSummary reads what a notice says about contract number.
func contractSummary(ctx context.Context, tx pgx.Tx, number string) (notify.ContractSummary, error) {
	var c notify.ContractSummary
	err := tx.QueryRow(ctx, `SELECT number, title, customer_name, owner_id, amount, currency FROM contracts WHERE number = $1`, number).
		Scan(&c.Number, &c.Title, &c.CustomerName, &c.OwnerID, &c.Amount, &c.Currency)
	if err != nil {
		return c, fmt.Errorf("summary of %s: %w", number, notFound(err))
	}
	return c, nil
}

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
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (notify.Delivery, error) {
		var d notify.Delivery
		err := row.Scan(&d.ID, &d.UserID, &d.Target.Channel, &d.Target.Address, &d.Target.Secret, &d.Message, &d.Attempts)
		return d, err
	})
}

// Delivered records a sent delivery (notify.Queue).
func (s *Store) Delivered(ctx context.Context, key string) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE notification_outbox SET status = 'sent', sent_at = now(), lease_until = NULL, last_error = ''
		WHERE key = $1 AND status = 'sending'`, key)
	if err != nil {
		return fmt.Errorf("mark %s sent: %w", key, err)
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
		return fmt.Errorf("mark %s failed: %w", key, err)
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
		return nil, fmt.Errorf("list outbox: %w", err)
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
			return nil, nil, notFound(err)
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
		return OutboxEntry{}, fmt.Errorf("retry delivery %s: %w", id, err)
	}
	return out, nil
}

// DigestLine is one item of someone's daily digest.
type DigestLine struct {
	UserID         string     `db:"user_id"`
	Section        string     `db:"section"`
	ContractNumber string     `db:"contract_number"`
	Title          string     `db:"title"`
	Detail         string     `db:"detail"`
	Due            *time.Time `db:"due"`
	// Outstanding and Currency are a payment line's.
	Outstanding int64  `db:"outstanding"`
	Currency    string `db:"currency"`
}

// Digest sections.
const (
	DigestTasks    = "tasks"
	DigestPayments = "payments"
	DigestExpiring = "expiring"
)

// DigestLines lists, for every active user, the tasks waiting for them
// (assigned to them, or to a role they hold when unassigned), the unpaid
// milestones of their signed contracts due within `within` of day or
// already overdue, and their active contracts that end within `within`.
func (s *Store) DigestLines(ctx context.Context, day time.Time, within int) ([]DigestLine, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT u.id AS user_id, 'tasks' AS section, t.contract_number, c.title,
			coalesce(nullif(t.stage_name, ''), t.role) AS detail, t.due_at AS due, 0::bigint AS outstanding, '' AS currency
		FROM approval_tasks t
		JOIN contracts c ON c.number = t.contract_number
		JOIN users u ON u.active AND (u.id = t.assignee_id OR (t.assignee_id = '' AND t.role = ANY(u.roles)))
		WHERE t.status = 'open'
		UNION ALL
		SELECT c.owner_id, 'payments', c.number, c.title,
			format('第%s期 %s 到期', m.seq, m.due_date), m.due_date::timestamptz, m.amount - m.received, m.currency::text
		FROM payment_milestones m
		JOIN contracts c ON c.number = m.contract_number AND c.version = m.version
		JOIN users u ON u.id = c.owner_id AND u.active
		WHERE m.received < m.amount AND c.status IN ('active', 'expired', 'renewed') AND m.due_date <= $1::date + $2::int
		UNION ALL
		SELECT c.owner_id, 'expiring', c.number, c.title, c.end_date::text, c.expires_at, 0, ''
		FROM contracts c JOIN users u ON u.id = c.owner_id AND u.active
		WHERE c.status = 'active' AND c.end_date <= $1::date + $2::int
		ORDER BY user_id, section DESC, due NULLS LAST, contract_number, detail`, day.Format(time.DateOnly), within)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[DigestLine])
	if err != nil {
		return nil, fmt.Errorf("digest lines: %w", err)
	}
	return list, nil
}

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
		return fmt.Errorf("save reconciliation: %w", err)
	}
	return nil
}

// LastReconciliation returns the latest recorded reconciliation, or
// domain.ErrNotFound before the first.
func (s *Store) LastReconciliation(ctx context.Context) (Reconciliation, error) {
	rows, _ := s.pool.Query(ctx, `SELECT started_at, finished_at, checked, drift FROM reconciliation_runs ORDER BY id DESC LIMIT 1`)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Reconciliation])
	if err != nil {
		return Reconciliation{}, fmt.Errorf("last reconciliation: %w", notFound(err))
	}
	return r, nil
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
		return nil, fmt.Errorf("outbox counts: %w", err)
	}
	counts := map[string]int{"pending": 0, "sending": 0, "sent": 0, "dead": 0}
	for _, c := range list {
		counts[c.Status] = c.Count
	}
	return counts, nil
}

// Notify writes notices to the outbox in a transaction of their own.
func (s *Store) Notify(ctx context.Context, notices []notify.Notice, at time.Time) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.enqueue(ctx, tx, notices, at) })
}
