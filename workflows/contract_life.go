package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/notify"
)

// Updates of a signed contract.
const (
	// UpdateRecordInvoice records an invoice against a milestone (finance).
	UpdateRecordInvoice = "record_invoice"
	// UpdateRecordPayment records money received against a milestone
	// (finance); more than is outstanding is refused.
	UpdateRecordPayment = "record_payment"
	// UpdateObligation reports an obligation's progress, or completes it
	// with its evidence.
	UpdateObligation = "update_obligation"
	// UpdateArchive freezes a completed or terminated contract.
	UpdateArchive = "archive"
	// UpdateReverseInvoice and UpdateReversePayment correct an invoice or
	// a payment by a reversing entry (红冲, finance): the original stays,
	// marked reversed, and the milestone's totals drop by its amount.
	UpdateReverseInvoice = "reverse_invoice"
	UpdateReversePayment = "reverse_payment"
)

// Timing of a signed contract's notices.
const (
	// PaymentReminderDays is how long before a due date its reminder goes.
	PaymentReminderDays = 7
	// OverdueEvery is how often an unpaid or undone item is reported
	// again once overdue.
	OverdueEvery = 7 * 24 * time.Hour
	// noticeHour is the local hour notices go out on their day (due
	// instants are local midnights).
	noticeHour = 9 * time.Hour
)

// Timer names of a signed contract, as the state query lists them.
const (
	TimerPaymentReminder    = "payment_reminder"
	TimerPaymentOverdue     = "payment_overdue"
	TimerObligationReminder = "obligation_reminder"
	TimerObligationOverdue  = "obligation_overdue"
	TimerRenewalNotice      = "renewal_notice"
)

// InvoiceRequest records an invoice.
type InvoiceRequest struct {
	Actor   domain.Actor   `json:"actor"`
	Invoice domain.Invoice `json:"invoice"`
}

// PaymentRequest records a payment.
type PaymentRequest struct {
	Actor   domain.Actor   `json:"actor"`
	Payment domain.Payment `json:"payment"`
}

// ObligationRequest reports progress on an obligation; Complete finishes
// it, which needs its evidence (an attachment of the contract).
type ObligationRequest struct {
	Actor        domain.Actor `json:"actor"`
	ObligationID string       `json:"obligation_id"`
	Progress     int          `json:"progress"`
	Note         string       `json:"note"`
	EvidenceID   string       `json:"evidence_id"`
	Complete     bool         `json:"complete"`
}

// ReversalRequest reverses one invoice or payment (EntryID) for Reason,
// dated On (today, in the configured time zone).
type ReversalRequest struct {
	Actor   domain.Actor `json:"actor"`
	EntryID string       `json:"entry_id"`
	Reason  string       `json:"reason"`
	On      string       `json:"on"`
}

// Entry is an invoice or a payment as the contract keeps it: enough to
// refuse an invoice number issued twice and to reverse an entry once.
type Entry struct {
	ID string `json:"id"`
	// Seq is the milestone's place in the plan, which survives amendments
	// (a new version's milestones have new IDs).
	Seq    int    `json:"seq"`
	Number string `json:"number,omitempty"`
	Amount int64  `json:"amount"`
	// Reverses is the entry this one reverses; ReversedBy the reversal
	// of this one.
	Reverses   string `json:"reverses,omitempty"`
	ReversedBy string `json:"reversed_by,omitempty"`
}

// entryID names the invoice or payment the contract's next event records:
// the contract number and the event's sequence, like a task's ID readable
// and safe in a URL, and the same on every retry.
func (w *contractWorkflow) entryID() string {
	return fmt.Sprintf("%s-E%d", w.state.Contract.Number, w.state.EventSeq+1)
}

// ArchiveRequest archives a contract.
type ArchiveRequest struct {
	Actor domain.Actor `json:"actor"`
}

// remindAt is when a reminder goes out for something due at dueAt: at the
// notice hour, PaymentReminderDays before the due date.
func remindAt(dueAt time.Time) time.Time {
	return dueAt.Add(-(PaymentReminderDays+1)*24*time.Hour + noticeHour)
}

// overdueAt is when the n-th overdue notice (from 0) goes out: the
// morning after the due date, then every OverdueEvery.
func overdueAt(dueAt time.Time, n int) time.Time {
	return dueAt.Add(noticeHour + time.Duration(n)*OverdueEvery)
}

// live runs a signed contract until it is archived: it sends the notices
// its dates call for, ends the term, completes it once everything is
// settled, and continues as new when the history grows long.
func (w *contractWorkflow) live(ctx workflow.Context) (ContractResult, error) {
	for w.state.Status != domain.StatusArchived {
		if err := w.locked(ctx, func() error { return w.actOnDue(ctx) }); err != nil {
			return ContractResult{}, err
		}
		if w.state.Status == domain.StatusArchived {
			break
		}
		now := workflow.Now(ctx).UTC()
		w.state.NextTimers = w.lifeTimers(now)
		w.wake = false
		woken := func() bool {
			return w.wake || w.state.Status == domain.StatusArchived || w.mayHandOff(ctx)
		}
		var err error
		if len(w.state.NextTimers) > 0 {
			_, err = workflow.AwaitWithTimeout(ctx, w.state.NextTimers[0].At.Sub(now), woken)
		} else {
			err = workflow.Await(ctx, woken)
		}
		if err != nil {
			return ContractResult{}, err
		}
		if w.state.Status != domain.StatusArchived && w.mayHandOff(ctx) {
			return ContractResult{}, w.continueAsNew(ctx)
		}
	}
	if err := w.finish(ctx); err != nil {
		return ContractResult{}, err
	}
	return ContractResult{Number: w.state.Contract.Number, Status: w.state.Status}, nil
}

// mayHandOff reports whether the run should continue as new now: Temporal
// suggests it, and no round (termination, amendment, signing) is running,
// since a round reports to the run that started it.
func (w *contractWorkflow) mayHandOff(ctx workflow.Context) bool {
	return w.continueAsNewSuggested(ctx) && w.state.RoundWorkflowID == "" && w.state.SigningWorkflowID == "" && w.idle(ctx)
}

// lifeTimers lists what the contract waits for next, earliest first.
func (w *contractWorkflow) lifeTimers(now time.Time) []Timer {
	var ts []Timer
	add := func(name string, at time.Time) {
		if at.After(now) {
			ts = append(ts, Timer{Name: name, At: at})
		}
	}
	c := w.state.Contract
	if w.state.Status.Signed() {
		for _, m := range c.Plan {
			if m.Paid() {
				continue
			}
			if !m.Reminded && now.Before(m.DueAt) {
				add(fmt.Sprintf("%s:%d", TimerPaymentReminder, m.Seq), remindAt(m.DueAt))
			} else {
				add(fmt.Sprintf("%s:%d", TimerPaymentOverdue, m.Seq), overdueAt(m.DueAt, m.OverdueAlerts))
			}
		}
		for _, o := range c.Obligations {
			if o.Done() {
				continue
			}
			if !o.Reminded && now.Before(o.DueAt) {
				add(fmt.Sprintf("%s:%d", TimerObligationReminder, o.Seq), remindAt(o.DueAt))
			} else {
				add(fmt.Sprintf("%s:%d", TimerObligationOverdue, o.Seq), overdueAt(o.DueAt, o.OverdueAlerts))
			}
		}
	}
	if w.state.Status == domain.StatusActive {
		for _, d := range c.Renewal.NoticeDays {
			if !slices.Contains(w.state.RenewalNotices, d) {
				add(fmt.Sprintf("%s:%d", TimerRenewalNotice, d), c.ExpiresAt.Add(-time.Duration(d)*24*time.Hour))
			}
		}
		ts = append(ts, Timer{Name: TimerExpiry, At: c.ExpiresAt})
		if t := w.state.Termination; t != nil && t.Status == TerminationApproved {
			add(TimerTermination, t.EffectiveAt)
		}
	}
	slices.SortStableFunc(ts, func(a, b Timer) int { return a.At.Compare(b.At) })
	return ts
}

func (w *contractWorkflow) summary() notify.ContractSummary {
	c := w.state.Contract
	return notify.ContractSummary{Number: c.Number, Title: c.Title, CustomerName: c.CustomerName, OwnerID: c.OwnerID, Amount: c.Amount, Currency: c.Currency}
}

// actOnDue sends every notice that is due, ends the term when its time
// has come and completes the contract once it is settled. A notice missed
// while the worker was down goes out once, late, not once per period.
// Callers hold mu.
func (w *contractWorkflow) actOnDue(ctx workflow.Context) error {
	now := workflow.Now(ctx).UTC()
	c := &w.state.Contract
	sum := w.summary()
	var due []notify.Due
	overdueCount := func(dueAt time.Time) int { return int(now.Sub(overdueAt(dueAt, 0))/OverdueEvery) + 1 }
	if w.state.Status.Signed() {
		for i := range c.Plan {
			m := &c.Plan[i]
			switch {
			case m.Paid():
			case !now.Before(overdueAt(m.DueAt, m.OverdueAlerts)):
				m.Reminded, m.OverdueAlerts = true, overdueCount(m.DueAt)
				due = append(due, notify.Due{Milestone: new(*m), Overdue: m.OverdueAlerts})
			case !m.Reminded && !now.Before(remindAt(m.DueAt)) && now.Before(m.DueAt):
				m.Reminded = true
				due = append(due, notify.Due{Milestone: new(*m)})
			}
		}
		for i := range c.Obligations {
			o := &c.Obligations[i]
			switch {
			case o.Done():
			case !now.Before(overdueAt(o.DueAt, o.OverdueAlerts)):
				o.Reminded, o.OverdueAlerts = true, overdueCount(o.DueAt)
				due = append(due, notify.Due{Obligation: new(*o), Overdue: o.OverdueAlerts})
			case !o.Reminded && !now.Before(remindAt(o.DueAt)) && now.Before(o.DueAt):
				o.Reminded = true
				due = append(due, notify.Due{Obligation: new(*o)})
			}
		}
	}
	if w.state.Status == domain.StatusActive && now.Before(c.ExpiresAt) {
		// Of the offsets passed and not yet announced, only the nearest
		// is worth telling; the earlier ones are marked told.
		nearest := 0
		for _, d := range c.Renewal.NoticeDays {
			if !slices.Contains(w.state.RenewalNotices, d) && !now.Before(c.ExpiresAt.Add(-time.Duration(d)*24*time.Hour)) {
				w.state.RenewalNotices = append(w.state.RenewalNotices, d)
				if nearest == 0 || d < nearest {
					nearest = d
				}
			}
		}
		if nearest > 0 {
			days := int(c.ExpiresAt.Sub(now).Hours()/24 + 0.5)
			due = append(due, notify.Due{Renewal: &notify.RenewalDue{Version: w.state.Version, DaysLeft: days, EndDate: c.EndDate, AutoRenew: c.Renewal.AutoRenew}})
		}
	}
	if len(due) > 0 {
		var a *activities.Activities
		if err := workflow.ExecuteActivity(recordOptions(ctx), a.Notify, activities.NotifyInput{Contract: sum, Due: due, At: now}).Get(ctx, nil); err != nil {
			return err
		}
	}
	if t := w.state.Termination; w.state.Status == domain.StatusActive && t != nil && t.Status == TerminationApproved && !now.Before(t.EffectiveAt) {
		return w.terminateNow(ctx, audit.Actor{})
	}
	if w.state.Status == domain.StatusActive && !now.Before(c.ExpiresAt) {
		if err := w.endTerm(ctx); err != nil {
			return err
		}
	}
	if w.settled() {
		return w.transition(ctx, domain.EventCompleted, domain.SystemActor, domain.StatusCompleted, transitionDetails{})
	}
	return nil
}

// endTerm ends an active contract's term: expired, unless it renews
// itself into a successor. Callers hold mu.
func (w *contractWorkflow) endTerm(ctx workflow.Context) error {
	if !w.state.Contract.Renewal.AutoRenew {
		return w.transition(ctx, domain.EventExpired, domain.SystemActor, domain.StatusExpired, transitionDetails{})
	}
	var a *activities.Activities
	var res activities.RenewResult
	if err := workflow.ExecuteActivity(recordOptions(ctx), a.Renew, activities.RenewInput{
		Contract: w.state.Contract, Version: w.state.Version, At: workflow.Now(ctx).UTC(),
	}).Get(ctx, &res); err != nil {
		return err
	}
	w.state.Contract.SuccessorNumber = res.Successor
	return w.transition(ctx, domain.EventRenewed, domain.SystemActor, domain.StatusRenewed, transitionDetails{opinion: res.Successor})
}

// settled reports whether an ended contract has nothing left: every
// milestone paid and every obligation done.
func (w *contractWorkflow) settled() bool {
	s := w.state.Status
	if s != domain.StatusExpired && s != domain.StatusRenewed {
		return false
	}
	c := w.state.Contract
	return !slices.ContainsFunc(c.Plan, func(m domain.Milestone) bool { return !m.Paid() }) &&
		!slices.ContainsFunc(c.Obligations, func(o domain.Obligation) bool { return !o.Done() })
}

// recordOptions are the options of every activity the workflows run: a
// write to PostgreSQL must land eventually, so it is retried through an
// outage rather than lost.
func recordOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
}

// mayRecord checks that finance may record against the contract now.
func (w *contractWorkflow) mayRecord(a domain.Actor) error {
	if !w.state.Life {
		return refuse(domain.RefusedConflict, "contract %s was signed before payments were tracked", w.state.Contract.Number)
	}
	if !a.Has(domain.RoleFinance) {
		return refuse(domain.RefusedForbidden, "only finance records invoices and payments")
	}
	if !w.state.Status.Signed() {
		return refuse(domain.RefusedConflict, "contract is %s; invoices and payments are recorded on signed contracts only", w.state.Status)
	}
	return nil
}

func (w *contractWorkflow) milestone(id string) (int, error) {
	i := slices.IndexFunc(w.state.Contract.Plan, func(m domain.Milestone) bool { return m.ID == id })
	if i < 0 {
		return 0, refuse(domain.RefusedNotFound, "milestone %s is not in the contract's payment plan", id)
	}
	return i, nil
}

func (w *contractWorkflow) money(amount int64) domain.Money {
	return domain.Money{Amount: amount, Currency: w.state.Contract.Currency}
}

func (w *contractWorkflow) validateInvoice(req InvoiceRequest) error {
	if err := w.mayRecord(req.Actor); err != nil {
		return err
	}
	i, err := w.milestone(req.Invoice.MilestoneID)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(w.state.Invoices, func(e Entry) bool { return e.Reverses == "" && e.Number == req.Invoice.Number }) {
		return refuse(domain.RefusedConflict, "invoice number %s is already recorded on this contract; a wrong invoice is reversed, and its number is not issued again", req.Invoice.Number)
	}
	m := w.state.Contract.Plan[i]
	if req.Invoice.Amount <= 0 || req.Invoice.Amount > m.Amount-m.Invoiced {
		return refuse(domain.RefusedConflict, "invoices would exceed milestone %d: %s invoiced of %s, %s left to invoice",
			m.Seq, w.money(m.Invoiced), w.money(m.Amount), w.money(m.Amount-m.Invoiced))
	}
	return nil
}

func (w *contractWorkflow) recordInvoice(ctx workflow.Context, req InvoiceRequest) (ContractState, error) {
	err := w.locked(ctx, func() error {
		if err := w.validateInvoice(req); err != nil {
			return err
		}
		i, _ := w.milestone(req.Invoice.MilestoneID)
		inv := req.Invoice
		inv.ID, inv.Reverses, inv.Reason = w.entryID(), "", ""
		w.state.Contract.Plan[i].Invoiced += inv.Amount
		w.state.Invoices = append(w.state.Invoices, Entry{ID: inv.ID, Seq: w.state.Contract.Plan[i].Seq, Number: inv.Number, Amount: inv.Amount})
		return w.transition(ctx, domain.EventInvoiceRecorded, req.Actor, w.state.Status, transitionDetails{invoice: &inv, opinion: inv.Number})
	})
	return w.state, err
}

func (w *contractWorkflow) validatePayment(req PaymentRequest) error {
	if err := w.mayRecord(req.Actor); err != nil {
		return err
	}
	i, err := w.milestone(req.Payment.MilestoneID)
	if err != nil {
		return err
	}
	m := w.state.Contract.Plan[i]
	if req.Payment.Amount <= 0 || req.Payment.Amount > m.Outstanding() {
		return refuse(domain.RefusedConflict, "payment of %s exceeds what milestone %d has outstanding: %s",
			w.money(req.Payment.Amount), m.Seq, w.money(m.Outstanding()))
	}
	return nil
}

func (w *contractWorkflow) recordPayment(ctx workflow.Context, req PaymentRequest) (ContractState, error) {
	err := w.locked(ctx, func() error {
		if err := w.validatePayment(req); err != nil {
			return err
		}
		i, _ := w.milestone(req.Payment.MilestoneID)
		p := req.Payment
		p.ID, p.Reverses, p.Reason = w.entryID(), "", ""
		m := &w.state.Contract.Plan[i]
		m.Received += p.Amount
		w.state.Payments = append(w.state.Payments, Entry{ID: p.ID, Seq: m.Seq, Amount: p.Amount})
		if m.Paid() {
			now := workflow.Now(ctx).UTC()
			m.PaidAt = &now
		}
		w.wake = true
		return w.transition(ctx, domain.EventPaymentRecorded, req.Actor, w.state.Status, transitionDetails{payment: &p,
			opinion: fmt.Sprintf("%s → 第%d期", w.money(p.Amount), m.Seq)})
	})
	return w.state, err
}

// reversal finds what req reverses among entries and the current plan's
// milestone it was recorded against, or refuses.
func (w *contractWorkflow) reversal(req ReversalRequest, entries []Entry, what string) (int, int, error) {
	if err := w.mayRecord(req.Actor); err != nil {
		return 0, 0, err
	}
	if strings.TrimSpace(req.Reason) == "" {
		return 0, 0, refuse(domain.RefusedInvalid, "a reversal needs its reason")
	}
	k := slices.IndexFunc(entries, func(e Entry) bool { return e.ID == req.EntryID })
	if k < 0 {
		return 0, 0, refuse(domain.RefusedNotFound, "%s %s is not recorded on this contract", what, req.EntryID)
	}
	e := entries[k]
	switch {
	case e.Reverses != "":
		return 0, 0, refuse(domain.RefusedConflict, "%s %s is itself a reversal; a reversal is not reversed", what, e.ID)
	case e.ReversedBy != "":
		return 0, 0, refuse(domain.RefusedConflict, "%s %s is already reversed by %s", what, e.ID, e.ReversedBy)
	}
	i := slices.IndexFunc(w.state.Contract.Plan, func(m domain.Milestone) bool { return m.Seq == e.Seq })
	if i < 0 {
		return 0, 0, refuse(domain.RefusedConflict, "milestone %d of %s %s is no longer in the payment plan", e.Seq, what, e.ID)
	}
	return k, i, nil
}

func (w *contractWorkflow) validateReverseInvoice(req ReversalRequest) error {
	_, i, err := w.reversal(req, w.state.Invoices, "invoice")
	if err != nil {
		return err
	}
	k := slices.IndexFunc(w.state.Invoices, func(e Entry) bool { return e.ID == req.EntryID })
	if m := w.state.Contract.Plan[i]; m.Invoiced < w.state.Invoices[k].Amount {
		return refuse(domain.RefusedConflict, "milestone %d has only %s invoiced", m.Seq, w.money(m.Invoiced))
	}
	return nil
}

func (w *contractWorkflow) reverseInvoice(ctx workflow.Context, req ReversalRequest) (ContractState, error) {
	err := w.locked(ctx, func() error {
		if err := w.validateReverseInvoice(req); err != nil {
			return err
		}
		k, i, _ := w.reversal(req, w.state.Invoices, "invoice")
		orig, m := &w.state.Invoices[k], &w.state.Contract.Plan[i]
		inv := domain.Invoice{ID: w.entryID(), MilestoneID: m.ID, Number: orig.Number, Amount: -orig.Amount, IssuedOn: req.On,
			Reverses: orig.ID, Reason: strings.TrimSpace(req.Reason)}
		m.Invoiced -= orig.Amount
		orig.ReversedBy = inv.ID
		w.state.Invoices = append(w.state.Invoices, Entry{ID: inv.ID, Seq: m.Seq, Number: inv.Number, Amount: inv.Amount, Reverses: inv.Reverses})
		return w.transition(ctx, domain.EventInvoiceReversed, req.Actor, w.state.Status, transitionDetails{invoice: &inv,
			opinion: fmt.Sprintf("%s 红冲 %s：%s", inv.Number, w.money(-inv.Amount), inv.Reason)})
	})
	return w.state, err
}

func (w *contractWorkflow) validateReversePayment(req ReversalRequest) error {
	_, i, err := w.reversal(req, w.state.Payments, "payment")
	if err != nil {
		return err
	}
	k := slices.IndexFunc(w.state.Payments, func(e Entry) bool { return e.ID == req.EntryID })
	if m := w.state.Contract.Plan[i]; m.Received < w.state.Payments[k].Amount {
		return refuse(domain.RefusedConflict, "milestone %d has only %s received", m.Seq, w.money(m.Received))
	}
	return nil
}

func (w *contractWorkflow) reversePayment(ctx workflow.Context, req ReversalRequest) (ContractState, error) {
	err := w.locked(ctx, func() error {
		if err := w.validateReversePayment(req); err != nil {
			return err
		}
		k, i, _ := w.reversal(req, w.state.Payments, "payment")
		orig, m := &w.state.Payments[k], &w.state.Contract.Plan[i]
		p := domain.Payment{ID: w.entryID(), MilestoneID: m.ID, Amount: -orig.Amount, ReceivedOn: req.On,
			Reverses: orig.ID, Reason: strings.TrimSpace(req.Reason)}
		m.Received -= orig.Amount
		if !m.Paid() {
			m.PaidAt = nil
		}
		orig.ReversedBy = p.ID
		w.state.Payments = append(w.state.Payments, Entry{ID: p.ID, Seq: m.Seq, Amount: p.Amount, Reverses: p.Reverses})
		// The milestone may be owed again: its reminders and alerts resume.
		w.wake = true
		return w.transition(ctx, domain.EventPaymentReversed, req.Actor, w.state.Status, transitionDetails{payment: &p,
			opinion: fmt.Sprintf("冲销 %s → 第%d期：%s", w.money(-p.Amount), m.Seq, p.Reason)})
	})
	return w.state, err
}

func (w *contractWorkflow) obligation(id string) (int, error) {
	i := slices.IndexFunc(w.state.Contract.Obligations, func(o domain.Obligation) bool { return o.ID == id })
	if i < 0 {
		return 0, refuse(domain.RefusedNotFound, "obligation %s is not one of the contract's", id)
	}
	return i, nil
}

func (w *contractWorkflow) validateObligation(req ObligationRequest) error {
	if !w.state.Life || !w.state.Status.Signed() {
		return refuse(domain.RefusedConflict, "contract is %s; obligations are reported on signed contracts only", w.state.Status)
	}
	i, err := w.obligation(req.ObligationID)
	if err != nil {
		return err
	}
	o := w.state.Contract.Obligations[i]
	if req.Actor.UserID != o.OwnerID && !w.mayManage(req.Actor) {
		return refuse(domain.RefusedForbidden, "only %s, the contract's owner or a sales manager may report on this obligation", o.OwnerName)
	}
	switch {
	case o.Done():
		return refuse(domain.RefusedConflict, "obligation %d is already done", o.Seq)
	case req.Progress < 0 || req.Progress > 100:
		return refuse(domain.RefusedInvalid, "progress is a percentage from 0 to 100")
	case req.Complete && strings.TrimSpace(req.EvidenceID) == "":
		return refuse(domain.RefusedInvalid, "completing an obligation needs its evidence: an attachment of the contract")
	}
	return nil
}

func (w *contractWorkflow) updateObligation(ctx workflow.Context, req ObligationRequest) (ContractState, error) {
	err := w.locked(ctx, func() error {
		if err := w.validateObligation(req); err != nil {
			return err
		}
		i, _ := w.obligation(req.ObligationID)
		o := &w.state.Contract.Obligations[i]
		o.Progress, o.Note = req.Progress, req.Note
		if req.EvidenceID != "" {
			o.EvidenceID = req.EvidenceID
		}
		if req.Complete {
			now := workflow.Now(ctx).UTC()
			o.Progress, o.CompletedAt = 100, &now
		}
		w.wake = true
		return w.transition(ctx, domain.EventObligationUpdated, req.Actor, w.state.Status, transitionDetails{
			obligations: []domain.Obligation{*o}, opinion: fmt.Sprintf("%s %d%%", o.Title, o.Progress)})
	})
	return w.state, err
}

func (w *contractWorkflow) validateArchive(req ArchiveRequest) error {
	if !w.mayManage(req.Actor) && !req.Actor.Has(domain.RoleAdmin) {
		return refuse(domain.RefusedForbidden, "only the contract's owner, a sales manager or an admin may archive it")
	}
	if w.state.Status != domain.StatusCompleted && w.state.Status != domain.StatusTerminated {
		return refuse(domain.RefusedConflict, "contract is %s; only a completed or terminated contract can be archived", w.state.Status)
	}
	return nil
}

func (w *contractWorkflow) archive(ctx workflow.Context, req ArchiveRequest) (ContractState, error) {
	err := w.locked(ctx, func() error {
		if err := w.validateArchive(req); err != nil {
			return err
		}
		w.state.NextTimers = []Timer{}
		return w.transition(ctx, domain.EventArchived, req.Actor, domain.StatusArchived, transitionDetails{})
	})
	return w.state, err
}

// startRenewal starts a successor: active at once under its predecessor's
// auto-renewal clause, or in review like any submission. Callers hold mu.
// migrate moves an imported contract from its draft record to where its
// life stands, signed on the day it was signed, and hands it to the life
// loop. Callers hold mu.
func (w *contractWorkflow) migrate(ctx workflow.Context, m MigratedStart) error {
	from := w.state.Status
	in := w.nextTransition(ctx, domain.EventMigrated, domain.SystemActor, m.Status, transitionDetails{
		opinion: m.Source + ":" + m.ExternalID, by: m.ImportedBy,
	})
	signed := m.SignedAt.UTC()
	w.state.SignedAt, in.Transition.SignedAt = &signed, &signed
	// Renewal notices whose day passed before it arrived are not sent late.
	now := workflow.Now(ctx).UTC()
	for _, d := range w.state.Contract.Renewal.NoticeDays {
		if !now.Before(w.state.Contract.ExpiresAt.Add(-time.Duration(d) * 24 * time.Hour)) {
			w.state.RenewalNotices = append(w.state.RenewalNotices, d)
		}
	}
	w.state.Life = true
	var a *activities.Activities
	var res activities.RecordTransitionResult
	if err := write(ctx, w.local, a.RecordTransition, in).Get(ctx, &res); err != nil {
		return err
	}
	return w.upsertSearch(ctx, domain.EventMigrated, from, m.Status, transitionDetails{})
}

func (w *contractWorkflow) startRenewal(ctx workflow.Context, r RenewalStart) error {
	actor := domain.Actor{UserID: domain.SystemActor.UserID, Name: domain.SystemActor.Name, Roles: []domain.Role{}}
	if r.ThroughApproval {
		// A policy that blocks it leaves the successor a draft for its
		// owner to fix and submit.
		err := w.startRound(ctx, SubmitRequest{Actor: actor})
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) && appErr.Type() == string(domain.RefusedInvalid) {
			workflow.GetLogger(ctx).Warn("renewal left as a draft", "reason", appErr.Message())
			return nil
		}
		return err
	}
	return w.transition(ctx, domain.EventRenewalActivated, actor, domain.StatusActive, transitionDetails{opinion: r.Predecessor})
}
