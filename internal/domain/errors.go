package domain

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// Errors the application services return; the API maps each to one status.
var (
	ErrNotFound      = errors.New("not found")
	ErrUnauthorized  = errors.New("unauthorized")
	ErrForbidden     = errors.New("your role may not do this")
	ErrUnavailable   = errors.New("a backing service is unavailable")
	ErrAlreadyExists = errors.New("already exists")
	// ErrGone is a signing link that was used, voided or has expired.
	ErrGone = errors.New("this link is no longer valid")
)

// FieldError names one field of a request and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError is bad input: one or more fields are wrong. NotFound
// marks fields that name something that does not exist (a customer, a
// product, a template): the API answers 404 with the same field list.
type ValidationError struct {
	Fields   []FieldError
	NotFound bool
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid request: " + strings.Join(parts, "; ")
}

// Add records a field error.
func (e *ValidationError) Add(field, message string) {
	e.Fields = append(e.Fields, FieldError{Field: field, Message: message})
}

// OrNil returns e if it holds any field error, else nil.
func (e *ValidationError) OrNil() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// RefusalKind classifies why a contract refused a request.
type RefusalKind string

// Refusal kinds; each maps to one HTTP status.
const (
	RefusedForbidden RefusalKind = "Forbidden"     // 403: the caller may not do this
	RefusedConflict  RefusalKind = "InvalidState"  // 409: not in this state
	RefusedNotFound  RefusalKind = "NotFound"      // 404: no such task or signer
	RefusedInvalid   RefusalKind = "InvalidAction" // 422: well-formed but not acceptable
)

// Refusal is a contract's reasoned "no" to a decision.
type Refusal struct {
	Kind    RefusalKind
	Message string
}

func (r *Refusal) Error() string { return string(r.Kind) + ": " + r.Message }

// RetryLater refuses a request that may be made again after a while (a
// one-time code asked for inside its cooldown): 429 with Retry-After.
type RetryLater struct {
	Message string
	After   time.Duration
}

func (e *RetryLater) Error() string { return e.Message }

// InvalidField is a ValidationError naming one field and what is wrong
// with it.
func InvalidField(field, msg string) error {
	return &ValidationError{Fields: []FieldError{{Field: field, Message: msg}}}
}

// PlausibleKey reports whether s can name a stored object at all: at most
// 200 bytes of valid UTF-8 without NUL, which PostgreSQL can compare. A
// key that cannot is simply not found, rather than a database error.
func PlausibleKey(s string) bool {
	return len(s) <= 200 && utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// Throttled refuses an attempt until a moment: too many failed sign-ins
// in a row. The API answers 429 with Retry-After.
type Throttled struct {
	Until time.Time
}

func (t *Throttled) Error() string {
	return "too many failed attempts; try again after " + t.Until.UTC().Format(time.RFC3339)
}
