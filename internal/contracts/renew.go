package contracts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/workflows"
)

// Renew drafts the successor of an auto-renewing contract: same customer,
// owner, template, lines, payment plan and obligations, moved on to the
// next term of the same length, linked to its predecessor, under the
// year's next number; and starts its workflow, which makes it active at
// once or submits it for approval, as the predecessor's renewal terms
// say. Asked again for the same predecessor it returns the same
// successor, so a retried activity renews once.
func (s *Service) Renew(ctx context.Context, pred domain.Contract, at time.Time) (string, error) {
	prev, err := s.previousDocument(ctx, pred.Number)
	if err != nil {
		return "", err
	}
	tpl, err := s.store.Template(ctx, prev.TemplateID, prev.TemplateVersion)
	if err != nil {
		return "", err
	}
	oldStart, err1 := domain.ParseDate(pred.StartDate)
	oldEnd, err2 := domain.ParseDate(pred.EndDate)
	if err := errors.Join(err1, err2); err != nil {
		return "", fmt.Errorf("term of %s: %w", pred.Number, err)
	}
	start := oldEnd.AddDate(0, 0, 1)
	shift := start.Sub(oldStart)
	end := start.Add(oldEnd.Sub(oldStart))
	moved := func(date string) string {
		d, _ := domain.ParseDate(date)
		return d.Add(shift).Format(domain.DateLayout)
	}
	build := func(number string) (store.Draft, error) {
		in := prev.Input
		in.Number, in.StartDate, in.EndDate = number, start.Format(domain.DateLayout), end.Format(domain.DateLayout)
		expires, err := domain.ExpiryInstant(in.EndDate, s.loc)
		if err != nil {
			return store.Draft{}, err
		}
		c := pred
		c.Number, c.StartDate, c.EndDate, c.ExpiresAt = number, in.StartDate, in.EndDate, expires
		c.CreatedAt = at.UTC().Truncate(time.Microsecond)
		c.PredecessorNumber, c.SuccessorNumber = pred.Number, ""
		c.Plan = make([]domain.Milestone, len(pred.Plan))
		for i, m := range pred.Plan {
			due := moved(m.DueDate)
			dueAt, _ := domain.ExpiryInstant(due, s.loc)
			c.Plan[i] = domain.Milestone{ID: uuid.NewSHA1(milestoneSpace, []byte(fmt.Sprintf("%s/v1/m%d", number, m.Seq))).String(),
				Seq: m.Seq, Title: m.Title, Amount: m.Amount, DueDate: due, DueAt: dueAt}
		}
		c.Obligations = make([]domain.Obligation, len(pred.Obligations))
		for i, o := range pred.Obligations {
			due := moved(o.DueDate)
			dueAt, _ := domain.ExpiryInstant(due, s.loc)
			c.Obligations[i] = domain.Obligation{ID: fmt.Sprintf("%s-V1-O%d", number, o.Seq), Seq: o.Seq, Title: o.Title,
				OwnerID: o.OwnerID, OwnerName: o.OwnerName, DueDate: due, DueAt: dueAt}
		}
		withSchedules(&in, c)
		doc, err := document.Render(tpl, in)
		if err != nil {
			return store.Draft{}, err
		}
		c.DocumentSHA256 = doc.SHA256
		created, _ := workflows.Created(c)
		return store.Draft{Contract: c, Lines: in.Lines, Document: doc, Created: created}, nil
	}
	startFn := func(d store.Draft) (json.RawMessage, error) {
		return json.Marshal(workflows.ContractInput{
			Contract: d.Contract, RenewalOf: &workflows.RenewalStart{Predecessor: pred.Number, ThroughApproval: pred.Renewal.ThroughApproval},
		})
	}
	// The key makes a retried renewal (its activity's next attempt) the
	// same successor, started if an earlier attempt stopped before it.
	res, err := s.store.CreateDraft(ctx, at.In(s.loc).Year(), pred.OwnerID, "renewal/"+pred.Number, build, startFn)
	if err != nil {
		return "", workflows.Error(err)
	}
	if err := s.startReserved(ctx, res); err != nil {
		return "", err
	}
	number := res.Number
	return number, nil
}
