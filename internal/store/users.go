package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
)

// UserByToken returns the active user a live bearer token belongs to, or
// domain.ErrNotFound for an unknown, expired or revoked token or a
// deactivated user.
func (s *Store) UserByToken(ctx context.Context, token string) (domain.User, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT u.id, u.name, u.email, u.roles
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active
		  AND (t.expires_at IS NULL OR t.expires_at > now())`, HashToken(token))
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.User])
	if err != nil {
		return domain.User{}, wrap("user by token", err)
	}
	return s.withTeam(ctx, u)
}

// UserBySubject returns the active user linked to an OIDC subject (the sub
// claim of a verified JWT), or domain.ErrNotFound when no active user is.
func (s *Store) UserBySubject(ctx context.Context, subject string) (domain.User, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT id, name, email, roles FROM users
		WHERE oidc_subject = $1 AND active`, subject)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.User])
	if err != nil {
		return domain.User{}, wrap("user by subject", err)
	}
	return s.withTeam(ctx, u)
}

// UserByPlatform returns the active user whose DingTalk (platform
// "dingtalk") or WeCom ("wecom") user ID is id, or domain.ErrNotFound.
func (s *Store) UserByPlatform(ctx context.Context, platform, id string) (domain.User, error) {
	column := map[string]string{"dingtalk": "dingtalk_user_id", "wecom": "wecom_user_id"}[platform]
	if column == "" {
		return domain.User{}, domain.ErrNotFound
	}
	rows, _ := s.pool.Query(ctx, `SELECT id, name, email, roles FROM users WHERE `+column+` = $1 AND active`, id)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.User])
	if err != nil {
		return domain.User{}, wrap("user by "+platform+" id", err)
	}
	return s.withTeam(ctx, u)
}

// withTeam fills in a sales manager's team: everyone below them in the
// manager_id tree, however deep.
func (s *Store) withTeam(ctx context.Context, u domain.User) (domain.User, error) {
	if !u.Actor().Has(domain.RoleSalesManager) {
		return u, nil
	}
	rows, _ := s.pool.Query(ctx, `
		WITH RECURSIVE team AS (
			SELECT id FROM users WHERE manager_id = $1 AND id <> $1
			UNION
			SELECT u.id FROM users u JOIN team t ON u.manager_id = t.id
		)
		SELECT id FROM team WHERE id <> $1 ORDER BY id`, u.ID)
	team, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return domain.User{}, wrap(fmt.Sprintf("team of %s", u.ID), err)
	}
	u.Team = team
	return u, nil
}

// UpsertUser creates the user or updates its name, email and roles.
func (s *Store) UpsertUser(ctx context.Context, u domain.User) error {
	err := s.audited(ctx, "user.saved", "user", u.ID, func(tx pgx.Tx) (any, any, error) {
		_, err := tx.Exec(ctx, `
			INSERT INTO users (id, name, email, roles) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, roles = EXCLUDED.roles`,
			u.ID, u.Name, u.Email, u.Roles)
		return nil, u, err
	})
	if err != nil {
		return wrap(fmt.Sprintf("upsert user %s", u.ID), err)
	}
	return nil
}

// NewToken returns a fresh random bearer token: sgt_ and 32 random bytes.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "sgt_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// AddToken stores the hash of a new bearer token for userID and returns
// the token's ID. A zero expiresAt means the token does not expire.
func (s *Store) AddToken(ctx context.Context, userID, token, label string, expiresAt time.Time) (string, error) {
	var exp *time.Time
	if !expiresAt.IsZero() {
		exp = &expiresAt
	}
	var id string
	err := s.audited(ctx, "token.created", "user", userID, func(tx pgx.Tx) (any, any, error) {
		err := tx.QueryRow(ctx, `INSERT INTO api_tokens (token_hash, user_id, label, expires_at) VALUES ($1, $2, $3, $4) RETURNING id::text`,
			HashToken(token), userID, label, exp).Scan(&id)
		// Never the token itself, nor its hash.
		return nil, map[string]any{"id": id, "label": label, "expires_at": exp}, err
	})
	if err != nil {
		return "", wrap(fmt.Sprintf("add token for %s", userID), err)
	}
	return id, nil
}

// TokenInfo describes a token without revealing it.
type TokenInfo struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Label     string     `json:"label"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// Tokens lists a user's tokens, newest first.
func (s *Store) Tokens(ctx context.Context, userID string) ([]TokenInfo, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id::text AS id, user_id, label, created_at, expires_at, revoked_at
		FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id`, userID)
	ts, err := pgx.CollectRows(rows, pgx.RowToStructByName[TokenInfo])
	if err != nil {
		return nil, wrap(fmt.Sprintf("tokens of %s", userID), err)
	}
	return ts, nil
}

// RevokeToken revokes a token of userID; domain.ErrNotFound when userID
// has no such token. Revoking twice is a no-op.
func (s *Store) RevokeToken(ctx context.Context, userID, id string) error {
	return s.audited(ctx, "token.revoked", "user", userID, func(tx pgx.Tx) (any, any, error) {
		tag, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE user_id = $1 AND id::text = $2`, userID, id)
		if err == nil && tag.RowsAffected() == 0 {
			err = domain.ErrNotFound
		}
		return nil, map[string]string{"id": id}, err
	})
}

// SetManager records who a user's manager is (escalations may go there).
func (s *Store) SetManager(ctx context.Context, userID, managerID string) error {
	if err := s.audited(ctx, "user.manager_set", "user", userID, func(tx pgx.Tx) (any, any, error) {
		_, err := tx.Exec(ctx, `UPDATE users SET manager_id = $2 WHERE id = $1`, userID, managerID)
		return nil, map[string]string{"manager_id": managerID}, err
	}); err != nil {
		return wrap(fmt.Sprintf("set manager of %s", userID), err)
	}
	return nil
}

// Account is a user as admins manage it.
type Account struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Email       string        `json:"email"`
	Roles       []domain.Role `json:"roles"`
	ManagerID   *string       `json:"manager_id" db:"manager_id"`
	Active      bool          `json:"active"`
	OIDCSubject *string       `json:"oidc_subject" db:"oidc_subject"`
	// DingTalkUserID and WeComUserID are the user on each platform (the
	// userid its callbacks name): task notices go to them as cards.
	DingTalkUserID *string   `json:"dingtalk_user_id" db:"dingtalk_user_id"`
	WeComUserID    *string   `json:"wecom_user_id" db:"wecom_user_id"`
	CreatedAt      time.Time `json:"created_at" db:"created_at"`
}

const accountColumns = `id, name, email, roles, manager_id, active, oidc_subject, dingtalk_user_id, wecom_user_id, created_at`

// Accounts lists every user, by ID.
func (s *Store) Accounts(ctx context.Context) ([]Account, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+accountColumns+` FROM users ORDER BY id`)
	as, err := pgx.CollectRows(rows, pgx.RowToStructByName[Account])
	if err != nil {
		return nil, wrap("accounts", err)
	}
	return as, nil
}

// Account returns one user, or domain.ErrNotFound.
func (s *Store) Account(ctx context.Context, id string) (Account, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+accountColumns+` FROM users WHERE id = $1`, id)
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Account])
	if err != nil {
		return Account{}, wrap(fmt.Sprintf("account %s", id), err)
	}
	return a, nil
}

// ErrManagerCycle is a manager change that would make a user their own
// manager, directly or through others.
var ErrManagerCycle = errors.New("manager cycle")

// SaveAccount creates the account (create) or replaces an existing one's
// fields, auditing before and after. A taken ID, email or OIDC subject is
// ErrDuplicate; a manager chain leading back to the user, ErrManagerCycle;
// an unknown ID on update, domain.ErrNotFound.
func (s *Store) SaveAccount(ctx context.Context, a Account, create bool) error {
	action := "user.updated"
	if create {
		action = "user.created"
	}
	err := s.audited(ctx, action, "user", a.ID, func(tx pgx.Tx) (any, any, error) {
		var before any
		if create {
			_, err := tx.Exec(ctx, `INSERT INTO users (id, name, email, roles, manager_id, active, oidc_subject, dingtalk_user_id, wecom_user_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, a.ID, a.Name, a.Email, a.Roles, a.ManagerID, a.Active, a.OIDCSubject, a.DingTalkUserID, a.WeComUserID)
			if err != nil {
				return nil, nil, wrap("", err)
			}
		} else {
			rows, _ := tx.Query(ctx, `SELECT `+accountColumns+` FROM users WHERE id = $1 FOR UPDATE`, a.ID)
			old, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Account])
			if err != nil {
				return nil, nil, wrap("", err)
			}
			before = old
			if _, err := tx.Exec(ctx, `UPDATE users SET name = $2, email = $3, roles = $4, manager_id = $5, active = $6, oidc_subject = $7,
				dingtalk_user_id = $8, wecom_user_id = $9
				WHERE id = $1`, a.ID, a.Name, a.Email, a.Roles, a.ManagerID, a.Active, a.OIDCSubject, a.DingTalkUserID, a.WeComUserID); err != nil {
				return nil, nil, wrap("", err)
			}
		}
		if a.ManagerID != nil {
			// Walk up from the new manager; reaching the user is a cycle.
			// The row lock above serialises concurrent edits of this user.
			var cycle bool
			if err := tx.QueryRow(ctx, `
				WITH RECURSIVE up AS (
					SELECT id, manager_id FROM users WHERE id = $2
					UNION
					SELECT u.id, u.manager_id FROM users u JOIN up ON u.id = up.manager_id
				)
				SELECT EXISTS (SELECT 1 FROM up WHERE id = $1)`, a.ID, *a.ManagerID).Scan(&cycle); err != nil {
				return nil, nil, err
			}
			if cycle {
				return nil, nil, ErrManagerCycle
			}
		}
		return before, a, nil
	})
	if err != nil {
		return wrap(fmt.Sprintf("save account %s", a.ID), err)
	}
	return nil
}

// User returns one user.
func (s *Store) User(ctx context.Context, id string) (domain.User, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, name, email, roles FROM users WHERE id = $1`, id)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.User])
	if err != nil {
		return domain.User{}, wrap(fmt.Sprintf("user %s", id), err)
	}
	return u, nil
}

// UserActive reports whether a user exists and is active.
func (s *Store) UserActive(ctx context.Context, id string) (bool, error) {
	var active bool
	err := s.pool.QueryRow(ctx, `SELECT active FROM users WHERE id = $1`, id).Scan(&active)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return active, wrap("user "+id, err)
}
