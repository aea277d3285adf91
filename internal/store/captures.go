package store

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SignatureCapture is a signer's drawn signature (PNG) in one round.
type SignatureCapture struct {
	ContractNumber string
	Round          int
	SignerID       string
	Version        int
	PNG            []byte
	SHA256         string
	CapturedAt     time.Time
}

// SaveSignatureCapture keeps a signer's drawn signature, keyed by
// contract, round and signer: a retry writes the same row, a redrawn one
// replaces it until the signer's signature is recorded, and after that
// nothing changes it.
func (s *Store) SaveSignatureCapture(ctx context.Context, c SignatureCapture) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO signature_captures (contract_number, round, signer_id, version, png, sha256, captured_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (contract_number, round, signer_id) DO UPDATE
		SET png = excluded.png, sha256 = excluded.sha256, captured_at = excluded.captured_at, version = excluded.version
		WHERE NOT EXISTS (SELECT 1 FROM signatures g WHERE g.contract_number = excluded.contract_number
			AND g.round = excluded.round AND g.signer_id = excluded.signer_id)`,
		c.ContractNumber, c.Round, c.SignerID, c.Version, c.PNG, c.SHA256, c.CapturedAt)
	if err != nil {
		return wrap(fmt.Sprintf("drawn signature of %s round %d", c.ContractNumber, c.Round), err)
	}
	return nil
}

// SignatureImages are the drawn signatures of a version's recorded
// signatures, PNG by signer ID; a signer who typed their name has none.
func (s *Store) SignatureImages(ctx context.Context, number string, version int) (map[string][]byte, error) {
	rows, _ := s.pool.Query(ctx, `SELECT c.signer_id, c.png FROM signature_captures c
		JOIN signatures g ON g.contract_number = c.contract_number AND g.round = c.round AND g.signer_id = c.signer_id
		WHERE g.contract_number = $1 AND g.version = $2`, number, version)
	out := map[string][]byte{}
	var id string
	var png []byte
	_, err := pgx.ForEachRow(rows, []any{&id, &png}, func() error {
		out[id] = bytes.Clone(png)
		return nil
	})
	if err != nil {
		return nil, wrap(fmt.Sprintf("drawn signatures of %s v%d", number, version), err)
	}
	return out, nil
}

// LinkSignedAt is when the signature made through link linkID was
// recorded, domain.ErrNotFound when none was.
func (s *Store) LinkSignedAt(ctx context.Context, linkID string) (time.Time, error) {
	var at time.Time
	err := s.pool.QueryRow(ctx, `SELECT signed_at FROM signatures WHERE link_id = $1 ORDER BY signed_at LIMIT 1`, linkID).Scan(&at)
	if err != nil {
		return time.Time{}, wrap("signature of link", err)
	}
	return at, nil
}
