package console

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/customers"
	"github.com/signet-clm/signet/internal/domain"
)

// Customers (客户): the book as GET /v1/customers lists it (each visitor
// sees whom the service lets them), a customer's page with its contacts,
// contracts and what they add up to, and the forms that create a customer
// and add a contact, through the same service and checks as the API.

// customerEditors may create customers and add contacts: the API's
// POST /v1/customers roles (the service checks whose customer it is).
var customerEditors = []domain.Role{domain.RoleSales, domain.RoleSalesManager, domain.RoleAdmin}

// customerList is GET /customers.
type customerList struct {
	Query   customers.ListInput
	Page    api.CustomerPage
	Next    string
	First   string
	MayEdit bool
}

func (p *pages) customers(c *gin.Context) {
	var q customers.ListInput
	if err := api.BindQuery(c, &q); err != nil {
		p.serviceError(c, err)
		return
	}
	page, err := p.d.Customers.List(c.Request.Context(), currentUser(c), q)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	data := customerList{Query: q, Page: api.CustomerPageOf(page), MayEdit: mayEditCustomers(currentUser(c))}
	if q.Cursor != "" {
		first := c.Request.URL.Query()
		first.Del("cursor")
		data.First = "/customers?" + first.Encode()
	}
	if page.NextCursor != "" {
		next := c.Request.URL.Query()
		next.Set("cursor", page.NextCursor)
		data.Next = "/customers?" + next.Encode()
	}
	v := p.view(c, "customers", data)
	v.Title = v.T("customers.title")
	p.render(c, http.StatusOK, "customers", v)
}

func mayEditCustomers(u domain.User) bool {
	for _, r := range customerEditors {
		if u.Actor().Has(r) {
			return true
		}
	}
	return false
}

// customerPage is GET /customers/:id, or the new-customer form when
// Detail is nil; Form and Errors keep what was typed and what the service
// refused, by the API's field names.
type customerPage struct {
	Detail  *api.CustomerDetail
	Form    customerForm
	Contact contactForm
	Errors  map[string]string
	Other   []api.FieldError
	MayEdit bool
	// EditID is the contact whose edit form was refused: Edit is what was
	// typed, EditErrors what the service said, by field.
	EditID     string
	Edit       contactForm
	EditErrors map[string]string
	EditOther  []api.FieldError
	// MayMerge shows the merge form (admins, sales managers) with the
	// customers it may merge into; MergeErrors what a merge was refused.
	MayMerge    bool
	Candidates  []api.Customer
	MergeErrors map[string]string
	MergeOther  []api.FieldError
}

// customerMergers may merge customers: the API's POST
// /v1/customers/{id}/merge roles.
var customerMergers = []domain.Role{domain.RoleSalesManager, domain.RoleAdmin}

type customerForm struct{ Name, CreditCode, Industry, Region, Tier string }

type contactForm struct {
	Name, Title, Phone, Email string
	MaySign                   bool
}

func (p *pages) customer(c *gin.Context) {
	p.showCustomer(c, http.StatusOK, customerPage{})
}

func (p *pages) showCustomer(c *gin.Context, status int, cp customerPage) {
	d, err := p.d.Customers.Get(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		p.serviceError(c, err)
		return
	}
	detail := api.CustomerDetailOf(d)
	cp.Detail = &detail
	u := currentUser(c)
	cp.MayEdit = mayEditCustomers(u) && d.MergedInto == nil
	if d.MergedInto == nil && slices.ContainsFunc(customerMergers, u.Actor().Has) {
		page, err := p.d.Customers.List(c.Request.Context(), u, customers.ListInput{Limit: 200})
		if err != nil {
			p.serviceError(c, err)
			return
		}
		cp.MayMerge = true
		for _, other := range api.CustomerPageOf(page).Items {
			if other.ID != d.ID {
				cp.Candidates = append(cp.Candidates, other)
			}
		}
	}
	v := p.view(c, "customers", cp)
	v.Title = d.Name
	p.render(c, status, "customer", v)
}

func (p *pages) newCustomerForm(c *gin.Context) {
	v := p.view(c, "customers", customerPage{Form: customerForm{Tier: "B"}, MayEdit: true})
	v.Title = v.T("customers.new")
	p.render(c, http.StatusOK, "customer", v)
}

// createCustomer posts the form to customers.Service.Create, as
// POST /v1/customers does; refused fields show beside their inputs.
func (p *pages) createCustomer(c *gin.Context) {
	f := customerForm{Name: c.PostForm("name"), CreditCode: strings.ToUpper(strings.TrimSpace(c.PostForm("credit_code"))),
		Industry: c.PostForm("industry"), Region: c.PostForm("region"), Tier: c.PostForm("tier")}
	in := customers.CreateInput{Name: f.Name, CreditCode: f.CreditCode, Industry: f.Industry, Region: f.Region, Tier: f.Tier}
	if name := strings.TrimSpace(c.PostForm("contact_name")); name != "" {
		in.Contacts = []customers.ContactInput{{Name: name, Phone: c.PostForm("contact_phone"), Email: c.PostForm("contact_email"), MaySign: c.PostForm("contact_may_sign") == "1"}}
	}
	err := api.Validate(&in)
	var d customers.Detail
	if err == nil {
		d, err = p.d.Customers.Create(c.Request.Context(), currentUser(c), in)
	}
	if err == nil {
		p.redirect(c, "/customers/"+d.ID)
		return
	}
	cp := customerPage{Form: f, MayEdit: true}
	if !p.formRefusal(c, err, &cp, map[string]string{"contacts[0].name": "contact_name", "contacts[0].phone": "contact_phone", "contacts[0].email": "contact_email"}) {
		return
	}
	v := p.view(c, "customers", cp)
	v.Title = v.T("customers.new")
	status, _ := api.ErrorStatus(err)
	p.render(c, status, "customer", v)
}

// addContact posts a contact to customers.Service.AddContact, as
// POST /v1/customers/{id}/contacts does.
func (p *pages) addContact(c *gin.Context) {
	f := contactForm{Name: c.PostForm("name"), Title: c.PostForm("title"), Phone: c.PostForm("phone"), Email: c.PostForm("email"), MaySign: c.PostForm("may_sign") == "1"}
	in := customers.ContactInput{Name: f.Name, Title: f.Title, Phone: f.Phone, Email: f.Email, MaySign: f.MaySign}
	err := api.Validate(&in)
	if err == nil {
		_, err = p.d.Customers.AddContact(c.Request.Context(), currentUser(c), c.Param("id"), in)
	}
	if err == nil {
		p.redirect(c, "/customers/"+c.Param("id")+"#contacts")
		return
	}
	cp := customerPage{Contact: f}
	if !p.formRefusal(c, err, &cp, nil) {
		return
	}
	status, _ := api.ErrorStatus(err)
	p.showCustomer(c, status, cp)
}

// formRefusal files a 4xx's field errors into cp under the form's input
// names (rename maps the API's names to them) and reports whether the
// form should show again; anything else is answered here.
func (p *pages) formRefusal(c *gin.Context, err error, cp *customerPage, rename map[string]string) bool {
	status, body := api.ErrorStatus(err)
	if status >= 500 || status == http.StatusNotFound || status == http.StatusForbidden {
		p.serviceError(c, err)
		return false
	}
	cp.Errors = map[string]string{}
	for _, fe := range body.Fields {
		name := fe.Field
		if r, ok := rename[name]; ok {
			name = r
		}
		cp.Errors[name] = fe.Message
	}
	if len(body.Fields) == 0 {
		cp.Other = []api.FieldError{{Field: "", Message: body.Message}}
	}
	return true
}

// updateContact posts a contact's edit form to customers.Service.UpdateContact,
// as PATCH /v1/customers/{id}/contacts/{contact_id} does (every field
// sent: the form shows them all).
func (p *pages) updateContact(c *gin.Context) {
	f := contactForm{Name: c.PostForm("name"), Title: c.PostForm("title"), Phone: c.PostForm("phone"), Email: c.PostForm("email"), MaySign: c.PostForm("may_sign") == "1"}
	in := customers.ContactUpdate{Name: &f.Name, Title: &f.Title, Phone: &f.Phone, Email: &f.Email, MaySign: &f.MaySign}
	err := api.Validate(&in)
	if err == nil {
		_, err = p.d.Customers.UpdateContact(c.Request.Context(), currentUser(c), c.Param("id"), c.Param("contact_id"), in)
	}
	if err == nil {
		p.redirect(c, "/customers/"+c.Param("id")+"#contacts")
		return
	}
	cp := customerPage{}
	if !p.formRefusal(c, err, &cp, nil) {
		return
	}
	cp.EditID, cp.Edit, cp.EditErrors, cp.EditOther = c.Param("contact_id"), f, cp.Errors, cp.Other
	cp.Errors, cp.Other = nil, nil
	status, _ := api.ErrorStatus(err)
	p.showCustomer(c, status, cp)
}

// removeContact is DELETE /v1/customers/{id}/contacts/{contact_id} from
// the page's confirmation form.
func (p *pages) removeContact(c *gin.Context) {
	if _, err := p.d.Customers.RemoveContact(c.Request.Context(), currentUser(c), c.Param("id"), c.Param("contact_id")); err != nil {
		p.serviceError(c, err)
		return
	}
	p.redirect(c, "/customers/"+c.Param("id")+"#contacts")
}

// setCustomerActive is POST /v1/customers/{id}/deactivate or /reactivate
// from the page's confirmation form.
func (p *pages) setCustomerActive(active bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, err := p.d.Customers.SetActive(c.Request.Context(), currentUser(c), c.Param("id"), active); err != nil {
			p.serviceError(c, err)
			return
		}
		p.redirect(c, "/customers/"+c.Param("id"))
	}
}

// mergeCustomer is POST /v1/customers/{id}/merge from the page's form:
// on success the survivor's page.
func (p *pages) mergeCustomer(c *gin.Context) {
	in := customers.MergeInput{Into: c.PostForm("into")}
	err := api.Validate(&in)
	var d customers.Detail
	if err == nil {
		d, err = p.d.Customers.Merge(c.Request.Context(), currentUser(c), c.Param("id"), in)
	}
	if err == nil {
		p.redirect(c, "/customers/"+d.ID)
		return
	}
	status, body := api.ErrorStatus(err)
	if status == http.StatusNotFound && len(body.Fields) > 0 {
		status = http.StatusBadRequest // the target chosen is gone: say so beside the choice
	} else if status >= 500 || status == http.StatusNotFound || status == http.StatusForbidden {
		p.serviceError(c, err)
		return
	}
	cp := customerPage{MergeErrors: map[string]string{}}
	for _, fe := range body.Fields {
		cp.MergeErrors[fe.Field] = fe.Message
	}
	if len(body.Fields) == 0 {
		cp.MergeOther = []api.FieldError{{Message: body.Message}}
	}
	p.showCustomer(c, status, cp)
}
