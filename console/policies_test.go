package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
)

// textareaValue is the text of the textarea named name.
func textareaValue(t *testing.T, body, name string) string {
	t.Helper()
	for _, m := range textareaPattern.FindAllStringSubmatch(body, -1) {
		if m[1] == name {
			return htmlUnescape(m[2])
		}
	}
	t.Fatalf("no textarea %s", name)
	return ""
}

// An admin edits the approval policy: a bad stage is refused with its
// path listed under the JSON, a preview shows the route a sample contract
// takes through the unsaved definition (the big-deal rule matching with
// the amount it saw), and a save makes a version the list shows. Legal
// edits the risk rules, not the policies.
func TestPolicyEditor(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	v := newVisitor(t, s)
	v.signIn("admin")
	list := v.get("/admin/policies")
	require.Equal(t, http.StatusOK, list.Status)
	assert.Contains(t, list.Body, `href="/admin/policies/default"`)

	page := v.get("/admin/policies/default")
	require.Equal(t, http.StatusOK, page.Status)
	body := textareaValue(t, page.Body, "body")
	require.Contains(t, body, `"sla_hours"`)

	broken := strings.Replace(body, `"sla_hours": 24`, `"sla_hours": 0`, 1)
	require.NotEqual(t, body, broken)
	r := v.post("/admin/policies/default", url.Values{"body": {broken}, "action": {"save"}})
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, r.Body, `data-testid="policy-errors"`)
	assert.Contains(t, r.Body, "<code>rules[0].stages[0].sla_hours</code>")
	assert.Contains(t, r.Body, "&#34;sla_hours&#34;: 0", "the JSON as typed stays")
	syntax := v.post("/admin/policies/default", url.Values{"body": {"{\n  \"id\": \"default\",\n  oops\n}"}, "action": {"save"}})
	assert.Equal(t, http.StatusBadRequest, syntax.Status)
	assert.Contains(t, syntax.Body, "line 3")

	preview := v.post("/admin/policies/default", url.Values{"body": {body}, "action": {"preview"}, "amount": {"2000000"}, "currency": {"CNY"},
		"template_id": {"sales-zh"}, "payment_terms_days": {"30"}, "non_standard": {"0"}})
	require.Equal(t, http.StatusOK, preview.Status, preview.Body)
	route := preview.Body[strings.Index(preview.Body, `data-testid="route"`):]
	assert.Contains(t, route, "总经理", "a 2,000,000 contract reaches the executive")
	assert.Contains(t, route, "amount=CNY 2000000.00")
	small := v.post("/admin/policies/default", url.Values{"body": {body}, "action": {"preview"}, "amount": {"1000"}, "currency": {"CNY"}, "template_id": {"sales-zh"}})
	assert.NotContains(t, small.Body[strings.Index(small.Body, `data-testid="route"`):], "总经理")
	assert.Equal(t, http.StatusBadRequest, v.post("/admin/policies/default", url.Values{"body": {body}, "action": {"preview"}, "amount": {"lots"}, "currency": {"CNY"}}).Status)

	saved := v.post("/admin/policies/default", url.Values{"body": {strings.Replace(body, `"name": "`, `"name": "新版`, 1)}, "action": {"save"}})
	require.Equal(t, http.StatusSeeOther, saved.Status, saved.Body)
	assert.Contains(t, v.get(saved.Location).Body, `data-testid="saved"`)
	assert.Contains(t, v.get("/admin/policies").Body, "v1")

	legal := newVisitor(t, s)
	legal.signIn("legal")
	assert.Equal(t, http.StatusNotFound, legal.get("/admin/policies").Status)
	rules := legal.get("/admin/risk-rules")
	require.Equal(t, http.StatusOK, rules.Status)
	current := textareaValue(t, rules.Body, "body")
	bad := legal.post("/admin/risk-rules", url.Values{"body": {`[{"id": "x", "kind": "nonsense"}]`}})
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	assert.Contains(t, bad.Body, `data-testid="policy-errors"`)
	ok := legal.post("/admin/risk-rules", url.Values{"body": {current}})
	require.Equal(t, http.StatusSeeOther, ok.Status, ok.Body)
}
