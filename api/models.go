package api

// The API's response types: what clients see, declared here and converted
// field by field from the services' values (workflow states, store rows,
// service views), so that a field added to a workflow or a table reaches
// clients only when it is added here, and the OpenAPI document (generated
// from these types) says so. Bookkeeping of the workflows (versioning
// flags, event sequence numbers, child workflow IDs) is never copied.
// Named string types of domain (Status, Role...) are kept: they are the
// product's vocabulary, documented as enums.

import (
	"encoding/json"
	"time"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/customers"
	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/inbox"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/policy"
	"github.com/signet-clm/signet/internal/reports"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/workflows"
)

// User is the API's domain.User.
type User struct {
	ID    string        `json:"id"`
	Name  string        `json:"name"`
	Email string        `json:"email"`
	Roles []domain.Role `json:"roles"`
	Team  []string      `json:"team,omitempty"`
}

// ContractState is the API's workflows.ContractState.
type ContractState struct {
	Contract     Contract       `json:"contract"`
	Status       domain.Status  `json:"status"`
	Version      int            `json:"version"`
	Round        int            `json:"round"`
	Tasks        []ApprovalTask `json:"tasks"`
	Signatures   []Signature    `json:"signatures"`
	SigningRound int            `json:"signing_round,omitempty"`
	Termination  *Termination   `json:"termination,omitempty"`
	Settlement   *Settlement    `json:"settlement,omitempty"`
	Amendment    *Amendment     `json:"amendment,omitempty"`
	LastDecision *ApprovalTask  `json:"last_decision,omitempty"`
	SignedAt     *time.Time     `json:"signed_at,omitempty"`
	NextTimers   []Timer        `json:"next_timers"`
	UpdatedAt    time.Time      `json:"updated_at"`
}

// Contract is the API's domain.Contract.
type Contract struct {
	Number            string       `json:"number"`
	Title             string       `json:"title"`
	CustomerID        string       `json:"customer_id"`
	CustomerName      string       `json:"customer_name"`
	OwnerID           string       `json:"owner_id"`
	OwnerName         string       `json:"owner_name"`
	Amount            int64        `json:"amount"`
	Currency          string       `json:"currency"`
	StartDate         string       `json:"start_date"`
	EndDate           string       `json:"end_date"`
	ExpiresAt         time.Time    `json:"expires_at"`
	CreatedAt         time.Time    `json:"created_at"`
	TemplateID        string       `json:"template_id"`
	TemplateVersion   int          `json:"template_version"`
	DocumentSHA256    string       `json:"document_sha256"`
	Plan              []Milestone  `json:"payment_plan,omitempty"`
	Obligations       []Obligation `json:"obligations,omitempty"`
	Renewal           Renewal      `json:"renewal"`
	PredecessorNumber string       `json:"predecessor_number,omitempty"`
	SuccessorNumber   string       `json:"successor_number,omitempty"`
}

// Milestone is the API's domain.Milestone.
type Milestone struct {
	ID            string     `json:"id"`
	Seq           int        `json:"seq"`
	Title         string     `json:"title"`
	Amount        int64      `json:"amount"`
	DueDate       string     `json:"due_date"`
	DueAt         time.Time  `json:"due_at"`
	Invoiced      int64      `json:"invoiced"`
	Received      int64      `json:"received"`
	PaidAt        *time.Time `json:"paid_at,omitempty"`
	Reminded      bool       `json:"reminded,omitempty"`
	OverdueAlerts int        `json:"overdue_alerts,omitempty"`
}

// Obligation is the API's domain.Obligation.
type Obligation struct {
	ID            string     `json:"id"`
	Seq           int        `json:"seq"`
	Title         string     `json:"title"`
	OwnerID       string     `json:"owner_id"`
	OwnerName     string     `json:"owner_name"`
	DueDate       string     `json:"due_date"`
	DueAt         time.Time  `json:"due_at"`
	Progress      int        `json:"progress"`
	Note          string     `json:"note,omitempty"`
	EvidenceID    string     `json:"evidence_id,omitempty"`
	CompletedAt   *time.Time `json:"completed_at,omitempty"`
	Reminded      bool       `json:"reminded,omitempty"`
	OverdueAlerts int        `json:"overdue_alerts,omitempty"`
}

// Renewal is the API's domain.Renewal.
type Renewal struct {
	AutoRenew       bool  `json:"auto_renew"`
	ThroughApproval bool  `json:"through_approval,omitempty"`
	NoticeDays      []int `json:"notice_days"`
}

// ApprovalTask is the API's domain.ApprovalTask.
type ApprovalTask struct {
	ID             string `json:"id"`
	ContractNumber string `json:"contract_number"`
	Round          int    `json:"round"`
	Stage          int    `json:"stage"`
	// Role is the role the stage asks for; a stage of named users has none.
	Role          domain.Role       `json:"role,omitempty"`
	Status        domain.TaskStatus `json:"status"`
	DecidedByID   string            `json:"decided_by_id,omitempty"`
	DecidedByName string            `json:"decided_by_name,omitempty"`
	Opinion       string            `json:"opinion,omitempty"`
	OpenedAt      *time.Time        `json:"opened_at,omitempty"`
	DecidedAt     *time.Time        `json:"decided_at,omitempty"`
	Kind          string            `json:"kind,omitempty"`
	StageName     string            `json:"stage_name,omitempty"`
	AssigneeID    string            `json:"assignee_id,omitempty"`
	AssigneeName  string            `json:"assignee_name,omitempty"`
	DelegatedFrom string            `json:"delegated_from,omitempty"`
	DueAt         *time.Time        `json:"due_at,omitempty"`
	RemindedAt    *time.Time        `json:"reminded_at,omitempty"`
	EscalatedAt   *time.Time        `json:"escalated_at,omitempty"`
}

// Signature is the API's domain.Signature.
type Signature struct {
	ID             string       `json:"id"`
	ContractNumber string       `json:"contract_number"`
	Version        int          `json:"version"`
	Party          domain.Party `json:"party"`
	Order          int          `json:"order"`
	SignerName     string       `json:"signer_name,omitempty"`
	SignerEmail    string       `json:"signer_email,omitempty"`
	RecordedByID   string       `json:"recorded_by_id,omitempty"`
	IP             string       `json:"ip,omitempty"`
	UserAgent      string       `json:"user_agent,omitempty"`
	SignedAt       *time.Time   `json:"signed_at,omitempty"`
}

// Termination is the API's workflows.Termination.
type Termination struct {
	Reason        string    `json:"reason"`
	EffectiveDate string    `json:"effective_date"`
	EffectiveAt   time.Time `json:"effective_at"`
	RequestedBy   string    `json:"requested_by"`
	Round         int       `json:"round"`
	Status        string    `json:"status"`
	Opinion       string    `json:"opinion,omitempty"`
}

// Settlement is the API's workflows.Settlement.
type Settlement struct {
	Outstanding     int64        `json:"outstanding"`
	Currency        string       `json:"currency"`
	Milestones      []Milestone  `json:"milestones"`
	OpenObligations []Obligation `json:"open_obligations"`
}

// Amendment is the API's workflows.Amendment.
type Amendment struct {
	Version        int      `json:"version"`
	Reason         string   `json:"reason"`
	RequestedBy    string   `json:"requested_by"`
	Contract       Contract `json:"contract"`
	DocumentSHA256 string   `json:"document_sha256"`
	Round          int      `json:"round"`
	Status         string   `json:"status"`
}

// Timer is the API's workflows.Timer.
type Timer struct {
	Name string    `json:"name"`
	At   time.Time `json:"at"`
}

// ContractPage is the API's contracts.Page[store.ContractRow].
type ContractPage struct {
	Items      []ContractRow `json:"items"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// ContractRow is the API's store.ContractRow: the contract's terms and
// where it stands.
type ContractRow struct {
	Contract
	Status    domain.Status `json:"status"`
	Version   int           `json:"version"`
	SignedAt  *time.Time    `json:"signed_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// ContractView is the API's contracts.View: the recorded contract, its
// tasks and signatures (listed here once) and the live workflow state.
type ContractView struct {
	Contract   ContractRow    `json:"contract"`
	LineItems  []LineItem     `json:"line_items"`
	Tasks      []ApprovalTask `json:"tasks"`
	Signatures []Signature    `json:"signatures"`
	// ExternalIDs are the keys other systems know the contract by.
	ExternalIDs []ExternalID   `json:"external_ids"`
	Live        *ContractLive  `json:"live"`
	Round       *ApprovalRound `json:"round,omitempty"`
	Signing     *SigningState  `json:"signing,omitempty"`
	LiveError   string         `json:"live_error,omitempty"`
}

// LineItem is the API's store.LineItem.
type LineItem struct {
	LineNo        int    `json:"line_no"`
	ProductID     string `json:"product_id"`
	Description   string `json:"description"`
	Unit          string `json:"unit"`
	QuantityMilli int64  `json:"quantity_milli"`
	UnitPrice     int64  `json:"unit_price"`
	DiscountBP    int    `json:"discount_bp"`
	TaxRateBP     int    `json:"tax_rate_bp"`
	Gross         int64  `json:"gross"`
	Discount      int64  `json:"discount"`
	Net           int64  `json:"net"`
	Tax           int64  `json:"tax"`
	Total         int64  `json:"total"`
}

// ApprovalRound is the review round under way (workflows.ApprovalState);
// its tasks are the contract view's, listed once there.
type ApprovalRound struct {
	ContractNumber string        `json:"contract_number"`
	Round          int           `json:"round"`
	Route          ApprovalRoute `json:"route"`
	StagesDone     []bool        `json:"stages_done"`
	Outcome        string        `json:"outcome,omitempty"`
	Decisive       *ApprovalTask `json:"decisive,omitempty"`
}

// ApprovalRoute is the API's approval.Route.
type ApprovalRoute struct {
	PolicyID      string         `json:"policy_id"`
	PolicyVersion int            `json:"policy_version"`
	Risk          Assessment     `json:"risk"`
	Matches       []FindingMatch `json:"matches"`
	Stages        []Stage        `json:"stages"`
}

// Assessment is the API's approval.Assessment.
type Assessment struct {
	Findings []Finding `json:"findings"`
	Level    string    `json:"level"`
	Blocked  bool      `json:"blocked"`
}

// Finding is the API's approval.Finding.
type Finding struct {
	RuleID   string `json:"rule_id"`
	Kind     string `json:"kind"`
	Severity string `json:"severity"`
	Blocking bool   `json:"blocking"`
	Message  string `json:"message"`
}

// FindingMatch is the API's approval.Match.
type FindingMatch struct {
	Rule    string         `json:"rule"`
	Matched bool           `json:"matched"`
	Saw     map[string]any `json:"saw"`
	Stages  []string       `json:"stages_added"`
}

// Stage is the API's approval.Stage.
type Stage struct {
	Name             string      `json:"name"`
	Role             domain.Role `json:"role,omitempty"`
	Users            []string    `json:"users,omitempty"`
	Parallel         bool        `json:"parallel"`
	Quorum           string      `json:"quorum"`
	SLAHours         int         `json:"sla_hours"`
	RemindAfterHours int         `json:"remind_after_hours"`
	EscalateTo       Escalation  `json:"escalate_to"`
}

// Escalation is the API's approval.Escalation.
type Escalation struct {
	Role    domain.Role `json:"role,omitempty"`
	Manager bool        `json:"manager,omitempty"`
}

// SigningState is the API's workflows.SigningState.
type SigningState struct {
	ContractNumber string        `json:"contract_number"`
	Title          string        `json:"title"`
	Version        int           `json:"version"`
	Round          int           `json:"round"`
	DocumentSHA256 string        `json:"document_sha256"`
	Signers        []SignerState `json:"signers"`
	DeadlineAt     time.Time     `json:"deadline_at"`
	RequireCode    bool          `json:"require_code,omitempty"`
	// RequireReadToEnd is the round's 强制阅读: a link signer signs only
	// after scrolling the document to its end (read_to_end).
	RequireReadToEnd bool       `json:"require_read_to_end,omitempty"`
	NextReminderAt   *time.Time `json:"next_reminder_at,omitempty"`
	Outcome          string     `json:"outcome,omitempty"`
	Reason           string     `json:"reason,omitempty"`
	DeclinedBy       string     `json:"declined_by,omitempty"`
}

// SignerState is the API's workflows.SignerState.
type SignerState struct {
	ID        string              `json:"id"`
	Seq       int                 `json:"seq"`
	Group     int                 `json:"group"`
	Party     domain.Party        `json:"party"`
	Role      string              `json:"role"`
	Name      string              `json:"name"`
	Email     string              `json:"email"`
	Status    domain.SignerStatus `json:"status"`
	UserID    string              `json:"user_id,omitempty"`
	Links     int                 `json:"links"`
	ValidFrom int                 `json:"valid_from"`
	Reminded  int                 `json:"reminded"`
	Signature *SealedSignature    `json:"signature,omitempty"`
}

// SealedSignature is the API's signing.SealedSignature.
type SealedSignature struct {
	ContractNumber string    `json:"contract_number"`
	Version        int       `json:"version"`
	Round          int       `json:"round"`
	DocumentSHA256 string    `json:"document_sha256"`
	SignerID       string    `json:"signer_id"`
	SignerName     string    `json:"signer_name"`
	SignerEmail    string    `json:"signer_email"`
	Party          string    `json:"party"`
	Role           string    `json:"role"`
	IP             string    `json:"ip"`
	UserAgent      string    `json:"user_agent"`
	SignedAt       time.Time `json:"signed_at"`
	LinkID         string    `json:"link_id"`
	// UserID is the account a company signer signed in as.
	UserID string `json:"user_id,omitempty"`
	Seal   Seal   `json:"seal"`
}

// Seal is the API's signing.Seal.
type Seal struct {
	Algorithm string `json:"algorithm"`
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"`
}

// ContractAsOf is the API's contracts.AsOf.
type ContractAsOf struct {
	AsOf           string          `json:"as_of"`
	Status         domain.Status   `json:"status"`
	Version        int             `json:"version"`
	DocumentSHA256 string          `json:"document_sha256"`
	Terms          DocumentInput   `json:"terms"`
	Milestones     []MilestoneAsOf `json:"milestones"`
}

// DocumentInput is the API's document.Input.
type DocumentInput struct {
	Number    string                     `json:"number"`
	Title     string                     `json:"title"`
	Currency  string                     `json:"currency"`
	StartDate string                     `json:"start_date"`
	EndDate   string                     `json:"end_date"`
	Company   DocumentParty              `json:"company"`
	Customer  DocumentParty              `json:"customer"`
	Owner     string                     `json:"owner"`
	Values    map[string]string          `json:"values"`
	Fields    map[string]json.RawMessage `json:"fields,omitempty"`
	Optional  []string                   `json:"optional_clauses"`
	Extra     []ExtraClause              `json:"non_standard_clauses"`
	Lines     []ContractLineItem         `json:"lines"`
	Totals    LineAmounts                `json:"totals"`
}

// DocumentParty is the API's document.Party.
type DocumentParty struct {
	Name       string `json:"name"`
	CreditCode string `json:"credit_code,omitempty"`
	Contact    string `json:"contact,omitempty"`
}

// ExtraClause is the API's document.ExtraClause.
type ExtraClause struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// ContractLineItem is the API's domain.LineItem.
type ContractLineItem struct {
	ProductID     string `json:"product_id"`
	Description   string `json:"description"`
	Unit          string `json:"unit"`
	QuantityMilli int64  `json:"quantity_milli"`
	UnitPrice     int64  `json:"unit_price"`
	DiscountBP    int    `json:"discount_bp"`
	TaxRateBP     int    `json:"tax_rate_bp"`
	Gross         int64  `json:"gross"`
	Discount      int64  `json:"discount"`
	Net           int64  `json:"net"`
	Tax           int64  `json:"tax"`
	Total         int64  `json:"total"`
}

// LineAmounts is the API's domain.LineAmounts.
type LineAmounts struct {
	Gross    int64 `json:"gross"`
	Discount int64 `json:"discount"`
	Net      int64 `json:"net"`
	Tax      int64 `json:"tax"`
	Total    int64 `json:"total"`
}

// MilestoneAsOf is the API's store.MilestoneAsOf.
type MilestoneAsOf struct {
	Seq      int    `json:"seq"`
	Title    string `json:"title"`
	Amount   int64  `json:"amount"`
	DueDate  string `json:"due_date"`
	Received int64  `json:"received"`
}

// Event is the API's domain.Event.
type Event struct {
	ID             string        `json:"id"`
	ContractNumber string        `json:"contract_number"`
	Seq            int           `json:"seq"`
	Kind           string        `json:"kind"`
	FromStatus     domain.Status `json:"from_status,omitempty"`
	ToStatus       domain.Status `json:"to_status"`
	ActorID        string        `json:"actor_id"`
	ActorName      string        `json:"actor_name"`
	TaskID         string        `json:"task_id,omitempty"`
	Opinion        string        `json:"opinion,omitempty"`
	At             time.Time     `json:"at"`
}

// VersionInfo is the API's store.VersionInfo.
type VersionInfo struct {
	Version        int    `json:"version"`
	DocumentSHA256 string `json:"document_sha256"`
	Current        bool   `json:"current"`
}

// VersionView is the API's contracts.VersionView.
type VersionView struct {
	Version        int              `json:"version"`
	DocumentSHA256 string           `json:"document_sha256"`
	Text           string           `json:"text"`
	Terms          DocumentInput    `json:"terms"`
	Clauses        []RenderedClause `json:"clauses"`
}

// RenderedClause is the API's document.RenderedClause.
type RenderedClause struct {
	No          int    `json:"no"`
	ID          string `json:"id,omitempty"`
	Title       string `json:"title"`
	Text        string `json:"text"`
	NonStandard bool   `json:"non_standard,omitempty"`
}

// Comparison is the API's document.Comparison.
type Comparison struct {
	Fields  []FieldChange  `json:"fields"`
	Clauses []ClauseChange `json:"clauses"`
}

// FieldChange is the API's document.FieldChange.
type FieldChange struct {
	Field string `json:"field"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// ClauseChange is the API's document.ClauseChange.
type ClauseChange struct {
	Key    string `json:"key"`
	Title  string `json:"title"`
	Change string `json:"change"`
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
}

// Attachment is the API's store.Attachment.
type Attachment struct {
	ID             string    `json:"id"`
	ContractNumber string    `json:"contract_number"`
	Filename       string    `json:"filename"`
	ContentType    string    `json:"content_type"`
	Size           int64     `json:"size"`
	SHA256         string    `json:"sha256"`
	UploadedBy     string    `json:"uploaded_by"`
	CreatedAt      time.Time `json:"created_at"`
	// Version is the contract version the file belongs to; absent: the
	// contract as a whole.
	Version int `json:"version,omitempty"`
}

// Inbox is the API's approvals.Inbox.
type Inbox struct {
	Items  []InboxTask    `json:"items"`
	Counts map[string]int `json:"counts"`
}

// InboxTask is the API's store.InboxTask.
type InboxTask struct {
	ApprovalTask
	Title          string `json:"title"`
	CustomerName   string `json:"customer_name"`
	OwnerName      string `json:"owner_name"`
	Amount         int64  `json:"amount"`
	Currency       string `json:"currency"`
	DocumentSHA256 string `json:"document_sha256"`
	Overdue        bool   `json:"overdue"`
}

// TaskDetail is the API's approvals.TaskDetail.
type TaskDetail struct {
	Task     InboxTask      `json:"task"`
	Contract ContractRow    `json:"contract"`
	Findings []Finding      `json:"findings"`
	Risk     string         `json:"risk"`
	Stages   []Stage        `json:"stages"`
	Changes  *TaskChanges   `json:"changes"`
	History  []ApprovalTask `json:"opinions"`
}

// TaskChanges is the API's approvals.Changes.
type TaskChanges struct {
	SinceRound  int            `json:"since_round"`
	SinceSHA256 string         `json:"since_sha256"`
	Lines       []DiffLine     `json:"lines"`
	Fields      []FieldChange  `json:"fields,omitempty"`
	Clauses     []ClauseChange `json:"clauses,omitempty"`
}

// DiffLine is the API's approval.DiffLine.
type DiffLine struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// Policy is the API's approval.Policy.
type Policy struct {
	ID      string       `json:"id"`
	Version int          `json:"version"`
	Name    string       `json:"name"`
	Rules   []PolicyRule `json:"rules"`
}

// PolicyRule is the API's approval.Rule.
type PolicyRule struct {
	Name   string    `json:"name"`
	When   Condition `json:"when"`
	Stages []Stage   `json:"stages"`
}

// Condition is the API's approval.Condition.
type Condition struct {
	AmountAtLeast     *int64   `json:"amount_at_least,omitempty"`
	Currency          string   `json:"currency,omitempty"`
	Templates         []string `json:"templates,omitempty"`
	DiscountAboveBP   *int     `json:"discount_above_bp,omitempty"`
	PaymentTermsField string   `json:"payment_terms_field,omitempty"`
	PaymentTermsAbove *int64   `json:"payment_terms_above,omitempty"`
	RiskAtLeast       string   `json:"risk_at_least,omitempty"`
	NonStandard       *bool    `json:"non_standard,omitempty"`
}

// RiskRules is the API's approvals.RiskRules.
type RiskRules struct {
	Version int        `json:"version"`
	Rules   []RiskRule `json:"rules"`
}

// RiskRule is the API's approval.RiskRule.
type RiskRule struct {
	ID            string `json:"id"`
	Kind          string `json:"kind"`
	Severity      string `json:"severity"`
	Block         bool   `json:"block"`
	Clause        string `json:"clause,omitempty"`
	Field         string `json:"field,omitempty"`
	MaxAmount     *int64 `json:"max_amount,omitempty"`
	MaxDays       *int64 `json:"max_days,omitempty"`
	MaxDiscountBP *int   `json:"max_discount_bp,omitempty"`
	Phrase        string `json:"phrase,omitempty"`
}

// Delegation is the API's store.Delegation. A revoked one (revoked_at
// set) redirects no new task.
type Delegation struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	DelegateID string     `json:"delegate_id"`
	StartsOn   string     `json:"starts_on"`
	EndsOn     string     `json:"ends_on"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// RoundView is the API's approvals.RoundView.
type RoundView struct {
	Round          int            `json:"round"`
	PolicyID       string         `json:"policy_id"`
	PolicyVersion  int            `json:"policy_version"`
	DocumentSHA256 string         `json:"document_sha256"`
	Route          ApprovalRoute  `json:"route"`
	Outcome        string         `json:"outcome"`
	StartedAt      time.Time      `json:"started_at"`
	ClosedAt       *time.Time     `json:"closed_at"`
	Decisions      []ApprovalTask `json:"tasks"`
}

// CustomerDetail is the API's customers.Detail.
type CustomerDetail struct {
	Customer
	Contacts []Contact `json:"contacts"`
	// RemovedContacts were removed from the book; contracts drafted with
	// them still name them, new drafts refuse them.
	RemovedContacts []Contact       `json:"removed_contacts"`
	Totals          []CustomerTotal `json:"totals"`
	Contracts       []ContractRow   `json:"contracts"`
}

// Contact is the API's store.Contact.
type Contact struct {
	ID         string `json:"id"`
	CustomerID string `json:"customer_id"`
	Name       string `json:"name"`
	Title      string `json:"title"`
	Phone      string `json:"phone"`
	Email      string `json:"email"`
	MaySign    bool   `json:"may_sign"`
	// ExternalIDs are the keys other systems know the contact by.
	ExternalIDs []ExternalID `json:"external_ids"`
	// RemovedAt is when the contact was removed, null while current.
	RemovedAt *time.Time `json:"removed_at"`
}

// ExternalID is the API's domain.ExternalID: the key another system
// knows an entity by, unique per source.
type ExternalID struct {
	Source string `json:"source"`
	ID     string `json:"id"`
}

// ContractExternalIDs is a contract's external IDs.
type ContractExternalIDs struct {
	Number      string       `json:"number"`
	ExternalIDs []ExternalID `json:"external_ids"`
}

// CustomerTotal is the API's store.CustomerTotal.
type CustomerTotal struct {
	Currency    string `json:"currency"`
	Contracts   int    `json:"contracts"`
	Amount      int64  `json:"amount"`
	Invoiced    int64  `json:"invoiced"`
	Received    int64  `json:"received"`
	Outstanding int64  `json:"outstanding"`
}

// CustomerPage is the API's customers.Page.
type CustomerPage struct {
	Items      []Customer `json:"items"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

// Customer is the API's store.Customer.
type Customer struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	CreditCode *string   `json:"credit_code"`
	Industry   string    `json:"industry"`
	Region     string    `json:"region"`
	Tier       string    `json:"tier"`
	OwnerID    string    `json:"owner_id"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// ExternalIDs are the keys other systems know the customer by.
	ExternalIDs []ExternalID `json:"external_ids"`
	// Status is active, inactive (deactivated: its contracts run on, new
	// drafts refuse it) or merged.
	Status        string     `json:"status"`
	DeactivatedAt *time.Time `json:"deactivated_at"`
	// MergedInto is the customer this one was merged into (status
	// merged): its contacts and contracts are there now.
	MergedInto *string    `json:"merged_into"`
	MergedAt   *time.Time `json:"merged_at"`
}

// ProductLine is the API's store.ProductLine.
type ProductLine struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Product is the API's store.Product.
type Product struct {
	ID        string    `json:"id"`
	LineID    string    `json:"line_id"`
	Name      string    `json:"name"`
	Unit      string    `json:"unit"`
	ListPrice int64     `json:"list_price"`
	Currency  string    `json:"currency"`
	TaxRateBP int       `json:"tax_rate_bp"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// ExternalIDs are the keys other systems know the product by.
	ExternalIDs []ExternalID `json:"external_ids"`
}

// Template is the API's document.Template.
type Template struct {
	ID       string           `json:"id"`
	Version  int              `json:"version"`
	Name     string           `json:"name"`
	Language string           `json:"language"`
	Clauses  []TemplateClause `json:"clauses"`
	Fields   []TemplateField  `json:"fields"`
	// Retired, when set, says this version is retired from use: new
	// contracts are not drafted from it.
	Retired *TemplateRetirement `json:"retired,omitempty"`
}

// TemplateRetirement is when, by whom and why a template version was
// retired.
type TemplateRetirement struct {
	Reason    string    `json:"reason"`
	RetiredBy string    `json:"retired_by"`
	RetiredAt time.Time `json:"retired_at"`
}

// TemplateClause is the API's document.Clause.
type TemplateClause struct {
	ID             string `json:"id"`
	Title          string `json:"title"`
	Body           string `json:"body"`
	Optional       bool   `json:"optional"`
	Library        string `json:"library,omitempty"`
	LibraryVersion int    `json:"library_version,omitempty"`
}

// TemplateField is the API's document.Field.
type TemplateField struct {
	Name      string   `json:"name"`
	Label     string   `json:"label"`
	Type      string   `json:"type"`
	Required  bool     `json:"required"`
	Choices   []string `json:"choices,omitempty"`
	Min       *int64   `json:"min,omitempty"`
	Max       *int64   `json:"max,omitempty"`
	MaxLength int      `json:"max_length,omitempty"`
	Source    string   `json:"source,omitempty"`
}

// TemplateSummary is the API's store.TemplateSummary.
type TemplateSummary struct {
	ID       string `json:"id"`
	Version  int    `json:"version"`
	Name     string `json:"name"`
	Language string `json:"language"`
}

// LibraryClause is the API's document.LibraryClause.
type LibraryClause struct {
	ID       string `json:"id"`
	Version  int    `json:"version"`
	Title    string `json:"title"`
	Body     string `json:"body"`
	Language string `json:"language"`
}

// LinkResent is the API's esign.LinkResent: a fresh link went to the
// signer by mail, which alone carries it.
type LinkResent struct {
	SignerID  string    `json:"signer_id"`
	LinkID    string    `json:"link_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SigningAuthority is the API's identity.SigningAuthority: whether a user
// may sign for the company, up to what amount (null: any), and why
// (role, granted, withdrawn, none).
type SigningAuthority struct {
	UserID     string        `json:"user_id"`
	Name       string        `json:"name"`
	Authorised bool          `json:"authorised"`
	Limit      *SigningLimit `json:"limit"`
	Source     string        `json:"source"`
	UpdatedBy  string        `json:"updated_by,omitempty"`
	UpdatedAt  *time.Time    `json:"updated_at,omitempty"`
}

// SigningLimit is the most a signatory may sign for: minor units of one
// currency.
type SigningLimit struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// Certificate is the API's signing.Certificate.
type Certificate struct {
	ContractNumber string            `json:"contract_number"`
	Title          string            `json:"title"`
	Version        int               `json:"version"`
	DocumentSHA256 string            `json:"document_sha256"`
	CompletedAt    *time.Time        `json:"completed_at"`
	Signatures     []SealedSignature `json:"signatures"`
	Events         []SigningEvent    `json:"events"`
	IssuedAt       time.Time         `json:"issued_at"`
	Seal           *Seal             `json:"seal,omitempty"`
}

// SigningEvent is the API's signing.Event.
type SigningEvent struct {
	Kind       string    `json:"kind"`
	SignerID   string    `json:"signer_id,omitempty"`
	SignerName string    `json:"signer_name,omitempty"`
	At         time.Time `json:"at"`
	IP         string    `json:"ip,omitempty"`
	UserAgent  string    `json:"user_agent,omitempty"`
	Detail     string    `json:"detail,omitempty"`
}

// PublicKeyInfo is the API's eseal.KeySet: the current sealing key, and
// the retired keys that no longer seal but still verify what they sealed.
type PublicKeyInfo struct {
	Algorithm string `json:"algorithm"`
	KeyID     string `json:"key_id"`
	PublicKey string `json:"public_key"`
	PEM       string `json:"pem"`
	// Retired keys, the most recently retired first.
	Retired []RetiredKey `json:"retired"`
}

// RetiredKey is a sealing key that no longer seals but still verifies.
type RetiredKey struct {
	Algorithm string    `json:"algorithm"`
	KeyID     string    `json:"key_id"`
	PublicKey string    `json:"public_key"`
	PEM       string    `json:"pem"`
	RetiredAt time.Time `json:"retired_at"`
	// Origin is "postgresql" for a key that was kept in the database
	// before keys moved out of it; "" otherwise.
	Origin string `json:"origin,omitempty"`
}

// SignView is the API's esign.SignView.
type SignView struct {
	ContractNumber string      `json:"contract_number"`
	Title          string      `json:"title"`
	Version        int         `json:"version"`
	CompanyName    string      `json:"company_name"`
	CustomerName   string      `json:"customer_name"`
	DocumentSHA256 string      `json:"document_sha256"`
	DocumentText   string      `json:"document_text"`
	DocumentHTML   string      `json:"document_html"`
	Signer         SignerRow   `json:"signer"`
	Signers        []SignerRow `json:"signers"`
	ExpiresAt      time.Time   `json:"expires_at"`
}

// SignerRow is the API's store.SignerRow.
type SignerRow struct {
	ID     string              `json:"id"`
	Seq    int                 `json:"seq"`
	Group  int                 `json:"group"`
	Party  domain.Party        `json:"party"`
	Role   string              `json:"role"`
	Name   string              `json:"name"`
	Status domain.SignerStatus `json:"status"`
}

// SignResult is the API's esign.SignResult.
type SignResult struct {
	Signature      *SealedSignature `json:"signature,omitempty"`
	Outcome        string           `json:"outcome,omitempty"`
	ContractStatus domain.Status    `json:"contract_status"`
}

// CodeSent is the API's esign.CodeSent.
type CodeSent struct {
	SentTo    string    `json:"sent_to"`
	ExpiresAt time.Time `json:"expires_at"`
}

// VerifyResult is the API's esign.VerifyResult.
type VerifyResult struct {
	DocumentSHA256 string              `json:"document_sha256"`
	Matches        bool                `json:"matches"`
	SealsValid     bool                `json:"seals_valid"`
	Versions       []VerifiedVersion   `json:"versions"`
	Certificate    *CertificateVerdict `json:"certificate,omitempty"`
	// PDF is the verdict on a posted PDF's embedded signatures.
	PDF   *PDFVerdict `json:"pdf,omitempty"`
	KeyID string      `json:"key_id"`
}

// PDFVerdict is the API's esign.PDFVerdict.
type PDFVerdict struct {
	SHA256         string         `json:"sha256"`
	Signatures     []PDFSignature `json:"signatures"`
	SignetFile     bool           `json:"signet_file"`
	ContractNumber string         `json:"contract_number,omitempty"`
	Version        int            `json:"version,omitempty"`
	ChangedAfter   bool           `json:"changed_after"`
}

// PDFSignature is the API's esign.PDFSignature.
type PDFSignature struct {
	// Name is who the signature was made for; Signer the certificate's subject.
	Name          string     `json:"name"`
	Signer        string     `json:"signer"`
	Organization  string     `json:"organization"`
	Issuer        string     `json:"issuer"`
	CertSHA256    string     `json:"cert_sha256"`
	Reason        string     `json:"reason"`
	SignedAt      *time.Time `json:"signed_at"`
	Valid         bool       `json:"valid"`
	Problem       string     `json:"problem,omitempty"`
	CoversWhole   bool       `json:"covers_whole_document"`
	ChangedAfter  bool       `json:"changed_after"`
	AppendedBytes int64      `json:"appended_bytes"`
	BySignet      bool       `json:"by_signet"`
	// Timestamp is its RFC 3161 time-stamp, when it carries one.
	Timestamp *PDFTimestamp `json:"timestamp,omitempty"`
}

// PDFTimestamp is the API's esign.PDFTimestamp.
type PDFTimestamp struct {
	At        time.Time `json:"at"`
	Authority string    `json:"authority"`
	Valid     bool      `json:"valid"`
	Problem   string    `json:"problem,omitempty"`
}

// VerifiedVersion is the API's esign.VerifiedVersion.
type VerifiedVersion struct {
	ContractNumber string           `json:"contract_number"`
	Title          string           `json:"title"`
	Version        int              `json:"version"`
	FullySigned    bool             `json:"fully_signed"`
	SignedAt       *time.Time       `json:"signed_at"`
	Signatures     []VerifiedSigner `json:"signatures"`
}

// VerifiedSigner is the API's esign.VerifiedSigner.
type VerifiedSigner struct {
	SignerName string    `json:"signer_name"`
	Party      string    `json:"party"`
	Role       string    `json:"role"`
	SignedAt   time.Time `json:"signed_at"`
	SealValid  bool      `json:"seal_valid"`
}

// CertificateVerdict is the API's esign.CertificateVerdict.
type CertificateVerdict struct {
	Valid   bool   `json:"valid"`
	Problem string `json:"problem,omitempty"`
}

// AuditEntry is the API's audit.Entry.
type AuditEntry struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	ActorID    string          `json:"actor_id"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	RequestID  string          `json:"request_id"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
}

// IssuedToken is the API's users.IssuedToken.
type IssuedToken struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Label     string     `json:"label"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	Token     string     `json:"token"`
}

// TokenInfo is the API's store.TokenInfo.
type TokenInfo struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Label     string     `json:"label"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// NotificationSettings is the API's users.Settings.
type NotificationSettings struct {
	Default bool         `json:"default"`
	Targets []Preference `json:"targets"`
}

// Preference is the API's store.Preference.
type Preference struct {
	Channel string   `json:"channel"`
	Address string   `json:"address"`
	Secret  string   `json:"secret,omitempty"`
	Kinds   []string `json:"kinds"`
}

// Notice is one notice in the caller's in-app list.
type Notice struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Subject   string     `json:"subject"`
	Text      string     `json:"text"`
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// NoticePage is a page of the caller's notices, newest first, with how
// many of all theirs are unread; next_before, when set, asks for the next
// page.
type NoticePage struct {
	Items      []Notice `json:"items"`
	Unread     int      `json:"unread"`
	NextBefore int64    `json:"next_before,omitempty"`
}

// NoticesRead is how many of the caller's notices stay unread.
type NoticesRead struct {
	Unread int `json:"unread"`
}

// OutboxEntry is the API's store.OutboxEntry.
type OutboxEntry struct {
	ID        string     `json:"id"`
	Key       string     `json:"key"`
	UserID    string     `json:"user_id"`
	Kind      string     `json:"kind"`
	Channel   string     `json:"channel"`
	Address   string     `json:"address"`
	Message   Message    `json:"message"`
	Status    string     `json:"status"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

// Message is the API's notify.Message.
type Message struct {
	ID      string         `json:"id"`
	Kind    string         `json:"kind"`
	Subject string         `json:"subject"`
	Text    string         `json:"text"`
	Link    string         `json:"link,omitempty"`
	At      time.Time      `json:"at"`
	Data    map[string]any `json:"data,omitempty"`
}

// Account is the API's store.Account.
type Account struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Email       string        `json:"email"`
	Roles       []domain.Role `json:"roles"`
	ManagerID   *string       `json:"manager_id"`
	Active      bool          `json:"active"`
	OIDCSubject *string       `json:"oidc_subject"`
	// DingTalkUserID and WeComUserID: task notices go there as cards.
	DingTalkUserID *string   `json:"dingtalk_user_id"`
	WeComUserID    *string   `json:"wecom_user_id"`
	CreatedAt      time.Time `json:"created_at"`
}

// Reconciliation is the API's store.Reconciliation.
type Reconciliation struct {
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Checked    int       `json:"checked"`
	Drift      []Drift   `json:"drift"`
}

// VoidedNumber is a contract number given out whose workflow could not be
// started: void (作废), never given out again.
type VoidedNumber struct {
	Number   string    `json:"number"`
	OwnerID  string    `json:"owner_id"`
	Title    string    `json:"title"`
	Reason   string    `json:"reason"`
	VoidedAt time.Time `json:"voided_at"`
}

// Drift is the API's store.Drift.
type Drift struct {
	Number string `json:"number"`
	Reason string `json:"reason"`
}

// LedgerPage is the API's reports.LedgerPage.
type LedgerPage struct {
	Items      []LedgerRow `json:"items"`
	NextCursor string      `json:"next_cursor,omitempty"`
}

// LedgerRow is the API's reports.LedgerRow.
type LedgerRow struct {
	Number       string        `json:"number"`
	Title        string        `json:"title"`
	CustomerID   string        `json:"customer_id"`
	CustomerName string        `json:"customer_name"`
	OwnerID      string        `json:"owner_id"`
	OwnerName    string        `json:"owner_name"`
	Type         string        `json:"type"`
	TypeName     string        `json:"type_name"`
	Amount       int64         `json:"amount"`
	Currency     string        `json:"currency"`
	SignedAt     *time.Time    `json:"signed_at"`
	SignedOn     string        `json:"signed_on"`
	StartDate    string        `json:"start_date"`
	EndDate      string        `json:"end_date"`
	Status       domain.Status `json:"status"`
	Invoiced     int64         `json:"invoiced"`
	Received     int64         `json:"received"`
	Outstanding  int64         `json:"outstanding"`
	Overdue      bool          `json:"overdue"`
	// ExternalIDs are the keys other systems know the contract by.
	ExternalIDs []ExternalID `json:"external_ids"`
}

// Summary is the API's reports.Summary.
type Summary struct {
	GroupBy []string     `json:"group_by"`
	Rows    []SummaryRow `json:"rows"`
	Totals  []Figures    `json:"totals"`
}

// SummaryRow is the API's reports.SummaryRow.
type SummaryRow struct {
	Groups      []SummaryGroup `json:"groups"`
	Currency    string         `json:"currency"`
	Count       int64          `json:"count"`
	Amount      int64          `json:"amount"`
	Invoiced    int64          `json:"invoiced"`
	Received    int64          `json:"received"`
	Outstanding int64          `json:"outstanding"`
}

// SummaryGroup is the API's reports.Group.
type SummaryGroup struct {
	Dimension string `json:"dimension"`
	Key       string `json:"key"`
	Label     string `json:"label"`
}

// Figures is the API's reports.Figures.
type Figures struct {
	Currency    string `json:"currency"`
	Count       int64  `json:"count"`
	Amount      int64  `json:"amount"`
	Invoiced    int64  `json:"invoiced"`
	Received    int64  `json:"received"`
	Outstanding int64  `json:"outstanding"`
}

// Aging is the API's reports.Aging.
type Aging struct {
	AsOf   string     `json:"as_of"`
	Rows   []AgingRow `json:"rows"`
	Totals []Buckets  `json:"totals"`
}

// AgingRow is the API's reports.AgingRow.
type AgingRow struct {
	CustomerID   string `json:"customer_id"`
	CustomerName string `json:"customer_name"`
	Currency     string `json:"currency"`
	NotDue       int64  `json:"not_due"`
	Days0To30    int64  `json:"days_0_30"`
	Days31To60   int64  `json:"days_31_60"`
	Days61To90   int64  `json:"days_61_90"`
	DaysOver90   int64  `json:"days_over_90"`
	Overdue      int64  `json:"overdue"`
	Outstanding  int64  `json:"outstanding"`
}

// Buckets is the API's reports.Buckets.
type Buckets struct {
	Currency    string `json:"currency"`
	NotDue      int64  `json:"not_due"`
	Days0To30   int64  `json:"days_0_30"`
	Days31To60  int64  `json:"days_31_60"`
	Days61To90  int64  `json:"days_61_90"`
	DaysOver90  int64  `json:"days_over_90"`
	Overdue     int64  `json:"overdue"`
	Outstanding int64  `json:"outstanding"`
}

// Cycle is the API's reports.Cycle.
type Cycle struct {
	Rows []CycleRow `json:"rows"`
}

// CycleRow is the API's reports.CycleRow.
type CycleRow struct {
	PolicyID   string   `json:"policy_id"`
	Stage      int      `json:"stage"`
	StageName  string   `json:"stage_name"`
	Decided    int64    `json:"decided"`
	Open       int64    `json:"open"`
	Escalated  int64    `json:"escalated"`
	P50Seconds *float64 `json:"p50_seconds"`
	P90Seconds *float64 `json:"p90_seconds"`
}

// Renewals is the API's reports.Renewals.
type Renewals struct {
	Today  string         `json:"today"`
	Within int            `json:"within"`
	Counts map[string]int `json:"counts"`
	Rows   []RenewalRow   `json:"rows"`
}

// RenewalRow is the API's reports.RenewalRow.
type RenewalRow struct {
	Number        string `json:"number"`
	Title         string `json:"title"`
	CustomerID    string `json:"customer_id"`
	CustomerName  string `json:"customer_name"`
	OwnerID       string `json:"owner_id"`
	OwnerName     string `json:"owner_name"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	EndDate       string `json:"end_date"`
	DaysLeft      int    `json:"days_left"`
	Window        int    `json:"window"`
	RenewalStatus string `json:"renewal_status"`
	Successor     string `json:"successor,omitempty"`
}

func toUser(v domain.User) User {
	return User{
		ID:    v.ID,
		Name:  v.Name,
		Email: v.Email,
		Roles: v.Roles,
		Team:  v.Team,
	}
}

func toContractState(v workflows.ContractState) ContractState {
	return ContractState{
		Contract:     toContract(v.Contract),
		Status:       v.Status,
		Version:      v.Version,
		Round:        v.Round,
		Tasks:        convList(v.Tasks, toApprovalTask),
		Signatures:   convList(v.Signatures, toSignature),
		SigningRound: v.SigningRound,
		Termination:  convPtr(v.Termination, toTermination),
		Settlement:   convPtr(v.Settlement, toSettlement),
		Amendment:    convPtr(v.Amendment, toAmendment),
		LastDecision: convPtr(v.LastDecision, toApprovalTask),
		SignedAt:     v.SignedAt,
		NextTimers:   convList(v.NextTimers, toTimer),
		UpdatedAt:    v.UpdatedAt,
	}
}

func toContract(v domain.Contract) Contract {
	return Contract{
		Number:            v.Number,
		Title:             v.Title,
		CustomerID:        v.CustomerID,
		CustomerName:      v.CustomerName,
		OwnerID:           v.OwnerID,
		OwnerName:         v.OwnerName,
		Amount:            v.Amount,
		Currency:          v.Currency,
		StartDate:         v.StartDate,
		EndDate:           v.EndDate,
		ExpiresAt:         v.ExpiresAt,
		CreatedAt:         v.CreatedAt,
		TemplateID:        v.TemplateID,
		TemplateVersion:   v.TemplateVersion,
		DocumentSHA256:    v.DocumentSHA256,
		Plan:              convList(v.Plan, toMilestone),
		Obligations:       convList(v.Obligations, toObligation),
		Renewal:           toRenewal(v.Renewal),
		PredecessorNumber: v.PredecessorNumber,
		SuccessorNumber:   v.SuccessorNumber,
	}
}

func toMilestone(v domain.Milestone) Milestone {
	return Milestone{
		ID:            v.ID,
		Seq:           v.Seq,
		Title:         v.Title,
		Amount:        v.Amount,
		DueDate:       v.DueDate,
		DueAt:         v.DueAt,
		Invoiced:      v.Invoiced,
		Received:      v.Received,
		PaidAt:        v.PaidAt,
		Reminded:      v.Reminded,
		OverdueAlerts: v.OverdueAlerts,
	}
}

func toObligation(v domain.Obligation) Obligation {
	return Obligation{
		ID:            v.ID,
		Seq:           v.Seq,
		Title:         v.Title,
		OwnerID:       v.OwnerID,
		OwnerName:     v.OwnerName,
		DueDate:       v.DueDate,
		DueAt:         v.DueAt,
		Progress:      v.Progress,
		Note:          v.Note,
		EvidenceID:    v.EvidenceID,
		CompletedAt:   v.CompletedAt,
		Reminded:      v.Reminded,
		OverdueAlerts: v.OverdueAlerts,
	}
}

func toRenewal(v domain.Renewal) Renewal {
	return Renewal{
		AutoRenew:       v.AutoRenew,
		ThroughApproval: v.ThroughApproval,
		NoticeDays:      v.NoticeDays,
	}
}

func toApprovalTask(v domain.ApprovalTask) ApprovalTask {
	return ApprovalTask{
		ID:             v.ID,
		ContractNumber: v.ContractNumber,
		Round:          v.Round,
		Stage:          v.Stage,
		Role:           v.Role,
		Status:         v.Status,
		DecidedByID:    v.DecidedByID,
		DecidedByName:  v.DecidedByName,
		Opinion:        v.Opinion,
		OpenedAt:       v.OpenedAt,
		DecidedAt:      v.DecidedAt,
		Kind:           v.Kind,
		StageName:      v.StageName,
		AssigneeID:     v.AssigneeID,
		AssigneeName:   v.AssigneeName,
		DelegatedFrom:  v.DelegatedFrom,
		DueAt:          v.DueAt,
		RemindedAt:     v.RemindedAt,
		EscalatedAt:    v.EscalatedAt,
	}
}

func toSignature(v domain.Signature) Signature {
	return Signature{
		ID:             v.ID,
		ContractNumber: v.ContractNumber,
		Version:        v.Version,
		Party:          v.Party,
		Order:          v.Order,
		SignerName:     v.SignerName,
		SignerEmail:    v.SignerEmail,
		RecordedByID:   v.RecordedByID,
		IP:             v.IP,
		UserAgent:      v.UserAgent,
		SignedAt:       v.SignedAt,
	}
}

func toTermination(v workflows.Termination) Termination {
	return Termination{
		Reason:        v.Reason,
		EffectiveDate: v.EffectiveDate,
		EffectiveAt:   v.EffectiveAt,
		RequestedBy:   v.RequestedBy,
		Round:         v.Round,
		Status:        v.Status,
		Opinion:       v.Opinion,
	}
}

func toSettlement(v workflows.Settlement) Settlement {
	return Settlement{
		Outstanding:     v.Outstanding,
		Currency:        v.Currency,
		Milestones:      convList(v.Milestones, toMilestone),
		OpenObligations: convList(v.OpenObligations, toObligation),
	}
}

func toAmendment(v workflows.Amendment) Amendment {
	return Amendment{
		Version:        v.Version,
		Reason:         v.Reason,
		RequestedBy:    v.RequestedBy,
		Contract:       toContract(v.Contract),
		DocumentSHA256: v.DocumentSHA256,
		Round:          v.Round,
		Status:         v.Status,
	}
}

func toTimer(v workflows.Timer) Timer {
	return Timer{
		Name: v.Name,
		At:   v.At,
	}
}

func toContractPage(v contracts.Page[store.ContractRow]) ContractPage {
	return ContractPage{
		Items:      convList(v.Items, toContractRow),
		NextCursor: v.NextCursor,
	}
}

func toContractRow(v store.ContractRow) ContractRow {
	return ContractRow{
		Contract:  toContract(v.Contract),
		Status:    v.Status,
		Version:   v.Version,
		SignedAt:  v.SignedAt,
		UpdatedAt: v.UpdatedAt,
	}
}

func toContractView(v contracts.View) ContractView {
	return ContractView{
		Contract:    toContractRow(v.Contract),
		LineItems:   convList(v.LineItems, toLineItem),
		Tasks:       convList(v.Tasks, toApprovalTask),
		Signatures:  convList(v.Signatures, toSignature),
		ExternalIDs: toExternalIDs(v.ExternalIDs),
		Live:        convPtr(v.Live, toContractLive),
		Round:       convPtr(v.Round, toApprovalRound),
		Signing:     convPtr(v.Signing, toSigningState),
		LiveError:   v.LiveError,
	}
}

func toLineItem(v store.LineItem) LineItem {
	return LineItem{
		LineNo:        v.LineNo,
		ProductID:     v.ProductID,
		Description:   v.Description,
		Unit:          v.Unit,
		QuantityMilli: v.QuantityMilli,
		UnitPrice:     v.UnitPrice,
		DiscountBP:    v.DiscountBP,
		TaxRateBP:     v.TaxRateBP,
		Gross:         v.Gross,
		Discount:      v.Discount,
		Net:           v.Net,
		Tax:           v.Tax,
		Total:         v.Total,
	}
}

func toApprovalRound(v workflows.ApprovalState) ApprovalRound {
	return ApprovalRound{
		ContractNumber: v.ContractNumber,
		Round:          v.Round,
		Route:          toApprovalRoute(v.Route),
		StagesDone:     v.StagesDone,
		Outcome:        string(v.Outcome),
		Decisive:       convPtr(v.Decisive, toApprovalTask),
	}
}

func toApprovalRoute(v policy.Route) ApprovalRoute {
	return ApprovalRoute{
		PolicyID:      v.PolicyID,
		PolicyVersion: v.PolicyVersion,
		Risk:          toAssessment(v.Risk),
		Matches:       convList(v.Matches, toFindingMatch),
		Stages:        convList(v.Stages, toStage),
	}
}

func toAssessment(v policy.Assessment) Assessment {
	return Assessment{
		Findings: convList(v.Findings, toFinding),
		Level:    string(v.Level),
		Blocked:  v.Blocked,
	}
}

func toFinding(v policy.Finding) Finding {
	return Finding{
		RuleID:   v.RuleID,
		Kind:     string(v.Kind),
		Severity: string(v.Severity),
		Blocking: v.Blocking,
		Message:  v.Message,
	}
}

func toFindingMatch(v policy.Match) FindingMatch {
	return FindingMatch{
		Rule:    v.Rule,
		Matched: v.Matched,
		Saw:     v.Saw,
		Stages:  v.Stages,
	}
}

func toStage(v policy.Stage) Stage {
	return Stage{
		Name:             v.Name,
		Role:             v.Role,
		Users:            v.Users,
		Parallel:         v.Parallel,
		Quorum:           string(v.Quorum),
		SLAHours:         v.SLAHours,
		RemindAfterHours: v.RemindAfterHours,
		EscalateTo:       toEscalation(v.EscalateTo),
	}
}

func toEscalation(v policy.Escalation) Escalation {
	return Escalation{
		Role:    v.Role,
		Manager: v.Manager,
	}
}

func toSigningState(v workflows.SigningState) SigningState {
	return SigningState{
		ContractNumber:   v.ContractNumber,
		Title:            v.Title,
		Version:          v.Version,
		Round:            v.Round,
		DocumentSHA256:   v.DocumentSHA256,
		Signers:          convList(v.Signers, toSignerState),
		DeadlineAt:       v.DeadlineAt,
		RequireCode:      v.RequireCode,
		RequireReadToEnd: v.RequireReadToEnd,
		NextReminderAt:   v.NextReminderAt,
		Outcome:          string(v.Outcome),
		Reason:           v.Reason,
		DeclinedBy:       v.DeclinedBy,
	}
}

func toSignerState(v workflows.SignerState) SignerState {
	return SignerState{
		ID:        v.ID,
		Seq:       v.Seq,
		Group:     v.Group,
		Party:     v.Party,
		Role:      v.Role,
		Name:      v.Name,
		Email:     v.Email,
		Status:    v.Status,
		UserID:    v.UserID,
		Links:     v.Links,
		ValidFrom: v.ValidFrom,
		Reminded:  v.Reminded,
		Signature: convPtr(v.Signature, toSealedSignature),
	}
}

func toSealedSignature(v eseal.SealedSignature) SealedSignature {
	return SealedSignature{
		ContractNumber: v.ContractNumber,
		Version:        v.Version,
		Round:          v.Round,
		DocumentSHA256: v.DocumentSHA256,
		SignerID:       v.SignerID,
		SignerName:     v.SignerName,
		SignerEmail:    v.SignerEmail,
		Party:          v.Party,
		Role:           v.Role,
		IP:             v.IP,
		UserAgent:      v.UserAgent,
		SignedAt:       v.SignedAt,
		LinkID:         v.LinkID,
		UserID:         v.UserID,
		Seal:           toSeal(v.Seal),
	}
}

func toSeal(v eseal.Seal) Seal {
	return Seal{
		Algorithm: v.Algorithm,
		KeyID:     v.KeyID,
		Signature: v.Signature,
	}
}

func toContractAsOf(v contracts.AsOf) ContractAsOf {
	return ContractAsOf{
		AsOf:           v.AsOf,
		Status:         v.Status,
		Version:        v.Version,
		DocumentSHA256: v.DocumentSHA256,
		Terms:          toDocumentInput(v.Terms),
		Milestones:     convList(v.Milestones, toMilestoneAsOf),
	}
}

func toDocumentInput(v document.Input) DocumentInput {
	return DocumentInput{
		Number:    v.Number,
		Title:     v.Title,
		Currency:  v.Currency,
		StartDate: v.StartDate,
		EndDate:   v.EndDate,
		Company:   toDocumentParty(v.Company),
		Customer:  toDocumentParty(v.Customer),
		Owner:     v.Owner,
		Values:    v.Values,
		Fields:    v.Fields,
		Optional:  v.Optional,
		Extra:     convList(v.Extra, toExtraClause),
		Lines:     convList(v.Lines, toContractLineItem),
		Totals:    toLineAmounts(v.Totals),
	}
}

func toDocumentParty(v document.Party) DocumentParty {
	return DocumentParty{
		Name:       v.Name,
		CreditCode: v.CreditCode,
		Contact:    v.Contact,
	}
}

func toExtraClause(v document.ExtraClause) ExtraClause {
	return ExtraClause{
		Title: v.Title,
		Body:  v.Body,
	}
}

func toContractLineItem(v domain.LineItem) ContractLineItem {
	return ContractLineItem{
		ProductID:     v.ProductID,
		Description:   v.Description,
		Unit:          v.Unit,
		QuantityMilli: v.QuantityMilli,
		UnitPrice:     v.UnitPrice,
		DiscountBP:    v.DiscountBP,
		TaxRateBP:     v.TaxRateBP,
		Gross:         v.Gross,
		Discount:      v.Discount,
		Net:           v.Net,
		Tax:           v.Tax,
		Total:         v.Total,
	}
}

func toLineAmounts(v domain.LineAmounts) LineAmounts {
	return LineAmounts{
		Gross:    v.Gross,
		Discount: v.Discount,
		Net:      v.Net,
		Tax:      v.Tax,
		Total:    v.Total,
	}
}

func toMilestoneAsOf(v store.MilestoneAsOf) MilestoneAsOf {
	return MilestoneAsOf{
		Seq:      v.Seq,
		Title:    v.Title,
		Amount:   v.Amount,
		DueDate:  v.DueDate,
		Received: v.Received,
	}
}

func toEvent(v domain.Event) Event {
	return Event{
		ID:             v.ID,
		ContractNumber: v.ContractNumber,
		Seq:            v.Seq,
		Kind:           v.Kind,
		FromStatus:     v.FromStatus,
		ToStatus:       v.ToStatus,
		ActorID:        v.ActorID,
		ActorName:      v.ActorName,
		TaskID:         v.TaskID,
		Opinion:        v.Opinion,
		At:             v.At,
	}
}

func toVersionInfo(v store.VersionInfo) VersionInfo {
	return VersionInfo{
		Version:        v.Version,
		DocumentSHA256: v.DocumentSHA256,
		Current:        v.Current,
	}
}

func toVersionView(v contracts.VersionView) VersionView {
	return VersionView{
		Version:        v.Version,
		DocumentSHA256: v.DocumentSHA256,
		Text:           v.Text,
		Terms:          toDocumentInput(v.Terms),
		Clauses:        convList(v.Clauses, toRenderedClause),
	}
}

func toRenderedClause(v document.RenderedClause) RenderedClause {
	return RenderedClause{
		No:          v.No,
		ID:          v.ID,
		Title:       v.Title,
		Text:        v.Text,
		NonStandard: v.NonStandard,
	}
}

func toComparison(v document.Comparison) Comparison {
	return Comparison{
		Fields:  convList(v.Fields, toFieldChange),
		Clauses: convList(v.Clauses, toClauseChange),
	}
}

func toFieldChange(v document.FieldChange) FieldChange {
	return FieldChange{
		Field: v.Field,
		From:  v.From,
		To:    v.To,
	}
}

func toClauseChange(v document.ClauseChange) ClauseChange {
	return ClauseChange{
		Key:    v.Key,
		Title:  v.Title,
		Change: v.Change,
		From:   v.From,
		To:     v.To,
	}
}

func toAttachment(v store.Attachment) Attachment {
	return Attachment{
		ID:             v.ID,
		ContractNumber: v.ContractNumber,
		Filename:       v.Filename,
		ContentType:    v.ContentType,
		Size:           v.Size,
		SHA256:         v.SHA256,
		UploadedBy:     v.UploadedBy,
		Version:        v.Version,
		CreatedAt:      v.CreatedAt,
	}
}

func toInbox(v inbox.Inbox) Inbox {
	return Inbox{
		Items:  convList(v.Items, toInboxTask),
		Counts: v.Counts,
	}
}

func toInboxTask(v store.InboxTask) InboxTask {
	return InboxTask{
		ApprovalTask:   toApprovalTask(v.ApprovalTask),
		Title:          v.Title,
		CustomerName:   v.CustomerName,
		OwnerName:      v.OwnerName,
		Amount:         v.Amount,
		Currency:       v.Currency,
		DocumentSHA256: v.DocumentSHA256,
		Overdue:        v.Overdue,
	}
}

func toTaskDetail(v inbox.TaskDetail) TaskDetail {
	return TaskDetail{
		Task:     toInboxTask(v.Task),
		Contract: toContractRow(v.Contract),
		Findings: convList(v.Findings, toFinding),
		Risk:     string(v.Risk),
		Stages:   convList(v.Stages, toStage),
		Changes:  convPtr(v.Changes, toTaskChanges),
		History:  convList(v.History, toApprovalTask),
	}
}

func toTaskChanges(v inbox.Changes) TaskChanges {
	return TaskChanges{
		SinceRound:  v.SinceRound,
		SinceSHA256: v.SinceSHA256,
		Lines:       convList(v.Lines, toDiffLine),
		Fields:      convList(v.Fields, toFieldChange),
		Clauses:     convList(v.Clauses, toClauseChange),
	}
}

func toDiffLine(v policy.DiffLine) DiffLine {
	return DiffLine{
		Op:   v.Op,
		Text: v.Text,
	}
}

func toPolicy(v policy.Policy) Policy {
	return Policy{
		ID:      v.ID,
		Version: v.Version,
		Name:    v.Name,
		Rules:   convList(v.Rules, toPolicyRule),
	}
}

func toPolicyRule(v policy.Rule) PolicyRule {
	return PolicyRule{
		Name:   v.Name,
		When:   toCondition(v.When),
		Stages: convList(v.Stages, toStage),
	}
}

func toCondition(v policy.Condition) Condition {
	return Condition{
		AmountAtLeast:     v.AmountAtLeast,
		Currency:          v.Currency,
		Templates:         v.Templates,
		DiscountAboveBP:   v.DiscountAboveBP,
		PaymentTermsField: v.PaymentTermsField,
		PaymentTermsAbove: v.PaymentTermsAbove,
		RiskAtLeast:       string(v.RiskAtLeast),
		NonStandard:       v.NonStandard,
	}
}

func toRiskRules(v inbox.RiskRules) RiskRules {
	return RiskRules{
		Version: v.Version,
		Rules:   convList(v.Rules, toRiskRule),
	}
}

func toRiskRule(v policy.RiskRule) RiskRule {
	return RiskRule{
		ID:            v.ID,
		Kind:          string(v.Kind),
		Severity:      string(v.Severity),
		Block:         v.Block,
		Clause:        v.Clause,
		Field:         v.Field,
		MaxAmount:     v.MaxAmount,
		MaxDays:       v.MaxDays,
		MaxDiscountBP: v.MaxDiscountBP,
		Phrase:        v.Phrase,
	}
}

func toDelegation(v store.Delegation) Delegation {
	return Delegation{
		ID:         v.ID,
		UserID:     v.UserID,
		DelegateID: v.DelegateID,
		StartsOn:   v.StartsOn,
		EndsOn:     v.EndsOn,
		RevokedAt:  v.RevokedAt,
	}
}

func toRoundView(v inbox.RoundView) RoundView {
	return RoundView{
		Round:          v.Round,
		PolicyID:       v.PolicyID,
		PolicyVersion:  v.PolicyVersion,
		DocumentSHA256: v.DocumentSHA256,
		Route:          toApprovalRoute(v.Route),
		Outcome:        v.Outcome,
		StartedAt:      v.StartedAt,
		ClosedAt:       v.ClosedAt,
		Decisions:      convList(v.Decisions, toApprovalTask),
	}
}

func toCustomerDetail(v customers.Detail) CustomerDetail {
	return CustomerDetail{
		Customer:        toCustomer(v.Customer),
		Contacts:        convList(v.Contacts, toContact),
		RemovedContacts: convList(v.RemovedContacts, toContact),
		Totals:          convList(v.Totals, toCustomerTotal),
		Contracts:       convList(v.Contracts, toContractRow),
	}
}

func toContact(v store.Contact) Contact {
	return Contact{
		ID:          v.ID,
		CustomerID:  v.CustomerID,
		Name:        v.Name,
		Title:       v.Title,
		Phone:       v.Phone,
		Email:       v.Email,
		MaySign:     v.MaySign,
		ExternalIDs: toExternalIDs(v.ExternalIDs),
		RemovedAt:   v.RemovedAt,
	}
}

func toCustomerTotal(v store.CustomerTotal) CustomerTotal {
	return CustomerTotal{
		Currency:    v.Currency,
		Contracts:   v.Contracts,
		Amount:      v.Amount,
		Invoiced:    v.Invoiced,
		Received:    v.Received,
		Outstanding: v.Outstanding,
	}
}

func toCustomerPage(v customers.Page) CustomerPage {
	return CustomerPage{
		Items:      convList(v.Items, toCustomer),
		NextCursor: v.NextCursor,
	}
}

func toCustomer(v store.Customer) Customer {
	return Customer{
		ID:            v.ID,
		Name:          v.Name,
		CreditCode:    v.CreditCode,
		Industry:      v.Industry,
		Region:        v.Region,
		Tier:          v.Tier,
		OwnerID:       v.OwnerID,
		CreatedAt:     v.CreatedAt,
		UpdatedAt:     v.UpdatedAt,
		ExternalIDs:   toExternalIDs(v.ExternalIDs),
		Status:        v.Status,
		DeactivatedAt: v.DeactivatedAt,
		MergedInto:    v.MergedInto,
		MergedAt:      v.MergedAt,
	}
}

func toProductLine(v store.ProductLine) ProductLine {
	return ProductLine{
		ID:   v.ID,
		Name: v.Name,
	}
}

func toProduct(v store.Product) Product {
	return Product{
		ID:          v.ID,
		LineID:      v.LineID,
		Name:        v.Name,
		Unit:        v.Unit,
		ListPrice:   v.ListPrice,
		Currency:    v.Currency,
		TaxRateBP:   v.TaxRateBP,
		Active:      v.Active,
		CreatedAt:   v.CreatedAt,
		UpdatedAt:   v.UpdatedAt,
		ExternalIDs: toExternalIDs(v.ExternalIDs),
	}
}

func toTemplate(v document.Template) Template {
	return Template{
		ID:       v.ID,
		Version:  v.Version,
		Name:     v.Name,
		Language: v.Language,
		Clauses:  convList(v.Clauses, toTemplateClause),
		Fields:   convList(v.Fields, toTemplateField),
	}
}

// toRetiredTemplate is a template version with its retirement, if any.
func toRetiredTemplate(v document.Template, r *store.TemplateRetirement) Template {
	t := toTemplate(v)
	if r != nil {
		t.Retired = &TemplateRetirement{Reason: r.Reason, RetiredBy: r.RetiredBy, RetiredAt: r.RetiredAt}
	}
	return t
}

func toTemplateClause(v document.Clause) TemplateClause {
	return TemplateClause{
		ID:             v.ID,
		Title:          v.Title,
		Body:           v.Body,
		Optional:       v.Optional,
		Library:        v.Library,
		LibraryVersion: v.LibraryVersion,
	}
}

func toTemplateField(v document.Field) TemplateField {
	return TemplateField{
		Name:      v.Name,
		Label:     v.Label,
		Type:      string(v.Type),
		Required:  v.Required,
		Choices:   v.Choices,
		Min:       v.Min,
		Max:       v.Max,
		MaxLength: v.MaxLength,
		Source:    v.Source,
	}
}

func toTemplateSummary(v store.TemplateSummary) TemplateSummary {
	return TemplateSummary{
		ID:       v.ID,
		Version:  v.Version,
		Name:     v.Name,
		Language: v.Language,
	}
}

func toLibraryClause(v document.LibraryClause) LibraryClause {
	return LibraryClause{
		ID:       v.ID,
		Version:  v.Version,
		Title:    v.Title,
		Body:     v.Body,
		Language: v.Language,
	}
}

func toLinkResent(v esign.LinkResent) LinkResent {
	return LinkResent{
		SignerID:  v.SignerID,
		LinkID:    v.LinkID,
		ExpiresAt: v.ExpiresAt,
	}
}

func toSigningAuthority(v identity.SigningAuthority) SigningAuthority {
	return SigningAuthority{
		UserID:     v.UserID,
		Name:       v.Name,
		Authorised: v.Authorised,
		Limit:      convPtr(v.Limit, func(m domain.Money) SigningLimit { return SigningLimit{Amount: m.Amount, Currency: m.Currency} }),
		Source:     v.Source,
		UpdatedBy:  v.UpdatedBy,
		UpdatedAt:  v.UpdatedAt,
	}
}

func toCertificate(v eseal.Certificate) Certificate {
	return Certificate{
		ContractNumber: v.ContractNumber,
		Title:          v.Title,
		Version:        v.Version,
		DocumentSHA256: v.DocumentSHA256,
		CompletedAt:    v.CompletedAt,
		Signatures:     convList(v.Signatures, toSealedSignature),
		Events:         convList(v.Events, toSigningEvent),
		IssuedAt:       v.IssuedAt,
		Seal:           convPtr(v.Seal, toSeal),
	}
}

func toSigningEvent(v eseal.Event) SigningEvent {
	return SigningEvent{
		Kind:       v.Kind,
		SignerID:   v.SignerID,
		SignerName: v.SignerName,
		At:         v.At,
		IP:         v.IP,
		UserAgent:  v.UserAgent,
		Detail:     v.Detail,
	}
}

func toSigningKeys(v eseal.KeySet) PublicKeyInfo {
	retired := convList(v.Retired, toRetiredKey)
	if retired == nil {
		retired = []RetiredKey{}
	}
	return PublicKeyInfo{
		Algorithm: v.Current.Algorithm,
		KeyID:     v.Current.KeyID,
		PublicKey: v.Current.PublicKey,
		PEM:       v.Current.PEM,
		Retired:   retired,
	}
}

func toRetiredKey(v eseal.PublicKeyInfo) RetiredKey {
	var retiredAt time.Time
	if v.RetiredAt != nil {
		retiredAt = *v.RetiredAt
	}
	return RetiredKey{
		Algorithm: v.Algorithm,
		KeyID:     v.KeyID,
		PublicKey: v.PublicKey,
		PEM:       v.PEM,
		RetiredAt: retiredAt,
		Origin:    v.Origin,
	}
}

func toSignView(v esign.SignView) SignView {
	return SignView{
		ContractNumber: v.ContractNumber,
		Title:          v.Title,
		Version:        v.Version,
		CompanyName:    v.CompanyName,
		CustomerName:   v.CustomerName,
		DocumentSHA256: v.DocumentSHA256,
		DocumentText:   v.DocumentText,
		DocumentHTML:   v.DocumentHTML,
		Signer:         toSignerRow(v.Signer),
		Signers:        convList(v.Signers, toSignerRow),
		ExpiresAt:      v.ExpiresAt,
	}
}

func toSignerRow(v store.SignerRow) SignerRow {
	return SignerRow{
		ID:     v.ID,
		Seq:    v.Seq,
		Group:  v.Group,
		Party:  v.Party,
		Role:   v.Role,
		Name:   v.Name,
		Status: v.Status,
	}
}

func toSignResult(v esign.SignResult) SignResult {
	return SignResult{
		Signature:      convPtr(v.Signature, toSealedSignature),
		Outcome:        v.Outcome,
		ContractStatus: v.ContractStatus,
	}
}

func toCodeSent(v esign.CodeSent) CodeSent {
	return CodeSent{
		SentTo:    v.SentTo,
		ExpiresAt: v.ExpiresAt,
	}
}

func toVerifyResult(v esign.VerifyResult) VerifyResult {
	return VerifyResult{
		DocumentSHA256: v.DocumentSHA256,
		Matches:        v.Matches,
		SealsValid:     v.SealsValid,
		Versions:       convList(v.Versions, toVerifiedVersion),
		Certificate:    convPtr(v.Certificate, toCertificateVerdict),
		PDF:            convPtr(v.PDF, toPDFVerdict),
		KeyID:          v.KeyID,
	}
}

func toPDFVerdict(v esign.PDFVerdict) PDFVerdict {
	return PDFVerdict{
		SHA256:         v.SHA256,
		Signatures:     convList(v.Signatures, toPDFSignature),
		SignetFile:     v.SignetFile,
		ContractNumber: v.ContractNumber,
		Version:        v.Version,
		ChangedAfter:   v.ChangedAfter,
	}
}

func toPDFSignature(v esign.PDFSignature) PDFSignature {
	var ts *PDFTimestamp
	if t := v.Timestamp; t != nil {
		ts = &PDFTimestamp{At: t.At, Authority: t.Authority, Valid: t.Valid, Problem: t.Problem}
	}
	return PDFSignature{
		Timestamp:     ts,
		Name:          v.Name,
		Signer:        v.Signer,
		Organization:  v.Organization,
		Issuer:        v.Issuer,
		CertSHA256:    v.CertSHA256,
		Reason:        v.Reason,
		SignedAt:      v.SignedAt,
		Valid:         v.Valid,
		Problem:       v.Problem,
		CoversWhole:   v.CoversWhole,
		ChangedAfter:  v.ChangedAfter,
		AppendedBytes: v.AppendedBytes,
		BySignet:      v.BySignet,
	}
}

func toVerifiedVersion(v esign.VerifiedVersion) VerifiedVersion {
	return VerifiedVersion{
		ContractNumber: v.ContractNumber,
		Title:          v.Title,
		Version:        v.Version,
		FullySigned:    v.FullySigned,
		SignedAt:       v.SignedAt,
		Signatures:     convList(v.Signatures, toVerifiedSigner),
	}
}

func toVerifiedSigner(v esign.VerifiedSigner) VerifiedSigner {
	return VerifiedSigner{
		SignerName: v.SignerName,
		Party:      v.Party,
		Role:       v.Role,
		SignedAt:   v.SignedAt,
		SealValid:  v.SealValid,
	}
}

func toCertificateVerdict(v esign.CertificateVerdict) CertificateVerdict {
	return CertificateVerdict{
		Valid:   v.Valid,
		Problem: v.Problem,
	}
}

func toAuditEntry(v audit.Entry) AuditEntry {
	return AuditEntry{
		Seq:        v.Seq,
		At:         v.At,
		ActorID:    v.ActorID,
		Action:     v.Action,
		ObjectType: v.ObjectType,
		ObjectID:   v.ObjectID,
		RequestID:  v.RequestID,
		Before:     v.Before,
		After:      v.After,
	}
}

func toIssuedToken(v identity.IssuedToken) IssuedToken {
	return IssuedToken{
		ID:        v.ID,
		UserID:    v.UserID,
		Label:     v.Label,
		CreatedAt: v.CreatedAt,
		ExpiresAt: v.ExpiresAt,
		RevokedAt: v.RevokedAt,
		Token:     v.Token,
	}
}

func toTokenInfo(v store.TokenInfo) TokenInfo {
	return TokenInfo{
		ID:        v.ID,
		UserID:    v.UserID,
		Label:     v.Label,
		CreatedAt: v.CreatedAt,
		ExpiresAt: v.ExpiresAt,
		RevokedAt: v.RevokedAt,
	}
}

func toNotificationSettings(v identity.Settings) NotificationSettings {
	return NotificationSettings{
		Default: v.Default,
		Targets: convList(v.Targets, toPreference),
	}
}

func toPreference(v store.Preference) Preference {
	return Preference{
		Channel: v.Channel,
		Address: v.Address,
		Secret:  v.Secret,
		Kinds:   v.Kinds,
	}
}

func toNotice(v store.UserNotice) Notice {
	return Notice{ID: v.ID, Kind: v.Kind, Subject: v.Subject, Text: v.Body, Link: v.Link, CreatedAt: v.CreatedAt, ReadAt: v.ReadAt}
}

func toNoticePage(v identity.Notices) NoticePage {
	items := make([]Notice, len(v.Items))
	for i, n := range v.Items {
		items[i] = toNotice(n)
	}
	return NoticePage{Items: items, Unread: v.Unread, NextBefore: v.Next}
}

func toOutboxEntry(v store.OutboxEntry) OutboxEntry {
	return OutboxEntry{
		ID:        v.ID,
		Key:       v.Key,
		UserID:    v.UserID,
		Kind:      v.Kind,
		Channel:   v.Channel,
		Address:   v.Address,
		Message:   toMessage(v.Message.Redacted()),
		Status:    v.Status,
		Attempts:  v.Attempts,
		LastError: v.LastError,
		CreatedAt: v.CreatedAt,
		SentAt:    v.SentAt,
	}
}

func toMessage(v notify.Message) Message {
	return Message{
		ID:      v.ID,
		Kind:    v.Kind,
		Subject: v.Subject,
		Text:    v.Text,
		Link:    v.Link,
		At:      v.At,
		Data:    v.Data,
	}
}

func toAccount(v store.Account) Account {
	return Account{
		ID:             v.ID,
		Name:           v.Name,
		Email:          v.Email,
		Roles:          v.Roles,
		ManagerID:      v.ManagerID,
		Active:         v.Active,
		OIDCSubject:    v.OIDCSubject,
		DingTalkUserID: v.DingTalkUserID,
		WeComUserID:    v.WeComUserID,
		CreatedAt:      v.CreatedAt,
	}
}

func toReconciliation(v store.Reconciliation) Reconciliation {
	return Reconciliation{
		StartedAt:  v.StartedAt,
		FinishedAt: v.FinishedAt,
		Checked:    v.Checked,
		Drift:      convList(v.Drift, toDrift),
	}
}

func toVoidedNumber(v store.VoidedNumber) VoidedNumber {
	return VoidedNumber{Number: v.Number, OwnerID: v.OwnerID, Title: v.Title, Reason: v.Reason, VoidedAt: v.VoidedAt}
}

func toDrift(v store.Drift) Drift {
	return Drift{
		Number: v.Number,
		Reason: v.Reason,
	}
}

func toLedgerPage(v reports.LedgerPage) LedgerPage {
	return LedgerPage{
		Items:      convList(v.Items, toLedgerRow),
		NextCursor: v.NextCursor,
	}
}

func toLedgerRow(v reports.LedgerRow) LedgerRow {
	return LedgerRow{
		Number:       v.Number,
		Title:        v.Title,
		CustomerID:   v.CustomerID,
		CustomerName: v.CustomerName,
		OwnerID:      v.OwnerID,
		OwnerName:    v.OwnerName,
		Type:         v.Type,
		TypeName:     v.TypeName,
		Amount:       v.Amount,
		Currency:     v.Currency,
		SignedAt:     v.SignedAt,
		SignedOn:     v.SignedOn,
		StartDate:    v.StartDate,
		EndDate:      v.EndDate,
		Status:       v.Status,
		Invoiced:     v.Invoiced,
		Received:     v.Received,
		Outstanding:  v.Outstanding,
		Overdue:      v.Overdue,
		ExternalIDs:  toExternalIDs(v.ExternalIDs),
	}
}

func toSummary(v reports.Summary) Summary {
	return Summary{
		GroupBy: v.GroupBy,
		Rows:    convList(v.Rows, toSummaryRow),
		Totals:  convList(v.Totals, toFigures),
	}
}

func toSummaryRow(v reports.SummaryRow) SummaryRow {
	return SummaryRow{
		Groups:      convList(v.Groups, toSummaryGroup),
		Currency:    v.Currency,
		Count:       v.Count,
		Amount:      v.Amount,
		Invoiced:    v.Invoiced,
		Received:    v.Received,
		Outstanding: v.Outstanding,
	}
}

func toSummaryGroup(v reports.Group) SummaryGroup {
	return SummaryGroup{
		Dimension: v.Dimension,
		Key:       v.Key,
		Label:     v.Label,
	}
}

func toFigures(v reports.Figures) Figures {
	return Figures{
		Currency:    v.Currency,
		Count:       v.Count,
		Amount:      v.Amount,
		Invoiced:    v.Invoiced,
		Received:    v.Received,
		Outstanding: v.Outstanding,
	}
}

func toAging(v reports.Aging) Aging {
	return Aging{
		AsOf:   v.AsOf,
		Rows:   convList(v.Rows, toAgingRow),
		Totals: convList(v.Totals, toBuckets),
	}
}

func toAgingRow(v reports.AgingRow) AgingRow {
	return AgingRow{
		CustomerID:   v.CustomerID,
		CustomerName: v.CustomerName,
		Currency:     v.Currency,
		NotDue:       v.NotDue,
		Days0To30:    v.Days0To30,
		Days31To60:   v.Days31To60,
		Days61To90:   v.Days61To90,
		DaysOver90:   v.DaysOver90,
		Overdue:      v.Overdue,
		Outstanding:  v.Outstanding,
	}
}

func toBuckets(v reports.Buckets) Buckets {
	return Buckets{
		Currency:    v.Currency,
		NotDue:      v.NotDue,
		Days0To30:   v.Days0To30,
		Days31To60:  v.Days31To60,
		Days61To90:  v.Days61To90,
		DaysOver90:  v.DaysOver90,
		Overdue:     v.Overdue,
		Outstanding: v.Outstanding,
	}
}

func toCycle(v reports.Cycle) Cycle {
	return Cycle{
		Rows: convList(v.Rows, toCycleRow),
	}
}

func toCycleRow(v reports.CycleRow) CycleRow {
	return CycleRow{
		PolicyID:   v.PolicyID,
		Stage:      v.Stage,
		StageName:  v.StageName,
		Decided:    v.Decided,
		Open:       v.Open,
		Escalated:  v.Escalated,
		P50Seconds: v.P50Seconds,
		P90Seconds: v.P90Seconds,
	}
}

func toRenewals(v reports.Renewals) Renewals {
	return Renewals{
		Today:  v.Today,
		Within: v.Within,
		Counts: v.Counts,
		Rows:   convList(v.Rows, toRenewalRow),
	}
}

func toRenewalRow(v reports.RenewalRow) RenewalRow {
	return RenewalRow{
		Number:        v.Number,
		Title:         v.Title,
		CustomerID:    v.CustomerID,
		CustomerName:  v.CustomerName,
		OwnerID:       v.OwnerID,
		OwnerName:     v.OwnerName,
		Amount:        v.Amount,
		Currency:      v.Currency,
		EndDate:       v.EndDate,
		DaysLeft:      v.DaysLeft,
		Window:        v.Window,
		RenewalStatus: v.RenewalStatus,
		Successor:     v.Successor,
	}
}

// ContractLive is the contract workflow's live state inside a contract
// view: ContractState without the tasks and signatures the view lists.
type ContractLive struct {
	Contract     Contract      `json:"contract"`
	Status       domain.Status `json:"status"`
	Version      int           `json:"version"`
	Round        int           `json:"round"`
	SigningRound int           `json:"signing_round,omitempty"`
	Termination  *Termination  `json:"termination,omitempty"`
	Settlement   *Settlement   `json:"settlement,omitempty"`
	Amendment    *Amendment    `json:"amendment,omitempty"`
	LastDecision *ApprovalTask `json:"last_decision,omitempty"`
	SignedAt     *time.Time    `json:"signed_at,omitempty"`
	NextTimers   []Timer       `json:"next_timers"`
	UpdatedAt    time.Time     `json:"updated_at"`
}

func toContractLive(v workflows.ContractState) ContractLive {
	return ContractLive{
		Contract:     toContract(v.Contract),
		Status:       v.Status,
		Version:      v.Version,
		Round:        v.Round,
		SigningRound: v.SigningRound,
		Termination:  convPtr(v.Termination, toTermination),
		Settlement:   convPtr(v.Settlement, toSettlement),
		Amendment:    convPtr(v.Amendment, toAmendment),
		LastDecision: convPtr(v.LastDecision, toApprovalTask),
		SignedAt:     v.SignedAt,
		NextTimers:   convList(v.NextTimers, toTimer),
		UpdatedAt:    v.UpdatedAt,
	}
}

// VerifyResultOf is POST /v1/verify's report of v, for the console's
// verification page.
func VerifyResultOf(v esign.VerifyResult) VerifyResult { return toVerifyResult(v) }

// toExternalIDs converts external IDs; none is an empty list, never null.
func toExternalIDs(v []domain.ExternalID) []ExternalID {
	out := make([]ExternalID, len(v))
	for i, x := range v {
		out[i] = ExternalID{Source: x.Source, ID: x.ID}
	}
	return out
}
