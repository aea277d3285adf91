package api_test

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/testkit/testenv"
)

// signedContract takes a new contract through review and both signatures
// and returns its number and its certificate.
func signedContract(t *testing.T, s *testenv.Stack) (string, eseal.Certificate) {
	t.Helper()
	n := driveToActive(t, s, newContract(5_000_000, "2026-01-01", "2030-12-31")).Contract.Number
	cert := expect[eseal.Certificate](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/certificate", "auditor", nil), http.StatusOK)
	require.Len(t, cert.Signatures, 2)
	return n, cert
}

func verifyBody(t *testing.T, s *testenv.Stack, body any) esign.VerifyResult {
	t.Helper()
	return expect[esign.VerifyResult](t, call(t, s, http.MethodPost, "/v1/verify", "", body), http.StatusOK)
}

func auditRows(t *testing.T, s *testenv.Stack) int64 {
	t.Helper()
	var n int64
	require.NoError(t, s.Owner.QueryRow(t.Context(), `SELECT count(*) FROM audit_events`).Scan(&n))
	return n
}

// seedsInTheDatabase is every 32-byte value a copy of the database holds
// in a bytea column: wherever a sealing key's seed might be kept.
func seedsInTheDatabase(t *testing.T, s *testenv.Stack) [][]byte {
	t.Helper()
	ctx := t.Context()
	rows, err := s.Owner.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type = 'bytea'`)
	require.NoError(t, err)
	type column struct{ table, name string }
	columns, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (column, error) {
		var c column
		return c, r.Scan(&c.table, &c.name)
	})
	require.NoError(t, err)
	var seeds [][]byte
	for _, c := range columns {
		rows, err := s.Owner.Query(ctx, `SELECT `+pgx.Identifier{c.name}.Sanitize()+` FROM `+pgx.Identifier{c.table}.Sanitize()+
			` WHERE length(`+pgx.Identifier{c.name}.Sanitize()+`) = 32`)
		require.NoError(t, err)
		found, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		require.NoError(t, err)
		seeds = append(seeds, found...)
	}
	return seeds
}

// forge is what someone holding seed makes of a genuine certificate: the
// same signers, for a document of their choosing, every seal made anew.
func forge(t *testing.T, seed []byte, genuine eseal.Certificate, relabel string) eseal.Certificate {
	t.Helper()
	forger, err := eseal.NewSealer(seed)
	require.NoError(t, err)
	c := genuine
	c.Title = "伪造的补充协议"
	c.DocumentSHA256 = strings.Repeat("ab", 32)
	c.Signatures = nil
	for _, sig := range genuine.Signatures {
		sig.DocumentSHA256 = c.DocumentSHA256
		seal, err := forger.Seal(sig.SignatureRecord)
		require.NoError(t, err)
		if relabel != "" {
			seal.KeyID = relabel
		}
		sig.Seal = seal
		c.Signatures = append(c.Signatures, sig)
	}
	c.Seal = nil
	seal, err := forger.Seal(c)
	require.NoError(t, err)
	if relabel != "" {
		seal.KeyID = relabel
	}
	c.Seal = &seal
	return c
}

// TestAForgedCertificateFromADatabaseCopyIsRefused: whoever holds a copy of
// the database (and not the keyring file) has no key to seal with. Every
// 32-byte value the database holds is tried as a seed, as is a key of the
// forger's own, under its own key ID and under the genuine one: POST
// /v1/verify refuses every forged certificate, and signatures rewritten in
// the database no longer verify.
func TestAForgedCertificateFromADatabaseCopyIsRefused(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n, cert := signedContract(t, s)
	require.True(t, verifyBody(t, s, map[string]any{"certificate": cert}).Certificate.Valid, "the genuine certificate verifies")

	var noKeyTable bool
	require.NoError(t, s.Owner.QueryRow(t.Context(), `SELECT to_regclass('public.signing_keys') IS NULL`).Scan(&noKeyTable))
	assert.True(t, noKeyTable, "the database keeps no sealing key")

	own := make([]byte, 32)
	_, _ = rand.Read(own)
	candidates := append(seedsInTheDatabase(t, s), own)
	before := auditRows(t, s)
	for i, seed := range candidates {
		for _, relabel := range []string{"", s.Sealer.KeyID()} {
			forged := forge(t, seed, cert, relabel)
			v := verifyBody(t, s, map[string]any{"certificate": forged})
			require.NotNil(t, v.Certificate)
			assert.False(t, v.Certificate.Valid, "candidate %d (relabelled %q) must not verify", i, relabel)
			assert.Contains(t, v.Certificate.Problem, "certificate: seal does not verify")
			assert.Contains(t, v.Certificate.Problem, "signature 1")
			assert.False(t, v.Matches, "the forged document is no contract")
		}
	}

	// Rewriting the stored signatures with a forged seal does not pass either.
	forged := forge(t, own, cert, s.Sealer.KeyID())
	for i, sig := range forged.Signatures {
		sig.DocumentSHA256 = cert.DocumentSHA256
		sig.SignerName = "冒名顶替"
		forger, _ := eseal.NewSealer(own)
		seal, err := forger.Seal(sig.SignatureRecord)
		require.NoError(t, err)
		seal.KeyID = s.Sealer.KeyID()
		record, _ := json.Marshal(sig.SignatureRecord)
		sealJSON, _ := json.Marshal(seal)
		tag, err := s.Owner.Exec(t.Context(), `UPDATE signatures SET record = $1, seal = $2 WHERE contract_number = $3 AND record->>'signer_id' = $4`,
			record, sealJSON, n, cert.Signatures[i].SignerID)
		require.NoError(t, err)
		require.EqualValues(t, 1, tag.RowsAffected())
	}
	v := verifyBody(t, s, map[string]any{"document_sha256": cert.DocumentSHA256})
	assert.True(t, v.Matches, "the document is still the contract's")
	assert.False(t, v.SealsValid, "but its rewritten signatures do not verify")
	require.Len(t, v.Versions, 1)
	for _, sig := range v.Versions[0].Signatures {
		assert.Equal(t, "冒名顶替", sig.SignerName)
		assert.False(t, sig.SealValid)
	}
	key := expect[api.PublicKeyInfo](t, call(t, s, http.MethodGet, "/v1/signing-key", "", nil), http.StatusOK)
	assert.Equal(t, s.Sealer.KeyID(), key.KeyID)
	assert.Empty(t, key.Retired, "no other key is trusted")
	assert.Equal(t, before, auditRows(t, s), "verifying writes nothing")
}

// TestASealMadeBeforeRotationStillVerifiesAfterIt: `signet keys rotate`
// makes a new current key and retires the old one; the running API and
// worker pick it up without a restart, seals made before still verify, new
// seals and certificates name the new key, and the keyring stays 0600.
func TestASealMadeBeforeRotationStillVerifiesAfterIt(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	for _, f := range []string{s.Keys.Keyring, s.Keys.AuditKey} {
		fi, err := os.Stat(f)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), f)
	}
	n, cert := signedContract(t, s)
	oldKey := expect[api.PublicKeyInfo](t, call(t, s, http.MethodGet, "/v1/signing-key", "", nil), http.StatusOK)
	assert.Equal(t, oldKey.KeyID, cert.Seal.KeyID)
	assert.Equal(t, oldKey.KeyID, cert.Signatures[0].Seal.KeyID, "every seal names its key")
	assert.Equal(t, []api.RetiredKey{}, oldKey.Retired)

	rot, err := eseal.RotateFileKeyring(s.Keys.Keyring, time.Now())
	require.NoError(t, err)
	require.Equal(t, oldKey.KeyID, rot.Retired)
	fi, err := os.Stat(s.Keys.Keyring)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the rotated keyring is 0600 too")

	key := expect[api.PublicKeyInfo](t, call(t, s, http.MethodGet, "/v1/signing-key", "", nil), http.StatusOK)
	assert.Equal(t, rot.Current, key.KeyID)
	require.Len(t, key.Retired, 1)
	assert.Equal(t, oldKey.KeyID, key.Retired[0].KeyID)
	assert.Equal(t, oldKey.PublicKey, key.Retired[0].PublicKey)
	assert.False(t, key.Retired[0].RetiredAt.IsZero())

	// Before the rotation: the certificate and the document's seals.
	assert.True(t, verifyBody(t, s, map[string]any{"certificate": cert}).Certificate.Valid, "a certificate issued before rotation verifies")
	v := verifyBody(t, s, map[string]any{"document_sha256": cert.DocumentSHA256})
	assert.True(t, v.Matches)
	assert.True(t, v.SealsValid, "signatures sealed before rotation verify")

	// After: a certificate of the same signatures is sealed with the new key.
	again := expect[eseal.Certificate](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/certificate", "auditor", nil), http.StatusOK)
	assert.Equal(t, rot.Current, again.Seal.KeyID)
	assert.Equal(t, oldKey.KeyID, again.Signatures[0].Seal.KeyID)
	assert.True(t, verifyBody(t, s, map[string]any{"certificate": again}).Certificate.Valid)

	// And the worker seals new signatures with the new key.
	_, later := signedContract(t, s)
	for _, sig := range later.Signatures {
		assert.Equal(t, rot.Current, sig.Seal.KeyID)
	}
	v = verifyBody(t, s, map[string]any{"document_sha256": later.DocumentSHA256})
	assert.True(t, v.SealsValid)
}
