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
	// A contract whose term ended into a successor contract.
	StatusRenewed    Status = "renewed"
	StatusTerminated Status = "terminated"
	// Term ended, every payment received and every obligation done.
	StatusCompleted Status = "completed"
	// Frozen: nothing on it changes any more.
	StatusArchived Status = "archived"
)

// Statuses lists every status, in lifecycle order.
var Statuses = []Status{StatusDraft, StatusInReview, StatusApproved, StatusSigning, StatusActive, StatusExpired, StatusCancelled,
	StatusRenewed, StatusTerminated, StatusCompleted, StatusArchived}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Closed reports whether nothing more can happen to a contract in status
// s. Expired closes only contracts signed before their active life was
// tracked (they end at expiry); since then an expired contract still takes
// payments until it completes.
func (s Status) Closed() bool {
	return s == StatusExpired || s == StatusCancelled || s == StatusArchived
}

// Signed reports whether the contract has been signed and is in or past
// its term: the statuses payments and obligations are recorded in.
func (s Status) Signed() bool {
	return s == StatusActive || s == StatusExpired || s == StatusRenewed
}

// Frozen reports whether a contract in status s takes no change at all,
// attachments included: once archived.
func (s Status) Frozen() bool { return s == StatusArchived }

// Cancellable reports whether a contract in status s may still be cancelled:
// only before anyone has signed it.
func (s Status) Cancellable() bool {
	return s == StatusDraft || s == StatusInReview || s == StatusApproved
}
