package console_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
)

// postImport uploads a file from the import page's form as a browser
// would (csrf "" leaves the form token out).
func (v *visitor) postImport(kind, source, mode, filename string, data []byte, csrf string) page {
	v.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if csrf != "" {
		require.NoError(v.t, w.WriteField("csrf_token", csrf))
	}
	for k, val := range map[string]string{"kind": kind, "source": source, "mode": mode} {
		require.NoError(v.t, w.WriteField(k, val))
	}
	part, err := w.CreateFormFile("file", filename)
	require.NoError(v.t, err)
	_, err = part.Write(data)
	require.NoError(v.t, err)
	require.NoError(v.t, w.Close())
	req, err := http.NewRequest(http.MethodPost, v.s.URL+"/admin/imports", &body)
	require.NoError(v.t, err)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	return v.do(req)
}

// TestImportPage: the sales manager's import page offers the templates,
// checks a file and lists its problems by line and column (hostile text
// escaped), refuses a bad source beside its field and a post without the
// form token, then lands the good rows and shows the job's progress to
// its end; a sales person has no such page.
func TestImportPage(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())

	sales := newVisitor(t, s)
	sales.signIn("sales")
	assert.Equal(t, http.StatusNotFound, sales.get("/admin/imports").Status)
	assert.NotContains(t, sales.get("/").Body, `data-testid="nav-imports"`)

	m := newVisitor(t, s)
	m.signIn("sales_manager")
	assert.Contains(t, m.get("/").Body, `data-testid="nav-imports"`)
	pg := m.get("/admin/imports")
	require.Equal(t, http.StatusOK, pg.Status)
	assert.Contains(t, pg.Body, "批量导入")
	assert.Contains(t, pg.Body, `href="/admin/imports/templates/customers?format=xlsx"`)
	tmpl := m.get("/admin/imports/templates/customers")
	require.Equal(t, http.StatusOK, tmpl.Status)
	assert.Contains(t, tmpl.Body, "客户名称(name)*")

	file := []byte("external_id,name,tier,contact_name,contact_email\n" +
		"K-1,杭州远山科技有限公司,A,陈晨,chen@example.cn\n" +
		"K-2,<script>alert(1)</script>,Z,,\n" +
		"K-3,苏州湖畔贸易有限公司,B,周舟,bad-email\n")
	assert.Equal(t, http.StatusForbidden, m.postImport("customers", "crm", "dry_run", "客户.csv", file, "").Status, "no form token")

	r := m.postImport("customers", "crm", "dry_run", "客户.csv", file, m.csrf)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Contains(t, r.Body, `data-testid="import-report"`)
	assert.Regexp(t, `<tr data-line="3" data-field="tier"><td>3</td><td>tier</td>`, r.Body)
	assert.Regexp(t, `<tr data-line="4" data-field="contact_email">`, r.Body)
	assert.NotContains(t, r.Body, "<script>alert(1)</script>")
	assert.Equal(t, 0, count(t, s, `SELECT count(*) FROM customers WHERE name LIKE '杭州远山%'`), "a dry run writes nothing")

	r = m.postImport("customers", "CRM!", "rows", "客户.csv", file, m.csrf)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Regexp(t, `name="source"[^>]*>\s*<span class="field-error" role="alert">`, r.Body, "the refusal beside the source field")

	r = m.postImport("customers", "crm", "all", "客户.csv", file, m.csrf)
	assert.Equal(t, http.StatusBadRequest, r.Status, "all or nothing refuses a file with bad rows")
	assert.Contains(t, r.Body, `data-line="3"`)

	r = m.postImport("customers", "crm", "rows", "客户.csv", file, m.csrf)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Eventually(t, func() bool {
		return bytes.Contains([]byte(m.get(r.Location).Body), []byte(`data-status="done"`))
	}, time.Minute, 200*time.Millisecond)
	job := m.get(r.Location)
	assert.Contains(t, job.Body, "新建 1 · 更新 0 · 未变 0 · 失败 2")
	assert.NotContains(t, job.Body, "hx-trigger", "a finished job stops refreshing")
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM customers WHERE name = '杭州远山科技有限公司'`))
	assert.Contains(t, job.Body, "客户.csv")
	assert.Equal(t, http.StatusNotFound, sales.get(r.Location).Status)
}
