package console_test

import (
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"

	"github.com/signet-clm/signet/testkit/benchdata"
	"github.com/signet-clm/signet/testkit/testenv"
)

// BenchmarkContractPage renders an active contract's whole page for its
// finance reader (the live state queried, versions, the books with an
// invoice and a payment, obligations, attachments), over HTTP on a small
// database: the server's time per page.
func BenchmarkContractPage(b *testing.B) {
	testenv.RequireIntegration(b)
	s := testenv.NewStack(b, testenv.TemporalAddress(), testenv.WithLogins())
	sales := newVisitor(b, s)
	sales.signIn("sales")
	n := draftThroughForm(b, s, sales, "基准测试合同")
	activeThroughAPI(b, s, n)
	fin := newVisitor(b, s)
	fin.signIn("finance")
	for b.Loop() {
		if p := fin.get("/contracts/" + n); p.Status != http.StatusOK {
			b.Fatalf("contract page: %d", p.Status)
		}
	}
}

// BenchmarkTaskPage renders an open task's page for its approver (the
// document's findings, the route explained, the changes, the opinions,
// the attachments).
func BenchmarkTaskPage(b *testing.B) {
	testenv.RequireIntegration(b)
	s := testenv.NewStack(b, testenv.TemporalAddress(), testenv.WithLogins())
	n := submitted(b, s, "基准测试合同", 150_000_00)
	task := openTask(b, s, "sales_manager", n)
	m := newVisitor(b, s)
	m.signIn("sales_manager")
	for b.Loop() {
		if p := m.get("/tasks/" + task.ID); p.Status != http.StatusOK {
			b.Fatalf("task page: %d", p.Status)
		}
	}
}

// BenchmarkPagesAt100kContracts renders each page the console serves
// most, for the person who reads it, over HTTP against a database holding
// 100,000 contracts (SIGNET_BENCH_PAGE_CONTRACTS for another number) with
// their line items and milestones: the server's time per page at scale.
func BenchmarkPagesAt100kContracts(b *testing.B) {
	testenv.RequireIntegration(b)
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("SIGNET_BENCH_PAGE_CONTRACTS")); err == nil && v > 0 {
		n = v
	}
	s := testenv.NewStack(b, testenv.TemporalAddress(), testenv.WithLogins())
	seeded := benchdata.Seed(b, s.Store.Pool(), n)
	b.Logf("seeded %d contracts and %d line items and milestones", seeded.Contracts, seeded.Others)
	sales := newVisitor(b, s)
	sales.signIn("sales")
	active := draftThroughForm(b, s, sales, "基准测试合同")
	activeThroughAPI(b, s, active)
	inReview := submitted(b, s, "基准测试待审合同", 150_000_00)
	task := openTask(b, s, "sales_manager", inReview)

	people := map[string]*visitor{}
	for _, role := range []string{"finance", "sales_manager", "auditor", "admin"} {
		v := newVisitor(b, s)
		v.signIn(role)
		people[role] = v
	}
	for _, page := range []struct{ name, role, path string }{
		{"home", "finance", "/"},
		{"inbox", "sales_manager", "/inbox"},
		{"task", "sales_manager", "/tasks/" + task.ID},
		{"ledger", "finance", "/contracts"},
		{"ledger-filtered", "finance", "/contracts?status=active&customer=" + url.QueryEscape("客户00") + "&sort=-amount"},
		{"contract", "finance", "/contracts/" + active},
		{"customers", "finance", "/customers"},
		{"reports-summary", "finance", "/reports?view=summary&group_by=month"},
		{"reports-aging", "finance", "/reports?view=aging"},
		{"reports-renewals", "finance", "/reports?view=renewals"},
		{"audit", "auditor", "/audit"},
		{"users", "admin", "/admin/users"},
		{"notices", "sales_manager", "/notices"},
	} {
		b.Run(page.name, func(b *testing.B) {
			v := people[page.role]
			for b.Loop() {
				if p := v.get(page.path); p.Status != http.StatusOK {
					b.Fatalf("%s: %d", page.path, p.Status)
				}
			}
		})
	}
}
