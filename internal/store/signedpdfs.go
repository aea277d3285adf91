package store

import (
	"context"
	"fmt"
	"time"
)

// SignedPDF is a contract version's signed PDF (migration 025).
type SignedPDF struct {
	ContractNumber string
	Version        int
	PDF            []byte
	PDFSHA256      string
	DocumentSHA256 string
	CertSHA256     string
	SignedAt       time.Time
}

// SaveSignedPDF stores a version's signed PDF unless one is stored
// already (a retry), and returns the one stored.
func (s *Store) SaveSignedPDF(ctx context.Context, p SignedPDF) (SignedPDF, error) {
	if _, err := s.pool.Exec(ctx, `INSERT INTO signed_pdfs (contract_number, version, pdf, pdf_sha256, document_sha256, cert_sha256, signed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (contract_number, version) DO NOTHING`,
		p.ContractNumber, p.Version, p.PDF, p.PDFSHA256, p.DocumentSHA256, p.CertSHA256, p.SignedAt); err != nil {
		return SignedPDF{}, wrap(fmt.Sprintf("save signed PDF of %s v%d", p.ContractNumber, p.Version), err)
	}
	return s.SignedPDF(ctx, p.ContractNumber, p.Version)
}

// SignedPDF is a version's signed PDF, domain.ErrNotFound before its
// round completes.
func (s *Store) SignedPDF(ctx context.Context, number string, version int) (SignedPDF, error) {
	p := SignedPDF{ContractNumber: number, Version: version}
	err := s.pool.QueryRow(ctx, `SELECT pdf, pdf_sha256, document_sha256, cert_sha256, signed_at FROM signed_pdfs
		WHERE contract_number = $1 AND version = $2`, number, version).
		Scan(&p.PDF, &p.PDFSHA256, &p.DocumentSHA256, &p.CertSHA256, &p.SignedAt)
	if err != nil {
		return SignedPDF{}, wrap(fmt.Sprintf("signed PDF of %s v%d", number, version), err)
	}
	return p, nil
}

// SignedPDFByHash finds the signed PDF whose bytes hash to sha256 (without
// the bytes), domain.ErrNotFound when Signet stored none such.
func (s *Store) SignedPDFByHash(ctx context.Context, sha256 string) (SignedPDF, error) {
	var p SignedPDF
	err := s.pool.QueryRow(ctx, `SELECT contract_number, version, pdf_sha256, document_sha256, cert_sha256, signed_at FROM signed_pdfs
		WHERE pdf_sha256 = $1 ORDER BY contract_number, version LIMIT 1`, sha256).
		Scan(&p.ContractNumber, &p.Version, &p.PDFSHA256, &p.DocumentSHA256, &p.CertSHA256, &p.SignedAt)
	if err != nil {
		return SignedPDF{}, wrap("signed PDF by hash", err)
	}
	return p, nil
}
