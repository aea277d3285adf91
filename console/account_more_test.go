package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
)

// fieldHasError reports whether the label holding the input named name
// shows a field error.
func fieldHasError(body, name string) bool {
	i := strings.Index(body, `name="`+name+`"`)
	if i < 0 {
		return false
	}
	rest := body[i:]
	end := strings.Index(rest, "</label>")
	return end >= 0 && strings.Contains(rest[:end], `class="field-error"`)
}

// Everyone delegates their approvals for a while and revokes it; a
// delegate who lacks their roles is refused beside the field.
func TestDelegationsPage(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	v := newVisitor(t, s)
	v.signIn("sales_manager")
	p := v.get("/account/delegations")
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, "暂无委托")

	bad := v.post("/account/delegations", url.Values{"delegate_id": {"demo-sales"}, "starts_on": {"2026-12-01"}, "ends_on": {"2026-12-31"}})
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	assert.True(t, fieldHasError(bad.Body, "delegate_id"), "a delegate without the sales manager's role is refused beside the field")
	assert.Contains(t, bad.Body, `value="2026-12-31"`, "what was typed stays")
	order := v.post("/account/delegations", url.Values{"delegate_id": {"demo-admin"}, "starts_on": {"2026-12-31"}, "ends_on": {"2026-12-01"}})
	assert.Equal(t, http.StatusBadRequest, order.Status)

	// A colleague who holds the role.
	apiCall(t, s, http.MethodPost, "/v1/users", "admin", map[string]any{"id": "wu.lei", "name": "吴磊", "email": "wu.lei@demo.signet.local", "roles": []string{"sales_manager"}})
	ok := v.post("/account/delegations", url.Values{"delegate_id": {"wu.lei"}, "starts_on": {"2026-12-01"}, "ends_on": {"2026-12-31"}})
	require.Equal(t, http.StatusSeeOther, ok.Status, ok.Body)
	listed := v.get(ok.Location)
	assert.Contains(t, listed.Body, `data-testid="added"`)
	assert.Contains(t, listed.Body, "wu.lei")
	i := strings.Index(listed.Body, `action="/account/delegations/`)
	require.Positive(t, i)
	action := listed.Body[i+len(`action="`):]
	action = action[:strings.IndexByte(action, '"')]
	r := v.post(action, url.Values{})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	assert.Contains(t, v.get("/account/delegations").Body, "已撤销")

	other := newVisitor(t, s)
	other.signIn("sales")
	assert.Equal(t, http.StatusNotFound, other.post(action, url.Values{}).Status, "another's delegation is not theirs to revoke")
}

// Notification settings: the default is said until the visitor chooses;
// a webhook without its secret is refused beside that row's secret; an
// email target limited to payment reminders is saved and shown ticked.
func TestNotificationSettingsPage(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	v := newVisitor(t, s)
	v.signIn("finance")
	p := v.get("/account/notifications")
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, `data-testid="default"`)
	assert.Contains(t, p.Body, "回款逾期", "every kind may be chosen")

	bad := v.post("/account/notifications", url.Values{"t0.channel": {"webhook"}, "t0.address": {"https://hooks.example.cn/signet"}, "t1.channel": {"email"}, "t1.address": {""}})
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	assert.True(t, fieldHasError(bad.Body, "t0.secret"), bad.Body[strings.Index(bad.Body, "form-errors"):][:400])
	assert.Contains(t, bad.Body, `value="https://hooks.example.cn/signet"`)

	ok := v.post("/account/notifications", url.Values{"t0.channel": {"email"}, "t0.address": {"cw@demo.signet.local"}, "t0.kinds": {"payment.due", "payment.overdue"},
		"t1.channel": {"email"}, "t1.address": {""}})
	require.Equal(t, http.StatusSeeOther, ok.Status, ok.Body)
	saved := v.get(ok.Location)
	assert.Contains(t, saved.Body, `data-testid="saved"`)
	assert.NotContains(t, saved.Body, `data-testid="default"`)
	assert.Contains(t, saved.Body, `value="cw@demo.signet.local"`)
	assert.Contains(t, saved.Body, `name="t0.kinds" value="payment.due" checked`)
	assert.NotContains(t, saved.Body, `name="t0.kinds" value="task.open" checked`)
	settings := string(apiCall(t, s, http.MethodGet, "/v1/me/notification-settings", "finance", nil))
	assert.Contains(t, settings, `"payment.overdue"`)
}
