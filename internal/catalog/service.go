// Package catalog holds what contracts are drafted from: the product
// catalogue (产品管理) and the versioned contract templates (合同模板).
package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// Store is the part of the PostgreSQL store the catalogue uses.
type Store interface {
	CreateProductLine(ctx context.Context, l store.ProductLine) error
	ProductLines(ctx context.Context) ([]store.ProductLine, error)
	SaveProduct(ctx context.Context, p store.Product) error
	Product(ctx context.Context, id string) (store.Product, error)
	Products(ctx context.Context, f store.ProductFilter) ([]store.Product, error)
	FindExternal(ctx context.Context, kind, source, id string) (string, error)
	SaveTemplate(ctx context.Context, t document.Template, createdBy string) (document.Template, error)
	Template(ctx context.Context, id string, version int) (document.Template, error)
	Templates(ctx context.Context) ([]store.TemplateSummary, error)
	CurrentTemplate(ctx context.Context, id string) (document.Template, error)
	TemplateRetirements(ctx context.Context, id string) ([]store.TemplateRetirement, error)
	RetireTemplate(ctx context.Context, id string, version int, reason, by string) (store.TemplateRetirement, error)
	SaveLibraryClause(ctx context.Context, c document.LibraryClause, createdBy string) (document.LibraryClause, error)
	LibraryClause(ctx context.Context, id string) (document.LibraryClause, error)
	LibraryClauses(ctx context.Context) ([]document.LibraryClause, error)
}

// Service runs the catalogue's use cases.
type Service struct {
	store Store
	now   func() time.Time
}

// New returns the catalogue over st.
func New(st Store) *Service { return &Service{store: st, now: time.Now} }

// LineInput is a new product line.
type LineInput struct {
	Name string `json:"name" validate:"required,max=200,singleline"`
}

// CreateLine adds a product line.
func (s *Service) CreateLine(ctx context.Context, u domain.User, in LineInput) (store.ProductLine, error) {
	l := store.ProductLine{ID: uuid.Must(uuid.NewV7()).String(), Name: in.Name}
	if err := s.store.CreateProductLine(ctx, l); err != nil {
		return store.ProductLine{}, err
	}
	return l, nil
}

// Lines lists the product lines.
func (s *Service) Lines(ctx context.Context) ([]store.ProductLine, error) {
	l, err := s.store.ProductLines(ctx)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// ProductInput is a new product. ListPrice is in minor units and excludes
// tax; TaxRateBP is in basis points (1300 = 13%).
type ProductInput struct {
	LineID    string `json:"line_id" validate:"required,uuid"`
	Name      string `json:"name" validate:"required,max=200,singleline"`
	Unit      string `json:"unit" validate:"required,max=20,singleline"`
	ListPrice *int64 `json:"list_price" validate:"required,gte=0,lte=1000000000000000"`
	Currency  string `json:"currency" validate:"omitempty,currency"`
	TaxRateBP *int   `json:"tax_rate_bp" validate:"required,gte=0,lte=10000"`
	Active    *bool  `json:"active"`
	// ExternalIDs are the keys other systems know the product by.
	ExternalIDs []domain.ExternalID `json:"external_ids" validate:"max=10,dive"`
}

// ProductUpdate changes the fields it carries.
type ProductUpdate struct {
	Name      *string `json:"name" validate:"omitempty,min=1,max=200,singleline"`
	Unit      *string `json:"unit" validate:"omitempty,min=1,max=20,singleline"`
	ListPrice *int64  `json:"list_price" validate:"omitempty,gte=0,lte=1000000000000000"`
	TaxRateBP *int    `json:"tax_rate_bp" validate:"omitempty,gte=0,lte=10000"`
	Active    *bool   `json:"active"`
}

// CreateProduct adds a product to a line.
func (s *Service) CreateProduct(ctx context.Context, u domain.User, in ProductInput) (store.Product, error) {
	if err := s.checkProduct(ctx, &in); err != nil {
		return store.Product{}, err
	}
	p, err := s.createProduct(ctx, in)
	return p, externalTaken(err)
}

func (s *Service) createProduct(ctx context.Context, in ProductInput) (store.Product, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	p := store.Product{ID: uuid.Must(uuid.NewV7()).String(), CreatedAt: now}
	fillProduct(&p, in, now)
	if err := s.store.SaveProduct(ctx, p); err != nil {
		return store.Product{}, err
	}
	return p, nil
}

// checkProduct checks what a product's input refers to and fills in its
// defaults.
func (s *Service) checkProduct(ctx context.Context, in *ProductInput) error {
	if err := domain.CheckExternalIDs("external_ids", in.ExternalIDs); err != nil {
		return err
	}
	lines, err := s.store.ProductLines(ctx)
	if err != nil {
		return err
	}
	found := false
	for _, l := range lines {
		found = found || l.ID == in.LineID
	}
	if !found {
		return &domain.ValidationError{NotFound: true, Fields: []domain.FieldError{{Field: "line_id", Message: "no such product line"}}}
	}
	if in.Currency == "" {
		in.Currency = domain.DefaultCurrency
	}
	return nil
}

func fillProduct(p *store.Product, in ProductInput, now time.Time) {
	p.LineID, p.Name, p.Unit, p.ListPrice, p.Currency, p.TaxRateBP = in.LineID, in.Name, in.Unit, *in.ListPrice, in.Currency, *in.TaxRateBP
	p.Active = in.Active == nil || *in.Active
	p.ExternalIDs = in.ExternalIDs
	p.UpdatedAt = now
}

// externalTaken turns an external ID that names another entity into a
// refusal naming the field.
func externalTaken(err error) error {
	if store.TakenKey(err) == store.ExternalIDTaken {
		return &domain.Refusal{Kind: domain.RefusedConflict, Message: "an external ID given is already another product's"}
	}
	return err
}

// PutByExternal creates the product source knows as id from in, or, when
// there is one, overwrites it with in: what an ERP pushing its catalogue
// calls, again and again. created says which. Two pushes of a new key at
// once make one product: the loser of the race finds the winner's and
// updates it.
func (s *Service) PutByExternal(ctx context.Context, u domain.User, source, id string, in ProductInput) (p store.Product, created bool, err error) {
	if in.ExternalIDs, err = domain.WithExternalID(in.ExternalIDs, domain.ExternalID{Source: source, ID: id}); err != nil {
		return store.Product{}, false, err
	}
	if err := s.checkProduct(ctx, &in); err != nil {
		return store.Product{}, false, err
	}
	for range 3 {
		found, err := s.store.FindExternal(ctx, store.KindProduct, source, id)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			p, err := s.createProduct(ctx, in)
			if store.TakenKey(err) == store.ExternalIDTaken {
				continue // another push created it first (or another ID in the body is taken: looked at below)
			}
			return p, err == nil, err
		case err != nil:
			return store.Product{}, false, err
		}
		p, err := s.store.Product(ctx, found)
		if err != nil {
			return store.Product{}, false, err
		}
		fillProduct(&p, in, s.now().UTC().Truncate(time.Microsecond))
		if err := s.store.SaveProduct(ctx, p); err != nil {
			return store.Product{}, false, externalTaken(err)
		}
		return p, false, nil
	}
	return store.Product{}, false, &domain.Refusal{Kind: domain.RefusedConflict, Message: "the product changed while it was saved; try again"}
}

// UpdateProduct changes a product; deactivating keeps it on existing
// contracts and off new drafts.
func (s *Service) UpdateProduct(ctx context.Context, u domain.User, id string, in ProductUpdate) (store.Product, error) {
	if uuid.Validate(id) != nil {
		return store.Product{}, domain.ErrNotFound
	}
	p, err := s.store.Product(ctx, id)
	if err != nil {
		return store.Product{}, err
	}
	if in.Name != nil {
		p.Name = *in.Name
	}
	if in.Unit != nil {
		p.Unit = *in.Unit
	}
	if in.ListPrice != nil {
		p.ListPrice = *in.ListPrice
	}
	if in.TaxRateBP != nil {
		p.TaxRateBP = *in.TaxRateBP
	}
	if in.Active != nil {
		p.Active = *in.Active
	}
	p.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
	if err := s.store.SaveProduct(ctx, p); err != nil {
		return store.Product{}, err
	}
	return p, nil
}

// ProductQuery filters the catalogue.
type ProductQuery struct {
	Line       string `form:"line" validate:"omitempty,uuid"`
	ActiveOnly bool   `form:"active"`
	// Source and ExternalID keep the products another system knows by
	// that key (either alone: any from the source, any source's ID).
	Source     string `form:"source" validate:"omitempty,external_source"`
	ExternalID string `form:"external_id" validate:"omitempty,external_id"`
}

// Products lists products.
func (s *Service) Products(ctx context.Context, q ProductQuery) ([]store.Product, error) {
	ps, err := s.store.Products(ctx, store.ProductFilter{LineID: q.Line, ActiveOnly: q.ActiveOnly, Source: q.Source, ExternalID: q.ExternalID})
	if err != nil {
		return nil, err
	}
	return ps, nil
}

// SaveTemplate stores a new version of a template (version 1 for a new ID).
func (s *Service) SaveTemplate(ctx context.Context, u domain.User, t document.Template) (document.Template, error) {
	if err := s.checked(ctx, &t); err != nil {
		return document.Template{}, err
	}
	saved, err := s.store.SaveTemplate(ctx, t, u.ID)
	if err != nil {
		return document.Template{}, err
	}
	return saved, nil
}

// checked copies t's library clauses in and checks it as a save would.
func (s *Service) checked(ctx context.Context, t *document.Template) error {
	if err := s.fromLibrary(ctx, t); err != nil {
		return err
	}
	if problems := t.Check(); len(problems) > 0 {
		verr := &domain.ValidationError{}
		for _, p := range problems {
			field, msg, _ := strings.Cut(p, ": ")
			verr.Add(field, msg)
		}
		return verr
	}
	return nil
}

// PreviewTemplate is the text a template would give filled in with
// sample values (document.Sample), checked as SaveTemplate checks it but
// stored nowhere: the online editor's preview (legal and admins).
func (s *Service) PreviewTemplate(ctx context.Context, u domain.User, t document.Template) (document.Document, error) {
	if a := u.Actor(); !a.Has(domain.RoleLegal) && !a.Has(domain.RoleAdmin) {
		return document.Document{}, domain.ErrForbidden
	}
	if err := s.checked(ctx, &t); err != nil {
		return document.Document{}, err
	}
	d, errs, err := document.Sample(t)
	if err != nil {
		return document.Document{}, err
	}
	if len(errs) > 0 {
		verr := &domain.ValidationError{}
		for _, e := range errs {
			verr.Add(e.Field, "a sample value does not fit: "+e.Message)
		}
		return document.Document{}, verr
	}
	return d, nil
}

// Template returns a template version; when version is 0, the one new
// contracts are drafted from: the newest not retired (the newest of all
// when every version is retired).
func (s *Service) Template(ctx context.Context, id string, version int) (document.Template, error) {
	if version == 0 {
		t, err := s.store.CurrentTemplate(ctx, id)
		if !errors.Is(err, domain.ErrNotFound) {
			return t, err
		}
	}
	t, err := s.store.Template(ctx, id, version)
	if err != nil {
		return document.Template{}, err
	}
	return t, nil
}

// TemplateDetail is Template with the version's retirement, nil while it
// is in use.
func (s *Service) TemplateDetail(ctx context.Context, id string, version int) (document.Template, *store.TemplateRetirement, error) {
	t, err := s.Template(ctx, id, version)
	if err != nil {
		return document.Template{}, nil, err
	}
	r, err := s.retirement(ctx, t.ID, t.Version)
	return t, r, err
}

func (s *Service) retirement(ctx context.Context, id string, version int) (*store.TemplateRetirement, error) {
	list, err := s.store.TemplateRetirements(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, r := range list {
		if r.Version == version {
			return &r, nil
		}
	}
	return nil, nil
}

// RetireInput retires a template version from use.
type RetireInput struct {
	Reason string `json:"reason" validate:"required,max=500"`
}

// RetireTemplate retires a template version (legal and admins): new
// contracts can no longer be drafted from it, while those that were keep
// it. Retiring it again changes nothing.
func (s *Service) RetireTemplate(ctx context.Context, u domain.User, id string, version int, in RetireInput) (document.Template, *store.TemplateRetirement, error) {
	if a := u.Actor(); !a.Has(domain.RoleLegal) && !a.Has(domain.RoleAdmin) {
		return document.Template{}, nil, domain.ErrForbidden
	}
	if version < 1 {
		return document.Template{}, nil, domain.InvalidField("version", "must be a version number, 1 or more")
	}
	t, err := s.store.Template(ctx, id, version)
	if err != nil {
		return document.Template{}, nil, err
	}
	r, err := s.store.RetireTemplate(ctx, id, version, strings.TrimSpace(in.Reason), u.ID)
	if err != nil {
		return document.Template{}, nil, err
	}
	return t, &r, nil
}

// Templates lists every template's newest version.
func (s *Service) Templates(ctx context.Context) ([]store.TemplateSummary, error) {
	ts, err := s.store.Templates(ctx)
	if err != nil {
		return nil, err
	}
	return ts, nil
}

// fromLibrary copies the text of every clause the template takes from the
// clause library, so the template version holds it for good.
func (s *Service) fromLibrary(ctx context.Context, t *document.Template) error {
	verr := &domain.ValidationError{NotFound: true}
	for i := range t.Clauses {
		c := &t.Clauses[i]
		if c.Library == "" {
			continue
		}
		lc, err := s.store.LibraryClause(ctx, c.Library)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			verr.Add(fmt.Sprintf("clauses[%d].library", i), "no such library clause")
			continue
		case err != nil:
			return err
		}
		if lc.Language != t.Language {
			return &domain.ValidationError{Fields: []domain.FieldError{{Field: fmt.Sprintf("clauses[%d].library", i),
				Message: fmt.Sprintf("library clause %s is in %s, the template in %s", lc.ID, lc.Language, t.Language)}}}
		}
		c.Title, c.Body, c.LibraryVersion = lc.Title, lc.Body, lc.Version
	}
	return verr.OrNil()
}

// SaveClause stores a new version of a library clause (legal, admin).
func (s *Service) SaveClause(ctx context.Context, u domain.User, c document.LibraryClause) (document.LibraryClause, error) {
	saved, err := s.store.SaveLibraryClause(ctx, c, u.ID)
	if err != nil {
		return document.LibraryClause{}, err
	}
	return saved, nil
}

// Clauses lists the clause library.
func (s *Service) Clauses(ctx context.Context) ([]document.LibraryClause, error) {
	cs, err := s.store.LibraryClauses(ctx)
	if err != nil {
		return nil, err
	}
	return cs, nil
}
