package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	neturl "net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/signet-clm/signet/internal/customers"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/reports"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// reportFixture is four contracts with payment plans, figures worked out
// by hand in the tests:
//
//	A  demo-sales    CNY 100,000.00  企业软件            active, signed today (through the API)
//	B  demo-sales    CNY  50,000.00  企业软件 30,000.00 + 工业硬件 20,000.00, signed 2026-03-15
//	C  demo-sales    USD   8,000.00  工业硬件            signed 2026-03-20
//	D  test-sales-2  CNY   5,000.00  企业软件            draft, unsigned, for 杭州远景制造有限公司: owes nothing
//
// Milestones (current version 1), with today the day in SIGNET_TIMEZONE:
//
//	A1 40,000.00 due today−20, invoiced 40,000.00, received 15,000.00
//	A2 60,000.00 due today+10
//	B1 20,000.00 due today−45, received 5,000.00
//	B2 30,000.00 due today−100
//	C1  8,000.00 USD due today−5, invoiced 8,000.00, received 3,000.00
//	D1  5,000.00 due today−70 (a draft's: neither outstanding nor overdue)
type reportFixture struct {
	s          *testenv.Stack
	a, b, c, d string
	hangzhou   string // D's customer
	today      time.Time
	hardware   string // the 工业硬件 product line
}

func day(t time.Time, offset int) string { return t.AddDate(0, 0, offset).Format(time.DateOnly) }

func newReportFixture(t *testing.T) reportFixture {
	t.Helper()
	s := testenv.NewStack(t, testenv.TemporalAddress())
	ctx := context.Background()
	f := reportFixture{s: s, today: time.Now().In(s.Loc)}
	f.hardware = uuid.NewString()
	require.NoError(t, s.Store.CreateProductLine(ctx, store.ProductLine{ID: f.hardware, Name: "工业硬件"}))
	gatewayCNY, gatewayUSD := uuid.NewString(), uuid.NewString()
	for id, cur := range map[string]string{gatewayCNY: "CNY", gatewayUSD: "USD"} {
		require.NoError(t, s.Store.SaveProduct(ctx, store.Product{ID: id, LineID: f.hardware, Name: "工业网关 " + cur, Unit: "台",
			ListPrice: 100, Currency: cur, TaxRateBP: 0, Active: true}))
	}
	start, end := day(f.today, -30), day(f.today, 300)

	f.a = driveToActive(t, s, newContract(100_000_00, start, end)).Contract.Number

	b := newContract(30_000_00, start, end)
	b["line_items"] = []map[string]any{
		{"product_id": devstack.DemoConsultingProduct, "quantity": "1", "unit_price": 30_000_00},
		{"product_id": gatewayCNY, "quantity": "2", "unit_price": 10_000_00},
	}
	f.b = create(t, s, b).Contract.Number
	c := newContract(0, start, end)
	c["currency"] = "USD"
	c["title"] = "Industrial Gateway Supply Agreement"
	c["line_items"] = []map[string]any{{"product_id": gatewayUSD, "quantity": "1", "unit_price": 8_000_00}}
	f.c = create(t, s, c).Contract.Number
	f.hangzhou = expect[customers.Detail](t, call(t, s, http.MethodPost, "/v1/customers", "sales2",
		map[string]any{"name": "杭州远景制造有限公司", "tier": "B"}), http.StatusCreated).ID
	d := newContract(5_000_00, start, end)
	d["customer_id"] = f.hangzhou
	delete(d, "contact_id")
	f.d = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts", "sales2", d), http.StatusCreated).Contract.Number

	// Signing in chosen months: the projection rows are set directly, as
	// the workflow cannot back-date a signature.
	for n, signed := range map[string]time.Time{
		f.b: time.Date(2026, 3, 15, 10, 0, 0, 0, s.Loc), f.c: time.Date(2026, 3, 20, 23, 30, 0, 0, s.Loc),
	} {
		_, err := s.Store.Pool().Exec(ctx, `UPDATE contracts SET status = 'active', signed_at = $2 WHERE number = $1`, n, signed)
		require.NoError(t, err)
	}

	ms := map[string]string{}
	plan := func(n, cur string, lines ...any) {
		var plan []store.Milestone
		for i := 0; i < len(lines); i += 3 {
			id := uuid.NewString()
			ms[lines[i].(string)] = id
			plan = append(plan, store.Milestone{ID: id, Seq: i/3 + 1, Title: "第" + strconv.Itoa(i/3+1) + "期款",
				Amount: lines[i+1].(int64), Currency: cur, DueDate: day(f.today, lines[i+2].(int))})
		}
		require.NoError(t, s.Store.ReplaceMilestonePlan(ctx, n, 1, plan))
	}
	plan(f.a, "CNY", "A1", int64(40_000_00), -20, "A2", int64(60_000_00), 10)
	plan(f.b, "CNY", "B1", int64(20_000_00), -45, "B2", int64(30_000_00), -100)
	plan(f.c, "USD", "C1", int64(8_000_00), -5)
	plan(f.d, "CNY", "D1", int64(5_000_00), -70)
	invoice := func(n, m string, amount int64) {
		_, err := s.Store.RecordInvoice(ctx, store.Invoice{ID: "inv/" + m, ContractNumber: n, MilestoneID: ms[m],
			InvoiceNumber: "FP-" + m, Amount: amount, IssuedOn: day(f.today, -20), RecordedAt: time.Now()})
		require.NoError(t, err)
	}
	pay := func(n, m string, amount int64) {
		_, err := s.Store.RecordPayment(ctx, store.Payment{ID: "pay/" + m, ContractNumber: n, MilestoneID: ms[m],
			Amount: amount, ReceivedOn: day(f.today, -3), Method: "银行转账", Reference: "回单-" + m, RecordedAt: time.Now()})
		require.NoError(t, err)
	}
	invoice(f.a, "A1", 40_000_00)
	pay(f.a, "A1", 15_000_00)
	pay(f.b, "B1", 5_000_00)
	invoice(f.c, "C1", 8_000_00)
	pay(f.c, "C1", 3_000_00)
	return f
}

func get[T any](t *testing.T, s *testenv.Stack, role, path string) T {
	t.Helper()
	return expect[T](t, call(t, s, http.MethodGet, path, role, nil), http.StatusOK)
}

// ledgerAll pages through the ledger and returns every row.
func ledgerAll(t *testing.T, s *testenv.Stack, role, query string) []reports.LedgerRow {
	t.Helper()
	var all []reports.LedgerRow
	cursor := ""
	for range 100 {
		q := query + "&limit=2"
		if cursor != "" {
			q += "&cursor=" + neturl.QueryEscape(cursor)
		}
		page := get[reports.LedgerPage](t, s, role, "/v1/reports/ledger?"+q)
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		cursor = page.NextCursor
	}
	t.Fatal("the ledger never ended")
	return nil
}

func numbers(rows []reports.LedgerRow) []string {
	var ns []string
	for _, r := range rows {
		ns = append(ns, r.Number)
	}
	return ns
}

func TestReports(t *testing.T) {
	testenv.RequireIntegration(t)
	f := newReportFixture(t)
	s := f.s
	t.Run("LedgerRowsAndFilters", func(t *testing.T) { testLedger(t, f) })
	t.Run("PermissionScoping", func(t *testing.T) { testReportScoping(t, f) })
	t.Run("Summary", func(t *testing.T) { testSummary(t, f) })
	t.Run("Aging", func(t *testing.T) { testAging(t, f) })
	t.Run("Renewals", func(t *testing.T) { testRenewals(t, f) })
	t.Run("ApprovalCycle", func(t *testing.T) { testApprovalCycle(t, f) })
	t.Run("ExportRoundTrip", func(t *testing.T) { testExportRoundTrip(t, f) })
	t.Run("Chart", func(t *testing.T) { testChart(t, f) })
	t.Run("BadInput", func(t *testing.T) { testReportBadInput(t, f) })
	// Last: it adds a contract.
	t.Run("CursorStableUnderInserts", func(t *testing.T) { testCursorStable(t, s) })
}

func testLedger(t *testing.T, f reportFixture) {
	s := f.s
	rows := ledgerAll(t, s, "finance", "sort=number")
	require.Equal(t, []string{f.a, f.b, f.c, f.d}, numbers(rows))
	byNumber := map[string]reports.LedgerRow{}
	for _, r := range rows {
		byNumber[r.Number] = r
	}
	a := byNumber[f.a]
	assert.Equal(t, "上海星辰科技有限公司", a.CustomerName)
	assert.Equal(t, "张伟 Zhang Wei", a.OwnerName)
	assert.Equal(t, "sales-zh", a.Type)
	assert.Equal(t, "销售合同", a.TypeName)
	assert.Equal(t, domain.StatusActive, a.Status)
	assert.Equal(t, f.today.Format(time.DateOnly), a.SignedOn)
	assert.Equal(t, []int64{100_000_00, 40_000_00, 15_000_00, 85_000_00}, []int64{a.Amount, a.Invoiced, a.Received, a.Outstanding})
	assert.True(t, a.Overdue, "A1 is 20 days past due")
	b := byNumber[f.b]
	assert.Equal(t, "2026-03-15", b.SignedOn)
	assert.Equal(t, []int64{50_000_00, 0, 5_000_00, 45_000_00}, []int64{b.Amount, b.Invoiced, b.Received, b.Outstanding})
	c := byNumber[f.c]
	assert.Equal(t, "USD", c.Currency)
	assert.Equal(t, "2026-03-20", c.SignedOn, "23:30 in Shanghai is still the 20th")
	assert.Equal(t, []int64{8_000_00, 8_000_00, 3_000_00, 5_000_00}, []int64{c.Amount, c.Invoiced, c.Received, c.Outstanding})
	d := byNumber[f.d]
	assert.Equal(t, domain.StatusDraft, d.Status)
	assert.Empty(t, d.SignedOn)
	assert.Nil(t, d.SignedAt)

	list := func(q string) []string { return numbers(ledgerAll(t, s, "finance", q)) }
	assert.Equal(t, []string{f.a, f.b, f.c}, list("status=active&sort=number"))
	assert.Equal(t, []string{f.d, f.c, f.b, f.a}, list("sort=-number"))
	assert.Equal(t, []string{f.a, f.b, f.c, f.d}, list("sort=-amount"), "amount in minor units")
	assert.Equal(t, []string{f.d, f.c, f.b, f.a}, list("sort=outstanding"), "the draft owes nothing")
	assert.Equal(t, []string{f.d, f.b, f.c, f.a}, list("sort=signed_at"), "unsigned first")
	assert.Equal(t, []string{f.d}, list("owner="+testenv.SecondSales.ID))
	assert.Equal(t, []string{f.c}, list("currency=USD"))
	assert.Equal(t, []string{f.b, f.c}, list("signed_from=2026-03-01&signed_to=2026-03-31&sort=number"))
	assert.Equal(t, []string{f.c}, list("signed_from=2026-03-20&signed_to=2026-03-20"))
	assert.Equal(t, []string{f.b, f.c, f.d}, list("amount_min=500000&amount_max=5000000&sort=number"))
	assert.Equal(t, []string{f.c}, list("amount_min=500001&amount_max=4999999"))
	assert.Equal(t, []string{f.a, f.b, f.c}, list("overdue=true&sort=number"))
	assert.Equal(t, []string{f.d}, list("overdue=false"), "a draft's past due date makes nothing overdue")
	assert.Equal(t, []string{f.a, f.b, f.c}, list("customer=星辰&sort=number"))
	assert.Equal(t, []string{f.d}, list("customer_id="+f.hangzhou))
	assert.Equal(t, []string{f.a, f.b, f.c, f.d}, list("type=sales-zh&sort=number"))
	assert.Equal(t, []string{f.a, f.b, f.c, f.d}, list("end_from="+day(f.today, 300)+"&end_to="+day(f.today, 300)+"&sort=number"))
	// Three filters and a sort together, as the benchmark runs them.
	assert.Equal(t, []string{f.b, f.c}, list("status=active&signed_to=2026-06-30&amount_min=100&sort=-amount"))
}

func testReportScoping(t *testing.T, f reportFixture) {
	s := f.s
	all := []string{f.a, f.b, f.c, f.d}
	for role, want := range map[string][]string{
		"sales": {f.a, f.b, f.c}, "sales2": {f.d}, "sales_manager": {f.a, f.b, f.c},
		"finance": all, "executive": all, "admin": all, "auditor": all,
	} {
		assert.Equal(t, want, numbers(ledgerAll(t, s, role, "sort=number")), role)
		sum := get[reports.Summary](t, s, role, "/v1/reports/summary?group_by=status")
		var count int64
		for _, tot := range sum.Totals {
			count += tot.Count
		}
		assert.Equal(t, int64(len(want)), count, "summary of %s", role)
	}
	assert.Empty(t, ledgerAll(t, s, "sales", "owner="+testenv.SecondSales.ID), "naming someone else's contracts shows nothing")
	aging := get[reports.Aging](t, s, "sales2", "/v1/reports/aging")
	assert.Empty(t, aging.Totals, "sales2 sees only D, a draft, which owes nothing")
	// Legal reads the pipeline and cycle times, not receivables.
	for _, path := range []string{"/v1/reports/ledger", "/v1/reports/summary?group_by=month", "/v1/reports/aging", "/v1/reports/summary.svg?group_by=month"} {
		assert.Equal(t, http.StatusForbidden, call(t, s, http.MethodGet, path, "legal", nil).Status, path)
	}
	get[reports.Renewals](t, s, "legal", "/v1/reports/renewals")
	get[reports.Cycle](t, s, "legal", "/v1/reports/approval-cycle")
}

func figures(r reports.Figures) [5]int64 {
	return [5]int64{r.Count, r.Amount, r.Invoiced, r.Received, r.Outstanding}
}

// summaryRows maps "key|key|currency" to the figures.
func summaryRows(sum reports.Summary) map[string][5]int64 {
	out := map[string][5]int64{}
	for _, r := range sum.Rows {
		var keys []string
		for _, g := range r.Groups {
			keys = append(keys, g.Key)
		}
		out[strings.Join(append(keys, r.Currency), "|")] = figures(r.Figures)
	}
	return out
}

func testSummary(t *testing.T, f reportFixture) {
	s := f.s
	cnyTotal := [5]int64{3, 155_000_00, 40_000_00, 20_000_00, 130_000_00}
	usdTotal := [5]int64{1, 8_000_00, 8_000_00, 3_000_00, 5_000_00}
	totals := func(sum reports.Summary) map[string][5]int64 {
		out := map[string][5]int64{}
		for _, tot := range sum.Totals {
			out[tot.Currency] = figures(tot)
		}
		return out
	}

	byOwner := get[reports.Summary](t, s, "finance", "/v1/reports/summary?group_by=owner")
	assert.Equal(t, map[string][5]int64{
		"demo-sales|CNY":   {2, 150_000_00, 40_000_00, 20_000_00, 130_000_00},
		"demo-sales|USD":   usdTotal,
		"test-sales-2|CNY": {1, 5_000_00, 0, 0, 0},
	}, summaryRows(byOwner))
	assert.Equal(t, map[string][5]int64{"CNY": cnyTotal, "USD": usdTotal}, totals(byOwner), "currencies are never added together")
	assert.Equal(t, "张伟 Zhang Wei", byOwner.Rows[0].Groups[0].Label)

	month := f.today.Format("2006-01")
	byMonthOwner := get[reports.Summary](t, s, "finance", "/v1/reports/summary?group_by=month,owner")
	assert.Equal(t, map[string][5]int64{
		"|test-sales-2|CNY":       {1, 5_000_00, 0, 0, 0},
		"2026-03|demo-sales|CNY":  {1, 50_000_00, 0, 5_000_00, 45_000_00},
		"2026-03|demo-sales|USD":  usdTotal,
		month + "|demo-sales|CNY": {1, 100_000_00, 40_000_00, 15_000_00, 85_000_00},
	}, summaryRows(byMonthOwner))

	// Product line: a contract's line amounts count in each line; its
	// count and receivables are the whole contract's in each line.
	byLine := get[reports.Summary](t, s, "finance", "/v1/reports/summary?group_by=product_line")
	assert.Equal(t, map[string][5]int64{
		devstack.DemoProductLineID + "|CNY": {3, 135_000_00, 40_000_00, 20_000_00, 130_000_00},
		f.hardware + "|CNY":                 {1, 20_000_00, 0, 5_000_00, 45_000_00},
		f.hardware + "|USD":                 usdTotal,
	}, summaryRows(byLine))
	assert.Equal(t, map[string][5]int64{"CNY": cnyTotal, "USD": usdTotal}, totals(byLine), "totals count each contract once")
	labels := map[string]string{}
	for _, r := range byLine.Rows {
		labels[r.Groups[0].Key] = r.Groups[0].Label
	}
	assert.Equal(t, "工业硬件", labels[f.hardware])
	assert.Equal(t, "企业软件", labels[devstack.DemoProductLineID])

	byStatusCustomer := get[reports.Summary](t, s, "finance", "/v1/reports/summary?group_by=status,customer&currency=CNY")
	assert.Equal(t, map[string][5]int64{
		"active|" + devstack.DemoCustomerID + "|CNY": {2, 150_000_00, 40_000_00, 20_000_00, 130_000_00},
		"draft|" + f.hangzhou + "|CNY":               {1, 5_000_00, 0, 0, 0},
	}, summaryRows(byStatusCustomer))
}

func testAging(t *testing.T, f reportFixture) {
	aging := get[reports.Aging](t, f.s, "finance", "/v1/reports/aging")
	assert.Equal(t, f.today.Format(time.DateOnly), aging.AsOf)
	// CNY: A1 25,000 at 20 days, A2 60,000 not due, B1 15,000 at 45 days,
	// B2 30,000 at 100 days; D1, a draft's, owes nothing. USD: C1 5,000 at
	// 5 days.
	cny := reports.Buckets{Currency: "CNY", NotDue: 60_000_00, Days0To30: 25_000_00, Days31To60: 15_000_00,
		DaysOver90: 30_000_00, Overdue: 70_000_00, Outstanding: 130_000_00}
	usd := reports.Buckets{Currency: "USD", Days0To30: 5_000_00, Overdue: 5_000_00, Outstanding: 5_000_00}
	assert.Equal(t, []reports.Buckets{cny, usd}, aging.Totals)
	byCustomer := map[string]reports.AgingRow{}
	for _, r := range aging.Rows {
		byCustomer[r.CustomerID+"|"+r.Currency] = r
	}
	require.Len(t, byCustomer, 2, "星辰 in two currencies; 远景's only contract is a draft")
	xingchen := byCustomer[devstack.DemoCustomerID+"|CNY"]
	assert.Equal(t, "上海星辰科技有限公司", xingchen.CustomerName)
	assert.Equal(t, reports.Buckets{Currency: "CNY", NotDue: 60_000_00, Days0To30: 25_000_00, Days31To60: 15_000_00,
		DaysOver90: 30_000_00, Overdue: 70_000_00, Outstanding: 130_000_00}, xingchen.Buckets)
	assert.Equal(t, usd, byCustomer[devstack.DemoCustomerID+"|USD"].Buckets)

	// Forty days on, A2 is 30 days past due and A1 60.
	later := get[reports.Aging](t, f.s, "finance", "/v1/reports/aging?currency=CNY&as_of="+day(f.today, 40))
	assert.Equal(t, []reports.Buckets{{Currency: "CNY", Days0To30: 60_000_00, Days31To60: 25_000_00, Days61To90: 15_000_00,
		DaysOver90: 30_000_00, Overdue: 130_000_00, Outstanding: 130_000_00}}, later.Totals)
}

func testRenewals(t *testing.T, f reportFixture) {
	s := f.s
	ctx := context.Background()
	// B ends in 20 days, C in 50, A in 300 (outside every window).
	for n, end := range map[string]string{f.b: day(f.today, 20), f.c: day(f.today, 50)} {
		_, err := s.Store.Pool().Exec(ctx, `UPDATE contracts SET end_date = $2::date WHERE number = $1`, n, end)
		require.NoError(t, err)
	}
	r := get[reports.Renewals](t, s, "sales", "/v1/reports/renewals")
	require.Len(t, r.Rows, 2)
	assert.Equal(t, f.b, r.Rows[0].Number)
	assert.Equal(t, 20, r.Rows[0].DaysLeft)
	assert.Equal(t, 30, r.Rows[0].Window)
	assert.Equal(t, f.c, r.Rows[1].Number)
	assert.Equal(t, 60, r.Rows[1].Window)
	assert.Equal(t, map[string]int{"30": 1, "60": 2, "90": 2}, r.Counts)
	// A, B and C are for one customer from one template, starting the
	// same day: C, created after B and signed, succeeds it; nothing
	// succeeds C (D is another customer's).
	assert.Equal(t, reports.RenewalRenewed, r.Rows[0].RenewalStatus)
	assert.Equal(t, f.c, r.Rows[0].Successor)
	assert.Equal(t, reports.RenewalNone, r.Rows[1].RenewalStatus)
	assert.Empty(t, r.Rows[1].Successor)
	// A draft for the customer, created now, puts C's renewal in progress.
	e := create(t, s, newContract(1_000_00, day(f.today, -30), day(f.today, 400))).Contract.Number
	r = get[reports.Renewals](t, s, "sales", "/v1/reports/renewals")
	assert.Equal(t, reports.RenewalInProgress, r.Rows[1].RenewalStatus)
	assert.Equal(t, e, r.Rows[1].Successor)
	_, err := s.Store.Pool().Exec(ctx, `UPDATE contracts SET status = 'cancelled' WHERE number = $1`, e)
	require.NoError(t, err)
	within30 := get[reports.Renewals](t, s, "sales", "/v1/reports/renewals?within=30")
	assert.Equal(t, []string{f.b}, []string{within30.Rows[0].Number})
	assert.Len(t, within30.Rows, 1)
	for _, n := range []string{f.b, f.c} {
		_, err := s.Store.Pool().Exec(ctx, `UPDATE contracts SET end_date = $2::date WHERE number = $1`, n, day(f.today, 300))
		require.NoError(t, err)
	}
}

func testApprovalCycle(t *testing.T, f reportFixture) {
	s := f.s
	ctx := context.Background()
	// A went through the default policy via the API: a manager stage and a
	// finance stage, one task each, decided.
	cycle := get[reports.Cycle](t, s, "finance", "/v1/reports/approval-cycle?policy=default")
	require.Len(t, cycle.Rows, 3, "%+v", cycle.Rows)
	assert.Equal(t, 0, cycle.Rows[0].Stage)
	assert.Equal(t, int64(2), cycle.Rows[0].Decided)
	for _, r := range cycle.Rows {
		require.NotNil(t, r.P50Seconds)
		assert.GreaterOrEqual(t, *r.P50Seconds, 0.0)
	}

	// A hand-timed round under a policy of its own on B: stage 1 tasks
	// taking 1, 2, 3 and 4 hours (one escalated), stage 2 one of 10 hours
	// and one still open.
	require.NoError(t, s.Store.StartRound(ctx, store.Round{ContractNumber: f.b, Round: 1, PolicyID: "fixture", PolicyVersion: 1,
		Route: []byte(`{}`), StartedAt: time.Now()}))
	opened := time.Date(2026, 5, 6, 9, 0, 0, 0, s.Loc)
	var tasks []domain.ApprovalTask
	task := func(stage, i int, hours float64, escalated bool) {
		at := opened
		tk := domain.ApprovalTask{ID: fmt.Sprintf("%s-R1-S%d-%d", f.b, stage, i), ContractNumber: f.b, Round: 1, Stage: stage,
			Role: domain.RoleFinance, Kind: domain.TaskKindApproval, StageName: fmt.Sprintf("第%d级审批", stage),
			AssigneeID: "demo-finance", Status: domain.TaskOpen, OpenedAt: &at}
		if hours > 0 {
			done := opened.Add(time.Duration(hours * float64(time.Hour)))
			tk.Status, tk.DecidedAt, tk.DecidedByID = domain.TaskApproved, &done, "demo-finance"
		}
		if escalated {
			tk.EscalatedAt = &at
		}
		tasks = append(tasks, tk)
	}
	task(1, 1, 1, false)
	task(1, 2, 2, true)
	task(1, 3, 3, false)
	task(1, 4, 4, false)
	task(2, 1, 10, false)
	task(2, 2, 0, false)
	require.NoError(t, s.Store.SaveTasks(ctx, tasks))

	cycle = get[reports.Cycle](t, s, "finance", "/v1/reports/approval-cycle?policy=fixture")
	hours := func(h float64) *float64 { v := h * 3600; return &v }
	assert.Equal(t, []reports.CycleRow{
		// All five decided tasks: 1, 2, 3, 4, 10 hours.
		{PolicyID: "fixture", Stage: 0, Decided: 5, Open: 1, Escalated: 1, P50Seconds: hours(3), P90Seconds: hours(7.6)},
		{PolicyID: "fixture", Stage: 1, StageName: "第1级审批", Decided: 4, Open: 0, Escalated: 1, P50Seconds: hours(2.5), P90Seconds: hours(3.7)},
		{PolicyID: "fixture", Stage: 2, StageName: "第2级审批", Decided: 1, Open: 1, Escalated: 0, P50Seconds: hours(10), P90Seconds: hours(10)},
	}, roundCycle(cycle.Rows))
	// Decided on 2026-05-06 in Shanghai: a range ending the day before has
	// none; the range selects decisions, so open tasks drop out.
	assert.Empty(t, get[reports.Cycle](t, s, "finance", "/v1/reports/approval-cycle?policy=fixture&from=2026-05-01&to=2026-05-05").Rows)
	onDay := get[reports.Cycle](t, s, "finance", "/v1/reports/approval-cycle?policy=fixture&from=2026-05-06&to=2026-05-06")
	require.NotEmpty(t, onDay.Rows)
	assert.Equal(t, int64(5), onDay.Rows[0].Decided)
	assert.Equal(t, int64(0), onDay.Rows[0].Open)
	assert.Empty(t, get[reports.Cycle](t, s, "sales2", "/v1/reports/approval-cycle?policy=fixture").Rows, "B is not sales2's")
}

// roundCycle rounds the percentiles to the millisecond, as floats from
// PostgreSQL carry noise in the last digits.
func roundCycle(rows []reports.CycleRow) []reports.CycleRow {
	r := func(p *float64) *float64 {
		if p == nil {
			return nil
		}
		v := math.Round(*p*1000) / 1000
		return &v
	}
	out := slices.Clone(rows)
	for i := range out {
		out[i].P50Seconds, out[i].P90Seconds = r(out[i].P50Seconds), r(out[i].P90Seconds)
	}
	return out
}

// cellsAsText is what a ledger row should read as in an export.
func cellsAsText(r reports.LedgerRow) []string {
	money := func(a int64) string { return domain.Money{Amount: a, Currency: r.Currency}.Decimal() }
	overdue := "否"
	if r.Overdue {
		overdue = "是"
	}
	return []string{r.Number, r.Title, r.CustomerName, r.OwnerName, r.TypeName, r.Currency, money(r.Amount), r.SignedOn,
		r.StartDate, r.EndDate, string(r.Status), money(r.Invoiced), money(r.Received), money(r.Outstanding), overdue}
}

func testExportRoundTrip(t *testing.T, f reportFixture) {
	s := f.s
	const q = "status=active,draft&sort=-outstanding"
	rows := ledgerAll(t, s, "finance", q)
	require.Len(t, rows, 4)
	var want [][]string
	for _, r := range rows {
		want = append(want, cellsAsText(r))
	}

	r := call(t, s, http.MethodGet, "/v1/reports/ledger?format=csv&"+q, "finance", nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	assert.Equal(t, "text/csv; charset=utf-8", r.Header.Get("Content-Type"))
	assert.Contains(t, r.Header.Get("Content-Disposition"), `attachment; filename="ledger-`)
	require.True(t, bytes.HasPrefix(r.Body, []byte("\xef\xbb\xbf")), "CSV starts with a UTF-8 BOM")
	records, err := csv.NewReader(bytes.NewReader(r.Body[3:])).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, reports.LedgerHeaders, records[0])
	assert.Equal(t, want, records[1:])
	assert.Equal(t, "年度软件服务合同（含运维）", records[1][1], "Chinese text intact")

	r = call(t, s, http.MethodGet, "/v1/reports/ledger?format=xlsx&"+q, "finance", nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	assert.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", r.Header.Get("Content-Type"))
	x, err := excelize.OpenReader(bytes.NewReader(r.Body))
	require.NoError(t, err)
	defer x.Close()
	sheet := x.GetSheetName(0)
	assert.Equal(t, "合同台账", sheet)
	panes, err := x.GetPanes(sheet)
	require.NoError(t, err)
	assert.True(t, panes.Freeze, "header row frozen")
	assert.Equal(t, 1, panes.YSplit)
	got, err := x.GetRows(sheet, excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	require.Len(t, got, len(want)+1)
	assert.Equal(t, reports.LedgerHeaders, got[0])
	for i, row := range got[1:] {
		for len(row) < len(reports.LedgerHeaders) {
			row = append(row, "")
		}
		// Money cells are numbers: back to two decimals. Date cells are
		// Excel serial dates.
		for _, col := range []int{6, 11, 12, 13} {
			v, err := strconv.ParseFloat(row[col], 64)
			require.NoError(t, err, "money cell %q is a number", row[col])
			row[col] = strconv.FormatFloat(v, 'f', 2, 64)
		}
		for _, col := range []int{7, 8, 9} {
			if row[col] == "" {
				continue
			}
			serial, err := strconv.ParseFloat(row[col], 64)
			require.NoError(t, err, "date cell %q is a serial date", row[col])
			d, err := excelize.ExcelDateToTime(serial, false)
			require.NoError(t, err)
			row[col] = d.Format(time.DateOnly)
		}
		assert.Equal(t, want[i], row, "row %d", i+1)
	}
	cell, _ := excelize.CoordinatesToCellName(7, 2)
	style, err := x.GetCellStyle(sheet, cell)
	require.NoError(t, err)
	st, err := x.GetStyle(style)
	require.NoError(t, err)
	require.NotNil(t, st.CustomNumFmt)
	assert.Equal(t, "#,##0.00", *st.CustomNumFmt, "money shown with two decimals")

	// Text that a spreadsheet would run as a formula stays text.
	_, err = s.Store.Pool().Exec(context.Background(), `UPDATE contracts SET title = '=HYPERLINK("http://evil.example","点我")' WHERE number = $1`, f.d)
	require.NoError(t, err)
	r = call(t, s, http.MethodGet, "/v1/reports/ledger?format=csv&owner="+testenv.SecondSales.ID, "finance", nil)
	records, err = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\xef\xbb\xbf")))).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, `'=HYPERLINK("http://evil.example","点我")`, records[1][1])
	r = call(t, s, http.MethodGet, "/v1/reports/ledger?format=xlsx&owner="+testenv.SecondSales.ID, "finance", nil)
	x2, err := excelize.OpenReader(bytes.NewReader(r.Body))
	require.NoError(t, err)
	defer x2.Close()
	formula, err := x2.GetCellFormula(x2.GetSheetName(0), "B2")
	require.NoError(t, err)
	assert.Empty(t, formula, "a string cell, not a formula")
	title, err := x2.GetCellValue(x2.GetSheetName(0), "B2")
	require.NoError(t, err)
	assert.Equal(t, `=HYPERLINK("http://evil.example","点我")`, title)
	_, err = s.Store.Pool().Exec(context.Background(), `UPDATE contracts SET title = '年度软件服务合同（含运维）' WHERE number = $1`, f.d)
	require.NoError(t, err)

	// Figures export too, totals last.
	r = call(t, s, http.MethodGet, "/v1/reports/summary?group_by=owner&status=active,draft&format=csv", "finance", nil)
	require.Equal(t, http.StatusOK, r.Status)
	records, err = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\xef\xbb\xbf")))).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"负责人", "币种", "合同数", "合同金额", "已开票", "已回款", "未回款"}, records[0])
	assert.Equal(t, []string{"张伟 Zhang Wei", "CNY", "2", "150000.00", "40000.00", "20000.00", "130000.00"}, records[1])
	assert.Equal(t, []string{"合计", "USD", "1", "8000.00", "8000.00", "3000.00", "5000.00"}, records[len(records)-1])
	for _, path := range []string{"/v1/reports/aging?format=xlsx", "/v1/reports/approval-cycle?format=xlsx",
		"/v1/reports/renewals?format=csv", "/v1/reports/summary?group_by=month,product_line&format=xlsx"} {
		r := call(t, s, http.MethodGet, path, "finance", nil)
		assert.Equal(t, http.StatusOK, r.Status, path)
		if strings.Contains(path, "xlsx") {
			x, err := excelize.OpenReader(bytes.NewReader(r.Body))
			if assert.NoError(t, err, path) {
				rows, _ := x.GetRows(x.GetSheetName(0))
				assert.NotEmpty(t, rows, path)
				x.Close()
			}
		}
	}
}

func testChart(t *testing.T, f reportFixture) {
	r := call(t, f.s, http.MethodGet, "/v1/reports/summary.svg?group_by=month,owner", "finance", nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	assert.Equal(t, "image/svg+xml; charset=utf-8", r.Header.Get("Content-Type"))
	svg := string(r.Body)
	assert.True(t, strings.HasPrefix(svg, `<?xml version="1.0" encoding="UTF-8"?>`))
	assert.Contains(t, svg, "Noto Sans CJK SC", "CJK fonts named")
	assert.Contains(t, svg, "合同金额（CNY）按月份 × 负责人")
	assert.Contains(t, svg, ">张伟 Zhang Wei<")
	assert.Contains(t, svg, ">2026-03<")
	assert.Contains(t, svg, ">未签署<")
	assert.NotContains(t, svg, "USD", "one currency per chart")
	assert.Equal(t, 1, strings.Count(svg, "<svg"))

	line := call(t, f.s, http.MethodGet, "/v1/reports/summary.svg?group_by=product_line&chart=line&measure=outstanding&currency=USD", "finance", nil)
	require.Equal(t, http.StatusOK, line.Status)
	assert.Contains(t, string(line.Body), "<polyline")
	assert.Contains(t, string(line.Body), ">工业硬件<")

	// Text is escaped: a customer called <script> is text in the chart.
	_, err := f.s.Store.Pool().Exec(context.Background(), `UPDATE contracts SET customer_name = '<script>&"x"' WHERE number = $1`, f.d)
	require.NoError(t, err)
	esc := call(t, f.s, http.MethodGet, "/v1/reports/summary.svg?group_by=customer&owner="+testenv.SecondSales.ID, "finance", nil)
	assert.NotContains(t, string(esc.Body), "<script>")
	assert.Contains(t, string(esc.Body), "&lt;script&gt;&amp;")
	_, err = f.s.Store.Pool().Exec(context.Background(), `UPDATE contracts SET customer_name = '上海星辰科技有限公司' WHERE number = $1`, f.d)
	require.NoError(t, err)
}

func testReportBadInput(t *testing.T, f reportFixture) {
	s := f.s
	before := countRows(t, s)
	page := get[reports.LedgerPage](t, s, "finance", "/v1/reports/ledger?sort=amount&limit=1")
	require.NotEmpty(t, page.NextCursor)
	for path, field := range map[string]string{
		"/v1/reports/ledger?colour=red":                                                  "colour",
		"/v1/reports/ledger?status=active&status=draft":                                  "status",
		"/v1/reports/ledger?sort=colour":                                                 "sort",
		"/v1/reports/ledger?sort=" + neturl.QueryEscape("amount; DROP TABLE contracts"):  "sort",
		"/v1/reports/ledger?signed_from=2026-13-01":                                      "signed_from",
		"/v1/reports/ledger?signed_from=20260101":                                        "signed_from",
		"/v1/reports/ledger?signed_from=2026-05-01&signed_to=2026-04-30":                 "signed_to",
		"/v1/reports/ledger?end_from=2026-05-01&end_to=2026-04-01":                       "end_to",
		"/v1/reports/ledger?amount_min=500&amount_max=100":                               "amount_max",
		"/v1/reports/ledger?amount_min=12.5":                                             "amount_min",
		"/v1/reports/ledger?limit=501":                                                   "limit",
		"/v1/reports/ledger?limit=0":                                                     "limit",
		"/v1/reports/ledger?status=active,bogus":                                         "status",
		"/v1/reports/ledger?overdue=maybe":                                               "overdue",
		"/v1/reports/ledger?currency=XXX":                                                "currency",
		"/v1/reports/ledger?customer_id=42":                                              "customer_id",
		"/v1/reports/ledger?cursor=garbage":                                              "cursor",
		"/v1/reports/ledger?sort=number&cursor=" + page.NextCursor:                       "cursor",
		"/v1/reports/ledger?format=pdf":                                                  "format",
		"/v1/reports/ledger?format=csv&limit=10":                                         "limit",
		"/v1/reports/ledger?format=xlsx&cursor=garbage":                                  "cursor",
		"/v1/reports/summary":                                                            "group_by",
		"/v1/reports/summary?group_by=colour":                                            "group_by",
		"/v1/reports/summary?group_by=month,owner,status":                                "group_by",
		"/v1/reports/summary?group_by=month,month":                                       "group_by",
		"/v1/reports/summary?group_by=month&signed_to=2026-01-01&signed_from=2026-02-01": "signed_to",
		"/v1/reports/summary.svg?group_by=month&chart=pie":                               "chart",
		"/v1/reports/summary.svg?group_by=month&measure=profit":                          "measure",
		"/v1/reports/aging?as_of=yesterday":                                              "as_of",
		"/v1/reports/aging?group_by=month":                                               "group_by",
		"/v1/reports/approval-cycle?from=2026-05-01&to=2026-01-01":                       "to",
		"/v1/reports/renewals?within=45":                                                 "within",
	} {
		assert.Equal(t, []string{field}, fieldsOf(t, call(t, s, http.MethodGet, path, "finance", nil)), path)
	}
	// A forged cursor of the right sort is refused, not cast by PostgreSQL.
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"s":"amount","k":"1e99; DROP","n":"HT-2026-000001"}`))
	assert.Equal(t, []string{"cursor"}, fieldsOf(t, call(t, s, http.MethodGet, "/v1/reports/ledger?sort=amount&cursor="+forged, "finance", nil)))
	for _, v := range []string{"' OR '1'='1", "%'; DROP TABLE contracts; --", "HT-2026-000001' --", `\%_`} {
		for _, param := range []string{"customer", "owner", "type"} {
			r := get[reports.LedgerPage](t, s, "finance", "/v1/reports/ledger?"+param+"="+neturl.QueryEscape(v))
			assert.Empty(t, r.Items, "%s=%q is a plain value", param, v)
		}
	}
	assert.Equal(t, before, countRows(t, s), "the contracts are all still there")
}

func testCursorStable(t *testing.T, s *testenv.Stack) {
	first := get[reports.LedgerPage](t, s, "finance", "/v1/reports/ledger?sort=-amount&limit=2")
	require.Len(t, first.Items, 2)
	before := numbers(ledgerAll(t, s, "finance", "sort=-amount"))
	// A new contract that sorts before the cursor, and one that sorts after it.
	big := create(t, s, newContract(500_000_00, "2026-01-01", "2026-12-31")).Contract.Number
	small := create(t, s, newContract(1_00, "2026-01-01", "2026-12-31")).Contract.Number
	var rest []string
	cursor := first.NextCursor
	for cursor != "" {
		page := get[reports.LedgerPage](t, s, "finance", "/v1/reports/ledger?sort=-amount&limit=2&cursor="+neturl.QueryEscape(cursor))
		rest = append(rest, numbers(page.Items)...)
		cursor = page.NextCursor
	}
	assert.Equal(t, append(slices.Clone(before[2:]), small), rest, "no row repeated or skipped; %s sorts before the cursor", big)
}
