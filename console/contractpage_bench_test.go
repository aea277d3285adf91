package console_test

import (
	"net/http"
	"testing"

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
