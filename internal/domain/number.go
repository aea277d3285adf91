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
	d, err := time.Parse(DateLayout, s)
	if err == nil && d.Year() < MinYear {
		return time.Time{}, fmt.Errorf("date %q: year before %d", s, MinYear)
	}
	return d, err
}

// MinYear is the earliest year a contract date may name: year 0 and
// the like are typing errors, and PostgreSQL and Go disagree about them.
const MinYear = 1000

// MaxVersion is the largest version number (of a contract, template or
// policy) a client may name: PostgreSQL stores them as integer.
const MaxVersion = 1<<31 - 1

// ExpiryInstant is the moment a contract whose last day is endDate expires:
// the midnight that ends endDate in loc.
func ExpiryInstant(endDate string, loc *time.Location) (time.Time, error) {
	d, err := ParseDate(endDate)
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc).UTC(), nil
}
