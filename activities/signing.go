package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/notify"
)

// SigningStore is where signing rounds are recorded (PostgreSQL).
type SigningStore interface {
	// ApplySigningStep writes a step atomically, with the invitations of
	// its new links (by link ID) and the notices that go with it; a
	// repeated step changes nothing.
	ApplySigningStep(ctx context.Context, step domain.SigningStep, invitations map[string]notify.Outgoing, notices []notify.Outgoing) error
	// SaveSignature stores a sealed signature with its event, marks the
	// signer signed and closes their links; it returns the signature as
	// stored (the first attempt's, when retried).
	SaveSignature(ctx context.Context, sig eseal.SealedSignature, order int, eventID string) (eseal.SealedSignature, error)
	// ApplySeal records the company seal applied with a signature, keyed
	// by the signature; a repeat changes nothing.
	ApplySeal(ctx context.Context, signatureID, sealID, appliedBy string, at time.Time) error
}

// RecordSigningStep writes one step of a signing round. Keyed on the
// round, signer, link and event IDs, so a retried attempt writes nothing
// twice (and emails no second link).
func (a *Activities) RecordSigningStep(ctx context.Context, step domain.SigningStep) error {
	invitations, notices, err := invite(&step)
	if err != nil {
		return err
	}
	if err := a.Signing.ApplySigningStep(ctx, step, invitations, notices); err != nil {
		return fmt.Errorf("record signing step of %s round %d: %w", step.Round.ContractNumber, step.Round.Round, err)
	}
	return nil
}

// RecordSignatureInput is a signature to seal and store.
type RecordSignatureInput struct {
	Record  eseal.SignatureRecord `json:"record"`
	Order   int                   `json:"order"`
	EventID string                `json:"event_id"`
	// Then is the step of the round the signature causes (the next
	// group's links, or the round closed), recorded after it
	// (changeLocalRecords); none in runs from before.
	Then *domain.SigningStep `json:"then,omitempty"`
	// SealID is the company seal the signer applied (checked by the
	// service); empty: none.
	SealID string `json:"seal_id,omitempty"`
}

// RecordSignatureResult is the sealed signature as stored.
type RecordSignatureResult struct {
	Signature eseal.SealedSignature `json:"signature"`
}

// RecordSignature seals a signature record with the server's key and
// stores it. Ed25519 is deterministic, so a retry seals the same bytes the
// same way; the store keeps the first.
func (a *Activities) RecordSignature(ctx context.Context, in RecordSignatureInput) (RecordSignatureResult, error) {
	seal, err := a.Sealer.Seal(in.Record)
	if err != nil {
		return RecordSignatureResult{}, fmt.Errorf("seal signature %s: %w", in.Record.SignerID, err)
	}
	stored, err := a.Signing.SaveSignature(ctx, eseal.SealedSignature{SignatureRecord: in.Record, Seal: seal}, in.Order, in.EventID)
	if err != nil {
		return RecordSignatureResult{}, fmt.Errorf("store signature %s: %w", in.Record.SignerID, err)
	}
	if in.SealID != "" {
		who := in.Record.UserID
		if who == "" {
			who = "signer:" + in.Record.SignerID
		}
		if err := a.Signing.ApplySeal(ctx, stored.SignerID, in.SealID, who, stored.SignedAt); err != nil {
			return RecordSignatureResult{}, fmt.Errorf("apply seal to signature %s: %w", in.Record.SignerID, err)
		}
	}
	if in.Then != nil {
		if err := a.RecordSigningStep(ctx, *in.Then); err != nil {
			return RecordSignatureResult{}, err
		}
	}
	return RecordSignatureResult{Signature: stored}, nil
}
