package domain

import "time"

// Milestone is one payment milestone (回款节点) of a contract version: an
// amount due on a date, and what has been invoiced and received against it.
type Milestone struct {
	ID      string `json:"id"`
	Seq     int    `json:"seq"`
	Title   string `json:"title"`
	Amount  int64  `json:"amount"`
	DueDate string `json:"due_date"`
	// DueAt is the end of the due date in the configured time zone: the
	// milestone is overdue from then.
	DueAt    time.Time  `json:"due_at"`
	Invoiced int64      `json:"invoiced"`
	Received int64      `json:"received"`
	PaidAt   *time.Time `json:"paid_at,omitempty"`
	// Reminded and OverdueAlerts count the notices sent about it.
	Reminded      bool `json:"reminded,omitempty"`
	OverdueAlerts int  `json:"overdue_alerts,omitempty"`
}

// Outstanding is what is still to be received.
func (m Milestone) Outstanding() int64 { return m.Amount - m.Received }

// Paid reports whether the milestone is settled.
func (m Milestone) Paid() bool { return m.Received >= m.Amount }

// Obligation is a deliverable (履约事项) someone owes by a date, with its
// progress and, once done, the attachment that evidences it.
type Obligation struct {
	ID          string     `json:"id"`
	Seq         int        `json:"seq"`
	Title       string     `json:"title"`
	OwnerID     string     `json:"owner_id"`
	OwnerName   string     `json:"owner_name"`
	DueDate     string     `json:"due_date"`
	DueAt       time.Time  `json:"due_at"`
	Progress    int        `json:"progress"`
	Note        string     `json:"note,omitempty"`
	EvidenceID  string     `json:"evidence_id,omitempty"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	// Reminded and OverdueAlerts count the notices sent about it.
	Reminded      bool `json:"reminded,omitempty"`
	OverdueAlerts int  `json:"overdue_alerts,omitempty"`
}

// Done reports whether the obligation is fulfilled.
func (o Obligation) Done() bool { return o.CompletedAt != nil }

// Renewal is what happens at the end of the term: notices so many days
// before it and, with AutoRenew, a successor contract for the same term
// length, straight away or through approval.
type Renewal struct {
	AutoRenew       bool  `json:"auto_renew"`
	ThroughApproval bool  `json:"through_approval,omitempty"`
	NoticeDays      []int `json:"notice_days"`
}

// DefaultNoticeDays are the renewal notices' offsets unless a contract
// names its own.
var DefaultNoticeDays = []int{90, 30, 7}

// Invoice is an invoice finance issued against a milestone. A reversal
// (红字发票) is an invoice of its own that Reverses another, for the
// negative of its whole amount and with a Reason; the original is kept.
type Invoice struct {
	ID          string `json:"id"`
	MilestoneID string `json:"milestone_id"`
	Number      string `json:"invoice_number"`
	Amount      int64  `json:"amount"`
	IssuedOn    string `json:"issued_on"`
	Reverses    string `json:"reverses,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// Payment is money received against a milestone; a reversal Reverses
// another for the negative of its amount, with a Reason.
type Payment struct {
	ID          string `json:"id"`
	MilestoneID string `json:"milestone_id"`
	Amount      int64  `json:"amount"`
	ReceivedOn  string `json:"received_on"`
	Method      string `json:"method"`
	Reference   string `json:"reference"`
	Reverses    string `json:"reverses,omitempty"`
	Reason      string `json:"reason,omitempty"`
}
