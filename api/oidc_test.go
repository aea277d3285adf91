package api_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/oidc"
	"github.com/signet-clm/signet/testkit/testenv"
)

func TestOIDCSignIn(t *testing.T) {
	testenv.RequireIntegration(t)
	ctx := context.Background()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	idp := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: gooidc.RS256}}}
	issuer := httptest.NewServer(idp)
	t.Cleanup(issuer.Close)
	idp.SetIssuer(issuer.URL)
	v, err := oidc.NewVerifier(ctx, oidc.Config{Issuer: issuer.URL, Audience: "signet"}, &http.Client{Timeout: 5 * time.Second})
	require.NoError(t, err)

	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithOIDC(v))
	for user, sub := range map[string]string{"demo-sales": "sso|zhang.wei", "demo-legal": "sso|wang.fang"} {
		_, err := s.Store.Pool().Exec(ctx, `UPDATE users SET oidc_subject = $1 WHERE id = $2`, sub, user)
		require.NoError(t, err)
	}
	_, err = s.Store.Pool().Exec(ctx, `UPDATE users SET active = false WHERE id = 'demo-legal'`)
	require.NoError(t, err)

	claims := func(sub string, edit func(map[string]any)) string {
		c := map[string]any{"iss": issuer.URL, "aud": "signet", "sub": sub, "exp": time.Now().Add(time.Hour).Unix()}
		if edit != nil {
			edit(c)
		}
		raw, _ := json.Marshal(c)
		return string(raw)
	}
	signed := func(sub string, edit func(map[string]any)) string {
		return oidctest.SignIDToken(key, "k1", gooidc.RS256, claims(sub, edit))
	}
	get := func(path, token string) response {
		return call(t, s, http.MethodGet, path, "", nil, "Authorization", "Bearer "+token)
	}

	me := expect[domain.User](t, get("/v1/me", signed("sso|zhang.wei", nil)), http.StatusOK)
	assert.Equal(t, "demo-sales", me.ID)
	expect[struct{ Items []any }](t, get("/v1/contracts", signed("sso|zhang.wei", nil)), http.StatusOK)
	// A JWT may be far longer than Signet's own tokens.
	long := signed("sso|zhang.wei", func(c map[string]any) { c["groups"] = strings.Repeat("g", 3000) })
	require.Greater(t, len(long), 4000)
	expect[domain.User](t, get("/v1/me", long), http.StatusOK)

	enc := base64.RawURLEncoding
	for name, token := range map[string]string{
		"expired":        signed("sso|zhang.wei", func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }),
		"wrong issuer":   signed("sso|zhang.wei", func(c map[string]any) { c["iss"] = "https://evil.example" }),
		"wrong audience": signed("sso|zhang.wei", func(c map[string]any) { c["aud"] = "other-app" }),
		"alg none":       enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(claims("sso|zhang.wei", nil))) + ".",
		"unlinked sub":   signed("sso|nobody", nil),
		"inactive user":  signed("sso|wang.fang", nil),
		"malformed JWT":  "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.bm9wZQ",
		"unknown opaque": "sgt_unknown",
	} {
		t.Run(name, func(t *testing.T) {
			r := get("/v1/me", token)
			body := expect[errorBody](t, r, http.StatusUnauthorized)
			assert.Equal(t, "unauthorized", body.Error)
			assert.Equal(t, `Bearer realm="signet", error="invalid_token"`, r.Header.Get("WWW-Authenticate"))
		})
	}
	tooLong := signed("sso|zhang.wei", func(c map[string]any) { c["groups"] = strings.Repeat("g", 9000) })
	r := get("/v1/me", tooLong)
	expect[errorBody](t, r, http.StatusUnauthorized)
	assert.Equal(t, `Bearer realm="signet"`, r.Header.Get("WWW-Authenticate"))

	// Signet's own tokens keep working beside JWTs.
	me = expect[domain.User](t, call(t, s, http.MethodGet, "/v1/me", "sales", nil), http.StatusOK)
	assert.Equal(t, "demo-sales", me.ID)

	// With the issuer gone, a token naming a key not yet fetched cannot be
	// checked: that is an outage (503), not the caller's fault.
	issuer.Close()
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	r = get("/v1/me", oidctest.SignIDToken(other, "k2", gooidc.RS256, claims("sso|zhang.wei", nil)))
	body := expect[errorBody](t, r, http.StatusServiceUnavailable)
	assert.Equal(t, "unavailable", body.Error)
	assert.NotContains(t, string(r.Body), "127.0.0.1", "no internal detail reaches the client")
	// Cached keys still verify.
	expect[domain.User](t, get("/v1/me", signed("sso|zhang.wei", nil)), http.StatusOK)
}
