package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/catalog"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/customers"
	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// The new-contract form has a fixed number of rows of each kind, so that
// it works as a plain form without script; blank rows are left out.
const (
	lineRows       = 4
	planRows       = 4
	obligationRows = 3
)

// newContractPage is 新建合同: the customer and template chosen (a GET
// form), then the contract's form generated from the template's fields.
type newContractPage struct {
	Customers []store.Customer
	Templates []store.TemplateSummary
	Products  []store.Product
	// Customer and Template are set once chosen; the full form shows then.
	Customer *customers.Detail
	Template *document.Template
	Form     contractForm
	// Auto are the auto-filled fields' values as the document will show
	// them (the total is computed when saved).
	Auto map[string]string
	// Priced is the server's pricing of the lines typed so far.
	Priced pricing
	// Errors are the server's field errors by field name (the API's
	// names: line_items[0].quantity, payment_plan, fields.delivery_date);
	// Other are those no input shows (listed at the top).
	Errors  map[string]string
	Other   []api.FieldError
	Refusal string
}

// contractForm is what the drafter typed, kept as typed.
type contractForm struct {
	// Mode is what the form does: "" a new contract (also a renewal's,
	// prefilled), "edit" a draft's content, "amend" an active contract's
	// next version (with Reason); Number is then the contract's.
	Mode   string
	Number string
	// RenewalOf is the contract a prefilled new draft renews (shown only).
	RenewalOf       string
	Reason          string
	RequestKey      string
	Title           string
	CustomerID      string
	ContactID       string
	TemplateID      string
	TemplateVersion int
	StartDate       string
	EndDate         string
	Fields          map[string]string
	Optional        map[string]bool
	Lines           []lineRow
	Plan            []planRow
	Obligations     []obligationRow
	AutoRenew       bool
	ThroughApproval bool
	NoticeDays      string
}

type lineRow struct{ ProductID, Quantity, UnitPrice string }
type planRow struct{ Title, Amount, DueDate string }
type obligationRow struct{ Title, DueDate string }

// pricing is the lines priced as the contract would price them.
type pricing struct {
	Lines    []pricedLine
	Total    domain.LineAmounts
	Currency string
	Any      bool
}

type pricedLine struct {
	Row         int
	Description string
	Quantity    string
	UnitPrice   int64
	Amounts     domain.LineAmounts
}

// Action is where the form posts.
func (n newContractPage) Action() string {
	if n.Form.Mode != "" {
		return "/contracts/" + url.PathEscape(n.Form.Number) + "/" + n.Form.Mode
	}
	return "/contracts/new"
}

// E is the error shown beside the input named field.
func (n newContractPage) E(field string) string { return n.Errors[field] }

// Row is the input name of a row's field: line_items[2].quantity.
func (n newContractPage) Row(list string, i int, field string) string {
	return fmt.Sprintf("%s[%d].%s", list, i, field)
}

func (p *pages) newContractForm(c *gin.Context) {
	q := c.Request.URL.Query()
	f := contractForm{RequestKey: uuid.NewString(), CustomerID: q.Get("customer_id"), ContactID: q.Get("contact_id"), TemplateID: q.Get("template_id"),
		Fields: map[string]string{}, Optional: map[string]bool{}}
	np, err := p.loadNewContract(c, &f)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	p.showNewContract(c, http.StatusOK, np)
}

// loadNewContract reads what the form offers (the caller's customers, the
// templates, the products) and the chosen customer and template through
// the services, which answer not found for a customer the caller may not
// see.
func (p *pages) loadNewContract(c *gin.Context, f *contractForm) (newContractPage, error) {
	ctx, u := c.Request.Context(), currentUser(c)
	np := newContractPage{Errors: map[string]string{}}
	page, err := p.d.Customers.List(ctx, u, customers.ListInput{Limit: 200})
	if err != nil {
		return np, err
	}
	np.Customers = page.Items
	if np.Templates, err = p.d.Catalog.Templates(ctx); err != nil {
		return np, err
	}
	if np.Products, err = p.d.Catalog.Products(ctx, catalog.ProductQuery{ActiveOnly: true}); err != nil {
		return np, err
	}
	if f.CustomerID != "" {
		if _, perr := uuid.Parse(f.CustomerID); perr != nil {
			return np, domain.ErrNotFound
		}
		d, err := p.d.Customers.Get(ctx, u, f.CustomerID)
		if err != nil {
			return np, err
		}
		np.Customer = &d
	}
	if f.TemplateID != "" {
		if len(f.TemplateID) > 64 {
			return np, domain.ErrNotFound
		}
		t, err := p.d.Catalog.Template(ctx, f.TemplateID, f.TemplateVersion)
		if err != nil {
			return np, err
		}
		np.Template = &t
		f.TemplateVersion = t.Version
	}
	for len(f.Lines) < lineRows {
		f.Lines = append(f.Lines, lineRow{})
	}
	for len(f.Plan) < planRows {
		f.Plan = append(f.Plan, planRow{})
	}
	for len(f.Obligations) < obligationRows {
		f.Obligations = append(f.Obligations, obligationRow{})
	}
	if np.Customer != nil && f.ContactID == "" {
		// The customer's signatory is the usual contact.
		for _, ct := range np.Customer.Contacts {
			if ct.MaySign {
				f.ContactID = ct.ID
				break
			}
		}
	}
	np.Form = *f
	np.Priced = price(np.Products, f.Lines)
	np.Auto = p.autoValues(u, np)
	return np, nil
}

// autoValues are what the auto-filled fields will hold, for showing.
func (p *pages) autoValues(u domain.User, np newContractPage) map[string]string {
	out := map[string]string{document.SourceOwnerName: u.Name, document.SourceCompanyName: p.d.Contracts.Company()}
	if np.Priced.Any && np.Template != nil {
		// As the document will write it; the saved draft prices it again.
		out[document.SourceContractTotal] = document.FormatMoney(domain.Money{Amount: np.Priced.Total.Total, Currency: np.Priced.Currency}, np.Template.Language)
	}
	if np.Customer != nil {
		out[document.SourceCustomerName] = np.Customer.Name
		if np.Customer.CreditCode != nil {
			out[document.SourceCustomerCreditCode] = *np.Customer.CreditCode
		}
		for _, ct := range np.Customer.Contacts {
			if ct.ID == np.Form.ContactID {
				out[document.SourceContactName] = ct.Name
			}
		}
	}
	return out
}

// price prices the typed lines as the contract service will (the
// catalogue's list price unless another is typed, the product's tax
// rate); a line it cannot price yet is left out.
func price(products []store.Product, rows []lineRow) pricing {
	out := pricing{Currency: domain.DefaultCurrency}
	var amounts []domain.LineAmounts
	for i, r := range rows {
		j := slices.IndexFunc(products, func(p store.Product) bool { return p.ID == r.ProductID })
		if j < 0 {
			continue
		}
		prod := products[j]
		qty, err := domain.ParseQuantity(strings.TrimSpace(r.Quantity))
		if err != nil {
			continue
		}
		unit := prod.ListPrice
		if strings.TrimSpace(r.UnitPrice) != "" {
			if unit, err = parseAmount(r.UnitPrice, prod.Currency); err != nil {
				continue
			}
		}
		a, err := domain.PriceLine(unit, qty, 0, prod.TaxRateBP)
		if err != nil {
			continue
		}
		amounts = append(amounts, a)
		out.Lines = append(out.Lines, pricedLine{Row: i, Description: prod.Name, Quantity: r.Quantity, UnitPrice: unit, Amounts: a})
	}
	if total, err := domain.SumTotals(amounts); err == nil {
		out.Total = total
	}
	out.Any = len(out.Lines) > 0
	return out
}

// parseAmount reads an amount typed in major units (98,000.00) as minor
// units of currency, with no float involved.
func parseAmount(s, currency string) (int64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	whole, frac, _ := strings.Cut(s, ".")
	exp := domain.Exponent(currency)
	if whole == "" || len(frac) > exp || strings.Trim(whole+frac, "0123456789") != "" || len(whole) > 15 {
		return 0, errors.New("not an amount")
	}
	frac += strings.Repeat("0", exp-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n > domain.MaxAmount {
		return 0, errors.New("not an amount")
	}
	return n, nil
}

// readForm reads the posted form as typed.
func readForm(c *gin.Context) contractForm {
	f := contractForm{RequestKey: c.PostForm("request_key"), Title: c.PostForm("title"), CustomerID: c.PostForm("customer_id"), ContactID: c.PostForm("contact_id"),
		TemplateID: c.PostForm("template_id"), StartDate: c.PostForm("start_date"), EndDate: c.PostForm("end_date"),
		Fields: map[string]string{}, Optional: map[string]bool{}, AutoRenew: c.PostForm("renewal.auto_renew") != "",
		ThroughApproval: c.PostForm("renewal.through_approval") != "", NoticeDays: c.PostForm("renewal.notice_days"),
		Reason: c.PostForm("reason")}
	if m := c.PostForm("mode"); m == "edit" || m == "amend" {
		// Only where the form posts to; the contract is the path's there.
		if n := c.PostForm("number"); domain.ValidContractNumber(n) {
			f.Mode, f.Number = m, n
		}
	}
	if v, err := strconv.Atoi(c.PostForm("template_version")); err == nil && v > 0 && v <= domain.MaxVersion {
		f.TemplateVersion = v
	}
	if !api.ValidRequestID(f.RequestKey) {
		f.RequestKey = uuid.NewString()
	}
	for _, id := range c.PostFormArray("optional_clauses") {
		f.Optional[id] = true
	}
	form := c.Request.PostForm
	for k, vs := range form {
		if name, ok := strings.CutPrefix(k, "fields."); ok && len(vs) > 0 {
			f.Fields[name] = vs[0]
		}
	}
	for i := range rowsPosted(form, "line_items", lineRows) {
		at := func(n string) string { return form.Get(fmt.Sprintf("line_items[%d].%s", i, n)) }
		f.Lines = append(f.Lines, lineRow{ProductID: at("product_id"), Quantity: at("quantity"), UnitPrice: at("unit_price")})
	}
	for i := range rowsPosted(form, "payment_plan", planRows) {
		at := func(n string) string { return form.Get(fmt.Sprintf("payment_plan[%d].%s", i, n)) }
		f.Plan = append(f.Plan, planRow{Title: at("title"), Amount: at("amount"), DueDate: at("due_date")})
	}
	for i := range rowsPosted(form, "obligations", obligationRows) {
		at := func(n string) string { return form.Get(fmt.Sprintf("obligations[%d].%s", i, n)) }
		f.Obligations = append(f.Obligations, obligationRow{Title: at("title"), DueDate: at("due_date")})
	}
	return f
}

// input is the create request the form says, as POST /v1/contracts takes
// it, with where each row came from in the form (a blank row is left
// out, so the API's line_items[1] may be the form's row 2) and the errors
// of what cannot even be put in the request (an amount that is no
// number).
func (f contractForm) input(t *document.Template) (contracts.CreateInput, map[string][]int, []domain.FieldError) {
	in := contracts.CreateInput{Title: strings.TrimSpace(f.Title), CustomerID: f.CustomerID, ContactID: f.ContactID, TemplateID: f.TemplateID,
		TemplateVersion: f.TemplateVersion, StartDate: f.StartDate, EndDate: f.EndDate, Fields: map[string]json.RawMessage{}}
	rows := map[string][]int{}
	var local []domain.FieldError
	bad := func(field, message string) { local = append(local, domain.FieldError{Field: field, Message: message}) }
	if t != nil {
		for _, fd := range t.Fields {
			v, typed := f.Fields[fd.Name]
			if fd.Source != "" || !typed || strings.TrimSpace(v) == "" {
				continue
			}
			v = strings.TrimSpace(v)
			var raw []byte
			switch fd.Type {
			case document.FieldInteger:
				if n, err := strconv.ParseInt(v, 10, 64); err == nil {
					raw, _ = json.Marshal(n)
				} else {
					bad("fields."+fd.Name, "must be a whole number")
					continue
				}
			case document.FieldMoney:
				n, err := parseAmount(v, domain.DefaultCurrency)
				if err != nil {
					bad("fields."+fd.Name, "must be an amount such as 1,000.00")
					continue
				}
				raw, _ = json.Marshal(n)
			default:
				raw, _ = json.Marshal(v)
			}
			in.Fields[fd.Name] = raw
		}
		for _, cl := range t.Clauses {
			if cl.Optional && f.Optional[cl.ID] {
				in.OptionalClauses = append(in.OptionalClauses, cl.ID)
			}
		}
	}
	for i, r := range f.Lines {
		if r.ProductID == "" && strings.TrimSpace(r.Quantity) == "" && strings.TrimSpace(r.UnitPrice) == "" {
			continue
		}
		li := contracts.LineInput{ProductID: r.ProductID, Quantity: json.Number(strings.TrimSpace(r.Quantity))}
		if s := strings.TrimSpace(r.UnitPrice); s != "" {
			n, err := parseAmount(s, domain.DefaultCurrency)
			if err != nil {
				bad(fmt.Sprintf("line_items[%d].unit_price", i), "must be an amount such as 98,000.00")
			} else {
				li.UnitPrice = &n
			}
		}
		rows["line_items"] = append(rows["line_items"], i)
		in.LineItems = append(in.LineItems, li)
	}
	for i, r := range f.Plan {
		if strings.TrimSpace(r.Title+r.Amount+r.DueDate) == "" {
			continue
		}
		m := contracts.MilestoneInput{Title: strings.TrimSpace(r.Title), DueDate: r.DueDate}
		n, err := parseAmount(r.Amount, domain.DefaultCurrency)
		if err != nil {
			bad(fmt.Sprintf("payment_plan[%d].amount", i), "must be an amount such as 50,000.00")
		}
		m.Amount = n
		rows["payment_plan"] = append(rows["payment_plan"], i)
		in.PaymentPlan = append(in.PaymentPlan, m)
	}
	for i, r := range f.Obligations {
		if strings.TrimSpace(r.Title+r.DueDate) == "" {
			continue
		}
		rows["obligations"] = append(rows["obligations"], i)
		in.Obligations = append(in.Obligations, contracts.ObligationInput{Title: strings.TrimSpace(r.Title), DueDate: r.DueDate})
	}
	if f.AutoRenew || f.ThroughApproval || strings.TrimSpace(f.NoticeDays) != "" {
		rn := &contracts.RenewalInput{AutoRenew: f.AutoRenew, ThroughApproval: f.ThroughApproval}
		for _, s := range strings.FieldsFunc(f.NoticeDays, func(r rune) bool { return r == ',' || r == '，' || r == ' ' }) {
			n, err := strconv.Atoi(s)
			if err != nil {
				bad("renewal.notice_days", "must be whole numbers of days, separated by commas")
				break
			}
			rn.NoticeDays = append(rn.NoticeDays, n)
		}
		in.Renewal = rn
	}
	return in, rows, local
}

// rowIndex finds list[i] at the start of an API field name.
var rowIndex = regexp.MustCompile(`^(line_items|payment_plan|obligations)\[(\d+)\]`)

// formField is the form's input name for the API's field name: the same,
// but with the form's row for a row of the request.
func formField(field string, rows map[string][]int) string {
	m := rowIndex.FindStringSubmatch(field)
	if m == nil {
		return field
	}
	i, _ := strconv.Atoi(m[2])
	if i < len(rows[m[1]]) {
		return fmt.Sprintf("%s[%d]%s", m[1], rows[m[1]][i], field[len(m[0]):])
	}
	return field
}

// createContract saves the draft exactly as POST /v1/contracts does (the
// form's request key is its Idempotency-Key, so a double submit creates
// one contract) and goes to its page; field errors come back beside
// their inputs, with everything typed kept.
func (p *pages) createContract(c *gin.Context) {
	f := readForm(c)
	f.Mode, f.Number = "", ""
	p.saveForm(c, f, func(in contracts.CreateInput) (string, error) {
		st, err := p.d.Contracts.Create(c.Request.Context(), currentUser(c), f.RequestKey, in)
		return "/contracts/" + url.PathEscape(st.Contract.Number) + "?created=1", err
	})
}

// saveForm checks the form as the API checks its request and saves it
// with save, which says where to go next; field errors come back beside
// their inputs, with everything typed kept.
func (p *pages) saveForm(c *gin.Context, f contractForm, save func(contracts.CreateInput) (string, error)) {
	np, err := p.loadNewContract(c, &f)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	in, rows, local := f.input(np.Template)
	err = api.Validate(&in)
	var verr *domain.ValidationError
	if len(local) > 0 {
		// Nothing is saved while an input is not even a number.
		all := &domain.ValidationError{Fields: local}
		if errors.As(err, &verr) {
			all.Fields = append(all.Fields, verr.Fields...)
		}
		err = all
	}
	if err == nil {
		var next string
		next, err = save(in)
		if err == nil {
			p.redirect(c, next)
			return
		}
	}
	status, body := api.ErrorStatus(err)
	if status >= 500 {
		p.serviceError(c, err)
		return
	}
	if status == http.StatusNotFound {
		// A customer or template the caller may not see is not found; a
		// product or contact the form offered and that went away is shown
		// beside its input.
		for _, fe := range body.Fields {
			if fe.Field == "customer_id" || fe.Field == "template_id" {
				p.notFound(c)
				return
			}
		}
		if len(body.Fields) == 0 {
			p.notFound(c)
			return
		}
	}
	for _, fe := range body.Fields {
		name := formField(strings.TrimPrefix(fe.Field, "content."), rows)
		if _, shown := np.Errors[name]; shown || !shownField(name, np) {
			np.Other = append(np.Other, api.FieldError{Field: name, Message: fe.Message})
			continue
		}
		np.Errors[name] = fe.Message
	}
	if len(body.Fields) == 0 {
		np.Refusal = body.Message
	}
	p.showNewContract(c, status, np)
}

// shownField reports whether the form has an input (or a section) that
// shows errors under name.
func shownField(name string, np newContractPage) bool {
	switch name {
	case "title", "contact_id", "start_date", "end_date", "optional_clauses", "line_items", "payment_plan", "obligations",
		"renewal.notice_days", "renewal":
		return true
	case "reason":
		return np.Form.Mode == "amend"
	}
	if m := rowIndex.FindStringSubmatch(name); m != nil {
		return true
	}
	if fn, ok := strings.CutPrefix(name, "fields."); ok && np.Template != nil {
		return slices.ContainsFunc(np.Template.Fields, func(f document.Field) bool { return f.Name == fn && f.Source == "" })
	}
	return false
}

// priceLines re-prices the typed lines without saving: the form's 重新计算
// button, and htmx as the drafter types (then only the totals).
func (p *pages) priceLines(c *gin.Context) {
	f := readForm(c)
	np, err := p.loadNewContract(c, &f)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	p.showNewContract(c, http.StatusOK, np)
}

func (p *pages) showNewContract(c *gin.Context, status int, np newContractPage) {
	v := p.view(c, "new", np)
	v.Title = v.T("new.title")
	if np.Form.Mode != "" {
		v.Nav = "contracts"
		v.Title = v.T("new.title_"+np.Form.Mode, np.Form.Number)
	}
	p.render(c, status, "newcontract", v)
}

// rowsPosted is how many rows of list the form holds: at least least,
// more when the form was prefilled with more (an edited contract's
// lines), up to the API's bound.
func rowsPosted(form url.Values, list string, least int) int {
	n := least
	for k := range form {
		if m := rowIndex.FindStringSubmatch(k); m != nil && m[1] == list {
			if i, err := strconv.Atoi(m[2]); err == nil && i < 500 {
				n = max(n, i+1)
			}
		}
	}
	return n
}
