package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/testkit/testenv"
)

// Customers: sales lists and searches the customers they see, opens one
// with its contacts and contracts, creates one (a credit code whose check
// character is wrong is shown beside its input with what was typed kept),
// and adds a contact; another team's customer is the 404 page, and roles
// the API leaves out get no forms.
func TestCustomerPages(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	n := submitted(t, s, "客户页合同", 8_000_00)

	v := newVisitor(t, s)
	v.signIn("sales")
	list := v.get("/customers")
	require.Equal(t, http.StatusOK, list.Status)
	assert.Contains(t, list.Body, "上海星辰科技有限公司")
	assert.Contains(t, list.Body, `data-testid="new-customer"`)
	found := v.get("/customers?q=" + url.QueryEscape("星辰"))
	assert.Contains(t, found.Body, "上海星辰科技有限公司")
	assert.NotContains(t, found.Body, "北京天和")

	page := v.get("/customers/" + devstack.DemoCustomerID)
	require.Equal(t, http.StatusOK, page.Status)
	assert.Contains(t, page.Body, "王建国")
	assert.Contains(t, page.Body, `href="/contracts/`+n+`"`)

	bad := v.post("/customers", url.Values{"name": {"<i>杭州</i>西湖软件有限公司"}, "credit_code": {"91440300708461136X"}, "tier": {"A"}, "contact_name": {"陈静"}})
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	assert.Contains(t, bad.Body, `data-testid="form-errors"`)
	cc := bad.Body[strings.Index(bad.Body, `name="credit_code"`):]
	assert.Contains(t, cc[:strings.Index(cc, "</label>")], `class="field-error"`, "the error sits beside the credit code")
	assert.Contains(t, bad.Body, `value="&lt;i&gt;杭州&lt;/i&gt;西湖软件有限公司"`, "what was typed is kept, escaped")

	ok := v.post("/customers", url.Values{"name": {"杭州西湖软件有限公司"}, "credit_code": {"91440300708461136t"}, "tier": {"B"}, "region": {"浙江"}, "contact_name": {"陈静"}, "contact_may_sign": {"1"}})
	require.Equal(t, http.StatusSeeOther, ok.Status, ok.Body)
	created := v.get(ok.Location)
	require.Equal(t, http.StatusOK, created.Status)
	assert.Contains(t, created.Body, "杭州西湖软件有限公司")
	assert.Contains(t, created.Body, "陈静")

	noName := v.post(ok.Location+"/contacts", url.Values{"name": {""}, "email": {"not-mail"}})
	assert.Equal(t, http.StatusBadRequest, noName.Status)
	assert.Contains(t, noName.Body, `class="field-error"`)
	added := v.post(ok.Location+"/contacts", url.Values{"name": {"周婷"}, "title": {"采购经理"}, "phone": {"13800000000"}})
	require.Equal(t, http.StatusSeeOther, added.Status, added.Body)
	assert.Contains(t, v.get(ok.Location).Body, "周婷")

	other := newVisitor(t, s)
	other.signIn("legal")
	assert.NotContains(t, other.get("/customers").Body, `data-testid="new-customer"`)
	assert.Equal(t, http.StatusNotFound, other.get("/customers/new").Status)
	assert.Equal(t, http.StatusNotFound, v.get("/customers/01960000-0000-7000-8000-0000000000ff").Status)
}
