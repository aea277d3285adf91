package store_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/feed"
)

// benchFeedEvents is how many events BenchmarkFeedAt1M seeds:
// SIGNET_BENCH_FEED_EVENTS for a quicker run.
func benchFeedEvents() int {
	var n int
	if _, err := fmt.Sscan(os.Getenv("SIGNET_BENCH_FEED_EVENTS"), &n); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// BenchmarkFeedAt1M reads pages of 100 from a feed of a million events
// (ten thousand per writing transaction, one in twenty a payment): the
// first page, one from the middle, a caught-up consumer's empty page at
// the end, and payments only from the middle.
func BenchmarkFeedAt1M(b *testing.B) {
	st := open(b)
	ctx := context.Background()
	total := benchFeedEvents()
	const perTx = 10_000
	for from := 0; from < total; from += perTx {
		// One statement per transaction: each batch has its own xid.
		_, err := st.Pool().Exec(ctx, `
			INSERT INTO feed_events (id, type, contract_number, occurred_at, payload)
			SELECT 'HT-2026-' || lpad((i / 20)::text, 6, '0') || '/' || (i % 20 + 1),
				CASE WHEN i % 20 = 19 THEN 'payment.recorded' ELSE 'contract.submitted' END,
				'HT-2026-' || lpad((i / 20)::text, 6, '0'), now(),
				jsonb_build_object('id', 'HT-2026-' || lpad((i / 20)::text, 6, '0') || '/' || (i % 20 + 1),
					'type', CASE WHEN i % 20 = 19 THEN 'payment.recorded' ELSE 'contract.submitted' END,
					'occurred_at', now(), 'actor', jsonb_build_object('id', 'demo-finance', 'name', '李娜 Li Na'),
					'contract', jsonb_build_object('number', 'HT-2026-' || lpad((i / 20)::text, 6, '0'),
						'title', '年度技术服务协议', 'customer_id', gen_random_uuid(), 'customer_name', '上海浦东发展科技有限公司',
						'owner_id', 'demo-sales', 'owner_name', '张伟 Zhang Wei', 'amount', 12345600, 'currency', 'CNY',
						'status', 'active', 'version', 1, 'start_date', '2026-01-01', 'end_date', '2026-12-31'))
			FROM generate_series($1::int, $2::int - 1) AS i`, from, min(from+perTx, total))
		require.NoError(b, err)
	}
	_, err := st.Pool().Exec(ctx, `ANALYZE feed_events`)
	require.NoError(b, err)
	all, err := st.FeedEvents(ctx, feed.Cursor{}, nil, total)
	require.NoError(b, err)
	require.Len(b, all, total)
	middle, last := all[total/2].Cursor, all[total-1].Cursor
	all = nil

	for _, tc := range []struct {
		name  string
		after feed.Cursor
		types []string
		want  int
	}{
		{"first-page", feed.Cursor{}, nil, 100},
		{"middle-page", middle, nil, 100},
		{"caught-up", last, nil, 0},
		{"payments-from-middle", middle, []string{feed.PaymentRecorded}, 100},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				page, err := st.FeedEvents(ctx, tc.after, tc.types, 100)
				if err != nil || len(page) != tc.want {
					b.Fatalf("page of %d, %v; want %d", len(page), err, tc.want)
				}
			}
		})
	}
}
