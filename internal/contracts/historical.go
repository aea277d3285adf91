package contracts

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/workflows"
)

// HistoricalInput is a contract signed before Signet, as a bulk import
// brings it: its terms, what was invoiced and received on each milestone,
// and which obligations are done.
type HistoricalInput struct {
	Source      string                 `json:"source"`
	ExternalID  string                 `json:"external_id"`
	Title       string                 `json:"title"`
	CustomerID  string                 `json:"customer_id"`
	Customer    string                 `json:"customer"`
	CreditCode  string                 `json:"credit_code,omitempty"`
	OwnerID     string                 `json:"owner_id"`
	OwnerName   string                 `json:"owner_name"`
	Amount      int64                  `json:"amount"`
	Currency    string                 `json:"currency"`
	SignedDate  string                 `json:"signed_date"`
	StartDate   string                 `json:"start_date"`
	EndDate     string                 `json:"end_date"`
	Plan        []HistoricalMilestone  `json:"plan"`
	Obligations []HistoricalObligation `json:"obligations"`
	Renewal     domain.Renewal         `json:"renewal"`
	ImportedBy  audit.Actor            `json:"imported_by"`
}

// HistoricalMilestone is one payment milestone with what it has seen.
type HistoricalMilestone struct {
	Title    string `json:"title"`
	Amount   int64  `json:"amount"`
	DueDate  string `json:"due_date"`
	Invoiced int64  `json:"invoiced"`
	Received int64  `json:"received"`
}

// HistoricalObligation is one obligation, done or not.
type HistoricalObligation struct {
	Title   string `json:"title"`
	DueDate string `json:"due_date"`
	Done    bool   `json:"done"`
}

// migratedTemplate renders an imported contract's record: the paper (or
// the other system's file) is the contract; this states its terms as
// imported, so the hash the ledger carries covers them.
func migratedTemplate(lang string) document.Template {
	if lang == "en" {
		return document.Template{ID: "migrated", Version: 1, Name: "Migrated contract", Language: "en", Clauses: []document.Clause{{
			ID: "migrated", Title: "Contract migrated into Signet",
			Body: "This contract was signed on {{migrated.signed_date}}, before Signet, between {{company.name}} and {{customer.name}}, and was imported from {{migrated.source}} (original number {{migrated.external_id}}). The signed original governs; this record states its terms as imported: a total of {{contract.total}} for the term from {{contract.start_date}} to {{contract.end_date}}.",
		}}}
	}
	return document.Template{ID: "migrated", Version: 1, Name: "历史合同", Language: "zh", Clauses: []document.Clause{{
		ID: "migrated", Title: "历史合同迁移说明",
		Body: "本合同由{{company.name}}与{{customer.name}}于{{migrated.signed_date}}签订（早于 Signet 上线），自{{migrated.source}}导入，原合同编号 {{migrated.external_id}}。以已签署的原件为准；本记录载明导入时的条款：合同总额{{contract.total}}，期限自{{contract.start_date}}至{{contract.end_date}}。",
	}}}
}

// HistoricalDraft builds the record of an imported contract numbered
// number, and the start of its workflow, which goes straight to where its
// life stands (workflows.MigratedStart): active in its term, or expired
// past it (completed once nothing is left owing). A renewal is not drafted
// for a term that ended before the import.
func (s *Service) HistoricalDraft(number string, in HistoricalInput) (store.Draft, json.RawMessage, error) {
	expires, err := domain.ExpiryInstant(in.EndDate, s.loc)
	if err != nil {
		return store.Draft{}, nil, fmt.Errorf("end date %q: %w", in.EndDate, err)
	}
	signedDay, err := domain.ParseDate(in.SignedDate)
	if err != nil {
		return store.Draft{}, nil, fmt.Errorf("signed date %q: %w", in.SignedDate, err)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	// Signed that day where the company is: its midnight there.
	signedAt := time.Date(signedDay.Year(), signedDay.Month(), signedDay.Day(), 0, 0, 0, 0, s.loc).UTC()
	c := domain.Contract{
		Number: number, Title: in.Title, CustomerID: in.CustomerID, CustomerName: in.Customer,
		OwnerID: in.OwnerID, OwnerName: in.OwnerName, Amount: in.Amount, Currency: in.Currency,
		StartDate: in.StartDate, EndDate: in.EndDate, ExpiresAt: expires, CreatedAt: now,
		TemplateID: "migrated", TemplateVersion: 1,
	}
	t := termsPlan{renewal: in.Renewal}
	for _, m := range in.Plan {
		t.plan = append(t.plan, MilestoneInput{Title: m.Title, Amount: m.Amount, DueDate: m.DueDate})
	}
	for i, o := range in.Obligations {
		t.obligations = append(t.obligations, domain.Obligation{Seq: i + 1, Title: o.Title, OwnerID: in.OwnerID, OwnerName: in.OwnerName, DueDate: o.DueDate})
	}
	if err := applyTerms(&c, 1, t, s.loc); err != nil {
		return store.Draft{}, nil, err
	}
	for i, m := range in.Plan {
		c.Plan[i].Invoiced, c.Plan[i].Received = m.Invoiced, m.Received
		if m.Received >= m.Amount {
			// Paid before the import: on the day the contract was signed is
			// as much as the file says.
			paid := signedAt
			c.Plan[i].PaidAt = &paid
		}
	}
	for i, o := range in.Obligations {
		if o.Done {
			done := signedAt
			c.Obligations[i].Progress, c.Obligations[i].CompletedAt = 100, &done
		}
	}
	di := document.Input{
		Number: number, Title: in.Title, Currency: in.Currency, StartDate: in.StartDate, EndDate: in.EndDate,
		Company:  document.Party{Name: s.company},
		Customer: document.Party{Name: in.Customer, CreditCode: in.CreditCode},
		Owner:    in.OwnerName, Totals: domain.LineAmounts{Total: in.Amount},
		Values: map[string]string{
			"migrated.signed_date": document.FormatDate(in.SignedDate, "zh"),
			"migrated.source":      in.Source,
			"migrated.external_id": in.ExternalID,
		},
	}
	withSchedules(&di, c)
	doc, err := document.Render(migratedTemplate("zh"), di)
	if err != nil {
		return store.Draft{}, nil, err
	}
	c.DocumentSHA256 = doc.SHA256
	status := domain.StatusActive
	if !now.Before(expires) {
		status = domain.StatusExpired
	}
	start, err := json.Marshal(workflows.ContractInput{Contract: c, CreatedBy: in.ImportedBy, Migrated: &workflows.MigratedStart{
		Status: status, SignedAt: signedAt, Source: in.Source, ExternalID: in.ExternalID, ImportedBy: in.ImportedBy,
	}})
	if err != nil {
		return store.Draft{}, nil, fmt.Errorf("encode start of %s: %w", number, err)
	}
	return store.Draft{Contract: c, CreatedBy: in.OwnerID, Document: doc}, start, nil
}

// StartHistorical starts an imported contract's workflow from the start
// HistoricalDraft built, once its record is committed; a start that fails
// leaves the number void, as any other.
func (s *Service) StartHistorical(ctx context.Context, number string, start json.RawMessage) error {
	return s.startReserved(ctx, store.Reservation{Number: number, Pending: true, Start: start})
}
