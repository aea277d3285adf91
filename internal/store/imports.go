package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
)

// ImportJob is one file being imported: its checked records wait in the
// job while a worker lands them, and its counters move as it does.
type ImportJob struct {
	ID         string     `json:"id"`
	Kind       string     `json:"kind"`
	Source     string     `json:"source"`
	Mode       string     `json:"mode"`
	Filename   string     `json:"filename"`
	Encoding   string     `json:"encoding"`
	Status     string     `json:"status"`
	Total      int        `json:"total"`
	Processed  int        `json:"processed"`
	Created    int        `json:"created"`
	Updated    int        `json:"updated"`
	Unchanged  int        `json:"unchanged"`
	Failed     int        `json:"failed"`
	Problems   []byte     `json:"problems"`
	Error      string     `json:"error"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

// Import job statuses.
const (
	ImportQueued  = "queued"
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

const importColumns = `id::text AS id, kind, source, mode, filename, encoding, status, total, processed, created, updated,
	unchanged, failed, problems::text::bytea AS problems, error, created_by, created_at, finished_at`

// SaveImport stores a new job with its records and the rows already
// refused; the same ID again is a no-op (a retried upload).
func (s *Store) SaveImport(ctx context.Context, j ImportJob, records json.RawMessage) error {
	problems := j.Problems
	if len(problems) == 0 {
		problems = []byte("[]")
	}
	return s.audited(ctx, "import.queued", "import", j.ID, func(tx pgx.Tx) (any, any, error) {
		_, err := tx.Exec(ctx, `INSERT INTO imports (id, kind, source, mode, filename, encoding, status, records, total, failed, problems, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING`,
			j.ID, j.Kind, j.Source, j.Mode, j.Filename, j.Encoding, string(records), j.Total, j.Failed, string(problems), j.CreatedBy, j.CreatedAt)
		return nil, struct {
			Kind, Source, Mode, Filename string
			Total, Refused               int
		}{j.Kind, j.Source, j.Mode, j.Filename, j.Total, j.Failed}, wrap("", err)
	})
}

// Import returns one job, or domain.ErrNotFound.
func (s *Store) Import(ctx context.Context, id string) (ImportJob, error) {
	if uuid.Validate(id) != nil {
		return ImportJob{}, domain.ErrNotFound
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+importColumns+` FROM imports WHERE id = $1`, id)
	j, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ImportJob])
	return j, wrap("import "+id, err)
}

// Imports lists the newest jobs first.
func (s *Store) Imports(ctx context.Context, limit int) ([]ImportJob, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+importColumns+` FROM imports ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	js, err := pgx.CollectRows(rows, pgx.RowToStructByName[ImportJob])
	return js, wrap("imports", err)
}

// ImportRecords returns a job's checked records.
func (s *Store) ImportRecords(ctx context.Context, id string) (json.RawMessage, error) {
	var raw []byte
	err := s.pool.QueryRow(ctx, `SELECT records::text::bytea FROM imports WHERE id = $1`, id).Scan(&raw)
	return raw, wrap("import records "+id, err)
}

// ImportCounts is how far a job has come.
type ImportCounts struct {
	Processed, Created, Updated, Unchanged, Failed int
}

// ImportProgress records a running job's counters; they only grow, so a
// retried landing never shows less than it had.
func (s *Store) ImportProgress(ctx context.Context, id string, c ImportCounts) error {
	_, err := s.pool.Exec(ctx, `UPDATE imports SET status = 'running', processed = greatest(processed, $2),
		created = greatest(created, $3), updated = greatest(updated, $4), unchanged = greatest(unchanged, $5), failed = greatest(failed, $6)
		WHERE id = $1 AND status IN ('queued', 'running')`, id, c.Processed, c.Created, c.Updated, c.Unchanged, c.Failed)
	return wrap("import progress "+id, err)
}

// FinishImport closes a job with its final counters, the problems met
// while landing (added to those found at the check) and, when it failed,
// why. A finished job stays as it finished.
func (s *Store) FinishImport(ctx context.Context, id string, c ImportCounts, problems json.RawMessage, failure string) error {
	status := ImportDone
	if failure != "" {
		status = ImportFailed
	}
	if len(problems) == 0 {
		problems = json.RawMessage("[]")
	}
	return s.audited(ctx, "import."+status, "import", id, func(tx pgx.Tx) (any, any, error) {
		_, err := tx.Exec(ctx, `UPDATE imports SET status = $2, processed = $3, created = $4, updated = $5, unchanged = $6,
			failed = $7, problems = problems || $8::jsonb, error = $9, finished_at = now()
			WHERE id = $1 AND status IN ('queued', 'running')`, id, status, c.Processed, c.Created, c.Updated, c.Unchanged, c.Failed, string(problems), failure)
		return nil, struct {
			Counts ImportCounts
			Error  string
		}{c, failure}, wrap("", err)
	})
}

// FindExternals returns which of ids (external IDs of kind from source)
// name a record already (external_ids): external ID to the record's ID.
func (s *Store) FindExternals(ctx context.Context, kind, source string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	rows, _ := s.pool.Query(ctx, `SELECT external_id, entity_id FROM external_ids WHERE kind = $1 AND source = $2 AND external_id = ANY($3)`, kind, source, ids)
	defer rows.Close()
	for rows.Next() {
		var ext, id string
		if err := rows.Scan(&ext, &id); err != nil {
			return nil, wrap("external IDs", err)
		}
		out[ext] = id
	}
	return out, wrap("external IDs", rows.Err())
}

// CreditCodes returns which of codes a customer holds: code to customer ID.
func (s *Store) CreditCodes(ctx context.Context, codes []string) (map[string]string, error) {
	rows, _ := s.pool.Query(ctx, `SELECT credit_code, id::text FROM customers WHERE credit_code = ANY($1)`, codes)
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var code, id string
		if err := rows.Scan(&code, &id); err != nil {
			return nil, wrap("credit codes", err)
		}
		out[code] = id
	}
	return out, wrap("credit codes", rows.Err())
}

// Outcome is what landing one imported record did.
type Outcome string

const (
	OutcomeCreated   Outcome = "created"
	OutcomeUpdated   Outcome = "updated"
	OutcomeUnchanged Outcome = "unchanged"
)

// ImportedCustomer is a customer as a file brings it.
type ImportedCustomer struct {
	// Line is the file's line that brought it, for reports.
	Line       int       `json:"line"`
	ExternalID string    `json:"external_id"`
	Customer   Customer  `json:"customer"`
	Contacts   []Contact `json:"contacts"`
	// KeepOwner: the file named no owner, so a customer the key names
	// already keeps its own (a new one is the importer's).
	KeepOwner bool `json:"keep_owner,omitempty"`
}

// ImportedProduct is a product as a file brings it, with its line's name.
type ImportedProduct struct {
	Line       int     `json:"line"`
	ExternalID string  `json:"external_id"`
	LineName   string  `json:"line_name"`
	Product    Product `json:"product"`
}

// LandFunc lands the i-th record of a batch in tx.
type LandFunc func(ctx context.Context, tx pgx.Tx, i int) (Outcome, error)

// Land runs land over n records: in one transaction when atomic (the first
// failure undoes them all and is returned with its index), otherwise each
// in its own, reporting each failure to failed and going on. done hears
// every record landed, in order, for progress: in an atomic landing, as
// it goes, before the commit that may yet undo them.
func (s *Store) Land(ctx context.Context, n int, atomic bool, land LandFunc, done func(i int, o Outcome), failed func(i int, err error)) error {
	if atomic {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			for i := range n {
				o, err := land(ctx, tx, i)
				if err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					return &LandError{Index: i, Err: err}
				}
				done(i, o)
			}
			return nil
		})
	}
	for i := range n {
		var o Outcome
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			var err error
			o, err = land(ctx, tx, i)
			return err
		})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failed(i, err)
			continue
		}
		done(i, o)
	}
	return nil
}

// LandError is the record an all-or-nothing landing stopped at.
type LandError struct {
	Index int
	Err   error
}

func (e *LandError) Error() string { return fmt.Sprintf("record %d: %v", e.Index, e.Err) }
func (e *LandError) Unwrap() error { return e.Err }

// importKey returns the record of kind that source knows as ext
// (external_ids, the same keys PUT …/by-external/… uses), "" for none.
// It takes no lock: keys change only under their record's row lock, so a
// caller locks the record and then checks it still holds the key
// (holdsKey), in the order the API's writes lock (record, then key).
func importKey(ctx context.Context, tx pgx.Tx, kind, source, ext string) (string, error) {
	var id string
	err := tx.QueryRow(ctx, `SELECT entity_id FROM external_ids WHERE kind = $1 AND source = $2 AND external_id = $3`, kind, source, ext).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return id, wrap("", err)
}

// holdsKey reports whether record id (its row locked) still holds the key.
func holdsKey(ctx context.Context, tx pgx.Tx, kind, source, ext, id string) (bool, error) {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM external_ids WHERE kind = $1 AND source = $2 AND external_id = $3 AND entity_id = $4)`,
		kind, source, ext, id).Scan(&ok)
	return ok, wrap("", err)
}

// claimImportKey gives the new record id the key unless it names a record
// already (false): one committed meanwhile, or one a concurrent writer has
// not committed yet, which this waits for.
func claimImportKey(ctx context.Context, tx pgx.Tx, kind, source, ext, id string) (bool, error) {
	tag, err := tx.Exec(ctx, `INSERT INTO external_ids (kind, source, external_id, entity_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kind, source, external_id) DO NOTHING`, kind, source, ext, id)
	return tag.RowsAffected() == 1, wrap("", err)
}

// errKeyMoving: an import key kept naming another record while this looked.
var errKeyMoving = errors.New("its external ID kept moving to another record while it landed; import it again")

// LandCustomer creates the customer an external ID has not named yet, or
// brings the one it names up to the file: changed fields are written and
// contacts it lacks added (none is removed). The key is the one
// PUT /v1/customers/by-external/… uses, so a customer a CRM pushed and
// the same key in a file are one customer. Audited as imported.
func (s *Store) LandCustomer(ctx context.Context, tx pgx.Tx, source string, in ImportedCustomer) (Outcome, error) {
	c := in.Customer
	imported := struct {
		Source     string    `json:"source"`
		ExternalID string    `json:"external_id"`
		Customer   Customer  `json:"customer"`
		Contacts   []Contact `json:"contacts"`
	}{source, in.ExternalID, c, in.Contacts}
	var before Customer
	for attempt := 0; ; attempt++ {
		if attempt == 3 {
			return "", errKeyMoving
		}
		id, err := importKey(ctx, tx, KindCustomer, source, in.ExternalID)
		if err != nil {
			return "", err
		}
		if id == "" {
			claimed, err := claimImportKey(ctx, tx, KindCustomer, source, in.ExternalID, c.ID)
			if err != nil {
				return "", err
			}
			if !claimed {
				continue // pushed meanwhile: update that one
			}
			if _, err := tx.Exec(ctx, `INSERT INTO customers (id, name, credit_code, industry, region, tier, owner_id, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, c.ID, c.Name, c.CreditCode, c.Industry, c.Region, c.Tier, c.OwnerID, c.CreatedAt); err != nil {
				return "", wrap("", err)
			}
			for i := range in.Contacts {
				in.Contacts[i].CustomerID = c.ID
			}
			if err := insertContacts(ctx, tx, in.Contacts); err != nil {
				return "", wrap("", err)
			}
			return OutcomeCreated, s.appendAudit(ctx, tx, "customer.imported", "customer", c.ID, nil, imported)
		}
		rows, _ := tx.Query(ctx, `SELECT `+customerColumns+` FROM customers WHERE id::text = $1 FOR UPDATE`, id)
		if before, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Customer]); err != nil {
			return "", wrap("", err)
		}
		if held, err := holdsKey(ctx, tx, KindCustomer, source, in.ExternalID, id); err != nil || held {
			if err != nil {
				return "", err
			}
			break
		}
	}
	c.ID, c.CreatedAt = before.ID, before.CreatedAt
	if in.KeepOwner {
		c.OwnerID = before.OwnerID
	}
	changed := c.Name != before.Name || deref(c.CreditCode) != deref(before.CreditCode) || c.Industry != before.Industry ||
		c.Region != before.Region || c.Tier != before.Tier || c.OwnerID != before.OwnerID
	if changed {
		// updated_at moves on even if the job's time is not later, so a
		// PUT that read the customer before this sees it changed.
		if _, err := tx.Exec(ctx, `UPDATE customers SET name = $2, credit_code = $3, industry = $4, region = $5, tier = $6, owner_id = $7,
			updated_at = greatest($8, updated_at + interval '1 microsecond') WHERE id = $1`,
			c.ID, c.Name, c.CreditCode, c.Industry, c.Region, c.Tier, c.OwnerID, c.UpdatedAt); err != nil {
			return "", wrap("", err)
		}
	}
	var have []Contact
	rows, _ := tx.Query(ctx, `SELECT `+contactColumns+` FROM customer_contacts WHERE customer_id = $1`, c.ID)
	have, err := pgx.CollectRows(rows, pgx.RowToStructByName[Contact])
	if err != nil {
		return "", wrap("", err)
	}
	var add []Contact
	for _, n := range in.Contacts {
		found := false
		for _, h := range have {
			found = found || (h.Name == n.Name && h.Phone == n.Phone && h.Email == n.Email)
		}
		if !found {
			n.CustomerID = c.ID
			add = append(add, n)
		}
	}
	if err := insertContacts(ctx, tx, add); err != nil {
		return "", wrap("", err)
	}
	if !changed && len(add) == 0 {
		return OutcomeUnchanged, nil
	}
	imported.Customer, imported.Contacts = c, add
	return OutcomeUpdated, s.appendAudit(ctx, tx, "customer.imported", "customer", c.ID, before, imported)
}

// LandProduct creates or brings up to date the product an external ID
// names, and the product line it names by name.
func (s *Store) LandProduct(ctx context.Context, tx pgx.Tx, source string, in ImportedProduct) (Outcome, error) {
	var lineID string
	err := tx.QueryRow(ctx, `SELECT id::text FROM product_lines WHERE name = $1`, in.LineName).Scan(&lineID)
	if errors.Is(err, pgx.ErrNoRows) {
		lineID = uuid.Must(uuid.NewV7()).String()
		if _, err := tx.Exec(ctx, `INSERT INTO product_lines (id, name) VALUES ($1, $2)`, lineID, in.LineName); err != nil {
			return "", wrap("", err)
		}
		if err := s.appendAudit(ctx, tx, "product_line.created", "product_line", lineID, nil, ProductLine{ID: lineID, Name: in.LineName}); err != nil {
			return "", err
		}
	} else if err != nil {
		return "", wrap("", err)
	}
	p := in.Product
	p.LineID = lineID
	imported := struct {
		Source     string  `json:"source"`
		ExternalID string  `json:"external_id"`
		Product    Product `json:"product"`
	}{source, in.ExternalID, p}
	var before Product
	for attempt := 0; ; attempt++ {
		if attempt == 3 {
			return "", errKeyMoving
		}
		id, err := importKey(ctx, tx, KindProduct, source, in.ExternalID)
		if err != nil {
			return "", err
		}
		if id == "" {
			claimed, err := claimImportKey(ctx, tx, KindProduct, source, in.ExternalID, p.ID)
			if err != nil {
				return "", err
			}
			if !claimed {
				continue // pushed meanwhile: update that one
			}
			if _, err := tx.Exec(ctx, `INSERT INTO products (id, line_id, name, unit, list_price, currency, tax_rate_bp, active, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`, p.ID, p.LineID, p.Name, p.Unit, p.ListPrice, p.Currency, p.TaxRateBP, p.Active, p.CreatedAt); err != nil {
				return "", wrap("", err)
			}
			return OutcomeCreated, s.appendAudit(ctx, tx, "product.imported", "product", p.ID, nil, imported)
		}
		rows, _ := tx.Query(ctx, `SELECT `+productColumns+` FROM products WHERE id::text = $1 FOR UPDATE`, id)
		if before, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Product]); err != nil {
			return "", wrap("", err)
		}
		if held, err := holdsKey(ctx, tx, KindProduct, source, in.ExternalID, id); err != nil || held {
			if err != nil {
				return "", err
			}
			break
		}
	}
	p.ID, p.CreatedAt = before.ID, before.CreatedAt
	if p.LineID == before.LineID && p.Name == before.Name && p.Unit == before.Unit && p.ListPrice == before.ListPrice &&
		p.Currency == before.Currency && p.TaxRateBP == before.TaxRateBP && p.Active == before.Active {
		return OutcomeUnchanged, nil
	}
	if _, err := tx.Exec(ctx, `UPDATE products SET line_id = $2, name = $3, unit = $4, list_price = $5, currency = $6, tax_rate_bp = $7,
		active = $8, updated_at = $9 WHERE id = $1`, p.ID, p.LineID, p.Name, p.Unit, p.ListPrice, p.Currency, p.TaxRateBP, p.Active, p.UpdatedAt); err != nil {
		return "", wrap("", err)
	}
	imported.Product = p
	return OutcomeUpdated, s.appendAudit(ctx, tx, "product.imported", "product", p.ID, before, imported)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// LandContract lands a contract signed before Signet that an external ID
// has not named yet: under its original number when that has the shape
// of one and is free, otherwise under the next number of year; build
// makes its record and workflow start for the number. Its start waits,
// pending, for the caller to make once this commits. A record the
// external ID names already is unchanged; its start is returned again if
// it is still pending (a landing that stopped before starting it).
func (s *Store) LandContract(ctx context.Context, tx pgx.Tx, source, externalID string, year int,
	build func(number string) (Draft, json.RawMessage, error)) (Outcome, string, json.RawMessage, error) {
	number, err := importKey(ctx, tx, KindContract, source, externalID)
	if err != nil {
		return "", "", nil, err
	}
	if number != "" {
		var start []byte
		err := tx.QueryRow(ctx, `SELECT input FROM contract_starts WHERE number = $1 AND started_at IS NULL`, number).Scan(&start)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return "", "", nil, wrap("", err)
		}
		return OutcomeUnchanged, number, start, nil
	}
	if domain.ValidContractNumber(externalID) {
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM contracts WHERE number = $1)
			OR EXISTS (SELECT 1 FROM contract_starts WHERE number = $1)`, externalID).Scan(&taken); err != nil {
			return "", "", nil, wrap("", err)
		}
		if !taken {
			number = externalID
		}
	}
	if number == "" {
		if number, err = nextNumber(ctx, tx, year); err != nil {
			return "", "", nil, wrap("", err)
		}
	}
	// The key before the record: a concurrent landing of the same key
	// waits here, and then this one rolls back whole (its number too).
	if claimed, err := claimImportKey(ctx, tx, KindContract, source, externalID, number); err != nil || !claimed {
		if err == nil {
			err = errors.New("its external ID was imported by another landing meanwhile; import it again")
		}
		return "", "", nil, err
	}
	d, start, err := build(number)
	if err != nil {
		return "", "", nil, err
	}
	if err := insertDraft(ctx, tx, d); err != nil {
		return "", "", nil, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO contract_starts (number, input) VALUES ($1, $2)`, number, start); err != nil {
		return "", "", nil, wrap("insert pending start", err)
	}
	if err := s.appendAudit(ctx, tx, "contract.imported", "contract", number, nil, struct {
		Source         string          `json:"source"`
		ExternalID     string          `json:"external_id"`
		Contract       domain.Contract `json:"contract"`
		DocumentSHA256 string          `json:"document_sha256"`
	}{source, externalID, d.Contract, d.Document.SHA256}); err != nil {
		return "", "", nil, err
	}
	return OutcomeCreated, number, start, nil
}
