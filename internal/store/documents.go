package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/document"
)

// StoredDocument is a contract version's rendered document.
type StoredDocument struct {
	SHA256  string
	Text    string
	HTML    string
	Content json.RawMessage
}

// Decode is the stored document as the renderers take it: its content
// with the canonical text, HTML and hash stored beside it.
func (d StoredDocument) Decode() (document.Document, error) {
	var doc document.Document
	if err := json.Unmarshal(d.Content, &doc); err != nil {
		return document.Document{}, fmt.Errorf("decode stored document: %w", err)
	}
	doc.Text, doc.HTML, doc.SHA256 = d.Text, d.HTML, d.SHA256
	return doc, nil
}

// Document returns the rendered document of a contract's current version.
func (s *Store) Document(ctx context.Context, number string) (StoredDocument, error) {
	var d StoredDocument
	err := s.pool.QueryRow(ctx, `SELECT d.sha256, d.text, d.html, d.content FROM contract_documents d
		JOIN contracts c ON c.number = d.contract_number AND c.version = d.version WHERE d.contract_number = $1`, number).
		Scan(&d.SHA256, &d.Text, &d.HTML, &d.Content)
	if err != nil {
		return StoredDocument{}, wrap(fmt.Sprintf("document of %s", number), err)
	}
	return d, nil
}

// DocumentVersion returns the rendered document of one version of a
// contract (an amendment's draft, or an earlier version).
func (s *Store) DocumentVersion(ctx context.Context, number string, version int) (StoredDocument, error) {
	var d StoredDocument
	err := s.pool.QueryRow(ctx, `SELECT sha256, text, html, content FROM contract_documents WHERE contract_number = $1 AND version = $2`,
		number, version).Scan(&d.SHA256, &d.Text, &d.HTML, &d.Content)
	if err != nil {
		return StoredDocument{}, wrap(fmt.Sprintf("document of %s v%d", number, version), err)
	}
	return d, nil
}

// VersionInfo is one version of a contract's document.
type VersionInfo struct {
	Version        int    `json:"version"`
	DocumentSHA256 string `json:"document_sha256" db:"sha256"`
	Current        bool   `json:"current"`
}

// Versions lists a contract's document versions, oldest first.
func (s *Store) Versions(ctx context.Context, number string) ([]VersionInfo, error) {
	rows, _ := s.pool.Query(ctx, `SELECT d.version, d.sha256, d.version = c.version AS current
		FROM contract_documents d JOIN contracts c ON c.number = d.contract_number
		WHERE d.contract_number = $1 ORDER BY d.version`, number)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[VersionInfo])
	if err != nil {
		return nil, wrap(fmt.Sprintf("versions of %s", number), err)
	}
	return list, nil
}

// SignedVersion is a contract version whose document has a hash.
type SignedVersion struct {
	ContractNumber string     `db:"contract_number"`
	Title          string     `db:"title"`
	Version        int        `db:"version"`
	SignedAt       *time.Time `db:"signed_at"`
}

// VersionsByDocument returns the contract versions whose document has
// this SHA-256, signed or not.
func (s *Store) VersionsByDocument(ctx context.Context, sha256 string) ([]SignedVersion, error) {
	rows, _ := s.pool.Query(ctx, `SELECT d.contract_number, c.title, d.version, c.signed_at
		FROM contract_documents d JOIN contracts c ON c.number = d.contract_number
		WHERE d.sha256 = $1 ORDER BY d.contract_number, d.version`, sha256)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[SignedVersion])
	if err != nil {
		return nil, wrap("versions by document", err)
	}
	return list, nil
}
