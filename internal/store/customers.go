package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
)

// Customer is one entry of the customer book (客户资料).
type Customer struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	CreditCode *string   `json:"credit_code"`
	Industry   string    `json:"industry"`
	Region     string    `json:"region"`
	Tier       string    `json:"tier"`
	OwnerID    string    `json:"owner_id"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// ExternalIDs are the keys other systems know it by (external_ids).
	ExternalIDs []domain.ExternalID `json:"external_ids"`
	// Status is CustomerActive, CustomerInactive (deactivated) or
	// CustomerMerged (into MergedInto).
	Status        string     `json:"status"`
	DeactivatedAt *time.Time `json:"deactivated_at"`
	MergedInto    *string    `json:"merged_into"`
	MergedAt      *time.Time `json:"merged_at"`
}

// Customer statuses (Customer.Status, CustomerFilter.Status).
const (
	CustomerActive   = "active"
	CustomerInactive = "inactive"
	CustomerMerged   = "merged"
	// CustomersAll selects every status in a filter.
	CustomersAll = "all"
)

// Contact is a person at a customer.
type Contact struct {
	ID         string `json:"id"`
	CustomerID string `json:"customer_id"`
	Name       string `json:"name"`
	Title      string `json:"title"`
	Phone      string `json:"phone"`
	Email      string `json:"email"`
	MaySign    bool   `json:"may_sign"`
	// ExternalIDs are the keys other systems know it by (external_ids).
	ExternalIDs []domain.ExternalID `json:"external_ids"`
	// RemovedAt is when the contact was removed from the book, nil while
	// it is current; the row stays for the contracts that name it.
	RemovedAt *time.Time `json:"removed_at"`
}

var (
	customerStatus  = `CASE WHEN merged_into IS NOT NULL THEN 'merged' WHEN deactivated_at IS NOT NULL THEN 'inactive' ELSE 'active' END`
	customerColumns = `id::text AS id, name, credit_code, industry, region, tier, owner_id, created_at, updated_at, ` +
		customerStatus + ` AS status, deactivated_at, merged_into::text AS merged_into, merged_at, ` +
		externalIDsOf(KindCustomer, "customers.id::text")
	contactColumns = `id::text AS id, customer_id::text AS customer_id, name, title, phone, email, may_sign, removed_at, ` +
		externalIDsOf(KindContact, "customer_contacts.id::text")
)

// CreateCustomer stores a customer and its contacts in one transaction.
func (s *Store) CreateCustomer(ctx context.Context, c Customer, contacts []Contact) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO customers (id, name, credit_code, industry, region, tier, owner_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
			c.ID, c.Name, c.CreditCode, c.Industry, c.Region, c.Tier, c.OwnerID, c.CreatedAt); err != nil {
			return wrap("", err)
		}
		if err := insertContacts(ctx, tx, contacts); err != nil {
			return err
		}
		if err := insertEntityIDs(ctx, tx, c, contacts); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, "customer.created", "customer", c.ID, nil, struct {
			Customer Customer  `json:"customer"`
			Contacts []Contact `json:"contacts"`
		}{c, contacts})
	})
	if err != nil {
		return wrap("create customer", err)
	}
	return nil
}

func insertContacts(ctx context.Context, tx pgx.Tx, contacts []Contact) error {
	rows := make([][]any, len(contacts))
	for i, c := range contacts {
		rows[i] = []any{c.ID, c.CustomerID, c.Name, c.Title, c.Phone, c.Email, c.MaySign}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"customer_contacts"},
		[]string{"id", "customer_id", "name", "title", "phone", "email", "may_sign"}, pgx.CopyFromRows(rows))
	return err
}

// insertEntityIDs stores the external IDs of a customer and its contacts.
func insertEntityIDs(ctx context.Context, tx pgx.Tx, c Customer, contacts []Contact) error {
	if err := insertExternalIDs(ctx, tx, KindCustomer, c.ID, c.ExternalIDs); err != nil {
		return err
	}
	for _, ct := range contacts {
		if err := insertExternalIDs(ctx, tx, KindContact, ct.ID, ct.ExternalIDs); err != nil {
			return err
		}
	}
	return nil
}

// AddContact stores one more contact of a customer.
func (s *Store) AddContact(ctx context.Context, c Contact) error {
	return s.audited(ctx, "customer.contact_added", "customer", c.CustomerID, func(tx pgx.Tx) (any, any, error) {
		if err := insertContacts(ctx, tx, []Contact{c}); err != nil {
			return nil, nil, err
		}
		return nil, c, insertExternalIDs(ctx, tx, KindContact, c.ID, c.ExternalIDs)
	})
}

// UpdateContact overwrites a current contact's fields; audited with the
// contact before and after. domain.ErrNotFound unless the contact is
// customer c.CustomerID's and not removed.
func (s *Store) UpdateContact(ctx context.Context, c Contact) error {
	err := s.audited(ctx, "customer.contact_updated", "customer", c.CustomerID, func(tx pgx.Tx) (any, any, error) {
		before, err := lockContact(ctx, tx, c.CustomerID, c.ID)
		if err != nil {
			return nil, nil, err
		}
		if before.RemovedAt != nil {
			return nil, nil, wrap("", pgx.ErrNoRows)
		}
		_, err = tx.Exec(ctx, `UPDATE customer_contacts SET name = $2, title = $3, phone = $4, email = $5, may_sign = $6 WHERE id = $1`,
			c.ID, c.Name, c.Title, c.Phone, c.Email, c.MaySign)
		c.ExternalIDs, c.RemovedAt = before.ExternalIDs, nil
		return before, c, wrap("", err)
	})
	if err != nil {
		return wrap("update contact "+c.ID, err)
	}
	return nil
}

// lockContact reads a customer's contact for update.
func lockContact(ctx context.Context, tx pgx.Tx, customerID, id string) (Contact, error) {
	rows, _ := tx.Query(ctx, `SELECT `+contactColumns+` FROM customer_contacts
		WHERE id = $1::uuid AND customer_id = $2::uuid FOR UPDATE`, id, customerID)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Contact])
	return c, wrap("", err)
}

// RemoveContact marks a customer's contact removed at at; audited. The
// row stays (contracts name it). Removing it again changes nothing and
// writes nothing; it returns the contact as it stands.
func (s *Store) RemoveContact(ctx context.Context, customerID, id string, at time.Time) (Contact, error) {
	var out Contact
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := lockContact(ctx, tx, customerID, id)
		if err != nil {
			return err
		}
		out = before
		if before.RemovedAt != nil {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE customer_contacts SET removed_at = $2 WHERE id = $1`, id, at); err != nil {
			return wrap("", err)
		}
		out.RemovedAt = &at
		return s.appendAudit(ctx, tx, "customer.contact_removed", "customer", customerID, before, out)
	})
	if err != nil {
		return Contact{}, wrap("remove contact "+id, err)
	}
	return out, nil
}

// CustomerMerge turns a customer and its contacts, as they are under the
// row lock, into what to write: the customer's new fields and the
// contacts to upsert. An error from it writes nothing.
type CustomerMerge func(c Customer, have []Contact) (Customer, []Contact, error)

// SyncCustomer overwrites a customer's fields as UpdateCustomer does,
// upserts contacts (by ID) and adds the external IDs of both, in one
// transaction, with what merge makes of the row and its contacts read
// under the row's lock. Pushes of one record at once so apply one after
// the other, each seeing the last one's contacts, however many there are.
func (s *Store) SyncCustomer(ctx context.Context, id string, merge CustomerMerge) error {
	err := s.audited(ctx, "customer.synced", "customer", id, func(tx pgx.Tx) (any, any, error) {
		rows, _ := tx.Query(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = $1 FOR UPDATE`, id)
		before, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Customer])
		if err != nil {
			return nil, nil, wrap("", err)
		}
		have, err := contactsOf(ctx, tx, id)
		if err != nil {
			return nil, nil, err
		}
		c, contacts, err := merge(before, have)
		if err != nil {
			return nil, nil, err
		}
		c.ID = id
		if _, err := tx.Exec(ctx, `UPDATE customers SET name = $2, credit_code = $3, industry = $4, region = $5, tier = $6, updated_at = $7
			WHERE id = $1`, c.ID, c.Name, c.CreditCode, c.Industry, c.Region, c.Tier, c.UpdatedAt); err != nil {
			return nil, nil, wrap("", err)
		}
		for _, ct := range contacts {
			if _, err := tx.Exec(ctx, `INSERT INTO customer_contacts (id, customer_id, name, title, phone, email, may_sign)
				VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, title = EXCLUDED.title, phone = EXCLUDED.phone,
					email = EXCLUDED.email, may_sign = EXCLUDED.may_sign, removed_at = NULL`,
				ct.ID, c.ID, ct.Name, ct.Title, ct.Phone, ct.Email, ct.MaySign); err != nil {
				return nil, nil, wrap("", err)
			}
		}
		if err := insertEntityIDs(ctx, tx, c, contacts); err != nil {
			return nil, nil, err
		}
		return before, struct {
			Customer Customer  `json:"customer"`
			Contacts []Contact `json:"contacts"`
		}{c, contacts}, nil
	})
	if err != nil {
		return wrap("sync customer", err)
	}
	return nil
}

// UpdateCustomer overwrites a customer's editable fields.
func (s *Store) UpdateCustomer(ctx context.Context, c Customer) error {
	err := s.audited(ctx, "customer.updated", "customer", c.ID, func(tx pgx.Tx) (any, any, error) {
		rows, _ := tx.Query(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = $1 FOR UPDATE`, c.ID)
		before, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Customer])
		if err != nil {
			return nil, nil, wrap("", err)
		}
		_, err = tx.Exec(ctx, `UPDATE customers SET name = $2, credit_code = $3, industry = $4, region = $5, tier = $6, updated_at = $7
			WHERE id = $1`, c.ID, c.Name, c.CreditCode, c.Industry, c.Region, c.Tier, c.UpdatedAt)
		return before, c, wrap("", err)
	})
	if err != nil {
		return wrap("update customer", err)
	}
	return nil
}

// SetCustomerActive deactivates a customer at at (active false) or
// reactivates it; audited as customer.deactivated or .reactivated.
// Asking for the state it is in changes nothing and writes nothing.
func (s *Store) SetCustomerActive(ctx context.Context, id string, active bool, at time.Time) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = $1::uuid FOR UPDATE`, id)
		before, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Customer])
		if err != nil {
			return wrap("", err)
		}
		if (before.DeactivatedAt == nil) == active {
			return nil
		}
		after, action := before, "customer.reactivated"
		after.DeactivatedAt, after.Status, after.UpdatedAt = nil, CustomerActive, at
		if !active {
			after.DeactivatedAt, after.Status, action = &at, CustomerInactive, "customer.deactivated"
		}
		if _, err := tx.Exec(ctx, `UPDATE customers SET deactivated_at = $2, updated_at = $3 WHERE id = $1`, before.ID, after.DeactivatedAt, at); err != nil {
			return wrap("", err)
		}
		return s.appendAudit(ctx, tx, action, "customer", before.ID, before, after)
	})
	if err != nil {
		return wrap("set customer "+id+" active", err)
	}
	return nil
}

// ErrMergeConflict refuses a merge whose customers changed since the
// caller checked them: the source merged elsewhere, or the target merged.
var ErrMergeConflict = errors.New("one of the customers was merged meanwhile")

// survivorOf is the SQL expression of the customer a contract's customer
// ID (the text parameter p, "" for none) resolves to: its merged_into,
// else itself. Projections and drafts carry the ID their workflow holds;
// this keeps a moved contract with the customer it was moved to.
func survivorOf(p string) string {
	return `coalesce((SELECT m.merged_into FROM customers m WHERE m.id = nullif(` + p + `, '')::uuid), nullif(` + p + `, '')::uuid)`
}

// Merged is what a merge moved.
type Merged struct {
	Into      string `json:"into"`
	Contacts  int64  `json:"contacts_moved"`
	Contracts int64  `json:"contracts_moved"`
}

// MergeCustomer merges customer from into customer into at at, in one
// transaction: from's contacts, contracts and customer external IDs (those
// from a source into has no ID from yet; the rest stay on from, which
// points at into) move to into, as does its credit code when into has
// none; customers merged into from before now point at into; from is
// marked merged_into. Audited on both (customer.merged,
// customer.merged_from). Already merged into into: nothing changes
// (done false). ErrMergeConflict when from was merged elsewhere or into
// was merged.
func (s *Store) MergeCustomer(ctx context.Context, from, into string, at time.Time) (m Merged, done bool, err error) {
	m.Into = into
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, []string{from, into})
		both, err := pgx.CollectRows(rows, pgx.RowToStructByName[Customer])
		if err != nil {
			return wrap("", err)
		}
		if len(both) != 2 {
			return wrap("", pgx.ErrNoRows)
		}
		src, dst := both[0], both[1]
		if src.ID != from {
			src, dst = dst, src
		}
		switch {
		case src.MergedInto != nil && *src.MergedInto == into:
			return nil
		case src.MergedInto != nil || dst.MergedInto != nil:
			return ErrMergeConflict
		}
		tag, err := tx.Exec(ctx, `UPDATE customer_contacts SET customer_id = $2 WHERE customer_id = $1`, src.ID, dst.ID)
		if err != nil {
			return wrap("move contacts", err)
		}
		m.Contacts = tag.RowsAffected()
		if tag, err = tx.Exec(ctx, `UPDATE contracts SET customer_id = $2 WHERE customer_id = $1`, src.ID, dst.ID); err != nil {
			return wrap("move contracts", err)
		}
		m.Contracts = tag.RowsAffected()
		if _, err := tx.Exec(ctx, `UPDATE external_ids x SET entity_id = $2 WHERE x.kind = 'customer' AND x.entity_id = $1
			AND NOT EXISTS (SELECT 1 FROM external_ids y WHERE y.kind = 'customer' AND y.entity_id = $2 AND y.source = x.source)`, src.ID, dst.ID); err != nil {
			return wrap("move external IDs", err)
		}
		if src.CreditCode != nil && dst.CreditCode == nil {
			if _, err := tx.Exec(ctx, `UPDATE customers SET credit_code = NULL WHERE id = $1`, src.ID); err != nil {
				return wrap("", err)
			}
			if _, err := tx.Exec(ctx, `UPDATE customers SET credit_code = $2, updated_at = $3 WHERE id = $1`, dst.ID, src.CreditCode, at); err != nil {
				return wrap("move credit code", err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE customers SET merged_into = $2 WHERE merged_into = $1`, src.ID, dst.ID); err != nil {
			return wrap("carry earlier merges", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE customers SET merged_into = $2, merged_at = $3, updated_at = $3 WHERE id = $1`, src.ID, dst.ID, at); err != nil {
			return wrap("", err)
		}
		done = true
		after := src
		after.MergedInto, after.MergedAt, after.Status, after.UpdatedAt = &dst.ID, &at, CustomerMerged, at
		what := struct {
			Customer Customer `json:"customer"`
			Merged   Merged   `json:"merged"`
		}{after, m}
		if err := s.appendAudit(ctx, tx, "customer.merged", "customer", src.ID, src, what); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, "customer.merged_from", "customer", dst.ID, nil, struct {
			From   string `json:"from"`
			Merged Merged `json:"merged"`
		}{src.ID, m})
	})
	if err != nil {
		return Merged{}, false, wrap("merge customer "+from, err)
	}
	return m, done, nil
}

// Customer returns one customer, or domain.ErrNotFound.
func (s *Store) Customer(ctx context.Context, id string) (Customer, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+customerColumns+` FROM customers WHERE id::text = $1`, id)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Customer])
	if err != nil {
		return Customer{}, wrap(fmt.Sprintf("customer %s", id), err)
	}
	return c, nil
}

// Contacts returns a customer's contacts in the order they were added,
// the removed ones too (RemovedAt set).
func (s *Store) Contacts(ctx context.Context, customerID string) ([]Contact, error) {
	return contactsOf(ctx, s.pool, customerID)
}

func contactsOf(ctx context.Context, q interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}, customerID string) ([]Contact, error) {
	rows, _ := q.Query(ctx, `SELECT `+contactColumns+`
		FROM customer_contacts WHERE customer_id::text = $1 ORDER BY created_at, id`, customerID)
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Contact])
	if err != nil {
		return nil, wrap(fmt.Sprintf("contacts of %s", customerID), err)
	}
	return cs, nil
}

// CustomerFilter narrows a customer list; empty fields do not filter.
type CustomerFilter struct {
	Query    string // substring of the name or the credit code
	Tier     string
	Industry string
	Region   string
	OwnerID  string
	// Owners, when not nil, limits the list to what these users own.
	Owners []string
	// Source and ExternalID keep customers with a matching external ID.
	Source     string
	ExternalID string
	// Status keeps customers of one status, or all; "" is active.
	Status string
	After  string // cursor: the last ID of the previous page
	Limit  int
}

// ListCustomers returns customers newest first. IDs are UUIDv7, so ID order
// is creation order and paging by ID stays stable under inserts.
func (s *Store) ListCustomers(ctx context.Context, f CustomerFilter) ([]Customer, error) {
	status := f.Status
	if status == "" {
		status = CustomerActive
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+customerColumns+` FROM customers
		WHERE ($1 = '' OR name ILIKE '%' || $1 || '%' OR credit_code = upper($2))
		  AND ($3 = '' OR tier = $3)
		  AND ($4 = '' OR industry = $4)
		  AND ($5 = '' OR region = $5)
		  AND ($6 = '' OR owner_id = $6)
		  AND ($7 = '' OR id < $7::uuid)
		  AND ($9::text[] IS NULL OR owner_id = ANY($9))
		  AND `+externalFilter(KindCustomer, "customers.id::text", 10, 11)+`
		  AND ($12 = 'all' OR `+customerStatus+` = $12)
		ORDER BY id DESC LIMIT $8`,
		escapeLike(f.Query), f.Query, f.Tier, f.Industry, f.Region, f.OwnerID, f.After, f.Limit, f.Owners, f.Source, f.ExternalID, status)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Customer])
	if err != nil {
		return nil, wrap("list customers", err)
	}
	return list, nil
}

// CustomerTotal is what a customer's contracts add up to in one currency:
// how many and their amount (every contract but the cancelled), and what
// was invoiced and received against them and is still outstanding, which
// only signed contracts owe (their current version's milestones).
type CustomerTotal struct {
	Currency    string `json:"currency"`
	Contracts   int    `json:"contracts"`
	Amount      int64  `json:"amount"`
	Invoiced    int64  `json:"invoiced"`
	Received    int64  `json:"received"`
	Outstanding int64  `json:"outstanding"`
}

// CustomerTotals sums a customer's contracts per currency, never across.
// owners, when not nil, limits them to the contracts these users own (as
// ContractFilter.Owners does). Sums are numeric (Sum).
func (s *Store) CustomerTotals(ctx context.Context, customerID string, owners []string) ([]CustomerTotal, error) {
	rows, _ := s.pool.Query(ctx, `SELECT c.currency::text, count(*)::int, sum(c.amount),
			sum(m.invoiced), sum(m.received), sum(m.outstanding)
		FROM contracts c
		LEFT JOIN LATERAL (
			SELECT sum(pm.invoiced) AS invoiced, sum(pm.received) AS received, sum(pm.amount - pm.received) AS outstanding
			FROM payment_milestones pm
			WHERE pm.contract_number = c.number AND pm.version = c.version AND c.signed_at IS NOT NULL
		) m ON true
		WHERE c.customer_id::text = $1 AND c.status <> 'cancelled' AND ($2::text[] IS NULL OR c.owner_id = ANY($2))
		GROUP BY c.currency ORDER BY c.currency`, customerID, owners)
	totals, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (CustomerTotal, error) {
		var t CustomerTotal
		return t, row.Scan(append([]any{&t.Currency, &t.Contracts}, Sums(&t.Amount, &t.Invoiced, &t.Received, &t.Outstanding)...)...)
	})
	if err != nil {
		return nil, wrap(fmt.Sprintf("totals of %s", customerID), err)
	}
	return totals, nil
}
