package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/notify"
)

// Preference is one place a user wants to hear about things.
type Preference = notify.Preference

// NotificationSettings returns userID's preferences; saved is false when
// they never chose, and the default (email, when configured) applies.
func (s *Store) NotificationSettings(ctx context.Context, userID string) (prefs []Preference, saved bool, err error) {
	err = s.pool.QueryRow(ctx, `SELECT targets FROM notification_settings WHERE user_id = $1`, userID).Scan(&prefs)
	if errors.Is(err, pgx.ErrNoRows) {
		return []Preference{}, false, nil
	}
	if err != nil {
		return nil, false, wrap(fmt.Sprintf("notification settings of %s", userID), err)
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

// enqueue writes notices to the outbox inside tx. It reads their
// recipients and their preferences in the same transaction; notify.Route
// decides the rows and their keys, so writing them again changes nothing.
func (s *Store) enqueue(ctx context.Context, tx pgx.Tx, notices []notify.Notice, at time.Time) error {
	if len(notices) == 0 {
		return nil
	}
	ids := make([]string, 0, len(notices))
	for _, n := range notices {
		ids = append(ids, n.UserID)
	}
	rows, _ := tx.Query(ctx, `
		SELECT u.id, u.email, u.active, coalesce(ns.targets, '[]'::jsonb) AS targets, ns.user_id IS NOT NULL AS saved,
			coalesce(u.dingtalk_user_id, '') AS dingtalk_user_id, coalesce(u.wecom_user_id, '') AS wecom_user_id
		FROM users u LEFT JOIN notification_settings ns ON ns.user_id = u.id
		WHERE u.id = ANY($1)`, ids)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[notify.Recipient])
	if err != nil {
		return wrap("notice recipients", err)
	}
	if err := writeKept(ctx, tx, notify.Keep(notices, list, at)); err != nil {
		return err
	}
	return writeOutbox(ctx, tx, notify.Route(notices, list, notify.Routing{EmailByDefault: s.EmailByDefault, DingTalkCards: s.DingTalkCards, WeComCards: s.WeComCards}, at))
}

// writeKept writes in-app notices inside tx, each once by its key.
func writeKept(ctx context.Context, tx pgx.Tx, kept []notify.Kept) error {
	if len(kept) == 0 {
		return nil
	}
	batch := &pgx.Batch{}
	for _, k := range kept {
		batch.Queue(`INSERT INTO user_notices (user_id, key, kind, subject, body, link, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id, key) DO NOTHING`,
			k.UserID, k.Key, k.Kind, k.Subject, k.Text, k.Link, k.At)
	}
	return wrap("write in-app notices", tx.SendBatch(ctx, batch).Close())
}

// UserNotice is one notice in a user's in-app list.
type UserNotice struct {
	ID        int64      `db:"id"`
	Kind      string     `db:"kind"`
	Subject   string     `db:"subject"`
	Body      string     `db:"body"`
	Link      string     `db:"link"`
	CreatedAt time.Time  `db:"created_at"`
	ReadAt    *time.Time `db:"read_at"`
}

// NoticeFilter selects a page of a user's notices, newest first: those
// older than Before (an ID; 0: from the newest), unread ones only if
// Unread.
type NoticeFilter struct {
	UserID string
	Before int64
	Unread bool
	Limit  int
}

// UserNotices returns a page of a user's in-app notices and how many of
// all theirs are unread.
func (s *Store) UserNotices(ctx context.Context, f NoticeFilter) (list []UserNotice, unread int, err error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, kind, subject, body, link, created_at, read_at FROM user_notices
		WHERE user_id = $1 AND ($2 = 0 OR id < $2) AND (NOT $3 OR read_at IS NULL)
		ORDER BY id DESC LIMIT $4`, f.UserID, f.Before, f.Unread, f.Limit)
	list, err = pgx.CollectRows(rows, pgx.RowToStructByName[UserNotice])
	if err != nil {
		return nil, 0, wrap("notices of "+f.UserID, err)
	}
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM user_notices WHERE user_id = $1 AND read_at IS NULL`, f.UserID).Scan(&unread); err != nil {
		return nil, 0, wrap("unread notices of "+f.UserID, err)
	}
	return list, unread, nil
}

// MarkNoticesRead marks userID's notices read: those in ids, or every one
// up to and including through when ids is empty. Others' IDs change
// nothing. It returns how many stay unread.
func (s *Store) MarkNoticesRead(ctx context.Context, userID string, ids []int64, through int64) (unread int, err error) {
	err = s.pool.QueryRow(ctx, `WITH marked AS (
			UPDATE user_notices SET read_at = now() WHERE user_id = $1 AND read_at IS NULL
				AND (id = ANY($2) OR (coalesce(cardinality($2::bigint[]), 0) = 0 AND id <= $3)) RETURNING id)
		SELECT count(*) - (SELECT count(*) FROM marked) FROM user_notices WHERE user_id = $1 AND read_at IS NULL`,
		userID, ids, through).Scan(&unread)
	return unread, wrap("mark notices of "+userID+" read", err)
}

// writeOutbox writes outbox rows inside tx, each once by its key.
func writeOutbox(ctx context.Context, tx pgx.Tx, rows []notify.Outgoing) error {
	if len(rows) == 0 {
		return nil
	}
	batch := &pgx.Batch{}
	for _, o := range rows {
		batch.Queue(`
			INSERT INTO notification_outbox (key, user_id, kind, channel, address, secret, message, created_at, next_attempt_at)
			VALUES ($1, nullif($2, ''), $3, $4, $5, $6, $7, now(), now())
			ON CONFLICT (key) DO NOTHING`, o.Key, o.UserID, o.Message.Kind, o.Channel, o.Address, o.Secret, o.Message)
	}
	// Delivered at commit, to every dispatcher listening (ListenOutbox).
	batch.Queue(`SELECT pg_notify($1, '')`, OutboxChannel)
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return wrap("write outbox", err)
	}
	return nil
}

// EnqueueNotices writes notices on their own (the digest's).
func (s *Store) EnqueueNotices(ctx context.Context, notices []notify.Notice, at time.Time) error {
	return wrap("write notices", pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.enqueue(ctx, tx, notices, at) }))
}

// ContractSummary reads what a notice says about contract number.
func (s *Store) ContractSummary(ctx context.Context, number string) (notify.ContractSummary, error) {
	var c notify.ContractSummary
	err := s.pool.QueryRow(ctx, `SELECT number, title, customer_name, owner_id, amount, currency FROM contracts WHERE number = $1`, number).
		Scan(&c.Number, &c.Title, &c.CustomerName, &c.OwnerID, &c.Amount, &c.Currency)
	if err != nil {
		return c, wrap(fmt.Sprintf("summary of %s", number), err)
	}
	return c, nil
}

// Notify writes notices to the outbox in a transaction of their own.
func (s *Store) Notify(ctx context.Context, notices []notify.Notice, at time.Time) error {
	return wrap("write notices", pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.enqueue(ctx, tx, notices, at) }))
}

// CardTask reads what a task's approval card shows (notify.CardTasks):
// its contract, amount, customer, the round's risk level and its status.
func (s *Store) CardTask(ctx context.Context, id string) (notify.CardTask, error) {
	var t notify.CardTask
	err := s.pool.QueryRow(ctx, `
		SELECT t.id, t.status, c.number, c.title, c.customer_name, c.amount, c.currency,
			coalesce(r.route->'risk'->>'level', ''), t.decided_by_name
		FROM approval_tasks t JOIN contracts c ON c.number = t.contract_number
		LEFT JOIN approval_rounds r ON r.contract_number = t.contract_number AND r.round = t.round
		WHERE t.id = $1`, id).
		Scan(&t.ID, &t.Status, &t.ContractNumber, &t.Title, &t.Customer, &t.Amount.Amount, &t.Amount.Currency, &t.Risk, &t.DecidedBy)
	if err != nil {
		return t, wrap(fmt.Sprintf("card of task %s", id), err)
	}
	return t, nil
}

// SentCard reads the outbox row of key (notify.CardTasks): whether it was
// delivered, when, and the receipt kept with it.
func (s *Store) SentCard(ctx context.Context, key string) (notify.SentCard, error) {
	var c notify.SentCard
	var at *time.Time
	err := s.pool.QueryRow(ctx, `SELECT status = 'sent', sent_at, receipt FROM notification_outbox WHERE key = $1`, key).Scan(&c.Sent, &at, &c.Receipt)
	if errors.Is(err, pgx.ErrNoRows) {
		return notify.SentCard{}, nil
	}
	if at != nil {
		c.SentAt = *at
	}
	return c, wrap("delivery "+key, err)
}

// KeepReceipt keeps with delivery key what its answer said that a later
// delivery needs (notify.CardTasks): WeCom's response_code.
func (s *Store) KeepReceipt(ctx context.Context, key, receipt string) error {
	_, err := s.pool.Exec(ctx, `UPDATE notification_outbox SET receipt = $2 WHERE key = $1`, key, receipt)
	return wrap("keep receipt of "+key, err)
}

// closedCards are the card updates of tasks that closed
// (notify.ForClosedTasks), when cards are sent at all.
func (s *Store) closedCards(tasks []domain.ApprovalTask) []notify.Notice {
	if !s.DingTalkCards && !s.WeComCards {
		return nil
	}
	return notify.ForClosedTasks(tasks)
}
