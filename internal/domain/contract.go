package domain

import (
	"encoding/json"
	"time"
)

// Contract is what a contract was created with: its number, parties, amount
// and term. Fields a client may not set (number, owner, status) are filled by
// the server.
type Contract struct {
	Number       string `json:"number"`
	Title        string `json:"title"`
	CustomerID   string `json:"customer_id"`
	CustomerName string `json:"customer_name"`
	OwnerID      string `json:"owner_id"`
	OwnerName    string `json:"owner_name"`
	Amount       int64  `json:"amount"`
	Currency     string `json:"currency"`
	StartDate    string `json:"start_date"`
	EndDate      string `json:"end_date"`
	// ExpiresAt is the instant the term ends: midnight after EndDate in the
	// configured time zone, computed once when the contract is created.
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
	// The template version the draft was made from and the SHA-256 of its
	// rendered document: what approvers approve and signers sign.
	TemplateID      string `json:"template_id"`
	TemplateVersion int    `json:"template_version"`
	DocumentSHA256  string `json:"document_sha256"`
	// The payment plan, obligations and renewal terms of this version. The
	// workflow keeps their running state (received, progress) here too.
	Plan        []Milestone  `json:"payment_plan,omitempty" db:"-"`
	Obligations []Obligation `json:"obligations,omitempty" db:"-"`
	Renewal     Renewal      `json:"renewal" db:"-"`
	// The contract this one renewed, and the one it renewed into.
	PredecessorNumber string `json:"predecessor_number,omitempty"`
	SuccessorNumber   string `json:"successor_number,omitempty"`
}

// PlanTotal adds up the payment plan.
func (c Contract) PlanTotal() int64 {
	var sum int64
	for _, m := range c.Plan {
		sum += m.Amount
	}
	return sum
}

// Money returns the contract amount with its currency.
func (c Contract) Money() Money { return Money{Amount: c.Amount, Currency: c.Currency} }

// TaskStatus is the state of one approval task.
type TaskStatus string

// Approval task statuses.
const (
	TaskPending          TaskStatus = "pending" // its stage has not opened yet
	TaskOpen             TaskStatus = "open"
	TaskApproved         TaskStatus = "approved"
	TaskRejected         TaskStatus = "rejected"
	TaskChangesRequested TaskStatus = "changes_requested"
	TaskCancelled        TaskStatus = "cancelled" // the round ended without it
	TaskWithdrawn        TaskStatus = "withdrawn" // its submission was withdrawn
)

// Decision is an approver's answer to a task.
type Decision string

// Decisions an approver may give.
const (
	DecisionApprove        Decision = "approve"
	DecisionReject         Decision = "reject"
	DecisionRequestChanges Decision = "request_changes"
)

// TaskStatus returns the status a task takes when decided this way.
func (d Decision) TaskStatus() TaskStatus {
	switch d {
	case DecisionApprove:
		return TaskApproved
	case DecisionReject:
		return TaskRejected
	default:
		return TaskChangesRequested
	}
}

// Task kinds: an approver's own task, or one an escalation created.
const (
	TaskKindApproval   = "approval"
	TaskKindEscalation = "escalation"
)

// ApprovalTask is one approver's request for approval at one stage of one
// review round. Tasks of the foundation's inline approval (before the
// approval engine) name a role and no assignee.
type ApprovalTask struct {
	ID             string     `json:"id"`
	ContractNumber string     `json:"contract_number"`
	Round          int        `json:"round"`
	Stage          int        `json:"stage"`
	Role           Role       `json:"role"`
	Status         TaskStatus `json:"status"`
	DecidedByID    string     `json:"decided_by_id,omitempty"`
	DecidedByName  string     `json:"decided_by_name,omitempty"`
	Opinion        string     `json:"opinion,omitempty"`
	OpenedAt       *time.Time `json:"opened_at,omitempty"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	Kind           string     `json:"kind,omitempty"`
	StageName      string     `json:"stage_name,omitempty"`
	AssigneeID     string     `json:"assignee_id,omitempty"`
	AssigneeName   string     `json:"assignee_name,omitempty"`
	DelegatedFrom  string     `json:"delegated_from,omitempty"`
	DueAt          *time.Time `json:"due_at,omitempty"`
	RemindedAt     *time.Time `json:"reminded_at,omitempty"`
	EscalatedAt    *time.Time `json:"escalated_at,omitempty"`
}

// Party is a side that signs a contract.
type Party string

// Parties, in the order they sign in v1.
const (
	PartyCompany  Party = "company"  // our signatory
	PartyCustomer Party = "customer" // the customer's signatory
)

// Signature is one party's place in the signing order and, once signed, the
// record of who signed, from where and when.
type Signature struct {
	ID             string     `json:"id"`
	ContractNumber string     `json:"contract_number"`
	Version        int        `json:"version"`
	Party          Party      `json:"party"`
	Order          int        `json:"order"`
	SignerName     string     `json:"signer_name,omitempty"`
	SignerEmail    string     `json:"signer_email,omitempty"`
	RecordedByID   string     `json:"recorded_by_id,omitempty"`
	IP             string     `json:"ip,omitempty"`
	UserAgent      string     `json:"user_agent,omitempty"`
	SignedAt       *time.Time `json:"signed_at,omitempty"`
}

// Event kinds written to contract_events.
const (
	EventCreated          = "created"
	EventSubmitted        = "submitted"
	EventTaskApproved     = "task_approved"
	EventRejected         = "rejected"
	EventChangesRequested = "changes_requested"
	EventSent             = "sent_for_signature"
	EventSigned           = "signed"
	EventCancelled        = "cancelled"
	EventExpired          = "expired"
	EventRevised          = "revised"
	EventApproved         = "approved" // a review round approved the contract
	// A signing round that ended unsigned returns the contract to approved.
	EventSigningDeclined = "signing_declined"
	EventSigningExpired  = "signing_expired"
	// The owner took a submission back (its round closed, the contract a
	// draft again) or voided a sent signing round (approved again).
	EventWithdrawn     = "withdrawn"
	EventSigningVoided = "signing_voided"
	// A signed contract's life.
	EventInvoiceRecorded = "invoice_recorded"
	EventPaymentRecorded = "payment_recorded"
	// An invoice or payment corrected by a reversing entry (红冲).
	EventInvoiceReversed   = "invoice_reversed"
	EventPaymentReversed   = "payment_reversed"
	EventObligationUpdated = "obligation_updated"
	EventRenewed           = "renewed"
	// A successor became active under its predecessor's renewal clause.
	EventRenewalActivated = "renewal_activated"
	EventCompleted        = "completed"
	EventArchived         = "archived"
	// A contract signed before Signet arrived by bulk import, signed and
	// in its term or past it: no review or signing round of its own.
	EventMigrated = "migrated"
	// Termination: asked for, refused by its round, or in effect.
	EventTerminationRequested = "termination_requested"
	EventTerminationRejected  = "termination_rejected"
	EventTerminated           = "terminated"
	// Amendment (合同变更): asked for with the next version's terms,
	// approved or refused by its round, and in force once signed.
	EventAmendmentRequested = "amendment_requested"
	EventAmendmentApproved  = "amendment_approved"
	EventAmendmentRejected  = "amendment_rejected"
	EventAmended            = "amended"
)

// Event is one transition of a contract: who did what, when, from which
// status to which. Seq orders a contract's events and makes writes idempotent.
type Event struct {
	ID             string    `json:"id"`
	ContractNumber string    `json:"contract_number"`
	Seq            int       `json:"seq"`
	Kind           string    `json:"kind"`
	FromStatus     Status    `json:"from_status,omitempty"`
	ToStatus       Status    `json:"to_status"`
	ActorID        string    `json:"actor_id"`
	ActorName      string    `json:"actor_name"`
	TaskID         string    `json:"task_id,omitempty"`
	Opinion        string    `json:"opinion,omitempty"`
	At             time.Time `json:"at"`
}

// Transition is everything one step of a contract's workflow changes in the
// PostgreSQL projection; it is written in one transaction.
type Transition struct {
	Contract  Contract       `json:"contract"`
	Status    Status         `json:"status"`
	Version   int            `json:"version"`
	SignedAt  *time.Time     `json:"signed_at,omitempty"`
	Event     Event          `json:"event"`
	Tasks     []ApprovalTask `json:"tasks,omitempty"`
	Signature *Signature     `json:"signature,omitempty"`
	// Document, when set, replaces the rendered document of the version.
	Document *RenderedDocument `json:"document,omitempty"`
	// Lines, when set, replace the line items of the version.
	Lines []LineItem `json:"lines,omitempty"`
	// Plan, when set, replaces the version's payment plan; Obligations
	// are written as they stand. A created or revised draft writes its
	// contract's own instead.
	Plan        []Milestone  `json:"plan,omitempty"`
	Obligations []Obligation `json:"obligations,omitempty"`
	Invoice     *Invoice     `json:"invoice,omitempty"`
	Payment     *Payment     `json:"payment,omitempty"`
	// Amendment, when set, is the next version's draft: Document and Lines
	// are written for its version, with its payment plan and obligations,
	// while the contract stays on its current version.
	Amendment *AmendmentDraft `json:"amendment,omitempty"`
}

// AmendmentDraft is the terms of a contract's next version.
type AmendmentDraft struct {
	Version  int      `json:"version"`
	Contract Contract `json:"contract"`
}

// RenderedDocument is a rendered contract document as stored: its hash,
// canonical text, HTML and the structured content it was rendered from.
type RenderedDocument struct {
	SHA256  string          `json:"sha256"`
	Text    string          `json:"text"`
	HTML    string          `json:"html"`
	Content json.RawMessage `json:"content"`
}

// Signing events: a signing round's steps, listed on the certificate.
const (
	SigningSent = "sent"
	// SigningResent: the sender had a fresh link mailed to the signer.
	SigningResent = "resent"
	SigningOpened = "opened"
	// SigningCodeSent: a one-time code was mailed to the link's signer.
	SigningCodeSent = "code_sent"
	SigningSigned   = "signed"
	SigningDeclined = "declined"
	SigningReminded = "reminded"
	SigningExpired  = "expired"
	SigningVoided   = "voided"
)

// SignerStatus is where one signer stands in a signing round.
type SignerStatus string

// Signer statuses.
const (
	SignerWaiting  SignerStatus = "waiting" // an earlier group has not finished
	SignerOpen     SignerStatus = "open"    // may sign now
	SignerSigned   SignerStatus = "signed"
	SignerDeclined SignerStatus = "declined"
	SignerClosed   SignerStatus = "closed" // the round ended without them
)

// Signer is one person asked to sign in a signing round. Signers of the same
// group sign in any order; a group opens when the one before it is done.
type Signer struct {
	ID     string       `json:"id"`
	Seq    int          `json:"seq"`
	Group  int          `json:"group"`
	Party  Party        `json:"party"`
	Role   string       `json:"role"`
	Name   string       `json:"name"`
	Email  string       `json:"email"`
	Status SignerStatus `json:"status"`
	// UserID is the account a company signer is: they sign signed in as
	// that user, never through a link. Customer signers have none.
	UserID string `json:"user_id,omitempty"`
}
