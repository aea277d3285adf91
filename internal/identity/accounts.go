package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// Accounts is what user administration needs of the store.
type Accounts interface {
	Accounts(ctx context.Context) ([]store.Account, error)
	Account(ctx context.Context, id string) (store.Account, error)
	SaveAccount(ctx context.Context, a store.Account, create bool) error
}

// CreateUserInput is a new account. The ID is chosen by the admin (it is
// what tasks, contracts and the audit trail name), so it stays readable.
type CreateUserInput struct {
	ID          string        `json:"id" validate:"required,min=2,max=64,user_id"`
	Name        string        `json:"name" validate:"required,max=200"`
	Email       string        `json:"email" validate:"required,email,max=254"`
	Roles       []domain.Role `json:"roles" validate:"required,min=1,max=7,unique,dive,role"`
	ManagerID   string        `json:"manager_id" validate:"max=64"`
	OIDCSubject string        `json:"oidc_subject" validate:"max=255"`
	// DingTalkUserID and WeComUserID are the user's userid on each
	// platform: task notices then go there as cards they can decide on.
	DingTalkUserID string `json:"dingtalk_user_id" validate:"max=64,printascii"`
	WeComUserID    string `json:"wecom_user_id" validate:"max=64,printascii"`
}

// UpdateUserInput changes the fields it carries. An empty manager_id or
// oidc_subject clears it.
type UpdateUserInput struct {
	Name        *string        `json:"name" validate:"omitempty,min=1,max=200"`
	Email       *string        `json:"email" validate:"omitempty,email,max=254"`
	Roles       *[]domain.Role `json:"roles" validate:"omitempty,min=1,max=7,unique,dive,role"`
	ManagerID   *string        `json:"manager_id" validate:"omitempty,max=64"`
	Active      *bool          `json:"active"`
	OIDCSubject *string        `json:"oidc_subject" validate:"omitempty,max=255"`
	// An empty dingtalk_user_id or wecom_user_id clears it.
	DingTalkUserID *string `json:"dingtalk_user_id" validate:"omitempty,max=64,printascii"`
	WeComUserID    *string `json:"wecom_user_id" validate:"omitempty,max=64,printascii"`
}

// errLockout refuses an admin's edit that would leave them unable to undo it.
var errLockout = &domain.Refusal{Kind: domain.RefusedConflict, Message: "an admin cannot deactivate themselves or drop their own admin role"}

// Users lists every account.
func (s *Service) Users(ctx context.Context) ([]store.Account, error) {
	as, err := s.store.Accounts(ctx)
	return as, err
}

// User returns one account.
func (s *Service) User(ctx context.Context, id string) (store.Account, error) {
	a, err := s.store.Account(ctx, id)
	return a, err
}

// CreateUser adds an account; it can sign in once given a token or linked
// to an OIDC subject.
func (s *Service) CreateUser(ctx context.Context, in CreateUserInput) (store.Account, error) {
	a := store.Account{ID: in.ID, Name: strings.TrimSpace(in.Name), Email: strings.ToLower(in.Email), Roles: in.Roles, Active: true,
		ManagerID: optional(in.ManagerID), OIDCSubject: optional(in.OIDCSubject),
		DingTalkUserID: optional(strings.TrimSpace(in.DingTalkUserID)), WeComUserID: optional(strings.TrimSpace(in.WeComUserID))}
	if err := s.save(ctx, a, true); err != nil {
		return store.Account{}, err
	}
	return s.User(ctx, a.ID)
}

// UpdateUser changes an account. Deactivating it ends its sessions at
// once: its tokens and JWTs are refused from the next request.
func (s *Service) UpdateUser(ctx context.Context, caller domain.User, id string, in UpdateUserInput) (store.Account, error) {
	a, err := s.User(ctx, id)
	if err != nil {
		return store.Account{}, err
	}
	if in.Name != nil {
		a.Name = strings.TrimSpace(*in.Name)
	}
	if in.Email != nil {
		a.Email = strings.ToLower(*in.Email)
	}
	if in.Roles != nil {
		a.Roles = *in.Roles
	}
	if in.ManagerID != nil {
		a.ManagerID = optional(*in.ManagerID)
	}
	if in.Active != nil {
		a.Active = *in.Active
	}
	if in.OIDCSubject != nil {
		a.OIDCSubject = optional(*in.OIDCSubject)
	}
	if in.DingTalkUserID != nil {
		a.DingTalkUserID = optional(strings.TrimSpace(*in.DingTalkUserID))
	}
	if in.WeComUserID != nil {
		a.WeComUserID = optional(strings.TrimSpace(*in.WeComUserID))
	}
	if id == caller.ID && (!a.Active || !slices.Contains(a.Roles, domain.RoleAdmin)) {
		return store.Account{}, errLockout
	}
	if err := s.save(ctx, a, false); err != nil {
		return store.Account{}, err
	}
	return s.User(ctx, id)
}

// save checks the manager and turns the store's refusals into field errors.
func (s *Service) save(ctx context.Context, a store.Account, create bool) error {
	if a.ManagerID != nil {
		m, err := s.store.Account(ctx, *a.ManagerID)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			return fieldErr("manager_id", "no such user")
		case err != nil:
			return err
		case !m.Active:
			return fieldErr("manager_id", "is deactivated")
		}
	}
	err := s.store.SaveAccount(ctx, a, create)
	switch {
	case errors.Is(err, store.ErrManagerCycle):
		return fieldErr("manager_id", "would make the user their own manager")
	case errors.Is(err, store.ErrDuplicate):
		// The constraint's name says which key is taken.
		for _, f := range []struct{ key, field string }{{"email", "email"}, {"oidc_subject", "oidc_subject"}, {"dingtalk_user_id", "dingtalk_user_id"}, {"wecom_user_id", "wecom_user_id"}, {"pkey", "id"}} {
			if strings.HasPrefix(store.TakenKey(err), "users_"+f.key) {
				return &domain.Refusal{Kind: domain.RefusedConflict, Message: f.field + " is taken by another user"}
			}
		}
	}
	if err != nil {
		return fmt.Errorf("save account %s: %w", a.ID, err)
	}
	return nil
}

func fieldErr(field, msg string) error {
	return &domain.ValidationError{Fields: []domain.FieldError{{Field: field, Message: msg}}}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
