// Package feed is the change feed finance and CRM systems read: every
// business event of a contract (GET /v1/events) in commit order behind a
// stable cursor, and the same events, with the same IDs, to the webhooks
// that subscribe to them.
package feed

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/signet-clm/signet/internal/domain"
)

// Event types: what a consumer switches on. A contract's events are
// "contract." and the transition's kind, but for those renamed in byKind.
const (
	ContractCreated             = "contract.created"
	ContractSubmitted           = "contract.submitted"
	ContractWithdrawn           = "contract.withdrawn"
	ContractChangesRequested    = "contract.changes_requested"
	ContractRejected            = "contract.rejected"
	ContractApproved            = "contract.approved"
	ContractSentForSignature    = "contract.sent_for_signature"
	ContractSigningDeclined     = "contract.signing_declined"
	ContractSigningExpired      = "contract.signing_expired"
	ContractSigningVoided       = "contract.signing_voided"
	ContractPartySigned         = "contract.party_signed"
	ContractSigned              = "contract.signed"
	ContractCancelled           = "contract.cancelled"
	ContractRevised             = "contract.revised"
	ContractAmendmentRequested  = "contract.amendment_requested"
	ContractAmendmentApproved   = "contract.amendment_approved"
	ContractAmendmentRejected   = "contract.amendment_rejected"
	ContractAmended             = "contract.amended"
	ContractTerminationAsked    = "contract.termination_requested"
	ContractTerminationRejected = "contract.termination_rejected"
	ContractTerminated          = "contract.terminated"
	ContractExpired             = "contract.expired"
	ContractRenewed             = "contract.renewed"
	ContractRenewalActivated    = "contract.renewal_activated"
	ContractCompleted           = "contract.completed"
	ContractArchived            = "contract.archived"
	ContractImported            = "contract.imported"
	InvoiceRecorded             = "invoice.recorded"
	InvoiceReversed             = "invoice.reversed"
	PaymentRecorded             = "payment.recorded"
	PaymentReversed             = "payment.reversed"
	ObligationCompleted         = "obligation.completed"
)

// byKind names the feed type of each contract event kind that is news
// outside Signet. A stage approved inside a round (task_approved) and an
// obligation's progress short of done are not: the round's outcome and
// the completion are.
var byKind = map[string]string{
	domain.EventCreated:              ContractCreated,
	domain.EventSubmitted:            ContractSubmitted,
	domain.EventWithdrawn:            ContractWithdrawn,
	domain.EventChangesRequested:     ContractChangesRequested,
	domain.EventRejected:             ContractRejected,
	domain.EventApproved:             ContractApproved,
	domain.EventSent:                 ContractSentForSignature,
	domain.EventSigningDeclined:      ContractSigningDeclined,
	domain.EventSigningExpired:       ContractSigningExpired,
	domain.EventSigningVoided:        ContractSigningVoided,
	domain.EventSigned:               ContractSigned,
	domain.EventCancelled:            ContractCancelled,
	domain.EventRevised:              ContractRevised,
	domain.EventAmendmentRequested:   ContractAmendmentRequested,
	domain.EventAmendmentApproved:    ContractAmendmentApproved,
	domain.EventAmendmentRejected:    ContractAmendmentRejected,
	domain.EventAmended:              ContractAmended,
	domain.EventTerminationRequested: ContractTerminationAsked,
	domain.EventTerminationRejected:  ContractTerminationRejected,
	domain.EventTerminated:           ContractTerminated,
	domain.EventExpired:              ContractExpired,
	domain.EventRenewed:              ContractRenewed,
	domain.EventRenewalActivated:     ContractRenewalActivated,
	domain.EventCompleted:            ContractCompleted,
	domain.EventArchived:             ContractArchived,
	domain.EventMigrated:             ContractImported,
	domain.EventInvoiceRecorded:      InvoiceRecorded,
	domain.EventInvoiceReversed:      InvoiceReversed,
	domain.EventPaymentRecorded:      PaymentRecorded,
	domain.EventPaymentReversed:      PaymentReversed,
	domain.EventObligationUpdated:    ObligationCompleted,
}

// Types is every event type, sorted.
func Types() []string {
	out := []string{ContractPartySigned}
	for _, t := range byKind {
		out = append(out, t)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// IsType reports whether t is one of Types.
func IsType(t string) bool {
	if t == ContractPartySigned {
		return true
	}
	for _, known := range byKind {
		if known == t {
			return true
		}
	}
	return false
}

// ReaderRoles may read the feed and subscribe webhooks to it: it carries
// every contract's amounts and customers, what finance, executives,
// admins and auditors see in the ledger anyway.
var ReaderRoles = []domain.Role{domain.RoleFinance, domain.RoleExecutive, domain.RoleAdmin, domain.RoleAuditor}

// MayRead reports whether u may read the feed.
func MayRead(u domain.User) bool {
	return slices.ContainsFunc(u.Roles, func(r domain.Role) bool { return slices.Contains(ReaderRoles, r) })
}

// Event is one business event as consumers receive it, from the feed or
// a webhook. Its ID is the contract event's: stable across retries.
type Event struct {
	ID         string      `json:"id"`
	Type       string      `json:"type"`
	OccurredAt time.Time   `json:"occurred_at"`
	Actor      Actor       `json:"actor"`
	Opinion    string      `json:"opinion,omitempty"`
	Contract   Contract    `json:"contract"`
	Invoice    *Invoice    `json:"invoice,omitempty"`
	Payment    *Payment    `json:"payment,omitempty"`
	Obligation *Obligation `json:"obligation,omitempty"`
}

// Actor is who caused an event ("system" for timers and jobs).
type Actor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Contract is the contract as the event left it.
type Contract struct {
	Number            string     `json:"number"`
	Title             string     `json:"title"`
	CustomerID        string     `json:"customer_id"`
	CustomerName      string     `json:"customer_name"`
	OwnerID           string     `json:"owner_id"`
	OwnerName         string     `json:"owner_name"`
	Amount            int64      `json:"amount"`
	Currency          string     `json:"currency"`
	Status            string     `json:"status"`
	PreviousStatus    string     `json:"previous_status,omitempty"`
	Version           int        `json:"version"`
	StartDate         string     `json:"start_date"`
	EndDate           string     `json:"end_date"`
	SignedAt          *time.Time `json:"signed_at,omitempty"`
	PredecessorNumber string     `json:"predecessor_number,omitempty"`
	SuccessorNumber   string     `json:"successor_number,omitempty"`
}

// Invoice is an invoice recorded or reversed, in the contract's currency.
type Invoice struct {
	ID            string `json:"id"`
	MilestoneID   string `json:"milestone_id"`
	InvoiceNumber string `json:"invoice_number"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	IssuedOn      string `json:"issued_on"`
	Reverses      string `json:"reverses,omitempty"`
	Reason        string `json:"reason,omitempty"`
}

// Payment is money received, or a reversal of it.
type Payment struct {
	ID          string `json:"id"`
	MilestoneID string `json:"milestone_id"`
	Amount      int64  `json:"amount"`
	Currency    string `json:"currency"`
	ReceivedOn  string `json:"received_on"`
	Method      string `json:"method"`
	Reference   string `json:"reference"`
	Reverses    string `json:"reverses,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// Obligation is an obligation completed, with its evidence.
type Obligation struct {
	ID          string    `json:"id"`
	Seq         int       `json:"seq"`
	Title       string    `json:"title"`
	OwnerID     string    `json:"owner_id"`
	DueDate     string    `json:"due_date"`
	EvidenceID  string    `json:"evidence_id,omitempty"`
	CompletedAt time.Time `json:"completed_at"`
}

// FromTransition is the feed event a recorded transition is, if it is one.
func FromTransition(t domain.Transition) (Event, bool) {
	e := t.Event
	typ, ok := byKind[e.Kind]
	if !ok {
		return Event{}, false
	}
	if e.Kind == domain.EventSigned && !t.Status.Signed() {
		typ = ContractPartySigned // one party signed; the others have yet to
	}
	c := t.Contract
	out := Event{
		ID: e.ID, Type: typ, OccurredAt: e.At.UTC(),
		Actor:   Actor{ID: e.ActorID, Name: e.ActorName},
		Opinion: e.Opinion,
		Contract: Contract{
			Number: c.Number, Title: c.Title, CustomerID: c.CustomerID, CustomerName: c.CustomerName,
			OwnerID: c.OwnerID, OwnerName: c.OwnerName, Amount: c.Amount, Currency: c.Currency,
			Status: string(t.Status), PreviousStatus: string(e.FromStatus), Version: t.Version,
			StartDate: c.StartDate, EndDate: c.EndDate, SignedAt: t.SignedAt,
			PredecessorNumber: c.PredecessorNumber, SuccessorNumber: c.SuccessorNumber,
		},
	}
	if out.Contract.PreviousStatus == out.Contract.Status {
		out.Contract.PreviousStatus = ""
	}
	if inv := t.Invoice; inv != nil {
		out.Invoice = &Invoice{ID: inv.ID, MilestoneID: inv.MilestoneID, InvoiceNumber: inv.Number, Amount: inv.Amount,
			Currency: c.Currency, IssuedOn: inv.IssuedOn, Reverses: inv.Reverses, Reason: inv.Reason}
	}
	if p := t.Payment; p != nil {
		out.Payment = &Payment{ID: p.ID, MilestoneID: p.MilestoneID, Amount: p.Amount, Currency: c.Currency,
			ReceivedOn: p.ReceivedOn, Method: p.Method, Reference: p.Reference, Reverses: p.Reverses, Reason: p.Reason}
	}
	if e.Kind == domain.EventObligationUpdated {
		// Only the update that completes an obligation is news; a done
		// obligation takes no further updates.
		i := slices.IndexFunc(t.Obligations, domain.Obligation.Done)
		if i < 0 {
			return Event{}, false
		}
		o := t.Obligations[i]
		out.Obligation = &Obligation{ID: o.ID, Seq: o.Seq, Title: o.Title, OwnerID: o.OwnerID, DueDate: o.DueDate,
			EvidenceID: o.EvidenceID, CompletedAt: o.CompletedAt.UTC()}
	}
	return out, true
}

// Cursor is a place in the feed: the transaction that wrote an event and
// the event's sequence number. Events are read in (XID, Seq) order and
// only below every transaction still running, so nothing can later
// appear before a cursor a consumer holds.
type Cursor struct {
	XID uint64
	Seq int64
}

// String is the cursor as consumers hold it; "" is the feed's start.
func (c Cursor) String() string {
	if c == (Cursor{}) {
		return ""
	}
	return strconv.FormatUint(c.XID, 10) + "-" + strconv.FormatInt(c.Seq, 10)
}

// ErrCursor is a cursor the feed never gave.
var ErrCursor = errors.New("not a cursor this feed gave")

// ParseCursor reads a cursor String gave.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	x, q, ok := strings.Cut(s, "-")
	xid, err1 := strconv.ParseUint(x, 10, 64)
	seq, err2 := strconv.ParseInt(q, 10, 64)
	if !ok || err1 != nil || err2 != nil || xid == 0 || seq <= 0 {
		return Cursor{}, fmt.Errorf("%q: %w", s, ErrCursor)
	}
	return Cursor{XID: xid, Seq: seq}, nil
}

// Stored is an event as the feed keeps it: where it is and when it was
// recorded.
type Stored struct {
	Cursor     Cursor
	RecordedAt time.Time
	Event      Event
}

// Delivered is the event as a webhook carries it: the same fields, cursor
// and time of recording as GET /v1/events lists it, so a consumer may take
// either and move from one to the other.
func (s Stored) Delivered() any {
	return struct {
		Event
		Cursor     string    `json:"cursor"`
		RecordedAt time.Time `json:"recorded_at"`
	}{s.Event, s.Cursor.String(), s.RecordedAt.UTC()}
}
