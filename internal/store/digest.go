package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/notify"
)

// DigestLine is one item of someone's daily digest (notify words it).
type DigestLine = notify.DigestLine

// Digest sections.
const (
	DigestTasks    = notify.DigestTasks
	DigestPayments = notify.DigestPayments
	DigestExpiring = notify.DigestExpiring
)

// DigestLines lists, for every active user, the tasks waiting for them
// (assigned to them, or to a role they hold when unassigned), the unpaid
// milestones of their signed contracts due within `within` of day or
// already overdue, and their active contracts that end within `within`.
func (s *Store) DigestLines(ctx context.Context, day time.Time, within int) ([]DigestLine, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT u.id AS user_id, 'tasks' AS section, t.contract_number, c.title,
			coalesce(nullif(t.stage_name, ''), t.role) AS detail, t.due_at AS due, 0 AS seq, 0::bigint AS outstanding, '' AS currency
		FROM approval_tasks t
		JOIN contracts c ON c.number = t.contract_number
		JOIN users u ON u.active AND (u.id = t.assignee_id OR (t.assignee_id = '' AND t.role = ANY(u.roles)))
		WHERE t.status = 'open'
		UNION ALL
		SELECT c.owner_id, 'payments', c.number, c.title,
			m.due_date::text, m.due_date::timestamptz, m.seq, m.amount - m.received, m.currency::text
		FROM payment_milestones m
		JOIN contracts c ON c.number = m.contract_number AND c.version = m.version
		JOIN users u ON u.id = c.owner_id AND u.active
		WHERE m.received < m.amount AND c.status IN ('active', 'expired', 'renewed') AND m.due_date <= $1::date + $2::int
		UNION ALL
		SELECT c.owner_id, 'expiring', c.number, c.title, c.end_date::text, c.expires_at, 0, 0, ''
		FROM contracts c JOIN users u ON u.id = c.owner_id AND u.active
		WHERE c.status = 'active' AND c.end_date <= $1::date + $2::int
		ORDER BY user_id, section DESC, due NULLS LAST, contract_number, seq, detail`, day.Format(time.DateOnly), within)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[DigestLine])
	if err != nil {
		return nil, wrap("digest lines", err)
	}
	return list, nil
}
