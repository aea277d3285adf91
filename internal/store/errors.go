package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/signet-clm/signet/internal/domain"
)

// Error is a store failure, classified where it happens so that callers
// only add context (fmt.Errorf("...: %w", err)) and the API maps it to one
// status. errors.Is and errors.As see both its Kind and the driver's error.
type Error struct {
	// Op says what the store was doing ("contract HT-2026-000001").
	Op string
	// Kind is domain.ErrNotFound, domain.ErrAlreadyExists (with
	// ErrDuplicate), domain.ErrUnavailable or a *domain.ValidationError.
	Kind error
	// Err is the underlying error (pgx, pgconn, context).
	Err error
	// Constraint names the unique key a duplicate took ("users_email_key").
	Constraint string
}

// TakenKey names the unique constraint err violated, or "" when err is no
// duplicate; callers turn it into the field at fault.
func TakenKey(err error) string {
	var se *Error
	for errors.As(err, &se) {
		if se.Constraint != "" {
			return se.Constraint
		}
		err = se.Err
	}
	return ""
}

func (e *Error) Error() string {
	if e.Op == "" {
		return e.Err.Error()
	}
	return e.Op + ": " + e.Err.Error()
}

// Unwrap exposes the kind and the cause.
func (e *Error) Unwrap() []error {
	if errors.Is(e.Kind, domain.ErrAlreadyExists) {
		return []error{e.Kind, ErrDuplicate, e.Err}
	}
	return []error{e.Kind, e.Err}
}

// ErrDuplicate is in the chain of every unique-key violation (a credit
// code, a name, an ID taken), beside domain.ErrAlreadyExists.
var ErrDuplicate = errors.New("duplicate")

// wrap is how every store method returns a failure: op for context and
// the failure classified once:
//   - no row: domain.ErrNotFound
//   - a unique key taken (23505): domain.ErrAlreadyExists and ErrDuplicate
//   - bad data (SQLSTATE class 22: a date, a number, a string PostgreSQL
//     cannot take): a *domain.ValidationError, which the API answers 400
//   - anything else from PostgreSQL or the connection (classes 08, 57P,
//     53, 40, a refused connection, a deadline): domain.ErrUnavailable
//
// An error the store already classified (a domain error, a refusal, one of
// the store's own sentinels) keeps its meaning and only gains op.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if classified(err) {
		if op == "" {
			return err
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	e := &Error{Op: op, Kind: kindOf(err), Err: err}
	var pg *pgconn.PgError
	if errors.Is(e.Kind, domain.ErrAlreadyExists) && errors.As(err, &pg) {
		e.Constraint = pg.ConstraintName
	}
	return e
}

// Classify classifies a store failure without adding context; errors the
// store returns are classified already, so this only matters for errors
// from elsewhere that reach PostgreSQL directly.
func Classify(err error) error { return wrap("", err) }

// kindOf is what a PostgreSQL or connection failure means to a caller.
func kindOf(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.ErrNotFound
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "23505":
			return domain.ErrAlreadyExists
		case strings.HasPrefix(pg.Code, "22"):
			field := pg.ColumnName
			if field == "" {
				field = "request"
			}
			return &domain.ValidationError{Fields: []domain.FieldError{{Field: field, Message: dataProblem(pg.Code)}}}
		}
	}
	// Connection refused or dropped, the server shutting down (08, 57P),
	// out of resources (53), a deadline or cancellation, a serialisation
	// failure (40), and anything else the database could not do: retry
	// later.
	return domain.ErrUnavailable
}

// sentinels are the store's own reasons, which callers test with
// errors.Is and which keep their meaning through wrap.
var sentinels = []error{
	domain.ErrNotFound, domain.ErrAlreadyExists, domain.ErrUnavailable, domain.ErrForbidden,
	domain.ErrUnauthorized, domain.ErrGone,
	ErrCodeLocked, ErrManagerCycle, ErrMilestoneInUse, ErrBadPlan,
}

// classified reports whether err already says what it means.
func classified(err error) bool {
	var se *Error
	var verr *domain.ValidationError
	var refusal *domain.Refusal
	var later *domain.RetryLater
	if errors.As(err, &se) || errors.As(err, &verr) || errors.As(err, &refusal) || errors.As(err, &later) {
		return true
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// dataProblem says what is wrong with a value PostgreSQL refused (SQLSTATE
// class 22) without repeating the server's text to the client.
func dataProblem(code string) string {
	switch code {
	case "22001":
		return "is too long"
	case "22003":
		return "is out of range"
	case "22007", "22008":
		return "is not a valid date or time"
	case "22P02":
		return "is not in a valid form"
	default:
		return "is not a valid value"
	}
}
