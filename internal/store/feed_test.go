package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/feed"
	"github.com/signet-clm/signet/testkit/testenv"
)

// A writer that began first but commits last must not appear behind a
// cursor a consumer already holds: the feed lists nothing past a running
// writer until it ends, then both in their order.
func TestTheFeedNeverListsAnEventBeforeAnEarlierWriterEnds(t *testing.T) {
	testenv.RequireIntegration(t)
	ctx := context.Background()
	url := testenv.NewDatabase(t)
	st := openURL(t, url)

	// The slow writer: a transaction that has written its feed row and
	// not committed (as ApplyTransition would, mid-transaction).
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(ctx) })
	slow, err := conn.Begin(ctx)
	require.NoError(t, err)
	_, err = slow.Exec(ctx, `INSERT INTO feed_events (id, type, contract_number, occurred_at, payload)
		VALUES ('HT-2026-000009/1', 'contract.created', 'HT-2026-000009', now(), '{"id":"HT-2026-000009/1","type":"contract.created","contract":{"number":"HT-2026-000009"}}')`)
	require.NoError(t, err)

	// A later writer commits first.
	c := contract("HT-2026-000010", "杭州云栖科技有限公司")
	_, err = st.ApplyTransition(ctx, transition(c, 1, domain.EventCreated, domain.StatusDraft))
	require.NoError(t, err)
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT 1`).Scan(&n)) // the slow one is still open on conn
	list, err := st.FeedEvents(ctx, feed.Cursor{}, nil, 10)
	require.NoError(t, err)
	assert.Empty(t, list, "nothing is listed past a writer still running")

	require.NoError(t, slow.Commit(ctx))
	// Other tests' transactions on the same server may hold the horizon
	// back a moment; what matters is what comes, and its order.
	require.Eventually(t, func() bool {
		list, err = st.FeedEvents(ctx, feed.Cursor{}, nil, 10)
		return err == nil && len(list) == 2
	}, 30*time.Second, 50*time.Millisecond)
	assert.Equal(t, "HT-2026-000009/1", list[0].Event.ID)
	assert.Equal(t, "HT-2026-000010/1", list[1].Event.ID)
	assert.Equal(t, feed.ContractCreated, list[1].Event.Type)
	assert.Equal(t, "杭州云栖科技有限公司", list[1].Event.Contract.CustomerName)

	// From a cursor: only what follows it; the same cursor again, the same.
	after, err := st.FeedEvents(ctx, list[0].Cursor, nil, 10)
	require.NoError(t, err)
	require.Len(t, after, 1)
	assert.Equal(t, list[1].Cursor, after[0].Cursor)
	none, err := st.FeedEvents(ctx, list[1].Cursor, nil, 10)
	require.NoError(t, err)
	assert.Empty(t, none)

	// A transition recorded again (a retried activity) adds nothing.
	_, err = st.ApplyTransition(ctx, transition(c, 1, domain.EventCreated, domain.StatusDraft))
	require.NoError(t, err)
	again, err := st.FeedEvents(ctx, feed.Cursor{}, []string{feed.ContractCreated}, 10)
	require.NoError(t, err)
	assert.Len(t, again, 2)
	other, err := st.FeedEvents(ctx, feed.Cursor{}, []string{feed.PaymentRecorded}, 10)
	require.NoError(t, err)
	assert.Empty(t, other)
}
