package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
)

// Auditors browse the audit trail with its filters in the URL, hostile
// text escaped, and check the chain from the page; a broken chain says
// where. Nobody else sees the page.
func TestAuditPage(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	n := submitted(t, s, `<img src=x onerror=alert(1)>审计合同`, 8_000_00)
	openTask(t, s, "sales_manager", n)

	v := newVisitor(t, s)
	v.signIn("auditor")
	p := v.get("/audit")
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, "审计日志")
	assert.Contains(t, p.Body, `data-testid="nav-audit"`)
	assert.Contains(t, p.Body, "session.created")
	one := v.get("/audit?object_type=contract&object_id=" + n)
	require.Equal(t, http.StatusOK, one.Status)
	assert.Contains(t, one.Body, `value="`+n+`"`, "the filter stays in the form")
	assert.NotContains(t, one.Body, "session.created")
	assert.NotContains(t, one.Body, `<img src=x`)
	assert.Contains(t, one.Body, `&lt;img src=x onerror=alert(1)&gt;审计合同`)

	ok := v.get("/audit?verify=1")
	require.Equal(t, http.StatusOK, ok.Status)
	assert.Contains(t, ok.Body, `data-testid="verify-result"`)
	assert.Contains(t, ok.Body, "审计链完整")

	// Someone with database access rewrites an entry: the check says where.
	var seq int64
	require.NoError(t, s.Store.Pool().QueryRow(context.Background(), `SELECT min(seq) FROM audit_events WHERE object_id = $1`, n).Scan(&seq))
	tx, err := s.Owner.Begin(context.Background())
	require.NoError(t, err)
	for _, q := range []string{`ALTER TABLE audit_events DISABLE TRIGGER USER`, `UPDATE audit_events SET actor_id = 'mallory' WHERE seq = $1`, `ALTER TABLE audit_events ENABLE TRIGGER USER`} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, seq)
		}
		_, err = tx.Exec(context.Background(), q, args...)
		require.NoError(t, err)
	}
	require.NoError(t, tx.Commit(context.Background()))
	broken := v.get("/audit?verify=1")
	require.Equal(t, http.StatusOK, broken.Status)
	assert.Contains(t, broken.Body, "审计链在第")
	assert.True(t, strings.Contains(broken.Body, "alert error"))

	assert.Equal(t, http.StatusBadRequest, v.get("/audit?limit=x").Status)
	assert.Equal(t, http.StatusBadRequest, v.get("/audit?nonsense=1").Status)

	sales := newVisitor(t, s)
	sales.signIn("sales")
	assert.Equal(t, http.StatusNotFound, sales.get("/audit").Status)
	assert.NotContains(t, sales.get("/").Body, `data-testid="nav-audit"`)
}
