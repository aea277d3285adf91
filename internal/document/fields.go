package document

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/signet-clm/signet/internal/domain"
)

// FieldError is one fill-in value a template refuses.
type FieldError = domain.FieldError

// ResolveFields checks the drafter's values against the template's fields
// and returns each field's display text. A field with an auto-fill source
// takes its value from there and refuses one from the drafter; a required
// field still empty is an error. Values for names the template lacks are
// refused.
func ResolveFields(t Template, given map[string]json.RawMessage, auto map[string]string, currency string) (map[string]string, []FieldError) {
	out := map[string]string{}
	var errs []FieldError
	known := map[string]bool{}
	for _, f := range t.Fields {
		known[f.Name] = true
		path := "fields." + f.Name
		raw, ok := given[f.Name]
		if f.Source != "" {
			switch v := auto[f.Source]; {
			case ok && string(raw) != "null":
				errs = append(errs, FieldError{Field: path, Message: fmt.Sprintf("is filled in from %s and cannot be set", f.Source)})
			case v != "":
				out[f.Name] = v
			case f.Required:
				errs = append(errs, FieldError{Field: path, Message: fmt.Sprintf("is required and filled in from %s, which is empty", f.Source)})
			}
			continue
		}
		if !ok || string(raw) == "null" {
			if f.Required {
				errs = append(errs, FieldError{Field: path, Message: "is required"})
			}
			continue
		}
		v, msg := resolve(f, raw, t.Language, currency)
		if msg != "" {
			errs = append(errs, FieldError{Field: path, Message: msg})
			continue
		}
		out[f.Name] = v
	}
	for name := range given {
		if !known[name] {
			errs = append(errs, FieldError{Field: "fields." + name, Message: "is not a field of this template"})
		}
	}
	return out, errs
}

func resolve(f Field, raw json.RawMessage, lang, currency string) (string, string) {
	switch f.Type {
	case FieldMoney, FieldInteger:
		var n int64
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", "must be a whole number within range"
		}
		if f.Min != nil && n < *f.Min {
			return "", fmt.Sprintf("must be at least %d", *f.Min)
		}
		if f.Max != nil && n > *f.Max {
			return "", fmt.Sprintf("must be at most %d", *f.Max)
		}
		if f.Type == FieldMoney {
			if n < 0 || n > domain.MaxAmount {
				return "", "must be between 0 and the largest amount"
			}
			return FormatMoney(domain.Money{Amount: n, Currency: currency}, lang), ""
		}
		return fmt.Sprint(n), ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", "must be a string"
	}
	s = strings.TrimSpace(s)
	if f.Multiline && f.Type == FieldText {
		var ok bool
		if s, ok = domain.Paragraph(s); !ok {
			return "", "must not contain control characters"
		}
	} else if !domain.SingleLine(s) {
		return "", "must be one line without line breaks or control characters"
	}
	if domain.LooksLikeHeading(s) {
		return "", "must not start like a clause heading or the contract number"
	}
	switch f.Type {
	case FieldDate:
		if _, err := domain.ParseDate(s); err != nil {
			return "", "must be a date YYYY-MM-DD"
		}
		return FormatDate(s, lang), ""
	case FieldChoice:
		for _, c := range f.Choices {
			if c == s {
				return s, ""
			}
		}
		return "", "must be one of: " + strings.Join(f.Choices, ", ")
	}
	if f.Required && s == "" {
		return "", "is required"
	}
	limit := f.MaxLength
	if limit == 0 {
		limit = 2000
	}
	if utf8.RuneCountInString(s) > limit {
		return "", fmt.Sprintf("must be at most %d characters", limit)
	}
	return s, ""
}
