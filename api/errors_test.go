package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// counts is how many rows each table the API writes holds.
type counts struct{ Contracts, Events, Tasks, Signatures, Sequences int }

func countRows(t *testing.T, s *testenv.Stack) counts {
	t.Helper()
	var c counts
	err := s.Store.Pool().QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM contracts), (SELECT count(*) FROM contract_events),
		(SELECT count(*) FROM approval_tasks), (SELECT count(*) FROM signatures),
		(SELECT coalesce(sum(last_value), 0) FROM contract_sequences)`).
		Scan(&c.Contracts, &c.Events, &c.Tasks, &c.Signatures, &c.Sequences)
	require.NoError(t, err)
	return c
}

// fieldsOf returns the field names a 400 body lists.
func fieldsOf(t *testing.T, r response) []string {
	t.Helper()
	body := expect[errorBody](t, r, http.StatusBadRequest)
	assert.Equal(t, "invalid_request", body.Error)
	var names []string
	for _, f := range body.Fields {
		assert.NotEmpty(t, f.Message, "field %s has no message", f.Field)
		names = append(names, f.Field)
	}
	return names
}

// with returns a valid create body changed by edit, as JSON text.
func with(edit func(body map[string]any)) string {
	body := newContract(100_00, "2026-01-01", "2026-12-31")
	edit(body)
	raw, _ := json.Marshal(body)
	return string(raw)
}

func field(name string, v any) func(map[string]any) {
	return func(b map[string]any) { b["fields"].(map[string]any)[name] = v }
}

func line(name string, v any) func(map[string]any) {
	return func(b map[string]any) { b["line_items"].([]map[string]any)[0][name] = v }
}

func TestCreateRefusesBadInputAndWritesNothing(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	before := countRows(t, s)
	set := func(k string, v any) func(map[string]any) { return func(b map[string]any) { b[k] = v } }

	cases := []struct {
		name   string
		body   string
		status int
		fields []string
	}{
		{"malformed JSON", `{"title": "x",`, 400, []string{"body"}},
		{"not an object", `[1,2]`, 400, []string{"body"}},
		{"empty body", ``, 400, []string{"body"}},
		{"missing fields", `{}`, 400, []string{"title", "customer_id", "template_id", "start_date", "end_date", "line_items"}},
		{"amount from the client", with(set("amount", 100)), 400, []string{"amount"}},
		{"status from the client", with(set("status", "active")), 400, []string{"status"}},
		{"owner from the client", with(set("owner_id", "demo-executive")), 400, []string{"owner_id"}},
		{"unknown currency", with(set("currency", "XYZ")), 400, []string{"currency"}},
		{"lower-case currency", with(set("currency", "cny")), 400, []string{"currency"}},
		{"end before start", with(set("end_date", "2025-12-31")), 400, []string{"end_date"}},
		{"bad date", with(set("start_date", "2026-02-30")), 400, []string{"start_date"}},
		{"title too long", with(set("title", strings.Repeat("合", 201))), 400, []string{"title"}},
		{"negative quantity", with(line("quantity", "-1")), 400, []string{"line_items[0].quantity"}},
		{"zero quantity", with(line("quantity", 0)), 400, []string{"line_items[0].quantity"}},
		{"negative price", with(line("unit_price", -5)), 400, []string{"line_items[0].unit_price"}},
		{"discount over 100%", with(line("discount_bp", 10001)), 400, []string{"line_items[0].discount_bp"}},
		{"overflowing price", `{"title":"t","customer_id":"` + devstack.DemoCustomerID + `","template_id":"sales-zh","start_date":"2026-01-01","end_date":"2026-12-31","line_items":[{"product_id":"` + devstack.DemoConsultingProduct + `","quantity":"1","unit_price":99999999999999999999}]}`, 400, []string{"line_items.unit_price"}},
		{"line total too large", with(func(b map[string]any) { line("unit_price", domain.MaxAmount)(b); line("quantity", "2")(b) }), 400, []string{"line_items[0]"}},
		{"choice outside its list", with(field("payment_method", "现金")), 400, []string{"fields.payment_method"}},
		{"template field of the wrong type", with(field("payment_terms_days", "thirty")), 400, []string{"fields.payment_terms_days"}},
		{"required template field missing", with(func(b map[string]any) { delete(b["fields"].(map[string]any), "delivery_place") }), 400, []string{"fields.delivery_place"}},
		{"unknown template field", with(field("colour", "red")), 400, []string{"fields.colour"}},
		{"fixed clause reworded", with(set("clauses", []map[string]any{{"id": "payment", "body": "乙方可随时付款"}})), 400, []string{"clauses[0]"}},
		{"non-standard clause by a drafter", with(set("non_standard_clauses", []map[string]any{{"title": "特别约定", "body": "x"}})), 403, nil},
		{"unknown optional clause", with(set("optional_clauses", []string{"payment"})), 400, []string{"optional_clauses"}},
		{"unknown customer", with(set("customer_id", "01960000-0000-7000-8000-0000000000ff")), 404, []string{"customer_id"}},
		{"unknown template", with(set("template_id", "nope")), 404, []string{"template_id"}},
		{"unknown product", with(line("product_id", "01960000-0000-7000-8000-0000000000ff")), 404, []string{"line_items[0].product_id"}},
		{"contact of another customer", with(set("contact_id", "01960000-0000-7000-8000-0000000000ff")), 404, []string{"contact_id"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, http.MethodPost, "/v1/contracts", "sales", tc.body)
			body := expect[errorBody](t, r, tc.status)
			var names []string
			for _, f := range body.Fields {
				assert.NotEmpty(t, f.Message, "field %s has no message", f.Field)
				names = append(names, f.Field)
			}
			assert.ElementsMatch(t, tc.fields, names)
		})
	}
	assert.Equal(t, before, countRows(t, s), "a refused request wrote something")
}

func TestCallersWhoMayNotAct(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	body := newContract(1_000_00, "2026-01-01", "2026-12-31")

	t.Run("no token", func(t *testing.T) {
		r := call(t, s, http.MethodGet, "/v1/contracts", "", nil)
		assert.Equal(t, "unauthorized", expect[errorBody](t, r, http.StatusUnauthorized).Error)
		assert.Contains(t, r.Header.Get("WWW-Authenticate"), "Bearer")
	})
	t.Run("unknown token", func(t *testing.T) {
		r := call(t, s, http.MethodGet, "/v1/contracts", "", nil, "Authorization", "Bearer sgt_not-a-real-token")
		expect[errorBody](t, r, http.StatusUnauthorized)
	})
	t.Run("not a bearer token", func(t *testing.T) {
		r := call(t, s, http.MethodGet, "/v1/contracts", "", nil, "Authorization", "Basic dXNlcjpwYXNz")
		expect[errorBody](t, r, http.StatusUnauthorized)
	})
	before := countRows(t, s)
	t.Run("finance may not draft", func(t *testing.T) {
		expect[errorBody](t, call(t, s, http.MethodPost, "/v1/contracts", "finance", body), http.StatusForbidden)
	})
	t.Run("auditor may not draft", func(t *testing.T) {
		expect[errorBody](t, call(t, s, http.MethodPost, "/v1/contracts", "auditor", body), http.StatusForbidden)
	})
	assert.Equal(t, before, countRows(t, s))

	state := create(t, s, body)
	n := state.Contract.Number
	before = countRows(t, s)

	t.Run("another sales person cannot see it", func(t *testing.T) {
		expect[errorBody](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales2", nil), http.StatusNotFound)
		expect[errorBody](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales2", nil), http.StatusNotFound)
		page := expect[struct{ Items []store.ContractRow }](t, call(t, s, http.MethodGet, "/v1/contracts", "sales2", nil), http.StatusOK)
		assert.Empty(t, page.Items)
	})
	t.Run("unknown contract", func(t *testing.T) {
		expect[errorBody](t, call(t, s, http.MethodGet, "/v1/contracts/HT-2026-999999", "sales", nil), http.StatusNotFound)
		expect[errorBody](t, call(t, s, http.MethodGet, "/v1/contracts/not-a-number", "sales", nil), http.StatusNotFound)
		expect[errorBody](t, call(t, s, http.MethodPost, "/v1/tasks/HT-2026-999999-R1-S1/decision", "sales_manager",
			map[string]any{"decision": "approve"}), http.StatusNotFound)
	})
	t.Run("executive may not submit someone's draft", func(t *testing.T) {
		body := expect[errorBody](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "executive", nil), http.StatusForbidden)
		assert.Equal(t, "forbidden", body.Error)
	})
	t.Run("send a draft", func(t *testing.T) {
		body := expect[errorBody](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", nil), http.StatusConflict)
		assert.Contains(t, body.Message, "draft")
	})
	assert.Equal(t, before, countRows(t, s), "a refused decision wrote something")

	state = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	task := waitTask(t, s, "sales_manager", n).ID
	before = countRows(t, s)
	t.Run("wrong approver", func(t *testing.T) {
		expect[errorBody](t, call(t, s, http.MethodPost, "/v1/tasks/"+task+"/decision", "finance",
			map[string]any{"decision": "approve"}), http.StatusForbidden)
	})
	t.Run("bad decision", func(t *testing.T) {
		r := call(t, s, http.MethodPost, "/v1/tasks/"+task+"/decision", "sales_manager", map[string]any{"decision": "maybe"})
		assert.Equal(t, []string{"decision"}, fieldsOf(t, r))
	})
	t.Run("reject without an opinion", func(t *testing.T) {
		r := call(t, s, http.MethodPost, "/v1/tasks/"+task+"/decision", "sales_manager", map[string]any{"decision": "reject"})
		assert.Equal(t, []string{"opinion"}, fieldsOf(t, r))
	})
	t.Run("submit twice", func(t *testing.T) {
		expect[errorBody](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusConflict)
	})
	assert.Equal(t, before, countRows(t, s))

	state = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/tasks/"+task+"/decision", "sales_manager",
		map[string]any{"decision": "request_changes", "opinion": "付款条件请改为30天"}), http.StatusOK)
	assert.Equal(t, domain.StatusDraft, state.Status)
	require.NotNil(t, state.LastDecision)
	assert.Equal(t, "付款条件请改为30天", state.LastDecision.Opinion)
	before = countRows(t, s)
	t.Run("decide a closed task", func(t *testing.T) {
		body := expect[errorBody](t, call(t, s, http.MethodPost, "/v1/tasks/"+task+"/decision", "sales_manager",
			map[string]any{"decision": "approve"}), http.StatusConflict)
		assert.Contains(t, body.Message, "closed")
	})
	assert.Equal(t, before, countRows(t, s))

	// Cancelled contracts refuse everything after.
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/cancel", "sales",
		map[string]any{"reason": "客户取消采购"}), http.StatusOK)
	require.Eventually(t, func() bool {
		r := call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil)
		return r.Status == http.StatusConflict
	}, 10*time.Second, 100*time.Millisecond)
}

func TestRetriedRequestsApplyOnce(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	body := newContract(2_000_00, "2026-01-01", "2026-12-31")

	first := expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts", "sales", body, api.IdempotencyKeyHeader, "create-42"), http.StatusCreated)
	again := expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts", "sales", body, api.IdempotencyKeyHeader, "create-42"), http.StatusCreated)
	assert.Equal(t, first.Contract.Number, again.Contract.Number)
	assert.Equal(t, 1, countRows(t, s).Contracts)

	n := first.Contract.Number
	sub := expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil, api.RequestIDHeader, "submit-1"), http.StatusOK)
	resub := expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil, api.RequestIDHeader, "submit-1"), http.StatusOK)
	assert.Equal(t, sub.Round, resub.Round)
	assert.Equal(t, 2, countRows(t, s).Events, "created and submitted, once each")
}

func TestOutagesAnswer503(t *testing.T) {
	testenv.RequireIntegration(t)
	ctx := context.Background()
	port, err := devstack.FreePort()
	require.NoError(t, err)
	loc, _ := time.LoadLocation(config.DefaultTimeZone)
	cfg := config.Config{TaskQueue: "unused", TimeZone: loc, RequestTimeout: 3 * time.Second}

	t.Run("PostgreSQL down", func(t *testing.T) {
		st, err := store.Open(ctx, "postgres://postgres@127.0.0.1:"+strconv.Itoa(port)+"/signet?sslmode=disable&connect_timeout=1")
		require.NoError(t, err)
		defer st.Close()
		tc, err := client.NewLazyClient(client.Options{HostPort: testenv.TemporalAddress(), Logger: testenv.Logger()})
		require.NoError(t, err)
		defer tc.Close()
		sealer, err := eseal.NewSealer(make([]byte, 32))
		require.NoError(t, err)
		srv := httptest.NewServer(api.NewStandardRouter(cfg, st, tc, sealer, testenv.Logger()))
		defer srv.Close()
		s := &testenv.Stack{URL: srv.URL, Tokens: map[string]string{"sales": "sgt_whatever"}}
		r := call(t, s, http.MethodGet, "/v1/contracts", "sales", nil)
		assert.Equal(t, "unavailable", expect[errorBody](t, r, http.StatusServiceUnavailable).Error)
		assert.NotEmpty(t, r.Header.Get("Retry-After"))
		r = call(t, s, http.MethodGet, "/readyz", "", nil)
		assert.Equal(t, http.StatusServiceUnavailable, r.Status)
		assert.Contains(t, string(r.Body), `"postgresql":"unavailable"`)
	})

	t.Run("Temporal down", func(t *testing.T) {
		s := testenv.NewStack(t, testenv.TemporalAddress())
		tc, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:" + strconv.Itoa(port), Logger: testenv.Logger()})
		require.NoError(t, err)
		defer tc.Close()
		srv := httptest.NewServer(api.NewStandardRouter(cfg, s.Store, tc, s.Sealer, testenv.Logger()))
		defer srv.Close()
		down := &testenv.Stack{URL: srv.URL, Tokens: s.Tokens}
		start := time.Now()
		r := call(t, down, http.MethodPost, "/v1/contracts", "sales", newContract(100, "2026-01-01", "2026-12-31"))
		assert.Equal(t, "unavailable", expect[errorBody](t, r, http.StatusServiceUnavailable).Error)
		assert.Less(t, time.Since(start), 15*time.Second, "an outage must answer, not hang")
		assert.Equal(t, 0, countRows(t, s).Contracts, "no contract is half-created")
		r = call(t, down, http.MethodGet, "/readyz", "", nil)
		assert.Equal(t, http.StatusServiceUnavailable, r.Status)
		assert.Contains(t, string(r.Body), `"temporal":"unavailable"`)
		assert.Contains(t, string(r.Body), `"postgresql":"ok"`)
	})
}
