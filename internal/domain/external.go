package domain

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// ExternalID is the key another system (a CRM, an ERP, a spreadsheet)
// knows a customer, contact, product or contract by: unique per source
// and kind, at most one per source on each entity.
type ExternalID struct {
	Source string `json:"source" validate:"required,external_source"`
	ID     string `json:"id" validate:"required,external_id"`
}

// MaxExternalIDLength bounds an external ID, in characters.
const MaxExternalIDLength = 128

var sourcePattern = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// ValidExternalSource reports whether s names a source system: 1 to 32
// lower-case letters, digits, '_' or '-', so it reads plainly in a URL.
func ValidExternalSource(s string) bool { return sourcePattern.MatchString(s) }

// ValidExternalID reports whether s may be an external ID: 1 to 128
// characters of UTF-8 on one line. Anything else goes ('/', spaces,
// Chinese): the other system chose it.
func ValidExternalID(s string) bool {
	n := utf8.RuneCountInString(s)
	return n >= 1 && n <= MaxExternalIDLength && utf8.ValidString(s) && SingleLine(s)
}

// ExternalSourceRule and ExternalIDRule say what the two must look like,
// for the refusals that name them.
const (
	ExternalSourceRule = "must be 1 to 32 lower-case letters, digits, '_' or '-'"
	ExternalIDRule     = "must be 1 to 128 characters on one line"
)

// CheckExternalIDs checks the external IDs an entity is given under
// field: each well formed, at most one per source.
func CheckExternalIDs(field string, ids []ExternalID) error {
	verr := &ValidationError{}
	seen := map[string]bool{}
	for i, x := range ids {
		at := fmt.Sprintf("%s[%d]", field, i)
		if !ValidExternalSource(x.Source) {
			verr.Add(at+".source", ExternalSourceRule)
		}
		if !ValidExternalID(x.ID) {
			verr.Add(at+".id", ExternalIDRule)
		}
		if seen[x.Source] {
			verr.Add(at+".source", "repeats a source: an entity has one ID per source")
		}
		seen[x.Source] = true
	}
	return verr.OrNil()
}

// WithExternalID adds x to ids unless ids has it already; another ID
// from x's source is refused (the body and the path must agree).
func WithExternalID(ids []ExternalID, x ExternalID) ([]ExternalID, error) {
	verr := &ValidationError{}
	if !ValidExternalSource(x.Source) {
		verr.Add("source", ExternalSourceRule)
	}
	if !ValidExternalID(x.ID) {
		verr.Add("external_id", ExternalIDRule)
	}
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	for i, have := range ids {
		if have.Source == x.Source {
			if have.ID != x.ID {
				return nil, &ValidationError{Fields: []FieldError{{Field: fmt.Sprintf("external_ids[%d].id", i), Message: "differs from the ID in the path for source " + x.Source}}}
			}
			return ids, nil
		}
	}
	return append([]ExternalID{x}, ids...), nil
}

// MergeExternalIDs is have with add laid over it: add's ID wins for a
// source both have; have's other sources stay.
func MergeExternalIDs(have, add []ExternalID) []ExternalID {
	out := slices.Clone(add)
	for _, h := range have {
		if !slices.ContainsFunc(add, func(x ExternalID) bool { return x.Source == h.Source }) {
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b ExternalID) int { return strings.Compare(a.Source, b.Source) })
	if out == nil {
		out = []ExternalID{}
	}
	return out
}
