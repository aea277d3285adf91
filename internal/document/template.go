// Package document holds contract templates and the pure rendering of a
// contract to its canonical document: plain text, whose SHA-256 is what gets
// approved and signed, and the same content as HTML for people.
package document

import (
	"fmt"
	"regexp"
	"slices"
)

// FieldType is the type of a template's fill-in field.
type FieldType string

// Field types.
const (
	FieldText    FieldType = "text"
	FieldMoney   FieldType = "money"   // minor units of the contract currency
	FieldDate    FieldType = "date"    // YYYY-MM-DD
	FieldInteger FieldType = "integer" // whole number
	FieldChoice  FieldType = "choice"  // one of Choices
	FieldParty   FieldType = "party"   // a party's name
)

// Auto-fill sources a field may name; the value always comes from the
// contract's customer, contact, owner, company or line items, never from
// the drafter, so a party cannot be renamed in the signed text.
const (
	SourceCustomerName       = "customer.name"
	SourceCustomerCreditCode = "customer.credit_code"
	SourceContactName        = "contact.name"
	SourceOwnerName          = "owner.name"
	SourceCompanyName        = "company.name"
	SourceContractTotal      = "contract.total"
)

var sources = []string{SourceCustomerName, SourceCustomerCreditCode, SourceContactName, SourceOwnerName, SourceCompanyName, SourceContractTotal}

// Field is one typed blank a drafter fills.
type Field struct {
	Name      string    `json:"name" validate:"required,max=64"`
	Label     string    `json:"label" validate:"required,max=200"`
	Type      FieldType `json:"type" validate:"required,oneof=text money date integer choice party"`
	Required  bool      `json:"required"`
	Choices   []string  `json:"choices,omitempty" validate:"omitempty,max=50,dive,required,max=200"`
	Min       *int64    `json:"min,omitempty"`
	Max       *int64    `json:"max,omitempty"`
	MaxLength int       `json:"max_length,omitempty" validate:"gte=0,lte=10000"`
	// Multiline text may hold line breaks; it renders as one paragraph.
	// Other text is one line.
	Multiline bool   `json:"multiline,omitempty"`
	Source    string `json:"source,omitempty" validate:"max=64"`
}

// Clause is one numbered clause. A fixed clause is always in the document
// and nobody may change its text; an optional one is in it when the drafter
// includes it. Bodies may hold {{placeholders}}. A clause taken from the
// clause library names it in Library; saving the template copies the
// library's text (and version) in.
type Clause struct {
	ID             string `json:"id" validate:"required,max=64"`
	Title          string `json:"title" validate:"required_without=Library,max=200,singleline"`
	Body           string `json:"body" validate:"required_without=Library,max=20000"`
	Optional       bool   `json:"optional"`
	Library        string `json:"library,omitempty" validate:"max=64"`
	LibraryVersion int    `json:"library_version,omitempty"`
}

// LibraryClause is one version of a clause in the clause library.
type LibraryClause struct {
	ID       string `json:"id" validate:"required,max=64"`
	Version  int    `json:"version"`
	Title    string `json:"title" validate:"required,max=200,singleline"`
	Body     string `json:"body" validate:"required,max=20000"`
	Language string `json:"language" validate:"required,oneof=zh en"`
}

// Template is one version of a contract template.
type Template struct {
	ID       string   `json:"id" validate:"required,max=64"`
	Version  int      `json:"version"`
	Name     string   `json:"name" validate:"required,max=200"`
	Language string   `json:"language" validate:"required,oneof=zh en"`
	Clauses  []Clause `json:"clauses" validate:"required,min=1,max=200,dive"`
	Fields   []Field  `json:"fields" validate:"max=200,dive"`
}

// Placeholders every document offers besides the template's own fields.
const (
	PlaceholderNumber    = "contract.number"
	PlaceholderTitle     = "contract.title"
	PlaceholderStartDate = "contract.start_date"
	PlaceholderEndDate   = "contract.end_date"
)

var (
	placeholderPattern = regexp.MustCompile(`\{\{\s*([a-z0-9_.]+)\s*\}\}`)
	namePattern        = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// Check reports what is wrong with a template beyond its struct tags: names,
// duplicate IDs, choices, sources and placeholders that name nothing.
func (t Template) Check() []string {
	var problems []string
	fields := map[string]bool{}
	for i, f := range t.Fields {
		switch {
		case !namePattern.MatchString(f.Name):
			problems = append(problems, fmt.Sprintf("fields[%d].name: must be lower_snake_case", i))
		case fields[f.Name]:
			problems = append(problems, fmt.Sprintf("fields[%d].name: %q is used twice", i, f.Name))
		}
		fields[f.Name] = true
		if (f.Type == FieldChoice) != (len(f.Choices) > 0) {
			problems = append(problems, fmt.Sprintf("fields[%d].choices: a choice field needs choices and only it may have them", i))
		}
		if f.Source != "" && !slices.Contains(sources, f.Source) {
			problems = append(problems, fmt.Sprintf("fields[%d].source: must be one of %v", i, sources))
		}
	}
	clauses := map[string]bool{}
	for i, c := range t.Clauses {
		if clauses[c.ID] {
			problems = append(problems, fmt.Sprintf("clauses[%d].id: %q is used twice", i, c.ID))
		}
		clauses[c.ID] = true
		for _, m := range placeholderPattern.FindAllStringSubmatch(c.Body+c.Title, -1) {
			if !fields[m[1]] && !builtin(m[1]) {
				problems = append(problems, fmt.Sprintf("clauses[%d].body: placeholder {{%s}} names no field", i, m[1]))
			}
		}
	}
	return problems
}

func builtin(name string) bool {
	switch name {
	case PlaceholderNumber, PlaceholderTitle, PlaceholderStartDate, PlaceholderEndDate:
		return true
	}
	return slices.Contains(sources, name)
}

// Clause returns the clause with this ID.
func (t Template) Clause(id string) (Clause, bool) {
	for _, c := range t.Clauses {
		if c.ID == id {
			return c, true
		}
	}
	return Clause{}, false
}
