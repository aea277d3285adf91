package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/workflows"
)

// The books of a signed contract: its invoices and payments as recorded,
// reversals (红冲) beside the originals they reverse.

// Invoice is the API's store.Invoice. A reversal has a negative amount
// and names the invoice it reverses; the original names its reversal.
type Invoice struct {
	ID             string    `json:"id"`
	ContractNumber string    `json:"contract_number"`
	MilestoneID    string    `json:"milestone_id"`
	InvoiceNumber  string    `json:"invoice_number"`
	Amount         int64     `json:"amount"`
	IssuedOn       string    `json:"issued_on"`
	RecordedAt     time.Time `json:"recorded_at"`
	Reverses       string    `json:"reverses,omitempty"`
	Reason         string    `json:"reason,omitempty"`
	ReversedBy     string    `json:"reversed_by,omitempty"`
}

// Payment is the API's store.Payment, reversals as for an Invoice.
type Payment struct {
	ID             string    `json:"id"`
	ContractNumber string    `json:"contract_number"`
	MilestoneID    string    `json:"milestone_id"`
	Amount         int64     `json:"amount"`
	ReceivedOn     string    `json:"received_on"`
	Method         string    `json:"method"`
	Reference      string    `json:"reference"`
	RecordedAt     time.Time `json:"recorded_at"`
	Reverses       string    `json:"reverses,omitempty"`
	Reason         string    `json:"reason,omitempty"`
	ReversedBy     string    `json:"reversed_by,omitempty"`
}

func toInvoice(v store.Invoice) Invoice {
	return Invoice{
		ID:             v.ID,
		ContractNumber: v.ContractNumber,
		MilestoneID:    v.MilestoneID,
		InvoiceNumber:  v.InvoiceNumber,
		Amount:         v.Amount,
		IssuedOn:       v.IssuedOn,
		RecordedAt:     v.RecordedAt,
		Reverses:       v.Reverses,
		Reason:         v.Reason,
		ReversedBy:     v.ReversedBy,
	}
}

func toPayment(v store.Payment) Payment {
	return Payment{
		ID:             v.ID,
		ContractNumber: v.ContractNumber,
		MilestoneID:    v.MilestoneID,
		Amount:         v.Amount,
		ReceivedOn:     v.ReceivedOn,
		Method:         v.Method,
		Reference:      v.Reference,
		RecordedAt:     v.RecordedAt,
		Reverses:       v.Reverses,
		Reason:         v.Reason,
		ReversedBy:     v.ReversedBy,
	}
}

func (h *handlers) invoices(c *gin.Context) {
	list, err := listAs(toInvoice)(h.d.Contracts.Invoices(c.Request.Context(), currentUser(c), c.Param("number")))
	h.respond(c, http.StatusOK, list, err)
}

func (h *handlers) payments(c *gin.Context) {
	list, err := listAs(toPayment)(h.d.Contracts.Payments(c.Request.Context(), currentUser(c), c.Param("number")))
	h.respond(c, http.StatusOK, list, err)
}

func (h *handlers) reverseInvoice(c *gin.Context) {
	decision(h, func(ctx context.Context, u domain.User, n, id string, c *gin.Context, in contracts.ReversalInput) (workflows.ContractState, error) {
		return h.d.Contracts.ReverseInvoice(ctx, u, n, c.Param("id"), id, in)
	})(c)
}

func (h *handlers) reversePayment(c *gin.Context) {
	decision(h, func(ctx context.Context, u domain.User, n, id string, c *gin.Context, in contracts.ReversalInput) (workflows.ContractState, error) {
		return h.d.Contracts.ReversePayment(ctx, u, n, c.Param("id"), id, in)
	})(c)
}
