package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/feed"
	"github.com/signet-clm/signet/internal/notify"
)

// ApplyTransition writes one workflow transition in a single transaction:
// the contract row, its event, its approval tasks, any signature and the
// notices it produces (notify.ForRecorded), which are written with the
// event, once. The event ID makes it idempotent; the contract row only
// moves forward.
//
// A draft's creation (event 1) is recorded with the draft (CreateDraft),
// all but its feed entry: that is written by its run's first record, so a
// number voided before its run started never reaches the feed.
func (s *Store) ApplyTransition(ctx context.Context, t domain.Transition, notices ...notify.Notice) (applied bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c := t.Contract
		if t.Event.Seq == 1 {
			// The run's first record confirms its start, under the start's
			// row lock, so it and VoidNumber cannot both win: a run whose
			// number was voided first must not bring the draft back, and a
			// number whose run has recorded is never voided.
			if _, err := tx.Exec(ctx, `UPDATE contract_starts SET started_at = coalesce(started_at, now()) WHERE number = $1`, c.Number); err != nil {
				return wrap("confirm start", err)
			}
			var void bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM contract_number_voids WHERE number = $1)`, c.Number).Scan(&void); err != nil {
				return wrap("check void number", err)
			}
			if void {
				return fmt.Errorf("%s: %w", c.Number, ErrVoidNumber)
			}
		}
		var err error
		if applied, err = s.applyTransition(ctx, tx, t, notices); err != nil {
			return err
		}
		if !applied && t.Event.Seq != 1 {
			return nil
		}
		if ev, ok := feed.FromTransition(t); ok {
			return s.recordFeed(ctx, tx, ev, t.Event.At)
		}
		return nil
	})
	if err != nil {
		return false, wrap(fmt.Sprintf("apply %s", t.Event.ID), err)
	}
	return applied, nil
}

// applyTransition is ApplyTransition's writes in tx, but for the start's
// confirmation and the feed entry: applied is false when the event was
// recorded before.
func (s *Store) applyTransition(ctx context.Context, tx pgx.Tx, t domain.Transition, notices []notify.Notice) (applied bool, err error) {
	c := t.Contract
	if c.CustomerID != "" {
		// A merge locks the customer while it moves its contracts: wait
		// for it, so the upsert below sees where the customer went.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM customers WHERE id = $1::uuid FOR KEY SHARE`, c.CustomerID); err != nil {
			return applied, wrap("lock customer", err)
		}
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO contracts (number, title, customer_name, owner_id, owner_name, amount, currency,
			start_date, end_date, expires_at, status, version, event_seq, signed_at, created_at, updated_at,
			customer_id, template_id, template_version, document_sha256, predecessor_number, successor_number, auto_renew)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date, $9::date, $10, $11, $12, $13, $14, $15, $16,
			`+survivorOf("$17")+`, $18, $19, $20, nullif($21, ''), nullif($22, ''), $23)
		ON CONFLICT (number) DO UPDATE SET
			status = EXCLUDED.status, version = EXCLUDED.version, event_seq = EXCLUDED.event_seq,
			signed_at = EXCLUDED.signed_at, updated_at = EXCLUDED.updated_at,
			title = EXCLUDED.title, customer_id = EXCLUDED.customer_id, customer_name = EXCLUDED.customer_name,
			amount = EXCLUDED.amount, currency = EXCLUDED.currency, start_date = EXCLUDED.start_date,
			end_date = EXCLUDED.end_date, expires_at = EXCLUDED.expires_at, template_id = EXCLUDED.template_id,
			template_version = EXCLUDED.template_version, document_sha256 = EXCLUDED.document_sha256,
			predecessor_number = EXCLUDED.predecessor_number, successor_number = EXCLUDED.successor_number,
			auto_renew = EXCLUDED.auto_renew
		WHERE contracts.event_seq < EXCLUDED.event_seq`,
		c.Number, c.Title, c.CustomerName, c.OwnerID, c.OwnerName, c.Amount, c.Currency,
		c.StartDate, c.EndDate, c.ExpiresAt, t.Status, t.Version, t.Event.Seq, t.SignedAt, c.CreatedAt, t.Event.At,
		c.CustomerID, c.TemplateID, c.TemplateVersion, c.DocumentSHA256, c.PredecessorNumber, c.SuccessorNumber, c.Renewal.AutoRenew); err != nil {
		return applied, wrap("upsert contract", err)
	}
	e := t.Event
	tag, err := tx.Exec(ctx, `
		INSERT INTO contract_events (id, contract_number, seq, kind, from_status, to_status,
			actor_id, actor_name, task_id, opinion, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (id) DO NOTHING`,
		e.ID, e.ContractNumber, e.Seq, e.Kind, e.FromStatus, e.ToStatus, e.ActorID, e.ActorName, e.TaskID, e.Opinion, e.At)
	if err != nil {
		return applied, wrap("insert event", err)
	}
	applied = tag.RowsAffected() == 1
	// Who caused it, as the activity says (the approver whose decision
	// closed a round, with their request), else the event's actor under
	// the event's ID (timers, system jobs); every entry it writes says so.
	who, named := audit.Named(ctx)
	if !named {
		who = audit.Actor{UserID: e.ActorID, RequestID: e.ID}
	}
	actx := audit.WithActor(ctx, who)
	if applied {
		after := struct {
			Status   domain.Status   `json:"status"`
			Version  int             `json:"version"`
			Event    domain.Event    `json:"event"`
			Contract domain.Contract `json:"contract"`
		}{t.Status, t.Version, e, c}
		if err := s.appendAudit(actx, tx, "contract."+e.Kind, "contract", c.Number, nil, after); err != nil {
			return applied, err
		}
		// Tasks the transition closes update their approval cards.
		if err := s.enqueue(ctx, tx, append(notices, s.closedCards(t.Tasks)...), e.At); err != nil {
			return applied, err
		}
	}
	// A document and lines belong to the current version, or to the
	// amendment drafted as the next one.
	docVersion := t.Version
	if t.Amendment != nil {
		docVersion = t.Amendment.Version
	}
	if t.Lines != nil && applied {
		if err := replaceLines(ctx, tx, c.Number, docVersion, t.Lines); err != nil {
			return applied, err
		}
	}
	if applied {
		if err := s.applyTerms(actx, tx, t); err != nil {
			return applied, err
		}
	}

	batch := &pgx.Batch{}
	for _, task := range t.Tasks {
		queueTask(batch, task)
	}
	if sig := t.Signature; sig != nil {
		batch.Queue(`
			INSERT INTO signatures (id, contract_number, version, party, signing_order, signer_name,
				signer_email, recorded_by_id, ip, user_agent, signed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (id) DO NOTHING`,
			sig.ID, sig.ContractNumber, sig.Version, sig.Party, sig.Order, sig.SignerName,
			sig.SignerEmail, sig.RecordedByID, sig.IP, sig.UserAgent, sig.SignedAt)
	}
	if d := t.Document; d != nil && applied {
		batch.Queue(`
			INSERT INTO contract_documents (contract_number, version, sha256, content, text, html)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (contract_number, version) DO UPDATE SET sha256 = EXCLUDED.sha256,
				content = EXCLUDED.content, text = EXCLUDED.text, html = EXCLUDED.html`,
			c.Number, docVersion, d.SHA256, d.Content, d.Text, d.HTML)
	}
	if batch.Len() == 0 {
		return applied, nil
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return applied, wrap("write tasks and signature", err)
	}
	return applied, nil
}

// queueTask upserts one approval task, keyed by its ID.
func queueTask(b *pgx.Batch, t domain.ApprovalTask) {
	kind := t.Kind
	if kind == "" {
		kind = domain.TaskKindApproval
	}
	b.Queue(`
		INSERT INTO approval_tasks (id, contract_number, round, stage, role, status, decided_by_id, decided_by_name,
			opinion, opened_at, decided_at, kind, stage_name, assignee_id, assignee_name, delegated_from, due_at,
			reminded_at, escalated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
		ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status,
			decided_by_id = EXCLUDED.decided_by_id, decided_by_name = EXCLUDED.decided_by_name,
			opinion = EXCLUDED.opinion, opened_at = EXCLUDED.opened_at, decided_at = EXCLUDED.decided_at,
			due_at = EXCLUDED.due_at, reminded_at = EXCLUDED.reminded_at, escalated_at = EXCLUDED.escalated_at`,
		t.ID, t.ContractNumber, t.Round, t.Stage, t.Role, t.Status, t.DecidedByID, t.DecidedByName,
		t.Opinion, t.OpenedAt, t.DecidedAt, kind, t.StageName, t.AssigneeID, t.AssigneeName, t.DelegatedFrom, t.DueAt,
		t.RemindedAt, t.EscalatedAt)
}

// applyTerms writes what a transition changes of the contract's payment
// plan, invoices, payments and obligations, inside its transaction.
func (s *Store) applyTerms(ctx context.Context, tx pgx.Tx, t domain.Transition) error {
	c := t.Contract
	// A draft's terms are written whole as it is created or revised, an
	// amendment's under its own version.
	drafted := t.Event.Kind == domain.EventCreated || t.Event.Kind == domain.EventRevised
	if a := t.Amendment; a != nil {
		c, t.Version, drafted = a.Contract, a.Version, true
	}
	if drafted {
		t.Plan = c.Plan
		t.Obligations = c.Obligations
		ids := make([]string, len(c.Obligations))
		for i, o := range c.Obligations {
			ids[i] = o.ID
		}
		if _, err := tx.Exec(ctx, `DELETE FROM obligations WHERE contract_number = $1 AND version = $2 AND id <> ALL($3)`,
			c.Number, t.Version, ids); err != nil {
			return wrap("drop obligations", err)
		}
	}
	if t.Plan != nil || drafted {
		plan := make([]Milestone, len(t.Plan))
		for i, m := range t.Plan {
			plan[i] = Milestone{ID: m.ID, ContractNumber: c.Number, Version: t.Version, Seq: m.Seq, Title: m.Title,
				Amount: m.Amount, Currency: c.Currency, DueDate: m.DueDate}
		}
		if err := s.replacePlan(ctx, tx, c.Number, t.Version, plan); err != nil {
			return err
		}
	}
	// An entry is keyed by the ID the workflow gave it, or by its event's
	// ID when it names none (recorded before entries had IDs).
	entryID := func(id string) string {
		if id == "" {
			return t.Event.ID
		}
		return id
	}
	if inv := t.Invoice; inv != nil {
		if _, err := s.recordInvoice(ctx, tx, Invoice{ID: entryID(inv.ID), ContractNumber: c.Number, MilestoneID: inv.MilestoneID,
			InvoiceNumber: inv.Number, Amount: inv.Amount, IssuedOn: inv.IssuedOn, RecordedAt: t.Event.At,
			Reverses: inv.Reverses, Reason: inv.Reason}); err != nil {
			return err
		}
	}
	if p := t.Payment; p != nil {
		if _, err := s.recordPayment(ctx, tx, Payment{ID: entryID(p.ID), ContractNumber: c.Number, MilestoneID: p.MilestoneID,
			Amount: p.Amount, ReceivedOn: p.ReceivedOn, Method: p.Method, Reference: p.Reference, RecordedAt: t.Event.At,
			Reverses: p.Reverses, Reason: p.Reason}); err != nil {
			return err
		}
	}
	if t.Event.Kind == domain.EventAmended {
		// The new version's milestones carry what was invoiced and received.
		for _, m := range c.Plan {
			if _, err := tx.Exec(ctx, `UPDATE payment_milestones SET invoiced = $3, received = $4, paid_at = $5
				WHERE id = $1 AND version = $2`, m.ID, t.Version, m.Invoiced, m.Received, m.PaidAt); err != nil {
				return wrap("carry milestone totals", err)
			}
		}
	}
	if len(t.Obligations) == 0 {
		return nil
	}
	batch := &pgx.Batch{}
	for _, o := range t.Obligations {
		batch.Queue(`
			INSERT INTO obligations (id, contract_number, version, seq, title, owner_id, due_date, progress, note, evidence_id, completed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8, $9, nullif($10, '')::uuid, $11)
			ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, owner_id = EXCLUDED.owner_id, due_date = EXCLUDED.due_date,
				progress = EXCLUDED.progress, note = EXCLUDED.note, evidence_id = EXCLUDED.evidence_id, completed_at = EXCLUDED.completed_at`,
			o.ID, c.Number, t.Version, o.Seq, o.Title, o.OwnerID, o.DueDate, o.Progress, o.Note, o.EvidenceID, o.CompletedAt)
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return wrap("write obligations", err)
	}
	return nil
}
