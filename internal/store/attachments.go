package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
)

// Attachment is a file attached to a contract. Data is empty in listings.
type Attachment struct {
	ID             string    `json:"id"`
	ContractNumber string    `json:"contract_number"`
	Filename       string    `json:"filename"`
	ContentType    string    `json:"content_type"`
	Size           int64     `json:"size"`
	SHA256         string    `json:"sha256"`
	UploadedBy     string    `json:"uploaded_by"`
	CreatedAt      time.Time `json:"created_at"`
	// Version is the contract version it belongs to; 0: the contract as
	// a whole.
	Version int    `json:"version,omitempty"`
	Data    []byte `json:"-"`
}

const attachmentColumns = `id::text AS id, contract_number, filename, content_type, size, sha256, uploaded_by, created_at, coalesce(version, 0) AS version`

// AddAttachment stores a file with its hash and size. accept sees the
// contract's status and the versions it has documents of, as the row lock
// holds them (no transition can land between), and may refuse; then
// nothing is written.
func (s *Store) AddAttachment(ctx context.Context, a Attachment, accept func(status domain.Status, versions []int) error) error {
	err := s.audited(ctx, "attachment.added", "contract", a.ContractNumber, func(tx pgx.Tx) (any, any, error) {
		var status domain.Status
		var versions []int
		if err := tx.QueryRow(ctx, `SELECT status, ARRAY(SELECT version FROM contract_documents d WHERE d.contract_number = c.number ORDER BY version)
			FROM contracts c WHERE number = $1 FOR SHARE OF c`, a.ContractNumber).Scan(&status, &versions); err != nil {
			return nil, nil, err
		}
		if err := accept(status, versions); err != nil {
			return nil, nil, err
		}
		_, err := tx.Exec(ctx, `INSERT INTO attachments (id, contract_number, filename, content_type, size, sha256, data, uploaded_by, created_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, nullif($10, 0))`,
			a.ID, a.ContractNumber, a.Filename, a.ContentType, a.Size, a.SHA256, a.Data, a.UploadedBy, a.CreatedAt, a.Version)
		return nil, a, err
	})
	if err != nil {
		return wrap(fmt.Sprintf("add attachment to %s", a.ContractNumber), err)
	}
	return nil
}

// Attachments lists a contract's attachments, oldest first, without data.
func (s *Store) Attachments(ctx context.Context, number string) ([]Attachment, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE contract_number = $1 ORDER BY created_at, id`, number)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[Attachment])
	if err != nil {
		return nil, wrap(fmt.Sprintf("attachments of %s", number), err)
	}
	return list, nil
}

// Attachment returns one attachment of a contract with its data.
func (s *Store) Attachment(ctx context.Context, number, id string) (Attachment, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+attachmentColumns+`, data FROM attachments WHERE contract_number = $1 AND id::text = $2`, number, id)
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Attachment])
	if err != nil {
		return Attachment{}, wrap(fmt.Sprintf("attachment %s", id), err)
	}
	return a, nil
}
