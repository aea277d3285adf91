package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/oidc"
	"github.com/signet-clm/signet/testkit/testenv"
)

// TestSignInWithTheIssuer: with an OIDC client configured, the sign-in
// page offers the company account; the browser goes to the issuer with a
// PKCE challenge and a nonce, comes back with a code, and the user linked
// to the subject the issuer vouched for is signed in, back where they were
// going. A callback from another browser's attempt, an error from the
// issuer or a subject no active user is linked to opens no session.
func TestSignInWithTheIssuer(t *testing.T) {
	testenv.RequireIntegration(t)
	ctx := context.Background()
	idp, err := mockoidc.Run()
	require.NoError(t, err)
	t.Cleanup(func() { _ = idp.Shutdown() })
	cfg := idp.Config()
	// The issuer listens on loopback, which the guarded client refuses.
	login, err := oidc.NewLogin(ctx, oidc.LoginConfig{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret},
		&http.Client{Timeout: 10 * time.Second})
	require.NoError(t, err)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithOIDCLogin(login))
	_, err = s.Store.Pool().Exec(ctx, `UPDATE users SET oidc_subject = 'sso|zhang.wei' WHERE id = 'demo-sales'`)
	require.NoError(t, err)
	sessions := func() int { return count(t, s, `SELECT count(*) FROM sessions WHERE user_id = 'demo-sales'`) }

	v := newVisitor(t, s)
	form := v.get("/login?next=%2Finbox")
	require.Equal(t, http.StatusOK, form.Status)
	assert.Contains(t, form.Body, "使用企业账号登录")
	assert.Contains(t, form.Body, `href="/login/oidc?next=%2finbox"`)

	// follow takes the browser through the issuer and back, returning the
	// console's answer to the callback and the attempt's cookie.
	follow := func(v *visitor) (page, *url.URL) {
		t.Helper()
		start := v.get("/login/oidc?next=%2Finbox")
		require.Equal(t, http.StatusFound, start.Status, start.Body)
		to, err := url.Parse(start.Location)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(start.Location, cfg.Issuer), start.Location)
		q := to.Query()
		assert.Equal(t, "S256", q.Get("code_challenge_method"))
		assert.NotEmpty(t, q.Get("code_challenge"))
		assert.NotEmpty(t, q.Get("nonce"))
		assert.Equal(t, s.URL+"/login/oidc/callback", q.Get("redirect_uri"))
		cookie := start.Header.Get("Set-Cookie")
		assert.Contains(t, cookie, "signet_oidc=")
		assert.Contains(t, cookie, "HttpOnly")
		assert.Contains(t, cookie, "Path=/login/oidc")
		req, err := http.NewRequest(http.MethodGet, start.Location, nil)
		require.NoError(t, err)
		back := v.do(req)
		require.Equal(t, http.StatusFound, back.Status, back.Body)
		cb, err := url.Parse(back.Location)
		require.NoError(t, err)
		return back, cb
	}

	idp.QueueUser(&mockoidc.MockUser{Subject: "sso|zhang.wei", Email: "zhang@example.cn"})
	_, cb := follow(v)
	done := v.get(cb.RequestURI())
	require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
	assert.Equal(t, "/inbox", done.Location)
	assert.Contains(t, done.Header.Values("Set-Cookie")[len(done.Header.Values("Set-Cookie"))-1], "signet_session=")
	assert.Equal(t, 1, sessions())
	home := v.get("/")
	require.Equal(t, http.StatusOK, home.Status)
	assert.Contains(t, home.Body, "张伟 Zhang Wei")
	again := v.get(cb.RequestURI())
	assert.Equal(t, http.StatusBadRequest, again.Status, "an attempt finishes once: its cookie is gone")
	assert.Equal(t, 1, sessions())

	// Another browser's callback: this browser's attempt has another state.
	idp.QueueUser(&mockoidc.MockUser{Subject: "sso|zhang.wei"})
	_, stolen := follow(newVisitor(t, s))
	victim := newVisitor(t, s)
	victim.get("/login/oidc")
	r := victim.get(stolen.RequestURI())
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, r.Body, "企业账号登录未完成")
	assert.Equal(t, 1, sessions())

	// The issuer says no.
	w := newVisitor(t, s)
	w.get("/login/oidc")
	r = w.get("/login/oidc/callback?error=access_denied&state=x")
	assert.Equal(t, http.StatusUnauthorized, r.Status)
	assert.Contains(t, r.Body, "企业账号登录未完成")

	// A subject nobody is linked to.
	idp.QueueUser(&mockoidc.MockUser{Subject: "sso|<script>nobody"})
	u := newVisitor(t, s)
	_, cb = follow(u)
	r = u.get(cb.RequestURI())
	assert.Equal(t, http.StatusForbidden, r.Status)
	assert.Contains(t, r.Body, "尚未关联 Signet 用户")
	assert.NotContains(t, r.Body, "<script>nobody")
	assert.Equal(t, 1, sessions())
	assert.Zero(t, count(t, s, `SELECT count(*) FROM sessions`)-1)
}

// Without an OIDC client the page offers passwords only and the issuer's
// routes are not there.
func TestSignInWithoutAnIssuer(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	v := newVisitor(t, s)
	form := v.get("/login")
	require.Equal(t, http.StatusOK, form.Status)
	assert.NotContains(t, form.Body, "使用企业账号登录")
	assert.Equal(t, http.StatusNotFound, v.get("/login/oidc").Status)
	assert.Equal(t, http.StatusNotFound, v.get("/login/oidc/callback?code=x&state=y").Status)
}
