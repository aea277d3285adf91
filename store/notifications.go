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
		return wrap("notice recipients", err)
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
		return wrap("write outbox", err)
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
	return wrap("write notices", pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.enqueue(ctx, tx, notices, at) }))
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
		return c, wrap(fmt.Sprintf("summary of %s", number), err)
	}
	return c, nil
}

// Notify writes notices to the outbox in a transaction of their own.
func (s *Store) Notify(ctx context.Context, notices []notify.Notice, at time.Time) error {
	return wrap("write notices", pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.enqueue(ctx, tx, notices, at) }))
}
