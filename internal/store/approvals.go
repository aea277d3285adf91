package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/policy"
)

// Delegation hands a user's new tasks to a delegate for a date range,
// until it is revoked.
type Delegation struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	DelegateID string     `json:"delegate_id"`
	StartsOn   string     `json:"starts_on"`
	EndsOn     string     `json:"ends_on"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

const delegationColumns = `id::text AS id, user_id, delegate_id, starts_on::text AS starts_on, ends_on::text AS ends_on, revoked_at`

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

// Delegations lists a user's delegations, revoked ones included.
func (s *Store) Delegations(ctx context.Context, userID string) ([]Delegation, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+delegationColumns+` FROM delegations WHERE user_id = $1 ORDER BY starts_on, id`, userID)
	ds, err := pgx.CollectRows(rows, pgx.RowToStructByName[Delegation])
	if err != nil {
		return nil, wrap(fmt.Sprintf("delegations of %s", userID), err)
	}
	return ds, nil
}

// Delegation returns one delegation, or domain.ErrNotFound.
func (s *Store) Delegation(ctx context.Context, id string) (Delegation, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+delegationColumns+` FROM delegations WHERE id::text = $1`, id)
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Delegation])
	if err != nil {
		return Delegation{}, wrap(fmt.Sprintf("delegation %s", id), err)
	}
	return d, nil
}

// RevokeDelegation marks a delegation revoked and returns it; revoking it
// again keeps the first time and writes nothing. domain.ErrNotFound when
// there is no such delegation.
func (s *Store) RevokeDelegation(ctx context.Context, id string) (Delegation, error) {
	var d Delegation
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+delegationColumns+` FROM delegations WHERE id::text = $1 FOR UPDATE`, id)
		var err error
		if d, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Delegation]); err != nil {
			return err
		}
		if d.RevokedAt != nil {
			return nil
		}
		before := d
		if err := tx.QueryRow(ctx, `UPDATE delegations SET revoked_at = greatest(now(), created_at) WHERE id::text = $1 RETURNING revoked_at`, id).
			Scan(&d.RevokedAt); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, "delegation.revoked", "delegation", d.ID, before, d)
	})
	if err != nil {
		return Delegation{}, wrap(fmt.Sprintf("revoke delegation %s", id), err)
	}
	return d, nil
}

// Candidate is someone a stage could go to (policy.Candidate).
type Candidate = policy.Candidate

// delegateOf selects, beside users u, the active delegate of the newest
// delegation of u that covers $day and is not revoked.
func delegateOf(day string) string {
	return `LEFT JOIN LATERAL (
			SELECT du.id, du.name, du.roles FROM delegations dl JOIN users du ON du.id = dl.delegate_id AND du.active
			WHERE dl.user_id = u.id AND dl.revoked_at IS NULL AND ` + day + `::date BETWEEN dl.starts_on AND dl.ends_on
			ORDER BY dl.created_at DESC LIMIT 1) d ON true`
}

func scanCandidates(rows pgx.Rows) ([]Candidate, error) {
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Candidate, error) {
		var c Candidate
		var dID, dName *string
		var dRoles []domain.Role
		if err := row.Scan(&c.ID, &c.Name, &c.Roles, &dID, &dName, &dRoles); err != nil {
			return c, err
		}
		if dID != nil {
			c.Delegate = &policy.Person{ID: *dID, Name: *dName, Roles: dRoles}
		}
		return c, nil
	})
}

// Candidates returns the active holders of role, or the named users who
// are active, sorted by ID, each with the delegate a delegation names for
// day (a date in the organisation's time zone).
func (s *Store) Candidates(ctx context.Context, role domain.Role, users []string, day string) ([]Candidate, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT u.id, u.name, u.roles, d.id, d.name, d.roles
		FROM users u `+delegateOf("$3")+`
		WHERE u.active AND (($1 <> '' AND $1 = ANY(u.roles)) OR u.id = ANY($2))
		ORDER BY u.id`, string(role), users, day)
	cs, err := scanCandidates(rows)
	if err != nil {
		return nil, wrap("approval candidates", err)
	}
	return cs, nil
}

// ManagerChain returns the active managers above userID, nearest first,
// each with the delegate a delegation names for day. The walk goes on
// through inactive managers and stops at a cycle.
func (s *Store) ManagerChain(ctx context.Context, userID, day string) ([]Candidate, error) {
	rows, _ := s.pool.Query(ctx, `
		WITH RECURSIVE up AS (
			SELECT m.id, m.manager_id, 1 AS depth, ARRAY[$1::text, m.id] AS path
			FROM users b JOIN users m ON m.id = b.manager_id WHERE b.id = $1
			UNION ALL
			SELECT m.id, m.manager_id, up.depth + 1, up.path || m.id
			FROM up JOIN users m ON m.id = up.manager_id WHERE NOT m.id = ANY(up.path)
		)
		SELECT u.id, u.name, u.roles, d.id, d.name, d.roles
		FROM up JOIN users u ON u.id = up.id `+delegateOf("$2")+`
		WHERE u.active
		ORDER BY up.depth`, userID, day)
	cs, err := scanCandidates(rows)
	if err != nil {
		return nil, wrap(fmt.Sprintf("managers of %s", userID), err)
	}
	return cs, nil
}

// ContractParties returns who owns and who drafted a contract.
func (s *Store) ContractParties(ctx context.Context, number string) (policy.Parties, error) {
	var p policy.Parties
	err := s.pool.QueryRow(ctx, `SELECT owner_id, coalesce(created_by, owner_id) FROM contracts WHERE number = $1`, number).
		Scan(&p.Owner, &p.Drafter)
	if err != nil {
		return p, wrap(fmt.Sprintf("parties of %s", number), err)
	}
	return p, nil
}

// HoldsOpenStep reports whether userID has a step of the contract still to
// take: an open approval task assigned to them, or a company signature of
// an open signing round that is theirs and not yet given.
func (s *Store) HoldsOpenStep(ctx context.Context, number, userID string) (bool, error) {
	var held bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM approval_tasks
			WHERE contract_number = $1 AND assignee_id = $2 AND assignee_id <> '' AND status = 'open')
		OR EXISTS (SELECT 1 FROM signing_signers
			WHERE contract_number = $1 AND user_id = $2 AND status IN ('waiting', 'open'))`, number, userID).Scan(&held)
	if err != nil {
		return false, wrap(fmt.Sprintf("open tasks of %s on %s", userID, number), err)
	}
	return held, nil
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
		// Tasks closing update their approval cards (notify.ForClosedTasks).
		return nil, tasks, s.enqueue(ctx, tx, append(notices, s.closedCards(tasks)...), time.Now())
	})
	if err != nil {
		return wrap("save tasks", err)
	}
	return nil
}
