package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
)

// seedCustomer stores a customer of owner's with contacts, as the book
// would, and returns its ID and its contacts' IDs.
func seedCustomer(t *testing.T, s *testenv.Stack, owner, name string, contacts ...string) (string, []string) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	c := store.Customer{ID: uuid.Must(uuid.NewV7()).String(), Name: name, Tier: "B", OwnerID: owner, CreatedAt: now, UpdatedAt: now}
	var cs []store.Contact
	var ids []string
	for _, n := range contacts {
		ct := store.Contact{ID: uuid.Must(uuid.NewV7()).String(), CustomerID: c.ID, Name: n}
		cs = append(cs, ct)
		ids = append(ids, ct.ID)
	}
	require.NoError(t, s.Store.CreateCustomer(context.Background(), c, cs))
	return c.ID, ids
}

// section is the part of body from the element carrying marker to the
// end of its list item, for checking what sits beside what.
func section(body, marker, end string) string {
	i := strings.Index(body, marker)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, end); j >= 0 {
		return rest[:j]
	}
	return rest
}

// TestContactEditAndRemovePages: on the customer page the owner edits a
// contact (a bad email is shown beside its input with what was typed kept,
// escaped), then removes one after a confirmation; it moves to the removed
// list. Forms without the token are refused, another team's customer is
// the 404 page, and roles the API leaves out get no forms.
func TestContactEditAndRemovePages(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	id, contacts := seedCustomer(t, s, "demo-sales", "常州<联系人>测试有限公司", "孙<b>丽</b>", "周强")
	page := "/customers/" + id

	v := newVisitor(t, s)
	v.signIn("sales")
	p := v.get(page)
	require.Equal(t, http.StatusOK, p.Status)
	has(t, p.Body, `data-testid="contact-edit-form"`)
	has(t, p.Body, `data-testid="confirm-remove-contact"`)
	has(t, p.Body, "孙&lt;b&gt;丽&lt;/b&gt;")
	hasNot(t, p.Body, "孙<b>丽</b>")
	has(t, p.Body, `action="/customers/`+id+`/contacts/`+contacts[1]+`/remove"`)

	bad := v.post(page+"/contacts/"+contacts[1], url.Values{"name": {"周强"}, "title": {"<script>x</script>"}, "email": {"not-mail"}})
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	form := section(bad.Body, `id="contact-`+contacts[1]+`"`, "</li>")
	email := section(form, `name="email"`, "</label>")
	has(t, email, `class="field-error"`, "the error sits beside the email")
	has(t, form, `value="&lt;script&gt;x&lt;/script&gt;"`, "what was typed is kept, escaped")
	hasNot(t, bad.Body, "<script>x</script>")
	has(t, form, "<details open>")

	ok := v.post(page+"/contacts/"+contacts[1], url.Values{"name": {"周强"}, "title": {"财务经理"}, "phone": {"13900000000"}, "email": {"zhou@example.com"}, "may_sign": {"1"}})
	require.Equal(t, http.StatusSeeOther, ok.Status, ok.Body)
	assert.Equal(t, page+"#contacts", ok.Location)
	has(t, v.get(page).Body, "财务经理")

	// Removal: refused without the token, then done; it lists apart.
	noToken := url.Values{"csrf_token": {""}}
	assert.Equal(t, http.StatusForbidden, v.post(page+"/contacts/"+contacts[0]+"/remove", noToken).Status)
	assert.Equal(t, http.StatusForbidden, v.post(page+"/contacts/"+contacts[0]+"/remove", url.Values{}, "Sec-Fetch-Site", "cross-site").Status)
	assert.Contains(t, section(v.get(page).Body, `data-testid="contacts"`, "</ul>"), "孙&lt;b&gt;丽&lt;/b&gt;", "nothing removed")
	gone := v.post(page+"/contacts/"+contacts[0]+"/remove", url.Values{})
	require.Equal(t, http.StatusSeeOther, gone.Status, gone.Body)
	after := v.get(page)
	assert.NotContains(t, section(after.Body, `data-testid="contacts"`, "</ul>"), "孙&lt;b&gt;丽&lt;/b&gt;")
	has(t, section(after.Body, `data-testid="removed-contacts"`, "</details>"), "孙&lt;b&gt;丽&lt;/b&gt;")
	assert.Equal(t, http.StatusSeeOther, v.post(page+"/contacts/"+contacts[0]+"/remove", url.Values{}).Status, "removing again is no error")

	// Another team's customer is the 404 page, its forms too.
	theirs, theirContacts := seedCustomer(t, s, testenv.SecondSales.ID, "别队客户", "钱七")
	assert.Equal(t, http.StatusNotFound, v.get("/customers/"+theirs).Status)
	v.get(page)
	assert.Equal(t, http.StatusNotFound, v.post("/customers/"+theirs+"/contacts/"+theirContacts[0], url.Values{"name": {"改"}}).Status)
	assert.Equal(t, http.StatusNotFound, v.post("/customers/"+theirs+"/contacts/"+theirContacts[0]+"/remove", url.Values{}).Status)
	v.get(page)
	assert.Equal(t, http.StatusNotFound, v.post(page+"/contacts/"+theirContacts[0]+"/remove", url.Values{}).Status, "a contact of another customer")

	legal := newVisitor(t, s)
	legal.signIn("legal")
	lp := legal.get(page)
	require.Equal(t, http.StatusOK, lp.Status)
	hasNot(t, lp.Body, `data-testid="contact-edit-form"`)
	assert.Equal(t, http.StatusNotFound, legal.post(page+"/contacts/"+contacts[1]+"/remove", url.Values{}).Status)
}

// TestCustomerDeactivatePages: the owner deactivates a customer after a
// confirmation (refused without the token); the page says so and offers
// reactivation, the list hides it unless the status filter asks, the
// new-contract form no longer offers it; another team's is the 404 page.
func TestCustomerDeactivatePages(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	id, _ := seedCustomer(t, s, "demo-sales", "停用<页面>测试有限公司", "郑一")
	page := "/customers/" + id
	escaped := "停用&lt;页面&gt;测试有限公司"

	v := newVisitor(t, s)
	v.signIn("sales")
	p := v.get(page)
	require.Equal(t, http.StatusOK, p.Status)
	has(t, p.Body, `data-testid="confirm-deactivate"`)
	hasNot(t, p.Body, `data-testid="customer-inactive"`)
	has(t, v.get("/contracts/new").Body, escaped)

	assert.Equal(t, http.StatusForbidden, v.post(page+"/deactivate", url.Values{"csrf_token": {""}}).Status)
	hasNot(t, v.get(page).Body, `data-testid="customer-inactive"`)
	off := v.post(page+"/deactivate", url.Values{})
	require.Equal(t, http.StatusSeeOther, off.Status, off.Body)
	p = v.get(page)
	has(t, p.Body, `data-testid="customer-inactive"`)
	has(t, p.Body, `data-testid="inactive-note"`)
	has(t, p.Body, `data-testid="confirm-reactivate"`)
	hasNot(t, p.Body, `data-testid="confirm-deactivate"`)

	hasNot(t, v.get("/customers").Body, escaped)
	inactive := v.get("/customers?status=inactive")
	has(t, inactive.Body, escaped)
	has(t, inactive.Body, `<option value="inactive" selected>`)
	hasNot(t, inactive.Body, "上海星辰科技有限公司")
	has(t, v.get("/customers?status=all").Body, "上海星辰科技有限公司")
	assert.Equal(t, http.StatusBadRequest, v.get("/customers?status=bogus").Status)
	hasNot(t, v.get("/contracts/new").Body, escaped, "no new drafts for it")

	theirs, _ := seedCustomer(t, s, testenv.SecondSales.ID, "别队停用客户")
	v.get(page)
	assert.Equal(t, http.StatusNotFound, v.post("/customers/"+theirs+"/deactivate", url.Values{}).Status)
	legal := newVisitor(t, s)
	legal.signIn("legal")
	hasNot(t, legal.get(page).Body, `data-testid="confirm-reactivate"`)
	assert.Equal(t, http.StatusNotFound, legal.post(page+"/reactivate", url.Values{}).Status)

	on := v.post(page+"/reactivate", url.Values{})
	require.Equal(t, http.StatusSeeOther, on.Status, on.Body)
	hasNot(t, v.get(page).Body, `data-testid="customer-inactive"`)
	has(t, v.get("/customers").Body, escaped)
}

// TestCustomerMergePages: a sales manager merges a duplicate from its page
// (refused without the token; no choice is shown beside the select); the
// survivor's page follows with the duplicate's contacts, the duplicate's
// page says where it went and offers no forms, the list hides it unless
// asked. Sales get no merge form and the 404 page on posting one.
func TestCustomerMergePages(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	dup, _ := seedCustomer(t, s, "demo-sales", "合并<重复>客户有限公司", "褚九")
	keep, _ := seedCustomer(t, s, "demo-sales", "合并保留客户有限公司", "卫十")

	sales := newVisitor(t, s)
	sales.signIn("sales")
	hasNot(t, sales.get("/customers/"+dup).Body, `data-testid="merge-form"`)
	assert.Equal(t, http.StatusNotFound, sales.post("/customers/"+dup+"/merge", url.Values{"into": {keep}}).Status)

	m := newVisitor(t, s)
	m.signIn("sales_manager")
	p := m.get("/customers/" + dup)
	require.Equal(t, http.StatusOK, p.Status)
	form := section(p.Body, `data-testid="merge-form"`, "</form>")
	has(t, form, `<option value="`+keep+`">合并保留客户有限公司</option>`)
	hasNot(t, form, `<option value="`+dup+`"`, "not into itself")

	assert.Equal(t, http.StatusForbidden, m.post("/customers/"+dup+"/merge", url.Values{"into": {keep}, "csrf_token": {""}}).Status)
	none := m.post("/customers/"+dup+"/merge", url.Values{"into": {""}})
	assert.Equal(t, http.StatusBadRequest, none.Status)
	has(t, section(none.Body, `name="into"`, "</label>"), `class="field-error"`, "the error sits beside the choice")
	self := m.post("/customers/"+dup+"/merge", url.Values{"into": {dup}})
	assert.Equal(t, http.StatusBadRequest, self.Status)
	has(t, section(self.Body, `name="into"`, "</label>"), `class="field-error"`)

	done := m.post("/customers/"+dup+"/merge", url.Values{"into": {keep}})
	require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
	assert.Equal(t, "/customers/"+keep, done.Location)
	kept := m.get(done.Location)
	has(t, section(kept.Body, `data-testid="contacts"`, "</ul>"), "褚九")

	old := m.get("/customers/" + dup)
	require.Equal(t, http.StatusOK, old.Status)
	has(t, old.Body, `data-testid="merged-note"`)
	has(t, old.Body, `href="/customers/`+keep+`" data-testid="merged-into"`)
	has(t, old.Body, "合并&lt;重复&gt;客户有限公司")
	hasNot(t, old.Body, `data-testid="merge-form"`)
	hasNot(t, old.Body, `data-testid="contact-form"`)
	hasNot(t, old.Body, `data-testid="confirm-deactivate"`)
	hasNot(t, m.get("/customers").Body, "合并&lt;重复&gt;客户有限公司")
	has(t, m.get("/customers?status=merged").Body, "合并&lt;重复&gt;客户有限公司")
	again := m.post("/customers/"+keep+"/merge", url.Values{"into": {dup}})
	assert.Equal(t, http.StatusConflict, again.Status, "into a merged customer")
	has(t, again.Body, `data-testid="merge-form"`)
}
