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

// An admin creates a user with roles and a manager, sets their initial
// password (they then sign in with it), changes their roles and
// deactivates them; bad input shows beside its field; an admin cannot
// deactivate themselves; auditors read without forms; others get 404.
func TestUserAdminPages(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	admin := newVisitor(t, s)
	admin.signIn("admin")
	list := admin.get("/admin/users")
	require.Equal(t, http.StatusOK, list.Status)
	assert.Contains(t, list.Body, "demo-sales")
	assert.Contains(t, list.Body, `data-testid="new-user"`)

	bad := admin.post("/admin/users", url.Values{"id": {"Zhou Min"}, "name": {"周敏"}, "email": {"not-mail"}})
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	for _, field := range []string{`name="id"`, `name="email"`} {
		part := bad.Body[strings.Index(bad.Body, field):]
		assert.Contains(t, part[:strings.Index(part, "</label>")], `class="field-error"`, field)
	}
	assert.Contains(t, bad.Body, "周敏", "what was typed stays")

	ok := admin.post("/admin/users", url.Values{"id": {"zhou.min"}, "name": {"周敏"}, "email": {"zhou.min@demo.signet.local"},
		"roles": {"sales", "legal"}, "manager_id": {"demo-sales-manager"}})
	require.Equal(t, http.StatusSeeOther, ok.Status, ok.Body)
	page := admin.get(ok.Location)
	assert.Contains(t, page.Body, `data-testid="saved"`)
	assert.Contains(t, page.Body, `<option value="demo-sales-manager" selected>`)
	assert.Contains(t, page.Body, `value="legal" checked`)

	short := admin.post("/admin/users/zhou.min/password", url.Values{"password": {"short"}})
	assert.Equal(t, http.StatusBadRequest, short.Status)
	set := admin.post("/admin/users/zhou.min/password", url.Values{"password": {"周敏的初始密码-2026"}})
	require.Equal(t, http.StatusSeeOther, set.Status, set.Body)
	zhou := newVisitor(t, s)
	in := zhou.post("/login", url.Values{"login": {"zhou.min"}, "password": {"周敏的初始密码-2026"}})
	require.Equal(t, http.StatusSeeOther, in.Status, in.Body)

	edit := admin.post("/admin/users/zhou.min", url.Values{"name": {"周敏"}, "email": {"zhou.min@demo.signet.local"}, "roles": {"sales"}, "manager_id": {"demo-sales-manager"},
		"dingtalk_user_id": {"manager4220"}, "wecom_user_id": {"周<b>敏"}})
	assert.Equal(t, http.StatusBadRequest, edit.Status, "a WeCom userid is printable ASCII")
	assert.Contains(t, edit.Body, `value="周&lt;b&gt;敏"`, "what was typed stays, escaped")
	edit = admin.post("/admin/users/zhou.min", url.Values{"name": {"周敏"}, "email": {"zhou.min@demo.signet.local"}, "roles": {"sales"}, "manager_id": {"demo-sales-manager"},
		"dingtalk_user_id": {"manager4220"}, "wecom_user_id": {"ZhouMin"}})
	require.Equal(t, http.StatusSeeOther, edit.Status, edit.Body)
	after := admin.get("/admin/users/zhou.min")
	assert.Contains(t, after.Body, `name="dingtalk_user_id" value="manager4220"`)
	assert.Contains(t, after.Body, `name="wecom_user_id" value="ZhouMin"`)
	assert.NotContains(t, after.Body, `value="legal" checked`)
	assert.NotContains(t, after.Body, `data-testid="active" checked`, "the box was not ticked: deactivated")
	assert.Equal(t, http.StatusSeeOther, zhou.get("/").Status, "a deactivated user's session no longer opens pages")

	self := admin.post("/admin/users/demo-admin", url.Values{"name": {"管理员"}, "email": {"admin@demo.signet.local"}, "roles": {"admin"}})
	assert.Equal(t, http.StatusConflict, self.Status)
	assert.Contains(t, self.Body, "cannot deactivate themselves")

	auditor := newVisitor(t, s)
	auditor.signIn("auditor")
	read := auditor.get("/admin/users/zhou.min")
	require.Equal(t, http.StatusOK, read.Status)
	assert.NotContains(t, read.Body, `data-testid="save-user"`)
	assert.Equal(t, http.StatusNotFound, auditor.get("/admin/users/new").Status)
	assert.Equal(t, http.StatusNotFound, auditor.post("/admin/users/zhou.min", url.Values{"name": {"x"}}).Status)
	sales := newVisitor(t, s)
	sales.signIn("sales")
	assert.Equal(t, http.StatusNotFound, sales.get("/admin/users").Status)
}
