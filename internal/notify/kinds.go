package notify

import (
	"slices"
	"sync"

	"github.com/signet-clm/signet/internal/domain"
)

// UserKinds is every kind of notice a user can be sent, sorted: what
// notification settings may subscribe a target to, one kind alone or
// several. Mail to a signer's address (a link, a code, a company signer's
// turn) goes to that address whatever is chosen, so it is not here.
func UserKinds() []string {
	userKindsOnce.Do(func() {
		kinds := []string{KindTaskOpen, KindTaskReminder, KindTaskEscalated, KindDigest,
			KindPaymentDue, KindPaymentOverdue, KindObligationDue, KindObligationOverdue, KindRenewalNotice,
			kindContract + domain.EventSigned, KindEvents}
		for event := range contractNews {
			kinds = append(kinds, kindContract+event)
		}
		slices.Sort(kinds)
		userKinds = slices.Compact(kinds)
	})
	return slices.Clone(userKinds)
}

// IsUserKind reports whether kind is one of UserKinds.
func IsUserKind(kind string) bool {
	UserKinds()
	_, found := slices.BinarySearch(userKinds, kind)
	return found
}

var (
	userKindsOnce sync.Once
	userKinds     []string
)
