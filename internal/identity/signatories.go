package identity

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// Signatories is what signing authority needs of the store.
type Signatories interface {
	Signatory(ctx context.Context, id string) (store.Signatory, error)
	Signatories(ctx context.Context, roles []domain.Role) ([]store.Signatory, error)
	SaveSigningGrant(ctx context.Context, userID string, g store.SigningGrant) error
	ClearSigningGrant(ctx context.Context, userID string) error
}

// SignsByDefault are the roles whose holders may sign for the company
// (授权签字人) without an admin's grant: executives.
var SignsByDefault = []domain.Role{domain.RoleExecutive}

// Authority sources: why a user may or may not sign for the company.
const (
	AuthorityByRole    = "role"      // an executive, with no grant
	AuthorityGranted   = "granted"   // named by an admin
	AuthorityWithdrawn = "withdrawn" // withdrawn by an admin
	AuthorityNone      = "none"      // neither
)

// SigningAuthority is whether a user may sign for the company, up to what
// amount (no limit: any), and why.
type SigningAuthority struct {
	UserID     string        `json:"user_id"`
	Name       string        `json:"name"`
	Authorised bool          `json:"authorised"`
	Limit      *domain.Money `json:"limit"`
	Source     string        `json:"source"`
	UpdatedBy  string        `json:"updated_by,omitempty"`
	UpdatedAt  *time.Time    `json:"updated_at,omitempty"`
}

// AuthorityOf is a user's signing authority: an admin's grant or
// withdrawal where there is one, else their role; a deactivated user has
// none.
func AuthorityOf(sg store.Signatory) SigningAuthority {
	a := SigningAuthority{UserID: sg.ID, Name: sg.Name, Source: AuthorityNone}
	switch {
	case sg.Grant != nil:
		at := sg.Grant.UpdatedAt
		a.Authorised, a.Limit, a.UpdatedBy, a.UpdatedAt = sg.Grant.Authorised, sg.Grant.Limit, sg.Grant.UpdatedBy, &at
		a.Source = AuthorityGranted
		if !a.Authorised {
			a.Source = AuthorityWithdrawn
		}
	case slices.ContainsFunc(SignsByDefault, func(r domain.Role) bool { return slices.Contains(sg.Roles, r) }):
		a.Authorised, a.Source = true, AuthorityByRole
	}
	a.Authorised = a.Authorised && sg.Active
	return a
}

// Covers says whether the authority extends to a contract of amount m,
// and if not, why.
func (a SigningAuthority) Covers(m domain.Money) (bool, string) {
	switch {
	case !a.Authorised:
		return false, fmt.Sprintf("%s is not an authorised signatory", a.UserID)
	case a.Limit == nil:
		return true, ""
	case a.Limit.Currency != m.Currency:
		return false, fmt.Sprintf("%s may sign up to %s, not in %s", a.UserID, a.Limit, m.Currency)
	case a.Limit.Amount < m.Amount:
		return false, fmt.Sprintf("%s may sign up to %s; the contract is %s", a.UserID, a.Limit, m)
	}
	return true, ""
}

// LimitInput is an amount limit: minor units of one currency.
type LimitInput struct {
	Amount   int64  `json:"amount" validate:"required,min=1,max=1000000000000000"`
	Currency string `json:"currency" validate:"required,currency"`
}

// SigningAuthorityInput is an admin's decision on a user's signing
// authority: authorised or withdrawn, and an optional limit (null: none).
type SigningAuthorityInput struct {
	Authorised *bool       `json:"authorised" validate:"required"`
	Limit      *LimitInput `json:"limit"`
}

// SetSigningAuthority records an admin's grant or withdrawal for a user.
func (s *Service) SetSigningAuthority(ctx context.Context, admin domain.User, userID string, in SigningAuthorityInput) (SigningAuthority, error) {
	if in.Limit != nil && !*in.Authorised {
		return SigningAuthority{}, fieldErr("limit", "a withdrawn authority has no limit")
	}
	g := store.SigningGrant{Authorised: *in.Authorised, UpdatedBy: admin.ID, UpdatedAt: s.now().UTC().Truncate(time.Microsecond)}
	if in.Limit != nil {
		g.Limit = &domain.Money{Amount: in.Limit.Amount, Currency: in.Limit.Currency}
	}
	if err := s.store.SaveSigningGrant(ctx, userID, g); err != nil {
		return SigningAuthority{}, err
	}
	return s.SigningAuthority(ctx, userID)
}

// ClearSigningAuthority removes an admin's grant or withdrawal, so the
// user's role decides again.
func (s *Service) ClearSigningAuthority(ctx context.Context, userID string) (SigningAuthority, error) {
	if err := s.store.ClearSigningGrant(ctx, userID); err != nil {
		return SigningAuthority{}, err
	}
	return s.SigningAuthority(ctx, userID)
}

// SigningAuthority returns one user's signing authority.
func (s *Service) SigningAuthority(ctx context.Context, userID string) (SigningAuthority, error) {
	sg, err := s.store.Signatory(ctx, userID)
	if err != nil {
		return SigningAuthority{}, err
	}
	return AuthorityOf(sg), nil
}

// AuthorisedSignatories lists, by ID, everyone who may sign for the
// company now: what a sender chooses the company signer from.
func (s *Service) AuthorisedSignatories(ctx context.Context) ([]SigningAuthority, error) {
	list, err := s.store.Signatories(ctx, SignsByDefault)
	if err != nil {
		return nil, err
	}
	out := []SigningAuthority{}
	for _, sg := range list {
		if a := AuthorityOf(sg); a.Authorised {
			out = append(out, a)
		}
	}
	return out, nil
}
