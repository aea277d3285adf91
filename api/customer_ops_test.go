package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// customerWithContacts creates a customer owned by the demo sales person
// with the named contacts (the first may sign, with an email).
func customerWithContacts(t *testing.T, s *testenv.Stack, name string, contacts ...string) api.CustomerDetail {
	t.Helper()
	list := []map[string]any{}
	for i, c := range contacts {
		ct := map[string]any{"name": c}
		if i == 0 {
			ct["may_sign"], ct["email"] = true, "first@"+"customer.example"
		}
		list = append(list, ct)
	}
	return expect[api.CustomerDetail](t, call(t, s, http.MethodPost, "/v1/customers", "sales",
		map[string]any{"name": name, "tier": "B", "contacts": list}), http.StatusCreated)
}

func contactPath(customer, contact string) string {
	return "/v1/customers/" + customer + "/contacts/" + contact
}

// TestContactEditAndRemove: the owner edits a contact's fields (bad ones
// are 400s naming the field), removes a contact a draft names (the draft's
// document still names it, the customer lists it apart with removed_at, a
// new draft with it is a 400 on contact_id), removing twice is no error,
// and every change is audited once; other callers get 403/404.
func TestContactEditAndRemove(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	cu := customerWithContacts(t, s, "苏州工业园区联系人测试有限公司", "王芳", "赵磊")
	require.Len(t, cu.Contacts, 2)
	wang, zhao := cu.Contacts[0], cu.Contacts[1]

	edited := expect[api.Contact](t, call(t, s, http.MethodPatch, contactPath(cu.ID, zhao.ID), "sales",
		map[string]any{"title": "采购总监 <b>", "phone": "+86 512 6666 0000", "may_sign": true}), http.StatusOK)
	assert.Equal(t, "采购总监 <b>", edited.Title)
	assert.Equal(t, "赵磊", edited.Name, "fields not sent stay")
	assert.True(t, edited.MaySign)
	got := expect[api.CustomerDetail](t, call(t, s, http.MethodGet, "/v1/customers/"+cu.ID, "sales", nil), http.StatusOK)
	assert.Equal(t, "+86 512 6666 0000", got.Contacts[1].Phone)

	assert.Equal(t, []string{"email"}, fieldsOf(t, call(t, s, http.MethodPatch, contactPath(cu.ID, zhao.ID), "sales", map[string]any{"email": "not-mail"})))
	assert.Equal(t, []string{"name"}, fieldsOf(t, call(t, s, http.MethodPatch, contactPath(cu.ID, zhao.ID), "sales", map[string]any{"name": "  "})))
	assert.Equal(t, []string{"name"}, fieldsOf(t, call(t, s, http.MethodPatch, contactPath(cu.ID, zhao.ID), "sales", map[string]any{"name": "两\n行"})))
	assert.Equal(t, []string{"customer_id"}, fieldsOf(t, call(t, s, http.MethodPatch, contactPath(cu.ID, zhao.ID), "sales", map[string]any{"customer_id": devstack.DemoCustomerID})))
	cleared := expect[api.Contact](t, call(t, s, http.MethodPatch, contactPath(cu.ID, zhao.ID), "sales", map[string]any{"email": ""}), http.StatusOK)
	assert.Empty(t, cleared.Email)

	// Wrong callers and wrong IDs.
	expect[errorBody](t, call(t, s, http.MethodPatch, contactPath(cu.ID, zhao.ID), "sales2", map[string]any{"title": "x"}), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodDelete, contactPath(cu.ID, zhao.ID), "sales2", nil), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodPatch, contactPath(cu.ID, zhao.ID), "finance", map[string]any{"title": "x"}), http.StatusForbidden)
	expect[errorBody](t, call(t, s, http.MethodDelete, contactPath(cu.ID, zhao.ID), "legal", nil), http.StatusForbidden)
	expect[errorBody](t, call(t, s, http.MethodPatch, contactPath(cu.ID, devstack.DemoContactID), "sales", map[string]any{"title": "x"}), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodDelete, contactPath(cu.ID, "01960000-0000-7000-8000-0000000000ff"), "sales", nil), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodDelete, contactPath(cu.ID, "not-a-uuid"), "sales", nil), http.StatusNotFound)

	// A draft names 王芳; removing her does not touch it.
	body := newContract(5_000_00, "2026-01-01", "2026-12-31")
	body["customer_id"], body["contact_id"] = cu.ID, wang.ID
	n := create(t, s, body).Contract.Number
	assert.Contains(t, documentText(t, s, n), "王芳")
	for range 2 {
		r := call(t, s, http.MethodDelete, contactPath(cu.ID, wang.ID), "sales", nil)
		require.Equal(t, http.StatusNoContent, r.Status, string(r.Body))
	}
	got = expect[api.CustomerDetail](t, call(t, s, http.MethodGet, "/v1/customers/"+cu.ID, "sales", nil), http.StatusOK)
	require.Len(t, got.Contacts, 1)
	assert.Equal(t, zhao.ID, got.Contacts[0].ID)
	require.Len(t, got.RemovedContacts, 1)
	assert.Equal(t, wang.ID, got.RemovedContacts[0].ID)
	assert.NotNil(t, got.RemovedContacts[0].RemovedAt)
	assert.Contains(t, documentText(t, s, n), "王芳", "the draft still names the removed contact")
	state := expect[api.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	assert.Equal(t, "in_review", string(state.Status), "the draft naming her still goes on")

	assert.Equal(t, []string{"contact_id"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/contracts", "sales", body)))
	expect[errorBody](t, call(t, s, http.MethodPatch, contactPath(cu.ID, wang.ID), "sales", map[string]any{"title": "x"}), http.StatusConflict)
	body["contact_id"] = zhao.ID
	create(t, s, body)

	assert.Equal(t, []string{"customer.contact_updated", "customer.contact_updated", "customer.contact_removed"},
		auditActions(t, s, "customer", cu.ID, "customer.contact_"))
}

func customerIDs(t *testing.T, s *testenv.Stack, role, query string) []string {
	t.Helper()
	page := expect[api.CustomerPage](t, call(t, s, http.MethodGet, "/v1/customers"+query, role, nil), http.StatusOK)
	ids := []string{}
	for _, c := range page.Items {
		ids = append(ids, c.ID)
	}
	return ids
}

// TestCustomerDeactivateAndReactivate: a deactivated customer's contracts
// run on (a submitted one is approved, a draft is revised), new drafts for
// it are a 400 on customer_id, the list leaves it out unless asked
// (status=inactive|all); reactivated, it drafts again. Each change is
// audited once; other callers get 403/404.
func TestCustomerDeactivateAndReactivate(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	cu := customerWithContacts(t, s, "无锡停用测试有限公司", "吴敏")
	assert.Equal(t, "active", cu.Status)
	body := newContract(3_000_00, "2026-01-01", "2026-12-31")
	body["customer_id"], body["contact_id"] = cu.ID, cu.Contacts[0].ID
	submitted := create(t, s, body)
	submitted = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+submitted.Contract.Number+"/submit", "sales", nil), http.StatusOK)
	draft := create(t, s, body).Contract.Number

	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/customers/"+cu.ID+"/deactivate", "sales2", nil), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/customers/"+cu.ID+"/deactivate", "finance", nil), http.StatusForbidden)
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/customers/"+cu.ID+"/deactivate", "legal", nil), http.StatusForbidden)
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/customers/01960000-0000-7000-8000-0000000000ff/deactivate", "sales", nil), http.StatusNotFound)
	for range 2 {
		off := expect[api.CustomerDetail](t, call(t, s, http.MethodPost, "/v1/customers/"+cu.ID+"/deactivate", "sales", nil), http.StatusOK)
		assert.Equal(t, "inactive", off.Status)
		assert.NotNil(t, off.DeactivatedAt)
		assert.Len(t, off.Contracts, 2, "its contracts stay with it")
	}

	assert.Equal(t, []string{"customer_id"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/contracts", "sales", body)))
	state := approveAll(t, s, submitted)
	assert.Equal(t, "approved", string(state.Status), "the submitted contract runs on")
	body["title"] = "修订后的合同"
	revised := expect[api.ContractState](t, call(t, s, http.MethodPut, "/v1/contracts/"+draft+"/content", "sales", body), http.StatusOK)
	assert.Equal(t, "修订后的合同", revised.Contract.Title, "its draft can still be revised")

	assert.NotContains(t, customerIDs(t, s, "sales", ""), cu.ID)
	assert.NotContains(t, customerIDs(t, s, "sales", "?status=active"), cu.ID)
	assert.Equal(t, []string{cu.ID}, customerIDs(t, s, "sales", "?status=inactive"))
	all := customerIDs(t, s, "sales", "?status=all")
	assert.Contains(t, all, cu.ID)
	assert.Contains(t, all, devstack.DemoCustomerID)
	assert.Empty(t, customerIDs(t, s, "sales2", "?status=inactive"), "another team's inactive customer stays unseen")
	assert.Equal(t, []string{"status"}, fieldsOf(t, call(t, s, http.MethodGet, "/v1/customers?status=merged-or-not", "sales", nil)))

	on := expect[api.CustomerDetail](t, call(t, s, http.MethodPost, "/v1/customers/"+cu.ID+"/reactivate", "sales_manager", nil), http.StatusOK)
	assert.Equal(t, "active", on.Status)
	assert.Nil(t, on.DeactivatedAt)
	expect[api.CustomerDetail](t, call(t, s, http.MethodPost, "/v1/customers/"+cu.ID+"/reactivate", "sales", nil), http.StatusOK)
	create(t, s, body)
	assert.Contains(t, customerIDs(t, s, "sales", ""), cu.ID)
	var changes []string
	for _, a := range auditActions(t, s, "customer", cu.ID, "customer.") {
		if strings.HasSuffix(a, "activated") {
			changes = append(changes, a)
		}
	}
	assert.Equal(t, []string{"customer.deactivated", "customer.reactivated"}, changes, "once each")
}

// customerOfContract is the customer a contract's projection lists it
// under, read from the table the ledger and customer pages read.
func customerOfContract(t *testing.T, s *testenv.Stack, n string) string {
	t.Helper()
	var id string
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT customer_id::text FROM contracts WHERE number = $1`, n).Scan(&id))
	return id
}

// TestCustomerMerge: a sales manager merges a duplicate into another
// customer; its contacts, contracts and CRM key move, the duplicate
// answers merged_into and leaves the default list; a contract moved while
// in review is approved afterwards and stays with the survivor, as does a
// draft revised (or drafted) naming the old ID; a CRM push of the old key
// updates the survivor. Again is a no-op; into itself a 400, into a merged
// customer or elsewhere once merged a 409; sales and finance 403, another
// team's manager 404.
func TestCustomerMerge(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	dup := expect[api.CustomerDetail](t, call(t, s, http.MethodPut, byExternal("customers", "crm", "DUP-1"), "sales",
		map[string]any{"name": "宁波重复客户有限公司", "tier": "C", "credit_code": "91440300708461136T",
			"contacts": []map[string]any{{"name": "冯七", "may_sign": true, "email": "feng@dup.example"}}}), http.StatusCreated)
	keep := customerWithContacts(t, s, "宁波保留客户有限公司", "陈八")

	body := newContract(4_000_00, "2026-01-01", "2026-12-31")
	body["customer_id"], body["contact_id"] = dup.ID, dup.Contacts[0].ID
	inReview := create(t, s, body)
	n := inReview.Contract.Number
	inReview = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	draft := create(t, s, body).Contract.Number

	merge := func(role, from, into string) response {
		return call(t, s, http.MethodPost, "/v1/customers/"+from+"/merge", role, map[string]any{"into": into})
	}
	expect[errorBody](t, merge("sales", dup.ID, keep.ID), http.StatusForbidden)
	expect[errorBody](t, merge("finance", dup.ID, keep.ID), http.StatusForbidden)
	addUser(t, s, "m2.merge", "孙经理", []string{"sales_manager"}, "")
	expect[errorBody](t, merge("m2.merge", dup.ID, keep.ID), http.StatusNotFound)
	assert.Equal(t, []string{"into"}, fieldsOf(t, merge("sales_manager", dup.ID, dup.ID)))
	assert.Equal(t, []string{"into"}, fieldsOf(t, merge("sales_manager", dup.ID, "not-a-uuid")))
	assert.Equal(t, []string{"into"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/customers/"+dup.ID+"/merge", "sales_manager", map[string]any{})))
	missing := expect[errorBody](t, merge("sales_manager", dup.ID, "01960000-0000-7000-8000-0000000000ff"), http.StatusNotFound)
	require.Len(t, missing.Fields, 1)
	assert.Equal(t, "into", missing.Fields[0].Field)

	survivor := expect[api.CustomerDetail](t, merge("sales_manager", dup.ID, keep.ID), http.StatusOK)
	assert.Equal(t, keep.ID, survivor.ID)
	names := []string{}
	for _, c := range survivor.Contacts {
		names = append(names, c.Name)
	}
	assert.ElementsMatch(t, []string{"陈八", "冯七"}, names)
	numbers := []string{}
	for _, c := range survivor.Contracts {
		numbers = append(numbers, c.Number)
	}
	assert.ElementsMatch(t, []string{n, draft}, numbers)
	require.NotNil(t, survivor.CreditCode)
	assert.Equal(t, "91440300708461136T", *survivor.CreditCode, "the survivor had no credit code: it takes the duplicate's")
	assert.Equal(t, []api.ExternalID{{Source: "crm", ID: "DUP-1"}}, survivor.ExternalIDs)

	old := expect[api.CustomerDetail](t, call(t, s, http.MethodGet, "/v1/customers/"+dup.ID, "sales", nil), http.StatusOK)
	assert.Equal(t, "merged", old.Status)
	require.NotNil(t, old.MergedInto)
	assert.Equal(t, keep.ID, *old.MergedInto)
	assert.Empty(t, old.Contacts)
	assert.Empty(t, old.Contracts)
	assert.NotContains(t, customerIDs(t, s, "sales", ""), dup.ID)
	assert.Equal(t, []string{dup.ID}, customerIDs(t, s, "sales", "?status=merged"))
	assert.Contains(t, customerIDs(t, s, "sales", "?status=all"), dup.ID)

	// Idempotent, and the conflicts.
	again := expect[api.CustomerDetail](t, merge("admin", dup.ID, keep.ID), http.StatusOK)
	assert.Equal(t, keep.ID, again.ID)
	assert.Equal(t, []string{"customer.merged"}, auditActions(t, s, "customer", dup.ID, "customer.merged"))
	assert.Equal(t, []string{"customer.merged_from"}, auditActions(t, s, "customer", keep.ID, "customer.merged"))
	expect[errorBody](t, merge("sales_manager", keep.ID, dup.ID), http.StatusConflict)
	third := customerWithContacts(t, s, "宁波第三客户有限公司")
	expect[errorBody](t, merge("sales_manager", dup.ID, third.ID), http.StatusConflict)
	expect[errorBody](t, call(t, s, http.MethodPatch, "/v1/customers/"+dup.ID, "sales", map[string]any{"tier": "A"}), http.StatusConflict)
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/customers/"+dup.ID+"/deactivate", "sales", nil), http.StatusConflict)

	// The contract in review moves on after the merge: its workflow still
	// holds the old customer ID, and the projection must not take it back.
	require.Equal(t, keep.ID, customerOfContract(t, s, n))
	approved := approveAll(t, s, inReview)
	require.Equal(t, "approved", string(approved.Status))
	assert.Equal(t, keep.ID, customerOfContract(t, s, n), "a transition after the merge keeps the contract with the survivor")
	got := expect[api.CustomerDetail](t, call(t, s, http.MethodGet, "/v1/customers/"+keep.ID, "sales", nil), http.StatusOK)
	assert.Len(t, got.Contracts, 2)
	found := false
	for _, c := range got.Contracts {
		found = found || (c.Number == n && c.Status == "approved")
	}
	assert.True(t, found, "the approved contract lists under the survivor")
	ledger := expect[api.LedgerPage](t, call(t, s, http.MethodGet, "/v1/reports/ledger?customer_id="+keep.ID, "sales", nil), http.StatusOK)
	assert.Len(t, ledger.Items, 2, "the ledger finds both under the survivor")
	assert.Empty(t, expect[api.LedgerPage](t, call(t, s, http.MethodGet, "/v1/reports/ledger?customer_id="+dup.ID, "sales", nil), http.StatusOK).Items)

	// A revision or a new draft naming the old ID lands with the survivor.
	body["title"] = "合并后修订"
	expect[workflows.ContractState](t, call(t, s, http.MethodPut, "/v1/contracts/"+draft+"/content", "sales", body), http.StatusOK)
	assert.Equal(t, keep.ID, customerOfContract(t, s, draft))
	fresh := create(t, s, body).Contract.Number
	assert.Equal(t, keep.ID, customerOfContract(t, s, fresh))

	// The CRM pushes its old key: it updates the survivor.
	pushed := expect[api.CustomerDetail](t, call(t, s, http.MethodPut, byExternal("customers", "crm", "DUP-1"), "sales",
		map[string]any{"name": "宁波保留客户有限公司", "tier": "A"}), http.StatusOK)
	assert.Equal(t, keep.ID, pushed.ID)
	assert.Equal(t, "A", pushed.Tier)
}
