package reports

import (
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// Sums of money over contracts are numeric in SQL and scanned through
// store.Sum (see internal/store/sums.go); totals added up in Go are
// checked the same way.
var sums = store.Sums

// sum scans one numeric sum.
type sum = store.Sum

// add adds b into a, refusing a total beyond int64 as store.Sum does.
func add(a *int64, b int64) error {
	v, err := domain.AddAmounts(*a, b)
	if err != nil {
		return store.ErrTotalTooLarge
	}
	*a = v
	return nil
}
