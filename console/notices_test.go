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

// The notices page lists what the visitor was sent, newest first, hostile
// titles escaped, with a badge of the unread ones in the menu; they mark
// one read or all they have seen (with the form token), and nobody sees
// another's notices.
func TestNoticesPage(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	first := submitted(t, s, `<script>alert("x")</script>服务合同`, 8_000_00)
	openTask(t, s, "sales_manager", first)
	second := submitted(t, s, "年度维保合同", 9_000_00)
	openTask(t, s, "sales_manager", second)

	v := newVisitor(t, s)
	v.signIn("sales_manager")
	p := v.get("/notices")
	require.Equal(t, http.StatusOK, p.Status)
	assert.Contains(t, p.Body, "消息通知")
	assert.Contains(t, p.Body, `data-testid="unread-badge" aria-label="未读 2">2</span>`)
	assert.Equal(t, 2, strings.Count(p.Body, `class="notice unread"`))
	assert.Less(t, strings.Index(p.Body, "待审批："+second), strings.Index(p.Body, "待审批："+first), "newest first")
	assert.NotContains(t, p.Body, `<script>alert("x")</script>`)
	assert.Contains(t, p.Body, `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;服务合同`)
	assert.Contains(t, p.Body, `href="/tasks/`, "each notice opens its task")

	r := v.post("/notices/read", url.Values{"through": {"999999"}, "csrf_token": {"forged"}})
	assert.Equal(t, http.StatusForbidden, r.Status)
	ids := noticeIDs(p.Body)
	require.Len(t, ids, 2)
	r = v.post("/notices/read", url.Values{"id": {ids[1]}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	p = v.get("/notices?unread=1")
	assert.Equal(t, 1, strings.Count(p.Body, `class="notice unread"`))
	assert.Contains(t, p.Body, "待审批："+second)
	assert.NotContains(t, p.Body, "待审批："+first)

	// Sales sees none of the manager's notices, nor marks them read.
	w := newVisitor(t, s)
	w.signIn("sales")
	mine := w.get("/notices")
	require.Equal(t, http.StatusOK, mine.Status)
	assert.NotContains(t, mine.Body, "待审批")
	w.post("/notices/read", url.Values{"id": {ids[0]}})
	assert.Contains(t, v.get("/notices").Body, `aria-label="未读 1">1</span>`)

	r = v.post("/notices/read", url.Values{"through": {ids[0]}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	p = v.get("/notices")
	assert.NotContains(t, p.Body, `data-testid="unread-badge"`)
	assert.Zero(t, strings.Count(p.Body, `class="notice unread"`))
	assert.Contains(t, v.get("/notices?unread=1").Body, "没有未读通知")
	assert.Equal(t, http.StatusBadRequest, v.post("/notices/read", url.Values{}).Status, "nothing to mark is refused")
}

// noticeIDs are the IDs of the "mark read" forms on a notices page, in
// page order.
func noticeIDs(body string) []string {
	var ids []string
	for _, part := range strings.Split(body, `name="id" value="`)[1:] {
		ids = append(ids, part[:strings.IndexByte(part, '"')])
	}
	return ids
}
