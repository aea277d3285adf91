package domain

import "time"

// SigningRound is a signing round's row.
type SigningRound struct {
	ContractNumber string    `json:"contract_number"`
	Title          string    `json:"title"`
	Round          int       `json:"round"`
	Version        int       `json:"version"`
	DocumentSHA256 string    `json:"document_sha256"`
	Status         string    `json:"status"`
	DeadlineAt     time.Time `json:"deadline_at"`
	Reason         string    `json:"reason"`
	// At is when the step happened; ClosedAt is set on the last step.
	At       time.Time  `json:"at"`
	ClosedAt *time.Time `json:"closed_at,omitempty"`
}

// SigningLink is a one-time link to issue. Without a TokenHash the
// activity recording it makes the token (signing.IssueTokens) and mails
// the link to the signer; with one, the caller already holds the token.
// A link for a signer with an account (UserID) is never made: that signer
// signs signed in, and is only told by mail that it is their turn.
type SigningLink struct {
	ID        string    `json:"id"`
	SignerID  string    `json:"signer_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	TokenHash []byte    `json:"token_hash,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
	UserID    string    `json:"user_id,omitempty"`
}

// SigningEvent is one step of a round as the certificate lists it.
type SigningEvent struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	SignerID   string    `json:"signer_id,omitempty"`
	SignerName string    `json:"signer_name,omitempty"`
	IP         string    `json:"ip,omitempty"`
	UserAgent  string    `json:"user_agent,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	At         time.Time `json:"at"`
}

// SigningStep is everything one step of a signing round changes: the
// round's row, its signers, new links, voided links and events.
type SigningStep struct {
	Round   SigningRound  `json:"round"`
	Signers []Signer      `json:"signers,omitempty"`
	Links   []SigningLink `json:"links,omitempty"`
	// VoidSigners void every active link of these signers.
	VoidSigners []string `json:"void_signers,omitempty"`
	// CloseLinks ends every active link of the round (it is over).
	CloseLinks bool `json:"close_links,omitempty"`
	// VoidRound voids the round: its active links revoked, the signatures
	// made in it no longer standing (kept, marked voided).
	VoidRound bool           `json:"void_round,omitempty"`
	Events    []SigningEvent `json:"events,omitempty"`
}
