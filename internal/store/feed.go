package store

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/feed"
	"github.com/signet-clm/signet/internal/notify"
)

// recordFeed writes a feed event and its webhook deliveries inside the
// transaction that records the transition, so the feed, the webhooks and
// the contract never disagree. Both are keyed by the event's ID.
func (s *Store) recordFeed(ctx context.Context, tx pgx.Tx, e feed.Event, at time.Time) error {
	payload, err := json.Marshal(e)
	if err != nil {
		return wrap("encode feed event", err)
	}
	roles := make([]string, len(feed.ReaderRoles))
	for i, r := range feed.ReaderRoles {
		roles[i] = string(r)
	}
	batch := &pgx.Batch{}
	batch.Queue(`INSERT INTO feed_events (id, type, contract_number, occurred_at, payload)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING
		RETURNING xid::text::bigint, seq, recorded_at`, e.ID, e.Type, e.Contract.Number, e.OccurredAt, payload)
	// Subscribers: active feed readers with a target naming the kind.
	batch.Queue(`SELECT u.id, u.email, u.active, ns.targets, true AS saved
		FROM users u JOIN notification_settings ns ON ns.user_id = u.id
		WHERE u.active AND u.roles && $1::text[] AND ns.targets @> $2::jsonb`,
		roles, `[{"kinds":["`+notify.KindEvents+`"]}]`)
	br := tx.SendBatch(ctx, batch)
	st := feed.Stored{Event: e}
	var xid int64
	err = br.QueryRow().Scan(&xid, &st.Cursor.Seq, &st.RecordedAt)
	written := err == nil
	if errors.Is(err, pgx.ErrNoRows) {
		err = nil // written before, with its deliveries
	}
	if err != nil {
		_ = br.Close()
		return wrap("write feed event", err)
	}
	st.Cursor.XID = uint64(xid)
	rows, _ := br.Query()
	subs, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[notify.Recipient]) // only where they route webhooks
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return wrap("feed subscribers", err)
	}
	if !written {
		return nil
	}
	out, err := notify.ForEvent(st, subs, at)
	if err != nil {
		return err
	}
	return writeOutbox(ctx, tx, out)
}

// FeedEvents reads the feed after a cursor (feed.Reader): only events
// whose transactions are older than every one still running, so none can
// commit later below what is returned.
func (s *Store) FeedEvents(ctx context.Context, after feed.Cursor, types []string, limit int) ([]feed.Stored, error) {
	if types == nil {
		types = []string{}
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT xid::text::bigint AS xid_number, seq, recorded_at, payload FROM feed_events AS f
		WHERE (xid, seq) > ($1::text::xid8, $2::bigint)
		  AND xid < pg_snapshot_xmin(pg_current_snapshot())
		  AND (cardinality($3::text[]) = 0 OR type = ANY($3))
		ORDER BY f.xid, f.seq LIMIT $4`, strconv.FormatUint(after.XID, 10), after.Seq, types, limit)
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (feed.Stored, error) {
		var st feed.Stored
		var xid int64
		var payload []byte
		if err := row.Scan(&xid, &st.Cursor.Seq, &st.RecordedAt, &payload); err != nil {
			return st, err
		}
		st.Cursor.XID = uint64(xid)
		return st, json.Unmarshal(payload, &st.Event)
	})
	if err != nil {
		return nil, wrap("read the change feed", err)
	}
	return list, nil
}
