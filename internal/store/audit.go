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
// chained to the entry before with the current audit key. before and
// after are the object's state around the change (nil when absent); the
// actor comes from ctx.
func (s *Store) appendAudit(ctx context.Context, tx pgx.Tx, action, objectType, objectID string, before, after any) error {
	if s.AuditKeys == nil {
		return errors.New("store: no audit key configured (Store.AuditKeys)")
	}
	key, err := s.AuditKeys.Current()
	if err != nil {
		return wrap("audit key", err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLock); err != nil {
		return wrap("lock audit trail", err)
	}
	prev, seq := audit.Genesis, int64(1)
	err = tx.QueryRow(ctx, `SELECT hash, seq + 1 FROM audit_events ORDER BY seq DESC LIMIT 1`).Scan(&prev, &seq)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return wrap("read audit head", err)
	}
	actor := audit.ActorFrom(ctx)
	e := audit.Entry{Seq: seq, At: time.Now().UTC().Truncate(time.Microsecond), ActorID: actor.UserID, Action: action,
		ObjectType: objectType, ObjectID: objectID, RequestID: actor.RequestID}
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
	_, err = tx.Exec(ctx, `INSERT INTO audit_events (seq, at, actor_id, action, object_type, object_id, request_id, content, prev_hash, hash, key_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.Seq, e.At, e.ActorID, e.Action, e.ObjectType, e.ObjectID, e.RequestID, string(content), prev, key.Hash(prev, string(content)), key.ID)
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

// AuditRows calls fn with each audit row after seq after, in order (the
// chain's rules are audit.Verifier's).
func (s *Store) AuditRows(ctx context.Context, after int64, fn func(audit.Row) error) error {
	rows, _ := s.pool.Query(ctx, `SELECT seq, at, actor_id, action, object_type, object_id, request_id, content, prev_hash, hash, key_id
		FROM audit_events WHERE seq > $1 ORDER BY seq`, after)
	defer rows.Close()
	for rows.Next() {
		var r audit.Row
		if err := rows.Scan(&r.Seq, &r.At, &r.ActorID, &r.Action, &r.ObjectType, &r.ObjectID, &r.RequestID, &r.Content, &r.PrevHash, &r.Hash, &r.KeyID); err != nil {
			return wrap("read audit row", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return wrap("read audit rows", rows.Err())
}

// AuditHead returns the last audit row; false when the trail is empty.
func (s *Store) AuditHead(ctx context.Context) (audit.Row, bool, error) {
	var r audit.Row
	err := s.pool.QueryRow(ctx, `SELECT seq, at, actor_id, action, object_type, object_id, request_id, content, prev_hash, hash, key_id
		FROM audit_events ORDER BY seq DESC LIMIT 1`).
		Scan(&r.Seq, &r.At, &r.ActorID, &r.Action, &r.ObjectType, &r.ObjectID, &r.RequestID, &r.Content, &r.PrevHash, &r.Hash, &r.KeyID)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, wrap("read audit head", err)
	}
	return r, true, nil
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
