package devstack

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/store"
)

// DemoUsers is the demo organisation: one user per role, with Chinese and
// English names.
var DemoUsers = []domain.User{
	{ID: "demo-sales", Name: "张伟 Zhang Wei", Email: "zhang.wei@demo.signet.local", Roles: []domain.Role{domain.RoleSales}},
	{ID: "demo-sales-manager", Name: "李娜 Li Na", Email: "li.na@demo.signet.local", Roles: []domain.Role{domain.RoleSalesManager}},
	{ID: "demo-legal", Name: "王芳 Wang Fang", Email: "wang.fang@demo.signet.local", Roles: []domain.Role{domain.RoleLegal}},
	{ID: "demo-finance", Name: "刘洋 Liu Yang", Email: "liu.yang@demo.signet.local", Roles: []domain.Role{domain.RoleFinance}},
	{ID: "demo-executive", Name: "陈静 Chen Jing", Email: "chen.jing@demo.signet.local", Roles: []domain.Role{domain.RoleExecutive}},
	{ID: "demo-admin", Name: "赵磊 Zhao Lei", Email: "zhao.lei@demo.signet.local", Roles: []domain.Role{domain.RoleAdmin}},
	{ID: "demo-auditor", Name: "孙丽 Sun Li", Email: "sun.li@demo.signet.local", Roles: []domain.Role{domain.RoleAuditor}},
}

// DemoManagers is who manages whom in the demo organisation.
var DemoManagers = map[string]string{
	"demo-sales": "demo-sales-manager", "demo-sales-manager": "demo-executive",
	"demo-finance": "demo-executive", "demo-legal": "demo-executive",
}

// UserWriter stores users and their tokens.
type UserWriter interface {
	UpsertUser(ctx context.Context, u domain.User) error
	SetManager(ctx context.Context, userID, managerID string) error
	AddToken(ctx context.Context, userID, token, label string, expiresAt time.Time) (string, error)
}

// DemoStore is where the demo organisation goes.
type DemoStore interface {
	UserWriter
	ContentStore
}

// SeedDemo upserts the demo users, issues each a new token (returned by
// role name) and adds the demo customers, products and templates.
func SeedDemo(ctx context.Context, w DemoStore) (map[string]string, error) {
	tokens := make(map[string]string, len(DemoUsers))
	for _, u := range DemoUsers {
		if err := w.UpsertUser(ctx, u); err != nil {
			return nil, err
		}
		tok, err := store.NewToken()
		if err != nil {
			return nil, fmt.Errorf("new token: %w", err)
		}
		if _, err := w.AddToken(ctx, u.ID, tok, "demo", time.Time{}); err != nil {
			return nil, err
		}
		tokens[string(u.Roles[0])] = tok
	}
	for user, manager := range DemoManagers {
		if err := w.SetManager(ctx, user, manager); err != nil {
			return nil, err
		}
	}
	if err := SeedContent(ctx, w); err != nil {
		return nil, fmt.Errorf("seed demo content: %w", err)
	}
	return tokens, nil
}

// Login is how a demo user signs in to the console.
type Login struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// Passwords is where demo passwords are set: identity.Service.
type Passwords interface {
	SetPassword(ctx context.Context, admin domain.User, userID string, in identity.PasswordInput) error
}

// SeedLogins gives each demo user a fresh random password (set as if by
// the demo admin, which ends their earlier sessions) and returns them by
// role name.
func SeedLogins(ctx context.Context, ps Passwords) (map[string]Login, error) {
	logins := make(map[string]Login, len(DemoUsers))
	var admin domain.User
	for _, u := range DemoUsers {
		if u.Actor().Has(domain.RoleAdmin) {
			admin = u
		}
	}
	for _, u := range DemoUsers {
		pw, err := demoPassword()
		if err != nil {
			return nil, err
		}
		if err := ps.SetPassword(ctx, admin, u.ID, identity.PasswordInput{Password: pw}); err != nil {
			return nil, fmt.Errorf("password of %s: %w", u.ID, err)
		}
		logins[string(u.Roles[0])] = Login{Login: u.ID, Password: pw}
	}
	return logins, nil
}

// demoPassword is three groups of four letters and digits, easy to type
// from the banner: k7fp-2mqa-9xze.
func demoPassword() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("demo password: %w", err)
	}
	out := make([]byte, 0, 14)
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, alphabet[int(c)%len(alphabet)])
	}
	return string(out), nil
}
