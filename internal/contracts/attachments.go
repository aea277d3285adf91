package contracts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// AttachmentStore keeps attachment files.
type AttachmentStore interface {
	AddAttachment(ctx context.Context, a store.Attachment) error
	Attachments(ctx context.Context, number string) ([]store.Attachment, error)
	Attachment(ctx context.Context, number, id string) (store.Attachment, error)
}

// Attach stores a file on a contract the caller may see. The content type
// is sniffed from the bytes, never taken from the client.
func (s *Service) Attach(ctx context.Context, u domain.User, number, filename string, data []byte) (store.Attachment, error) {
	if _, err := s.managed(ctx, u, number); err != nil {
		return store.Attachment{}, err
	}
	sum := sha256.Sum256(data)
	a := store.Attachment{
		ID: uuid.Must(uuid.NewV7()).String(), ContractNumber: number, Filename: filename,
		ContentType: http.DetectContentType(data), Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		UploadedBy: u.ID, CreatedAt: s.now().UTC().Truncate(time.Microsecond), Data: data,
	}
	if err := s.attachments.AddAttachment(ctx, a); err != nil {
		return store.Attachment{}, err
	}
	a.Data = nil
	return a, nil
}

// Attachments lists a contract's attachments.
func (s *Service) Attachments(ctx context.Context, u domain.User, number string) ([]store.Attachment, error) {
	if _, err := s.visible(ctx, u, number); err != nil {
		return nil, err
	}
	list, err := s.attachments.Attachments(ctx, number)
	if err != nil {
		return nil, err
	}
	return list, nil
}

// Attachment returns one attachment with its bytes, with the same rights
// as the contract.
func (s *Service) Attachment(ctx context.Context, u domain.User, number, id string) (store.Attachment, error) {
	if _, err := s.visible(ctx, u, number); err != nil {
		return store.Attachment{}, err
	}
	if uuid.Validate(id) != nil {
		return store.Attachment{}, domain.ErrNotFound
	}
	a, err := s.attachments.Attachment(ctx, number, id)
	if err != nil {
		return store.Attachment{}, err
	}
	return a, nil
}
