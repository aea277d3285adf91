package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/devstack"
	inbox1 "github.com/signet-clm/signet/internal/inbox"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// documentText is a contract's canonical text as its owner reads it.
func documentText(t testing.TB, s *testenv.Stack, n string) string {
	t.Helper()
	r := call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document?format=text", "sales", nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	return string(r.Body)
}

// TestSignedDocumentStatesTheWholeDeal: the payment plan, obligations and
// renewal terms are in the rendered text, so an amendment that only moves
// a payment has a new hash, a diff that shows it, and approvers see it.
func TestSignedDocumentStatesTheWholeDeal(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	today := time.Now().In(s.Loc)
	d := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	body := withPlan(d(-10), d(355), d(20), d(300), d(60))
	body["renewal"] = map[string]any{"auto_renew": true, "notice_days": []int{60, 15}}

	draft := create(t, s, body)
	text := documentText(t, s, draft.Contract.Number)
	for _, want := range []string{"回款计划", "1 | 首付款 | CNY 50,000.00 |", "2 | 尾款 | CNY 50,000.00 |", "履约事项", "1 | 交付实施报告 |",
		"续期条款：本合同期满自动续期一期，续期期限与本期相同；到期前60、15日提示续期。"} {
		assert.Contains(t, text, want)
	}

	live := driveToActive(t, s, body)
	n, path := live.Contract.Number, "/v1/contracts/"+live.Contract.Number
	moved := withPlan(d(-10), d(355), d(20), d(330), d(60))
	moved["renewal"] = body["renewal"]
	st := expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/amendments", "sales",
		map[string]any{"reason": "尾款顺延一个月", "content": moved}), http.StatusOK)
	require.NotNil(t, st.Amendment)

	v1 := expect[contracts.VersionView](t, call(t, s, http.MethodGet, path+"/versions/1", "sales", nil), http.StatusOK)
	v2 := expect[contracts.VersionView](t, call(t, s, http.MethodGet, path+"/versions/2", "sales", nil), http.StatusOK)
	assert.NotEqual(t, v1.DocumentSHA256, v2.DocumentSHA256, "moving a payment changes what is approved and signed")
	assert.Contains(t, v2.Text, today.AddDate(0, 0, 330).Format("2006年1月2日"), "the new due date is in the text")
	diff := expect[struct {
		Fields []struct{ Field, From, To string }
	}](t, call(t, s, http.MethodGet, path+"/diff?from=1&to=2", "sales", nil), http.StatusOK)
	require.Len(t, diff.Fields, 1, "only the payment moved: %+v", diff.Fields)
	assert.Equal(t, "payment_plan[1]", diff.Fields[0].Field)
	assert.Equal(t, "尾款: CNY 50000.00 due "+d(300), diff.Fields[0].From)
	assert.Equal(t, "尾款: CNY 50000.00 due "+d(330), diff.Fields[0].To)

	task := waitTask(t, s, "sales_manager", n)
	detail := expect[inbox1.TaskDetail](t, call(t, s, http.MethodGet, "/v1/tasks/"+task.ID, "sales_manager", nil), http.StatusOK)
	require.NotNil(t, detail.Changes, "the approver of an amendment sees what it changes")
	var seen []string
	for _, f := range detail.Changes.Fields {
		seen = append(seen, f.Field)
	}
	assert.Equal(t, []string{"payment_plan[1]"}, seen)
}

// TestTypedTextCannotForgeAClause: titles and one-line fields refuse line
// breaks and control characters, auto-filled party fields refuse a typed
// value, nothing typed may start like a clause heading, and a multi-line
// field renders as one paragraph. Nothing is written for a refusal.
func TestTypedTextCannotForgeAClause(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	before := countRows(t, s)
	forged := func(edit func(b map[string]any)) map[string]any {
		b := newContract(100_00, "2026-01-01", "2026-12-31")
		edit(b)
		return b
	}
	for name, tc := range map[string]struct {
		body  map[string]any
		field string
	}{
		"a title that adds a number line": {forged(func(b map[string]any) { b["title"] = "采购合同\n合同编号：HT-2026-999999" }), "title"},
		"a field that adds a clause": {forged(func(b map[string]any) {
			b["fields"].(map[string]any)["delivery_place"] = "上海\n\n第9条 附加条款\n乙方无需支付任何货款。"
		}), "fields.delivery_place"},
		"a field that reads as a clause": {forged(func(b map[string]any) {
			b["fields"].(map[string]any)["delivery_place"] = "第9条 附加条款 乙方无需支付任何货款"
		}), "fields.delivery_place"},
		"a renamed customer": {forged(func(b map[string]any) { b["fields"].(map[string]any)["buyer"] = "另一家公司" }), "fields.buyer"},
		"a milestone title with a line break": {forged(func(b map[string]any) {
			b["payment_plan"] = []map[string]any{{"title": "首付款\n第9条 免付", "amount": 100_00, "due_date": "2026-03-01"}}
		}), "payment_plan[0].title"},
		"an obligation title with a control character": {forged(func(b map[string]any) {
			b["obligations"] = []map[string]any{{"title": "交付\u202e报告", "due_date": "2026-03-01"}}
		}), "obligations[0].title"},
	} {
		assert.Equal(t, []string{tc.field}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/contracts", "sales", tc.body)), name)
	}
	assert.Equal(t, []string{"name"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/customers", "sales",
		map[string]any{"name": "星辰科技\n合同编号：HT-2026-000001", "tier": "A"})))
	assert.Equal(t, []string{"name"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/products", "admin",
		map[string]any{"line_id": devstack.DemoProductLineID, "name": "许可\n第9条", "unit": "套", "list_price": 100, "tax_rate_bp": 0})))
	assert.Equal(t, before, countRows(t, s), "nothing was written")

	// Legal's own clauses are marked non-standard; none may hide another
	// numbered clause inside its body.
	n := create(t, s, newContract(100_00, "2026-01-01", "2026-12-31")).Contract.Number
	assert.Equal(t, []string{"clauses[0].body"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/non-standard-clauses", "legal",
		map[string]any{"clauses": []map[string]any{{"title": "特别约定", "body": "乙方可免费升级一次。\n第10条 乙方免付尾款。"}}})))

	// A multi-line field is one paragraph in the signed text.
	svc := map[string]any{
		"title": "Managed services 2026", "customer_id": devstack.DemoCustomerID, "template_id": devstack.DemoServiceTemplate,
		"currency": "CNY", "start_date": "2026-01-01", "end_date": "2026-12-31",
		"fields": map[string]any{"service_scope": "24x7 monitoring\n\nClause 9 Extra: all fees are waived", "service_level": "Premium",
			"payment_terms_days": 30, "liability_cap": 100_000_00},
		"line_items": []map[string]any{{"product_id": devstack.DemoConsultingProduct, "quantity": "1", "unit_price": 100_00}},
	}
	text := documentText(t, s, create(t, s, svc).Contract.Number)
	assert.Contains(t, text, "24x7 monitoring Clause 9 Extra: all fees are waived")
	for line := range strings.Lines(text) {
		assert.False(t, strings.HasPrefix(line, "Clause 9 Extra"), "no typed line starts a clause: %q", line)
	}
}

// TestEffectiveDiscountCounts: the discount rules read a line's price
// against its list price, so a licence listed at 98,000.00 sold for 1.00
// is a 99.99% discount, not 0%.
func TestEffectiveDiscountCounts(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	expect[inbox1.RiskRules](t, call(t, s, http.MethodPut, "/v1/risk-rules", "legal", map[string]any{"rules": []map[string]any{
		{"id": "deep-discount", "kind": "discount", "max_discount_bp": 2000, "severity": "high"},
	}}), http.StatusOK)
	body := newContract(100_00, "2026-01-01", "2026-12-31")
	body["line_items"] = []map[string]any{{"product_id": devstack.DemoLicenceProductID, "quantity": "1", "unit_price": 1_00}}
	n := create(t, s, body).Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	task := waitTask(t, s, "sales_manager", n)
	detail := expect[inbox1.TaskDetail](t, call(t, s, http.MethodGet, "/v1/tasks/"+task.ID, "sales_manager", nil), http.StatusOK)
	assert.Equal(t, "high", string(detail.Risk))
	require.Len(t, detail.Findings, 1)
	assert.Equal(t, "deep-discount", detail.Findings[0].RuleID)
	assert.Contains(t, detail.Findings[0].Message, "99.99%")
}
