package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
)

// upload sends data as the "file" part of a multipart body.
func upload(t *testing.T, s *testenv.Stack, number, role, filename string, data []byte) response {
	t.Helper()
	form, ctype := fileForm(t, filename, data)
	return call(t, s, http.MethodPost, "/v1/contracts/"+number+"/attachments", role, form, "Content-Type", ctype)
}

func TestAttachments(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := create(t, s, newContract(100_00, "2026-01-01", "2026-12-31")).Contract.Number
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("签署页"), 1000)...)
	sum := sha256.Sum256(pdf)

	a := expect[store.Attachment](t, upload(t, s, n, "sales", "../../客户盖章页（最终版）.pdf", pdf), http.StatusCreated)
	assert.Equal(t, "客户盖章页（最终版）.pdf", a.Filename, "the base name survives, Chinese intact")
	assert.Equal(t, "application/pdf", a.ContentType, "sniffed from the bytes")
	assert.Equal(t, int64(len(pdf)), a.Size)
	assert.Equal(t, hex.EncodeToString(sum[:]), a.SHA256)

	list := expect[struct{ Items []store.Attachment }](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/attachments", "finance", nil), http.StatusOK)
	require.Len(t, list.Items, 1)
	got := call(t, s, http.MethodGet, "/v1/contracts/"+n+"/attachments/"+a.ID, "finance", nil)
	require.Equal(t, http.StatusOK, got.Status)
	assert.Equal(t, pdf, got.Body)
	assert.Equal(t, a.SHA256, got.Header.Get("X-Content-SHA256"))
	assert.Contains(t, got.Header.Get("Content-Disposition"), "filename*=utf-8''")

	// Same rights as the contract.
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/attachments/"+a.ID, "sales2", nil), http.StatusNotFound)
	expect[errorBody](t, upload(t, s, n, "sales2", "x.txt", []byte("hi")), http.StatusNotFound)
	expect[errorBody](t, upload(t, s, n, "auditor", "x.txt", []byte("hi")), http.StatusForbidden)

	over := upload(t, s, n, "sales", "big.bin", bytes.Repeat([]byte{7}, testenv.AttachmentLimit+1))
	assert.Equal(t, "too_large", expect[errorBody](t, over, http.StatusRequestEntityTooLarge).Error)
	assert.Equal(t, []string{"file"}, fieldsOf(t, upload(t, s, n, "sales", "empty.txt", nil)))
	assert.Equal(t, []string{"body"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/attachments", "sales", `{"file":"x"}`)))
	mismatched := call(t, s, http.MethodPost, "/v1/contracts/"+n+"/attachments", "sales",
		"--other\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n--other--\r\n",
		"Content-Type", "multipart/form-data; boundary=expected")
	assert.Equal(t, http.StatusBadRequest, mismatched.Status)
	noFile := call(t, s, http.MethodPost, "/v1/contracts/"+n+"/attachments", "sales",
		"--b\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--b--\r\n", "Content-Type", "multipart/form-data; boundary=b")
	assert.Equal(t, []string{"file"}, fieldsOf(t, noFile))

	list = expect[struct{ Items []store.Attachment }](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/attachments", "sales", nil), http.StatusOK)
	assert.Len(t, list.Items, 1, "no refused upload stored anything")
	assert.False(t, strings.Contains(string(call(t, s, http.MethodGet, "/v1/contracts/"+n+"/attachments", "sales", nil).Body), "data"), "listings carry no bytes")
}
