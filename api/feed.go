package api

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/feed"
)

// EventType is a change feed event's type (feed.Types).
type EventType string

// FeedEvent is one business event of the change feed; webhooks subscribed
// to "events" receive the same object, with the same ID, as data.event.
type FeedEvent struct {
	ID         string          `json:"id"`
	Type       EventType       `json:"type"`
	Cursor     string          `json:"cursor"`
	OccurredAt time.Time       `json:"occurred_at"`
	RecordedAt time.Time       `json:"recorded_at"`
	Actor      FeedActor       `json:"actor"`
	Opinion    string          `json:"opinion,omitempty"`
	Contract   FeedContract    `json:"contract"`
	Invoice    *FeedInvoice    `json:"invoice,omitempty"`
	Payment    *FeedPayment    `json:"payment,omitempty"`
	Obligation *FeedObligation `json:"obligation,omitempty"`
}

// FeedActor is who caused an event.
type FeedActor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// FeedContract is the contract as an event left it.
type FeedContract struct {
	Number            string        `json:"number"`
	Title             string        `json:"title"`
	CustomerID        string        `json:"customer_id"`
	CustomerName      string        `json:"customer_name"`
	OwnerID           string        `json:"owner_id"`
	OwnerName         string        `json:"owner_name"`
	Amount            int64         `json:"amount"`
	Currency          string        `json:"currency"`
	Status            domain.Status `json:"status"`
	PreviousStatus    domain.Status `json:"previous_status,omitempty"`
	Version           int           `json:"version"`
	StartDate         string        `json:"start_date"`
	EndDate           string        `json:"end_date"`
	SignedAt          *time.Time    `json:"signed_at,omitempty"`
	PredecessorNumber string        `json:"predecessor_number,omitempty"`
	SuccessorNumber   string        `json:"successor_number,omitempty"`
}

// FeedInvoice is an invoice recorded or reversed.
type FeedInvoice struct {
	ID            string `json:"id"`
	MilestoneID   string `json:"milestone_id"`
	InvoiceNumber string `json:"invoice_number"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	IssuedOn      string `json:"issued_on"`
	Reverses      string `json:"reverses,omitempty"`
	Reason        string `json:"reason,omitempty"`
}

// FeedPayment is a payment received or reversed.
type FeedPayment struct {
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

// FeedObligation is an obligation completed.
type FeedObligation struct {
	ID          string    `json:"id"`
	Seq         int       `json:"seq"`
	Title       string    `json:"title"`
	OwnerID     string    `json:"owner_id"`
	DueDate     string    `json:"due_date"`
	EvidenceID  string    `json:"evidence_id,omitempty"`
	CompletedAt time.Time `json:"completed_at"`
}

// EventPage is a page of the change feed.
type EventPage struct {
	Items []FeedEvent `json:"items"`
	// NextCursor is where to read on from (after=…); with nothing new it
	// is the cursor asked with.
	NextCursor string `json:"next_cursor"`
	More       bool   `json:"more"`
}

func (h *handlers) events(c *gin.Context) {
	withQuery(h, func(ctx context.Context, u domain.User, _ *gin.Context, in feed.PageInput) (EventPage, error) {
		return as(toEventPage)(h.d.Feed.Page(ctx, u, in))
	})(c)
}

func toEventPage(p feed.Page) EventPage {
	items := make([]FeedEvent, len(p.Items))
	for i, s := range p.Items {
		items[i] = toFeedEvent(s)
	}
	return EventPage{Items: items, NextCursor: p.Next.String(), More: p.More}
}

func toFeedEvent(s feed.Stored) FeedEvent {
	e := s.Event
	c := e.Contract
	out := FeedEvent{
		ID: e.ID, Type: EventType(e.Type), Cursor: s.Cursor.String(), OccurredAt: e.OccurredAt, RecordedAt: s.RecordedAt.UTC(),
		Actor: FeedActor{ID: e.Actor.ID, Name: e.Actor.Name}, Opinion: e.Opinion,
		Contract: FeedContract{
			Number: c.Number, Title: c.Title, CustomerID: c.CustomerID, CustomerName: c.CustomerName,
			OwnerID: c.OwnerID, OwnerName: c.OwnerName, Amount: c.Amount, Currency: c.Currency,
			Status: domain.Status(c.Status), PreviousStatus: domain.Status(c.PreviousStatus), Version: c.Version,
			StartDate: c.StartDate, EndDate: c.EndDate, SignedAt: c.SignedAt,
			PredecessorNumber: c.PredecessorNumber, SuccessorNumber: c.SuccessorNumber,
		},
	}
	if v := e.Invoice; v != nil {
		out.Invoice = &FeedInvoice{ID: v.ID, MilestoneID: v.MilestoneID, InvoiceNumber: v.InvoiceNumber, Amount: v.Amount,
			Currency: v.Currency, IssuedOn: v.IssuedOn, Reverses: v.Reverses, Reason: v.Reason}
	}
	if v := e.Payment; v != nil {
		out.Payment = &FeedPayment{ID: v.ID, MilestoneID: v.MilestoneID, Amount: v.Amount, Currency: v.Currency,
			ReceivedOn: v.ReceivedOn, Method: v.Method, Reference: v.Reference, Reverses: v.Reverses, Reason: v.Reason}
	}
	if v := e.Obligation; v != nil {
		out.Obligation = &FeedObligation{ID: v.ID, Seq: v.Seq, Title: v.Title, OwnerID: v.OwnerID, DueDate: v.DueDate,
			EvidenceID: v.EvidenceID, CompletedAt: v.CompletedAt}
	}
	return out
}
