package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// tamper runs sql as a database administrator would: with the trigger
// that keeps the trail append-only switched off.
func tamper(t *testing.T, st *store.Store, sql string) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{`ALTER TABLE audit_events DISABLE TRIGGER USER`, sql, `ALTER TABLE audit_events ENABLE TRIGGER USER`} {
		_, err := st.Pool().Exec(ctx, q)
		require.NoError(t, err, q)
	}
}

// verify walks st's chain with its audit key (no checkpoints).
func verify(t *testing.T, st *store.Store) (int64, *audit.Break) {
	t.Helper()
	rep, err := (&audit.Trail{Rows: st, Keys: st.AuditKeys}).Verify(context.Background())
	require.NoError(t, err)
	return rep.Checked, rep.Broken
}

func TestAuditTrailIsChainedAppendOnlyAndVerifiable(t *testing.T) {
	st := open(t) // writes owner's user row: entry 1
	ctx := audit.WithActor(context.Background(), audit.Actor{UserID: owner.ID, RequestID: "req-42"})
	c := contract("HT-2026-000001", "上海星辰科技有限公司")
	_, err := st.ApplyTransition(ctx, transition(c, 1, domain.EventCreated, domain.StatusDraft))
	require.NoError(t, err)
	_, err = st.AddToken(ctx, owner.ID, "sgt_secret", "laptop", time.Time{})
	require.NoError(t, err)
	require.NoError(t, st.SetManager(ctx, owner.ID, owner.ID))

	entries, err := st.Audit(context.Background(), store.AuditFilter{Limit: 100})
	require.NoError(t, err)
	require.Len(t, entries, 4)
	assert.Equal(t, "user.saved", entries[0].Action)
	assert.Equal(t, "contract.created", entries[1].Action)
	assert.Equal(t, owner.ID, entries[1].ActorID, "a transition is attributed to who caused it")
	assert.Equal(t, "req-42", entries[1].RequestID, "and to the request that carried it")
	assert.Contains(t, string(entries[1].After), "上海星辰科技有限公司")
	assert.Equal(t, "req-42", entries[2].RequestID)
	assert.NotContains(t, string(entries[2].After), "sgt_secret", "tokens never reach the trail")

	checked, broken := verify(t, st)
	assert.Nil(t, broken)
	assert.EqualValues(t, 4, checked)

	for _, q := range []string{`UPDATE audit_events SET actor_id = 'x' WHERE seq = 2`, `DELETE FROM audit_events WHERE seq = 2`, `TRUNCATE audit_events`} {
		_, err := st.Pool().Exec(context.Background(), q)
		assert.ErrorContains(t, err, "append-only", q)
	}

	tamper(t, st, `UPDATE audit_events SET content = replace(content, '上海星辰', '北京天和') WHERE seq = 2`)
	_, broken = verify(t, st)
	require.NotNil(t, broken)
	assert.EqualValues(t, 2, broken.Seq)
	assert.Contains(t, broken.Reason, "content")
}

func TestAuditVerifyFindsMissingRowsAndAlteredColumns(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	for range 3 {
		require.NoError(t, st.SetManager(ctx, owner.ID, owner.ID))
	}
	tamper(t, st, `UPDATE audit_events SET actor_id = 'someone-else' WHERE seq = 3`)
	_, broken := verify(t, st)
	require.NotNil(t, broken)
	assert.EqualValues(t, 3, broken.Seq)
	assert.Contains(t, broken.Reason, "columns")

	tamper(t, st, `DELETE FROM audit_events WHERE seq = 2`)
	_, broken = verify(t, st)
	require.NotNil(t, broken)
	assert.EqualValues(t, 3, broken.Seq)
	assert.Contains(t, broken.Reason, "row 2 of chain")
}

// TestConcurrentWritersEachChainTheirObjects: sixteen writers moving
// their own contracts at once leave a trail that verifies, spread over
// many chains, each chain numbered without gaps, each contract's entries
// on one chain.
func TestConcurrentWritersEachChainTheirObjects(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	const writers, each = 16, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			c := contract(fmt.Sprintf("HT-2026-%06d", w+1), "并发客户")
			for i := range each {
				if _, err := st.ApplyTransition(ctx, transition(c, i+1, domain.EventCreated, domain.StatusDraft)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	checked, broken := verify(t, st)
	require.Nil(t, broken)
	assert.EqualValues(t, 1+writers*each, checked)

	var chains int
	require.NoError(t, st.Pool().QueryRow(ctx, `SELECT count(DISTINCT chain) FROM audit_events`).Scan(&chains))
	assert.Greater(t, chains, 8, "sixteen contracts spread over many chains")
	rows, err := st.Pool().Query(ctx, `SELECT chain, count(*), max(chain_seq) FROM audit_events GROUP BY chain`)
	require.NoError(t, err)
	for rows.Next() {
		var chain, n, top int64
		require.NoError(t, rows.Scan(&chain, &n, &top))
		assert.Equal(t, n, top, "chain %d is numbered 1..n", chain)
	}
	require.NoError(t, rows.Err())
	for i := range writers {
		var spread int
		require.NoError(t, st.Pool().QueryRow(ctx, `SELECT count(DISTINCT chain) FROM audit_events WHERE object_id = $1`,
			fmt.Sprintf("HT-2026-%06d", i+1)).Scan(&spread))
		assert.Equal(t, 1, spread, "one contract's entries are on its chain")
	}
}
