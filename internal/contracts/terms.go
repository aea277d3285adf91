package contracts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/signet-clm/signet/internal/domain"
)

// MilestoneInput is one payment milestone of the plan a drafter defines.
type MilestoneInput struct {
	Title   string `json:"title" validate:"required,max=200,singleline"`
	Amount  int64  `json:"amount" validate:"gt=0,amount"`
	DueDate string `json:"due_date" validate:"required,date"`
}

// ObligationInput is one deliverable; its owner defaults to the drafter.
type ObligationInput struct {
	Title   string `json:"title" validate:"required,max=200,singleline"`
	OwnerID string `json:"owner_id" validate:"max=64"`
	DueDate string `json:"due_date" validate:"required,date"`
}

// RenewalInput says what happens at the end of the term. Without notice
// days, the owner hears 90, 30 and 7 days ahead (those the term allows).
type RenewalInput struct {
	AutoRenew       bool  `json:"auto_renew"`
	ThroughApproval bool  `json:"through_approval"`
	NoticeDays      []int `json:"notice_days" validate:"max=10,unique,dive,min=1,max=3650"`
}

// maxPlan bounds a payment plan and an obligation list.
const maxPlan = 120

// termsPlan is the checked payment plan, obligations and renewal terms.
type termsPlan struct {
	plan        []MilestoneInput
	obligations []domain.Obligation
	renewal     domain.Renewal
}

// checkTerms checks a draft's payment plan (inside the term, adding up to
// total), obligations (inside the term, owned by an active user) and
// renewal notices (none longer than the term).
func (s *Service) checkTerms(ctx context.Context, u domain.User, in *CreateInput, total int64, verr *domain.ValidationError) (termsPlan, error) {
	var t termsPlan
	start, errS := domain.ParseDate(in.StartDate)
	end, errE := domain.ParseDate(in.EndDate)
	if errS != nil || errE != nil {
		return t, nil // the dates are reported already
	}
	inTerm := func(field, date string) {
		if d, err := domain.ParseDate(date); err == nil && (d.Before(start) || d.After(end)) {
			verr.Add(field, fmt.Sprintf("must be within the term %s to %s", in.StartDate, in.EndDate))
		}
	}
	if len(in.PaymentPlan) > maxPlan {
		verr.Add("payment_plan", fmt.Sprintf("must have at most %d milestones", maxPlan))
	}
	amounts := make([]int64, len(in.PaymentPlan))
	bounded := true
	for i, m := range in.PaymentPlan {
		inTerm(fmt.Sprintf("payment_plan[%d].due_date", i), m.DueDate)
		if m.Amount <= 0 || !domain.ValidAmount(m.Amount) {
			verr.Add(fmt.Sprintf("payment_plan[%d].amount", i), fmt.Sprintf("must be from 1 to %d minor units", domain.MaxAmount))
			bounded = false
		}
		amounts[i] = m.Amount
	}
	// A checked sum: milestones that wrap int64 round to the total never
	// pass as adding up.
	sum, err := domain.SumAmounts(amounts...)
	switch {
	case len(in.PaymentPlan) == 0 || !bounded:
	case err != nil:
		verr.Add("payment_plan", fmt.Sprintf("adds up to more than the contract total %s",
			domain.Money{Amount: total, Currency: in.Currency}))
	case sum != total:
		verr.Add("payment_plan", fmt.Sprintf("adds up to %s; the contract total is %s",
			domain.Money{Amount: sum, Currency: in.Currency}, domain.Money{Amount: total, Currency: in.Currency}))
	}
	t.plan = in.PaymentPlan

	if len(in.Obligations) > maxPlan {
		verr.Add("obligations", fmt.Sprintf("must have at most %d obligations", maxPlan))
	}
	for i, o := range in.Obligations {
		field := fmt.Sprintf("obligations[%d]", i)
		inTerm(field+".due_date", o.DueDate)
		owner := u
		if o.OwnerID != "" && o.OwnerID != u.ID {
			var err error
			owner, err = s.store.User(ctx, o.OwnerID)
			if errors.Is(err, domain.ErrNotFound) {
				verr.Add(field+".owner_id", "no such user")
				continue
			} else if err != nil {
				return t, err
			}
		}
		t.obligations = append(t.obligations, domain.Obligation{Seq: i + 1, Title: o.Title, OwnerID: owner.ID, OwnerName: owner.Name, DueDate: o.DueDate})
	}

	termDays := int(end.Sub(start).Hours()/24) + 1
	t.renewal = domain.Renewal{NoticeDays: []int{}}
	if r := in.Renewal; r != nil {
		t.renewal.AutoRenew, t.renewal.ThroughApproval = r.AutoRenew, r.ThroughApproval
		for i, d := range r.NoticeDays {
			if d >= termDays {
				verr.Add(fmt.Sprintf("renewal.notice_days[%d]", i), fmt.Sprintf("is not shorter than the term (%d days)", termDays))
			}
		}
		t.renewal.NoticeDays = append(t.renewal.NoticeDays, r.NoticeDays...)
	}
	if in.Renewal == nil || in.Renewal.NoticeDays == nil {
		for _, d := range domain.DefaultNoticeDays {
			if d < termDays {
				t.renewal.NoticeDays = append(t.renewal.NoticeDays, d)
			}
		}
	}
	slices.SortFunc(t.renewal.NoticeDays, func(a, b int) int { return b - a })
	return t, nil
}

// milestoneSpace derives milestone IDs from the contract number, version
// and place in the plan, so a revised plan keeps its milestones' identity.
var milestoneSpace = uuid.MustParse("6f1c1e8e-2a51-4f0e-9c1d-5d0c3a7e9b21")

// applyTerms puts the checked terms on version version of the contract
// numbered c.Number, with the instants their due dates end in loc.
func applyTerms(c *domain.Contract, version int, t termsPlan, loc *time.Location) error {
	c.Plan = make([]domain.Milestone, len(t.plan))
	for i, m := range t.plan {
		due, err := domain.ExpiryInstant(m.DueDate, loc)
		if err != nil {
			return err
		}
		c.Plan[i] = domain.Milestone{ID: uuid.NewSHA1(milestoneSpace, []byte(fmt.Sprintf("%s/v%d/m%d", c.Number, version, i+1))).String(),
			Seq: i + 1, Title: m.Title, Amount: m.Amount, DueDate: m.DueDate, DueAt: due}
	}
	c.Obligations = make([]domain.Obligation, len(t.obligations))
	for i, o := range t.obligations {
		due, err := domain.ExpiryInstant(o.DueDate, loc)
		if err != nil {
			return err
		}
		o.ID, o.DueAt = fmt.Sprintf("%s-V%d-O%d", c.Number, version, o.Seq), due
		c.Obligations[i] = o
	}
	c.Renewal = t.renewal
	return nil
}
