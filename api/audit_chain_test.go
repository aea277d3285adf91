package api_test

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/customers"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/worker"
)

// auditedWrites makes n audited changes through the API.
func auditedWrites(t *testing.T, s *testenv.Stack, n int) {
	t.Helper()
	for i := range n {
		expect[customers.Detail](t, call(t, s, http.MethodPost, "/v1/customers", "sales",
			map[string]any{"name": fmt.Sprintf("链上客户%d", i), "tier": "C"}), http.StatusCreated)
	}
}

func verifyChain(t *testing.T, s *testenv.Stack) api.AuditVerification {
	t.Helper()
	return expect[api.AuditVerification](t, call(t, s, http.MethodGet, "/v1/audit/verify", "auditor", nil), http.StatusOK)
}

// asAdministrator runs statements as the role that owns the tables, with
// the trail's append-only triggers switched off, in one transaction.
func asAdministrator(t *testing.T, s *testenv.Stack, fn func(tx pgx.Tx)) {
	t.Helper()
	tx, err := s.Owner.Begin(t.Context())
	require.NoError(t, err)
	defer tx.Rollback(t.Context())
	_, err = tx.Exec(t.Context(), `ALTER TABLE audit_events DISABLE TRIGGER USER`)
	require.NoError(t, err)
	fn(tx)
	_, err = tx.Exec(t.Context(), `ALTER TABLE audit_events ENABLE TRIGGER USER`)
	require.NoError(t, err)
	require.NoError(t, tx.Commit(t.Context()))
}

// rewriteChain rewrites the trail from row from on as someone with write
// access to the database would: each row's content passed through edit and
// each chain recomputed with hash (which gives the hash and the key_id to
// store), so that every row chains to the one before it in its chain again.
func rewriteChain(t *testing.T, s *testenv.Stack, from int64, edit func(string) string, hash func(prev, content string) (string, string)) {
	t.Helper()
	asAdministrator(t, s, func(tx pgx.Tx) {
		rows, err := tx.Query(t.Context(), `SELECT seq, content, prev_hash, chain FROM audit_events
			WHERE chain IN (SELECT chain FROM audit_events WHERE seq >= $1) AND seq >= $1 ORDER BY chain, chain_seq`, from)
		require.NoError(t, err)
		type row struct {
			seq           int64
			content, prev string
			chain         int
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			return x, r.Scan(&x.seq, &x.content, &x.prev, &x.chain)
		})
		require.NoError(t, err)
		require.NotEmpty(t, list)
		prev, chain := "", -1
		for _, r := range list {
			if r.chain != chain { // the chain's first rewritten row keeps its link to the row before
				prev, chain = r.prev, r.chain
			}
			content := edit(r.content)
			h, keyID := hash(prev, content)
			_, err := tx.Exec(t.Context(), `UPDATE audit_events SET content = $2, prev_hash = $3, hash = $4, key_id = $5 WHERE seq = $1`,
				r.seq, content, prev, h, keyID)
			require.NoError(t, err)
			prev = h
		}
	})
}

// firstHeadFrom is the lowest seq among cp's chain heads at or after
// seq: the first head a change from seq on reaches.
func firstHeadFrom(t *testing.T, cp audit.Checkpoint, seq int64) int64 {
	t.Helper()
	first := int64(-1)
	for _, h := range cp.Heads {
		if h.Seq >= seq && (first < 0 || h.Seq < first) {
			first = h.Seq
		}
	}
	require.Positive(t, first)
	return first
}

// snapshot keeps the trail as it is, and restore puts it back.
func snapshot(t *testing.T, s *testenv.Stack) (restore func()) {
	t.Helper()
	_, err := s.Owner.Exec(t.Context(), `CREATE TABLE audit_saved AS SELECT * FROM audit_events`)
	require.NoError(t, err)
	return func() {
		asAdministrator(t, s, func(tx pgx.Tx) {
			_, err := tx.Exec(t.Context(), `DELETE FROM audit_events`)
			require.NoError(t, err)
			_, err = tx.Exec(t.Context(), `INSERT INTO audit_events SELECT * FROM audit_saved`)
			require.NoError(t, err)
		})
	}
}

func renameCustomer(content string) string {
	return strings.ReplaceAll(content, "链上客户1", "改名客户1")
}

// TestAnAuditChainRecomputedWithoutTheKeyFails: an administrator rewrites
// an entry and recomputes every hash after it so that the chain holds
// together again — without the audit key, which lives outside the
// database. Recomputed the old way (SHA-256), or as HMACs under a key of
// their own (named as the real key, or as a key of its own), GET
// /v1/audit/verify finds the first rewritten row.
func TestAnAuditChainRecomputedWithoutTheKeyFails(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	auditedWrites(t, s, 3)
	good := verifyChain(t, s)
	require.True(t, good.OK)
	var rewritten int64
	require.NoError(t, s.Owner.QueryRow(t.Context(), `SELECT seq FROM audit_events WHERE content LIKE '%链上客户1%' ORDER BY seq LIMIT 1`).Scan(&rewritten))
	realKey, err := s.Trail.Keys.Current()
	require.NoError(t, err)
	wrong, err := audit.NewKey([]byte("an-insider-guessing-the-key-0123"))
	require.NoError(t, err)
	restore := snapshot(t, s)

	for name, tc := range map[string]struct {
		from   int64
		hash   func(prev, content string) (string, string)
		reason string
	}{
		"the whole chain, unkeyed": {1, func(prev, content string) (string, string) { return audit.LegacyHash(prev, content), "" },
			"recorded without the audit key, and no checkpoint vouches for it"},
		"from the row, unkeyed": {rewritten, func(prev, content string) (string, string) { return audit.LegacyHash(prev, content), "" },
			"recorded without the audit key"},
		"with a wrong key under the real key's ID": {rewritten, func(prev, content string) (string, string) { return wrong.Hash(prev, content), realKey.ID },
			"hash does not match the row's content"},
		"with a key of the insider's own": {rewritten, func(prev, content string) (string, string) { return wrong.Hash(prev, content), wrong.ID },
			"which the audit key file does not hold"},
	} {
		t.Run(name, func(t *testing.T) {
			defer restore()
			rewriteChain(t, s, tc.from, renameCustomer, tc.hash)
			v := verifyChain(t, s)
			assert.False(t, v.OK)
			require.NotNil(t, v.Broken)
			assert.Equal(t, tc.from, v.Broken.Seq, "the first recomputed row")
			assert.Contains(t, v.Broken.Reason, tc.reason)
			rep, err := s.Trail.Verify(t.Context()) // what `signet audit verify` runs
			require.NoError(t, err)
			require.NotNil(t, rep.Broken)
			assert.Equal(t, tc.from, rep.Broken.Seq)
		})
	}
	assert.Equal(t, good, verifyChain(t, s), "restored, the chain holds again")
}

// TestAChainRewrittenOrCutBelowACheckpointFails: the worker's checkpoint
// job seals the chain's head into the checkpoint directory. Someone who
// holds the audit key too and rewrites the chain below the checkpoint, or
// cuts it short under one, no longer matches it; the job refuses to seal a
// chain that does not verify; a forged checkpoint file is a break.
func TestAChainRewrittenOrCutBelowACheckpointFails(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	auditedWrites(t, s, 3)
	job := &worker.Checkpointer{Store: s.Store, Trail: s.Trail, Logger: testenv.Logger()}
	cp, written, err := job.Run(t.Context(), time.Now())
	require.NoError(t, err)
	require.True(t, written)
	head := verifyChain(t, s)
	require.True(t, head.OK)
	assert.Equal(t, 1, head.Checkpoints)
	require.NotNil(t, head.LatestCheckpoint)
	assert.Equal(t, cp.Seq, head.LatestCheckpoint.Seq)
	var top int64
	require.NoError(t, s.Owner.QueryRow(t.Context(), `SELECT max(seq) FROM audit_events`).Scan(&top))
	assert.Equal(t, top, cp.Seq, "the heads up to the last row were sealed")
	assert.Equal(t, len(cp.Heads), head.LatestCheckpoint.Chains)
	assert.Equal(t, audit.MerkleRoot(cp.Heads), head.LatestCheckpoint.Hash)
	_, written, err = job.Run(t.Context(), time.Now())
	require.NoError(t, err)
	assert.False(t, written, "an unmoved head is not sealed twice")

	auditedWrites(t, s, 2) // the chain goes on past the checkpoint
	require.True(t, verifyChain(t, s).OK)
	realKey, err := s.Trail.Keys.Current()
	require.NoError(t, err)
	var rewritten int64
	require.NoError(t, s.Owner.QueryRow(t.Context(), `SELECT seq FROM audit_events WHERE content LIKE '%链上客户1%' ORDER BY seq LIMIT 1`).Scan(&rewritten))
	require.Less(t, rewritten, cp.Seq)
	files := func() int {
		entries, err := os.ReadDir(s.Keys.Checkpoints)
		require.NoError(t, err)
		return len(entries)
	}
	restore := snapshot(t, s)

	t.Run("rewritten below it with the key", func(t *testing.T) {
		defer restore()
		rewriteChain(t, s, rewritten, renameCustomer, func(prev, content string) (string, string) { return realKey.Hash(prev, content), realKey.ID })
		v := verifyChain(t, s)
		assert.False(t, v.OK)
		require.NotNil(t, v.Broken)
		assert.Equal(t, firstHeadFrom(t, cp, rewritten), v.Broken.Seq, "every row chains, the checkpoint's head of the chain does not match")
		assert.Contains(t, v.Broken.Reason, "differs from the checkpoint")

		_, _, err := job.Run(t.Context(), time.Now())
		assert.ErrorIs(t, err, audit.ErrBroken, "a broken chain is not sealed")
		assert.Equal(t, 1, files())
	})
	t.Run("cut short below it", func(t *testing.T) {
		defer restore()
		asAdministrator(t, s, func(tx pgx.Tx) {
			_, err := tx.Exec(t.Context(), `DELETE FROM audit_events WHERE seq >= $1`, rewritten)
			require.NoError(t, err)
		})
		v := verifyChain(t, s)
		assert.False(t, v.OK)
		require.NotNil(t, v.Broken)
		assert.Equal(t, firstHeadFrom(t, cp, rewritten), v.Broken.Seq, "the first sealed head that is gone")
		assert.Contains(t, v.Broken.Reason, "rows were removed")
		_, _, err := job.Run(t.Context(), time.Now())
		assert.ErrorIs(t, err, audit.ErrBroken)
		assert.Equal(t, 1, files())
	})
	t.Run("a forged checkpoint file", func(t *testing.T) {
		name := fmt.Sprintf("%s/checkpoint-%020d.json", s.Keys.Checkpoints, 999)
		require.NoError(t, os.WriteFile(name, []byte(`{"seq":999,"hash":"00","audit_key_id":"","at":"2026-01-01T00:00:00Z","seal":{"algorithm":"Ed25519","key_id":"x","signature":"AA=="}}`), 0o600))
		defer os.Remove(name)
		v := verifyChain(t, s)
		assert.False(t, v.OK)
		require.NotNil(t, v.Broken)
		assert.Contains(t, v.Broken.Reason, "seal does not verify")
	})

	// Intact again, the job seals the new head.
	cp2, written, err := job.Run(t.Context(), time.Now())
	require.NoError(t, err)
	assert.True(t, written)
	assert.Greater(t, cp2.Seq, cp.Seq)
	v := verifyChain(t, s)
	assert.True(t, v.OK)
	assert.Equal(t, 2, v.Checkpoints)
}

// TestTheAppRoleCannotDisableTheAuditTriggers: the API and worker connect
// as signet_app, which owns nothing: PostgreSQL refuses it ALTER TABLE on
// the trail (so its append-only triggers stay on), UPDATE, DELETE and
// TRUNCATE of it, and the database holds no key for it to read; what the
// application does still works.
func TestTheAppRoleCannotDisableTheAuditTriggers(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	auditedWrites(t, s, 1)
	before := verifyChain(t, s)
	require.True(t, before.OK)

	var role string
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT current_user`).Scan(&role))
	assert.Equal(t, "signet_app", role)
	can, err := s.Store.CanAlterAuditTrail(t.Context())
	require.NoError(t, err)
	assert.False(t, can)

	for sql, want := range map[string]string{
		`ALTER TABLE audit_events DISABLE TRIGGER ALL`:        "must be owner of table audit_events",
		`ALTER TABLE audit_events DISABLE TRIGGER USER`:       "must be owner of table audit_events",
		`DROP TRIGGER audit_events_no_update ON audit_events`: "must be owner of relation audit_events",
		`UPDATE audit_events SET actor_id = 'x'`:              "permission denied for table audit_events",
		`DELETE FROM audit_events`:                            "permission denied for table audit_events",
		`TRUNCATE audit_events`:                               "permission denied for table audit_events",
		`SET session_replication_role = replica`:              "permission denied to set parameter",
		`SELECT * FROM signing_keys`:                          `relation "signing_keys" does not exist`,
	} {
		_, err := s.Store.Pool().Exec(t.Context(), sql)
		var pg *pgconn.PgError
		require.True(t, errors.As(err, &pg), "%s: %v", sql, err)
		assert.Contains(t, pg.Message, want, sql)
		if !strings.HasPrefix(sql, "SELECT") {
			assert.Equal(t, "42501", pg.Code, "%s: insufficient_privilege", sql)
		}
	}
	var enabled int
	require.NoError(t, s.Owner.QueryRow(t.Context(), `SELECT count(*) FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND tgenabled = 'O' AND NOT tgisinternal`).Scan(&enabled))
	assert.Equal(t, 2, enabled, "both append-only triggers are still on")
	after := verifyChain(t, s)
	assert.Equal(t, before, after, "nothing was changed")

	auditedWrites(t, s, 1) // and the application still writes through its role
	assert.True(t, verifyChain(t, s).OK)
}
