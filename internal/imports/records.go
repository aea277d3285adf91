package imports

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/signet-clm/signet/internal/catalog"
	"github.com/signet-clm/signet/internal/customers"
	"github.com/signet-clm/signet/internal/domain"
)

// Checker validates a service input as the API does (its struct tags),
// so a file's rows meet exactly the rules a form or a JSON call meets.
type Checker func(v any) error

// Customer is one customer a file brings, with the lines that gave it.
type Customer struct {
	Line       int
	ExternalID string
	Owner      string
	Input      customers.CreateInput
	// contactLines are the lines each contact came from.
	contactLines []int
}

// Product is one product a file brings.
type Product struct {
	Line       int
	ExternalID string
	LineName   string
	Input      catalog.ProductInput
}

var externalIDPattern = regexp.MustCompile(`^[^\x00-\x1f]{1,128}$`)

// sheet reads a table's rows against a kind's columns, collecting every
// problem rather than stopping at the first.
type sheet struct {
	layout
	problems []Problem
}

func (s *sheet) bad(line int, key, msg string) {
	s.problems = append(s.problems, Problem{Line: line, Column: s.title(key), Field: key, Message: msg})
}

// fieldErrors puts a Checker's field errors on the row's columns; fields
// maps the input's field names to column keys.
func (s *sheet) fieldErrors(line int, err error, column func(field string) (key string, line int)) {
	if err == nil {
		return
	}
	var verr *domain.ValidationError
	if !errors.As(err, &verr) {
		s.bad(line, "", err.Error())
		return
	}
	for _, f := range verr.Fields {
		key, at := column(f.Field)
		if at == 0 {
			at = line
		}
		s.bad(at, key, f.Message)
	}
}

func (s *sheet) externalID(r Row) string {
	id := s.cell(r, "external_id")
	if !externalIDPattern.MatchString(id) {
		s.bad(r.Line, "external_id", "is required, at most 128 characters on one line")
	}
	return id
}

// repeated reports (and refuses) a row whose external ID an earlier row
// of a one-row-per-record file already had; seen keeps the first lines.
func (s *sheet) repeated(r Row, id string, seen map[string]int) bool {
	if at, dup := seen[id]; dup && id != "" {
		s.bad(r.Line, "external_id", fmt.Sprintf("repeats line %d", at))
		return true
	}
	seen[id] = r.Line
	return false
}

// Customers reads a customer file. Rows sharing an external ID are one
// customer with one contact per row: the first row's customer columns
// hold, and a later row may leave them blank but not contradict them.
func Customers(t Table, check Checker) ([]Customer, []Problem) {
	l, problems := newLayout(KindCustomers, t.Header)
	if len(problems) > 0 {
		return nil, problems
	}
	s := &sheet{layout: l}
	var out []Customer
	byID := map[string]int{}
	for _, r := range t.Rows {
		id := s.externalID(r)
		in := customers.CreateInput{
			Name: s.cell(r, "name"), CreditCode: strings.ToUpper(s.cell(r, "credit_code")),
			Industry: s.cell(r, "industry"), Region: s.cell(r, "region"), Tier: strings.ToUpper(s.cell(r, "tier")),
		}
		var contact *customers.ContactInput
		if name := s.cell(r, "contact_name"); name != "" || s.cell(r, "contact_phone") != "" || s.cell(r, "contact_email") != "" {
			maySign, err := parseBool(s.cell(r, "contact_may_sign"), false)
			if err != nil {
				s.bad(r.Line, "contact_may_sign", err.Error())
			}
			contact = &customers.ContactInput{Name: name, Title: s.cell(r, "contact_title"), Phone: s.cell(r, "contact_phone"), Email: s.cell(r, "contact_email"), MaySign: maySign}
		}
		if at, seen := byID[id]; seen && id != "" {
			c := &out[at]
			for _, f := range []struct{ key, got, had string }{
				{"name", in.Name, c.Input.Name}, {"credit_code", in.CreditCode, c.Input.CreditCode},
				{"industry", in.Industry, c.Input.Industry}, {"region", in.Region, c.Input.Region},
				{"tier", in.Tier, c.Input.Tier}, {"owner", s.cell(r, "owner"), c.Owner},
			} {
				if f.got != "" && f.got != f.had {
					s.bad(r.Line, f.key, fmt.Sprintf("differs from line %d of the same external ID (%q)", c.Line, f.had))
				}
			}
			if contact == nil {
				s.bad(r.Line, "contact_name", fmt.Sprintf("repeats external ID %s of line %d without a contact", id, c.Line))
				continue
			}
			c.Input.Contacts = append(c.Input.Contacts, *contact)
			c.contactLines = append(c.contactLines, r.Line)
			continue
		}
		c := Customer{Line: r.Line, ExternalID: id, Owner: s.cell(r, "owner"), Input: in}
		if contact != nil {
			c.Input.Contacts = []customers.ContactInput{*contact}
			c.contactLines = []int{r.Line}
		}
		byID[id] = len(out)
		out = append(out, c)
	}
	for _, c := range out {
		s.fieldErrors(c.Line, check(&c.Input), func(field string) (string, int) {
			if rest, ok := strings.CutPrefix(field, "contacts["); ok {
				i, after, _ := strings.Cut(rest, "]")
				n, _ := strconv.Atoi(i)
				line := 0
				if n < len(c.contactLines) {
					line = c.contactLines[n]
				}
				return "contact_" + strings.TrimPrefix(after, "."), line
			}
			return field, 0
		})
		if c.Input.CreditCode != "" && len(c.Input.CreditCode) == 18 && !domain.ValidCreditCode(c.Input.CreditCode) {
			s.bad(c.Line, "credit_code", "is not a valid unified social credit code (check character mismatch)")
		}
	}
	return out, s.problems
}

// Products reads a product file; a product line named that does not exist
// yet is created with the import.
func Products(t Table, check Checker) ([]Product, []Problem) {
	l, problems := newLayout(KindProducts, t.Header)
	if len(problems) > 0 {
		return nil, problems
	}
	s := &sheet{layout: l}
	var out []Product
	seen := map[string]int{}
	for _, r := range t.Rows {
		id := s.externalID(r)
		if s.repeated(r, id, seen) {
			continue
		}
		currency := strings.ToUpper(s.cell(r, "currency"))
		if currency == "" {
			currency = domain.DefaultCurrency
		}
		p := Product{Line: r.Line, ExternalID: id, LineName: s.cell(r, "line"), Input: catalog.ProductInput{
			// The line is found or made when the file lands; a valid
			// placeholder lets the checker judge every other field.
			LineID: "00000000-0000-0000-0000-000000000000",
			Name:   s.cell(r, "name"), Unit: s.cell(r, "unit"), Currency: currency,
		}}
		if p.LineName == "" || len([]rune(p.LineName)) > 100 {
			s.bad(r.Line, "line", "is required, at most 100 characters")
		}
		if domain.ValidCurrency(currency) {
			price, err := parseAmount(s.cell(r, "list_price"), currency)
			if err != nil {
				s.bad(r.Line, "list_price", err.Error())
			} else {
				p.Input.ListPrice = &price
			}
		} else {
			s.bad(r.Line, "currency", "must be an ISO 4217 code such as CNY")
			p.Input.Currency = domain.DefaultCurrency
		}
		if bp, err := parseRate(s.cell(r, "tax_rate")); err != nil {
			s.bad(r.Line, "tax_rate", err.Error())
		} else {
			p.Input.TaxRateBP = &bp
		}
		active, err := parseBool(s.cell(r, "active"), true)
		if err != nil {
			s.bad(r.Line, "active", err.Error())
		}
		p.Input.Active = &active
		if p.Input.ListPrice != nil && p.Input.TaxRateBP != nil {
			s.fieldErrors(r.Line, check(&p.Input), func(field string) (string, int) {
				switch field {
				case "tax_rate_bp":
					return "tax_rate", 0
				case "line_id":
					return "line", 0
				}
				return field, 0
			})
		}
		out = append(out, p)
	}
	return out, s.problems
}
