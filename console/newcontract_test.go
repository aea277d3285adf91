package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/testkit/testenv"
)

const newFormPath = "/contracts/new?customer_id=" + devstack.DemoCustomerID + "&template_id=" + devstack.DemoSalesTemplate

// draftForm is the new-contract form as a drafter fills it in: one
// consulting line of 50,000.00 (tax-free), paid in two milestones, one
// obligation, renewal notices.
func draftForm(title string) url.Values {
	return url.Values{
		"request_key": {fmt.Sprintf("form-%x", title)}, "title": {title}, "customer_id": {devstack.DemoCustomerID}, "contact_id": {devstack.DemoContactID},
		"template_id": {devstack.DemoSalesTemplate}, "template_version": {"1"}, "start_date": {"2026-01-01"}, "end_date": {"2026-12-31"},
		"fields.delivery_date": {"2026-02-15"}, "fields.delivery_place": {"上海市浦东新区张江路88号"}, "fields.payment_terms_days": {"30"},
		"fields.payment_method": {"银行转账"}, "fields.warranty_months": {""}, "fields.liability_cap": {"10,000.00"},
		"optional_clauses":         {"warranty"},
		"line_items[0].product_id": {devstack.DemoConsultingProduct},
		"line_items[0].quantity":   {"2"},
		"line_items[0].unit_price": {"25,000.00"},
		"line_items[1].product_id": {""},
		"line_items[1].quantity":   {""},
		"payment_plan[0].title":    {"首付款"},
		"payment_plan[0].amount":   {"20000"},
		"payment_plan[0].due_date": {"2026-01-31"},
		"payment_plan[1].title":    {"尾款"},
		"payment_plan[1].amount":   {"30,000.00"},
		"payment_plan[1].due_date": {"2026-06-30"},
		"obligations[0].title":     {"交付实施方案"},
		"obligations[0].due_date":  {"2026-02-01"},
		"renewal.notice_days":      {"60, 30"},
		"renewal.through_approval": {"1"},
	}
}

func contractsWritten(t *testing.T, s *testenv.Stack) int {
	return count(t, s, `SELECT count(*) FROM contracts`)
}

// errorBeside finds the error shown right after the input named name.
func errorBeside(body, name string) string {
	re := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `"[^>]*>(?:</textarea>|</select>)?<span class="field-error" role="alert">([^<]*)</span>`)
	if m := re.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// TestNewContractFormRendersTheTemplate: choosing the customer and the
// template shows a form generated from the template's typed fields (date,
// integer with its bounds, choice with its choices, money, auto-filled
// fields read-only with their values), its optional clauses, the
// customer's contacts (the signatory chosen), the active products, and
// rows for lines, payment plan and obligations; before choosing, only the
// choice. Roles that do not draft get the 404 page.
func TestNewContractFormRendersTheTemplate(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	sales := newVisitor(t, s)
	sales.signIn("sales")

	first := sales.get("/contracts/new")
	require.Equal(t, http.StatusOK, first.Status)
	assert.Contains(t, first.Body, `data-testid="customer"`)
	assert.Contains(t, first.Body, "上海星辰科技有限公司")
	assert.Contains(t, first.Body, `value="sales-zh"`)
	assert.NotContains(t, first.Body, `id="contract-form"`)

	r := sales.get(newFormPath)
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	b := r.Body
	assert.Contains(t, b, `id="contract-form"`)
	assert.Regexp(t, `name="fields.delivery_date" value="" data-field="delivery_date" type="date" required`, b)
	assert.Regexp(t, `name="fields.payment_terms_days" value="" data-field="payment_terms_days" type="number" step="1" min="0" max="365" required`, b)
	assert.Regexp(t, `name="fields.delivery_place" value="" data-field="delivery_place" maxlength="200" required`, b)
	assert.Regexp(t, `<select name="fields.payment_method" required data-field="payment_method"><option value="">—</option>\s*<option>银行转账</option><option>银行承兑汇票</option><option>商业承兑汇票</option>`, b)
	assert.Regexp(t, `name="fields.liability_cap" value="" data-field="liability_cap" inputmode="decimal"`, b)
	// Auto-filled: shown, read-only, never posted (no name).
	assert.Regexp(t, `<input value="上海星辰科技有限公司" readonly tabindex="-1" data-field="buyer">`, b)
	assert.Regexp(t, `<input value="王建国" readonly tabindex="-1" data-field="buyer_representative">`, b)
	assert.NotContains(t, b, `name="fields.buyer"`)
	assert.Regexp(t, `name="optional_clauses" value="warranty"`, b)
	assert.Regexp(t, `name="optional_clauses" value="liability"`, b)
	assert.NotContains(t, b, `name="optional_clauses" value="payment"`, "a fixed clause is no choice")
	assert.Regexp(t, `<option value="`+devstack.DemoContactID+`" selected>王建国`, b)
	assert.Contains(t, b, `name="line_items[3].quantity"`)
	assert.Contains(t, b, `<option value="`+devstack.DemoLicenceProductID+`">`)
	assert.Contains(t, b, `name="payment_plan[0].amount"`)
	assert.Contains(t, b, `name="obligations[0].title"`)
	assert.Contains(t, b, `name="renewal.notice_days"`)
	assert.Contains(t, b, `hx-post="/contracts/new/price"`)

	for _, role := range []string{"finance", "legal", "auditor"} {
		v := newVisitor(t, s)
		v.signIn(role)
		assert.Equal(t, http.StatusNotFound, v.get(newFormPath).Status, role)
		assert.NotContains(t, v.get("/").Body, `href="/contracts/new"`, role)
	}
	assert.Contains(t, sales.get("/").Body, `href="/contracts/new"`)
}

// TestNewContractFieldErrorsKeepTheValues: a bad quantity on the form's
// second line (after a blank row), a payment plan that does not add up
// and a missing required field come back as 400 with each error beside
// its input and everything typed kept; nothing is written. Fixed, the
// same form saves the draft once (its request key makes a second post the
// same contract) and lands on the contract page. Re-pricing shows the
// server's totals without saving.
func TestNewContractFieldErrorsKeepTheValues(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	sales := newVisitor(t, s)
	sales.signIn("sales")
	sales.get(newFormPath)

	f := draftForm("表单合同")
	f.Set("line_items[1].product_id", "")
	f.Set("line_items[2].product_id", devstack.DemoServiceProductID)
	f.Set("line_items[2].quantity", "1.2345")
	f.Set("fields.delivery_place", "")
	r := sales.post("/contracts/new", f)
	require.Equal(t, http.StatusBadRequest, r.Status, r.Body)
	assert.NotEmpty(t, errorBeside(r.Body, "line_items[2].quantity"), "the quantity's error beside it: %s", r.Body)
	assert.Empty(t, errorBeside(r.Body, "line_items[0].quantity"))
	assert.NotEmpty(t, errorBeside(r.Body, "fields.delivery_place"))
	assert.Regexp(t, `name="payment_plan\[0\]\.amount"`, r.Body)
	assert.Contains(t, r.Body, `data-testid="form-errors"`)
	// What was typed is kept.
	assert.Contains(t, r.Body, `name="title" value="表单合同"`)
	assert.Contains(t, r.Body, `name="line_items[2].quantity" value="1.2345"`)
	assert.Contains(t, r.Body, `name="line_items[0].unit_price" value="25,000.00"`)
	assert.Contains(t, r.Body, `name="payment_plan[1].title" value="尾款"`)
	assert.Contains(t, r.Body, `name="renewal.notice_days" value="60, 30"`)
	assert.Contains(t, r.Body, `name="fields.payment_terms_days" value="30"`)
	assert.Regexp(t, `<option selected>银行转账</option>`, r.Body)
	assert.Regexp(t, `name="optional_clauses" value="warranty" checked`, r.Body)
	assert.Equal(t, 0, contractsWritten(t, s), "nothing written")

	// The payment plan must add up to the total: its error is the section's.
	f = draftForm("表单合同")
	f.Set("payment_plan[1].amount", "1,000.00")
	r = sales.post("/contracts/new", f)
	require.Equal(t, http.StatusBadRequest, r.Status, r.Body)
	assert.Regexp(t, `<h2>回款计划</h2>\s*<span class="field-error" role="alert">[^<]+</span>`, r.Body)
	// An amount that is no number is refused before anything is sent.
	f = draftForm("表单合同")
	f.Set("line_items[0].unit_price", "25k")
	r = sales.post("/contracts/new", f)
	require.Equal(t, http.StatusBadRequest, r.Status)
	assert.NotEmpty(t, errorBeside(r.Body, "line_items[0].unit_price"))
	assert.Equal(t, 0, contractsWritten(t, s), "nothing written")

	// A form without its template (not one the page sends) says so.
	f = draftForm("表单合同")
	f.Del("template_id")
	r = sales.post("/contracts/new", f)
	require.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, r.Body, "<b>template_id</b>")
	assert.Equal(t, 0, contractsWritten(t, s), "nothing written")

	// Re-pricing: the server's line total and contract total, nothing saved.
	f = draftForm("表单合同")
	r = sales.post("/contracts/new/price", f)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Regexp(t, `data-testid="total">CNY 50,000.00<`, r.Body)
	frag := sales.post("/contracts/new/price", f, "HX-Request", "true", "HX-Target", "totals")
	require.Equal(t, http.StatusOK, frag.Status)
	assert.True(t, strings.HasPrefix(strings.TrimSpace(frag.Body), `<div id="totals"`), frag.Body)
	assert.Equal(t, 0, contractsWritten(t, s))

	r = sales.post("/contracts/new", f)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Regexp(t, `^/contracts/HT-\d{4}-\d{6}\?created=1$`, r.Location)
	again := sales.post("/contracts/new", f)
	require.Equal(t, http.StatusSeeOther, again.Status)
	assert.Equal(t, r.Location, again.Location, "the same form saves one contract")
	assert.Equal(t, 1, contractsWritten(t, s))
	n := strings.TrimSuffix(strings.TrimPrefix(r.Location, "/contracts/"), "?created=1")
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM contracts WHERE number = $1 AND amount = 5000000 AND title = '表单合同' AND status = 'draft'`, n))
	assert.Equal(t, 2, count(t, s, `SELECT count(*) FROM payment_milestones WHERE contract_number = $1`, n))
	page := sales.get(r.Location)
	require.Equal(t, http.StatusOK, page.Status)
	assert.Contains(t, page.Body, `data-testid="done"`)
	assert.Contains(t, page.Body, `data-testid="action-submit"`)
}

// TestNewContractHostileTextAndOthersCustomers: markup typed into the form
// comes back as text; a customer the caller cannot see is the 404 page,
// to open the form and to post it, and nothing is written; a post from
// another site or without the form token is refused.
func TestNewContractHostileTextAndOthersCustomers(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	sales := newVisitor(t, s)
	sales.signIn("sales")
	sales.get(newFormPath)
	f := draftForm(`<script>alert("t")</script>合同`)
	f.Set("fields.delivery_place", `"><img src=x onerror=alert(1)>`)
	f.Set("line_items[0].quantity", "-1")
	r := sales.post("/contracts/new", f)
	require.Equal(t, http.StatusBadRequest, r.Status)
	assert.NotContains(t, r.Body, `<script>alert`)
	assert.NotContains(t, r.Body, `<img src=x`)
	assert.Contains(t, r.Body, `&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;合同`)
	assert.Contains(t, r.Body, `&#34;&gt;&lt;img src=x onerror=alert(1)&gt;`)
	assert.NotEmpty(t, errorBeside(r.Body, "line_items[0].quantity"))

	other := secondSales(t, s)
	assert.Equal(t, http.StatusNotFound, other.get(newFormPath).Status)
	assert.Equal(t, http.StatusNotFound, other.get("/contracts/new?customer_id=not-a-uuid&template_id=sales-zh").Status)
	assert.Equal(t, http.StatusNotFound, other.get("/contracts/new?customer_id="+devstack.DemoCustomerID).Status)
	assert.Equal(t, http.StatusNotFound, sales.get("/contracts/new?template_id=no-such-template").Status)
	other.get("/contracts/new")
	p := other.post("/contracts/new", draftForm("别人的客户"))
	assert.Equal(t, http.StatusNotFound, p.Status)
	assert.NotContains(t, p.Body, "上海星辰科技有限公司")
	assert.Equal(t, 0, contractsWritten(t, s))

	for _, tc := range []struct {
		name    string
		form    url.Values
		headers []string
	}{
		{"another site", draftForm("跨站"), []string{"Sec-Fetch-Site", "cross-site"}},
		{"no form token", func() url.Values { f := draftForm("跨站"); f.Set("csrf_token", ""); return f }(), nil},
	} {
		r := sales.post("/contracts/new", tc.form, tc.headers...)
		assert.Equal(t, http.StatusForbidden, r.Status, tc.name)
		assert.Contains(t, r.Body, "请求来源校验失败", tc.name)
	}
	assert.Equal(t, 0, contractsWritten(t, s))
}

// TestContractPageActions: the owner's draft offers submit and cancel,
// each confirming first; finance, who reads every contract, is offered
// none and is refused them. Submitted, a second submit from the stale
// page shows the workflow's refusal in place (409) and records nothing; a
// cancellation without a reason is refused beside the reason. Approved,
// the page offers sending with the signatories to choose from, and sends.
func TestContractPageActions(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	sales := newVisitor(t, s)
	sales.signIn("sales")
	sales.get(newFormPath)
	r := sales.post("/contracts/new", draftForm("操作合同"))
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	n := strings.TrimSuffix(strings.TrimPrefix(r.Location, "/contracts/"), "?created=1")
	page := sales.get("/contracts/" + n)
	assert.Contains(t, page.Body, `data-testid="action-submit"`)
	assert.Contains(t, page.Body, `data-testid="action-cancel"`)
	assert.NotContains(t, page.Body, `data-testid="action-send"`)
	assert.Regexp(t, `<details><summary class="btn primary" data-testid="action-submit">`, page.Body, "confirms first")

	fin := newVisitor(t, s)
	fin.signIn("finance")
	fp := fin.get("/contracts/" + n)
	require.Equal(t, http.StatusOK, fp.Status)
	assert.NotContains(t, fp.Body, `data-testid="actions"`)
	assert.Equal(t, http.StatusNotFound, fin.post("/contracts/"+n+"/submit", url.Values{}).Status)
	other := secondSales(t, s)
	other.get("/")
	assert.Equal(t, http.StatusNotFound, other.post("/contracts/"+n+"/submit", url.Values{}).Status)
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM contracts WHERE number = $1 AND status = 'draft'`, n))

	sales.get("/contracts/" + n)
	assert.Equal(t, http.StatusForbidden, sales.post("/contracts/"+n+"/submit", url.Values{}, "Sec-Fetch-Site", "cross-site").Status)
	r = sales.post("/contracts/"+n+"/submit", url.Values{"request_id": {"submit-once"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	assert.Equal(t, "/contracts/"+n+"?done=submit", r.Location)
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM contracts WHERE number = $1 AND status = 'in_review'`, n))
	events := count(t, s, `SELECT count(*) FROM contract_events WHERE contract_number = $1`, n)
	again := sales.post("/contracts/"+n+"/submit", url.Values{"request_id": {"submit-twice"}})
	assert.Equal(t, http.StatusConflict, again.Status)
	assert.Contains(t, again.Body, `data-testid="action-refusal"`)
	assert.Contains(t, again.Body, "only a draft can be submitted")
	assert.NotContains(t, again.Body, `data-testid="action-submit"`)
	assert.Contains(t, again.Body, `data-testid="action-cancel"`, "an in-review contract can still be cancelled")

	c := sales.post("/contracts/"+n+"/cancel", url.Values{"reason": {""}})
	assert.Equal(t, http.StatusBadRequest, c.Status)
	assert.Regexp(t, `<details open><summary class="btn danger" data-testid="action-cancel">`, c.Body)
	assert.Contains(t, c.Body, "<b>reason</b>")
	assert.Equal(t, events, count(t, s, `SELECT count(*) FROM contract_events WHERE contract_number = $1`, n), "nothing recorded")

	task := openTask(t, s, "sales_manager", n)
	apiCall(t, s, http.MethodPost, "/v1/tasks/"+task.ID+"/decision", "sales_manager", map[string]any{"decision": "approve"})
	page = sales.get("/contracts/" + n)
	require.Contains(t, page.Body, `data-testid="action-send"`)
	assert.Regexp(t, `<select name="company_signer_id" data-testid="company-signer">\s*<option value="demo-executive">`, page.Body)
	r = sales.post("/contracts/"+n+"/send", url.Values{"company_signer_id": {"demo-executive"}, "deadline_days": {"7"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM contracts WHERE number = $1 AND status = 'signing'`, n))
	page = sales.get(r.Location)
	assert.Contains(t, page.Body, `data-testid="signers"`)
	assert.NotContains(t, page.Body, `data-testid="action-send"`)
}
