// Package benchdata fills a benchmark's database with many contracts, a
// line item each and milestones for the signed ones, by COPY: the reports'
// and the console's benchmarks at scale.
package benchdata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/signet-clm/signet/internal/devstack"
)

// benchContract is contract i of the benchmark database, derived from i
// alone so line items and milestones can be made in separate passes.
type benchContract struct {
	number, title, customerID, customerName, ownerID, ownerName string
	amount                                                      int64
	currency, status, template                                  string
	start, end                                                  time.Time
	signedAt                                                    *time.Time
	created                                                     time.Time
	product                                                     string
	rng                                                         *rand.Rand
}

var benchProducts [6]string

func customerID(k int) string { return fmt.Sprintf("01970000-0000-7000-8000-%012d", k) }

func contractAt(i, n int) benchContract {
	rng := rand.New(rand.NewPCG(uint64(i), 42))
	year, seq := 2025, i+1
	if i >= n/2 {
		year, seq = 2024, i-n/2+1
	}
	c := benchContract{number: fmt.Sprintf("HT-%d-%06d", year, seq), rng: rng}
	c.title = fmt.Sprintf("年度软件服务合同（第%d号）", i)
	k := rng.IntN(Customers)
	c.customerID, c.customerName = customerID(k), fmt.Sprintf("客户%04d科技有限公司", k)
	o := i % Owners
	c.ownerID, c.ownerName = fmt.Sprintf("bench-sales-%d", o), fmt.Sprintf("销售%d号", o)
	// 1,000.00 to about 2,000,000.00, most of them small.
	c.amount = 100_000 + int64(rng.ExpFloat64()*20_000_000)%200_000_000
	switch r := rng.Float64(); {
	case r < 0.95:
		c.currency = "CNY"
	case r < 0.99:
		c.currency = "USD"
	default:
		c.currency = "EUR"
	}
	switch r := rng.Float64(); {
	case r < 0.6:
		c.status = "active"
	case r < 0.8:
		c.status = "expired"
	case r < 0.9:
		c.status = "draft"
	case r < 0.95:
		c.status = "in_review"
	default:
		c.status = "cancelled"
	}
	c.template = devstack.DemoSalesTemplate
	if rng.IntN(5) == 0 {
		c.template = devstack.DemoServiceTemplate
	}
	c.created = time.Date(year, 1, 1, 1, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(360 * 24 * time.Hour))))
	c.start = c.created.Truncate(24*time.Hour).AddDate(0, 0, 7)
	c.end = c.start.AddDate(0, 0, 180+rng.IntN(550))
	if c.status == "active" || c.status == "expired" {
		at := c.created.Add(time.Duration(1+rng.IntN(10)) * 24 * time.Hour)
		c.signedAt = &at
	}
	c.product = benchProducts[rng.IntN(len(benchProducts))]
	return c
}

// Seed fills the database with n contracts, a line item each and two
// milestones for each signed one. The first InsertSample contracts go in
// one INSERT at a time, the rest with COPY, and both rates are reported.
func Seed(b testing.TB, db *pgxpool.Pool, n int) Stats {
	ctx := context.Background()
	for o := range Owners {
		if _, err := db.Exec(ctx, `INSERT INTO users (id, name, email, roles) VALUES ($1, $2, $3, '{sales}')`,
			fmt.Sprintf("bench-sales-%d", o), fmt.Sprintf("销售%d号", o), fmt.Sprintf("bench%d@bench.local", o)); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.CopyFrom(ctx, pgx.Identifier{"customers"}, []string{"id", "name", "tier", "owner_id"},
		pgx.CopyFromSlice(Customers, func(k int) ([]any, error) {
			return []any{customerID(k), fmt.Sprintf("客户%04d科技有限公司", k), "B", fmt.Sprintf("bench-sales-%d", k%Owners)}, nil
		})); err != nil {
		b.Fatal(err)
	}
	lines := []string{devstack.DemoProductLineID, uuid.NewString(), uuid.NewString()}
	for i, name := range []string{"", "工业硬件", "云服务"} {
		if i > 0 {
			if _, err := db.Exec(ctx, `INSERT INTO product_lines (id, name) VALUES ($1, $2)`, lines[i], name); err != nil {
				b.Fatal(err)
			}
		}
		for j := range 2 {
			id := uuid.NewString()
			benchProducts[i*2+j] = id
			if _, err := db.Exec(ctx, `INSERT INTO products (id, line_id, name, unit, list_price, currency, tax_rate_bp)
				VALUES ($1, $2, $3, '项', 100, 'CNY', 0)`, id, lines[i], fmt.Sprintf("产品%d-%d", i, j)); err != nil {
				b.Fatal(err)
			}
		}
	}

	sample := min(InsertSample, n/10)
	start := time.Now()
	for i := range sample {
		if _, err := db.Exec(ctx, `INSERT INTO contracts (`+contractColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
			$11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`, contractValues(contractAt(i, n))...); err != nil {
			b.Fatal(err)
		}
	}
	insertRate := float64(sample) / time.Since(start).Seconds()

	start = time.Now()
	copied, err := db.CopyFrom(ctx, pgx.Identifier{"contracts"}, contractColumnList, rowsFrom(sample, n, func(i int) [][]any {
		return [][]any{contractValues(contractAt(i, n))}
	}))
	if err != nil {
		b.Fatal(err)
	}
	copyRate := float64(copied) / time.Since(start).Seconds()

	start = time.Now()
	items, err := db.CopyFrom(ctx, pgx.Identifier{"contract_line_items"}, []string{"contract_number", "version", "line_no",
		"product_id", "description", "unit", "quantity_milli", "unit_price", "discount_bp", "tax_rate_bp",
		"gross", "discount", "net", "tax", "total"}, rowsFrom(0, n, func(i int) [][]any {
		c := contractAt(i, n)
		return [][]any{{c.number, 1, 1, c.product, "软件许可及服务", "项", 1000, c.amount, 0, 0, c.amount, 0, c.amount, 0, c.amount}}
	}))
	if err != nil {
		b.Fatal(err)
	}
	milestones, err := db.CopyFrom(ctx, pgx.Identifier{"payment_milestones"}, []string{"id", "contract_number", "version", "seq",
		"title", "amount", "currency", "due_date", "invoiced", "received", "paid_at"}, rowsFrom(0, n, milestoneRows(n)))
	if err != nil {
		b.Fatal(err)
	}
	otherRate := float64(items+milestones) / time.Since(start).Seconds()
	if _, err := db.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return Stats{Contracts: n, Inserted: sample, InsertRate: insertRate, Copied: copied, CopyRate: copyRate,
		Others: items + milestones, OtherRate: otherRate}
}

// Stats is how seeding went: contracts in all, the first Inserted one
// INSERT at a time and the rest Copied, with their rates in rows per
// second, and the line items and milestones (Others).
type Stats struct {
	Contracts, Inserted             int
	Copied, Others                  int64
	InsertRate, CopyRate, OtherRate float64
}

// The shape of the seeded book: Owners sales people (bench-sales-0 …),
// Customers customers, the first InsertSample contracts inserted one by
// one to compare with COPY.
const (
	Owners       = 10
	Customers    = 1000
	InsertSample = 10_000
)

// milestoneRows makes two milestones for each signed contract: 40% due a
// month after signing, 60% half a year after; half paid in full, a third
// of the rest paid the first, the others part of the first.
func milestoneRows(n int) func(i int) [][]any {
	return func(i int) [][]any {
		c := contractAt(i, n)
		if c.signedAt == nil {
			return nil
		}
		first := c.amount * 4 / 10
		amounts := [2]int64{first, c.amount - first}
		var received [2]int64
		switch r := c.rng.Float64(); {
		case r < 0.5:
			received = amounts
		case r < 0.8:
			received[0] = amounts[0]
		default:
			received[0] = amounts[0] / 2
		}
		var rows [][]any
		for k := range 2 {
			due := c.signedAt.Truncate(24*time.Hour).AddDate(0, 0, []int{30, 180}[k])
			var paid *time.Time
			if received[k] == amounts[k] {
				paid = c.signedAt
			}
			rows = append(rows, []any{uuid.NewString(), c.number, 1, k + 1, fmt.Sprintf("第%d期款", k+1), amounts[k], c.currency,
				due, received[k], received[k], paid})
		}
		return rows
	}
}

const contractColumns = `number, title, customer_id, customer_name, owner_id, owner_name, amount, currency, start_date, end_date,
	expires_at, status, version, event_seq, signed_at, created_at, updated_at, template_id, template_version, document_sha256`

var contractColumnList = []string{"number", "title", "customer_id", "customer_name", "owner_id", "owner_name", "amount", "currency",
	"start_date", "end_date", "expires_at", "status", "version", "event_seq", "signed_at", "created_at", "updated_at",
	"template_id", "template_version", "document_sha256"}

func contractValues(c benchContract) []any {
	return []any{c.number, c.title, c.customerID, c.customerName, c.ownerID, c.ownerName, c.amount, c.currency, c.start, c.end,
		c.end.AddDate(0, 0, 1), c.status, 1, 1, c.signedAt, c.created, c.created, c.template, 1, ""}
}

// rowsFrom feeds COPY the rows gen returns for contracts from..n-1,
// one contract at a time, so nothing holds them all.
func rowsFrom(from, n int, gen func(i int) [][]any) pgx.CopyFromSource {
	i := from
	var pending [][]any
	return pgx.CopyFromFunc(func() ([]any, error) {
		for len(pending) == 0 {
			if i >= n {
				return nil, nil
			}
			pending = gen(i)
			i++
		}
		row := pending[0]
		pending = pending[1:]
		return row, nil
	})
}
