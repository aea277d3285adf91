package store

import (
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/signet-clm/signet/internal/domain"
)

// Sums of money over many rows are taken in numeric (PostgreSQL's sum of
// bigint is numeric; a cast back to bigint is what overflows) and scanned
// through Sum, which answers a total beyond int64 with ErrTotalTooLarge,
// a refusal (422), rather than failing the query as an outage. Every
// amount is at most domain.MaxAmount, so such a total takes thousands of
// contracts at the limit in one currency.

// ErrTotalTooLarge refuses a total that does not fit in int64.
var ErrTotalTooLarge = &domain.Refusal{Kind: domain.RefusedInvalid,
	Message: "the amounts add up to more than one figure can hold; narrow the selection (customer, owner, dates)"}

// Sum scans a numeric sum into Dst; NULL is 0.
type Sum struct{ Dst *int64 }

// ScanNumeric implements pgtype.NumericScanner.
func (s Sum) ScanNumeric(v pgtype.Numeric) error {
	if !v.Valid {
		*s.Dst = 0
		return nil
	}
	n, err := v.Int64Value()
	if err != nil || !n.Valid {
		return ErrTotalTooLarge
	}
	*s.Dst = n.Int64
	return nil
}

// Sums are scan targets for dsts, in order.
func Sums(dsts ...*int64) []any {
	out := make([]any, len(dsts))
	for i, d := range dsts {
		out[i] = Sum{d}
	}
	return out
}
