package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/notify"
)

// Notifier writes notices to the notification outbox, keyed so that
// writing one again delivers it once.
type Notifier interface {
	Notify(ctx context.Context, notices []notify.Notice, at time.Time) error
}

// Renewer creates a contract's successor and starts its workflow; asked
// again for the same contract, it returns the same successor.
type Renewer interface {
	Renew(ctx context.Context, predecessor domain.Contract, at time.Time) (string, error)
}

// NotifyInput is what a contract's dates call for: which reminders and
// alerts are due, not their words (notify words them here).
type NotifyInput struct {
	Contract notify.ContractSummary `json:"contract"`
	Due      []notify.Due           `json:"due"`
	At       time.Time              `json:"at"`
}

// Notices words the input's due notices.
func (in NotifyInput) Notices() []notify.Notice {
	var out []notify.Notice
	for _, d := range in.Due {
		out = append(out, d.Notices(in.Contract)...)
	}
	return out
}

// Notify sends a signed contract's reminders and alerts through the
// outbox.
func (a *Activities) Notify(ctx context.Context, in NotifyInput) error {
	notices := in.Notices()
	if err := a.Notifier.Notify(ctx, notices, in.At); err != nil {
		return fmt.Errorf("notify %d notices: %w", len(notices), err)
	}
	return nil
}

// RenewInput is a contract whose term ends into a successor.
type RenewInput struct {
	Contract domain.Contract `json:"contract"`
	Version  int             `json:"version"`
	At       time.Time       `json:"at"`
}

// RenewResult names the successor.
type RenewResult struct {
	Successor string `json:"successor"`
}

// Renew drafts the successor of an auto-renewing contract (same customer
// and terms, the next term) and starts its workflow.
func (a *Activities) Renew(ctx context.Context, in RenewInput) (RenewResult, error) {
	n, err := a.Renewer.Renew(ctx, in.Contract, in.At)
	if err != nil {
		return RenewResult{}, fmt.Errorf("renew %s: %w", in.Contract.Number, err)
	}
	return RenewResult{Successor: n}, nil
}
