package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/signet-clm/signet/testkit/testenv"
)

// TestEveryAnswerCarriesSafeHeaders: HTML pages (documents, certificates)
// and every other answer forbid scripts, framing, content sniffing,
// Referer and caching; only the OpenAPI document may be cached.
func TestEveryAnswerCarriesSafeHeaders(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	live := driveToActive(t, s, newContract(100_00, "2026-01-01", "2026-12-31"))
	p := "/v1/contracts/" + live.Contract.Number
	for _, tc := range []struct {
		path, role, contentType string
		status                  int
	}{
		{p + "/document?format=html", "sales", "text/html", http.StatusOK},
		{p + "/certificate?format=html", "sales", "text/html", http.StatusOK},
		{p + "/document?format=text", "sales", "text/plain", http.StatusOK},
		{p + "/document?format=pdf", "sales", "application/pdf", http.StatusOK},
		{"/v1/reports/summary.svg?group_by=month", "finance", "image/svg+xml", http.StatusOK},
		{p, "sales", "application/json", http.StatusOK},
		{"/v1/contracts/HT-2026-999999", "sales", "application/json", http.StatusNotFound},
		{"/sign/nope", "", "application/json", http.StatusNotFound},
	} {
		r := call(t, s, http.MethodGet, tc.path, tc.role, nil)
		assert.Equal(t, tc.status, r.Status, tc.path)
		assert.True(t, strings.HasPrefix(r.Header.Get("Content-Type"), tc.contentType), "%s: %s", tc.path, r.Header.Get("Content-Type"))
		csp := r.Header.Get("Content-Security-Policy")
		assert.Contains(t, csp, "default-src 'none'", tc.path)
		assert.Contains(t, csp, "frame-ancestors 'none'", tc.path)
		assert.NotContains(t, csp, "script-src", "%s: no script may run", tc.path)
		assert.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"), tc.path)
		assert.Equal(t, "DENY", r.Header.Get("X-Frame-Options"), tc.path)
		assert.Equal(t, "no-referrer", r.Header.Get("Referrer-Policy"), tc.path)
		assert.Equal(t, "no-store", r.Header.Get("Cache-Control"), tc.path)
	}
	doc := call(t, s, http.MethodGet, "/v1/openapi.json", "", nil)
	assert.Equal(t, "public, max-age=300", doc.Header.Get("Cache-Control"))
}
