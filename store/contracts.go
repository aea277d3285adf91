package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/domain"
)

// ContractRow is one contract as the projection holds it: its terms and
// where it stands.
type ContractRow struct {
	domain.Contract
	Status    domain.Status `json:"status"`
	Version   int           `json:"version"`
	SignedAt  *time.Time    `json:"signed_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

const contractColumns = `number, title, customer_name, owner_id, owner_name, amount, currency,
	start_date::text AS start_date, end_date::text AS end_date, expires_at, status, version,
	signed_at, created_at, updated_at`

// NextContractNumber allocates the next number of the year. With a request
// key, a repeated call by the same owner returns the number it got first and
// reused=true. Numbers may have gaps (an allocation whose start then failed);
// they never repeat.
func (s *Store) NextContractNumber(ctx context.Context, year int, ownerID, requestKey string) (number string, reused bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if requestKey != "" {
			err := tx.QueryRow(ctx, `SELECT number FROM contract_requests WHERE owner_id = $1 AND request_key = $2`,
				ownerID, requestKey).Scan(&number)
			if err == nil {
				reused = true
				return nil
			}
			if err != pgx.ErrNoRows {
				return err
			}
		}
		var seq int
		if err := tx.QueryRow(ctx, `
			INSERT INTO contract_sequences (year, last_value) VALUES ($1, 1)
			ON CONFLICT (year) DO UPDATE SET last_value = contract_sequences.last_value + 1
			RETURNING last_value`, year).Scan(&seq); err != nil {
			return err
		}
		number = domain.FormatContractNumber(year, seq)
		if requestKey != "" {
			// A concurrent retry with the same key loses here on the primary
			// key and is told to try again, never given a second number.
			if _, err := tx.Exec(ctx, `INSERT INTO contract_requests (owner_id, request_key, number) VALUES ($1, $2, $3)`,
				ownerID, requestKey, number); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", false, fmt.Errorf("allocate contract number: %w", err)
	}
	return number, reused, nil
}

// Contract returns one contract row, or domain.ErrNotFound.
func (s *Store) Contract(ctx context.Context, number string) (ContractRow, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+contractColumns+` FROM contracts WHERE number = $1`, number)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ContractRow])
	if err != nil {
		return ContractRow{}, fmt.Errorf("contract %s: %w", number, notFound(err))
	}
	return c, nil
}

// ContractFilter narrows a contract list. Empty fields do not filter.
type ContractFilter struct {
	Status   domain.Status
	OwnerID  string
	Customer string // substring of the customer name, case-insensitive
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
		ORDER BY number DESC
		LIMIT $5`, string(f.Status), f.OwnerID, escapeLike(f.Customer), f.After, f.Limit)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[ContractRow])
	if err != nil {
		return nil, fmt.Errorf("list contracts: %w", err)
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
		return nil, fmt.Errorf("events of %s: %w", number, err)
	}
	return events, nil
}

// Signatures returns a contract's recorded signatures in signing order.
func (s *Store) Signatures(ctx context.Context, number string) ([]domain.Signature, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, contract_number, version, party, signing_order AS "order",
		signer_name, signer_email, recorded_by_id, ip, user_agent, signed_at
		FROM signatures WHERE contract_number = $1 ORDER BY version, signing_order`, number)
	sigs, err := pgx.CollectRows(rows, pgx.RowToStructByName[domain.Signature])
	if err != nil {
		return nil, fmt.Errorf("signatures of %s: %w", number, err)
	}
	return sigs, nil
}

// InboxTask is an open approval task with the contract it belongs to.
type InboxTask struct {
	domain.ApprovalTask
	Title        string `json:"title"`
	CustomerName string `json:"customer_name"`
	OwnerName    string `json:"owner_name"`
	Amount       int64  `json:"amount"`
	Currency     string `json:"currency"`
}

// OpenTasks returns the open approval tasks any of roles may decide, oldest first.
func (s *Store) OpenTasks(ctx context.Context, roles []domain.Role) ([]InboxTask, error) {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	rows, _ := s.pool.Query(ctx, `SELECT t.id, t.contract_number, t.round, t.stage, t.role, t.status,
		t.decided_by_id, t.decided_by_name, t.opinion, t.opened_at, t.decided_at,
		c.title, c.customer_name, c.owner_name, c.amount, c.currency
		FROM approval_tasks t JOIN contracts c ON c.number = t.contract_number
		WHERE t.status = 'open' AND t.role = ANY($1)
		ORDER BY t.opened_at, t.id`, names)
	tasks, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (InboxTask, error) {
		var t InboxTask
		err := row.Scan(&t.ID, &t.ContractNumber, &t.Round, &t.Stage, &t.Role, &t.Status,
			&t.DecidedByID, &t.DecidedByName, &t.Opinion, &t.OpenedAt, &t.DecidedAt,
			&t.Title, &t.CustomerName, &t.OwnerName, &t.Amount, &t.Currency)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("open tasks: %w", err)
	}
	return tasks, nil
}

// Tasks returns every approval task of a contract, all rounds.
func (s *Store) Tasks(ctx context.Context, number string) ([]domain.ApprovalTask, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, contract_number, round, stage, role, status,
		decided_by_id, decided_by_name, opinion, opened_at, decided_at
		FROM approval_tasks WHERE contract_number = $1 ORDER BY round, stage`, number)
	tasks, err := pgx.CollectRows(rows, pgx.RowToStructByName[domain.ApprovalTask])
	if err != nil {
		return nil, fmt.Errorf("tasks of %s: %w", number, err)
	}
	return tasks, nil
}

// OpenContractNumbers lists contracts whose workflow should still be running.
func (s *Store) OpenContractNumbers(ctx context.Context) ([]string, error) {
	rows, _ := s.pool.Query(ctx, `SELECT number FROM contracts WHERE status <> ALL($1) ORDER BY number`,
		[]string{string(domain.StatusExpired), string(domain.StatusCancelled)})
	numbers, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("open contract numbers: %w", err)
	}
	return numbers, nil
}
