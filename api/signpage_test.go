package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// TestSigningLinksNegotiate: a signing link answers a browser with the
// signing page and its plain form posts with pages, and API clients with
// the JSON they always had, before and after the link is used.
func TestSigningLinksNegotiate(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := approved(t, s)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", map[string]any{
		"signers": []map[string]any{{"party": "customer", "name": "王建国", "email": "wang.jianguo@xingchen.example", "group": 1}, {"party": "company", "user_id": "demo-executive", "group": 2}},
	}), http.StatusOK)
	link := mailedLink(t, s, n, signingOf(t, s, n).Signers[0].ID)
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	form := func(path, body string) response {
		return call(t, s, http.MethodPost, path, "", body, "Content-Type", "application/x-www-form-urlencoded", "Accept", browser)
	}

	page := call(t, s, http.MethodGet, link, "", nil, "Accept", browser)
	require.Equal(t, http.StatusOK, page.Status, string(page.Body))
	assert.Contains(t, page.Header.Get("Content-Type"), "text/html")
	assert.Contains(t, string(page.Body), `data-testid="sign-page"`)
	for _, accept := range []string{"", "*/*", "application/json", "text/html;q=0, application/json"} {
		var r response
		if accept == "" {
			r = call(t, s, http.MethodGet, link, "", nil)
		} else {
			r = call(t, s, http.MethodGet, link, "", nil, "Accept", accept)
		}
		v := expect[esign.SignView](t, r, http.StatusOK)
		assert.Equal(t, n, v.ContractNumber, accept)
	}

	// A form without consent gets the page with the refusal; JSON its 400.
	refused := form(link, "signer_name=%E7%8E%8B%E5%BB%BA%E5%9B%BD")
	assert.Equal(t, http.StatusBadRequest, refused.Status)
	assert.Contains(t, refused.Header.Get("Content-Type"), "text/html")
	assert.Contains(t, string(refused.Body), "<b>consent</b>")
	assert.Equal(t, []string{"reason"}, fieldsOf(t, call(t, s, http.MethodPost, link+"/decline", "", map[string]any{"reason": " "})))
	assert.Equal(t, 0, countOf(t, s, `SELECT count(*) FROM signatures WHERE contract_number = $1`, n))

	// curl -d sends JSON as form-encoded with Accept */*: still the API.
	res := expect[esign.SignResult](t, call(t, s, http.MethodPost, link, "", signBody("王建国"),
		"Content-Type", "application/x-www-form-urlencoded", "Accept", "*/*"), http.StatusOK)
	require.NotNil(t, res.Signature)

	gone := call(t, s, http.MethodGet, link, "", nil, "Accept", browser)
	assert.Equal(t, http.StatusGone, gone.Status)
	assert.Contains(t, gone.Header.Get("Content-Type"), "text/html")
	assert.Contains(t, string(gone.Body), `data-state="used"`)
	var body struct{ Error string }
	r := call(t, s, http.MethodGet, link, "", nil)
	require.Equal(t, http.StatusGone, r.Status)
	require.NoError(t, json.Unmarshal(r.Body, &body))
	assert.Equal(t, "gone", body.Error)
	assert.False(t, strings.Contains(r.Header.Get("Content-Type"), "html"))
}
