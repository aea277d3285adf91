package contracts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/workflows"
)

// InvoiceInput is an invoice finance records against a milestone.
type InvoiceInput struct {
	MilestoneID   string `json:"milestone_id" validate:"required,uuid"`
	InvoiceNumber string `json:"invoice_number" validate:"required,max=64"`
	Amount        int64  `json:"amount" validate:"gt=0,amount"`
	IssuedOn      string `json:"issued_on" validate:"required,date"`
}

// RecordInvoice records an invoice; the request ID keys it, so a retry
// records it once.
func (s *Service) RecordInvoice(ctx context.Context, u domain.User, number, requestID string, in InvoiceInput) (workflows.ContractState, error) {
	return s.update(ctx, u, number, requestID, workflows.UpdateRecordInvoice, workflows.InvoiceRequest{Actor: u.Actor(), Invoice: domain.Invoice{
		MilestoneID: in.MilestoneID, Number: in.InvoiceNumber, Amount: in.Amount, IssuedOn: in.IssuedOn}})
}

// PaymentInput is money finance received against a milestone.
type PaymentInput struct {
	MilestoneID string `json:"milestone_id" validate:"required,uuid"`
	Amount      int64  `json:"amount" validate:"gt=0,amount"`
	ReceivedOn  string `json:"received_on" validate:"required,date"`
	Method      string `json:"method" validate:"max=64"`
	Reference   string `json:"reference" validate:"max=128"`
}

// RecordPayment records a payment; more than the milestone has
// outstanding is refused (409) with the outstanding amount, and a receipt
// dated after today (in the configured time zone) is a 400: money is
// recorded once it has arrived.
func (s *Service) RecordPayment(ctx context.Context, u domain.User, number, requestID string, in PaymentInput) (workflows.ContractState, error) {
	if today := s.today(); in.ReceivedOn > today { // both YYYY-MM-DD, so text order is date order
		return workflows.ContractState{}, domain.InvalidField("received_on", fmt.Sprintf("must not be after today (%s, %s)", today, s.loc))
	}
	return s.update(ctx, u, number, requestID, workflows.UpdateRecordPayment, workflows.PaymentRequest{Actor: u.Actor(), Payment: domain.Payment{
		MilestoneID: in.MilestoneID, Amount: in.Amount, ReceivedOn: in.ReceivedOn, Method: in.Method, Reference: in.Reference}})
}

// today is the calendar day now in the configured time zone.
func (s *Service) today() string { return s.now().In(s.loc).Format(domain.DateLayout) }

// ReversalInput says why an invoice or payment is reversed.
type ReversalInput struct {
	Reason string `json:"reason" validate:"required,max=2000"`
}

// ReverseInvoice corrects an invoice by a reversing one (红字发票), dated
// today: the original is kept and marked reversed, the milestone's
// invoiced total drops. An invoice is reversed once (409 after).
func (s *Service) ReverseInvoice(ctx context.Context, u domain.User, number, invoiceID, requestID string, in ReversalInput) (workflows.ContractState, error) {
	return s.reverse(ctx, u, number, invoiceID, requestID, workflows.UpdateReverseInvoice, in)
}

// ReversePayment corrects a payment by a reversing entry dated today: the
// original is kept and marked reversed, the milestone's received total
// drops (and it is owed again). A payment is reversed once (409 after).
func (s *Service) ReversePayment(ctx context.Context, u domain.User, number, paymentID, requestID string, in ReversalInput) (workflows.ContractState, error) {
	return s.reverse(ctx, u, number, paymentID, requestID, workflows.UpdateReversePayment, in)
}

func (s *Service) reverse(ctx context.Context, u domain.User, number, entryID, requestID, update string, in ReversalInput) (workflows.ContractState, error) {
	if strings.TrimSpace(in.Reason) == "" {
		return workflows.ContractState{}, domain.InvalidField("reason", "is required")
	}
	if !domain.PlausibleKey(entryID) {
		return workflows.ContractState{}, domain.ErrNotFound
	}
	return s.update(ctx, u, number, requestID, update, workflows.ReversalRequest{Actor: u.Actor(), EntryID: entryID, Reason: in.Reason, On: s.today()})
}

// BooksStore reads a contract's invoices and payments.
type BooksStore interface {
	Invoices(ctx context.Context, number string) ([]store.Invoice, error)
	Payments(ctx context.Context, number string) ([]store.Payment, error)
}

// Invoices lists a contract's invoices, reversals and the originals they
// reverse alike, in the order recorded.
func (s *Service) Invoices(ctx context.Context, u domain.User, number string) ([]store.Invoice, error) {
	if _, err := s.visible(ctx, u, number); err != nil {
		return nil, err
	}
	return s.books.Invoices(ctx, number)
}

// Payments lists a contract's payments as Invoices lists its invoices.
func (s *Service) Payments(ctx context.Context, u domain.User, number string) ([]store.Payment, error) {
	if _, err := s.visible(ctx, u, number); err != nil {
		return nil, err
	}
	return s.books.Payments(ctx, number)
}

// ObligationUpdateInput reports progress on an obligation, or completes it with
// the attachment that evidences it.
type ObligationUpdateInput struct {
	Progress   int    `json:"progress" validate:"gte=0,lte=100"`
	Note       string `json:"note" validate:"max=2000"`
	EvidenceID string `json:"evidence_id" validate:"omitempty,uuid"`
	Complete   bool   `json:"complete"`
}

// UpdateObligation reports on an obligation. Evidence must be one of the
// contract's attachments.
func (s *Service) UpdateObligation(ctx context.Context, u domain.User, number, obligationID, requestID string, in ObligationUpdateInput) (workflows.ContractState, error) {
	if in.EvidenceID != "" {
		if _, err := s.attachments.Attachment(ctx, number, in.EvidenceID); errors.Is(err, domain.ErrNotFound) {
			return workflows.ContractState{}, &domain.ValidationError{NotFound: true, Fields: []domain.FieldError{{Field: "evidence_id", Message: "no such attachment of this contract"}}}
		} else if err != nil {
			return workflows.ContractState{}, err
		}
	}
	return s.update(ctx, u, number, requestID, workflows.UpdateObligation, workflows.ObligationRequest{Actor: u.Actor(),
		ObligationID: obligationID, Progress: in.Progress, Note: in.Note, EvidenceID: in.EvidenceID, Complete: in.Complete})
}

// Archive freezes a completed or terminated contract.
func (s *Service) Archive(ctx context.Context, u domain.User, number, requestID string) (workflows.ContractState, error) {
	return s.update(ctx, u, number, requestID, workflows.UpdateArchive, workflows.ArchiveRequest{Actor: u.Actor()})
}

// TerminateInput asks to terminate an active contract from a day that is
// not yet past.
type TerminateInput struct {
	Reason        string `json:"reason" validate:"required,max=2000"`
	EffectiveDate string `json:"effective_date" validate:"required,date"`
}

// Terminate asks to terminate a contract; a review round under the
// termination policy decides.
func (s *Service) Terminate(ctx context.Context, u domain.User, number, requestID string, in TerminateInput) (workflows.ContractState, error) {
	day, err := domain.ParseDate(in.EffectiveDate)
	if err != nil {
		return workflows.ContractState{}, domain.InvalidField("effective_date", "must be a date YYYY-MM-DD")
	}
	if in.EffectiveDate < s.today() {
		return workflows.ContractState{}, domain.InvalidField("effective_date", "must not be before today")
	}
	at := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, s.loc).UTC()
	return s.update(ctx, u, number, requestID, workflows.UpdateTerminate, workflows.TerminateRequest{
		Actor: u.Actor(), Reason: in.Reason, EffectiveDate: in.EffectiveDate, EffectiveAt: at})
}
