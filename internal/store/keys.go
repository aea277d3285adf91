package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/eseal"
)

// signingKeyID names the one sealing key replicas share.
const signingKeyID = "default"

// LoadKey returns the stored sealing key seed, or signing.ErrNoKey.
func (s *Store) LoadKey(ctx context.Context) ([]byte, error) {
	var seed []byte
	err := s.pool.QueryRow(ctx, `SELECT seed FROM signing_keys WHERE id = $1`, signingKeyID).Scan(&seed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, eseal.ErrNoKey
	}
	if err != nil {
		return nil, wrap("load signing key", err)
	}
	return seed, nil
}

// SaveKeyIfAbsent stores seed unless a key is stored, and returns the
// stored one, so replicas starting together agree.
func (s *Store) SaveKeyIfAbsent(ctx context.Context, seed []byte) ([]byte, error) {
	if _, err := s.pool.Exec(ctx, `INSERT INTO signing_keys (id, seed) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, signingKeyID, seed); err != nil {
		return nil, wrap("save signing key", err)
	}
	return s.LoadKey(ctx)
}
