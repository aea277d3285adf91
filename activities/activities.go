// Package activities holds the side effects of Signet's workflows. Every
// activity is idempotent: a retry after a crash or timeout writes nothing twice.
package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/pdfsig"
	"github.com/signet-clm/signet/internal/store"
)

// Projection is where contract transitions are recorded (PostgreSQL).
type Projection interface {
	// ApplyTransition writes t atomically and reports whether it was new.
	// notices (notify.ForRecorded) are written with it, once.
	ApplyTransition(ctx context.Context, t domain.Transition, notices ...notify.Notice) (bool, error)
}

// Activities are registered with the worker; the workflow calls them by
// method value.
type Activities struct {
	Projection Projection
	Approvals  ApprovalStore
	Signing    SigningStore
	// Sealer seals signature records with the server's Ed25519 key.
	Sealer *eseal.Sealer
	// Notifier and Renewer serve signed contracts' reminders and renewals.
	Notifier Notifier
	Renewer  Renewer
	// PDF is where RenderPDF reads a version and its signatures.
	PDF PDFStore
	// PDFSigner is Signet's PDF signing key (SIGNET_PDF_SIGNING_KEY); nil
	// leaves PDFs unsigned. CompanyName names the signature.
	PDFSigner   *pdfsig.Key
	CompanyName string
	// PDFTimestamps is the time-stamping authority each PDF signature
	// carries a token of (SIGNET_PDF_TSA_URL); nil for none.
	PDFTimestamps *pdfsig.Timestamps
	// Location is where calendar days (delegations) are read.
	Location *time.Location
}

// RecordTransitionInput is one workflow step to record. By, when it
// names someone, is who caused it and through which request, for the
// audit trail; otherwise the trail names the event's actor.
type RecordTransitionInput struct {
	Transition domain.Transition
	By         audit.Actor `json:",omitzero"`
}

// acting is ctx carrying by as the audit trail's actor, when by names
// someone: activities run outside any request, so without it every entry
// they write would say "system". Timers and system jobs name nobody.
func acting(ctx context.Context, by audit.Actor) context.Context {
	if by.UserID == "" {
		return ctx
	}
	return audit.WithActor(ctx, by)
}

// RecordTransitionResult tells whether this call wrote the transition or
// found it already recorded by an earlier attempt.
type RecordTransitionResult struct {
	Applied bool
}

// RecordTransition writes a contract's new status, its event, its approval
// tasks and any signature to PostgreSQL. Keyed on the event ID, so a retried
// attempt is a no-op.
func (a *Activities) RecordTransition(ctx context.Context, in RecordTransitionInput) (RecordTransitionResult, error) {
	applied, err := a.Projection.ApplyTransition(acting(ctx, in.By), in.Transition, notify.ForRecorded(in.Transition)...)
	if errors.Is(err, store.ErrVoidNumber) {
		// Its start was taken for failed and its number voided: this run is
		// no contract, and no retry can make it one.
		return RecordTransitionResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "VoidNumber", err)
	}
	if err != nil {
		return RecordTransitionResult{}, fmt.Errorf("record %s of %s: %w", in.Transition.Event.Kind, in.Transition.Contract.Number, err)
	}
	return RecordTransitionResult{Applied: applied}, nil
}
