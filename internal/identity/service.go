// Package identity manages who may call the API and sign in to the
// console: bearer tokens that their holders (or admins) issue, list and
// revoke; passwords; and console sessions.
package identity

import (
	"context"
	"errors"
	"time"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/outbound"
	"github.com/signet-clm/signet/internal/store"
)

// Store keeps users, their tokens and their notification settings.
type Store interface {
	User(ctx context.Context, id string) (domain.User, error)
	AddToken(ctx context.Context, userID, token, label string, expiresAt time.Time) (string, error)
	Tokens(ctx context.Context, userID string) ([]store.TokenInfo, error)
	RevokeToken(ctx context.Context, userID, id string) error
	Outbox
	Accounts
	Signatories
	Credentials
}

// Service runs token use cases.
type Service struct {
	store Store
	now   func() time.Time
	// guard checks the webhook and robot addresses users save.
	guard outbound.Guard
	creds Credentials
	// SessionIdle ends a console session unused this long; SessionMax
	// ends it this long after sign-in, whatever happens.
	SessionIdle, SessionMax time.Duration
}

// New returns the service over st; guard says which notification
// addresses may be saved.
func New(st Store, guard outbound.Guard) *Service {
	return &Service{store: st, now: time.Now, guard: guard, creds: st, SessionIdle: DefaultSessionIdle, SessionMax: DefaultSessionMax}
}

// DefaultTokenDays is how long a token lives unless asked otherwise.
const DefaultTokenDays = 90

// TokenInput asks for a token. Only an admin may name another user.
type TokenInput struct {
	UserID        string `json:"user_id" validate:"max=100"`
	Label         string `json:"label" validate:"required,max=100"`
	ExpiresInDays int    `json:"expires_in_days" validate:"gte=0,lte=3650"`
}

// IssuedToken is a new token: the only time the token itself is shown.
type IssuedToken struct {
	store.TokenInfo
	Token string `json:"token"`
}

// target is whose tokens a request is about: the caller's own unless an
// admin names someone.
func target(u domain.User, userID string) (string, error) {
	if userID == "" || userID == u.ID {
		return u.ID, nil
	}
	if !u.Actor().Has(domain.RoleAdmin) {
		return "", domain.ErrForbidden
	}
	return userID, nil
}

// Issue creates a token.
func (s *Service) Issue(ctx context.Context, u domain.User, in TokenInput) (IssuedToken, error) {
	who, err := target(u, in.UserID)
	if err != nil {
		return IssuedToken{}, err
	}
	if _, err := s.store.User(ctx, who); errors.Is(err, domain.ErrNotFound) {
		return IssuedToken{}, &domain.ValidationError{NotFound: true, Fields: []domain.FieldError{{Field: "user_id", Message: "no such user"}}}
	} else if err != nil {
		return IssuedToken{}, err
	}
	days := in.ExpiresInDays
	if days == 0 {
		days = DefaultTokenDays
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	expires := now.AddDate(0, 0, days)
	tok, err := store.NewToken()
	if err != nil {
		return IssuedToken{}, err
	}
	id, err := s.store.AddToken(ctx, who, tok, in.Label, expires)
	if err != nil {
		return IssuedToken{}, err
	}
	return IssuedToken{TokenInfo: store.TokenInfo{ID: id, UserID: who, Label: in.Label, CreatedAt: now, ExpiresAt: &expires}, Token: tok}, nil
}

// List returns a user's tokens without the tokens themselves.
func (s *Service) List(ctx context.Context, u domain.User, userID string) ([]store.TokenInfo, error) {
	who, err := target(u, userID)
	if err != nil {
		return nil, err
	}
	ts, err := s.store.Tokens(ctx, who)
	if err != nil {
		return nil, err
	}
	return ts, nil
}

// Revoke ends a token at once; another user's token is not found.
func (s *Service) Revoke(ctx context.Context, u domain.User, userID, id string) error {
	who, err := target(u, userID)
	if err != nil {
		return err
	}
	return store.Classify(s.store.RevokeToken(ctx, who, id))
}
