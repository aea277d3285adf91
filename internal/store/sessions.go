package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
)

// Credential is a user's stored password hash and the state of their
// recent sign-in attempts.
type Credential struct {
	UserID       string
	Hash         string
	FailedLogins int
	LockedUntil  *time.Time
}

// CredentialByLogin returns the active user whose ID or email is login
// (case-insensitive) with their password, if one is set: ok is false for
// no such active user; Credential.Hash is empty when no password is set.
func (s *Store) CredentialByLogin(ctx context.Context, login string) (domain.User, Credential, bool, error) {
	var u domain.User
	var c Credential
	var hash *string
	err := s.pool.QueryRow(ctx, `
		SELECT u.id, u.name, u.email, u.roles, p.hash, coalesce(p.failed_logins, 0), p.locked_until
		FROM users u LEFT JOIN user_passwords p ON p.user_id = u.id
		WHERE (u.id = $1 OR u.email = lower($1)) AND u.active
		ORDER BY u.id = $1 DESC LIMIT 1`, strings.TrimSpace(login)).
		Scan(&u.ID, &u.Name, &u.Email, &u.Roles, &hash, &c.FailedLogins, &c.LockedUntil)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.User{}, Credential{}, false, nil
	}
	if err != nil {
		return domain.User{}, Credential{}, false, wrap("credential by login", err)
	}
	c.UserID = u.ID
	if hash != nil {
		c.Hash = *hash
	}
	return u, c, true, nil
}

// Credential returns one user's password state; Hash is empty when none
// is set.
func (s *Store) Credential(ctx context.Context, userID string) (Credential, error) {
	c := Credential{UserID: userID}
	err := s.pool.QueryRow(ctx, `SELECT hash, failed_logins, locked_until FROM user_passwords WHERE user_id = $1`, userID).
		Scan(&c.Hash, &c.FailedLogins, &c.LockedUntil)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, nil
	}
	return c, wrap("credential of "+userID, err)
}

// SetPassword stores a new password hash for userID (set by setBy),
// clears failed attempts and ends the user's sessions except keep (the
// session whose ID hash it is, nil for none): whoever held the old
// password is signed out. The audit entry never holds the hash.
func (s *Store) SetPassword(ctx context.Context, userID, hash, setBy string, keep []byte) error {
	err := s.audited(ctx, "user.password_set", "user", userID, func(tx pgx.Tx) (any, any, error) {
		tag, err := tx.Exec(ctx, `
			INSERT INTO user_passwords (user_id, hash, set_by)
			SELECT id, $2, $3 FROM users WHERE id = $1
			ON CONFLICT (user_id) DO UPDATE SET hash = EXCLUDED.hash, set_by = EXCLUDED.set_by,
				changed_at = now(), failed_logins = 0, locked_until = NULL`, userID, hash, setBy)
		if err != nil {
			return nil, nil, err
		}
		if tag.RowsAffected() == 0 {
			return nil, nil, domain.ErrNotFound
		}
		ended, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND ($2::bytea IS NULL OR id_hash <> $2)`, userID, keep)
		if err != nil {
			return nil, nil, err
		}
		return nil, map[string]any{"set_by": setBy, "sessions_ended": ended.RowsAffected()}, nil
	})
	if err != nil {
		return wrap(fmt.Sprintf("set password of %s", userID), err)
	}
	return nil
}

// LoginFailed counts a failed attempt against userID's password and, when
// lockUntil is given for the new count, refuses attempts until then. It
// returns the count after this failure.
func (s *Store) LoginFailed(ctx context.Context, userID string, lockUntil func(failed int) *time.Time) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `UPDATE user_passwords SET failed_logins = failed_logins + 1 WHERE user_id = $1
			RETURNING failed_logins`, userID).Scan(&n); err != nil {
			return err
		}
		if until := lockUntil(n); until != nil {
			_, err := tx.Exec(ctx, `UPDATE user_passwords SET locked_until = $2 WHERE user_id = $1`, userID, *until)
			return err
		}
		return nil
	})
	return n, wrap("count failed login of "+userID, err)
}

// LoginSucceeded clears userID's failed attempts.
func (s *Store) LoginSucceeded(ctx context.Context, userID string) error {
	_, err := s.pool.Exec(ctx, `UPDATE user_passwords SET failed_logins = 0, locked_until = NULL
		WHERE user_id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)`, userID)
	return wrap("reset failed logins of "+userID, err)
}

// Session is a signed-in browser, as stored (by the hash of its ID).
type Session struct {
	IDHash     []byte
	UserID     string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	// Language is the console language the user chose ("" for none).
	Language string
}

// CreateSession stores a new session of userID ending at expiresAt at the
// latest, recording the sign-in in the audit trail (never the ID nor its
// hash).
func (s *Store) CreateSession(ctx context.Context, idHash []byte, userID string, expiresAt time.Time) error {
	err := s.audited(ctx, "session.created", "user", userID, func(tx pgx.Tx) (any, any, error) {
		_, err := tx.Exec(ctx, `INSERT INTO sessions (id_hash, user_id, expires_at) VALUES ($1, $2, $3)`, idHash, userID, expiresAt)
		return nil, map[string]any{"expires_at": expiresAt}, err
	})
	return wrap("create session of "+userID, err)
}

// SessionUser returns the session with idHash and its user, who must be
// active; domain.ErrNotFound when there is no such session or the user is
// deactivated. Expiry is the caller's to judge.
func (s *Store) SessionUser(ctx context.Context, idHash []byte) (Session, domain.User, error) {
	var ss Session
	var u domain.User
	var lang *string
	err := s.pool.QueryRow(ctx, `
		SELECT s.id_hash, s.user_id, s.created_at, s.last_seen_at, s.expires_at, u.name, u.email, u.roles, u.language
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = $1 AND u.active`, idHash).
		Scan(&ss.IDHash, &ss.UserID, &ss.CreatedAt, &ss.LastSeenAt, &ss.ExpiresAt, &u.Name, &u.Email, &u.Roles, &lang)
	if err != nil {
		return Session{}, domain.User{}, wrap("session", err)
	}
	u.ID = ss.UserID
	if lang != nil {
		ss.Language = *lang
	}
	u, err = s.withTeam(ctx, u)
	return ss, u, err
}

// TouchSession records that the session was used at.
func (s *Store) TouchSession(ctx context.Context, idHash []byte, at time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE sessions SET last_seen_at = greatest(last_seen_at, $2) WHERE id_hash = $1`, idHash, at)
	return wrap("touch session", err)
}

// DeleteSession ends one session (sign-out, or found expired); deleting
// one that is gone is no error.
func (s *Store) DeleteSession(ctx context.Context, idHash []byte) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash)
	return wrap("delete session", err)
}

// DeleteExpiredSessions drops userID's sessions that are past their
// absolute expiry at now or idle for idle.
func (s *Store) DeleteExpiredSessions(ctx context.Context, userID string, now time.Time, idle time.Duration) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND (expires_at <= $2 OR last_seen_at <= $3)`, userID, now, now.Add(-idle))
	return wrap("delete expired sessions of "+userID, err)
}

// SetUserLanguage records the console language a user chose ("" follows
// the browser).
func (s *Store) SetUserLanguage(ctx context.Context, userID, lang string) error {
	var v *string
	if lang != "" {
		v = &lang
	}
	return s.audited(ctx, "user.language_set", "user", userID, func(tx pgx.Tx) (any, any, error) {
		tag, err := tx.Exec(ctx, `UPDATE users SET language = $2 WHERE id = $1`, userID, v)
		if err == nil && tag.RowsAffected() == 0 {
			err = domain.ErrNotFound
		}
		return nil, map[string]any{"language": v}, err
	})
}
