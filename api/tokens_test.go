package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
)

func TestTokensIssuedListedRevokedAndExpired(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())

	issued := expect[identity.IssuedToken](t, call(t, s, http.MethodPost, "/v1/tokens", "sales", map[string]any{"label": "笔记本电脑", "expires_in_days": 30}), http.StatusCreated)
	require.NotEmpty(t, issued.Token)
	require.NotNil(t, issued.ExpiresAt)
	s.Tokens["laptop"] = issued.Token
	me := expect[domain.User](t, call(t, s, http.MethodGet, "/v1/me", "laptop", nil), http.StatusOK)
	assert.Equal(t, "demo-sales", me.ID)

	list := expect[struct{ Items []store.TokenInfo }](t, call(t, s, http.MethodGet, "/v1/tokens", "sales", nil), http.StatusOK)
	require.NotEmpty(t, list.Items)
	assert.Equal(t, "笔记本电脑", list.Items[0].Label)
	assert.NotContains(t, string(call(t, s, http.MethodGet, "/v1/tokens", "sales", nil).Body), issued.Token, "a token is shown once")

	expect[errorBody](t, call(t, s, http.MethodDelete, "/v1/tokens/"+issued.ID, "sales2", nil), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/tokens?user_id=demo-sales", "sales2", nil), http.StatusForbidden)
	assert.Equal(t, http.StatusNoContent, call(t, s, http.MethodDelete, "/v1/tokens/"+issued.ID, "sales", nil).Status)
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/me", "laptop", nil), http.StatusUnauthorized)

	// Admins issue and revoke for others; an expired token is refused.
	forSales := expect[identity.IssuedToken](t, call(t, s, http.MethodPost, "/v1/tokens", "admin", map[string]any{"label": "集成", "user_id": "demo-sales"}), http.StatusCreated)
	assert.Equal(t, "demo-sales", forSales.UserID)
	s.Tokens["integration"] = forSales.Token
	expect[domain.User](t, call(t, s, http.MethodGet, "/v1/me", "integration", nil), http.StatusOK)
	_, err := s.Store.Pool().Exec(context.Background(), `UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id::text = $1`, forSales.ID)
	require.NoError(t, err)
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/me", "integration", nil), http.StatusUnauthorized)
	assert.Equal(t, http.StatusNoContent, call(t, s, http.MethodDelete, "/v1/tokens/"+forSales.ID+"?user_id=demo-sales", "admin", nil).Status)

	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/tokens", "sales", map[string]any{"label": "x", "user_id": "demo-admin"}), http.StatusForbidden)
	assert.Equal(t, []string{"label"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/tokens", "sales", map[string]any{})))
	assert.Equal(t, []string{"expires_in_days"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/tokens", "sales", map[string]any{"label": "x", "expires_in_days": 5000})))
	missing := expect[errorBody](t, call(t, s, http.MethodPost, "/v1/tokens", "admin", map[string]any{"label": "x", "user_id": "nobody"}), http.StatusNotFound)
	assert.Equal(t, "user_id", missing.Fields[0].Field)
}
