package migrations

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
)

// AppRole is the role migration 016 gives the application's rights to.
const AppRole = "signet_app"

// AppURL returns databaseURL logging in as AppRole instead, without a
// password: how `signet dev` and the tests connect the application to a
// server that trusts local connections.
func AppURL(databaseURL string) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", fmt.Errorf("parse database URL: %w", err)
	}
	u.User = url.User(AppRole)
	return u.String(), nil
}

// EnsureAppLogin lets the role appURL logs in as use the application's
// rights, when the role migrateURL logs in as may manage roles:
//   - signet_app itself gets appURL's password, if it carries one;
//   - another role is created (LOGIN, appURL's password) when missing and
//     made a member of signet_app.
//
// It leaves alone a role that is the migrating role itself, a superuser or
// may create roles (`signet api` warns about those), and says what an
// operator must run when it may not manage roles.
func EnsureAppLogin(ctx context.Context, migrateURL, appURL string) error {
	u, err := url.Parse(appURL)
	if err != nil || u.User == nil || u.User.Username() == "" {
		return nil // libpq defaults; nothing to manage
	}
	user := u.User.Username()
	password, _ := u.User.Password()

	conn, err := pgx.Connect(ctx, migrateURL)
	if err != nil {
		return fmt.Errorf("connect to manage the app's role: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var me string
	var mayManage bool
	if err := conn.QueryRow(ctx, `SELECT current_user, rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user`).Scan(&me, &mayManage); err != nil {
		return fmt.Errorf("read the migrating role: %w", err)
	}
	if user == me {
		return nil
	}
	var exists, powerful, member bool
	err = conn.QueryRow(ctx, `SELECT true, rolsuper OR rolcreaterole, pg_has_role(oid, $2, 'MEMBER') FROM pg_roles WHERE rolname = $1`, user, AppRole).
		Scan(&exists, &powerful, &member)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("read role %s: %w", user, err)
	}
	if powerful {
		return nil
	}
	var stmts []string
	switch {
	case !exists:
		stmts = append(stmts, "CREATE ROLE %I LOGIN IN ROLE "+AppRole)
		if password != "" {
			stmts[0] = "CREATE ROLE %I LOGIN PASSWORD %L IN ROLE " + AppRole
		}
	default:
		if user != AppRole && !member {
			stmts = append(stmts, "GRANT "+AppRole+" TO %I")
		}
		if password != "" {
			stmts = append(stmts, "ALTER ROLE %I LOGIN PASSWORD %L")
		}
	}
	if len(stmts) == 0 {
		return nil
	}
	if !mayManage {
		if !exists || (!member && user != AppRole) {
			return fmt.Errorf("DATABASE_URL logs in as %s, which is not a member of %s, and %s may not manage roles: as a superuser run CREATE ROLE %s LOGIN PASSWORD '…' IN ROLE %s",
				user, AppRole, me, user, AppRole)
		}
		return nil // a password an operator set is theirs to change
	}
	for _, stmt := range stmts {
		// format() quotes the name and password; DDL takes no parameters.
		var sql string
		if err := conn.QueryRow(ctx, `SELECT format($1, $2::text, $3::text)`, stmt, user, password).Scan(&sql); err != nil {
			return fmt.Errorf("prepare role statement: %w", err)
		}
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("set up role %s: %w", user, err)
		}
	}
	return nil
}
