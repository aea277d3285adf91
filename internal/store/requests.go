package store

import (
	"context"
	"time"
)

// RequestClaim is a client request ID and what it was first sent for.
type RequestClaim struct {
	RequestID string
	Caller    string
	Operation string
	Target    string
}

// ClaimRequestID records c unless its request ID is already recorded,
// and returns the claim the ID has now: c itself, or the earlier one.
func (s *Store) ClaimRequestID(ctx context.Context, c RequestClaim) (RequestClaim, error) {
	var got RequestClaim
	err := s.pool.QueryRow(ctx, `
		WITH ins AS (
			INSERT INTO request_ids (request_id, caller, operation, target) VALUES ($1, $2, $3, $4)
			ON CONFLICT (request_id) DO NOTHING
			RETURNING request_id, caller, operation, target)
		SELECT request_id, caller, operation, target FROM ins
		UNION ALL
		SELECT request_id, caller, operation, target FROM request_ids WHERE request_id = $1
		LIMIT 1`, c.RequestID, c.Caller, c.Operation, c.Target).
		Scan(&got.RequestID, &got.Caller, &got.Operation, &got.Target)
	return got, wrap("claim request ID", err)
}

// ForgetRequestIDs drops request IDs recorded before cutoff; retries come
// within minutes, so a few days' worth is plenty.
func (s *Store) ForgetRequestIDs(ctx context.Context, cutoff time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM request_ids WHERE created_at < $1`, cutoff)
	return tag.RowsAffected(), wrap("forget request IDs", err)
}
