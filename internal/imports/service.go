package imports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// Store is the part of the PostgreSQL store imports use.
type Store interface {
	User(ctx context.Context, id string) (domain.User, error)
	FindExternals(ctx context.Context, kind, source string, ids []string) (map[string]string, error)
	CreditCodes(ctx context.Context, codes []string) (map[string]string, error)
	SaveImport(ctx context.Context, j store.ImportJob, records json.RawMessage) error
	Import(ctx context.Context, id string) (store.ImportJob, error)
	Imports(ctx context.Context, limit int) ([]store.ImportJob, error)
	ImportRecords(ctx context.Context, id string) (json.RawMessage, error)
	ImportProgress(ctx context.Context, id string, c store.ImportCounts) error
	FinishImport(ctx context.Context, id string, c store.ImportCounts, problems json.RawMessage, failure string) error
	Land(ctx context.Context, n int, atomic bool, land store.LandFunc, done func(int, store.Outcome), failed func(int, error)) error
	LandCustomer(ctx context.Context, tx pgx.Tx, source string, in store.ImportedCustomer) (store.Outcome, error)
	LandProduct(ctx context.Context, tx pgx.Tx, source string, in store.ImportedProduct) (store.Outcome, error)
	LandContract(ctx context.Context, tx pgx.Tx, source, externalID string, year int,
		build func(number string) (store.Draft, json.RawMessage, error)) (store.Outcome, string, json.RawMessage, error)
	Customer(ctx context.Context, id string) (store.Customer, error)
}

// Starter starts the workflow that lands a queued job.
type Starter interface {
	StartImport(ctx context.Context, id string) error
}

// Service checks files and queues and lands imports.
type Service struct {
	store   Store
	check   Checker
	start   Starter
	history Historian
	loc     *time.Location
	now     func() time.Time
}

// New returns the import service; loc is where calendar dates are (a
// historical contract's term ends at midnight there). check and start
// may be nil where only Land runs (the worker).
func New(st Store, check Checker, start Starter, loc *time.Location) *Service {
	if loc == nil {
		loc = time.UTC
	}
	return &Service{store: st, check: check, start: start, loc: loc, now: time.Now}
}

// WithHistorian lets the service land historical contracts (the worker).
func (s *Service) WithHistorian(h Historian) *Service {
	s.history = h
	return s
}

// Modes a file may be imported in.
const (
	// ModeDryRun checks every row and writes nothing.
	ModeDryRun = "dry_run"
	// ModeAll lands the whole file or, if any row is wrong, none of it.
	ModeAll = "all"
	// ModeRows lands every good row and reports the rest.
	ModeRows = "rows"
)

// Request is one uploaded file.
type Request struct {
	Kind     string
	Source   string
	Mode     string
	Filename string
	Data     []byte
}

// Report is what checking a file found, and the job it queued, if any.
type Report struct {
	Kind     Kind      `json:"kind"`
	Mode     string    `json:"mode"`
	Encoding string    `json:"encoding"`
	Rows     int       `json:"rows"`
	Records  int       `json:"records"`
	Valid    int       `json:"valid"`
	Problems []Problem `json:"problems"`
	// Job is the queued landing (nil for a dry run or a refused file).
	Job *store.ImportJob `json:"job,omitempty"`
}

var sourcePattern = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// mayImport: customers come in with the sales organisation's managers or
// an admin; products with finance or an admin; historical contracts with
// an admin, who answers for the whole rollout.
func mayImport(u domain.User, k Kind) bool {
	a := u.Actor()
	switch k {
	case KindCustomers:
		return a.Has(domain.RoleAdmin) || a.Has(domain.RoleSalesManager)
	case KindProducts:
		return a.Has(domain.RoleAdmin) || a.Has(domain.RoleFinance)
	}
	return a.Has(domain.RoleAdmin)
}

// MayImport reports whether u may import anything, for the console's menu.
func MayImport(u domain.User) bool {
	return slices.ContainsFunc(Kinds, func(k Kind) bool { return mayImport(u, k) })
}

// Submit checks a file. A dry run answers with the report; otherwise the
// records land in a job a workflow runs, all of them or (ModeRows) the
// good ones, and the report names the job. A file with any problem in
// ModeAll is refused whole: a validation error lists each row's problems
// as rows[LINE].COLUMN.
func (s *Service) Submit(ctx context.Context, u domain.User, req Request) (Report, error) {
	verr := &domain.ValidationError{}
	kind, ok := ParseKind(req.Kind)
	if !ok {
		verr.Add("kind", "must be one of customers, products, contracts")
	}
	if !sourcePattern.MatchString(req.Source) {
		verr.Add("source", "must be 1 to 32 of a-z, 0-9, _ and - (the system the file comes from, e.g. crm)")
	}
	if !slices.Contains([]string{ModeDryRun, ModeAll, ModeRows}, req.Mode) {
		verr.Add("mode", "must be dry_run, all or rows")
	}
	if len(req.Data) == 0 {
		verr.Add("file", "is required")
	}
	if req.Filename == "" || len(req.Filename) > 255 {
		verr.Add("file", "needs a file name of at most 255 bytes")
	}
	if err := verr.OrNil(); err != nil {
		return Report{}, err
	}
	if !mayImport(u, kind) {
		return Report{}, domain.ErrForbidden
	}
	t, err := Decode(req.Data)
	if err != nil {
		return Report{}, &domain.ValidationError{Fields: []domain.FieldError{{Field: "file", Message: err.Error()}}}
	}
	rep := Report{Kind: kind, Mode: req.Mode, Encoding: t.Encoding, Rows: len(t.Rows), Problems: []Problem{}}
	var records []any
	var lines [][]int
	switch kind {
	case KindCustomers:
		cs, problems := Customers(t, s.check)
		problems = append(problems, s.checkCustomers(ctx, u, req.Source, cs)...)
		rep.Problems = append(rep.Problems, problems...)
		now := s.now().UTC().Truncate(time.Microsecond)
		for _, c := range cs {
			records = append(records, c.record(u, now))
			lines = append(lines, append([]int{c.Line}, c.contactLines...))
		}
	case KindProducts:
		ps, problems := Products(t, s.check)
		rep.Problems = append(rep.Problems, problems...)
		now := s.now().UTC().Truncate(time.Microsecond)
		for _, p := range ps {
			records = append(records, p.record(now))
			lines = append(lines, []int{p.Line})
		}
	case KindContracts:
		hs, problems := Contracts(t, s.today())
		problems = append(problems, s.checkContracts(ctx, u, req.Source, hs)...)
		rep.Problems = append(rep.Problems, problems...)
		for _, h := range hs {
			records = append(records, h)
			lines = append(lines, []int{h.Line})
		}
	}
	rep.Records = len(records)
	bad := map[int]bool{}
	for _, p := range rep.Problems {
		bad[p.Line] = true
	}
	var good []any
	for i, r := range records {
		if !slices.ContainsFunc(lines[i], func(l int) bool { return bad[l] }) {
			good = append(good, r)
		}
	}
	rep.Valid = len(good)
	if len(rep.Problems) > 0 && (bad[1] || req.Mode == ModeAll) {
		// The header is wrong, or the caller wants the whole file or nothing.
		if req.Mode == ModeDryRun {
			return rep, nil
		}
		out := &domain.ValidationError{}
		for _, p := range rep.Problems {
			out.Add(fmt.Sprintf("rows[%d].%s", p.Line, problemField(p)), p.Message)
		}
		return rep, out
	}
	if req.Mode == ModeDryRun {
		return rep, nil
	}
	if len(good) == 0 {
		return rep, &domain.ValidationError{Fields: []domain.FieldError{{Field: "file", Message: "has no rows to import"}}}
	}
	raw, err := json.Marshal(good)
	if err != nil {
		return Report{}, fmt.Errorf("encode import records: %w", err)
	}
	problems, _ := json.Marshal(rep.Problems)
	job := store.ImportJob{
		ID: uuid.Must(uuid.NewV7()).String(), Kind: string(kind), Source: req.Source, Mode: req.Mode,
		Filename: req.Filename, Encoding: t.Encoding, Status: store.ImportQueued, Total: len(good),
		Failed: len(records) - len(good), Problems: problems, CreatedBy: u.ID, CreatedAt: s.now().UTC().Truncate(time.Microsecond),
	}
	if err := s.store.SaveImport(ctx, job, raw); err != nil {
		return Report{}, err
	}
	if err := s.start.StartImport(ctx, job.ID); err != nil {
		// The job stays queued: its page says so, and a retry of the
		// same upload queues another that lands the same records once.
		return Report{}, fmt.Errorf("start import %s: %w", job.ID, err)
	}
	rep.Job = &job
	return rep, nil
}

func problemField(p Problem) string {
	if p.Field != "" {
		return p.Field
	}
	return p.Column
}

// checkCustomers checks what only the database knows: owners that exist,
// credit codes another customer holds.
func (s *Service) checkCustomers(ctx context.Context, u domain.User, source string, cs []Customer) []Problem {
	var out []Problem
	owners := map[string]bool{}
	var ids, codes []string
	for _, c := range cs {
		ids = append(ids, c.ExternalID)
		if c.Input.CreditCode != "" {
			codes = append(codes, c.Input.CreditCode)
		}
	}
	keys, err := s.store.FindExternals(ctx, store.KindCustomer, source, ids)
	if err != nil {
		return []Problem{{Line: 1, Message: err.Error()}}
	}
	holders, err := s.store.CreditCodes(ctx, codes)
	if err != nil {
		return []Problem{{Line: 1, Message: err.Error()}}
	}
	inFile := map[string]int{}
	for _, c := range cs {
		if c.Owner != "" {
			ok, seen := owners[c.Owner]
			if !seen {
				_, err := s.store.User(ctx, c.Owner)
				ok = err == nil
				owners[c.Owner] = ok
			}
			if !ok {
				out = append(out, Problem{Line: c.Line, Column: columnTitle(KindCustomers, "owner"), Field: "owner", Message: "no such user"})
			}
		}
		code := c.Input.CreditCode
		if !domain.ValidCreditCode(code) {
			continue // blank, or refused already
		}
		if at, dup := inFile[code]; dup {
			out = append(out, Problem{Line: c.Line, Column: columnTitle(KindCustomers, "credit_code"), Field: "credit_code", Message: fmt.Sprintf("repeats line %d", at)})
			continue
		}
		inFile[code] = c.Line
		if holder, taken := holders[code]; taken && holder != keys[c.ExternalID] {
			out = append(out, Problem{Line: c.Line, Column: columnTitle(KindCustomers, "credit_code"), Field: "credit_code", Message: "is another customer's already"})
		}
	}
	return out
}

func (c Customer) record(u domain.User, now time.Time) store.ImportedCustomer {
	owner := c.Owner
	if owner == "" {
		owner = u.ID
	}
	cu := store.Customer{ID: uuid.Must(uuid.NewV7()).String(), Name: c.Input.Name, Industry: c.Input.Industry,
		Region: c.Input.Region, Tier: c.Input.Tier, OwnerID: owner, CreatedAt: now, UpdatedAt: now}
	if c.Input.CreditCode != "" {
		code := c.Input.CreditCode
		cu.CreditCode = &code
	}
	contacts := make([]store.Contact, len(c.Input.Contacts))
	for i, ci := range c.Input.Contacts {
		contacts[i] = store.Contact{ID: uuid.Must(uuid.NewV7()).String(), CustomerID: cu.ID, Name: ci.Name, Title: ci.Title,
			Phone: ci.Phone, Email: ci.Email, MaySign: ci.MaySign}
	}
	return store.ImportedCustomer{ExternalID: c.ExternalID, Customer: cu, Contacts: contacts, Line: c.Line, KeepOwner: c.Owner == ""}
}

func (p Product) record(now time.Time) store.ImportedProduct {
	return store.ImportedProduct{ExternalID: p.ExternalID, LineName: p.LineName, Line: p.Line, Product: store.Product{
		ID: uuid.Must(uuid.NewV7()).String(), Name: p.Input.Name, Unit: p.Input.Unit, ListPrice: *p.Input.ListPrice,
		Currency: p.Input.Currency, TaxRateBP: *p.Input.TaxRateBP, Active: *p.Input.Active, CreatedAt: now, UpdatedAt: now,
	}}
}

// Job returns one job for u: its creator or an admin.
func (s *Service) Job(ctx context.Context, u domain.User, id string) (store.ImportJob, error) {
	j, err := s.store.Import(ctx, id)
	if err != nil {
		return store.ImportJob{}, err
	}
	if j.CreatedBy != u.ID && !u.Actor().Has(domain.RoleAdmin) {
		return store.ImportJob{}, domain.ErrNotFound
	}
	return j, nil
}

// Jobs lists the newest jobs u may read.
func (s *Service) Jobs(ctx context.Context, u domain.User) ([]store.ImportJob, error) {
	if !MayImport(u) {
		return nil, domain.ErrForbidden
	}
	js, err := s.store.Imports(ctx, 200)
	if err != nil {
		return nil, err
	}
	out := js[:0]
	for _, j := range js {
		if j.CreatedBy == u.ID || u.Actor().Has(domain.RoleAdmin) {
			out = append(out, j)
		}
	}
	return out, nil
}

// progressEvery is how many records land between progress writes.
const progressEvery = 200

// Land lands a queued job's records (the import workflow's activity);
// beat is called with the counters as they move (the activity's
// heartbeat). A finished job is left as it is. A record refused in ModeAll
// fails the job and lands nothing; in ModeRows it is reported and the
// rest land. Any other failure is returned, for the activity to retry.
func (s *Service) Land(ctx context.Context, id string, beat func(store.ImportCounts)) (store.ImportCounts, error) {
	j, err := s.store.Import(ctx, id)
	if err != nil {
		return store.ImportCounts{}, err
	}
	if j.Status == store.ImportDone || j.Status == store.ImportFailed {
		return store.ImportCounts{Processed: j.Processed, Created: j.Created, Updated: j.Updated, Unchanged: j.Unchanged, Failed: j.Failed}, nil
	}
	raw, err := s.store.ImportRecords(ctx, id)
	if err != nil {
		return store.ImportCounts{}, err
	}
	var n int
	var land store.LandFunc
	// starts are the contract workflows to start once their records commit.
	var starts []pendingStart
	var lineOf func(i int) int
	switch Kind(j.Kind) {
	case KindCustomers:
		var cs []store.ImportedCustomer
		if err := json.Unmarshal(raw, &cs); err != nil {
			return store.ImportCounts{}, fmt.Errorf("decode records of import %s: %w", id, err)
		}
		n, lineOf = len(cs), func(i int) int { return cs[i].Line }
		land = func(ctx context.Context, tx pgx.Tx, i int) (store.Outcome, error) {
			return s.store.LandCustomer(ctx, tx, j.Source, cs[i])
		}
	case KindProducts:
		var ps []store.ImportedProduct
		if err := json.Unmarshal(raw, &ps); err != nil {
			return store.ImportCounts{}, fmt.Errorf("decode records of import %s: %w", id, err)
		}
		n, lineOf = len(ps), func(i int) int { return ps[i].Line }
		land = func(ctx context.Context, tx pgx.Tx, i int) (store.Outcome, error) {
			return s.store.LandProduct(ctx, tx, j.Source, ps[i])
		}
	case KindContracts:
		var hs []Historical
		if err := json.Unmarshal(raw, &hs); err != nil {
			return store.ImportCounts{}, fmt.Errorf("decode records of import %s: %w", id, err)
		}
		if s.history == nil {
			return store.ImportCounts{}, fmt.Errorf("import %s: this service cannot land contracts (no Historian)", id)
		}
		n, lineOf = len(hs), func(i int) int { return hs[i].Line }
		land = func(ctx context.Context, tx pgx.Tx, i int) (store.Outcome, error) {
			o, number, start, err := s.store.LandContract(ctx, tx, j.Source, hs[i].In.ExternalID, hs[i].Year, func(number string) (store.Draft, json.RawMessage, error) {
				return s.history.HistoricalDraft(number, hs[i].In)
			})
			if err == nil && start != nil {
				starts = append(starts, pendingStart{i, number, start})
			}
			return o, err
		}
	default:
		return store.ImportCounts{}, fmt.Errorf("import %s: unknown kind %q", id, j.Kind)
	}
	counts := store.ImportCounts{Failed: j.Failed}
	problems := []Problem{}
	report := func() {
		if counts.Processed%progressEvery == 0 {
			if beat != nil {
				beat(counts)
			}
			_ = s.store.ImportProgress(ctx, id, counts)
		}
	}
	done := func(_ int, o store.Outcome) {
		counts.Processed++
		switch o {
		case store.OutcomeCreated:
			counts.Created++
		case store.OutcomeUpdated:
			counts.Updated++
		default:
			counts.Unchanged++
		}
		report()
	}
	failed := func(i int, err error) {
		counts.Processed++
		counts.Failed++
		problems = append(problems, landProblem(lineOf(i), err))
		report()
	}
	err = s.store.Land(ctx, n, j.Mode == ModeAll, land, done, failed)
	var le *store.LandError
	if errors.As(err, &le) {
		problems = append(problems, landProblem(lineOf(le.Index), le.Err))
		raw, _ := json.Marshal(problems)
		c := store.ImportCounts{Failed: n}
		return c, s.store.FinishImport(ctx, id, c, raw, "line "+fmt.Sprint(lineOf(le.Index))+": "+le.Err.Error())
	}
	if err != nil {
		return counts, err
	}
	for _, p := range starts {
		// A start that fails voids its number and is reported; the rest
		// go on. A lost answer is retried by the activity, which finds the
		// start still pending.
		if err := s.history.StartHistorical(ctx, p.number, p.start); err != nil {
			if ctx.Err() != nil {
				return counts, ctx.Err()
			}
			problems = append(problems, Problem{Line: lineOf(p.index), Message: "its workflow could not start: " + err.Error()})
		}
	}
	raw, _ = json.Marshal(problems)
	return counts, s.store.FinishImport(ctx, id, counts, raw, "")
}

// pendingStart is a landed contract whose workflow waits to start.
type pendingStart struct {
	index  int
	number string
	start  json.RawMessage
}

// landProblem says what refused a record at landing, on its line.
func landProblem(line int, err error) Problem {
	var se *store.Error
	if errors.As(err, &se) && errors.Is(err, domain.ErrAlreadyExists) && strings.Contains(se.Constraint, "credit_code") {
		return Problem{Line: line, Column: columnTitle(KindCustomers, "credit_code"), Field: "credit_code", Message: "is another customer's already"}
	}
	return Problem{Line: line, Message: err.Error()}
}
