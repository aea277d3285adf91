package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
)

// ContractRow is one contract as the projection holds it: its terms and
// where it stands.
type ContractRow struct {
	domain.Contract
	Status    domain.Status `json:"status"`
	Version   int           `json:"version"`
	SignedAt  *time.Time    `json:"signed_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	// CreatedBy is who drafted the contract (its owner when not recorded).
	CreatedBy string `json:"created_by"`
}

const contractColumns = `number, title, coalesce(customer_id::text, '') AS customer_id, customer_name, owner_id, owner_name,
	amount, currency, start_date::text AS start_date, end_date::text AS end_date, expires_at, status, version,
	signed_at, created_at, updated_at, template_id, template_version, document_sha256,
	coalesce(predecessor_number, '') AS predecessor_number, coalesce(successor_number, '') AS successor_number,
	coalesce(created_by, owner_id) AS created_by`

// Draft is a new contract's content, built once its number is known.
type Draft struct {
	Contract domain.Contract
	// CreatedBy is who drafts it; empty for one the system drafts (a
	// renewal), whose drafter is then its owner.
	CreatedBy string
	Lines     []document.Line
	Document  document.Document
	// Created is the creation's record (event 1, workflows.Created),
	// written with the draft so the draft reads as created as soon as its
	// workflow has started.
	Created domain.Transition
}

// Reservation is a contract number CreateDraft gave out, with its draft
// committed.
type Reservation struct {
	Number string
	// Reused: the request key had already been given this number; nothing
	// was built.
	Reused bool
	// Pending: its workflow is not yet known to have started; Start is the
	// workflow input to start it with.
	Pending bool
	Start   json.RawMessage
}

// CreateDraft allocates the year's next contract number and stores the
// draft built for it (contract row, line items, rendered document, the
// record of its creation with its payment plan and obligations, the
// pending start with input start) in one short transaction, which holds
// the year's sequence row and the audit trail only while it writes: the
// workflow is started after the commit (StartConfirmed, or VoidNumber when
// it cannot be), never across it. Concurrent creations take consecutive
// numbers.
//
// With a request key, a repeated call by the same owner builds nothing and
// returns the number the first call got, Reused, still Pending (with its
// start input) when its workflow has not been seen to start.
func (s *Store) CreateDraft(ctx context.Context, year int, ownerID, requestKey string,
	build func(number string) (Draft, error), start func(Draft) (json.RawMessage, error)) (res Reservation, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if requestKey != "" {
			var startedAt *time.Time
			var input []byte
			err := tx.QueryRow(ctx, `SELECT r.number, st.started_at, st.input FROM contract_requests r
				LEFT JOIN contract_starts st ON st.number = r.number
				WHERE r.owner_id = $1 AND r.request_key = $2`, ownerID, requestKey).Scan(&res.Number, &startedAt, &input)
			if err == nil {
				res.Reused, res.Pending, res.Start = true, input != nil && startedAt == nil, input
				return nil
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		number, err := nextNumber(ctx, tx, year)
		if err != nil {
			return err
		}
		res.Number = number
		d, err := build(res.Number)
		if err != nil {
			return err
		}
		if res.Start, err = start(d); err != nil {
			return err
		}
		res.Pending = true
		if err := insertDraft(ctx, tx, d); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO contract_starts (number, input) VALUES ($1, $2)`, res.Number, res.Start); err != nil {
			return wrap("insert pending start", err)
		}
		if err := s.appendAudit(ctx, tx, "contract.drafted", "contract", res.Number, nil, struct {
			Contract       domain.Contract   `json:"contract"`
			Lines          []domain.LineItem `json:"lines"`
			DocumentSHA256 string            `json:"document_sha256"`
		}{d.Contract, d.Lines, d.Document.SHA256}); err != nil {
			return err
		}
		if d.Created.Event.Seq != 1 || d.Created.Contract.Number != res.Number {
			return fmt.Errorf("draft %s: no record of its creation", res.Number)
		}
		// Its feed entry waits for the run's first record (ApplyTransition).
		if _, err := s.applyTransition(ctx, tx, d.Created, nil); err != nil {
			return err
		}
		if requestKey != "" {
			// A concurrent retry with the same key fails here on the primary
			// key; it never gets a second number.
			if _, err := tx.Exec(ctx, `INSERT INTO contract_requests (owner_id, request_key, number) VALUES ($1, $2, $3)`,
				ownerID, requestKey, res.Number); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Reservation{}, wrap("create draft", err)
	}
	return res, nil
}

// nextNumber takes the year's next contract number in tx: one past the
// sequence or past the highest number in use that year, whichever is
// higher. They differ only when a sequence row was lost or reset by hand,
// or a contract kept its original number at import: a workflow started
// under a number records its draft itself, and without skipping its
// number every later creation would collide with it.
func nextNumber(ctx context.Context, tx pgx.Tx, year int) (string, error) {
	first := domain.FormatContractNumber(year, 0)
	prefix := first[:len(first)-6] // "HT-2026-"
	var seq int
	if err := tx.QueryRow(ctx, `
		WITH used AS (
			SELECT coalesce(max(substring(number FROM $3::int)::int), 0) AS n
			FROM contracts WHERE number >= $2 AND number < $2 || '~')
		INSERT INTO contract_sequences (year, last_value) SELECT $1, n + 1 FROM used
		ON CONFLICT (year) DO UPDATE SET last_value = greatest(contract_sequences.last_value, (SELECT n FROM used)) + 1
		RETURNING last_value`, year, prefix, len(prefix)+1).Scan(&seq); err != nil {
		return "", err
	}
	return domain.FormatContractNumber(year, seq), nil
}

// StartConfirmed records that the workflow of number has started; a
// second call changes nothing.
func (s *Store) StartConfirmed(ctx context.Context, number string) error {
	if _, err := s.pool.Exec(ctx, `UPDATE contract_starts SET started_at = now() WHERE number = $1 AND started_at IS NULL`, number); err != nil {
		return wrap("confirm start of "+number, err)
	}
	return nil
}

// PendingStarts lists, oldest first, the numbers whose start has been
// pending since before olderThan: a process that stopped between its
// commit and its start, or could not tell whether the start went through.
func (s *Store) PendingStarts(ctx context.Context, olderThan time.Time, limit int) ([]string, error) {
	rows, _ := s.pool.Query(ctx, `SELECT number FROM contract_starts WHERE started_at IS NULL AND created_at < $1
		ORDER BY created_at LIMIT $2`, olderThan, limit)
	numbers, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, wrap("pending starts", err)
	}
	return numbers, nil
}

// VoidNumber voids (作废) a number whose workflow was never started: its
// draft (with the record of its creation and its terms) is removed, the
// number listed in contract_number_voids with the reason, and the voiding
// audited, in one transaction. The request key
// that got it is released, so a retry of that request gets a new number.
// A number already void, or whose start has been confirmed (also by its
// run's first record, ApplyTransition), is left alone: voided is false.
func (s *Store) VoidNumber(ctx context.Context, number, reason string) (voided bool, err error) {
	err = wrap("void number "+number, pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var ownerID, title string
		err := tx.QueryRow(ctx, `SELECT c.owner_id, c.title FROM contracts c JOIN contract_starts st ON st.number = c.number
			WHERE c.number = $1 AND st.started_at IS NULL FOR UPDATE OF c, st`, number).Scan(&ownerID, &title)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM contract_requests WHERE number = $1`,
			`DELETE FROM contract_documents WHERE contract_number = $1`,
			`DELETE FROM contract_line_items WHERE contract_number = $1`,
			`DELETE FROM contract_events WHERE contract_number = $1`,
			`DELETE FROM payment_milestones WHERE contract_number = $1`,
			`DELETE FROM obligations WHERE contract_number = $1`,
			`DELETE FROM contracts WHERE number = $1`,
		} {
			if _, err := tx.Exec(ctx, q, number); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO contract_number_voids (number, owner_id, title, reason) VALUES ($1, $2, $3, $4)
			ON CONFLICT (number) DO NOTHING`, number, ownerID, title, reason); err != nil {
			return err
		}
		voided = true
		return s.appendAudit(ctx, tx, "contract.number_voided", "contract", number, nil, map[string]string{"reason": reason, "title": title, "owner_id": ownerID})
	}))
	return voided && err == nil, err
}

// ErrVoidNumber: the contract's number is void; nothing is recorded for it.
var ErrVoidNumber = errors.New("contract number is void")

// VoidedNumber is a number given out and void.
type VoidedNumber struct {
	Number   string
	OwnerID  string
	Title    string
	Reason   string
	VoidedAt time.Time
}

// VoidedNumbers lists void numbers, newest first, at most limit.
func (s *Store) VoidedNumbers(ctx context.Context, limit int) ([]VoidedNumber, error) {
	rows, _ := s.pool.Query(ctx, `SELECT number, owner_id, title, reason, voided_at FROM contract_number_voids
		ORDER BY voided_at DESC, number DESC LIMIT $1`, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[VoidedNumber])
	if err != nil {
		return nil, wrap("voided numbers", err)
	}
	return out, nil
}

func insertDraft(ctx context.Context, tx pgx.Tx, d Draft) error {
	c := d.Contract
	if _, err := tx.Exec(ctx, `
		INSERT INTO contracts (number, title, customer_id, customer_name, owner_id, owner_name, amount, currency,
			start_date, end_date, expires_at, status, version, event_seq, created_at, updated_at,
			template_id, template_version, document_sha256, predecessor_number, created_by)
		VALUES ($1, $2, `+survivorOf("$3")+`, $4, $5, $6, $7, $8, $9::date, $10::date, $11, $12, 1, 0, $13, $13, $14, $15, $16, nullif($17, ''),
			coalesce(nullif($18, ''), $5))`,
		c.Number, c.Title, c.CustomerID, c.CustomerName, c.OwnerID, c.OwnerName, c.Amount, c.Currency,
		c.StartDate, c.EndDate, c.ExpiresAt, domain.StatusDraft, c.CreatedAt, c.TemplateID, c.TemplateVersion, c.DocumentSHA256,
		c.PredecessorNumber, d.CreatedBy); err != nil {
		return wrap("insert contract", err)
	}
	if err := replaceLines(ctx, tx, c.Number, 1, d.Lines); err != nil {
		return err
	}
	if d.Document.SHA256 != "" {
		if _, err := tx.Exec(ctx, `INSERT INTO contract_documents (contract_number, version, sha256, content, text, html)
			VALUES ($1, 1, $2, $3, $4, $5)`, c.Number, d.Document.SHA256, d.Document, d.Document.Text, d.Document.HTML); err != nil {
			return wrap("insert document", err)
		}
	}
	return nil
}

// replaceLines makes lines the line items of a contract version.
func replaceLines(ctx context.Context, tx pgx.Tx, number string, version int, lines []domain.LineItem) error {
	if _, err := tx.Exec(ctx, `DELETE FROM contract_line_items WHERE contract_number = $1 AND version = $2`, number, version); err != nil {
		return wrap("clear line items", err)
	}
	rows := make([][]any, len(lines))
	for i, l := range lines {
		rows[i] = []any{number, version, i + 1, l.ProductID, l.Description, l.Unit, l.QuantityMilli, l.UnitPrice,
			l.DiscountBP, l.TaxRateBP, l.Gross, l.Discount, l.Net, l.Tax, l.Total}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"contract_line_items"}, []string{"contract_number", "version", "line_no",
		"product_id", "description", "unit", "quantity_milli", "unit_price", "discount_bp", "tax_rate_bp",
		"gross", "discount", "net", "tax", "total"}, pgx.CopyFromRows(rows)); err != nil {
		return wrap("insert line items", err)
	}
	return nil
}

// LineItem is one stored line of a contract version.
type LineItem struct {
	LineNo int `json:"line_no"`
	document.Line
}

// LineItems returns the line items of a contract's current version.
func (s *Store) LineItems(ctx context.Context, number string) ([]LineItem, error) {
	rows, _ := s.pool.Query(ctx, `SELECT line_no, product_id::text, description, unit, quantity_milli, unit_price,
		discount_bp, tax_rate_bp, gross, discount, net, tax, total
		FROM contract_line_items li WHERE contract_number = $1
		  AND version = (SELECT version FROM contracts WHERE number = $1) ORDER BY line_no`, number)
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (LineItem, error) {
		var l LineItem
		err := row.Scan(&l.LineNo, &l.ProductID, &l.Description, &l.Unit, &l.QuantityMilli, &l.UnitPrice,
			&l.DiscountBP, &l.TaxRateBP, &l.Gross, &l.Discount, &l.Net, &l.Tax, &l.Total)
		return l, err
	})
	if err != nil {
		return nil, wrap(fmt.Sprintf("line items of %s", number), err)
	}
	return items, nil
}

// Contract returns one contract row, or domain.ErrNotFound.
func (s *Store) Contract(ctx context.Context, number string) (ContractRow, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+contractColumns+` FROM contracts WHERE number = $1`, number)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ContractRow])
	if err != nil {
		return ContractRow{}, wrap(fmt.Sprintf("contract %s", number), err)
	}
	return c, nil
}

// ContractFilter narrows a contract list. Empty fields do not filter.
type ContractFilter struct {
	Status  domain.Status
	OwnerID string
	// Owners, when not nil, limits the list to what these users own.
	Owners     []string
	Customer   string // substring of the customer name, case-insensitive
	CustomerID string
	// After is the cursor: the last number of the previous page.
	After string
	Limit int
}

// ListContracts returns contracts newest number first, one page at a time.
// Paging by number stays stable while new contracts are created.
func (s *Store) ListContracts(ctx context.Context, f ContractFilter) ([]ContractRow, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+contractColumns+` FROM contracts
		WHERE ($1 = '' OR status = $1)
		  AND ($2 = '' OR owner_id = $2)
		  AND ($3 = '' OR customer_name ILIKE '%' || $3 || '%')
		  AND ($4 = '' OR number < $4)
		  AND ($6 = '' OR customer_id::text = $6)
		  AND ($7::text[] IS NULL OR owner_id = ANY($7))
		ORDER BY number DESC
		LIMIT $5`, string(f.Status), f.OwnerID, escapeLike(f.Customer), f.After, f.Limit, f.CustomerID, f.Owners)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[ContractRow])
	if err != nil {
		return nil, wrap("list contracts", err)
	}
	return list, nil
}

// escapeLike makes s match literally inside an ILIKE pattern.
func escapeLike(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}

// Events returns a contract's events in order.
func (s *Store) Events(ctx context.Context, number string) ([]domain.Event, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, contract_number, seq, kind, from_status, to_status,
		actor_id, actor_name, task_id, opinion, at
		FROM contract_events WHERE contract_number = $1 ORDER BY seq`, number)
	events, err := pgx.CollectRows(rows, pgx.RowToStructByName[domain.Event])
	if err != nil {
		return nil, wrap(fmt.Sprintf("events of %s", number), err)
	}
	return events, nil
}

// Signatures returns a contract's standing signatures in signing order:
// those of a voided signing round are kept as its history, not here.
func (s *Store) Signatures(ctx context.Context, number string) ([]domain.Signature, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, contract_number, version, party, signing_order AS "order",
		signer_name, signer_email, recorded_by_id, ip, user_agent, signed_at
		FROM signatures WHERE contract_number = $1 AND voided_at IS NULL ORDER BY version, signing_order`, number)
	sigs, err := pgx.CollectRows(rows, pgx.RowToStructByName[domain.Signature])
	if err != nil {
		return nil, wrap(fmt.Sprintf("signatures of %s", number), err)
	}
	return sigs, nil
}

// OpenContract is a contract whose workflow should still be running.
type OpenContract struct {
	Number string
	Status domain.Status
}

// OpenContracts lists, a page at a time in number order, the contracts
// after number after whose workflow should still be running.
func (s *Store) OpenContracts(ctx context.Context, after string, limit int) ([]OpenContract, error) {
	rows, _ := s.pool.Query(ctx, `SELECT number, status FROM contracts WHERE status <> ALL($1) AND number > $2 ORDER BY number LIMIT $3`,
		[]string{string(domain.StatusExpired), string(domain.StatusCancelled), string(domain.StatusArchived)}, after, limit)
	open, err := pgx.CollectRows(rows, pgx.RowToStructByName[OpenContract])
	if err != nil {
		return nil, wrap("open contracts", err)
	}
	return open, nil
}

// RecentEvents returns the newest events of the contracts owned by
// owners (every contract when owners is nil), newest first.
func (s *Store) RecentEvents(ctx context.Context, owners []string, limit int) ([]domain.Event, error) {
	rows, _ := s.pool.Query(ctx, `SELECT e.id, e.contract_number, e.seq, e.kind, e.from_status, e.to_status,
		e.actor_id, e.actor_name, e.task_id, e.opinion, e.at
		FROM contract_events e JOIN contracts c ON c.number = e.contract_number
		WHERE $1::text[] IS NULL OR c.owner_id = ANY($1)
		ORDER BY e.at DESC, e.id DESC LIMIT $2`, owners, limit)
	events, err := pgx.CollectRows(rows, pgx.RowToStructByName[domain.Event])
	if err != nil {
		return nil, wrap("recent events", err)
	}
	return events, nil
}
