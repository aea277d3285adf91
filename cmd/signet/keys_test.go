package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/migrations"
	"github.com/signet-clm/signet/testkit/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopPostgres()
	os.Exit(code)
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// lastBeforeKeys is the newest migration before the keys moved out.
const lastBeforeKeys = 15

func TestProductionRefusesToStartWithoutItsKeys(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DATABASE_URL", "postgres://signet_app@127.0.0.1:1/signet")
	t.Setenv("SIGNET_SIGNING_KEY_FILE", "")
	t.Setenv("SIGNET_AUDIT_KEY_FILE", "")
	t.Setenv("SIGNET_AUDIT_CHECKPOINT_DIR", "")
	for _, cmd := range []string{"api", "worker"} {
		assert.ErrorIs(t, runService(context.Background(), cmd, quiet), errNoKeyring, cmd)
	}
	t.Setenv("SIGNET_SIGNING_KEY_FILE", filepath.Join(dir, "keyring.json"))
	assert.ErrorIs(t, runService(context.Background(), "api", quiet), errNoAuditKey)
	t.Setenv("SIGNET_AUDIT_KEY_FILE", filepath.Join(dir, "audit-key.json"))
	err := runService(context.Background(), "api", quiet)
	assert.ErrorContains(t, err, "signet keys init", "a configured keyring that is missing is not made on the spot")
	_, statErr := os.Stat(filepath.Join(dir, "keyring.json"))
	assert.ErrorIs(t, statErr, os.ErrNotExist)

	require.NoError(t, initKeys(context.Background(), quiet))
	for _, f := range []string{"keyring.json", "audit-key.json"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), f)
	}
	assert.ErrorContains(t, runService(context.Background(), "worker", quiet), "SIGNET_AUDIT_CHECKPOINT_DIR is required")
}

// legacyRow is an audit row as it was chained before the audit key.
func legacyRow(t *testing.T, tx pgx.Tx, prev string, seq int64) string {
	t.Helper()
	e := audit.Entry{Seq: seq, At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ActorID: "system", Action: "user.saved",
		ObjectType: "user", ObjectID: "legacy", Before: json.RawMessage("null"), After: json.RawMessage("null")}
	content, err := json.Marshal(e)
	require.NoError(t, err)
	hash := audit.LegacyHash(prev, string(content))
	_, err = tx.Exec(context.Background(), `INSERT INTO audit_events (seq, at, actor_id, action, object_type, object_id, request_id, content, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, $9)`, seq, e.At, e.ActorID, e.Action, e.ObjectType, e.ObjectID, string(content), prev, hash)
	require.NoError(t, err)
	return hash
}

// TestUpgradeMovesTheKeysOut: a database from before the keys moved out
// keeps its sealing key in signing_keys and an audit chain of plain
// SHA-256 hashes. `signet migrate` refuses to drop the key until it has a
// keyring to retire it into; then seals the key made still verify,
// `signet audit verify` wants a checkpoint to vouch for the old entries,
// `signet audit checkpoint` gives it one, and new entries are keyed.
func TestUpgradeMovesTheKeysOut(t *testing.T) {
	testenv.RequireIntegration(t)
	ctx := context.Background()
	owner := testenv.NewEmptyDatabase(t)
	require.NoError(t, migrations.ApplyTo(ctx, owner, lastBeforeKeys))
	seed := bytes.Repeat([]byte{42}, ed25519.SeedSize)
	legacy, err := eseal.NewSealer(seed)
	require.NoError(t, err)
	record := eseal.SignatureRecord{ContractNumber: "HT-2025-000001", Version: 1, SignerName: "王建国", SignedAt: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	oldSeal, err := legacy.Seal(record)
	require.NoError(t, err)
	conn, err := pgx.Connect(ctx, owner)
	require.NoError(t, err)
	defer conn.Close(ctx)
	require.NoError(t, pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO signing_keys (id, seed) VALUES ('default', $1)`, seed)
		require.NoError(t, err)
		legacyRow(t, tx, legacyRow(t, tx, audit.Genesis, 1), 2)
		return nil
	}))

	dir := t.TempDir()
	app, err := migrations.AppURL(owner)
	require.NoError(t, err)
	t.Setenv("SIGNET_MIGRATE_DATABASE_URL", owner)
	t.Setenv("DATABASE_URL", app)
	t.Setenv("SIGNET_SIGNING_KEY_FILE", "")
	t.Setenv("SIGNET_AUDIT_KEY_FILE", filepath.Join(dir, "audit-key.json"))
	t.Setenv("SIGNET_AUDIT_CHECKPOINT_DIR", filepath.Join(dir, "checkpoints"))

	err = runService(ctx, "migrate", quiet)
	assert.ErrorIs(t, err, migrations.ErrLegacySigningKey, "without a keyring the key would be lost")
	var kept int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM signing_keys`).Scan(&kept))
	assert.Equal(t, 1, kept, "nothing was dropped")

	keyring := filepath.Join(dir, "keyring.json")
	t.Setenv("SIGNET_SIGNING_KEY_FILE", keyring)
	require.NoError(t, runService(ctx, "migrate", quiet))
	var gone bool
	require.NoError(t, conn.QueryRow(ctx, `SELECT to_regclass('public.signing_keys') IS NULL`).Scan(&gone))
	assert.True(t, gone)
	ring, err := eseal.OpenFileKeyring(keyring)
	require.NoError(t, err)
	sealer := eseal.NewKeyringSealer(ring)
	assert.NotEqual(t, legacy.KeyID(), sealer.KeyID(), "a new key seals from now on")
	assert.True(t, sealer.VerifySeal(record, oldSeal), "what the old key sealed still verifies")
	keys, err := sealer.Keys()
	require.NoError(t, err)
	require.Len(t, keys.Retired, 1)
	assert.Equal(t, eseal.OriginPostgreSQL, keys.Retired[0].Origin)
	require.NoError(t, runService(ctx, "migrate", quiet), "migrating again is a no-op")

	require.NoError(t, initKeys(ctx, quiet)) // the audit key and checkpoint directory
	err = verifyAudit(ctx, quiet)
	assert.ErrorContains(t, err, "audit trail broken at row 1: recorded without the audit key, and no checkpoint vouches for it")
	require.NoError(t, checkpointAudit(ctx, quiet))
	require.NoError(t, verifyAudit(ctx, quiet), "the checkpoint vouches for the old entries")

	// New entries are keyed, through the application's role.
	st, err := store.Open(ctx, app)
	require.NoError(t, err)
	defer st.Close()
	if st.AuditKeys, err = audit.OpenKeyFile(filepath.Join(dir, "audit-key.json")); err != nil {
		t.Fatal(err)
	}
	require.NoError(t, st.UpsertUser(ctx, domain.User{ID: "u-new", Name: "新用户", Email: "new@example.cn", Roles: []domain.Role{domain.RoleSales}}))
	var keyID string
	require.NoError(t, conn.QueryRow(ctx, `SELECT key_id FROM audit_events WHERE seq = 3`).Scan(&keyID))
	assert.NotEmpty(t, keyID)
	require.NoError(t, verifyAudit(ctx, quiet))

	// An entry appended the old way (chain 0, after its last row) after
	// the checkpoint is refused.
	require.NoError(t, pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var prev string
		var chainSeq int64
		require.NoError(t, tx.QueryRow(ctx, `SELECT hash, chain_seq + 1 FROM audit_events WHERE chain = 0 ORDER BY chain_seq DESC LIMIT 1`).Scan(&prev, &chainSeq))
		e := audit.Entry{Seq: 4, At: time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC), ActorID: "system", Action: "user.saved",
			ObjectType: "user", ObjectID: "x", Before: json.RawMessage("null"), After: json.RawMessage("null")}
		content, _ := json.Marshal(e)
		_, err := tx.Exec(ctx, `INSERT INTO audit_events (seq, chain, chain_seq, at, actor_id, action, object_type, object_id, request_id, content, prev_hash, hash, key_id)
			VALUES (4, 0, $5, $1, 'system', 'user.saved', 'user', 'x', '', $2, $3, $4, '')`, e.At, string(content), prev, audit.LegacyHash(prev, string(content)), chainSeq)
		require.NoError(t, err)
		return nil
	}))
	assert.ErrorContains(t, verifyAudit(ctx, quiet), "audit trail broken at row 4: recorded without the audit key")
}

// TestMigrateGivesTheAppsLoginItsRights: DATABASE_URL may name a login role
// of the operator's choosing; `signet migrate`, as an owner that may manage
// roles, creates it as a member of signet_app, which can write what the
// application writes and cannot alter the audit trail.
func TestMigrateGivesTheAppsLoginItsRights(t *testing.T) {
	testenv.RequireIntegration(t)
	ctx := context.Background()
	owner := testenv.NewEmptyDatabase(t)
	login := "signet_test_login_" + strings.ToLower(strings.ReplaceAll(t.Name(), "Test", ""))[:12]
	u, err := url.Parse(owner)
	require.NoError(t, err)
	u.User = url.UserPassword(login, "s3cret'; DROP TABLE audit_events; --")
	dir := t.TempDir()
	t.Setenv("SIGNET_MIGRATE_DATABASE_URL", owner)
	t.Setenv("DATABASE_URL", u.String())
	t.Setenv("SIGNET_SIGNING_KEY_FILE", filepath.Join(dir, "keyring.json"))
	require.NoError(t, runService(ctx, "migrate", quiet))
	admin, err := pgx.Connect(ctx, owner)
	require.NoError(t, err)
	defer admin.Close(ctx)
	// Roles outlive databases: drop it before admin closes.
	defer func() {
		_, err := admin.Exec(context.Background(), "DROP ROLE IF EXISTS "+pgx.Identifier{login}.Sanitize())
		assert.NoError(t, err)
	}()

	var canLogin, member bool
	require.NoError(t, admin.QueryRow(ctx, `SELECT rolcanlogin, pg_has_role(oid, 'signet_app', 'MEMBER') FROM pg_roles WHERE rolname = $1`, login).
		Scan(&canLogin, &member))
	assert.True(t, canLogin)
	assert.True(t, member)
	require.NoError(t, runService(ctx, "migrate", quiet), "a second run finds the role made")

	app, err := pgx.Connect(ctx, u.String())
	require.NoError(t, err)
	defer app.Close(ctx)
	var insert, update bool
	require.NoError(t, app.QueryRow(ctx, `SELECT has_table_privilege('audit_events', 'INSERT'), has_table_privilege('audit_events', 'UPDATE')`).Scan(&insert, &update))
	assert.True(t, insert)
	assert.False(t, update)
	_, err = app.Exec(ctx, `ALTER TABLE audit_events DISABLE TRIGGER ALL`)
	assert.ErrorContains(t, err, "must be owner of table audit_events")
	_, err = app.Exec(ctx, `INSERT INTO contract_sequences (year, last_value) VALUES (2099, 0)`)
	assert.NoError(t, err, "it writes what the application writes")
}
