package document_test

import (
	"fmt"
	"testing"

	"github.com/signet-clm/signet/internal/document"
)

// BenchmarkRender30Clauses50Lines renders a 30-clause contract with 50
// line items, HTML and text, and hashes it.
func BenchmarkRender30Clauses50Lines(b *testing.B) {
	tpl := demo(b, "sales-zh")
	for i := len(tpl.Clauses); i < 30; i++ {
		tpl.Clauses = append(tpl.Clauses, document.Clause{ID: fmt.Sprintf("extra%d", i), Title: fmt.Sprintf("附加条款%d", i),
			Body: "双方确认，{{buyer}}应按照{{payment_method}}方式在{{payment_terms_days}}日内付款，合同总金额为{{contract.total}}。"})
	}
	var lines []document.Line
	for i := range 50 {
		lines = append(lines, priced(b, fmt.Sprintf("产品%02d 企业版", i), "套", int64(1000_00+i*37), int64(1000+i*250), i%20*100, 1300))
	}
	in := input(b, tpl, map[string]any{"delivery_date": "2026-02-15", "delivery_place": "上海", "payment_terms_days": 30,
		"payment_method": "银行转账", "warranty_months": 12, "liability_cap": 50_000_000}, []string{"warranty", "liability"}, lines...)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := document.Render(tpl, in); err != nil {
			b.Fatal(err)
		}
	}
}
