package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/audit"
)

// appendAudit records a change in the same transaction that makes it,
// chained with the current audit key to the previous entry of its chain.
// before and after are the object's state around the change (nil when
// absent); the actor comes from ctx.
//
// A transaction's entries all go on one chain, the first entry's object's
// (audit.ChainOf), whose lock it then holds to commit: so it never holds
// two chain locks, and two transactions can never deadlock over them,
// while transactions on other chains append at the same time.
func (s *Store) appendAudit(ctx context.Context, tx pgx.Tx, action, objectType, objectID string, before, after any) error {
	if s.AuditKeys == nil {
		return errors.New("store: no audit key configured (Store.AuditKeys)")
	}
	key, err := s.AuditKeys.Current()
	if err != nil {
		return wrap("audit key", err)
	}
	// The chain's lock is taken before its head is read, in a statement of
	// its own: a head read in the same statement would come from a
	// snapshot older than the lock. The two go in one round trip.
	var chain int
	prev, seq, chainSeq := audit.Genesis, int64(0), int64(1)
	var head *string
	var last *int64
	batch := &pgx.Batch{}
	batch.Queue(`SELECT c, pg_advisory_xact_lock($2::bigint + c), set_config('signet.audit_chain', c::text, true)
		FROM (SELECT coalesce(nullif(current_setting('signet.audit_chain', true), '')::int, $1) AS c) x`,
		audit.ChainOf(objectType, objectID), auditChainLocks).QueryRow(func(row pgx.Row) error {
		return wrap("lock audit chain", row.Scan(&chain, nil, nil))
	})
	batch.Queue(`SELECT nextval('audit_events_seq'), h.hash, h.chain_seq
		FROM (SELECT 1) one LEFT JOIN LATERAL (
			SELECT hash, chain_seq FROM audit_events
			WHERE chain = current_setting('signet.audit_chain')::int ORDER BY chain_seq DESC LIMIT 1) h ON true`).QueryRow(func(row pgx.Row) error {
		return wrap("read audit head", row.Scan(&seq, &head, &last))
	})
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return err
	}
	if head != nil {
		prev, chainSeq = *head, *last+1
	}
	actor := audit.ActorFrom(ctx)
	e := audit.Entry{Seq: seq, Chain: chain, ChainSeq: chainSeq, At: time.Now().UTC().Truncate(time.Microsecond), ActorID: actor.UserID,
		Action: action, ObjectType: objectType, ObjectID: objectID, RequestID: actor.RequestID}
	if e.Before, err = rawJSON(before); err != nil {
		return err
	}
	if e.After, err = rawJSON(after); err != nil {
		return err
	}
	content, err := json.Marshal(e)
	if err != nil {
		return wrap("encode audit entry", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_events (seq, chain, chain_seq, at, actor_id, action, object_type, object_id, request_id, content, prev_hash, hash, key_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		e.Seq, e.Chain, e.ChainSeq, e.At, e.ActorID, e.Action, e.ObjectType, e.ObjectID, e.RequestID, string(content), prev, key.Hash(prev, string(content)), key.ID)
	if err != nil {
		return wrap("append audit entry", err)
	}
	return nil
}

func rawJSON(v any) (json.RawMessage, error) {
	if v == nil {
		return json.RawMessage("null"), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, wrap("encode audit state", err)
	}
	return b, nil
}

// AuditFilter narrows the audit trail; empty fields do not filter.
type AuditFilter struct {
	ObjectType string
	ObjectID   string
	ActorID    string
	After      int64 // cursor: the last seq of the previous page
	Limit      int
}

// Audit returns audit entries in order, as their canonical content says.
func (s *Store) Audit(ctx context.Context, f AuditFilter) ([]audit.Entry, error) {
	rows, _ := s.pool.Query(ctx, `SELECT content FROM audit_events
		WHERE ($1 = '' OR object_type = $1) AND ($2 = '' OR object_id = $2) AND ($3 = '' OR actor_id = $3) AND seq > $4
		ORDER BY seq LIMIT $5`, f.ObjectType, f.ObjectID, f.ActorID, f.After, f.Limit)
	entries, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (audit.Entry, error) {
		var content string
		var e audit.Entry
		if err := row.Scan(&content); err != nil {
			return e, err
		}
		return e, json.Unmarshal([]byte(content), &e)
	})
	if err != nil {
		return nil, wrap("audit trail", err)
	}
	return entries, nil
}

const auditRowColumns = `seq, chain, chain_seq, at, actor_id, action, object_type, object_id, request_id, content, prev_hash, hash, key_id`

func scanAuditRow(row pgx.Row, r *audit.Row) error {
	return row.Scan(&r.Seq, &r.Chain, &r.ChainSeq, &r.At, &r.ActorID, &r.Action, &r.ObjectType, &r.ObjectID, &r.RequestID, &r.Content, &r.PrevHash, &r.Hash, &r.KeyID)
}

// AuditRows calls fn with every audit row, each chain's in chain_seq
// order from the position from gives for it (1 for chains it does not
// name); the chain's rules are audit.Verifier's.
func (s *Store) AuditRows(ctx context.Context, from map[int]int64, fn func(audit.Row) error) error {
	chains, starts := make([]int32, 0, len(from)), make([]int64, 0, len(from))
	for c, at := range from {
		chains, starts = append(chains, int32(c)), append(starts, at)
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+auditRowColumns+` FROM audit_events a
		LEFT JOIN unnest($1::int[], $2::bigint[]) AS f(chain, start) USING (chain)
		WHERE a.chain_seq >= coalesce(f.start, 1) ORDER BY a.chain, a.chain_seq`, chains, starts)
	defer rows.Close()
	for rows.Next() {
		var r audit.Row
		if err := scanAuditRow(rows, &r); err != nil {
			return wrap("read audit row", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return wrap("read audit rows", rows.Err())
}

// AuditHeads returns each chain's last row, in chain order, as of one
// snapshot (one statement); an index probe per chain.
func (s *Store) AuditHeads(ctx context.Context) ([]audit.Row, error) {
	rows, _ := s.pool.Query(ctx, `SELECT h.* FROM generate_series(0, (SELECT max(chain) FROM audit_events)) AS c(chain)
		CROSS JOIN LATERAL (SELECT `+auditRowColumns+` FROM audit_events a WHERE a.chain = c.chain ORDER BY a.chain_seq DESC LIMIT 1) h
		ORDER BY h.chain`)
	heads, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (audit.Row, error) {
		var r audit.Row
		return r, scanAuditRow(row, &r)
	})
	return heads, wrap("read audit heads", err)
}

// CanAlterAuditTrail reports whether the connected role could alter
// audit_events (and so disable its append-only triggers): a superuser, or
// a member of the role that owns it.
func (s *Store) CanAlterAuditTrail(ctx context.Context) (bool, error) {
	var can bool
	err := s.pool.QueryRow(ctx, `SELECT r.rolsuper OR pg_has_role(current_user, c.relowner, 'MEMBER')
		FROM pg_class c, pg_roles r WHERE c.oid = 'public.audit_events'::regclass AND r.rolname = current_user`).Scan(&can)
	return can, wrap("read the role's rights", err)
}

// audited runs fn in a transaction and records its change in the audit
// trail in the same transaction; fn returns the object's state before and
// after.
func (s *Store) audited(ctx context.Context, action, objectType, objectID string, fn func(tx pgx.Tx) (before, after any, err error)) error {
	return wrap(action, pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		before, after, err := fn(tx)
		if err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, action, objectType, objectID, before, after)
	}))
}
