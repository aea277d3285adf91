package console_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
)

var (
	inputPattern    = regexp.MustCompile(`<input name="([^"]+)" value="([^"]*)"`)
	textareaPattern = regexp.MustCompile(`(?s)<textarea name="([^"]+)"[^>]*>(.*?)</textarea>`)
	checkedPattern  = regexp.MustCompile(`<input type="checkbox" name="([^"]+)" value="([^"]*)" checked>`)
	selectPattern   = regexp.MustCompile(`(?s)<select name="([^"]+)">(.*?)</select>`)
	optionPattern   = regexp.MustCompile(`<option value="([^"]*)" selected>`)
)

func htmlUnescape(s string) string { return html.UnescapeString(s) }

// templateForm is the editor's form for the demo sales template as the
// page shows it, every input with its value.
func templateForm(t *testing.T, body string) url.Values {
	t.Helper()
	form := url.Values{}
	for _, m := range inputPattern.FindAllStringSubmatch(body, -1) {
		form.Set(m[1], htmlUnescape(m[2]))
	}
	for _, m := range textareaPattern.FindAllStringSubmatch(body, -1) {
		form.Set(m[1], htmlUnescape(m[2]))
	}
	for _, m := range checkedPattern.FindAllStringSubmatch(body, -1) {
		form.Add(m[1], m[2])
	}
	for _, m := range selectPattern.FindAllStringSubmatch(body, -1) {
		if o := optionPattern.FindStringSubmatch(m[2]); o != nil {
			form.Set(m[1], o[1])
		} else if o := regexp.MustCompile(`<option value="([^"]*)"`).FindStringSubmatch(m[2]); o != nil {
			form.Set(m[1], o[1])
		}
	}
	form.Del("csrf_token")
	return form
}

// Legal edits a template online: a preview with sample values shows the
// changed clause and keeps the form as typed, a clause with a placeholder
// no field fills is refused beside its body, a save makes version 2 that
// new contracts take, and the old version can be retired from the page.
func TestTemplateEditor(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	v := newVisitor(t, s)
	v.signIn("legal")
	list := v.get("/admin/templates")
	require.Equal(t, http.StatusOK, list.Status)
	assert.Contains(t, list.Body, `href="/admin/templates/sales-zh"`)

	page := v.get("/admin/templates/sales-zh")
	require.Equal(t, http.StatusOK, page.Status)
	form := templateForm(t, page.Body)
	require.NotEmpty(t, form.Get("c3.body"))
	form.Set("c3.body", "乙方应在收货后五个工作日内完成验收。")
	form.Set("action", "preview")
	preview := v.post("/admin/templates/sales-zh", form)
	require.Equal(t, http.StatusOK, preview.Status, preview.Body)
	assert.Contains(t, preview.Body, `data-testid="preview-text"`)
	text := preview.Body[strings.Index(preview.Body, `data-testid="preview-text"`):]
	assert.Contains(t, text, "五个工作日")
	assert.Contains(t, text, "示例客户有限公司", "sample values fill the fields")
	assert.Contains(t, preview.Body, "乙方应在收货后五个工作日内完成验收。</textarea>", "the form keeps what was typed")

	broken := cloneForm(form)
	broken.Set("c3.body", "{{no_such_field}}")
	broken.Set("action", "save")
	r := v.post("/admin/templates/sales-zh", broken)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.True(t, fieldHasError(r.Body, "c3.body"), "the refusal sits beside the clause's body")

	form.Set("action", "save")
	saved := v.post("/admin/templates/sales-zh", form)
	require.Equal(t, http.StatusSeeOther, saved.Status, saved.Body)
	assert.Contains(t, saved.Location, "version=2")
	v2 := v.get(saved.Location)
	assert.Contains(t, v2.Body, `data-testid="saved"`)
	state := apiCall(t, s, http.MethodPost, "/v1/contracts", "sales", contractBody("新版本合同", 1_00))
	assert.Contains(t, string(state), `"template_version":2`)

	old := v.get("/admin/templates/sales-zh?version=1")
	require.Contains(t, old.Body, `data-testid="retire-form"`)
	retired := v.post("/admin/templates/sales-zh/versions/1/retire", url.Values{"reason": {"验收期改为五日"}})
	require.Equal(t, http.StatusSeeOther, retired.Status, retired.Body)
	assert.Contains(t, v.get(retired.Location).Body, "此版本已停用：验收期改为五日")

	sales := newVisitor(t, s)
	sales.signIn("sales")
	assert.Equal(t, http.StatusNotFound, sales.get("/admin/templates").Status)
	form.Del("csrf_token")
	denied := sales.post("/admin/templates/sales-zh", form)
	assert.Equal(t, http.StatusNotFound, denied.Status, denied.Body[:min(len(denied.Body), 3000)])
}

func cloneForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	return out
}
