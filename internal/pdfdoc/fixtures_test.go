package pdfdoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
)

func demoTemplate(t testing.TB, id string) document.Template {
	t.Helper()
	all, err := document.DemoTemplates()
	require.NoError(t, err)
	for _, tpl := range all {
		if tpl.ID == id {
			tpl.Version = 1
			return tpl
		}
	}
	t.Fatalf("no demo template %s", id)
	return document.Template{}
}

func priced(t testing.TB, desc, unit string, price, qty int64, discount, tax int) document.Line {
	t.Helper()
	amounts, err := domain.PriceLine(price, qty, discount, tax)
	require.NoError(t, err)
	return document.Line{ProductID: "p-" + unit, Description: desc, Unit: unit, QuantityMilli: qty, UnitPrice: price,
		DiscountBP: discount, TaxRateBP: tax, LineAmounts: amounts}
}

func render(t testing.TB, tpl document.Template, fields map[string]any, optional []string, edit func(*document.Input), lines ...document.Line) document.Document {
	t.Helper()
	var amounts []domain.LineAmounts
	for _, l := range lines {
		amounts = append(amounts, l.LineAmounts)
	}
	totals, err := domain.SumTotals(amounts)
	require.NoError(t, err)
	raw := map[string]json.RawMessage{}
	for k, v := range fields {
		b, _ := json.Marshal(v)
		raw[k] = b
	}
	auto := map[string]string{document.SourceCustomerName: "上海星辰科技有限公司", document.SourceContactName: "王建国"}
	values, errs := document.ResolveFields(tpl, raw, auto, "CNY")
	require.Empty(t, errs)
	in := document.Input{
		Number: "HT-2026-000123", Title: tpl.Name + "（2026年度）", Currency: "CNY", StartDate: "2026-01-01", EndDate: "2026-12-31",
		Company:  document.Party{Name: "示例科技有限公司", CreditCode: "91350100M000100Y43"},
		Customer: document.Party{Name: "上海星辰科技有限公司", CreditCode: "91110000600037341L", Contact: "王建国"},
		Owner:    "张伟", Values: values, Optional: optional, Lines: lines, Totals: totals,
	}
	if edit != nil {
		edit(&in)
	}
	doc, err := document.Render(tpl, in)
	require.NoError(t, err)
	return doc
}

// demoDocuments are the two demo templates rendered as the document
// package's golden test renders them.
func demoDocuments(t testing.TB) map[string]document.Document {
	zh := demoTemplate(t, "sales-zh")
	en := demoTemplate(t, "service-en")
	return map[string]document.Document{
		"sales-zh": render(t, zh, map[string]any{
			"delivery_date": "2026-02-15", "delivery_place": "上海市浦东新区张江路88号", "payment_terms_days": 30,
			"payment_method": "银行转账", "warranty_months": 12, "liability_cap": 50_000_000,
		}, []string{"warranty", "liability"}, func(in *document.Input) {
			in.Extra = []document.ExtraClause{{Title: "特别约定", Body: "乙方可在合同期内免费升级一次大版本。"}}
			in.PaymentPlan = []document.Payment{
				{Title: "预付款", Amount: 73_059_30, DueDate: "2026-01-15"},
				{Title: "验收款", Amount: 170_471_70, DueDate: "2026-03-31"},
			}
			in.Obligations = []document.Deliverable{{Title: "交付许可证书", DueDate: "2026-02-15"}}
			in.Renewal = &domain.Renewal{AutoRenew: true, ThroughApproval: true, NoticeDays: []int{90, 30, 7}}
		},
			priced(t, "星辰数据平台 企业版许可", "套", 98_000_00, 2000, 500, 1300),
			priced(t, "实施服务", "人天", 2_500_00, 12500, 0, 600)),
		"service-en": render(t, en, map[string]any{
			"service_scope": "24x7 monitoring & incident response for <production> systems", "service_level": "Premium",
			"payment_terms_days": 45, "liability_cap": 120_000_00,
		}, nil, func(in *document.Input) {
			in.Title = "Managed Service Agreement 2026"
			in.Company = document.Party{Name: "Example Technology Ltd.", CreditCode: "91350100M000100Y43"}
			in.Renewal = &domain.Renewal{NoticeDays: []int{}}
		}, priced(t, "Managed service, monthly", "month", 8_000_00, 12000, 1000, 600)),
	}
}

// bigDocument is a 30-clause contract with 50 line items.
func bigDocument(t testing.TB) document.Document {
	tpl := demoTemplate(t, "sales-zh")
	for i := len(tpl.Clauses); i < 30; i++ {
		tpl.Clauses = append(tpl.Clauses, document.Clause{ID: fmt.Sprintf("extra%d", i), Title: fmt.Sprintf("附加条款%d", i),
			Body: "双方确认，{{buyer}}应按照{{payment_method}}方式在{{payment_terms_days}}日内付款，合同总金额为{{contract.total}}。本条所称付款以款项到达甲方指定账户之日为准，任何一方不得以任何理由拖延履行本合同项下的义务。"})
	}
	var lines []document.Line
	for i := range 50 {
		lines = append(lines, priced(t, fmt.Sprintf("产品%02d 企业版 Enterprise Edition", i), "套", int64(1000_00+i*37), int64(1000+i*250), i%20*100, 1300))
	}
	return render(t, tpl, map[string]any{"delivery_date": "2026-02-15", "delivery_place": "上海", "payment_terms_days": 30,
		"payment_method": "银行转账", "warranty_months": 12, "liability_cap": 50_000_000}, []string{"warranty", "liability"}, nil, lines...)
}

// testPNG is a w×h PNG of one colour over a transparent background.
func testPNG(t testing.TB, w, h int, c color.NRGBA) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if (x-w/2)*(x-w/2)+(y-h/2)*(y-h/2) < w*w/5 {
				img.Set(x, y, c)
			}
		}
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

func signedInput(t testing.TB, doc document.Document) Input {
	at := time.Date(2026, 1, 10, 8, 30, 0, 0, time.UTC)
	return Input{
		Document: doc,
		Signers: []Signer{
			{Name: "张伟", Party: PartyCompany, Role: "授权签字人", Identity: "zhangwei@example.com", SignedAt: at,
				IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0", CodeVerified: false},
			{Name: "王建国", Party: PartyCustomer, Identity: "+86 138 0000 0000", SignedAt: at.Add(2 * time.Hour),
				IP: "198.51.100.23", UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1", CodeVerified: true,
				SignaturePNG: testPNG(t, 300, 100, color.NRGBA{0, 0, 120, 255})},
		},
		Seal: &Seal{PNG: testPNG(t, 200, 200, color.NRGBA{220, 0, 0, 200}), Name: "示例科技有限公司合同专用章",
			ImageSHA256: "5e1f0c" + strings.Repeat("0", 58), KeyFingerprint: "SHA256:3f9a0c1d2e", AppliedBy: "张伟", AppliedAt: at},
		Events: []Event{
			{Kind: "sent", Signer: "王建国", At: at.Add(-time.Hour)},
			{Kind: "opened", Signer: "王建国", At: at.Add(time.Hour), IP: "198.51.100.23"},
			{Kind: "code_sent", Signer: "王建国", At: at.Add(time.Hour + time.Minute), IP: "198.51.100.23"},
		},
		Approvals: []Approval{
			{Stage: "销售经理", Approver: "李娜", Decision: "同意", Opinion: "价格在授权范围内。", DecidedAt: at.Add(-48 * time.Hour)},
			{Stage: "财务", Approver: "陈静", Decision: "approved", Opinion: "付款条件可接受。", DecidedAt: at.Add(-24 * time.Hour)},
		},
	}
}
