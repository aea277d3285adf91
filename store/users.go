package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/domain"
)

// UserByToken returns the user a live bearer token belongs to, or
// domain.ErrNotFound for an unknown, expired or revoked token.
func (s *Store) UserByToken(ctx context.Context, token string) (domain.User, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT u.id, u.name, u.email, u.roles
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL
		  AND (t.expires_at IS NULL OR t.expires_at > now())`, HashToken(token))
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.User])
	if err != nil {
		return domain.User{}, fmt.Errorf("user by token: %w", notFound(err))
	}
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
		return fmt.Errorf("upsert user %s: %w", u.ID, err)
	}
	return nil
}

// AddToken stores the hash of a new bearer token for userID. A zero
// expiresAt means the token does not expire.
func (s *Store) AddToken(ctx context.Context, userID, token, label string, expiresAt time.Time) error {
	var exp *time.Time
	if !expiresAt.IsZero() {
		exp = &expiresAt
	}
	err := s.audited(ctx, "token.created", "user", userID, func(tx pgx.Tx) (any, any, error) {
		_, err := tx.Exec(ctx, `INSERT INTO api_tokens (token_hash, user_id, label, expires_at) VALUES ($1, $2, $3, $4)`,
			HashToken(token), userID, label, exp)
		// Never the token itself, nor its hash.
		return nil, map[string]any{"label": label, "expires_at": exp}, err
	})
	if err != nil {
		return fmt.Errorf("add token for %s: %w", userID, err)
	}
	return nil
}

// SetManager records who a user's manager is (escalations may go there).
func (s *Store) SetManager(ctx context.Context, userID, managerID string) error {
	if err := s.audited(ctx, "user.manager_set", "user", userID, func(tx pgx.Tx) (any, any, error) {
		_, err := tx.Exec(ctx, `UPDATE users SET manager_id = $2 WHERE id = $1`, userID, managerID)
		return nil, map[string]string{"manager_id": managerID}, err
	}); err != nil {
		return fmt.Errorf("set manager of %s: %w", userID, err)
	}
	return nil
}
