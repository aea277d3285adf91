package contracts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/workflows"
)

// AmendInput is a change (合同变更) to an active contract: why, and the
// whole content of the next version, as a draft is written.
type AmendInput struct {
	Reason  string      `json:"reason" validate:"required,max=2000"`
	Content CreateInput `json:"content"`
}

// Amend drafts the next version of an active contract (re-priced and
// re-rendered, legal's non-standard clauses kept) and hands it to the
// workflow, which sends it through approval; once approved it is sent for
// signature like a new contract and replaces the current version when
// signed.
func (s *Service) Amend(ctx context.Context, u domain.User, number, requestID string, in AmendInput) (workflows.ContractState, error) {
	row, err := s.managed(ctx, u, number)
	if err != nil {
		return workflows.ContractState{}, err
	}
	p, err := s.plan(ctx, u, &in.Content, row.CustomerID)
	if err != nil {
		return workflows.ContractState{}, prefixFields(err, "content.")
	}
	prev, err := s.previousDocument(ctx, number)
	if err != nil {
		return workflows.ContractState{}, err
	}
	owner := domain.User{ID: row.OwnerID, Name: row.OwnerName}
	d, err := s.draft(owner, number, row.Version+1, in.Content, p, prev.Input.Extra, row.CreatedAt)
	if err != nil {
		return workflows.ContractState{}, err
	}
	doc, err := rendered(d.Document)
	if err != nil {
		return workflows.ContractState{}, err
	}
	return s.update(ctx, u, number, requestID, workflows.UpdateAmend, workflows.AmendRequest{
		Actor: u.Actor(), Reason: in.Reason, Contract: d.Contract, Lines: d.Lines, Document: doc})
}

// prefixFields names a nested request's fields from the outer body.
func prefixFields(err error, prefix string) error {
	var verr *domain.ValidationError
	if !errors.As(err, &verr) {
		return err
	}
	out := &domain.ValidationError{NotFound: verr.NotFound}
	for _, f := range verr.Fields {
		out.Add(prefix+f.Field, f.Message)
	}
	return out
}

// VersionsStore reads a contract's versions.
type VersionsStore interface {
	Versions(ctx context.Context, number string) ([]store.VersionInfo, error)
	DocumentVersion(ctx context.Context, number string, version int) (store.StoredDocument, error)
}

// Versions lists a contract's versions (an open amendment's among them).
func (s *Service) Versions(ctx context.Context, u domain.User, number string) ([]store.VersionInfo, error) {
	if _, err := s.visible(ctx, u, number); err != nil {
		return nil, err
	}
	list, err := s.versions.Versions(ctx, number)
	if err != nil {
		return nil, err
	}
	return list, nil
}

// VersionView is one version as it was written.
type VersionView struct {
	Version        int                       `json:"version"`
	DocumentSHA256 string                    `json:"document_sha256"`
	Text           string                    `json:"text"`
	Terms          document.Input            `json:"terms"`
	Clauses        []document.RenderedClause `json:"clauses"`
}

func (s *Service) version(ctx context.Context, number string, v int) (document.Document, store.StoredDocument, error) {
	stored, err := s.versions.DocumentVersion(ctx, number, v)
	if errors.Is(err, domain.ErrNotFound) {
		return document.Document{}, stored, &domain.Refusal{Kind: domain.RefusedNotFound, Message: fmt.Sprintf("%s has no version %d", number, v)}
	} else if err != nil {
		return document.Document{}, stored, err
	}
	var doc document.Document
	if err := json.Unmarshal(stored.Content, &doc); err != nil {
		return document.Document{}, stored, fmt.Errorf("decode document of %s v%d: %w", number, v, err)
	}
	return doc, stored, nil
}

// Version returns one version of a contract: its terms, clauses and text.
func (s *Service) Version(ctx context.Context, u domain.User, number string, v int) (VersionView, error) {
	if _, err := s.visible(ctx, u, number); err != nil {
		return VersionView{}, err
	}
	doc, stored, err := s.version(ctx, number, v)
	if err != nil {
		return VersionView{}, err
	}
	return VersionView{Version: v, DocumentSHA256: stored.SHA256, Text: stored.Text, Terms: doc.Input, Clauses: doc.Clauses}, nil
}

// DiffInput names the two versions to compare.
type DiffInput struct {
	From int `form:"from" validate:"required,min=1,max=2147483647"`
	To   int `form:"to" validate:"required,min=1,max=2147483647"`
}

// Diff compares two versions field by field and clause by clause.
func (s *Service) Diff(ctx context.Context, u domain.User, number string, in DiffInput) (document.Comparison, error) {
	if _, err := s.visible(ctx, u, number); err != nil {
		return document.Comparison{}, err
	}
	a, _, err := s.version(ctx, number, in.From)
	if err != nil {
		return document.Comparison{}, err
	}
	b, _, err := s.version(ctx, number, in.To)
	if err != nil {
		return document.Comparison{}, err
	}
	return document.Compare(a, b), nil
}

// AsOfStore reads a contract's past from its events and payments.
type AsOfStore interface {
	StateAsOf(ctx context.Context, number string, until time.Time) (domain.Status, int, bool, error)
	MilestonesAsOf(ctx context.Context, number string, version int, date string) ([]store.MilestoneAsOf, error)
}

// AsOf is what was in force on a day: status, version, terms and the
// payment plan with what had been received by then.
type AsOf struct {
	AsOf           string                `json:"as_of"`
	Status         domain.Status         `json:"status"`
	Version        int                   `json:"version"`
	DocumentSHA256 string                `json:"document_sha256"`
	Terms          document.Input        `json:"terms"`
	Milestones     []store.MilestoneAsOf `json:"milestones"`
}

// ContractAsOf answers which version, terms, milestones and status of a
// contract were in force at the end of day date (in the configured zone).
func (s *Service) ContractAsOf(ctx context.Context, u domain.User, number, date string) (AsOf, error) {
	if _, err := s.visible(ctx, u, number); err != nil {
		return AsOf{}, err
	}
	until, err := domain.ExpiryInstant(date, s.loc)
	if err != nil {
		return AsOf{}, domain.InvalidField("as_of", "must be a date YYYY-MM-DD")
	}
	status, version, existed, err := s.asOf.StateAsOf(ctx, number, until)
	if err != nil {
		return AsOf{}, err
	}
	if !existed {
		return AsOf{}, &domain.Refusal{Kind: domain.RefusedNotFound, Message: fmt.Sprintf("%s did not exist yet on %s", number, date)}
	}
	doc, stored, err := s.version(ctx, number, version)
	if err != nil {
		return AsOf{}, err
	}
	ms, err := s.asOf.MilestonesAsOf(ctx, number, version, date)
	if err != nil {
		return AsOf{}, err
	}
	if ms == nil {
		ms = []store.MilestoneAsOf{}
	}
	return AsOf{AsOf: date, Status: status, Version: version, DocumentSHA256: stored.SHA256, Terms: doc.Input, Milestones: ms}, nil
}

// GetInput reads one contract, now or as of a past (or future) day.
type GetInput struct {
	AsOf string `form:"as_of" validate:"omitempty,date"`
}
