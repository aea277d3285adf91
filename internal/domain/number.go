package domain

import (
	"fmt"
	"regexp"
	"time"
)

var contractNumberPattern = regexp.MustCompile(`^HT-\d{4}-\d{6}$`)

// FormatContractNumber renders the human contract number for the seq-th
// contract of a year, e.g. HT-2026-000123.
func FormatContractNumber(year, seq int) string {
	return fmt.Sprintf("HT-%04d-%06d", year, seq)
}

// ValidContractNumber reports whether s has the shape of a contract number.
func ValidContractNumber(s string) bool {
	return contractNumberPattern.MatchString(s)
}

// DateLayout is how calendar dates travel in JSON and payloads.
const DateLayout = time.DateOnly

// ParseDate parses a calendar date (YYYY-MM-DD).
func ParseDate(s string) (time.Time, error) {
	return time.Parse(DateLayout, s)
}

// ExpiryInstant is the moment a contract whose last day is endDate expires:
// the midnight that ends endDate in loc.
func ExpiryInstant(endDate string, loc *time.Location) (time.Time, error) {
	d, err := ParseDate(endDate)
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc).UTC(), nil
}
