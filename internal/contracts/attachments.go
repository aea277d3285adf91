package contracts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// AttachmentStore keeps attachment files.
type AttachmentStore interface {
	// AddAttachment stores a unless accept refuses the contract's status.
	AddAttachment(ctx context.Context, a store.Attachment, accept func(status domain.Status, versions []int) error) error
	Attachments(ctx context.Context, number string) ([]store.Attachment, error)
	Attachment(ctx context.Context, number, id string) (store.Attachment, error)
}

// Attach stores a file on a contract the caller may see. The content type
// is sniffed from the bytes, never taken from the client. An archived
// contract is frozen: it takes no attachment (409), checked against its
// status as the write sees it. A version other than 0 files it under that
// version of the contract (an amendment's papers): one the contract has a
// document of, else a 400 naming version.
func (s *Service) Attach(ctx context.Context, u domain.User, number string, version int, filename string, data []byte) (store.Attachment, error) {
	row, err := s.managed(ctx, u, number)
	if err != nil {
		return store.Attachment{}, err
	}
	if err := unfrozen(row.Status); err != nil {
		return store.Attachment{}, err
	}
	sum := sha256.Sum256(data)
	a := store.Attachment{
		ID: uuid.Must(uuid.NewV7()).String(), ContractNumber: number, Filename: filename,
		ContentType: http.DetectContentType(data), Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		UploadedBy: u.ID, CreatedAt: s.now().UTC().Truncate(time.Microsecond), Data: data, Version: version,
	}
	if version < 0 {
		return store.Attachment{}, domain.InvalidField("version", "must be a version of the contract, or absent for the contract as a whole")
	}
	accept := func(status domain.Status, versions []int) error {
		if err := unfrozen(status); err != nil {
			return err
		}
		if version != 0 && !slices.Contains(versions, version) {
			return domain.InvalidField("version", fmt.Sprintf("the contract has no version %d; it has %v", version, versions))
		}
		return nil
	}
	if err := s.attachments.AddAttachment(ctx, a, accept); err != nil {
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

// unfrozen refuses a change to an archived contract.
func unfrozen(status domain.Status) error {
	if status.Frozen() {
		return &domain.Refusal{Kind: domain.RefusedConflict, Message: fmt.Sprintf("contract is %s; nothing more can change, attachments included", status)}
	}
	return nil
}
