package audit_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/eseal"
)

// memRows is a trail in memory, in seq order.
type memRows []audit.Row

func (m *memRows) sorted() []audit.Row {
	rows := slices.Clone(*m)
	slices.SortStableFunc(rows, func(a, b audit.Row) int { return cmp.Or(a.Chain-b.Chain, cmp.Compare(a.ChainSeq, b.ChainSeq)) })
	return rows
}

func (m *memRows) AuditRows(_ context.Context, from map[int]int64, fn func(audit.Row) error) error {
	for _, r := range m.sorted() {
		if r.ChainSeq >= max(from[r.Chain], 1) {
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *memRows) AuditHeads(context.Context) ([]audit.Row, error) {
	var heads []audit.Row
	for _, r := range m.sorted() {
		if n := len(heads); n > 0 && heads[n-1].Chain == r.Chain {
			heads[n-1] = r
		} else {
			heads = append(heads, r)
		}
	}
	return heads, nil
}

// appendRow chains a row on chain 0 with key (nil: the legacy SHA-256,
// as rows were written before the trail had chains).
func (m *memRows) appendRow(key *audit.Key) { m.appendOn(0, key) }

// appendOn chains a row on chain with key.
func (m *memRows) appendOn(chain int, key *audit.Key) {
	prev, chainSeq := audit.Genesis, int64(1)
	for _, r := range *m {
		if r.Chain == chain {
			prev, chainSeq = r.Hash, r.ChainSeq+1
		}
	}
	seq := int64(len(*m) + 1)
	e := audit.Entry{Seq: seq, At: time.Date(2026, 1, 1, 0, 0, int(seq), 0, time.UTC), ActorID: "system", Action: "user.saved",
		ObjectType: "user", ObjectID: "u", Before: json.RawMessage("null"), After: json.RawMessage("null")}
	if key != nil {
		e.Chain, e.ChainSeq = chain, chainSeq
	}
	content, _ := json.Marshal(e)
	r := audit.Row{Seq: seq, Chain: chain, ChainSeq: chainSeq, At: e.At, ActorID: e.ActorID, Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID,
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
	assert.Equal(t, []audit.Head{{Chain: 0, ChainSeq: 2, Seq: 2, Hash: (*rows)[1].Hash}}, cp.Heads, "chain 0's head, chained before the key")
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

// TestChainsVerifyApartAndTheCheckpointPinsEveryHead: rows interleaved on
// three chains verify; a checkpoint seals each chain's head under one
// Merkle root with a proof per head; a row removed from the middle of one
// chain, two rows swapped, or a chain's tail cut under the checkpoint is
// found, at the lowest seq that breaks.
func TestChainsVerifyApartAndTheCheckpointPinsEveryHead(t *testing.T) {
	key := testKey(t, 1)
	rows := &memRows{}
	for i := range 12 {
		rows.appendOn([]int{3, 7, 40}[i%3], &key)
	}
	tr := newTrail(t, rows, audit.Keys{key})
	rep, err := tr.Verify(context.Background())
	require.NoError(t, err)
	require.Nil(t, rep.Broken)
	assert.EqualValues(t, 12, rep.Checked)

	cp, written, err := tr.Checkpoint(context.Background(), time.Now())
	require.NoError(t, err)
	require.True(t, written)
	assert.EqualValues(t, 12, cp.Seq)
	require.Len(t, cp.Heads, 3)
	assert.Equal(t, audit.MerkleRoot(cp.Heads), cp.Hash)
	for _, chain := range []int{3, 7, 40} {
		h, proof, ok := cp.ProveHead(chain)
		require.True(t, ok)
		assert.True(t, audit.VerifyInclusion(cp.Hash, h, proof.Index, proof.Of, proof.Path), "chain %d", chain)
		h.Hash = audit.Genesis
		assert.False(t, audit.VerifyInclusion(cp.Hash, h, proof.Index, proof.Of, proof.Path), "an altered head is not under the root")
	}
	for range 3 {
		rows.appendOn(7, &key)
	}
	rep, err = tr.Verify(context.Background())
	require.NoError(t, err)
	require.Nil(t, rep.Broken)
	_, written, err = tr.Checkpoint(context.Background(), time.Now())
	require.NoError(t, err)
	require.True(t, written, "only chain 7 moved; it is checked from its last sealed head on")

	without := func(seq int64) *memRows {
		out := memRows{}
		for _, r := range *rows {
			if r.Seq != seq {
				out = append(out, r)
			}
		}
		return &out
	}
	for name, tc := range map[string]struct {
		rows   *memRows
		seq    int64
		reason string
	}{
		"a row removed from a chain's middle": {without(5), 8, "row 2 of chain 7 is missing"},
		"a chain's sealed head removed":       {without(15), 15, "rows were removed"},
		"two rows swapped": {func() *memRows {
			out := append(memRows{}, (*rows)...)
			out[1].ChainSeq, out[4].ChainSeq = out[4].ChainSeq, out[1].ChainSeq
			return &out
		}(), 5, "previous hash"},
	} {
		t.Run(name, func(t *testing.T) {
			tr.Rows = tc.rows
			rep, err := tr.Verify(context.Background())
			require.NoError(t, err)
			require.NotNil(t, rep.Broken)
			assert.Equal(t, tc.seq, rep.Broken.Seq)
			assert.Contains(t, rep.Broken.Reason, tc.reason)
			if tc.seq == 15 { // above the last checkpoint but one: the next one refuses too
				_, _, err = tr.Checkpoint(context.Background(), time.Now())
				assert.ErrorIs(t, err, audit.ErrBroken)
			}
		})
	}
}

// TestACheckpointFromBeforeChainsStillVouches: a checkpoint file written
// when the trail was one chain (no heads) reads as chain 0's head and
// still pins it.
func TestACheckpointFromBeforeChainsStillVouches(t *testing.T) {
	key := testKey(t, 1)
	rows := &memRows{}
	rows.appendRow(nil)
	rows.appendRow(nil)
	tr := newTrail(t, rows, audit.Keys{key})
	old := audit.Checkpoint{Seq: 2, Hash: (*rows)[1].Hash, At: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	seal, err := tr.Sealer.Seal(old)
	require.NoError(t, err)
	_, err = tr.Checkpoints.Write(audit.SealedCheckpoint{Checkpoint: old, Seal: seal})
	require.NoError(t, err)
	rows.appendOn(0, &key)
	rows.appendOn(9, &key)
	rep, err := tr.Verify(context.Background())
	require.NoError(t, err)
	require.Nil(t, rep.Broken)
	cp, written, err := tr.Checkpoint(context.Background(), time.Now())
	require.NoError(t, err)
	require.True(t, written)
	assert.Len(t, cp.Heads, 2)

	tampered := append(memRows{}, (*rows)...)
	tampered[1].Content = strings.Replace(tampered[1].Content, `"u"`, `"v"`, 1)
	tampered[1].ObjectID = "v"
	tampered[1].Hash = audit.LegacyHash(tampered[1].PrevHash, tampered[1].Content)
	tr.Rows = &tampered
	rep, err = tr.Verify(context.Background())
	require.NoError(t, err)
	require.NotNil(t, rep.Broken)
	assert.EqualValues(t, 2, rep.Broken.Seq)
	assert.Contains(t, rep.Broken.Reason, "differs from the checkpoint")
}

func TestChainOfSpreadsObjects(t *testing.T) {
	seen := map[int]bool{}
	for i := range 1000 {
		c := audit.ChainOf("contract", fmt.Sprintf("HT-2026-%06d", i))
		require.True(t, c >= 0 && c < audit.Chains)
		seen[c] = true
	}
	assert.Len(t, seen, audit.Chains, "a thousand contracts use every chain")
	assert.Equal(t, audit.ChainOf("contract", "HT-2026-000001"), audit.ChainOf("contract", "HT-2026-000001"))
}
