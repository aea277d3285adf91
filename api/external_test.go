package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/testkit/testenv"
)

// byExternal is the path of a record another system knows as id, the ID
// percent-encoded as one segment, as a client does it.
func byExternal(kind, source, id string) string {
	return "/v1/" + kind + "/by-external/" + source + "/" + url.PathEscape(id)
}

func TestCustomersByExternalID(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	// A CRM's key with a '/', a '+' and Chinese: each must survive the path.
	key := "客户/2024+001"
	path := byExternal("customers", "crm", key)
	body := map[string]any{"name": "杭州云栖科技有限公司", "tier": "B", "region": "杭州",
		"contacts": []map[string]any{
			{"name": "王芳", "email": "wang@yunqi.example", "external_ids": []map[string]any{{"source": "crm", "id": "C-1"}}},
			{"name": "赵磊", "title": "采购"},
		}}

	created := expect[api.CustomerDetail](t, call(t, s, http.MethodPut, path, "sales", body), http.StatusCreated)
	assert.Equal(t, []api.ExternalID{{Source: "crm", ID: key}}, created.ExternalIDs, "the key arrives decoded once, '/' and '+' and Chinese intact")
	assert.Equal(t, "demo-sales", created.OwnerID)
	require.Len(t, created.Contacts, 2)

	// The same push again (a retry) changes nothing and creates nothing.
	again := expect[api.CustomerDetail](t, call(t, s, http.MethodPut, path, "sales", body), http.StatusOK)
	assert.Equal(t, created.ID, again.ID)
	assert.Len(t, again.Contacts, 2, "contacts matched by their external ID and by name, not added twice")

	// An update: new fields, a contact renamed (matched by its ID), one new.
	body["tier"], body["name"] = "A", "杭州云栖科技股份有限公司"
	body["contacts"] = []map[string]any{
		{"name": "王芳芳", "email": "wang@yunqi.example", "external_ids": []map[string]any{{"source": "crm", "id": "C-1"}}},
		{"name": "钱七", "external_ids": []map[string]any{{"source": "crm", "id": "C-2"}}},
	}
	updated := expect[api.CustomerDetail](t, call(t, s, http.MethodPut, path, "sales", body), http.StatusOK)
	assert.Equal(t, created.ID, updated.ID)
	assert.Equal(t, "A", updated.Tier)
	assert.Equal(t, "杭州云栖科技股份有限公司", updated.Name)
	names := map[string][]api.ExternalID{}
	for _, c := range updated.Contacts {
		names[c.Name] = c.ExternalIDs
	}
	assert.Equal(t, map[string][]api.ExternalID{
		"王芳芳": {{Source: "crm", ID: "C-1"}}, "赵磊": {}, "钱七": {{Source: "crm", ID: "C-2"}},
	}, names, "the renamed contact kept its row, the one not pushed stays, the new one was added")

	// The same key read back raw from GET, and the lists filter by it.
	got := expect[api.CustomerDetail](t, call(t, s, http.MethodGet, "/v1/customers/"+created.ID, "sales", nil), http.StatusOK)
	assert.Equal(t, []api.ExternalID{{Source: "crm", ID: key}}, got.ExternalIDs)
	list := func(q url.Values) []string {
		page := expect[api.CustomerPage](t, call(t, s, http.MethodGet, "/v1/customers?"+q.Encode(), "sales", nil), http.StatusOK)
		ids := []string{}
		for _, c := range page.Items {
			ids = append(ids, c.ID)
		}
		return ids
	}
	assert.Equal(t, []string{created.ID}, list(url.Values{"source": {"crm"}, "external_id": {key}}))
	assert.Equal(t, []string{created.ID}, list(url.Values{"source": {"crm"}}))
	assert.Equal(t, []string{created.ID}, list(url.Values{"external_id": {key}}))
	assert.Empty(t, list(url.Values{"source": {"erp"}}))
	assert.Empty(t, list(url.Values{"source": {"crm"}, "external_id": {"客户/2024 001"}}), "'+' is not a space")
	assert.NotEmpty(t, list(url.Values{}), "no filter: every customer")

	// Another salesperson cannot see it, so cannot push to it.
	expect[errorBody](t, call(t, s, http.MethodPut, path, "sales2", body), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodPut, path, "finance", body), http.StatusForbidden)

	// Bad keys are 400s naming the field; the body's key must agree.
	assert.Equal(t, []string{"source"}, fieldsOf(t, call(t, s, http.MethodPut, byExternal("customers", "CRM", "x"), "sales", body)))
	assert.Equal(t, []string{"source"}, fieldsOf(t, call(t, s, http.MethodPut, byExternal("customers", "a-source-name-longer-than-32-chars", "x"), "sales", body)))
	long := make([]rune, 129)
	for i := range long {
		long[i] = '长'
	}
	assert.Equal(t, []string{"external_id"}, fieldsOf(t, call(t, s, http.MethodPut, byExternal("customers", "crm", string(long)), "sales", body)))
	assert.Equal(t, []string{"source"}, fieldsOf(t, call(t, s, http.MethodGet, "/v1/customers?source=Bad!", "sales", nil)))
	clash := map[string]any{"name": "x", "tier": "C", "external_ids": []map[string]any{{"source": "crm", "id": "other"}}}
	assert.Equal(t, []string{"external_ids[0].id"}, fieldsOf(t, call(t, s, http.MethodPut, byExternal("customers", "crm", "mine"), "sales", clash)))
	twice := map[string]any{"name": "x", "tier": "C", "external_ids": []map[string]any{{"source": "erp", "id": "1"}, {"source": "erp", "id": "2"}}}
	assert.Equal(t, []string{"external_ids[1].source"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/customers", "sales", twice)))
	// A contact's key that is another customer's contact's is a conflict.
	taken := map[string]any{"name": "别家", "tier": "C", "contacts": []map[string]any{{"name": "冒名", "external_ids": []map[string]any{{"source": "crm", "id": "C-1"}}}}}
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/customers", "sales", taken), http.StatusConflict)
}

func TestConcurrentPushesOfOneKeyMakeOneCustomer(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	path := byExternal("customers", "crm", "race/1")
	const pushers = 16 // more than any fixed number of optimistic retries would absorb
	statuses := make([]int, pushers)
	ids := make([]string, pushers)
	var wg sync.WaitGroup
	for i := range pushers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := send(s, http.MethodPut, path, "sales", map[string]any{"name": "并发客户", "tier": "C",
				"contacts": []map[string]any{{"name": "同一人", "external_ids": []map[string]any{{"source": "crm", "id": "race/1/c"}}}}})
			if err != nil {
				return
			}
			statuses[i] = r.Status
			if r.Status < 300 {
				var d api.CustomerDetail
				if json.Unmarshal(r.Body, &d) == nil {
					ids[i] = d.ID
				}
			}
		}()
	}
	wg.Wait()
	created := 0
	for i, st := range statuses {
		require.Contains(t, []int{http.StatusCreated, http.StatusOK}, st, "push %d", i)
		if st == http.StatusCreated {
			created++
		}
		assert.Equal(t, ids[0], ids[i], "every push answers the same customer")
	}
	assert.Equal(t, 1, created, "exactly one push created it")
	page := expect[api.CustomerPage](t, call(t, s, http.MethodGet, "/v1/customers?source=crm&external_id=race%2F1", "sales", nil), http.StatusOK)
	require.Len(t, page.Items, 1)
	got := expect[api.CustomerDetail](t, call(t, s, http.MethodGet, "/v1/customers/"+page.Items[0].ID, "sales", nil), http.StatusOK)
	assert.Len(t, got.Contacts, 1, "one contact however many pushes")
}

func TestProductsAndContractsByExternalID(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	line := expect[api.ProductLine](t, call(t, s, http.MethodPost, "/v1/product-lines", "finance", map[string]any{"name": "云服务"}), http.StatusCreated)
	path := byExternal("products", "erp", "物料/0001")
	body := map[string]any{"line_id": line.ID, "name": "对象存储", "unit": "TB·月", "list_price": 120_00, "tax_rate_bp": 600}
	created := expect[api.Product](t, call(t, s, http.MethodPut, path, "finance", body), http.StatusCreated)
	assert.Equal(t, []api.ExternalID{{Source: "erp", ID: "物料/0001"}}, created.ExternalIDs)
	body["list_price"] = 99_00
	updated := expect[api.Product](t, call(t, s, http.MethodPut, path, "finance", body), http.StatusOK)
	assert.Equal(t, created.ID, updated.ID)
	assert.Equal(t, int64(99_00), updated.ListPrice)
	expect[api.Product](t, call(t, s, http.MethodPut, path, "admin", body), http.StatusOK)
	expect[errorBody](t, call(t, s, http.MethodPut, path, "sales", body), http.StatusForbidden)
	assert.Equal(t, []string{"source"}, fieldsOf(t, call(t, s, http.MethodPut, byExternal("products", "e r p", "1"), "finance", body)))

	var wg sync.WaitGroup
	race := byExternal("products", "erp", "race")
	for range 6 {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = send(s, http.MethodPut, race, "finance", body) }()
	}
	wg.Wait()
	products := expect[struct{ Items []api.Product }](t, call(t, s, http.MethodGet, "/v1/products?source=erp", "sales", nil), http.StatusOK)
	assert.Len(t, products.Items, 2, "物料/0001 and one race, however many pushes")
	one := expect[struct{ Items []api.Product }](t, call(t, s, http.MethodGet, "/v1/products?external_id="+url.QueryEscape("物料/0001"), "sales", nil), http.StatusOK)
	require.Len(t, one.Items, 1)
	assert.Equal(t, created.ID, one.Items[0].ID)

	// A contract gets its finance system's number; the ledger filters by it.
	state := create(t, s, newContract(50_000_00, "2026-01-01", "2026-12-31"))
	number := state.Contract.Number
	ids := expect[api.ContractExternalIDs](t, call(t, s, http.MethodPut, "/v1/contracts/"+number+"/external-ids/kingdee", "finance", map[string]any{"external_id": "HT/2026/金蝶-7"}), http.StatusOK)
	assert.Equal(t, []api.ExternalID{{Source: "kingdee", ID: "HT/2026/金蝶-7"}}, ids.ExternalIDs)
	view := expect[api.ContractView](t, call(t, s, http.MethodGet, "/v1/contracts/"+number, "sales", nil), http.StatusOK)
	assert.Equal(t, ids.ExternalIDs, view.ExternalIDs)
	ledger := expect[api.LedgerPage](t, call(t, s, http.MethodGet, "/v1/reports/ledger?source=kingdee&external_id="+url.QueryEscape("HT/2026/金蝶-7"), "finance", nil), http.StatusOK)
	require.Len(t, ledger.Items, 1)
	assert.Equal(t, number, ledger.Items[0].Number)
	assert.Equal(t, ids.ExternalIDs, ledger.Items[0].ExternalIDs)
	assert.Empty(t, expect[api.LedgerPage](t, call(t, s, http.MethodGet, "/v1/reports/ledger?source=crm", "finance", nil), http.StatusOK).Items)

	other := create(t, s, newContract(10_000_00, "2026-01-01", "2026-12-31"))
	expect[errorBody](t, call(t, s, http.MethodPut, "/v1/contracts/"+other.Contract.Number+"/external-ids/kingdee", "finance", map[string]any{"external_id": "HT/2026/金蝶-7"}), http.StatusConflict)
	expect[errorBody](t, call(t, s, http.MethodPut, "/v1/contracts/"+number+"/external-ids/kingdee", "sales2", map[string]any{"external_id": "x"}), http.StatusNotFound)
	assert.Equal(t, []string{"source"}, fieldsOf(t, call(t, s, http.MethodPut, "/v1/contracts/"+number+"/external-ids/King", "finance", map[string]any{"external_id": "x"})))
	assert.Equal(t, []string{"external_id"}, fieldsOf(t, call(t, s, http.MethodPut, "/v1/contracts/"+number+"/external-ids/kingdee", "finance", map[string]any{"external_id": ""})))
	// Replacing the ID from the same source keeps one per source.
	ids = expect[api.ContractExternalIDs](t, call(t, s, http.MethodPut, "/v1/contracts/"+number+"/external-ids/kingdee", "finance", map[string]any{"external_id": "HT-8"}), http.StatusOK)
	assert.Equal(t, []api.ExternalID{{Source: "kingdee", ID: "HT-8"}}, ids.ExternalIDs)
}
