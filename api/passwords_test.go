package api_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/outbound"
	"github.com/signet-clm/signet/testkit/testenv"
)

// TestPasswordsAreSetByAdminsAndChangedByTheirOwners: an admin sets a
// user's first console password (nobody else may), the user changes it
// by giving the current one, bad passwords are 400s naming the field and
// write nothing, a wrong current password counts towards a lockout
// (429 with Retry-After), a change ends the user's console sessions, and
// their bearer token keeps working throughout.
func TestPasswordsAreSetByAdminsAndChangedByTheirOwners(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	ctx := context.Background()
	ids := identity.New(s.Store, outbound.Guard{})
	const user = "demo-sales"
	hash := func() string {
		var h string
		err := s.Store.Pool().QueryRow(ctx, `SELECT coalesce((SELECT hash FROM user_passwords WHERE user_id = $1), '')`, user).Scan(&h)
		require.NoError(t, err)
		return h
	}
	sessions := func() int {
		var n int
		require.NoError(t, s.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM sessions WHERE user_id = $1`, user).Scan(&n))
		return n
	}
	audits := func() int {
		var n int
		require.NoError(t, s.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'user.password_set'`).Scan(&n))
		return n
	}

	// Only admins set passwords; bad ones are refused by field, unknown
	// users are 404, and nothing is stored meanwhile.
	for _, role := range []string{"sales", "sales_manager", "auditor", "executive"} {
		expect[errorBody](t, call(t, s, http.MethodPut, "/v1/users/"+user+"/password", role, map[string]any{"password": "correct-horse-1"}), http.StatusForbidden)
	}
	for _, bad := range []string{"short", "demo-sales-is-me", "line\nbreak-password", strings.Repeat("x", 80)} {
		assert.Equal(t, []string{"password"}, fieldsOf(t, call(t, s, http.MethodPut, "/v1/users/"+user+"/password", "admin", map[string]any{"password": bad})), "%q", bad)
	}
	assert.Equal(t, []string{"password"}, fieldsOf(t, call(t, s, http.MethodPut, "/v1/users/"+user+"/password", "admin", map[string]any{})))
	expect[errorBody](t, call(t, s, http.MethodPut, "/v1/users/nobody.here/password", "admin", map[string]any{"password": "correct-horse-1"}), http.StatusNotFound)
	assert.Empty(t, hash(), "nothing stored for a refused password")
	assert.Zero(t, audits())

	r := call(t, s, http.MethodPut, "/v1/users/"+user+"/password", "admin", map[string]any{"password": "correct-horse-1"})
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Body)
	first := hash()
	assert.Regexp(t, `^\$2[aby]\$`, first, "stored as a bcrypt hash, never the password")
	assert.NotContains(t, first, "correct-horse-1")
	assert.Equal(t, 1, audits())
	signed, err := ids.SignIn(ctx, user, "correct-horse-1")
	require.NoError(t, err, "the password signs in")
	assert.Equal(t, user, signed.User.ID)
	_, err = ids.SignIn(ctx, "zhang.wei@demo.signet.local", "correct-horse-1")
	require.NoError(t, err, "the email is a login too")
	assert.Equal(t, 2, sessions())

	// The owner changes it with the current one; a bad new one is a 400
	// naming new_password and changes nothing.
	change := func(current, next string) response {
		return call(t, s, http.MethodPost, "/v1/me/password", "sales", map[string]any{"current_password": current, "new_password": next})
	}
	assert.Equal(t, []string{"new_password"}, fieldsOf(t, change("correct-horse-1", "short")))
	assert.Equal(t, []string{"new_password"}, fieldsOf(t, change("correct-horse-1", "correct-horse-1")))
	assert.Equal(t, []string{"current_password", "new_password"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/me/password", "sales", map[string]any{})))
	assert.Equal(t, first, hash())
	r = change("correct-horse-1", "battery-staple-2")
	require.Equal(t, http.StatusNoContent, r.Status, "%s", r.Body)
	assert.NotEqual(t, first, hash())
	assert.Zero(t, sessions(), "a changed password ends the console sessions")
	_, err = ids.SignIn(ctx, user, "correct-horse-1")
	assert.ErrorIs(t, err, identity.ErrBadCredentials, "the old password no longer signs in")
	expect[map[string]any](t, call(t, s, http.MethodGet, "/v1/me", "sales", nil), http.StatusOK)

	// Wrong current passwords count as failed sign-ins: the fifth in a row
	// (one failed sign-in above) locks the account, even for the right
	// password, and the API says how long to wait.
	changed := hash()
	for i := 0; i < 3; i++ {
		assert.Equal(t, []string{"current_password"}, fieldsOf(t, change("not-my-password", "another-pass-3")))
	}
	_, err = ids.SignIn(ctx, user, "still-not-it")
	var throttled *domain.Throttled
	require.True(t, errors.As(err, &throttled), "the fifth failure locks: %v", err)
	locked := change("battery-staple-2", "another-pass-3")
	body := expect[errorBody](t, locked, http.StatusTooManyRequests)
	assert.Equal(t, "too_many_attempts", body.Error)
	wait, err := strconv.Atoi(locked.Header.Get("Retry-After"))
	require.NoError(t, err)
	assert.True(t, wait >= 1 && wait <= 60, "Retry-After %d", wait)
	_, err = ids.SignIn(ctx, user, "battery-staple-2")
	assert.True(t, errors.As(err, &throttled), "locked even for the right password: %v", err)
	assert.Equal(t, changed, hash(), "nothing changed while locked")

	// An admin's reset clears the lock; tokens worked all along.
	r = call(t, s, http.MethodPut, "/v1/users/"+user+"/password", "admin", map[string]any{"password": "fresh-start-4"})
	require.Equal(t, http.StatusNoContent, r.Status)
	_, err = ids.SignIn(ctx, user, "fresh-start-4")
	require.NoError(t, err)
	expect[map[string]any](t, call(t, s, http.MethodGet, "/v1/me", "sales", nil), http.StatusOK)
}
