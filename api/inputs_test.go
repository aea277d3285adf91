package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// TestEveryClientInputIsA4xx: numbers past what PostgreSQL's integer
// holds, year-0 dates, bytes that are not UTF-8 and NUL in path
// parameters are the client's mistake: a 400 naming the parameter, never
// a 500 or 503.
func TestEveryClientInputIsA4xx(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := create(t, s, newContract(100_00, "2026-01-01", "2026-12-31")).Contract.Number
	p := "/v1/contracts/" + n
	big := "2147483648"
	tooBigTemplate := newContract(100_00, "2026-01-01", "2026-12-31")
	tooBigTemplate["template_version"] = 2147483648
	yearZero := newContract(100_00, "0000-01-01", "2026-12-31")
	before := countRows(t, s)
	for _, tc := range []struct {
		method, path, role string
		body               any
		field              string
	}{
		{http.MethodPost, "/v1/contracts", "sales", tooBigTemplate, "template_version"},
		{http.MethodPost, "/v1/contracts", "sales", yearZero, "start_date"},
		{http.MethodGet, "/v1/templates/sales-zh?version=" + big, "sales", nil, "version"},
		{http.MethodGet, "/v1/approval-policies/default?version=" + big, "sales", nil, "version"},
		{http.MethodGet, p + "/versions/" + big, "sales", nil, "version"},
		{http.MethodGet, p + "/versions/99999999999999999999", "sales", nil, "version"},
		{http.MethodGet, p + "/diff?from=1&to=" + big, "sales", nil, "to"},
		{http.MethodGet, p + "?as_of=0000-01-01", "sales", nil, "as_of"},
		{http.MethodGet, "/v1/reports/ledger?signed_from=0000-01-01", "finance", nil, "signed_from"},
		{http.MethodGet, "/v1/reports/aging?as_of=0000-01-01", "finance", nil, "as_of"},
		{http.MethodGet, "/v1/contracts/HT-2026-00000%FF", "sales", nil, "number"},
		{http.MethodGet, "/v1/customers/a%00b", "sales", nil, "id"},
		{http.MethodGet, "/v1/tasks/%FF", "sales_manager", nil, "id"},
		{http.MethodGet, "/v1/users/%FF%FE", "admin", nil, "id"},
		{http.MethodGet, "/sign/%FF%00", "", nil, "token"},
		{http.MethodGet, p + "/attachments/a%00", "sales", nil, "id"},
		{http.MethodPatch, p + "/obligations/%FF", "sales", map[string]any{"progress": 10}, "id"},
	} {
		r := call(t, s, tc.method, tc.path, tc.role, tc.body)
		assert.Equal(t, []string{tc.field}, fieldsOf(t, r), "%s %s", tc.method, tc.path)
	}
	assert.Equal(t, before, countRows(t, s), "nothing was written")
}

// TestReusedRequestIDIsAConflict: a retry with the same X-Request-ID gets
// the first answer; the same ID sent for another operation, another
// contract or by another user is a 409, and nothing is applied.
func TestReusedRequestIDIsAConflict(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := create(t, s, newContract(100_00, "2026-01-01", "2026-12-31")).Contract.Number
	other := create(t, s, newContract(100_00, "2026-01-01", "2026-12-31")).Contract.Number

	first := expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil, api.RequestIDHeader, "req-7"), http.StatusOK)
	again := expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil, api.RequestIDHeader, "req-7"), http.StatusOK)
	assert.Equal(t, first.Round, again.Round, "a retry gets the first answer")

	for name, r := range map[string]response{
		"another operation": call(t, s, http.MethodPost, "/v1/contracts/"+n+"/cancel", "sales", map[string]any{"reason": "x"}, api.RequestIDHeader, "req-7"),
		"another contract":  call(t, s, http.MethodPost, "/v1/contracts/"+other+"/submit", "sales", nil, api.RequestIDHeader, "req-7"),
		"another user":      call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales_manager", nil, api.RequestIDHeader, "req-7"),
	} {
		body := expect[errorBody](t, r, http.StatusConflict)
		assert.Contains(t, body.Message, "X-Request-ID", name)
	}
	for number, want := range map[string]domain.Status{n: domain.StatusInReview, other: domain.StatusDraft} {
		view := expect[struct{ Contract store.ContractRow }](t, call(t, s, http.MethodGet, "/v1/contracts/"+number, "admin", nil), http.StatusOK)
		require.Equal(t, want, view.Contract.Status, number)
	}
}
