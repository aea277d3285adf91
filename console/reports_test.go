package console_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
)

// The reports pages show what GET /v1/reports/{name} answers, with the
// filters in the URL, the summary's chart and each report's downloads
// from the API's own handler; a report a role may not read through the
// API is the 404 page here too, and its download too.
func TestReportsPages(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	submitted(t, s, `<b>报表</b>合同`, 8_000_00)

	v := newVisitor(t, s)
	v.signIn("finance")
	p := v.get("/reports")
	require.Equal(t, http.StatusOK, p.Status)
	for _, want := range []string{"合同汇总", "应收账龄", "审批时效", "续约管道", `data-testid="chart"`, `src="/reports/download/summary.svg?group_by=month"`,
		`href="/reports/download/summary?format=csv&amp;group_by=month"`} {
		assert.Contains(t, p.Body, want)
	}
	byStatus := v.get("/reports?view=summary&group_by=status")
	require.Equal(t, http.StatusOK, byStatus.Status)
	assert.Contains(t, byStatus.Body, "审批中")
	assert.Contains(t, byStatus.Body, `<option value="status" selected>`)

	chart := v.get("/reports/download/summary.svg?group_by=status")
	require.Equal(t, http.StatusOK, chart.Status)
	assert.Equal(t, "image/svg+xml; charset=utf-8", chart.Header.Get("Content-Type"))
	assert.True(t, strings.HasPrefix(strings.TrimSpace(chart.Body), "<svg") || strings.HasPrefix(strings.TrimSpace(chart.Body), "<?xml"))
	csv := v.get("/reports/download/summary?group_by=customer&format=csv")
	require.Equal(t, http.StatusOK, csv.Status)
	assert.Contains(t, csv.Header.Get("Content-Disposition"), "attachment")
	assert.Contains(t, csv.Body, "上海星辰科技有限公司")
	xlsx := v.get("/reports/download/ledger?format=xlsx")
	require.Equal(t, http.StatusOK, xlsx.Status)
	assert.True(t, strings.HasPrefix(xlsx.Body, "PK"), "an XLSX is a zip")

	ledger := v.get("/contracts?customer=上海")
	require.Equal(t, http.StatusOK, ledger.Status)
	assert.Contains(t, ledger.Body, `href="/reports/download/ledger?customer=%E4%B8%8A%E6%B5%B7&amp;format=csv"`)
	filtered := v.get("/reports/download/ledger?customer=%E4%B8%8A%E6%B5%B7&format=csv")
	require.Equal(t, http.StatusOK, filtered.Status)
	assert.Contains(t, filtered.Body, "上海星辰科技有限公司")

	for _, view := range []string{"aging", "approval-cycle", "renewals"} {
		r := v.get("/reports?view=" + view)
		require.Equal(t, http.StatusOK, r.Status, view)
		assert.Contains(t, r.Body, `class="active" data-testid="tab-`+view+`"`)
	}
	cycle := v.get("/reports?view=approval-cycle")
	assert.Contains(t, cycle.Body, "default")
	assert.Equal(t, http.StatusBadRequest, v.get("/reports?view=summary&group_by=planet").Status)
	assert.Equal(t, http.StatusBadRequest, v.get("/reports?view=summary&format=csv").Status)
	assert.Equal(t, http.StatusNotFound, v.get("/reports?view=nope").Status)
	assert.Equal(t, http.StatusNotFound, v.get("/reports/download/nope").Status)

	// Legal reads approval cycles and renewals, not money (the API's
	// receivables roles).
	legal := newVisitor(t, s)
	legal.signIn("legal")
	home := legal.get("/reports")
	require.Equal(t, http.StatusOK, home.Status)
	assert.NotContains(t, home.Body, "合同汇总")
	assert.Contains(t, home.Body, "审批时效")
	assert.Equal(t, http.StatusNotFound, legal.get("/reports?view=aging").Status)
	assert.Equal(t, http.StatusNotFound, legal.get("/reports/download/ledger?format=csv").Status)
	assert.Equal(t, http.StatusNotFound, legal.get("/reports/download/summary.svg?group_by=month").Status)
}
