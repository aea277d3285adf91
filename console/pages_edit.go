package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
)

// The contract page's edit draft (修改草稿), amend (合同变更) and renew
// (续签) are the new-contract form, prefilled from the contract's
// current document: a draft's edit is PUT /v1/contracts/{n}/content, an
// amendment POST …/amendments with its reason, and a renewal a new draft
// for the next term of the same length (POST /v1/contracts), linked to
// nothing until it is saved.

// editForm is the draft's content in the form.
func (p *pages) editForm(c *gin.Context) { p.prefilled(c, "edit", domain.StatusDraft) }

// amendForm is the next version's content in the form, with a reason.
func (p *pages) amendForm(c *gin.Context) { p.prefilled(c, "amend", domain.StatusActive) }

// renewForm is a new draft for the next term.
func (p *pages) renewForm(c *gin.Context) { p.prefilled(c, "renew", "") }

// prefilled shows the form filled from contract n's document, for a
// visitor who may manage n (else the 404 page) while n is in status
// (any signed status for a renewal; else the refusal page).
func (p *pages) prefilled(c *gin.Context, mode string, status domain.Status) {
	ctx, u, n := c.Request.Context(), currentUser(c), c.Param("number")
	row, err := p.d.Contracts.ManagedRow(ctx, u, n)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	if !mayManage(u, row) {
		p.notFound(c)
		return
	}
	ok := row.Status == status
	if mode == "renew" {
		ok = row.Status == domain.StatusActive || row.Status == domain.StatusExpired || row.Status == domain.StatusCompleted
	}
	if !ok {
		p.serviceError(c, &domain.Refusal{Kind: domain.RefusedConflict, Message: fmt.Sprintf("contract is %s", row.Status)})
		return
	}
	stored, err := p.d.Contracts.Document(ctx, u, n)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	var doc document.Document
	if err := json.Unmarshal(stored.Content, &doc); err != nil {
		p.serviceError(c, fmt.Errorf("decode document of %s: %w", n, err))
		return
	}
	f := contractForm{RequestKey: uuid.NewString(), CustomerID: row.CustomerID, TemplateID: doc.TemplateID, TemplateVersion: doc.TemplateVersion,
		Fields: map[string]string{}, Optional: map[string]bool{}}
	if mode != "renew" {
		f.Mode, f.Number = mode, n
	} else {
		f.RenewalOf = n
	}
	tpl, err := p.d.Catalog.Template(ctx, doc.TemplateID, doc.TemplateVersion)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	fillForm(&f, tpl, doc.Input)
	if mode == "renew" {
		if err := nextTerm(&f); err != nil {
			p.serviceError(c, err)
			return
		}
	}
	np, err := p.loadNewContract(c, &f)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	if np.Customer != nil {
		// The document names the contact; the form chooses by ID.
		for _, ct := range np.Customer.Contacts {
			if ct.Name == doc.Input.Customer.Contact {
				np.Form.ContactID = ct.ID
			}
		}
	}
	p.showNewContract(c, http.StatusOK, np)
}

// fillForm writes a document's terms into the form as a drafter would
// type them: amounts in major units, quantities as decimals.
func fillForm(f *contractForm, tpl document.Template, in document.Input) {
	f.Title, f.StartDate, f.EndDate = in.Title, in.StartDate, in.EndDate
	cur := in.Currency
	for _, fd := range tpl.Fields {
		raw, ok := in.Fields[fd.Name]
		if fd.Source != "" || !ok {
			continue
		}
		var s string
		var n int64
		switch {
		case json.Unmarshal(raw, &s) == nil:
			f.Fields[fd.Name] = s
		case fd.Type == document.FieldMoney && json.Unmarshal(raw, &n) == nil:
			f.Fields[fd.Name] = major(n, cur)
		default:
			f.Fields[fd.Name] = string(raw)
		}
	}
	for _, id := range in.Optional {
		f.Optional[id] = true
	}
	f.Lines = nil
	for _, l := range in.Lines {
		f.Lines = append(f.Lines, lineRow{ProductID: l.ProductID, Quantity: funcs["milli"].(func(int64) string)(l.QuantityMilli), UnitPrice: major(l.UnitPrice, cur)})
	}
	f.Plan = nil
	for _, m := range in.PaymentPlan {
		f.Plan = append(f.Plan, planRow{Title: m.Title, Amount: major(m.Amount, cur), DueDate: m.DueDate})
	}
	f.Obligations = nil
	for _, o := range in.Obligations {
		f.Obligations = append(f.Obligations, obligationRow{Title: o.Title, DueDate: o.DueDate})
	}
	if r := in.Renewal; r != nil {
		f.AutoRenew, f.ThroughApproval = r.AutoRenew, r.ThroughApproval
		days := make([]string, len(r.NoticeDays))
		for i, d := range r.NoticeDays {
			days[i] = strconv.Itoa(d)
		}
		f.NoticeDays = strings.Join(days, ", ")
	}
}

// major writes minor units as the form takes them: 3000000 → 30000.00.
func major(amount int64, currency string) string {
	exp := domain.Exponent(currency)
	if exp == 0 {
		return strconv.FormatInt(amount, 10)
	}
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	div := int64(1)
	for range exp {
		div *= 10
	}
	return fmt.Sprintf("%s%d.%0*d", sign, amount/div, exp, amount%div)
}

// nextTerm moves the form's term, payment dates and obligation dates on
// to the term after it, of the same length, as a renewal does.
func nextTerm(f *contractForm) error {
	start, err1 := domain.ParseDate(f.StartDate)
	end, err2 := domain.ParseDate(f.EndDate)
	if err1 != nil || err2 != nil {
		return &domain.Refusal{Kind: domain.RefusedConflict, Message: "the contract's term is no pair of dates"}
	}
	next := end.AddDate(0, 0, 1)
	shift := next.Sub(start)
	move := func(s string) string {
		d, err := domain.ParseDate(s)
		if err != nil {
			return s
		}
		return d.Add(shift).Format(domain.DateLayout)
	}
	f.StartDate, f.EndDate = next.Format(domain.DateLayout), next.Add(end.Sub(start)).Format(domain.DateLayout)
	for i := range f.Plan {
		f.Plan[i].DueDate = move(f.Plan[i].DueDate)
	}
	for i := range f.Obligations {
		f.Obligations[i].DueDate = move(f.Obligations[i].DueDate)
	}
	for k, v := range f.Fields {
		if _, err := time.Parse(domain.DateLayout, v); err == nil {
			f.Fields[k] = move(v)
		}
	}
	return nil
}

// saveEdit replaces the draft's content, as PUT /v1/contracts/{n}/content.
func (p *pages) saveEdit(c *gin.Context) {
	n := c.Param("number")
	f := readForm(c)
	f.Mode, f.Number = "edit", n
	p.saveForm(c, f, func(in contracts.CreateInput) (string, error) {
		_, err := p.d.Contracts.ReviseDraft(c.Request.Context(), currentUser(c), n, f.RequestKey, in)
		return "/contracts/" + url.PathEscape(n) + "?done=edit", err
	})
}

// saveAmend starts the amendment, as POST /v1/contracts/{n}/amendments:
// a reason and the next version's content.
func (p *pages) saveAmend(c *gin.Context) {
	n := c.Param("number")
	f := readForm(c)
	f.Mode, f.Number = "amend", n
	p.saveForm(c, f, func(in contracts.CreateInput) (string, error) {
		am := contracts.AmendInput{Reason: strings.TrimSpace(f.Reason), Content: in}
		if strings.TrimSpace(am.Reason) == "" {
			return "", domain.InvalidField("reason", "is required")
		}
		_, err := p.d.Contracts.Amend(c.Request.Context(), currentUser(c), n, f.RequestKey, am)
		return "/contracts/" + url.PathEscape(n) + "?done=amend", err
	})
}
