package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/audit"
)

// auditLockKey serialises appends so each row chains to the one before.
const auditLockKey int64 = 0x5167_6e65_7402

// appendAudit records a change in the same transaction that makes it.
// before and after are the object's state around the change (nil when
// absent); the actor comes from ctx.
func appendAudit(ctx context.Context, tx pgx.Tx, action, objectType, objectID string, before, after any) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLockKey); err != nil {
		return wrap("lock audit trail", err)
	}
	prev, seq := audit.Genesis, int64(1)
	err := tx.QueryRow(ctx, `SELECT hash, seq + 1 FROM audit_events ORDER BY seq DESC LIMIT 1`).Scan(&prev, &seq)
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
	_, err = tx.Exec(ctx, `INSERT INTO audit_events (seq, at, actor_id, action, object_type, object_id, request_id, content, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.Seq, e.At, e.ActorID, e.Action, e.ObjectType, e.ObjectID, e.RequestID, string(content), prev, audit.Hash(prev, string(content)))
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

// AuditBreak is the first row where the chain does not hold.
type AuditBreak struct {
	Seq    int64
	Reason string
}

// VerifyAudit walks the whole chain and returns the number of rows checked
// and the first broken row, if any: a hash that does not match its content
// and predecessor, a missing row, or columns that disagree with the content.
func (s *Store) VerifyAudit(ctx context.Context) (int64, *AuditBreak, error) {
	rows, _ := s.pool.Query(ctx, `SELECT seq, at, actor_id, action, object_type, object_id, request_id, content, prev_hash, hash
		FROM audit_events ORDER BY seq`)
	defer rows.Close()
	prev, want := audit.Genesis, int64(1)
	var checked int64
	for rows.Next() {
		var seq int64
		var at time.Time
		var actor, action, otype, oid, rid, content, prevHash, hash string
		if err := rows.Scan(&seq, &at, &actor, &action, &otype, &oid, &rid, &content, &prevHash, &hash); err != nil {
			return checked, nil, err
		}
		checked++
		var e audit.Entry
		switch {
		case seq != want:
			return checked, &AuditBreak{Seq: seq, Reason: fmt.Sprintf("row %d is missing", want)}, nil
		case prevHash != prev:
			return checked, &AuditBreak{Seq: seq, Reason: "previous hash does not match the row before"}, nil
		case audit.Hash(prev, content) != hash:
			return checked, &AuditBreak{Seq: seq, Reason: "hash does not match the row's content"}, nil
		case json.Unmarshal([]byte(content), &e) != nil:
			return checked, &AuditBreak{Seq: seq, Reason: "content is not a valid entry"}, nil
		case e.Seq != seq || !e.At.Equal(at) || e.ActorID != actor || e.Action != action || e.ObjectType != otype || e.ObjectID != oid || e.RequestID != rid:
			return checked, &AuditBreak{Seq: seq, Reason: "columns disagree with the row's content"}, nil
		}
		prev, want = hash, seq+1
	}
	return checked, nil, rows.Err()
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
		return appendAudit(ctx, tx, action, objectType, objectID, before, after)
	}))
}
