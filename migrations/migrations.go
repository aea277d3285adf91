// Package migrations holds Signet's SQL schema, embedded in the binary and
// applied in order by tern. Applying them again is a no-op. They run as the
// role that owns the tables; the application connects as signet_app
// (016_keys_outside.sql, roles.go).
package migrations

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"
)

//go:embed *.sql
var files embed.FS

// versionTable records which migrations a database has.
const versionTable = "public.schema_version"

// ErrLegacySigningKey: the database still keeps a sealing key, which
// migration 016 drops; it must be retired into the keyring first, or the
// seals it made stop verifying.
var ErrLegacySigningKey = errors.New("the database keeps a sealing key in signing_keys, which migration 016 removes: " +
	"set SIGNET_SIGNING_KEY_FILE so `signet migrate` retires it into the keyring first (seals it made keep verifying)")

// Apply brings the database at databaseURL up to the newest schema. Tern
// holds an advisory lock meanwhile, so replicas starting together are safe.
// It refuses (ErrLegacySigningKey) a database that still keeps a sealing
// key; ApplyRetiring moves it out first.
func Apply(ctx context.Context, databaseURL string) error {
	return ApplyRetiring(ctx, databaseURL, nil)
}

// ApplyRetiring is Apply for a database that may still keep sealing key
// seeds (before migration 016): retire is given them, to keep their public
// halves in the keyring, before the migration drops them. A nil retire
// refuses such a database.
func ApplyRetiring(ctx context.Context, databaseURL string, retire func(seeds [][]byte) error) error {
	return apply(ctx, databaseURL, -1, retire)
}

// ApplyTo applies the migrations up to version only: for tests of what an
// upgrade finds.
func ApplyTo(ctx context.Context, databaseURL string, version int32) error {
	return apply(ctx, databaseURL, version, nil)
}

func apply(ctx context.Context, databaseURL string, version int32, retire func(seeds [][]byte) error) error {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("connect for migrations: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if version < 0 {
		seeds, err := legacySeeds(ctx, conn)
		if err != nil {
			return err
		}
		if len(seeds) > 0 {
			if retire == nil {
				return ErrLegacySigningKey
			}
			if err := retire(seeds); err != nil {
				return fmt.Errorf("retire the sealing key kept in PostgreSQL: %w", err)
			}
		}
	}
	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return fmt.Errorf("prepare migrations: %w", err)
	}
	if err := m.LoadMigrations(files); err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	if version >= 0 {
		err = m.MigrateTo(ctx, version)
	} else {
		err = m.Migrate(ctx)
	}
	if err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}

// legacySeeds returns the sealing key seeds signing_keys holds (the table
// exists only before migration 016).
func legacySeeds(ctx context.Context, conn *pgx.Conn) ([][]byte, error) {
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('public.signing_keys') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("look for signing_keys: %w", err)
	}
	if !exists {
		return nil, nil
	}
	rows, _ := conn.Query(ctx, `SELECT seed FROM signing_keys ORDER BY created_at`)
	seeds, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, fmt.Errorf("read signing_keys: %w", err)
	}
	return seeds, nil
}
