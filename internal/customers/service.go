// Package customers is the customer book (客户资料): customers with their
// unified social credit codes, tiers and owners, and their contacts.
package customers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// Store is the part of the PostgreSQL store the customer book uses.
type Store interface {
	CreateCustomer(ctx context.Context, c store.Customer, contacts []store.Contact) error
	UpdateCustomer(ctx context.Context, c store.Customer) error
	AddContact(ctx context.Context, c store.Contact) error
	UpdateContact(ctx context.Context, c store.Contact) error
	RemoveContact(ctx context.Context, customerID, id string, at time.Time) (store.Contact, error)
	SetCustomerActive(ctx context.Context, id string, active bool, at time.Time) error
	MergeCustomer(ctx context.Context, from, into string, at time.Time) (store.Merged, bool, error)
	SyncCustomer(ctx context.Context, id string, merge store.CustomerMerge) error
	FindExternal(ctx context.Context, kind, source, id string) (string, error)
	Customer(ctx context.Context, id string) (store.Customer, error)
	Contacts(ctx context.Context, customerID string) ([]store.Contact, error)
	ListCustomers(ctx context.Context, f store.CustomerFilter) ([]store.Customer, error)
	CustomerTotals(ctx context.Context, customerID string, owners []string) ([]store.CustomerTotal, error)
	ListContracts(ctx context.Context, f store.ContractFilter) ([]store.ContractRow, error)
}

// Service runs the customer book's use cases.
type Service struct {
	store Store
	now   func() time.Time
}

// New returns the customer book over st.
func New(st Store) *Service { return &Service{store: st, now: time.Now} }

// ContactInput is one contact of a customer.
type ContactInput struct {
	Name    string `json:"name" validate:"required,max=100,singleline"`
	Title   string `json:"title" validate:"max=100,singleline"`
	Phone   string `json:"phone" validate:"max=40"`
	Email   string `json:"email" validate:"omitempty,email,max=320"`
	MaySign bool   `json:"may_sign"`
	// ExternalIDs are the keys other systems know the contact by; a
	// customer pushed again matches its contacts by them (or by name).
	ExternalIDs []domain.ExternalID `json:"external_ids" validate:"max=10,dive"`
}

// CreateInput is a new customer. CreditCode is the unified social credit
// code (统一社会信用代码), checked with its check character when given.
type CreateInput struct {
	Name       string         `json:"name" validate:"required,max=200,singleline"`
	CreditCode string         `json:"credit_code" validate:"omitempty,len=18"`
	Industry   string         `json:"industry" validate:"max=100"`
	Region     string         `json:"region" validate:"max=100"`
	Tier       string         `json:"tier" validate:"required,oneof=A B C"`
	Contacts   []ContactInput `json:"contacts" validate:"max=50,dive"`
	// ExternalIDs are the keys other systems know the customer by.
	ExternalIDs []domain.ExternalID `json:"external_ids" validate:"max=10,dive"`
}

// UpdateInput changes the fields it carries; absent fields stay as they are.
type UpdateInput struct {
	Name       *string `json:"name" validate:"omitempty,min=1,max=200,singleline"`
	CreditCode *string `json:"credit_code" validate:"omitempty,len=18"`
	Industry   *string `json:"industry" validate:"omitempty,max=100"`
	Region     *string `json:"region" validate:"omitempty,max=100"`
	Tier       *string `json:"tier" validate:"omitempty,oneof=A B C"`
}

// Detail is a customer's page: the customer, its current contacts (and
// apart the removed ones, which contracts may still name), its recent
// contracts and what they add up to per currency, both only as far as the
// caller may see its contracts.
type Detail struct {
	store.Customer
	Contacts        []store.Contact       `json:"contacts"`
	RemovedContacts []store.Contact       `json:"removed_contacts"`
	Totals          []store.CustomerTotal `json:"totals"`
	Contracts       []store.ContractRow   `json:"contracts"`
}

// merged refuses a change to a customer merged into another.
func merged(c store.Customer) error {
	if c.MergedInto == nil {
		return nil
	}
	return &domain.Refusal{Kind: domain.RefusedConflict, Message: "the customer was merged into " + *c.MergedInto + "; change that one"}
}

func mayEdit(u domain.User, c store.Customer) bool {
	a := u.Actor()
	return a.Has(domain.RoleAdmin) || ((a.Has(domain.RoleSales) || a.Has(domain.RoleSalesManager)) && u.Sees(c.OwnerID))
}

func checkCreditCode(code string) error {
	if code != "" && !domain.ValidCreditCode(code) {
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: "credit_code", Message: "is not a valid unified social credit code (check character mismatch)"}}}
	}
	return nil
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// Create adds a customer owned by its creator.
func (s *Service) Create(ctx context.Context, u domain.User, in CreateInput) (Detail, error) {
	if err := checkInput(&in); err != nil {
		return Detail{}, err
	}
	d, err := s.create(ctx, u, in)
	return d, externalTaken(err)
}

// checkInput checks and tidies a customer's input.
func checkInput(in *CreateInput) error {
	in.CreditCode = strings.ToUpper(strings.TrimSpace(in.CreditCode))
	if err := checkCreditCode(in.CreditCode); err != nil {
		return err
	}
	verr := &domain.ValidationError{}
	if err := domain.CheckExternalIDs("external_ids", in.ExternalIDs); err != nil {
		verr.Fields = append(verr.Fields, err.(*domain.ValidationError).Fields...)
	}
	for i, ci := range in.Contacts {
		if err := domain.CheckExternalIDs(fmt.Sprintf("contacts[%d].external_ids", i), ci.ExternalIDs); err != nil {
			verr.Fields = append(verr.Fields, err.(*domain.ValidationError).Fields...)
		}
	}
	return verr.OrNil()
}

func (s *Service) create(ctx context.Context, u domain.User, in CreateInput) (Detail, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	c := store.Customer{ID: newID(), OwnerID: u.ID, CreatedAt: now, Status: store.CustomerActive}
	fill(&c, in, now)
	contacts := make([]store.Contact, len(in.Contacts))
	for i, ci := range in.Contacts {
		contacts[i] = store.Contact{ID: newID(), CustomerID: c.ID}
		fillContact(&contacts[i], ci)
	}
	if err := s.store.CreateCustomer(ctx, c, contacts); err != nil {
		return Detail{}, err
	}
	return Detail{Customer: c, Contacts: contacts, RemovedContacts: []store.Contact{}, Totals: []store.CustomerTotal{}, Contracts: []store.ContractRow{}}, nil
}

func fill(c *store.Customer, in CreateInput, now time.Time) {
	c.Name, c.Industry, c.Region, c.Tier, c.UpdatedAt = in.Name, in.Industry, in.Region, in.Tier, now
	c.CreditCode = nil
	if in.CreditCode != "" {
		c.CreditCode = &in.CreditCode
	}
	c.ExternalIDs = domain.MergeExternalIDs(c.ExternalIDs, in.ExternalIDs)
}

func fillContact(c *store.Contact, in ContactInput) {
	c.Name, c.Title, c.Phone, c.Email, c.MaySign = in.Name, in.Title, in.Phone, in.Email, in.MaySign
	c.ExternalIDs = domain.MergeExternalIDs(c.ExternalIDs, in.ExternalIDs)
}

// externalTaken turns an external ID that names another entity into a
// refusal.
func externalTaken(err error) error {
	if store.TakenKey(err) == store.ExternalIDTaken {
		return &domain.Refusal{Kind: domain.RefusedConflict, Message: "an external ID given is already another customer's or contact's"}
	}
	return err
}

// PutByExternal creates the customer source knows as id from in (owned
// by u), or, when there is one, overwrites its fields with in and its
// contacts with in's: each matched by an external ID, else by name, else
// added; contacts not in in stay. It is what a CRM pushing its records
// calls, again and again; created says which it did. Two pushes of a new
// key at once make one customer (the loser of the race finds the
// winner's and updates it), and updates at once apply one after the
// other under the customer's row lock.
func (s *Service) PutByExternal(ctx context.Context, u domain.User, source, id string, in CreateInput) (d Detail, created bool, err error) {
	if in.ExternalIDs, err = domain.WithExternalID(in.ExternalIDs, domain.ExternalID{Source: source, ID: id}); err != nil {
		return Detail{}, false, err
	}
	if err := checkInput(&in); err != nil {
		return Detail{}, false, err
	}
	for range 5 {
		found, err := s.store.FindExternal(ctx, store.KindCustomer, source, id)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			d, err := s.create(ctx, u, in)
			if store.TakenKey(err) == store.ExternalIDTaken {
				continue // another push created it first, or took a contact's ID: look again
			}
			return d, err == nil, err
		case err != nil:
			return Detail{}, false, err
		}
		if found, err = s.survivor(ctx, found); err != nil {
			return Detail{}, false, err
		}
		err = s.sync(ctx, u, found, in)
		if store.TakenKey(err) == store.ExternalIDTaken {
			continue
		}
		if err != nil {
			return Detail{}, false, err
		}
		d, err := s.Get(ctx, u, found)
		return d, false, err
	}
	return Detail{}, false, &domain.Refusal{Kind: domain.RefusedConflict, Message: "an external ID given is another record's"}
}

// survivor is the customer id resolves to: the one it was merged into,
// else itself. An external ID that the target already had from the same
// source stays on the merged customer; this follows it.
func (s *Service) survivor(ctx context.Context, id string) (string, error) {
	c, err := s.store.Customer(ctx, id)
	if err != nil {
		return "", err
	}
	if c.MergedInto != nil {
		return *c.MergedInto, nil
	}
	return id, nil
}

// sync overwrites customer id with in, as PutByExternal describes, on
// the row as it is under the store's lock.
func (s *Service) sync(ctx context.Context, u domain.User, id string, in CreateInput) error {
	if _, err := s.visible(ctx, u, id); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	return s.store.SyncCustomer(ctx, id, func(c store.Customer, have []store.Contact) (store.Customer, []store.Contact, error) {
		if !u.Sees(c.OwnerID) {
			return c, nil, domain.ErrNotFound // given away since it was looked up
		}
		if !mayEdit(u, c) {
			return c, nil, domain.ErrForbidden
		}
		readAt := c.UpdatedAt
		fill(&c, in, now)
		if !c.UpdatedAt.After(readAt) {
			c.UpdatedAt = readAt.Add(time.Microsecond) // updated_at only moves forward
		}
		contacts := make([]store.Contact, 0, len(in.Contacts))
		for _, ci := range in.Contacts {
			ct := matchContact(have, ci)
			if ct.ID == "" {
				ct = store.Contact{ID: newID(), CustomerID: id}
			}
			fillContact(&ct, ci)
			contacts = append(contacts, ct)
		}
		return c, contacts, nil
	})
}

// matchContact finds the contact in have that ci describes: one sharing
// an external ID (a removed one too, which the push brings back), else the
// current one of the same name; zero when none.
func matchContact(have []store.Contact, ci ContactInput) store.Contact {
	for _, h := range have {
		for _, x := range h.ExternalIDs {
			if slices.Contains(ci.ExternalIDs, x) {
				return h
			}
		}
	}
	for _, h := range have {
		if h.Name == ci.Name && h.RemovedAt == nil {
			return h
		}
	}
	return store.Contact{}
}

// visible returns the customer if u may see it; sales see their own only.
func (s *Service) visible(ctx context.Context, u domain.User, id string) (store.Customer, error) {
	if uuid.Validate(id) != nil {
		return store.Customer{}, domain.ErrNotFound
	}
	c, err := s.store.Customer(ctx, id)
	if err != nil {
		return store.Customer{}, err
	}
	if !u.Sees(c.OwnerID) {
		return store.Customer{}, domain.ErrNotFound
	}
	return c, nil
}

// Get returns a customer's page.
func (s *Service) Get(ctx context.Context, u domain.User, id string) (Detail, error) {
	c, err := s.visible(ctx, u, id)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Customer: c, Contacts: []store.Contact{}, RemovedContacts: []store.Contact{}}
	all, err := s.store.Contacts(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	for _, ct := range all {
		if ct.RemovedAt == nil {
			d.Contacts = append(d.Contacts, ct)
		} else {
			d.RemovedContacts = append(d.RemovedContacts, ct)
		}
	}
	// The totals count what the contract list shows this caller, no more.
	if d.Totals, err = s.store.CustomerTotals(ctx, id, u.Owners()); err != nil {
		return Detail{}, err
	}
	f := store.ContractFilter{CustomerID: id, Limit: 50, Owners: u.Owners()}
	if d.Contracts, err = s.store.ListContracts(ctx, f); err != nil {
		return Detail{}, err
	}
	return d, nil
}

// Update changes a customer's fields.
func (s *Service) Update(ctx context.Context, u domain.User, id string, in UpdateInput) (Detail, error) {
	c, err := s.visible(ctx, u, id)
	if err != nil {
		return Detail{}, err
	}
	if !mayEdit(u, c) {
		return Detail{}, domain.ErrForbidden
	}
	if err := merged(c); err != nil {
		return Detail{}, err
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&c.Name, in.Name)
	set(&c.Industry, in.Industry)
	set(&c.Region, in.Region)
	set(&c.Tier, in.Tier)
	if in.CreditCode != nil {
		code := strings.ToUpper(strings.TrimSpace(*in.CreditCode))
		if err := checkCreditCode(code); err != nil {
			return Detail{}, err
		}
		c.CreditCode = &code
		if code == "" {
			c.CreditCode = nil
		}
	}
	c.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
	if err := s.store.UpdateCustomer(ctx, c); err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, u, id)
}

// AddContact adds a contact to a customer.
func (s *Service) AddContact(ctx context.Context, u domain.User, id string, in ContactInput) (store.Contact, error) {
	c, err := s.visible(ctx, u, id)
	if err != nil {
		return store.Contact{}, err
	}
	if !mayEdit(u, c) {
		return store.Contact{}, domain.ErrForbidden
	}
	if err := merged(c); err != nil {
		return store.Contact{}, err
	}
	if err := domain.CheckExternalIDs("external_ids", in.ExternalIDs); err != nil {
		return store.Contact{}, err
	}
	contact := store.Contact{ID: newID(), CustomerID: id}
	fillContact(&contact, in)
	if err := s.store.AddContact(ctx, contact); err != nil {
		return store.Contact{}, externalTaken(err)
	}
	return contact, nil
}

// SetActive deactivates (active false) or reactivates a customer, as its
// editors may (audited). A deactivated customer keeps its contracts, which
// run on; new drafts refuse it. Asking for the state it is in is a no-op.
func (s *Service) SetActive(ctx context.Context, u domain.User, id string, active bool) (Detail, error) {
	c, err := s.visible(ctx, u, id)
	if err != nil {
		return Detail{}, err
	}
	if !mayEdit(u, c) {
		return Detail{}, domain.ErrForbidden
	}
	if err := merged(c); err != nil {
		return Detail{}, err
	}
	if err := s.store.SetCustomerActive(ctx, id, active, s.now().UTC().Truncate(time.Microsecond)); err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, u, id)
}

// MergeInput names the customer to merge into.
type MergeInput struct {
	Into string `json:"into" validate:"required,uuid"`
}

// Merge merges duplicate customer id into in.Into (admins and sales
// managers, who must see both): its contacts, contracts and external IDs
// move there, and it stays merged, pointing at the survivor (audited).
// Merging it again into the same customer changes nothing; into itself
// is a 400, into a merged customer or a customer merged elsewhere a 409.
// It answers the survivor.
func (s *Service) Merge(ctx context.Context, u domain.User, id string, in MergeInput) (Detail, error) {
	a := u.Actor()
	if !a.Has(domain.RoleAdmin) && !a.Has(domain.RoleSalesManager) {
		return Detail{}, domain.ErrForbidden
	}
	src, err := s.visible(ctx, u, id)
	if err != nil {
		return Detail{}, err
	}
	if in.Into == src.ID {
		return Detail{}, domain.InvalidField("into", "must be another customer than the one merged")
	}
	dst, err := s.visible(ctx, u, in.Into)
	if errors.Is(err, domain.ErrNotFound) {
		return Detail{}, &domain.ValidationError{NotFound: true, Fields: []domain.FieldError{{Field: "into", Message: "no such customer"}}}
	} else if err != nil {
		return Detail{}, err
	}
	switch {
	case src.MergedInto != nil && *src.MergedInto == dst.ID:
		return s.Get(ctx, u, dst.ID)
	case src.MergedInto != nil:
		return Detail{}, &domain.Refusal{Kind: domain.RefusedConflict, Message: "the customer was already merged into " + *src.MergedInto}
	case dst.MergedInto != nil:
		return Detail{}, &domain.Refusal{Kind: domain.RefusedConflict, Message: "the target was merged into " + *dst.MergedInto + "; merge into that one"}
	}
	_, _, err = s.store.MergeCustomer(ctx, src.ID, dst.ID, s.now().UTC().Truncate(time.Microsecond))
	if errors.Is(err, store.ErrMergeConflict) {
		return Detail{}, &domain.Refusal{Kind: domain.RefusedConflict, Message: "one of the customers was merged meanwhile; look again"}
	}
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, u, dst.ID)
}

// ContactUpdate changes the fields of a contact it carries; absent fields
// stay as they are. Email "" clears it.
type ContactUpdate struct {
	Name    *string `json:"name" validate:"omitempty,max=100,singleline"`
	Title   *string `json:"title" validate:"omitempty,max=100,singleline"`
	Phone   *string `json:"phone" validate:"omitempty,max=40,singleline"`
	Email   *string `json:"email" validate:"omitempty,max=320,email_or_empty"`
	MaySign *bool   `json:"may_sign"`
}

// editableContact returns the current contact contactID of customer id,
// if u may edit the customer: 404 for a customer u does not see or a
// contact that is not its, 409 for a removed contact.
func (s *Service) editableContact(ctx context.Context, u domain.User, id, contactID string) (store.Contact, error) {
	c, err := s.visible(ctx, u, id)
	if err != nil {
		return store.Contact{}, err
	}
	if !mayEdit(u, c) {
		return store.Contact{}, domain.ErrForbidden
	}
	if uuid.Validate(contactID) != nil {
		return store.Contact{}, domain.ErrNotFound
	}
	all, err := s.store.Contacts(ctx, id)
	if err != nil {
		return store.Contact{}, err
	}
	for _, ct := range all {
		if ct.ID == contactID {
			return ct, nil
		}
	}
	return store.Contact{}, domain.ErrNotFound
}

// UpdateContact changes a current contact's fields (audited).
func (s *Service) UpdateContact(ctx context.Context, u domain.User, id, contactID string, in ContactUpdate) (store.Contact, error) {
	ct, err := s.editableContact(ctx, u, id, contactID)
	if err != nil {
		return store.Contact{}, err
	}
	if ct.RemovedAt != nil {
		return store.Contact{}, &domain.Refusal{Kind: domain.RefusedConflict, Message: "the contact was removed; add it again instead"}
	}
	if in.Name != nil && strings.TrimSpace(*in.Name) == "" {
		return store.Contact{}, domain.InvalidField("name", "is required")
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&ct.Name, in.Name)
	set(&ct.Title, in.Title)
	set(&ct.Phone, in.Phone)
	set(&ct.Email, in.Email)
	if in.MaySign != nil {
		ct.MaySign = *in.MaySign
	}
	if err := s.store.UpdateContact(ctx, ct); err != nil {
		return store.Contact{}, err
	}
	return ct, nil
}

// RemoveContact takes a contact out of the customer book (audited): the
// row stays, so the contracts drafted with it keep naming it, and new
// drafts refuse it. Removing it again is a no-op.
func (s *Service) RemoveContact(ctx context.Context, u domain.User, id, contactID string) (store.Contact, error) {
	if _, err := s.editableContact(ctx, u, id, contactID); err != nil {
		return store.Contact{}, err
	}
	return s.store.RemoveContact(ctx, id, contactID, s.now().UTC().Truncate(time.Microsecond))
}

// ListInput filters and pages the customer book.
type ListInput struct {
	Q        string `form:"q" validate:"max=200"`
	Tier     string `form:"tier" validate:"omitempty,oneof=A B C"`
	Industry string `form:"industry" validate:"max=100"`
	Region   string `form:"region" validate:"max=100"`
	Owner    string `form:"owner" validate:"max=100"`
	// Source and ExternalID keep the customers another system knows by
	// that key (either alone: any from the source, any source's ID).
	Source     string `form:"source" validate:"omitempty,external_source"`
	ExternalID string `form:"external_id" validate:"omitempty,external_id"`
	// Status keeps active customers (the default), inactive or merged
	// ones, or all.
	Status string `form:"status" validate:"omitempty,oneof=active inactive merged all"`
	Cursor string `form:"cursor" validate:"omitempty,uuid"`
	Limit  int    `form:"limit" validate:"omitempty,min=1,max=200"`
}

// Page is one page of customers and the cursor of the next, if any.
type Page struct {
	Items      []store.Customer `json:"items"`
	NextCursor string           `json:"next_cursor,omitempty"`
}

// List returns the customers u may see, newest first.
func (s *Service) List(ctx context.Context, u domain.User, in ListInput) (Page, error) {
	f := store.CustomerFilter{Query: in.Q, Tier: in.Tier, Industry: in.Industry, Region: in.Region, OwnerID: in.Owner,
		Source: in.Source, ExternalID: in.ExternalID, Status: in.Status, After: in.Cursor, Limit: in.Limit}
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.OwnerID != "" && !u.Sees(f.OwnerID) {
		return Page{Items: []store.Customer{}}, nil
	}
	f.Owners = u.Owners()
	items, err := s.store.ListCustomers(ctx, f)
	if err != nil {
		return Page{}, err
	}
	p := Page{Items: items}
	if len(items) == f.Limit {
		p.NextCursor = items[len(items)-1].ID
	}
	return p, nil
}
