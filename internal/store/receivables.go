package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
)

// Milestone is one payment milestone (回款节点) of a contract version's plan.
// Invoiced and Received are running totals kept by RecordInvoice and
// RecordPayment; a plan replacement never sets them.
type Milestone struct {
	ID             string     `json:"id"`
	ContractNumber string     `json:"contract_number"`
	Version        int        `json:"version"`
	Seq            int        `json:"seq"`
	Title          string     `json:"title"`
	Amount         int64      `json:"amount"`
	Currency       string     `json:"currency"`
	DueDate        string     `json:"due_date"`
	Invoiced       int64      `json:"invoiced"`
	Received       int64      `json:"received"`
	PaidAt         *time.Time `json:"paid_at"`
}

// Invoice is an invoice issued against a milestone. ID is the caller's
// idempotency key (the workflow's entry ID). A reversal Reverses another
// invoice for the negative of its amount, with a Reason; ReversedBy, as
// read, is the reversal of this one.
type Invoice struct {
	ID             string    `json:"id"`
	ContractNumber string    `json:"contract_number"`
	MilestoneID    string    `json:"milestone_id"`
	InvoiceNumber  string    `json:"invoice_number"`
	Amount         int64     `json:"amount"`
	IssuedOn       string    `json:"issued_on"`
	RecordedAt     time.Time `json:"recorded_at"`
	Reverses       string    `json:"reverses"`
	Reason         string    `json:"reason"`
	ReversedBy     string    `json:"reversed_by"`
}

// Payment is money received against a milestone. ID is the caller's
// idempotency key; Reverses, Reason and ReversedBy as for an Invoice.
type Payment struct {
	ID             string    `json:"id"`
	ContractNumber string    `json:"contract_number"`
	MilestoneID    string    `json:"milestone_id"`
	Amount         int64     `json:"amount"`
	ReceivedOn     string    `json:"received_on"`
	Method         string    `json:"method"`
	Reference      string    `json:"reference"`
	RecordedAt     time.Time `json:"recorded_at"`
	Reverses       string    `json:"reverses"`
	Reason         string    `json:"reason"`
	ReversedBy     string    `json:"reversed_by"`
}

var (
	// ErrMilestoneInUse refuses a plan that would drop or shrink a
	// milestone below what was already invoiced against or received.
	ErrMilestoneInUse = errors.New("milestone already has invoices or payments")
	// ErrBadPlan refuses a plan whose milestones are malformed: a currency
	// other than the contract's, a repeated seq, an amount that is not
	// positive.
	ErrBadPlan = errors.New("invalid payment plan")
)

// OverpaymentError refuses a payment larger than what the milestone still
// has outstanding; nothing is recorded.
type OverpaymentError struct {
	MilestoneID string
	Outstanding int64
	Currency    string
}

func (e *OverpaymentError) Error() string {
	return fmt.Sprintf("payment exceeds milestone %s: only %s outstanding", e.MilestoneID,
		domain.Money{Amount: e.Outstanding, Currency: e.Currency})
}

const milestoneColumns = `id::text, contract_number, version, seq, title, amount, currency, due_date::text AS due_date,
	invoiced, received, paid_at`

// Milestones returns a contract version's plan in order.
func (s *Store) Milestones(ctx context.Context, number string, version int) ([]Milestone, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+milestoneColumns+` FROM payment_milestones
		WHERE contract_number = $1 AND version = $2 ORDER BY seq`, number, version)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Milestone])
	if err != nil {
		return nil, wrap(fmt.Sprintf("milestones of %s v%d", number, version), err)
	}
	return list, nil
}

// ReplaceMilestonePlan makes plan the payment plan of a contract version.
// Milestones are matched by ID: one kept keeps its invoiced and received
// totals; one dropped must have neither. Writing the plan it already has
// changes nothing and records nothing, so a retried activity is harmless.
func (s *Store) ReplaceMilestonePlan(ctx context.Context, number string, version int, plan []Milestone) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.replacePlan(ctx, tx, number, version, plan) })
	if err != nil {
		return wrap(fmt.Sprintf("replace payment plan of %s v%d", number, version), err)
	}
	return nil
}

// replacePlan is ReplaceMilestonePlan inside tx.
func (s *Store) replacePlan(ctx context.Context, tx pgx.Tx, number string, version int, plan []Milestone) error {
	var currency string
	// The contract row lock serialises plan changes of one contract.
	err := tx.QueryRow(ctx, `SELECT currency FROM contracts WHERE number = $1 FOR UPDATE`, number).Scan(&currency)
	if err != nil {
		return wrap("", err)
	}
	seqs := map[int]bool{}
	for _, m := range plan {
		if m.Currency != currency || m.Amount <= 0 || m.Seq <= 0 || seqs[m.Seq] {
			return fmt.Errorf("%w: milestone %d must have a unique positive seq, a positive amount and currency %s", ErrBadPlan, m.Seq, currency)
		}
		seqs[m.Seq] = true
	}
	rows, _ := tx.Query(ctx, `SELECT `+milestoneColumns+` FROM payment_milestones
			WHERE contract_number = $1 AND version = $2 ORDER BY seq FOR UPDATE`, number, version)
	before, err := pgx.CollectRows(rows, pgx.RowToStructByName[Milestone])
	if err != nil {
		return err
	}
	if samePlan(before, plan) {
		return nil
	}
	keep := map[string]Milestone{}
	for _, m := range plan {
		keep[m.ID] = m
	}
	for _, old := range before {
		m, kept := keep[old.ID]
		used := old.Invoiced > 0 || old.Received > 0
		if used && (!kept || m.Amount < old.Received) {
			return fmt.Errorf("%w: %s (seq %d)", ErrMilestoneInUse, old.ID, old.Seq)
		}
		if !kept {
			if _, err := tx.Exec(ctx, `DELETE FROM payment_milestones WHERE id = $1`, old.ID); err != nil {
				return err
			}
		}
	}
	// Move kept rows out of the way first, so a plan that swaps two
	// seqs never collides with itself on (contract, version, seq).
	if _, err := tx.Exec(ctx, `UPDATE payment_milestones SET seq = seq + 1000000
			WHERE contract_number = $1 AND version = $2`, number, version); err != nil {
		return err
	}
	for _, m := range plan {
		tag, err := tx.Exec(ctx, `
				INSERT INTO payment_milestones (id, contract_number, version, seq, title, amount, currency, due_date)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date)
				ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, title = EXCLUDED.title, amount = EXCLUDED.amount,
					due_date = EXCLUDED.due_date,
					paid_at = CASE WHEN payment_milestones.received = EXCLUDED.amount THEN payment_milestones.paid_at END
				WHERE payment_milestones.contract_number = EXCLUDED.contract_number
				  AND payment_milestones.version = EXCLUDED.version`,
			m.ID, number, version, m.Seq, m.Title, m.Amount, m.Currency, m.DueDate)
		if err != nil {
			return wrap(fmt.Sprintf("write milestone %d", m.Seq), err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: milestone %s belongs to another contract version", ErrBadPlan, m.ID)
		}
	}
	rows, _ = tx.Query(ctx, `SELECT `+milestoneColumns+` FROM payment_milestones
			WHERE contract_number = $1 AND version = $2 ORDER BY seq`, number, version)
	after, err := pgx.CollectRows(rows, pgx.RowToStructByName[Milestone])
	if err != nil {
		return err
	}
	return s.appendAudit(ctx, tx, "payment_plan.replaced", "contract", number, before, after)
}

// samePlan reports whether the stored milestones are exactly the plan.
func samePlan(stored, plan []Milestone) bool {
	if len(stored) != len(plan) {
		return false
	}
	sorted := slices.Clone(plan)
	slices.SortFunc(sorted, func(a, b Milestone) int { return a.Seq - b.Seq })
	for i, m := range sorted {
		o := stored[i]
		if o.ID != m.ID || o.Seq != m.Seq || o.Title != m.Title || o.Amount != m.Amount || o.DueDate != m.DueDate {
			return false
		}
	}
	return true
}

// RecordInvoice stores an invoice and adds it to its milestone's invoiced
// total in one transaction. An ID already recorded changes nothing:
// recorded is false.
func (s *Store) RecordInvoice(ctx context.Context, inv Invoice) (recorded bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		recorded, err = s.recordInvoice(ctx, tx, inv)
		return err
	})
	if err != nil {
		return false, wrap(fmt.Sprintf("record invoice %s", inv.ID), err)
	}
	return recorded, nil
}

// recordInvoice is RecordInvoice inside tx.
func (s *Store) recordInvoice(ctx context.Context, tx pgx.Tx, inv Invoice) (recorded bool, err error) {
	err = func() error {
		tag, err := tx.Exec(ctx, `INSERT INTO invoices (id, contract_number, milestone_id, invoice_number, amount, issued_on, recorded_at, reverses, reason)
			VALUES ($1, $2, $3, $4, $5, $6::date, $7, nullif($8, ''), $9) ON CONFLICT (id) DO NOTHING`,
			inv.ID, inv.ContractNumber, inv.MilestoneID, inv.InvoiceNumber, inv.Amount, inv.IssuedOn, inv.RecordedAt, inv.Reverses, inv.Reason)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		rows, _ := tx.Query(ctx, `UPDATE payment_milestones SET invoiced = invoiced + $3
			WHERE id = $1 AND contract_number = $2 RETURNING `+milestoneColumns, inv.MilestoneID, inv.ContractNumber, inv.Amount)
		m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Milestone])
		if err != nil {
			return wrap("", err)
		}
		recorded = true
		action := "invoice.recorded"
		if inv.Reverses != "" {
			action = "invoice.reversed"
		}
		return s.appendAudit(ctx, tx, action, "contract", inv.ContractNumber, nil, struct {
			Invoice   Invoice   `json:"invoice"`
			Milestone Milestone `json:"milestone"`
		}{inv, m})
	}()
	return recorded, err
}

// RecordPayment stores a payment and adds it to its milestone's received
// total in one transaction, stamping paid_at when the milestone is paid in
// full. A payment beyond what the milestone still has outstanding is
// refused with an *OverpaymentError and nothing is stored. An ID already
// recorded changes nothing: recorded is false.
func (s *Store) RecordPayment(ctx context.Context, p Payment) (recorded bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		recorded, err = s.recordPayment(ctx, tx, p)
		return err
	})
	if err != nil {
		return false, wrap(fmt.Sprintf("record payment %s", p.ID), err)
	}
	return recorded, nil
}

// recordPayment is RecordPayment inside tx.
func (s *Store) recordPayment(ctx context.Context, tx pgx.Tx, p Payment) (recorded bool, err error) {
	err = func() error {
		tag, err := tx.Exec(ctx, `INSERT INTO payments (id, contract_number, milestone_id, amount, received_on, method, reference, recorded_at, reverses, reason)
			VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8, nullif($9, ''), $10) ON CONFLICT (id) DO NOTHING`,
			p.ID, p.ContractNumber, p.MilestoneID, p.Amount, p.ReceivedOn, p.Method, p.Reference, p.RecordedAt, p.Reverses, p.Reason)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		var amount, received int64
		var currency string
		if err := tx.QueryRow(ctx, `SELECT amount, received, currency FROM payment_milestones
			WHERE id = $1 AND contract_number = $2 FOR UPDATE`, p.MilestoneID, p.ContractNumber).Scan(&amount, &received, &currency); err != nil {
			return wrap("", err)
		}
		if received+p.Amount > amount {
			return &OverpaymentError{MilestoneID: p.MilestoneID, Outstanding: amount - received, Currency: currency}
		}
		// A reversal (negative amount) leaves the milestone unpaid again.
		rows, _ := tx.Query(ctx, `UPDATE payment_milestones SET received = received + $2,
				paid_at = CASE WHEN received + $2 = amount THEN coalesce(paid_at, $3) END
			WHERE id = $1 RETURNING `+milestoneColumns, p.MilestoneID, p.Amount, p.RecordedAt)
		m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Milestone])
		if err != nil {
			return err
		}
		recorded = true
		action := "payment.recorded"
		if p.Reverses != "" {
			action = "payment.reversed"
		}
		return s.appendAudit(ctx, tx, action, "contract", p.ContractNumber, nil, struct {
			Payment   Payment   `json:"payment"`
			Milestone Milestone `json:"milestone"`
		}{p, m})
	}()
	return recorded, err
}

// Invoices lists a contract's invoices, reversals included, in the order
// they were recorded, each original with the reversal that reversed it.
func (s *Store) Invoices(ctx context.Context, number string) ([]Invoice, error) {
	rows, _ := s.pool.Query(ctx, `SELECT i.id, i.contract_number, i.milestone_id::text AS milestone_id, i.invoice_number, i.amount,
			i.issued_on::text AS issued_on, i.recorded_at, coalesce(i.reverses, '') AS reverses, i.reason, coalesce(r.id, '') AS reversed_by
		FROM invoices i LEFT JOIN invoices r ON r.reverses = i.id
		WHERE i.contract_number = $1 ORDER BY i.recorded_at, i.id`, number)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Invoice])
	if err != nil {
		return nil, wrap(fmt.Sprintf("invoices of %s", number), err)
	}
	return list, nil
}

// Payments lists a contract's payments as Invoices lists its invoices.
func (s *Store) Payments(ctx context.Context, number string) ([]Payment, error) {
	rows, _ := s.pool.Query(ctx, `SELECT p.id, p.contract_number, p.milestone_id::text AS milestone_id, p.amount,
			p.received_on::text AS received_on, p.method, p.reference, p.recorded_at, coalesce(p.reverses, '') AS reverses, p.reason,
			coalesce(r.id, '') AS reversed_by
		FROM payments p LEFT JOIN payments r ON r.reverses = p.id
		WHERE p.contract_number = $1 ORDER BY p.recorded_at, p.id`, number)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Payment])
	if err != nil {
		return nil, wrap(fmt.Sprintf("payments of %s", number), err)
	}
	return list, nil
}

// StateAsOf is a contract's status and version in force at until (the end
// of a day): from its last event before then, and the amendments signed
// by then. existed is false before its creation.
func (s *Store) StateAsOf(ctx context.Context, number string, until time.Time) (status domain.Status, version int, existed bool, err error) {
	err = s.pool.QueryRow(ctx, `SELECT e.to_status,
			1 + (SELECT count(*) FROM contract_events a WHERE a.contract_number = $1 AND a.kind = $3 AND a.at < $2)
		FROM contract_events e WHERE e.contract_number = $1 AND e.at < $2 ORDER BY e.seq DESC LIMIT 1`,
		number, until, domain.EventAmended).Scan(&status, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", 0, false, nil
	}
	if err != nil {
		return "", 0, false, wrap(fmt.Sprintf("state of %s as of %s", number, until), err)
	}
	return status, version, true, nil
}

// MilestoneAsOf is a milestone of a version with what had been received
// against its place in the plan by a day, whichever version it was paid on.
type MilestoneAsOf struct {
	Seq      int    `json:"seq"`
	Title    string `json:"title"`
	Amount   int64  `json:"amount"`
	DueDate  string `json:"due_date" db:"due_date"`
	Received int64  `json:"received"`
}

// MilestonesAsOf returns a version's plan with the payments received by
// date (inclusive).
func (s *Store) MilestonesAsOf(ctx context.Context, number string, version int, date string) ([]MilestoneAsOf, error) {
	rows, _ := s.pool.Query(ctx, `SELECT pm.seq, pm.title, pm.amount, pm.due_date::text AS due_date,
			coalesce((SELECT sum(p.amount) FROM payments p JOIN payment_milestones o ON o.id = p.milestone_id
				WHERE p.contract_number = pm.contract_number AND o.seq = pm.seq AND p.received_on <= $3::date), 0)::bigint AS received
		FROM payment_milestones pm WHERE pm.contract_number = $1 AND pm.version = $2 ORDER BY pm.seq`, number, version, date)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[MilestoneAsOf])
	if err != nil {
		return nil, wrap(fmt.Sprintf("milestones of %s v%d as of %s", number, version, date), err)
	}
	return list, nil
}
