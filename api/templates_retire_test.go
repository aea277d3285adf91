package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// Legal retires a template version: new contracts can no longer be
// drafted from it (asked for by number it is a 400 naming the version),
// they take the newest in use instead; a draft made from it keeps it. Once
// every version is retired the template leaves the list and drafting from
// it names template_id. Retiring again changes nothing; only legal and
// admins retire, a version that does not exist is a 404.
func TestRetiredTemplateVersionsDraftNothingNew(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	early := create(t, s, newContract(1_00, "2026-01-01", "2026-12-31"))
	require.Equal(t, 1, early.Contract.TemplateVersion)
	v1 := expect[document.Template](t, call(t, s, http.MethodGet, "/v1/templates/sales-zh", "sales", nil), http.StatusOK)
	v1.Clauses[3].Body = "乙方应在收货后五个工作日内完成验收。"
	expect[document.Template](t, call(t, s, http.MethodPost, "/v1/templates", "legal", v1), http.StatusCreated)

	retire := func(role string, version string, body any) response {
		return call(t, s, http.MethodPost, "/v1/templates/sales-zh/versions/"+version+"/retire", role, body)
	}
	expect[errorBody](t, retire("sales", "1", map[string]any{"reason": "验收期改为五日"}), http.StatusForbidden)
	assert.Equal(t, []string{"reason"}, fieldsOf(t, retire("legal", "1", map[string]any{})))
	assert.Equal(t, []string{"version"}, fieldsOf(t, retire("legal", "x", map[string]any{"reason": "r"})))
	expect[errorBody](t, retire("legal", "9", map[string]any{"reason": "r"}), http.StatusNotFound)
	got := expect[api.Template](t, retire("legal", "1", map[string]any{"reason": "验收期改为五日"}), http.StatusOK)
	require.NotNil(t, got.Retired)
	assert.Equal(t, 1, got.Version)
	assert.Equal(t, "验收期改为五日", got.Retired.Reason)
	assert.Equal(t, "demo-legal", got.Retired.RetiredBy)
	again := expect[api.Template](t, retire("admin", "1", map[string]any{"reason": "another"}), http.StatusOK)
	assert.Equal(t, got.Retired, again.Retired, "retiring again changes nothing")

	body := newContract(1_00, "2026-01-01", "2026-12-31")
	body["template_version"] = 1
	assert.Equal(t, []string{"template_version"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/contracts", "sales", body)))
	assert.Equal(t, 2, create(t, s, newContract(1_00, "2026-01-01", "2026-12-31")).Contract.TemplateVersion)
	old := expect[api.Template](t, call(t, s, http.MethodGet, "/v1/templates/sales-zh?version=1", "sales", nil), http.StatusOK)
	require.NotNil(t, old.Retired, "the retired version stays readable, marked")
	current := expect[api.Template](t, call(t, s, http.MethodGet, "/v1/templates/sales-zh", "sales", nil), http.StatusOK)
	assert.Equal(t, 2, current.Version)
	assert.Nil(t, current.Retired)
	kept := expect[workflows.ContractState](t, call(t, s, http.MethodGet, "/v1/contracts/"+early.Contract.Number, "sales", nil), http.StatusOK)
	assert.Equal(t, 1, kept.Contract.TemplateVersion, "a draft made from it keeps it")

	expect[api.Template](t, retire("legal", "2", map[string]any{"reason": "模板停用"}), http.StatusOK)
	listed := expect[struct{ Items []api.TemplateSummary }](t, call(t, s, http.MethodGet, "/v1/templates", "sales", nil), http.StatusOK)
	for _, tpl := range listed.Items {
		assert.NotEqual(t, "sales-zh", tpl.ID, "a template with no version in use is not offered")
	}
	assert.Equal(t, []string{"template_id"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/contracts", "sales", newContract(1_00, "2026-01-01", "2026-12-31"))))
	newest := expect[api.Template](t, call(t, s, http.MethodGet, "/v1/templates/sales-zh", "sales", nil), http.StatusOK)
	assert.Equal(t, 2, newest.Version)
	assert.NotNil(t, newest.Retired)
	assert.Equal(t, 2, countOf(t, s, `SELECT count(*) FROM audit_events WHERE action = $1`, "template.retired"))
}
