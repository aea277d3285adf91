package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	neturl "net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/customers"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// bearerRoutes are the route table's entries that need a token, by
// "METHOD /path" as Gin names them, with the roles that may call them.
func bearerRoutes() map[string][]domain.Role {
	out := map[string][]domain.Role{}
	for _, r := range api.Routes() {
		if r.Access == api.Bearer {
			out[r.Method+" "+r.Path] = r.Roles
		}
	}
	return out
}

// TestRouteTableIsWhatIsServed: the router serves exactly the route
// table, each route once, and every /v1 route but the document and the
// public ones needs a token.
func TestRouteTableIsWhatIsServed(t *testing.T) {
	router := api.NewRouter(api.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), RequestTimeout: time.Second})
	served := map[string]bool{}
	for _, r := range router.Routes() {
		served[r.Method+" "+r.Path] = true
	}
	table := map[string]bool{}
	for _, r := range api.Routes() {
		route := r.Method + " " + r.Path
		assert.False(t, table[route], "route %s is in the table twice", route)
		table[route] = true
		assert.True(t, served[route], "table entry %s is not served", route)
		assert.NotNil(t, r.Handler, "route %s has no handler", route)
		if strings.HasPrefix(r.Path, "/v1/") && r.Access != api.Bearer {
			// The card callbacks carry the platforms' signatures instead.
			assert.Contains(t, []string{"GET /v1/openapi.json", "GET /v1/signing-key", "POST /v1/verify",
				"POST /v1/callbacks/dingtalk", "GET /v1/callbacks/wecom", "POST /v1/callbacks/wecom"}, route, "route %s is served without a token", route)
		}
	}
	for route := range served {
		assert.True(t, table[route], "route %s is served but not in the table", route)
	}
}

// TestEveryRouteForEveryRole is generated from the matrix: each demo role
// calls each route; roles the matrix leaves out are refused by it with
// 403, the others get past it to the service (whatever it then says).
func TestEveryRouteForEveryRole(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := create(t, s, newContract(100_00, "2026-01-01", "2026-12-31")).Contract.Number
	ids := map[string]string{
		"/v1/customers/":         devstack.DemoCustomerID,
		"/v1/products/":          devstack.DemoLicenceProductID,
		"/v1/templates/":         devstack.DemoSalesTemplate,
		"/v1/approval-policies/": "default",
	}
	param := regexp.MustCompile(`:[a-z]+`)
	fill := func(route string) string {
		path := strings.Replace(route, ":number", n, 1)
		for prefix, id := range ids {
			if strings.HasPrefix(path, prefix) {
				path = strings.Replace(path, ":id", id, 1)
			}
		}
		return param.ReplaceAllString(path, "01960000-0000-7000-8000-0000000000ee")
	}
	const sales = domain.RoleSales
	refusal := "your role may not call this route"
	for route, allowed := range bearerRoutes() {
		method, path, _ := strings.Cut(route, " ")
		for _, role := range domain.Roles {
			name := string(role)
			r := call(t, s, method, fill(path), name, "{}")
			refusedByMatrix := r.Status == http.StatusForbidden && strings.Contains(string(r.Body), refusal)
			mayCall := len(allowed) == 0 || slices.Contains(allowed, role)
			assert.Equal(t, !mayCall, refusedByMatrix, "%s as %s: %d %s", route, name, r.Status, r.Body)
			assert.NotEqual(t, http.StatusUnauthorized, r.Status, "%s as %s", route, name)
			assert.Less(t, r.Status, 500, "%s as %s: %s", route, name, r.Body)
		}
	}
	// Object level, generated too: every route on one contract or customer
	// that sales may call answers another sales person exactly as it
	// answers for an object that does not exist (reads are 404; a write
	// with a bad body is the same 400 either way), and its owner otherwise.
	absent := func(path string) string {
		path = strings.Replace(path, n, "HT-2026-999999", 1)
		return strings.Replace(path, devstack.DemoCustomerID, "01960000-0000-7000-8000-0000000000ff", 1)
	}
	for route, allowed := range bearerRoutes() {
		method, path, _ := strings.Cut(route, " ")
		onObject := strings.Contains(path, ":number") || strings.HasPrefix(path, "/v1/customers/:id")
		if !onObject || strings.Count(path, ":") > 1 || (len(allowed) > 0 && !slices.Contains(allowed, sales)) {
			continue
		}
		other := call(t, s, method, fill(path), "sales2", "{}")
		missing := call(t, s, method, absent(fill(path)), "sales2", "{}")
		assert.Equal(t, missing.Status, other.Status, "%s as another sales person: %s", route, other.Body)
		// A read is 404, unless the request itself is incomplete (a
		// required parameter), which is the same 400 for everyone.
		if method == http.MethodGet && missing.Status != http.StatusBadRequest {
			assert.Equal(t, http.StatusNotFound, other.Status, "%s as another sales person", route)
		}
		own := call(t, s, method, fill(path), "sales", "{}")
		assert.NotEqual(t, http.StatusNotFound, own.Status, "%s as the owner: %s", route, own.Body)
	}
}

// A sales manager sees their team's customers and contracts, however deep
// the team goes, and nobody else's; finance and executives see all.
func TestSalesManagersSeeTheirTeam(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := create(t, s, newContract(8_000_00, "2026-01-01", "2026-12-31")).Contract.Number
	outsider := expect[customers.Detail](t, call(t, s, http.MethodPost, "/v1/customers", "sales2", map[string]any{"name": "杭州外部客户有限公司", "tier": "B"}), http.StatusCreated)

	// demo-sales reports to the manager; test-sales-2 reports to no one.
	expect[workflows.ContractState](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales_manager", nil), http.StatusOK)
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/customers/"+outsider.ID, "sales_manager", nil), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodPatch, "/v1/customers/"+outsider.ID, "sales_manager", map[string]any{"tier": "A"}), http.StatusNotFound)
	listed := func(role, query string) []string {
		var ids []string
		for _, c := range expect[customers.Page](t, call(t, s, http.MethodGet, "/v1/customers"+query, role, nil), http.StatusOK).Items {
			ids = append(ids, c.ID)
		}
		return ids
	}
	assert.Contains(t, listed("sales_manager", ""), devstack.DemoCustomerID, "the team's customer")
	assert.NotContains(t, listed("sales_manager", ""), outsider.ID)
	assert.Empty(t, listed("sales_manager", "?owner="+testenv.SecondSales.ID), "filtering by an outsider shows nothing")
	assert.Contains(t, listed("finance", ""), outsider.ID)
	assert.Contains(t, listed("executive", ""), outsider.ID)

	// Put test-sales-2 under demo-sales: two levels below the manager.
	require.NoError(t, s.Store.SetManager(context.Background(), testenv.SecondSales.ID, "demo-sales"))
	expect[customers.Detail](t, call(t, s, http.MethodGet, "/v1/customers/"+outsider.ID, "sales_manager", nil), http.StatusOK)
	assert.Contains(t, listed("sales_manager", "?owner="+testenv.SecondSales.ID), outsider.ID)
	expect[customers.Detail](t, call(t, s, http.MethodPatch, "/v1/customers/"+outsider.ID, "sales_manager", map[string]any{"tier": "A"}), http.StatusOK)
	// Only the sales manager role brings a team: demo-sales, now above
	// test-sales-2, still sees only their own.
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/customers/"+outsider.ID, "sales", nil), http.StatusNotFound)
}

// Every query parameter the OpenAPI document lists, on every GET route,
// given SQL metacharacters, a NUL byte or a very long string, answers 200
// or 400 as a plain value would — never a 500 — and the data survives.
func TestHostileQueryValuesAreJustValues(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := create(t, s, newContract(100_00, "2026-01-01", "2026-12-31")).Contract.Number
	raw, err := os.ReadFile("openapi.json")
	require.NoError(t, err)
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Ref      string `json:"$ref"`
				Name, In string
			}
		}
		Components struct {
			Parameters map[string]struct{ Name, In string }
		}
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	hostile := []string{"' OR '1'='1", "%'; DROP TABLE contracts; --", "\x00", "_%\\", strings.Repeat("长", 5000), "$1", "HT-2026-000001' --"}
	checked := 0
	for path, ops := range doc.Paths {
		op, ok := ops["get"]
		if !ok || !strings.HasPrefix(path, "/v1/") {
			continue
		}
		route := "GET " + regexp.MustCompile(`\{(\w+)\}`).ReplaceAllString(path, ":$1")
		role := "admin"
		if allowed := bearerRoutes()[route]; len(allowed) > 0 && !slices.Contains(allowed, domain.RoleAdmin) {
			role = string(allowed[0])
		}
		url := strings.NewReplacer("{number}", n, "{id}", devstack.DemoCustomerID).Replace(path)
		for _, p := range op.Parameters {
			if name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/"); ok {
				shared := doc.Components.Parameters[name]
				p.Name, p.In = shared.Name, shared.In
			}
			if p.In != "query" {
				continue
			}
			for _, v := range hostile {
				r := call(t, s, http.MethodGet, url+"?"+p.Name+"="+neturl.QueryEscape(v), role, nil)
				assert.Contains(t, []int{200, 400, 404}, r.Status, "%s ?%s=%.40q as %s: %s", path, p.Name, v, role, r.Body)
				checked++
			}
		}
	}
	assert.Greater(t, checked, 50, "the document lists the filters")
	assert.Equal(t, []string{"body"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/customers", "sales", `{"name":"上海\u0000科技","tier":"A"}`)),
		"a NUL inside a JSON string is refused, not passed to PostgreSQL")
	expect[workflows.ContractState](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK)
	assert.Equal(t, 1, countRows(t, s).Contracts, "the table is still there")
}
