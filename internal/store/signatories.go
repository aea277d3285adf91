package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
)

// SigningGrant is an admin's grant (or withdrawal) of a user's authority
// to sign for the company, with an optional amount limit.
type SigningGrant struct {
	Authorised bool          `json:"authorised"`
	Limit      *domain.Money `json:"limit"`
	UpdatedBy  string        `json:"updated_by"`
	UpdatedAt  time.Time     `json:"updated_at"`
}

// Signatory is a user as signing authority reads them: the account and
// the admin's grant, if there is one.
type Signatory struct {
	ID     string        `json:"id"`
	Name   string        `json:"name"`
	Email  string        `json:"email"`
	Roles  []domain.Role `json:"roles"`
	Active bool          `json:"active"`
	Grant  *SigningGrant `json:"grant"`
}

const signatoryColumns = `u.id, u.name, u.email, u.roles, u.active,
	g.authorised, g.limit_amount, g.limit_currency, g.updated_by, g.updated_at`

func scanSignatory(row pgx.CollectableRow) (Signatory, error) {
	var sg Signatory
	var authorised *bool
	var amount *int64
	var currency, by *string
	var at *time.Time
	if err := row.Scan(&sg.ID, &sg.Name, &sg.Email, &sg.Roles, &sg.Active, &authorised, &amount, &currency, &by, &at); err != nil {
		return Signatory{}, err
	}
	if authorised != nil {
		sg.Grant = &SigningGrant{Authorised: *authorised, UpdatedBy: *by, UpdatedAt: *at}
		if amount != nil {
			sg.Grant.Limit = &domain.Money{Amount: *amount, Currency: *currency}
		}
	}
	return sg, nil
}

// Signatory returns one user with their grant, or domain.ErrNotFound.
func (s *Store) Signatory(ctx context.Context, id string) (Signatory, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+signatoryColumns+`
		FROM users u LEFT JOIN signing_authorities g ON g.user_id = u.id WHERE u.id = $1`, id)
	sg, err := pgx.CollectExactlyOneRow(rows, scanSignatory)
	if err != nil {
		return Signatory{}, wrap(fmt.Sprintf("signatory %s", id), err)
	}
	return sg, nil
}

// Signatories returns, by ID, the active users who hold one of roles or
// have a grant: everyone whose signing authority is worth deciding.
func (s *Store) Signatories(ctx context.Context, roles []domain.Role) ([]Signatory, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+signatoryColumns+`
		FROM users u LEFT JOIN signing_authorities g ON g.user_id = u.id
		WHERE u.active AND (g.user_id IS NOT NULL OR u.roles && $1::text[]) ORDER BY u.id`, roles)
	list, err := pgx.CollectRows(rows, scanSignatory)
	if err != nil {
		return nil, wrap("signatories", err)
	}
	return list, nil
}

// SaveSigningGrant records an admin's grant for a user (replacing any
// earlier one), audited with the grant before and after; an unknown user
// is domain.ErrNotFound.
func (s *Store) SaveSigningGrant(ctx context.Context, userID string, g SigningGrant) error {
	var amount *int64
	var currency *string
	if g.Limit != nil {
		amount, currency = &g.Limit.Amount, &g.Limit.Currency
	}
	err := s.audited(ctx, "user.signing_authority_set", "user", userID, func(tx pgx.Tx) (any, any, error) {
		before, err := lockGrant(ctx, tx, userID)
		if err != nil {
			return nil, nil, err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO signing_authorities (user_id, authorised, limit_amount, limit_currency, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (user_id) DO UPDATE SET authorised = EXCLUDED.authorised, limit_amount = EXCLUDED.limit_amount,
				limit_currency = EXCLUDED.limit_currency, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
			userID, g.Authorised, amount, currency, g.UpdatedBy, g.UpdatedAt)
		return before, g, err
	})
	if err != nil {
		return wrap(fmt.Sprintf("save signing authority of %s", userID), err)
	}
	return nil
}

// ClearSigningGrant removes a user's grant, so their role decides again;
// audited with the grant it removed. An unknown user is
// domain.ErrNotFound; a user without a grant changes nothing.
func (s *Store) ClearSigningGrant(ctx context.Context, userID string) error {
	err := s.audited(ctx, "user.signing_authority_cleared", "user", userID, func(tx pgx.Tx) (any, any, error) {
		before, err := lockGrant(ctx, tx, userID)
		if err != nil {
			return nil, nil, err
		}
		_, err = tx.Exec(ctx, `DELETE FROM signing_authorities WHERE user_id = $1`, userID)
		return before, nil, err
	})
	if err != nil {
		return wrap(fmt.Sprintf("clear signing authority of %s", userID), err)
	}
	return nil
}

// lockGrant locks the user's row (so two admins' changes queue) and
// returns their grant, nil without one.
func lockGrant(ctx context.Context, tx pgx.Tx, userID string) (*SigningGrant, error) {
	var id string
	if err := tx.QueryRow(ctx, `SELECT id FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&id); err != nil {
		return nil, wrap("", err)
	}
	rows, _ := tx.Query(ctx, `SELECT `+signatoryColumns+`
		FROM users u JOIN signing_authorities g ON g.user_id = u.id WHERE u.id = $1`, userID)
	list, err := pgx.CollectRows(rows, scanSignatory)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return list[0].Grant, nil
}
