package contracts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/pdfdoc"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/workflows"
)

// LineInput is one line item a drafter adds from the catalogue. UnitPrice,
// when given, replaces the product's list price (a negotiated price).
type LineInput struct {
	ProductID  string      `json:"product_id" validate:"required,uuid"`
	Quantity   json.Number `json:"quantity" validate:"required"`
	UnitPrice  *int64      `json:"unit_price" validate:"omitempty,gte=0,amount"`
	DiscountBP int         `json:"discount_bp" validate:"gte=0,lte=10000"`
}

// ClauseEdit is how a client might try to reword a template clause; every
// such edit is refused, because clause text comes only from the template.
type ClauseEdit struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

// CreateInput is what a drafter sends to create a contract. The amount is
// not among it: the server computes it from the line items.
type CreateInput struct {
	Title              string                     `json:"title" validate:"required,max=200,singleline"`
	CustomerID         string                     `json:"customer_id" validate:"required,uuid"`
	ContactID          string                     `json:"contact_id" validate:"omitempty,uuid"`
	TemplateID         string                     `json:"template_id" validate:"required,max=64"`
	TemplateVersion    int                        `json:"template_version" validate:"gte=0,max=2147483647"`
	Currency           string                     `json:"currency" validate:"omitempty,currency"`
	StartDate          string                     `json:"start_date" validate:"required,date"`
	EndDate            string                     `json:"end_date" validate:"required,date"`
	Fields             map[string]json.RawMessage `json:"fields"`
	OptionalClauses    []string                   `json:"optional_clauses" validate:"max=100,dive,max=64"`
	Clauses            []ClauseEdit               `json:"clauses"`
	NonStandardClauses []document.ExtraClause     `json:"non_standard_clauses" validate:"max=50,dive"`
	LineItems          []LineInput                `json:"line_items" validate:"required,min=1,max=500,dive"`
	// PaymentPlan (回款计划) must add up to the contract total; without one
	// no receivables are tracked.
	PaymentPlan []MilestoneInput  `json:"payment_plan" validate:"dive"`
	Obligations []ObligationInput `json:"obligations" validate:"dive"`
	Renewal     *RenewalInput     `json:"renewal"`
}

// draftPlan is a validated request with everything it refers to loaded.
type draftPlan struct {
	customer store.Customer
	contact  string
	template document.Template
	values   map[string]string
	lines    []document.Line
	totals   domain.LineAmounts
	terms    termsPlan
}

// plan checks a create request against the customer book, the catalogue and
// the template. References that do not exist are a NotFound validation
// error (404); everything else wrong is a 400 naming the field. own is the
// customer the contract already has ("" for a new one): a deactivated
// customer is refused unless it is the contract's own.
func (s *Service) plan(ctx context.Context, u domain.User, in *CreateInput, own string) (draftPlan, error) {
	var p draftPlan
	missing := &domain.ValidationError{NotFound: true}
	verr := &domain.ValidationError{}
	if in.Currency == "" {
		in.Currency = domain.DefaultCurrency
	}
	if in.EndDate < in.StartDate { // both YYYY-MM-DD, so text order is date order
		verr.Add("end_date", "must not be before start_date")
	}
	if len(in.NonStandardClauses) > 0 && !u.Actor().Has(domain.RoleLegal) {
		return p, &domain.Refusal{Kind: domain.RefusedForbidden,
			Message: "drafters may add only the clauses the template allows; only legal may add non-standard clauses"}
	}
	for i, c := range in.Clauses {
		verr.Add(fmt.Sprintf("clauses[%d]", i), fmt.Sprintf("clause %q cannot be reworded: clause text comes only from the template; add a non_standard_clauses entry instead", c.ID))
	}

	var err error
	p.customer, err = s.store.Customer(ctx, in.CustomerID)
	if err == nil && p.customer.MergedInto != nil {
		// A merged customer's contracts are its survivor's: so is a new one.
		in.CustomerID = *p.customer.MergedInto
		p.customer, err = s.store.Customer(ctx, in.CustomerID)
	}
	switch {
	case errors.Is(err, domain.ErrNotFound) || (err == nil && !u.Sees(p.customer.OwnerID)):
		missing.Add("customer_id", "no such customer")
	case err != nil:
		return p, err
	case p.customer.DeactivatedAt != nil && p.customer.ID != own:
		verr.Add("customer_id", "the customer is deactivated; reactivate it to draft new contracts for it")
	}
	if in.ContactID != "" && err == nil {
		contacts, err := s.store.Contacts(ctx, in.CustomerID)
		if err != nil {
			return p, err
		}
		removed := false
		for _, c := range contacts {
			if c.ID == in.ContactID {
				p.contact, removed = c.Name, c.RemovedAt != nil
			}
		}
		switch {
		case p.contact == "":
			missing.Add("contact_id", "no such contact of this customer")
		case removed:
			verr.Add("contact_id", "the contact was removed from the customer; choose a current contact")
		}
	}
	retired := &domain.ValidationError{}
	if err := s.pickTemplate(ctx, &p, in, missing, retired); err != nil {
		return p, err
	}

	var amounts []domain.LineAmounts
	for i, li := range in.LineItems {
		path := fmt.Sprintf("line_items[%d]", i)
		product, err := s.store.Product(ctx, li.ProductID)
		if errors.Is(err, domain.ErrNotFound) {
			missing.Add(path+".product_id", "no such product")
			continue
		} else if err != nil {
			return p, err
		}
		if !product.Active {
			verr.Add(path+".product_id", "product is inactive and cannot be added to new drafts")
		}
		if product.Currency != in.Currency {
			verr.Add(path+".product_id", fmt.Sprintf("product is priced in %s, the contract in %s", product.Currency, in.Currency))
		}
		qty, err := domain.ParseQuantity(li.Quantity.String())
		if err != nil {
			verr.Add(path+".quantity", err.Error())
			continue
		}
		price := product.ListPrice
		if li.UnitPrice != nil {
			price = *li.UnitPrice
		}
		a, err := domain.PriceLine(price, qty, li.DiscountBP, product.TaxRateBP)
		if err != nil {
			verr.Add(path, "the line's amount is too large")
			continue
		}
		amounts = append(amounts, a)
		p.lines = append(p.lines, document.Line{ProductID: product.ID, Description: product.Name, Unit: product.Unit,
			QuantityMilli: qty, ListPrice: product.ListPrice, UnitPrice: price, DiscountBP: li.DiscountBP, TaxRateBP: product.TaxRateBP, LineAmounts: a})
	}
	if p.totals, err = domain.SumTotals(amounts); err != nil {
		verr.Add("line_items", "the contract total is too large")
	}
	if len(missing.Fields) > 0 {
		return p, missing
	}
	if len(retired.Fields) > 0 {
		return p, retired
	}
	for _, id := range in.OptionalClauses {
		if c, ok := p.template.Clause(id); !ok || !c.Optional {
			verr.Add("optional_clauses", fmt.Sprintf("%q is not an optional clause of template %s", id, p.template.ID))
		}
	}
	auto := map[string]string{
		document.SourceCustomerName:       p.customer.Name,
		document.SourceContactName:        p.contact,
		document.SourceOwnerName:          u.Name,
		document.SourceCompanyName:        s.company,
		document.SourceContractTotal:      document.FormatMoney(domain.Money{Amount: p.totals.Total, Currency: in.Currency}, p.template.Language),
		document.SourceCustomerCreditCode: deref(p.customer.CreditCode),
	}
	var ferrs []domain.FieldError
	p.values, ferrs = document.ResolveFields(p.template, in.Fields, auto, in.Currency)
	verr.Fields = append(verr.Fields, ferrs...)
	if p.terms, err = s.checkTerms(ctx, u, in, p.totals.Total, verr); err != nil {
		return p, err
	}
	return p, verr.OrNil()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Create drafts a contract: it prices the lines, renders the document,
// stores the draft and the record of its creation under the year's next
// number, and returns once its workflow has durably started, which owns
// the contract from then on. With a requestKey a retry returns the same
// contract instead of a new one.
func (s *Service) Create(ctx context.Context, u domain.User, requestKey string, in CreateInput) (workflows.ContractState, error) {
	p, err := s.plan(ctx, u, &in, "")
	if err != nil {
		return workflows.ContractState{}, err
	}
	now := s.now()
	var created workflows.ContractState
	build := func(number string) (store.Draft, error) {
		d, err := s.draft(u, number, 1, in, p, in.NonStandardClauses, now)
		d.CreatedBy = u.ID // the drafter, who never approves it
		d.Created, created = workflows.Created(d.Contract)
		return d, err
	}
	// The drafter's request (ctx) is named in the audit entries CreateDraft
	// writes, the creation's among them.
	start := func(d store.Draft) (json.RawMessage, error) {
		return json.Marshal(workflows.ContractInput{Contract: d.Contract})
	}
	res, err := s.store.CreateDraft(ctx, now.In(s.loc).Year(), u.ID, requestKey, build, start)
	if err != nil {
		return workflows.ContractState{}, workflows.Error(err)
	}
	if err := s.startReserved(ctx, res); err != nil {
		return workflows.ContractState{}, err
	}
	if !res.Reused {
		// Stored as created, its workflow started: nothing waits on the
		// workflow's first task, whose record of the creation finds it
		// written. An Update sent at once waits there for that record.
		return created, nil
	}
	// A retry with the same key asks the workflow where the contract
	// stands now, once its creation is recorded.
	number := res.Number
	var state workflows.ContractState
	err = s.wf.Update(ctx, workflows.ContractWorkflowID(number), "create/"+number, workflows.UpdateCreate, workflows.CreateRequest{Actor: u.Actor()}, &state)
	return state, err
}

// draft renders the contract numbered number from a checked request: its
// terms, priced lines and document. extra are the non-standard clauses.
func (s *Service) draft(u domain.User, number string, version int, in CreateInput, p draftPlan, extra []document.ExtraClause, now time.Time) (store.Draft, error) {
	expires, err := domain.ExpiryInstant(in.EndDate, s.loc)
	if err != nil {
		return store.Draft{}, &domain.ValidationError{Fields: []domain.FieldError{{Field: "end_date", Message: "must be a date YYYY-MM-DD"}}}
	}
	c := domain.Contract{
		Number: number, Title: in.Title, CustomerID: p.customer.ID, CustomerName: p.customer.Name,
		OwnerID: u.ID, OwnerName: u.Name, Amount: p.totals.Total, Currency: in.Currency,
		StartDate: in.StartDate, EndDate: in.EndDate, ExpiresAt: expires, CreatedAt: now.UTC().Truncate(time.Microsecond),
		TemplateID: p.template.ID, TemplateVersion: p.template.Version,
	}
	if err := applyTerms(&c, version, p.terms, s.loc); err != nil {
		return store.Draft{}, err
	}
	di := document.Input{
		Number: number, Title: in.Title, Currency: in.Currency, StartDate: in.StartDate, EndDate: in.EndDate,
		Company:  document.Party{Name: s.company},
		Customer: document.Party{Name: p.customer.Name, CreditCode: deref(p.customer.CreditCode), Contact: p.contact},
		Owner:    u.Name, Values: p.values, Fields: in.Fields, Optional: in.OptionalClauses, Extra: extra,
		Lines: p.lines, Totals: p.totals,
	}
	withSchedules(&di, c)
	doc, err := document.Render(p.template, di)
	if err != nil {
		return store.Draft{}, err
	}
	c.DocumentSHA256 = doc.SHA256
	return store.Draft{Contract: c, Lines: p.lines, Document: doc}, nil
}

// withSchedules puts a contract version's payment plan, obligations and
// renewal terms into the document input, so the signed text states them.
func withSchedules(in *document.Input, c domain.Contract) {
	in.PaymentPlan = make([]document.Payment, len(c.Plan))
	for i, m := range c.Plan {
		in.PaymentPlan[i] = document.Payment{Title: m.Title, Amount: m.Amount, DueDate: m.DueDate}
	}
	in.Obligations = make([]document.Deliverable, len(c.Obligations))
	for i, o := range c.Obligations {
		in.Obligations[i] = document.Deliverable{Title: o.Title, DueDate: o.DueDate}
	}
	r := c.Renewal
	r.NoticeDays = append([]int{}, c.Renewal.NoticeDays...)
	r.ThroughApproval = r.AutoRenew && r.ThroughApproval
	in.Renewal = &r
}

// rendered is a document as the workflow carries it to the projection.
func rendered(doc document.Document) (domain.RenderedDocument, error) {
	content, err := json.Marshal(doc)
	if err != nil {
		return domain.RenderedDocument{}, fmt.Errorf("encode document: %w", err)
	}
	return domain.RenderedDocument{SHA256: doc.SHA256, Text: doc.Text, HTML: doc.HTML, Content: content}, nil
}

// previousDocument loads the rendered document a draft has now.
func (s *Service) previousDocument(ctx context.Context, number string) (document.Document, error) {
	stored, err := s.store.Document(ctx, number)
	if err != nil {
		return document.Document{}, err
	}
	var prev document.Document
	if err := json.Unmarshal(stored.Content, &prev); err != nil {
		return document.Document{}, fmt.Errorf("decode document of %s: %w", number, err)
	}
	return prev, nil
}

// ReviseDraft replaces a draft's content (customer, template, fields,
// clauses, line items, term) as a drafter edits it, typically after an
// approver requested changes. The draft is re-priced and re-rendered; the
// non-standard clauses legal added stay. The workflow refuses it unless the
// contract is still a draft and the caller its owner or a sales manager.
func (s *Service) ReviseDraft(ctx context.Context, u domain.User, number, requestID string, in CreateInput) (workflows.ContractState, error) {
	row, err := s.managed(ctx, u, number)
	if err != nil {
		return workflows.ContractState{}, err
	}
	p, err := s.plan(ctx, u, &in, row.CustomerID)
	if err != nil {
		return workflows.ContractState{}, err
	}
	prev, err := s.previousDocument(ctx, number)
	if err != nil {
		return workflows.ContractState{}, err
	}
	owner := domain.User{ID: row.OwnerID, Name: row.OwnerName}
	d, err := s.draft(owner, number, 1, in, p, prev.Input.Extra, row.CreatedAt)
	if err != nil {
		return workflows.ContractState{}, err
	}
	doc, err := rendered(d.Document)
	if err != nil {
		return workflows.ContractState{}, err
	}
	return s.update(ctx, u, number, requestID, workflows.UpdateRevise, workflows.ReviseRequest{
		Actor: u.Actor(), Kind: workflows.ReviseContent, Contract: &d.Contract, Lines: d.Lines, Document: doc})
}

// DocumentFormat is how GET .../document serves a contract's document.
type DocumentFormat string

// Document formats.
const (
	FormatHTML DocumentFormat = "html"
	FormatText DocumentFormat = "text"
	FormatPDF  DocumentFormat = "pdf"
)

// DocumentPDF is the current version's PDF for a caller who may see the
// contract, with the document's hash: once the version's signing round
// has completed, the signed file the worker stored (every signature, the
// certificate page and Signet's PDF digital signature); before, the
// unsigned rendering. Every download (API, console, signing page) asks
// here, so all serve the same file.
func (s *Service) DocumentPDF(ctx context.Context, u domain.User, number string) ([]byte, string, error) {
	if _, err := s.visible(ctx, u, number); err != nil {
		return nil, "", err
	}
	return s.DocumentPDFOf(ctx, number)
}

// DocumentPDFOf is DocumentPDF for a caller the service has already let
// see the contract another way (a signing link's holder): every download
// asks here, so all serve the same file.
func (s *Service) DocumentPDFOf(ctx context.Context, number string) ([]byte, string, error) {
	row, err := s.store.Contract(ctx, number)
	if err != nil {
		return nil, "", err
	}
	signed, err := s.store.SignedPDF(ctx, number, row.Version)
	if err == nil {
		return signed.PDF, signed.DocumentSHA256, nil
	} else if !errors.Is(err, domain.ErrNotFound) {
		return nil, "", err
	}
	stored, err := s.store.Document(ctx, number)
	if err != nil {
		return nil, "", err
	}
	doc, err := stored.Decode()
	if err != nil {
		return nil, "", fmt.Errorf("document of %s: %w", number, err)
	}
	file, err := pdfdoc.Render(pdfdoc.Input{Document: doc})
	var missing *pdfdoc.MissingGlyphsError
	if errors.As(err, &missing) {
		return nil, "", &domain.Refusal{Kind: domain.RefusedInvalid, Message: missing.Error()}
	} else if err != nil {
		return nil, "", err
	}
	return file, stored.SHA256, nil
}

// Document returns the rendered document of a contract the caller may see.
func (s *Service) Document(ctx context.Context, u domain.User, number string) (store.StoredDocument, error) {
	if _, err := s.visible(ctx, u, number); err != nil {
		return store.StoredDocument{}, err
	}
	d, err := s.store.Document(ctx, number)
	if errors.Is(err, domain.ErrNotFound) {
		return d, domain.ErrNotFound
	} else if err != nil {
		return d, err
	}
	return d, nil
}

// NonStandardInput is legal's addition of clauses outside the template.
type NonStandardInput struct {
	Clauses []document.ExtraClause `json:"clauses" validate:"required,min=1,max=50,dive"`
}

// AddNonStandardClauses re-renders a draft with more non-standard clauses,
// from the template version it pinned, and hands the new document to the
// workflow, which refuses it unless the caller is legal and the contract
// is still a draft. The new hash is what approvers will see.
func (s *Service) AddNonStandardClauses(ctx context.Context, u domain.User, number, requestID string, in NonStandardInput) (workflows.ContractState, error) {
	if _, err := s.managed(ctx, u, number); err != nil {
		return workflows.ContractState{}, err
	}
	prev, err := s.previousDocument(ctx, number)
	if err != nil {
		return workflows.ContractState{}, err
	}
	tpl, err := s.store.Template(ctx, prev.TemplateID, prev.TemplateVersion)
	if err != nil {
		return workflows.ContractState{}, err
	}
	next := prev.Input
	next.Extra = append(append([]document.ExtraClause{}, prev.Input.Extra...), in.Clauses...)
	doc, err := document.Render(tpl, next)
	if err != nil {
		return workflows.ContractState{}, err
	}
	rd, err := rendered(doc)
	if err != nil {
		return workflows.ContractState{}, err
	}
	return s.update(ctx, u, number, requestID, workflows.UpdateRevise, workflows.ReviseRequest{
		Actor: u.Actor(), Kind: workflows.ReviseNonStandard, Document: rd})
}

// pickTemplate sets p's template: the version asked for, or the newest in
// use; what does not exist goes to missing, a retired version to retired.
func (s *Service) pickTemplate(ctx context.Context, p *draftPlan, in *CreateInput, missing, retired *domain.ValidationError) error {
	var err error
	if in.TemplateVersion == 0 {
		p.template, err = s.store.CurrentTemplate(ctx, in.TemplateID)
	} else {
		p.template, err = s.store.Template(ctx, in.TemplateID, in.TemplateVersion)
	}
	switch {
	case errors.Is(err, domain.ErrNotFound) && in.TemplateVersion == 0:
		if _, err := s.store.Template(ctx, in.TemplateID, 0); err == nil {
			retired.Add("template_id", "every version of this template is retired")
			return nil
		}
		missing.Add("template_id", "no such template")
		return nil
	case errors.Is(err, domain.ErrNotFound):
		missing.Add("template_version", "no such version of this template")
		return nil
	case err != nil:
		return err
	case in.TemplateVersion == 0:
		return nil
	}
	list, err := s.store.TemplateRetirements(ctx, in.TemplateID)
	if err != nil {
		return err
	}
	for _, r := range list {
		if r.Version == in.TemplateVersion {
			retired.Add("template_version", fmt.Sprintf("version %d is retired (%s); new contracts use the newest in use", r.Version, r.Reason))
		}
	}
	return nil
}

// startReserved starts the workflow of a draft CreateDraft committed, now
// that no transaction is open: no lock waits on the RPC. A start that
// fails leaves no draft behind: the number is void (作废), listed and
// audited, unless the workflow turns out to run after all (its answer was
// lost). A process that stops between commit and start leaves the start
// pending, for a retry of its request key or the reconciliation to settle.
func (s *Service) startReserved(ctx context.Context, res store.Reservation) error {
	if !res.Pending {
		return nil
	}
	var in workflows.ContractInput
	if err := json.Unmarshal(res.Start, &in); err != nil {
		return fmt.Errorf("start input of %s: %w", res.Number, err)
	}
	err := s.wf.StartContract(ctx, in.Contract, s.taskQueue, in)
	if err == nil || errors.Is(err, domain.ErrAlreadyExists) {
		// Confirmed or not, it runs: a pending row the reconciliation finds
		// running is confirmed there.
		_ = s.store.StartConfirmed(context.WithoutCancel(ctx), res.Number)
		return nil
	}
	return s.settleStart(context.WithoutCancel(ctx), res.Number, err)
}

// settleStart decides a start that failed with cause: confirmed if the
// workflow runs all the same, void if it does not or Temporal cannot say;
// cause is returned unless it runs.
func (s *Service) settleStart(ctx context.Context, number string, cause error) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// Voided when Temporal cannot say either: a start that went through
	// unseen then fails at its first record (store.ErrVoidNumber), while a
	// draft left pending would sit in the ledger with no workflow.
	runs, err := s.wf.Exists(ctx, workflows.ContractWorkflowID(number))
	if err == nil && runs {
		return s.store.StartConfirmed(ctx, number)
	}
	voided, err := s.store.VoidNumber(ctx, number, "工作流未能启动 / the workflow could not be started: "+firstLine(cause.Error()))
	if err != nil {
		return errors.Join(cause, err)
	}
	if !voided {
		// Its run recorded first, which confirmed the start: it runs.
		return nil
	}
	return cause
}

// SettlePendingStarts settles pending starts (store.PendingStarts: a
// process stopped between its commit and its start, or could not tell
// whether the start went through): each is confirmed if its workflow runs
// and void if not. It returns how many it voided.
func (s *Service) SettlePendingStarts(ctx context.Context, pending []string) (voided int, err error) {
	for _, n := range pending {
		runs, err := s.wf.Exists(ctx, workflows.ContractWorkflowID(n))
		if err != nil {
			return voided, err
		}
		if runs {
			if err := s.store.StartConfirmed(ctx, n); err != nil {
				return voided, err
			}
			continue
		}
		done, err := s.store.VoidNumber(ctx, n, "创建后未启动工作流 / its workflow was never started after the draft was stored")
		if err != nil {
			return voided, err
		}
		if done {
			voided++
		}
	}
	return voided, nil
}

// firstLine keeps a cause's first line, for a reason people read.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
