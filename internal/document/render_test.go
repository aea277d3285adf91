package document_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
)

var update = flag.Bool("update", false, "rewrite the golden files from today's rendering")

func demo(t testing.TB, id string) document.Template {
	t.Helper()
	all, err := document.DemoTemplates()
	require.NoError(t, err)
	for _, tpl := range all {
		if tpl.ID == id {
			tpl.Version = 1
			require.Empty(t, tpl.Check(), id)
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

func input(t testing.TB, tpl document.Template, fields map[string]any, optional []string, lines ...document.Line) document.Input {
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
	return document.Input{
		Number: "HT-2026-000123", Title: tpl.Name + "（2026年度）", Currency: "CNY", StartDate: "2026-01-01", EndDate: "2026-12-31",
		Company:  document.Party{Name: "示例科技有限公司", CreditCode: "91350100M000100Y43"},
		Customer: document.Party{Name: "上海星辰科技有限公司", CreditCode: "91110000600037341L", Contact: "王建国"},
		Owner:    "张伟", Values: values, Optional: optional, Lines: lines, Totals: totals,
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./document -update to create %s", path)
	assert.Equal(t, string(want), got, "%s differs from the golden file", name)
}

func TestRenderDemoTemplatesMatchGoldenFiles(t *testing.T) {
	zh := demo(t, "sales-zh")
	in := input(t, zh, map[string]any{
		"delivery_date": "2026-02-15", "delivery_place": "上海市浦东新区张江路88号", "payment_terms_days": 30,
		"payment_method": "银行转账", "warranty_months": 12, "liability_cap": 50_000_000,
	}, []string{"warranty", "liability"},
		priced(t, "星辰数据平台 企业版许可", "套", 98_000_00, 2000, 500, 1300),
		priced(t, "实施服务", "人天", 2_500_00, 12500, 0, 600),
	)
	in.Extra = []document.ExtraClause{{Title: "特别约定", Body: "乙方可在合同期内免费升级一次大版本。"}}
	in.PaymentPlan = []document.Payment{
		{Title: "预付款", Amount: 73_059_30, DueDate: "2026-01-15"},
		{Title: "验收款", Amount: 170_471_70, DueDate: "2026-03-31"},
	}
	in.Obligations = []document.Deliverable{{Title: "交付许可证书", DueDate: "2026-02-15"}}
	in.Renewal = &domain.Renewal{AutoRenew: true, ThroughApproval: true, NoticeDays: []int{90, 30, 7}}
	doc, err := document.Render(zh, in)
	require.NoError(t, err)
	golden(t, "sales-zh.txt", doc.Text)
	golden(t, "sales-zh.html", doc.HTML)
	assert.Contains(t, doc.Text, "（大写：")
	assert.Len(t, doc.SHA256, 64)

	en := demo(t, "service-en")
	enIn := input(t, en, map[string]any{
		"service_scope": "24x7 monitoring & incident response for <production> systems", "service_level": "Premium",
		"payment_terms_days": 45, "liability_cap": 120_000_00,
	}, nil, priced(t, "Managed service, monthly", "month", 8_000_00, 12000, 1000, 600))
	enIn.Renewal = &domain.Renewal{NoticeDays: []int{}}
	enDoc, err := document.Render(en, enIn)
	require.NoError(t, err)
	golden(t, "service-en.txt", enDoc.Text)
	golden(t, "service-en.html", enDoc.HTML)
	assert.Contains(t, enDoc.HTML, "&lt;production&gt;", "HTML escapes what drafters type")
	assert.NotContains(t, enDoc.Text, "Termination for convenience", "optional clauses are left out unless chosen")
}

func TestRenderIsDeterministicAndHashesTheText(t *testing.T) {
	tpl := demo(t, "sales-zh")
	in := input(t, tpl, map[string]any{"delivery_date": "2026-02-15", "delivery_place": "上海", "payment_terms_days": 30, "payment_method": "银行转账"}, nil,
		priced(t, "许可", "套", 100_00, 1000, 0, 1300))
	a, err := document.Render(tpl, in)
	require.NoError(t, err)
	b, err := document.Render(tpl, in)
	require.NoError(t, err)
	assert.Equal(t, a.SHA256, b.SHA256)
	in.Values["delivery_place"] = "上海 "
	c, err := document.Render(tpl, in)
	require.NoError(t, err)
	assert.NotEqual(t, a.SHA256, c.SHA256, "one changed byte changes the hash")
	assert.False(t, strings.Contains(a.Text, "{{"), "no placeholder is left unfilled")
}

func TestResolveFieldsRefusesBadValues(t *testing.T) {
	tpl := demo(t, "sales-zh")
	raw := func(m map[string]string) map[string]json.RawMessage {
		out := map[string]json.RawMessage{}
		for k, v := range m {
			out[k] = json.RawMessage(v)
		}
		return out
	}
	base := map[string]string{"delivery_date": `"2026-02-15"`, "delivery_place": `"上海"`, "payment_terms_days": `30`, "payment_method": `"银行转账"`}
	cases := map[string]struct {
		change map[string]string
		field  string
	}{
		"choice outside its list": {map[string]string{"payment_method": `"现金"`}, "fields.payment_method"},
		"wrong type":              {map[string]string{"payment_terms_days": `"thirty"`}, "fields.payment_terms_days"},
		"above max":               {map[string]string{"payment_terms_days": `400`}, "fields.payment_terms_days"},
		"bad date":                {map[string]string{"delivery_date": `"2026-13-01"`}, "fields.delivery_date"},
		"overflowing money":       {map[string]string{"liability_cap": `99999999999999999999`}, "fields.liability_cap"},
		"unknown field":           {map[string]string{"colour": `"red"`}, "fields.colour"},
		"missing required":        {map[string]string{"delivery_place": `null`}, "fields.delivery_place"},
		"a line break":            {map[string]string{"delivery_place": `"上海\n第9条 附加条款"`}, "fields.delivery_place"},
		"a clause heading":        {map[string]string{"delivery_place": `"第9条 附加条款 乙方免付货款"`}, "fields.delivery_place"},
		"a bidi override":         {map[string]string{"delivery_place": `"上海\u202e88"`}, "fields.delivery_place"},
		"an auto-filled party":    {map[string]string{"buyer": `"另一家公司"`}, "fields.buyer"},
	}
	for name, tc := range cases {
		given := map[string]string{}
		for k, v := range base {
			given[k] = v
		}
		for k, v := range tc.change {
			given[k] = v
		}
		_, errs := document.ResolveFields(tpl, raw(given), map[string]string{document.SourceCustomerName: "杭州西湖软件"}, "CNY")
		require.Len(t, errs, 1, name)
		assert.Equal(t, tc.field, errs[0].Field, name)
	}
	values, errs := document.ResolveFields(tpl, raw(base), map[string]string{document.SourceCustomerName: "杭州西湖软件"}, "CNY")
	require.Empty(t, errs)
	assert.Equal(t, "杭州西湖软件", values["buyer"], "auto-filled from the customer")
	assert.Equal(t, "2026年2月15日", values["delivery_date"])
}

func TestTemplateCheck(t *testing.T) {
	tpl := demo(t, "service-en")
	tpl.Clauses = append(tpl.Clauses, document.Clause{ID: "law", Title: "Again", Body: "{{nothing}}"})
	tpl.Fields = append(tpl.Fields, document.Field{Name: "Bad Name", Label: "x", Type: document.FieldChoice})
	problems := tpl.Check()
	assert.Len(t, problems, 4, "%v", problems) // duplicate clause, unknown placeholder, bad name, choice without choices
}

func TestMultilineFieldsRenderAsOneParagraph(t *testing.T) {
	tpl := demo(t, "service-en")
	raw := map[string]json.RawMessage{
		"service_scope": json.RawMessage(`"Monitoring\n\nClause 9 Extra: all fees waived"`), "service_level": json.RawMessage(`"Premium"`),
		"payment_terms_days": json.RawMessage(`45`), "liability_cap": json.RawMessage(`1000`),
	}
	values, errs := document.ResolveFields(tpl, raw, map[string]string{document.SourceCustomerName: "上海星辰科技有限公司"}, "CNY")
	require.Empty(t, errs)
	in := input(t, tpl, map[string]any{"service_scope": "x", "service_level": "Premium", "payment_terms_days": 45, "liability_cap": 1000}, nil,
		priced(t, "Managed service", "month", 100_00, 1000, 0, 0))
	in.Values = values
	doc, err := document.Render(tpl, in)
	require.NoError(t, err)
	assert.Contains(t, doc.Text, "Monitoring Clause 9 Extra: all fees waived")
	for line := range strings.Lines(doc.Text) {
		assert.False(t, strings.HasPrefix(line, "Clause 9 Extra"), "typed text cannot start a clause: %q", line)
	}
}

func TestCompareShowsThePlanObligationsAndRenewal(t *testing.T) {
	tpl := demo(t, "sales-zh")
	in := input(t, tpl, map[string]any{"delivery_date": "2026-02-15", "delivery_place": "上海", "payment_terms_days": 30, "payment_method": "银行转账"}, nil,
		priced(t, "许可", "套", 100_00, 1000, 0, 0))
	in.PaymentPlan = []document.Payment{{Title: "首付款", Amount: 50_00, DueDate: "2026-03-01"}, {Title: "尾款", Amount: 50_00, DueDate: "2026-06-01"}}
	in.Obligations = []document.Deliverable{{Title: "交付", DueDate: "2026-02-15"}}
	in.Renewal = &domain.Renewal{NoticeDays: []int{30}}
	a, err := document.Render(tpl, in)
	require.NoError(t, err)
	next := in
	next.PaymentPlan = []document.Payment{in.PaymentPlan[0], {Title: "尾款", Amount: 50_00, DueDate: "2026-09-01"}}
	next.Renewal = &domain.Renewal{AutoRenew: true, NoticeDays: []int{30}}
	b, err := document.Render(tpl, next)
	require.NoError(t, err)
	assert.NotEqual(t, a.SHA256, b.SHA256, "re-scheduling a payment changes what is signed")
	assert.Contains(t, b.Text, "2026年9月1日")
	c := document.Compare(a, b)
	var names []string
	for _, f := range c.Fields {
		names = append(names, f.Field)
	}
	assert.Equal(t, []string{"payment_plan[1]", "renewal"}, names)
	assert.Equal(t, "尾款: CNY 50.00 due 2026-09-01", c.Fields[0].To)
}
