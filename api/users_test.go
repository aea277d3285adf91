package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
)

// TestUserAdministration: an admin adds a sales person under the demo
// manager, who then sees them in their team; the account signs in with a
// token an admin issued, is linked to an OIDC subject, and is deactivated,
// after which its token is refused at once. Every change is audited.
func TestUserAdministration(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())

	r := call(t, s, http.MethodPost, "/v1/users", "admin", map[string]any{
		"id": "zhou.min", "name": "周敏", "email": "Zhou.Min@Example.com", "roles": []string{"sales"}, "manager_id": "demo-sales-manager",
	})
	created := expect[store.Account](t, r, http.StatusCreated)
	assert.Equal(t, "/v1/users/zhou.min", r.Header.Get("Location"))
	assert.Equal(t, "周敏", created.Name)
	assert.Equal(t, "zhou.min@example.com", created.Email, "emails are kept lower-case")
	assert.True(t, created.Active)
	require.NotNil(t, created.ManagerID)
	assert.Equal(t, "demo-sales-manager", *created.ManagerID)

	list := expect[struct{ Items []store.Account }](t, call(t, s, http.MethodGet, "/v1/users", "auditor", nil), http.StatusOK)
	ids := make([]string, len(list.Items))
	for i, a := range list.Items {
		ids[i] = a.ID
	}
	assert.Contains(t, ids, "zhou.min")
	for _, role := range []string{"sales", "sales_manager", "finance", "legal", "executive"} {
		expect[errorBody](t, call(t, s, http.MethodGet, "/v1/users", role, nil), http.StatusForbidden)
	}
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/users", "auditor", map[string]any{"id": "x1", "name": "x", "email": "x@example.com", "roles": []string{"admin"}}), http.StatusForbidden)

	manager := expect[domain.User](t, call(t, s, http.MethodGet, "/v1/me", "sales_manager", nil), http.StatusOK)
	assert.Contains(t, manager.Team, "zhou.min", "the new sales person is in their manager's team")

	tok := expect[identity.IssuedToken](t, call(t, s, http.MethodPost, "/v1/tokens", "admin", map[string]any{"user_id": "zhou.min", "label": "入职"}), http.StatusCreated)
	asNew := func() response {
		return call(t, s, http.MethodGet, "/v1/me", "", nil, "Authorization", "Bearer "+tok.Token)
	}
	me := expect[domain.User](t, asNew(), http.StatusOK)
	assert.Equal(t, []domain.Role{domain.RoleSales}, me.Roles)

	linked := expect[store.Account](t, call(t, s, http.MethodPatch, "/v1/users/zhou.min", "admin", map[string]any{"oidc_subject": "sso|zhou.min", "roles": []string{"sales", "finance"}}), http.StatusOK)
	require.NotNil(t, linked.OIDCSubject)
	assert.Equal(t, "sso|zhou.min", *linked.OIDCSubject)
	assert.Equal(t, []domain.Role{domain.RoleSales, domain.RoleFinance}, linked.Roles)
	assert.Equal(t, "周敏", linked.Name, "absent fields stay as they were")
	carded := expect[store.Account](t, call(t, s, http.MethodPatch, "/v1/users/zhou.min", "admin", map[string]any{"dingtalk_user_id": "manager4220", "wecom_user_id": "ZhouMin"}), http.StatusOK)
	require.NotNil(t, carded.DingTalkUserID)
	require.NotNil(t, carded.WeComUserID)
	assert.Equal(t, "manager4220", *carded.DingTalkUserID)
	assert.Equal(t, "ZhouMin", *carded.WeComUserID)
	assert.NotNil(t, carded.OIDCSubject, "absent fields stay as they were")
	me = expect[domain.User](t, asNew(), http.StatusOK)
	assert.Equal(t, []domain.Role{domain.RoleSales, domain.RoleFinance}, me.Roles, "a role change applies from the next request")

	// Bad input names the field; conflicts are 409; nothing changes.
	for name, tc := range map[string]struct {
		method, path string
		body         any
		status       int
		field        string
	}{
		"id with spaces":         {http.MethodPost, "/v1/users", map[string]any{"id": "Zhou Min", "name": "x", "email": "a@example.com", "roles": []string{"sales"}}, 400, "id"},
		"unknown role":           {http.MethodPost, "/v1/users", map[string]any{"id": "a1", "name": "x", "email": "a@example.com", "roles": []string{"boss"}}, 400, "roles[0]"},
		"no roles":               {http.MethodPost, "/v1/users", map[string]any{"id": "a1", "name": "x", "email": "a@example.com", "roles": []string{}}, 400, "roles"},
		"repeated role":          {http.MethodPost, "/v1/users", map[string]any{"id": "a1", "name": "x", "email": "a@example.com", "roles": []string{"sales", "sales"}}, 400, "roles"},
		"bad email":              {http.MethodPost, "/v1/users", map[string]any{"id": "a1", "name": "x", "email": "nope", "roles": []string{"sales"}}, 400, "email"},
		"unknown manager":        {http.MethodPost, "/v1/users", map[string]any{"id": "a1", "name": "x", "email": "a@example.com", "roles": []string{"sales"}, "manager_id": "ghost"}, 400, "manager_id"},
		"smuggled field":         {http.MethodPost, "/v1/users", map[string]any{"id": "a1", "name": "x", "email": "a@example.com", "roles": []string{"sales"}, "active": false}, 400, "active"},
		"taken email":            {http.MethodPost, "/v1/users", map[string]any{"id": "a1", "name": "x", "email": "zhou.min@example.com", "roles": []string{"sales"}}, 409, ""},
		"taken id":               {http.MethodPost, "/v1/users", map[string]any{"id": "demo-sales", "name": "x", "email": "a@example.com", "roles": []string{"sales"}}, 409, ""},
		"taken subject":          {http.MethodPatch, "/v1/users/demo-sales", map[string]any{"oidc_subject": "sso|zhou.min"}, 409, ""},
		"taken dingtalk id":      {http.MethodPatch, "/v1/users/demo-sales", map[string]any{"dingtalk_user_id": "manager4220"}, 409, ""},
		"taken wecom id":         {http.MethodPatch, "/v1/users/demo-sales", map[string]any{"wecom_user_id": "ZhouMin"}, 409, ""},
		"wecom id not ascii":     {http.MethodPatch, "/v1/users/demo-sales", map[string]any{"wecom_user_id": "周敏"}, 400, "wecom_user_id"},
		"manager cycle":          {http.MethodPatch, "/v1/users/demo-sales-manager", map[string]any{"manager_id": "zhou.min"}, 400, "manager_id"},
		"own manager":            {http.MethodPatch, "/v1/users/zhou.min", map[string]any{"manager_id": "zhou.min"}, 400, "manager_id"},
		"unknown user":           {http.MethodPatch, "/v1/users/ghost", map[string]any{"name": "x"}, 404, ""},
		"admin deactivates self": {http.MethodPatch, "/v1/users/demo-admin", map[string]any{"active": false}, 409, ""},
		"admin drops own admin":  {http.MethodPatch, "/v1/users/demo-admin", map[string]any{"roles": []string{"auditor"}}, 409, ""},
	} {
		t.Run(name, func(t *testing.T) {
			before := countAudit(t, s)
			r := call(t, s, tc.method, tc.path, "admin", tc.body)
			require.Equal(t, tc.status, r.Status, "%s", r.Body)
			if tc.field != "" {
				assert.Equal(t, []string{tc.field}, fieldsOf(t, r))
			}
			assert.Equal(t, before, countAudit(t, s), "nothing was written")
		})
	}
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/users/ghost", "admin", nil), http.StatusNotFound)

	expect[store.Account](t, call(t, s, http.MethodPatch, "/v1/users/zhou.min", "admin", map[string]any{"active": false}), http.StatusOK)
	expect[errorBody](t, asNew(), http.StatusUnauthorized)
	got := expect[store.Account](t, call(t, s, http.MethodGet, "/v1/users/zhou.min", "admin", nil), http.StatusOK)
	assert.False(t, got.Active)
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/users", "admin", map[string]any{"id": "a2", "name": "x", "email": "a2@example.com", "roles": []string{"sales"}, "manager_id": "zhou.min"}), http.StatusBadRequest)

	trail := expect[struct{ Items []audit.Entry }](t, call(t, s, http.MethodGet, "/v1/audit?object_type=user&object_id=zhou.min", "auditor", nil), http.StatusOK)
	var actions []string
	for _, e := range trail.Items {
		actions = append(actions, e.Action)
		assert.Equal(t, "demo-admin", e.ActorID)
	}
	assert.Equal(t, []string{"user.created", "token.created", "user.updated", "user.updated", "user.updated"}, actions)
	assert.Contains(t, string(trail.Items[3].After), `"wecom_user_id":"ZhouMin"`)
	assert.Contains(t, string(trail.Items[4].Before), `"active":true`)
	assert.Contains(t, string(trail.Items[4].After), `"active":false`)
}

func countAudit(t *testing.T, s *testenv.Stack) int {
	t.Helper()
	var n int
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM audit_events`).Scan(&n))
	return n
}
