package domain

import "slices"

// Status is where a contract stands in its lifecycle (see DESIGN.md).
type Status string

// Contract statuses. The string values are stored in PostgreSQL, returned by
// the API and written to the ContractStatus search attribute, so they never
// change once shipped.
const (
	StatusDraft     Status = "draft"
	StatusInReview  Status = "in_review"
	StatusApproved  Status = "approved"
	StatusSigning   Status = "signing"
	StatusActive    Status = "active"
	StatusExpired   Status = "expired"
	StatusCancelled Status = "cancelled"
)

// Statuses lists every status, in lifecycle order.
var Statuses = []Status{StatusDraft, StatusInReview, StatusApproved, StatusSigning, StatusActive, StatusExpired, StatusCancelled}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Closed reports whether nothing more can happen to a contract in status s.
func (s Status) Closed() bool {
	return s == StatusExpired || s == StatusCancelled
}

// Cancellable reports whether a contract in status s may still be cancelled:
// only before anyone has signed it.
func (s Status) Cancellable() bool {
	return s == StatusDraft || s == StatusInReview || s == StatusApproved
}
