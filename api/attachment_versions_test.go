package api_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// uploadFor sends a file for one version of the contract ("" for the
// contract as a whole).
func uploadFor(t *testing.T, s *testenv.Stack, number, role, version, filename string, data []byte) response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	require.NoError(t, w.WriteField("version", version))
	part, err := w.CreateFormFile("file", filename)
	require.NoError(t, err)
	_, err = part.Write(data)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return call(t, s, http.MethodPost, "/v1/contracts/"+number+"/attachments", role, body.String(), "Content-Type", w.FormDataContentType())
}

// An amendment's papers are filed under its version: one the contract has
// (the amendment's draft included), else a 400 naming version, nothing
// stored; the list says which version each file belongs to.
func TestAttachmentsBelongToAVersionOrTheWholeContract(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	today := time.Now().In(s.Loc)
	d := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	live := driveToActive(t, s, withPlan(d(-10), d(355), d(20), d(300), d(60)))
	n, path := live.Contract.Number, "/v1/contracts/"+live.Contract.Number
	pdf := []byte("%PDF-1.7\n变更说明")

	assert.Equal(t, []string{"version"}, fieldsOf(t, uploadFor(t, s, n, "sales", "2", "变更说明.pdf", pdf)), "no version 2 yet")
	assert.Equal(t, []string{"version"}, fieldsOf(t, uploadFor(t, s, n, "sales", "第二版", "变更说明.pdf", pdf)))
	assert.Equal(t, []string{"version"}, fieldsOf(t, uploadFor(t, s, n, "sales", "0", "变更说明.pdf", pdf)))

	moved := withPlan(d(-10), d(355), d(20), d(330), d(60))
	st := expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/amendments", "sales",
		map[string]any{"reason": "尾款顺延一个月", "content": moved}), http.StatusOK)
	require.NotNil(t, st.Amendment)

	v2 := expect[api.Attachment](t, uploadFor(t, s, n, "sales", "2", "变更说明.pdf", pdf), http.StatusCreated)
	assert.Equal(t, 2, v2.Version)
	v1 := expect[api.Attachment](t, uploadFor(t, s, n, "sales", "1", "原合同扫描件.pdf", pdf), http.StatusCreated)
	assert.Equal(t, 1, v1.Version)
	whole := expect[api.Attachment](t, uploadFor(t, s, n, "sales", "", "往来函件.pdf", pdf), http.StatusCreated)
	assert.Zero(t, whole.Version)

	list := expect[struct{ Items []api.Attachment }](t, call(t, s, http.MethodGet, path+"/attachments", "finance", nil), http.StatusOK)
	got := map[string]int{}
	for _, a := range list.Items {
		got[a.Filename] = a.Version
	}
	assert.Equal(t, map[string]int{"变更说明.pdf": 2, "原合同扫描件.pdf": 1, "往来函件.pdf": 0}, got, "three files, the refused ones not among them")
}
