package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
)

// InboxTask is an approval task with the contract it belongs to.
type InboxTask struct {
	domain.ApprovalTask
	Title          string `json:"title"`
	CustomerName   string `json:"customer_name"`
	OwnerName      string `json:"owner_name"`
	Amount         int64  `json:"amount"`
	Currency       string `json:"currency"`
	DocumentSHA256 string `json:"document_sha256"`
	Overdue        bool   `json:"overdue"`
}

// inboxColumns select an InboxTask from approval_tasks t joined to contracts
// c; now names the parameter holding the current time.
func inboxColumns(now string) string {
	return `t.id, t.contract_number, t.round, t.stage, t.role, t.status, t.decided_by_id, t.decided_by_name,
	t.opinion, t.opened_at, t.decided_at, t.kind, t.stage_name, t.assignee_id, t.assignee_name, t.delegated_from,
	t.due_at, t.reminded_at, t.escalated_at, c.title, c.customer_name, c.owner_name, c.amount, c.currency,
	c.document_sha256, (t.status = 'open' AND t.due_at IS NOT NULL AND t.due_at < ` + now + `) AS overdue`
}

// mine is the inbox condition: tasks assigned to the user ($1), or to
// nobody in particular but a role the user holds ($2) on a contract whose
// owner is among owners (a parameter; NULL for every contract).
func mine(owners string) string {
	return `((t.assignee_id <> '' AND t.assignee_id = $1) OR (t.assignee_id = '' AND t.role = ANY($2) AND (` + owners + `::text[] IS NULL
		OR EXISTS (SELECT 1 FROM contracts o WHERE o.number = t.contract_number AND o.owner_id = ANY(` + owners + `)))))`
}

// InboxFilter narrows an approver's inbox. Empty fields do not filter.
type InboxFilter struct {
	UserID string
	Roles  []domain.Role
	// Owners, when not nil, limits the tasks assigned to nobody to
	// contracts these users own: whose contracts the user may see.
	Owners   []string
	Status   domain.TaskStatus
	Contract string
	Overdue  bool
	Now      time.Time
	Limit    int
}

func roleNames(roles []domain.Role) []string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return names
}

// Inbox returns an approver's tasks, oldest first.
func (s *Store) Inbox(ctx context.Context, f InboxFilter) ([]InboxTask, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+inboxColumns("$3")+` FROM approval_tasks t JOIN contracts c ON c.number = t.contract_number
		WHERE `+mine("$8")+` AND ($4 = '' OR t.status = $4) AND ($5 = '' OR t.contract_number = $5)
		  AND (NOT $6 OR (t.status = 'open' AND t.due_at < $3))
		ORDER BY t.opened_at, t.id LIMIT $7`,
		f.UserID, roleNames(f.Roles), f.Now, string(f.Status), f.Contract, f.Overdue, f.Limit, f.Owners)
	tasks, err := pgx.CollectRows(rows, pgx.RowToStructByName[InboxTask])
	if err != nil {
		return nil, wrap(fmt.Sprintf("inbox of %s", f.UserID), err)
	}
	return tasks, nil
}

// InboxCounts counts an approver's tasks per status, and open ones overdue;
// owners limits the tasks assigned to nobody as InboxFilter.Owners does.
func (s *Store) InboxCounts(ctx context.Context, userID string, roles []domain.Role, owners []string, now time.Time) (map[string]int, error) {
	rows, _ := s.pool.Query(ctx, `SELECT t.status, count(*)::int FROM approval_tasks t WHERE `+mine("$4")+` GROUP BY t.status
		UNION ALL SELECT 'overdue', count(*)::int FROM approval_tasks t WHERE `+mine("$4")+` AND t.status = 'open' AND t.due_at < $3`,
		userID, roleNames(roles), now, owners)
	counts := map[string]int{}
	var status string
	var n int
	_, err := pgx.ForEachRow(rows, []any{&status, &n}, func() error {
		counts[status] = n
		return nil
	})
	if err != nil {
		return nil, wrap(fmt.Sprintf("inbox counts of %s", userID), err)
	}
	return counts, nil
}

// InboxTask returns one task with its contract.
func (s *Store) InboxTask(ctx context.Context, id string, now time.Time) (InboxTask, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+inboxColumns("$2")+` FROM approval_tasks t JOIN contracts c ON c.number = t.contract_number
		WHERE t.id = $1`, id, now)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[InboxTask])
	if err != nil {
		return InboxTask{}, wrap(fmt.Sprintf("task %s", id), err)
	}
	return t, nil
}

// TaskRound names the contract and review round a task belongs to, as
// recorded with it: what a decision is addressed to.
func (s *Store) TaskRound(ctx context.Context, id string) (string, int, error) {
	var number string
	var round int
	err := s.pool.QueryRow(ctx, `SELECT contract_number, round FROM approval_tasks WHERE id = $1`, id).Scan(&number, &round)
	if err != nil {
		return "", 0, wrap(fmt.Sprintf("task %s", id), err)
	}
	return number, round, nil
}

// WithdrawnTask reports whether the task was withdrawn with its
// submission and the reason the withdrawal gave: that of the first
// withdrawal recorded once its round closed.
func (s *Store) WithdrawnTask(ctx context.Context, id string) (string, bool, error) {
	var withdrawn bool
	var reason string
	err := s.pool.QueryRow(ctx, `
		SELECT t.status = $2, coalesce((SELECT e.opinion FROM contract_events e
			JOIN approval_rounds r ON r.contract_number = e.contract_number AND r.round = t.round
			WHERE e.contract_number = t.contract_number AND e.kind = $3 AND e.at >= r.closed_at
			ORDER BY e.seq LIMIT 1), '')
		FROM approval_tasks t WHERE t.id = $1`, id, string(domain.TaskWithdrawn), domain.EventWithdrawn).Scan(&withdrawn, &reason)
	if err != nil {
		return "", false, wrap(fmt.Sprintf("task %s", id), err)
	}
	return reason, withdrawn, nil
}

// Tasks returns every approval task of a contract, all rounds.
func (s *Store) Tasks(ctx context.Context, number string) ([]domain.ApprovalTask, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+taskColumns+` FROM approval_tasks WHERE contract_number = $1 ORDER BY round, stage, id`, number)
	tasks, err := pgx.CollectRows(rows, pgx.RowToStructByName[domain.ApprovalTask])
	if err != nil {
		return nil, wrap(fmt.Sprintf("tasks of %s", number), err)
	}
	return tasks, nil
}

// taskColumns are approval_tasks' columns in domain.ApprovalTask's names.
const taskColumns = `id, contract_number, round, stage, role, status, decided_by_id, decided_by_name, opinion,
	opened_at, decided_at, kind, stage_name, assignee_id, assignee_name, delegated_from, due_at, reminded_at, escalated_at`
