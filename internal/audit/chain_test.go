package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/eseal"
)

// memRows is a trail in memory.
type memRows []audit.Row

func (m *memRows) AuditRows(_ context.Context, after int64, fn func(audit.Row) error) error {
	for _, r := range *m {
		if r.Seq > after {
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *memRows) AuditHead(context.Context) (audit.Row, bool, error) {
	if len(*m) == 0 {
		return audit.Row{}, false, nil
	}
	return (*m)[len(*m)-1], true, nil
}

// appendRow chains a row with key (nil: the legacy SHA-256).
func (m *memRows) appendRow(key *audit.Key) {
	prev := audit.Genesis
	if n := len(*m); n > 0 {
		prev = (*m)[n-1].Hash
	}
	seq := int64(len(*m) + 1)
	e := audit.Entry{Seq: seq, At: time.Date(2026, 1, 1, 0, 0, int(seq), 0, time.UTC), ActorID: "system", Action: "user.saved",
		ObjectType: "user", ObjectID: "u", Before: json.RawMessage("null"), After: json.RawMessage("null")}
	content, _ := json.Marshal(e)
	r := audit.Row{Seq: seq, At: e.At, ActorID: e.ActorID, Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID,
		Content: string(content), PrevHash: prev, Hash: audit.LegacyHash(prev, string(content))}
	if key != nil {
		r.Hash, r.KeyID = key.Hash(prev, string(content)), key.ID
	}
	*m = append(*m, r)
}

func testKey(t *testing.T, fill byte) audit.Key {
	t.Helper()
	k, err := audit.NewKey(bytes.Repeat([]byte{fill}, audit.KeySize))
	require.NoError(t, err)
	return k
}

func newTrail(t *testing.T, rows *memRows, keys audit.Keys) *audit.Trail {
	t.Helper()
	sealer, err := eseal.NewSealer(bytes.Repeat([]byte{5}, 32))
	require.NoError(t, err)
	return &audit.Trail{Rows: rows, Keys: keys, Checkpoints: audit.CheckpointDir(filepath.Join(t.TempDir(), "checkpoints")), Sealer: sealer}
}

func TestOldEntriesAreTrustedBelowTheFirstCheckpointOnly(t *testing.T) {
	key := testKey(t, 1)
	rows := &memRows{}
	rows.appendRow(nil)
	rows.appendRow(nil)
	tr := newTrail(t, rows, audit.Keys{key})
	rep, err := tr.Verify(context.Background())
	require.NoError(t, err)
	require.NotNil(t, rep.Broken, "nothing vouches for SHA-256 entries yet")
	assert.EqualValues(t, 1, rep.Broken.Seq)

	cp, written, err := tr.Checkpoint(context.Background(), time.Now())
	require.NoError(t, err)
	require.True(t, written)
	assert.EqualValues(t, 2, cp.Seq)
	assert.Empty(t, cp.KeyID, "the head was chained before the key")
	rows.appendRow(&key)
	rep, err = tr.Verify(context.Background())
	require.NoError(t, err)
	assert.Nil(t, rep.Broken)
	assert.EqualValues(t, 3, rep.Checked)
	assert.Equal(t, 1, rep.Checkpoints)

	// An unkeyed entry after the checkpoint is refused, even before any
	// keyed one: every row after a checkpoint was written with the key.
	more := append(memRows{}, (*rows)[:2]...)
	more.appendRow(nil)
	tr.Rows = &more
	rep, err = tr.Verify(context.Background())
	require.NoError(t, err)
	require.NotNil(t, rep.Broken)
	assert.EqualValues(t, 3, rep.Broken.Seq)
	_, _, err = tr.Checkpoint(context.Background(), time.Now())
	assert.ErrorIs(t, err, audit.ErrBroken, "and not sealed")
}

func TestAnEmptyChainIsSealedAsKeyedFromTheStart(t *testing.T) {
	key := testKey(t, 1)
	rows := &memRows{}
	tr := newTrail(t, rows, audit.Keys{key})
	cp, written, err := tr.Checkpoint(context.Background(), time.Now())
	require.NoError(t, err)
	require.True(t, written)
	assert.EqualValues(t, 0, cp.Seq)
	assert.Equal(t, audit.Genesis, cp.Hash)

	rows.appendRow(nil) // recomputed without the key from the very first row
	rep, err := tr.Verify(context.Background())
	require.NoError(t, err)
	require.NotNil(t, rep.Broken)
	assert.EqualValues(t, 1, rep.Broken.Seq)
}

func TestCheckpointsSealIncrementallyAndPinTheChain(t *testing.T) {
	key := testKey(t, 1)
	rows := &memRows{}
	for range 3 {
		rows.appendRow(&key)
	}
	tr := newTrail(t, rows, audit.Keys{key})
	first, _, err := tr.Checkpoint(context.Background(), time.Now())
	require.NoError(t, err)
	for range 2 {
		rows.appendRow(&key)
	}
	second, written, err := tr.Checkpoint(context.Background(), time.Now())
	require.NoError(t, err)
	require.True(t, written)
	assert.EqualValues(t, 5, second.Seq)

	// Row 2 rewritten with the key, and the chain recomputed after it.
	tampered := append(memRows{}, (*rows)...)
	for i := 1; i < len(tampered); i++ {
		if i == 1 {
			var e audit.Entry
			require.NoError(t, json.Unmarshal([]byte(tampered[i].Content), &e))
			e.ObjectID = "changed"
			content, _ := json.Marshal(e)
			tampered[i].Content, tampered[i].ObjectID = string(content), e.ObjectID
		}
		tampered[i].PrevHash = tampered[i-1].Hash
		tampered[i].Hash = key.Hash(tampered[i].PrevHash, tampered[i].Content)
	}
	tr.Rows = &tampered
	rep, err := tr.Verify(context.Background())
	require.NoError(t, err)
	require.NotNil(t, rep.Broken)
	assert.Equal(t, first.Seq, rep.Broken.Seq)
	assert.Contains(t, rep.Broken.Reason, "differs from the checkpoint")
	_, _, err = tr.Checkpoint(context.Background(), time.Now())
	assert.ErrorIs(t, err, audit.ErrBroken)
}

func TestAuditKeyFileRotates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit-key.json")
	created, err := audit.CreateKeyFile(path, time.Now())
	require.NoError(t, err)
	require.True(t, created)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	keys, err := audit.OpenKeyFile(path)
	require.NoError(t, err)
	old, err := keys.Current()
	require.NoError(t, err)
	rows := &memRows{}
	rows.appendRow(&old)

	id, err := audit.RotateKeyFile(path, time.Now())
	require.NoError(t, err)
	cur, err := keys.Current()
	require.NoError(t, err)
	assert.Equal(t, id, cur.ID, "the open key file picks the rotation up")
	rows.appendRow(&cur)
	rep, err := (&audit.Trail{Rows: rows, Keys: keys}).Verify(context.Background())
	require.NoError(t, err)
	assert.Nil(t, rep.Broken, "entries of both keys verify")

	require.NoError(t, os.WriteFile(path, []byte(`{"version":1,"keys":[{"id":"0000000000000000","secret":"`+
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="+`","created_at":"2026-01-01T00:00:00Z"}]}`), 0o600))
	_, err = audit.OpenKeyFile(path)
	assert.ErrorContains(t, err, "the file says 0000000000000000", "a file cannot name a key it does not hold")
}
