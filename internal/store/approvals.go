package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/notify"
)

// Delegation hands a user's new tasks to a delegate for a date range.
type Delegation struct {
	ID         string `json:"id"`
	UserID     string `json:"user_id"`
	DelegateID string `json:"delegate_id"`
	StartsOn   string `json:"starts_on"`
	EndsOn     string `json:"ends_on"`
}

// AddDelegation stores a delegation.
func (s *Store) AddDelegation(ctx context.Context, d Delegation) error {
	err := s.audited(ctx, "delegation.added", "delegation", d.ID, func(tx pgx.Tx) (any, any, error) {
		_, err := tx.Exec(ctx, `INSERT INTO delegations (id, user_id, delegate_id, starts_on, ends_on) VALUES ($1, $2, $3, $4::date, $5::date)`,
			d.ID, d.UserID, d.DelegateID, d.StartsOn, d.EndsOn)
		return nil, d, err
	})
	if err != nil {
		return wrap("add delegation", err)
	}
	return nil
}

// Delegations lists a user's delegations.
func (s *Store) Delegations(ctx context.Context, userID string) ([]Delegation, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id::text AS id, user_id, delegate_id, starts_on::text AS starts_on, ends_on::text AS ends_on
		FROM delegations WHERE user_id = $1 ORDER BY starts_on, id`, userID)
	ds, err := pgx.CollectRows(rows, pgx.RowToStructByName[Delegation])
	if err != nil {
		return nil, wrap(fmt.Sprintf("delegations of %s", userID), err)
	}
	return ds, nil
}

// Approver is someone a task can be assigned to.
type Approver = domain.Approver

// ResolveApprovers returns the active holders of role, or the named users,
// sorted by ID, each replaced by their delegate when a delegation covers
// day (a date in the organisation's time zone).
func (s *Store) ResolveApprovers(ctx context.Context, role domain.Role, users []string, day string) ([]Approver, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT coalesce(d.id, u.id) AS id, coalesce(d.name, u.name) AS name,
		       CASE WHEN d.id IS NULL THEN '' ELSE u.id END AS delegated_from
		FROM users u
		LEFT JOIN LATERAL (
			SELECT du.id, du.name FROM delegations dl JOIN users du ON du.id = dl.delegate_id AND du.active
			WHERE dl.user_id = u.id AND $3::date BETWEEN dl.starts_on AND dl.ends_on
			ORDER BY dl.created_at DESC LIMIT 1) d ON true
		WHERE u.active AND (($1 <> '' AND $1 = ANY(u.roles)) OR u.id = ANY($2))
		ORDER BY u.id`, string(role), users, day)
	as, err := pgx.CollectRows(rows, pgx.RowToStructByName[Approver])
	if err != nil {
		return nil, wrap("resolve approvers", err)
	}
	return as, nil
}

// Managers returns the managers of the given users, sorted by ID.
func (s *Store) Managers(ctx context.Context, userIDs []string) ([]Approver, error) {
	rows, _ := s.pool.Query(ctx, `SELECT DISTINCT m.id, m.name, '' AS delegated_from FROM users u JOIN users m ON m.id = u.manager_id
		WHERE u.id = ANY($1) AND m.active ORDER BY m.id`, userIDs)
	as, err := pgx.CollectRows(rows, pgx.RowToStructByName[Approver])
	if err != nil {
		return nil, wrap("managers", err)
	}
	return as, nil
}

// Round is one review round as recorded.
type Round struct {
	ContractNumber string          `json:"contract_number"`
	Round          int             `json:"round"`
	PolicyID       string          `json:"policy_id"`
	PolicyVersion  int             `json:"policy_version"`
	Route          json.RawMessage `json:"route"`
	DocumentSHA256 string          `json:"document_sha256"`
	DocumentText   string          `json:"-"`
	Outcome        string          `json:"outcome"`
	StartedAt      time.Time       `json:"started_at"`
	ClosedAt       *time.Time      `json:"closed_at"`
}

// StartRound records a round's route; repeating it changes nothing.
func (s *Store) StartRound(ctx context.Context, r Round) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO approval_rounds (contract_number, round, policy_id, policy_version, route,
		document_sha256, document_text, started_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (contract_number, round) DO NOTHING`,
		r.ContractNumber, r.Round, r.PolicyID, r.PolicyVersion, r.Route, r.DocumentSHA256, r.DocumentText, r.StartedAt)
	if err != nil {
		return wrap(fmt.Sprintf("start round %d of %s", r.Round, r.ContractNumber), err)
	}
	return nil
}

// CloseRound records a round's outcome.
func (s *Store) CloseRound(ctx context.Context, number string, round int, outcome string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE approval_rounds SET outcome = $3, closed_at = $4 WHERE contract_number = $1 AND round = $2`,
		number, round, outcome, at)
	if err != nil {
		return wrap(fmt.Sprintf("close round %d of %s", round, number), err)
	}
	return nil
}

// Rounds returns a contract's review rounds in order.
func (s *Store) Rounds(ctx context.Context, number string) ([]Round, error) {
	rows, _ := s.pool.Query(ctx, `SELECT contract_number, round, policy_id, policy_version, route, document_sha256,
		document_text, outcome, started_at, closed_at FROM approval_rounds WHERE contract_number = $1 ORDER BY round`, number)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Round])
	if err != nil {
		return nil, wrap(fmt.Sprintf("rounds of %s", number), err)
	}
	return rs, nil
}

// SaveTasks upserts approval tasks, keyed by their IDs, and writes the
// notices announcing them (notify.ForTasks) in the same transaction.
func (s *Store) SaveTasks(ctx context.Context, tasks []domain.ApprovalTask, notices ...notify.Notice) error {
	if len(tasks) == 0 {
		return nil
	}
	err := s.audited(ctx, "approval_tasks.saved", "contract", tasks[0].ContractNumber, func(tx pgx.Tx) (any, any, error) {
		b := &pgx.Batch{}
		for _, t := range tasks {
			queueTask(b, t)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return nil, nil, err
		}
		return nil, tasks, s.enqueue(ctx, tx, notices, time.Now())
	})
	if err != nil {
		return wrap("save tasks", err)
	}
	return nil
}
