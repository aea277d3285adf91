package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/testkit/testenv"
)

// TestSignInSessionsAndSignOut: pages send a visitor without a session to
// sign in (and back where they were going, never off the site); a wrong
// password says only that and opens nothing; the right one sets an
// HttpOnly, SameSite=Lax cookie whose value is not what PostgreSQL holds;
// sign-out needs the form token and deletes the session; a session idle
// too long, or past its absolute end, is deleted and the visitor told it
// expired; five wrong passwords lock the account for a while.
func TestSignInSessionsAndSignOut(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	sessions := func() int { return count(t, s, `SELECT count(*) FROM sessions WHERE user_id = 'demo-sales'`) }
	v := newVisitor(t, s)

	r := v.get("/inbox?status=open")
	require.Equal(t, http.StatusSeeOther, r.Status)
	assert.Equal(t, "/login?next=%2Finbox%3Fstatus%3Dopen", r.Location)
	form := v.get(r.Location)
	require.Equal(t, http.StatusOK, form.Status)
	assert.Contains(t, form.Body, `name="next" value="/inbox?status=open"`)
	assert.Contains(t, form.Body, `action="/login"`)

	l := s.Logins["sales"]
	bad := v.post("/login", url.Values{"login": {l.Login}, "password": {"not-the-password"}})
	assert.Equal(t, http.StatusUnauthorized, bad.Status)
	assert.Contains(t, bad.Body, "账号或密码错误")
	assert.Empty(t, bad.Header.Values("Set-Cookie"))
	nobody := v.post("/login", url.Values{"login": {"no.such.user"}, "password": {"whatever-it-is"}})
	assert.Equal(t, http.StatusUnauthorized, nobody.Status)
	assert.Contains(t, nobody.Body, "账号或密码错误", "an unknown login reads the same")
	assert.Zero(t, sessions())

	ok := v.post("/login", url.Values{"login": {l.Login}, "password": {l.Password}, "next": {"/inbox?status=open"}})
	require.Equal(t, http.StatusSeeOther, ok.Status, ok.Body)
	assert.Equal(t, "/inbox?status=open", ok.Location)
	cookie := ok.Header.Get("Set-Cookie")
	assert.Contains(t, cookie, "signet_session=")
	assert.Contains(t, cookie, "HttpOnly")
	assert.Contains(t, cookie, "SameSite=Lax")
	assert.NotContains(t, cookie, "Secure", "plain http in tests; Secure over https")
	id := strings.TrimPrefix(strings.Split(cookie, ";")[0], "signet_session=")
	assert.Equal(t, 1, sessions())
	assert.Zero(t, count(t, s, `SELECT count(*) FROM sessions WHERE id_hash = convert_to($1, 'UTF8')`, id), "only a hash is stored")
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM sessions WHERE id_hash = $1`, identity.HashSessionID(id)))
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM audit_events WHERE action = 'session.created' AND actor_id = 'demo-sales'`))
	home := v.get("/")
	require.Equal(t, http.StatusOK, home.Status)
	assert.Contains(t, home.Body, "张伟 Zhang Wei")
	assert.Contains(t, home.Body, "工作台")

	// Never off the site after signing in.
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"} {
		w := newVisitor(t, s)
		r := w.post("/login", url.Values{"login": {l.Login}, "password": {l.Password}, "next": {next}})
		require.Equal(t, http.StatusSeeOther, r.Status)
		assert.Equal(t, "/", r.Location, next)
	}
	assert.Equal(t, 5, sessions())
	_, err := s.Store.Pool().Exec(context.Background(), `DELETE FROM sessions WHERE user_id = 'demo-sales' AND id_hash <> $1`, identity.HashSessionID(id))
	require.NoError(t, err)

	// Sign-out takes the form token.
	r = v.post("/logout", url.Values{"csrf_token": {"forged"}})
	assert.Equal(t, http.StatusForbidden, r.Status)
	assert.Equal(t, 1, sessions())
	r = v.post("/logout", url.Values{})
	require.Equal(t, http.StatusSeeOther, r.Status)
	assert.Equal(t, "/login?signed_out=1", r.Location)
	assert.Zero(t, sessions())
	assert.Equal(t, http.StatusSeeOther, v.get("/").Status, "signed out")

	// Idle too long: deleted, and the visitor told.
	v.signIn("sales")
	_, err = s.Store.Pool().Exec(context.Background(), `UPDATE sessions SET created_at = now() - interval '2 hours', last_seen_at = now() - interval '31 minutes' WHERE user_id = 'demo-sales'`)
	require.NoError(t, err)
	r = v.get("/inbox")
	require.Equal(t, http.StatusSeeOther, r.Status)
	assert.Equal(t, "/login?expired=1&next=%2Finbox", r.Location)
	assert.Contains(t, v.get(r.Location).Body, "会话已过期")
	assert.Zero(t, sessions())
	// Past the absolute end, however busy.
	v.signIn("sales")
	_, err = s.Store.Pool().Exec(context.Background(), `UPDATE sessions SET created_at = now() - interval '13 hours', expires_at = now() - interval '1 hour' WHERE user_id = 'demo-sales'`)
	require.NoError(t, err)
	assert.Equal(t, "/login?expired=1", v.get("/").Location)
	assert.Zero(t, sessions())
	// A deactivated user's session no longer opens anything.
	v.signIn("sales")
	apiCall(t, s, http.MethodPatch, "/v1/users/demo-sales", "admin", map[string]any{"active": false})
	assert.Equal(t, http.StatusSeeOther, v.get("/").Status)
	apiCall(t, s, http.MethodPatch, "/v1/users/demo-sales", "admin", map[string]any{"active": true})

	// Five wrong passwords in a row lock the account, the right one too.
	w := newVisitor(t, s)
	before := sessions()
	for i := 0; i < 4; i++ {
		assert.Equal(t, http.StatusUnauthorized, w.post("/login", url.Values{"login": {l.Login}, "password": {"guess-number-x"}}).Status)
	}
	locked := w.post("/login", url.Values{"login": {l.Login}, "password": {"guess-number-5"}})
	assert.Equal(t, http.StatusTooManyRequests, locked.Status)
	assert.Contains(t, locked.Body, "密码连续错误次数过多")
	assert.NotEmpty(t, locked.Header.Get("Retry-After"))
	assert.Equal(t, http.StatusTooManyRequests, w.post("/login", url.Values{"login": {l.Login}, "password": {l.Password}}).Status)
	assert.Equal(t, before, sessions(), "a locked account opens no session")
}
