package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/customers"
	"github.com/signet-clm/signet/testkit/testenv"
)

func TestAuditorsReadWhoChangedWhat(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	c := expect[customers.Detail](t, call(t, s, http.MethodPost, "/v1/customers", "sales",
		map[string]any{"name": "审计测试客户", "tier": "C"}, "X-Request-ID", "req-audit-1"), http.StatusCreated)
	expect[customers.Detail](t, call(t, s, http.MethodPatch, "/v1/customers/"+c.ID, "sales", map[string]any{"tier": "A"}), http.StatusOK)

	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/audit", "sales", nil), http.StatusForbidden)
	page := expect[struct{ Items []audit.Entry }](t, call(t, s, http.MethodGet, "/v1/audit?object_type=customer&object_id="+c.ID, "auditor", nil), http.StatusOK)
	require.Len(t, page.Items, 2)
	created, updated := page.Items[0], page.Items[1]
	assert.Equal(t, "customer.created", created.Action)
	assert.Equal(t, "demo-sales", created.ActorID)
	assert.Equal(t, "req-audit-1", created.RequestID)
	assert.Contains(t, string(created.After), "审计测试客户")
	assert.Equal(t, "customer.updated", updated.Action)
	assert.Contains(t, string(updated.Before), `"tier":"C"`)
	assert.Contains(t, string(updated.After), `"tier":"A"`)
	assert.Equal(t, []string{"limit"}, fieldsOf(t, call(t, s, http.MethodGet, "/v1/audit?limit=5000", "auditor", nil)))

	rep, err := s.Trail.Verify(t.Context())
	require.NoError(t, err)
	assert.Nil(t, rep.Broken, "everything the stack wrote chains")
}
