package api_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// Issue 15, points 6-8: who may sign for the company, who holds a link,
// how many codes a link gets, and what a retried signature is answered.

// roundsOf counts the signing rounds recorded for contract n.
func roundsOf(t *testing.T, s *testenv.Stack, n string) int {
	t.Helper()
	var count int
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM signing_rounds WHERE contract_number = $1`, n).Scan(&count))
	return count
}

// auditActions lists the audit trail's actions on one object, in order,
// those starting with prefix.
func auditActions(t *testing.T, s *testenv.Stack, objectType, id, prefix string) []string {
	t.Helper()
	page := expect[api.AuditPage](t, call(t, s, http.MethodGet, "/v1/audit?object_type="+objectType+"&object_id="+id+"&limit=1000", "auditor", nil), http.StatusOK)
	var actions []string
	for _, e := range page.Items {
		if strings.HasPrefix(e.Action, prefix) {
			actions = append(actions, e.Action)
		}
	}
	return actions
}

func authority(authorised bool, limit int64) map[string]any {
	body := map[string]any{"authorised": authorised}
	if limit > 0 {
		body["limit"] = map[string]any{"amount": limit, "currency": "CNY"}
	}
	return body
}

// The company signer is an authorised signatory the sender chooses, who
// signs signed in as themselves: the owner can no longer name anyone (or
// any text) as the company's signer, nor sign for the company.
func TestCompanySignerIsAnAuthorisedSignatory(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := approved(t, s) // 50,000.00 CNY
	send := func(body any) response { return call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", body) }
	customer := map[string]any{"party": "customer", "name": "王建国", "email": "wang.jianguo@xingchen.example"}

	// Refused, naming the field, and nothing is sent.
	for name, tc := range map[string]struct {
		body  any
		field string
	}{
		"a sales rep as company signer":   {map[string]any{"company_signer_id": "demo-sales"}, "company_signer_id"},
		"an unknown company signer":       {map[string]any{"company_signer_id": "nobody"}, "company_signer_id"},
		"a finance user, not authorised":  {map[string]any{"signers": []any{map[string]any{"party": "company", "user_id": "demo-finance"}, customer}}, "signers[0].user_id"},
		"any name typed for the company":  {map[string]any{"signers": []any{map[string]any{"party": "company", "name": "张伟", "email": "zhang.wei@demo.signet.local"}, customer}}, "signers[0].name"},
		"a company signer without a user": {map[string]any{"signers": []any{map[string]any{"party": "company"}, customer}}, "signers[0].user_id"},
		"no company signer at all":        {map[string]any{"signers": []any{customer}}, "signers"},
		"an account for the customer":     {map[string]any{"signers": []any{map[string]any{"party": "company", "user_id": "demo-executive"}, map[string]any{"party": "customer", "user_id": "demo-sales", "name": "x", "email": "x@example.com"}}}, "signers[1].user_id"},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, []string{tc.field}, fieldsOf(t, send(tc.body)))
		})
	}
	assert.Zero(t, roundsOf(t, s, n), "no refused send started a round")

	// Admins name signatories (授权签字人), with a limit; nobody else may.
	path := "/v1/users/demo-finance/signing-authority"
	expect[errorBody](t, call(t, s, http.MethodPut, path, "sales", authority(true, 0)), http.StatusForbidden)
	expect[errorBody](t, call(t, s, http.MethodPut, path, "executive", authority(true, 0)), http.StatusForbidden)
	expect[errorBody](t, call(t, s, http.MethodPut, "/v1/users/nobody/signing-authority", "admin", authority(true, 0)), http.StatusNotFound)
	assert.Equal(t, []string{"limit"}, fieldsOf(t, call(t, s, http.MethodPut, path, "admin", authority(false, 100))))
	assert.Equal(t, []string{"authorised"}, fieldsOf(t, call(t, s, http.MethodPut, path, "admin", map[string]any{})))
	assert.Equal(t, []string{"limit.currency"}, fieldsOf(t, call(t, s, http.MethodPut, path, "admin", map[string]any{"authorised": true, "limit": map[string]any{"amount": 100, "currency": "XYZ"}})))
	before := expect[identity.SigningAuthority](t, call(t, s, http.MethodGet, path, "auditor", nil), http.StatusOK)
	assert.False(t, before.Authorised)
	assert.Equal(t, identity.AuthorityNone, before.Source)

	granted := expect[identity.SigningAuthority](t, call(t, s, http.MethodPut, path, "admin", authority(true, 1_000_000)), http.StatusOK)
	assert.True(t, granted.Authorised)
	assert.Equal(t, identity.AuthorityGranted, granted.Source)
	require.NotNil(t, granted.Limit)
	assert.Equal(t, domain.Money{Amount: 1_000_000, Currency: "CNY"}, *granted.Limit)
	assert.Equal(t, "demo-admin", granted.UpdatedBy)
	list := expect[struct{ Items []identity.SigningAuthority }](t, call(t, s, http.MethodGet, "/v1/signatories", "sales", nil), http.StatusOK)
	var ids []string
	for _, a := range list.Items {
		ids = append(ids, a.UserID)
	}
	assert.Equal(t, []string{"demo-executive", "demo-finance"}, ids, "executives by default, and who the admin named")

	// A limit below the amount refuses the signatory, saying why.
	body := expect[errorBody](t, send(map[string]any{"company_signer_id": "demo-finance"}), http.StatusBadRequest)
	require.Len(t, body.Fields, 1)
	assert.Equal(t, "company_signer_id", body.Fields[0].Field)
	assert.Contains(t, body.Fields[0].Message, "CNY 10000.00")
	assert.Zero(t, roundsOf(t, s, n))

	expect[identity.SigningAuthority](t, call(t, s, http.MethodPut, path, "admin", authority(true, 10_000_000)), http.StatusOK)
	expect[workflows.ContractState](t, send(map[string]any{"company_signer_id": "demo-finance"}), http.StatusOK)
	round := signingOf(t, s, n)
	company := round.Signers[0]
	assert.Equal(t, "demo-finance", company.UserID)
	assert.Equal(t, "刘洋 Liu Yang", company.Name)

	// Only that signatory, signed in, signs for the company: not the owner,
	// not another signatory, not whoever cannot see the contract; and no
	// link exists that anyone could use instead.
	expect[errorBody](t, signIn(t, s, n, company.ID, "sales"), http.StatusForbidden)
	expect[errorBody](t, signIn(t, s, n, company.ID, "executive"), http.StatusForbidden)
	expect[errorBody](t, signIn(t, s, n, company.ID, "sales2"), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/signers/"+company.ID+"/decline", "sales", map[string]any{"reason": "不签"}), http.StatusForbidden)
	assert.Empty(t, linksMailed(t, s, n, company.ID))
	var links int
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM signing_links WHERE signer_id = $1`, company.ID).Scan(&links))
	assert.Zero(t, links, "a company signer has no link")
	assert.Equal(t, domain.SignerOpen, signingOf(t, s, n).Signers[0].Status, "nothing was signed")

	res := expect[esign.SignResult](t, signIn(t, s, n, company.ID, "finance"), http.StatusOK)
	require.NotNil(t, res.Signature)
	assert.Equal(t, "刘洋 Liu Yang", res.Signature.SignerName, "the account's name, not typed text")
	assert.Equal(t, "demo-finance", res.Signature.UserID)
	assert.True(t, eseal.Verify(s.Sealer.PublicKey(), res.Signature.SignatureRecord, res.Signature.Seal))
	var recordedBy string
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT recorded_by_id FROM signatures WHERE id = $1`, company.ID).Scan(&recordedBy))
	assert.Equal(t, "demo-finance", recordedBy)

	// Withdrawn, the default executive no longer signs by default either;
	// an admin's DELETE gives the role back its say.
	expect[identity.SigningAuthority](t, call(t, s, http.MethodPut, "/v1/users/demo-executive/signing-authority", "admin", authority(false, 0)), http.StatusOK)
	other := approved(t, s)
	assert.Equal(t, []string{"company_signer_id"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/contracts/"+other+"/send", "sales", nil)))
	restored := expect[identity.SigningAuthority](t, call(t, s, http.MethodDelete, "/v1/users/demo-executive/signing-authority", "admin", nil), http.StatusOK)
	assert.True(t, restored.Authorised)
	assert.Equal(t, identity.AuthorityByRole, restored.Source)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+other+"/send", "sales", nil), http.StatusOK)
	signer := signingOf(t, s, other).Signers[0]
	assert.Equal(t, "demo-executive", signer.UserID)

	// A company signer is replaced only by another authorised signatory.
	replace := "/v1/contracts/" + other + "/signers/" + signer.ID
	assert.Equal(t, []string{"user_id"}, fieldsOf(t, call(t, s, http.MethodPut, replace, "sales", map[string]any{"user_id": "demo-sales"})))
	assert.Equal(t, []string{"user_id"}, fieldsOf(t, call(t, s, http.MethodPut, replace, "sales", map[string]any{"name": "张伟", "email": "zhang.wei@demo.signet.local"})))
	replaced := expect[workflows.SigningState](t, call(t, s, http.MethodPut, replace, "sales", map[string]any{"user_id": "demo-finance"}), http.StatusOK)
	assert.Equal(t, "demo-finance", replaced.Signers[0].UserID)
	assert.Equal(t, "刘洋 Liu Yang", replaced.Signers[0].Name)
	expect[errorBody](t, signIn(t, s, other, signer.ID, "executive"), http.StatusForbidden)
	assert.Equal(t, "demo-finance", expect[esign.SignResult](t, signIn(t, s, other, signer.ID, "finance"), http.StatusOK).Signature.UserID)

	assert.Equal(t, []string{"user.signing_authority_set", "user.signing_authority_set"}, auditActions(t, s, "user", "demo-finance", "user.signing_authority"))
	assert.Equal(t, []string{"user.signing_authority_set", "user.signing_authority_cleared"}, auditActions(t, s, "user", "demo-executive", "user.signing_authority"))
}

// A customer's link goes only to the customer, by mail: the owner cannot
// obtain one, only have a fresh one mailed to the signer; every step is
// audited and on the certificate.
func TestLinksGoOnlyToTheSigner(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithMail())
	n := approved(t, s)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", map[string]any{
		"signers":      []map[string]any{{"party": "customer", "name": "王建国", "email": "wang.jianguo@xingchen.example", "group": 1}, {"party": "company", "user_id": "demo-executive", "group": 2}},
		"require_code": true,
	}), http.StatusOK)
	round := signingOf(t, s, n)
	customer, company := round.Signers[0], round.Signers[1]
	base := "/v1/contracts/" + n + "/signers/"

	// The route that handed the owner a link is gone.
	expect[errorBody](t, call(t, s, http.MethodPost, base+customer.ID+"/link", "sales", nil), http.StatusNotFound)
	first := linksMailed(t, s, n, customer.ID)
	require.Len(t, first, 1)

	// Resend: a new link to the signer, none to the owner, none in the answer.
	ownerMail := len(mailAbout(t, s, "zhang.wei@demo.signet.local", n))
	expect[errorBody](t, call(t, s, http.MethodPost, base+customer.ID+"/resend", "legal", nil), http.StatusForbidden)
	expect[errorBody](t, call(t, s, http.MethodPost, base+customer.ID+"/resend", "sales2", nil), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodPost, base+company.ID+"/resend", "sales", nil), http.StatusConflict)
	r := call(t, s, http.MethodPost, base+customer.ID+"/resend", "sales", nil)
	resent := expect[esign.LinkResent](t, r, http.StatusAccepted)
	assert.Equal(t, customer.ID, resent.SignerID)
	assert.NotRegexp(t, linkPattern, string(r.Body))
	var fields map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &fields))
	assert.NotContains(t, fields, "token")
	assert.NotContains(t, fields, "path")
	links := linksMailed(t, s, n, customer.ID)
	require.Len(t, links, 2, "the resend mailed the signer a second link")
	assert.NotEqual(t, links[0], links[1])
	assert.Len(t, mailAbout(t, s, "zhang.wei@demo.signet.local", n), ownerMail, "nothing about the link went to the owner")
	owner := expect[struct{ Items []map[string]any }](t, call(t, s, http.MethodGet, "/v1/notifications", "sales", nil), http.StatusOK)
	raw, _ := json.Marshal(owner)
	assert.NotRegexp(t, linkPattern, string(raw), "nor can the owner read it among their notifications")

	// Both links work for their signer; opened, a code sent, signed.
	expect[esign.SignView](t, call(t, s, http.MethodGet, links[1], "", nil), http.StatusOK)
	expect[esign.CodeSent](t, call(t, s, http.MethodPost, links[1]+"/code", "", nil), http.StatusAccepted)
	code := mailedCode(t, s, n, "wang.jianguo@xingchen.example")
	expect[esign.SignResult](t, call(t, s, http.MethodPost, links[1], "", map[string]any{"signer_name": "王建国", "consent": true, "code": code}), http.StatusOK)
	expect[errorBody](t, call(t, s, http.MethodGet, links[0], "", nil), http.StatusGone)
	expect[esign.SignResult](t, signIn(t, s, n, company.ID, "executive"), http.StatusOK)

	cert := expect[eseal.Certificate](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/certificate", "auditor", nil), http.StatusOK)
	require.NoError(t, eseal.VerifyCertificate(s.Sealer.PublicKey(), cert))
	var lines []string
	for _, e := range cert.Events {
		if e.SignerID == customer.ID {
			lines = append(lines, e.Kind)
		}
	}
	assert.Equal(t, []string{"sent", "resent", "opened", "code_sent", "signed"}, lines)
	page := call(t, s, http.MethodGet, "/v1/contracts/"+n+"/certificate?format=html", "sales", nil)
	require.Equal(t, http.StatusOK, page.Status)
	for _, label := range []string{"发送 Sent", "重发链接 Link resent", "查看 Opened", "发送验证码 Code sent", "签署 Signed"} {
		assert.Contains(t, string(page.Body), label)
	}
	actions := auditActions(t, s, "contract", n, "signing.")
	for _, want := range []string{"signing.step", "signing.opened", "signing.code_sent", "signing.signed"} {
		assert.Contains(t, actions, want)
	}
	var signed int
	for _, a := range actions {
		if a == "signing.signed" {
			signed++
		}
	}
	assert.Equal(t, 2, signed, "each signature once")
}

// One-time codes: at most five per link, a minute apart, by the service's
// clock (advanced here, never slept).
func TestOneTimeCodesAreBounded(t *testing.T) {
	testenv.RequireIntegration(t)
	clock := &testenv.Clock{}
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithClock(clock))
	n := approved(t, s)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", map[string]any{
		"signers":      []map[string]any{{"party": "customer", "name": "王建国", "email": "wang.jianguo@xingchen.example", "group": 1}, {"party": "company", "user_id": "demo-executive", "group": 2}},
		"require_code": true,
	}), http.StatusOK)
	link := mailedLink(t, s, n, signingOf(t, s, n).Signers[0].ID)
	codes := func() int { return len(mailAbout(t, s, "wang.jianguo@xingchen.example", n)) - 1 } // less the link's mail

	first := call(t, s, http.MethodPost, link+"/code", "", nil, "X-Request-ID", "code-1")
	sent := expect[esign.CodeSent](t, first, http.StatusAccepted)
	assert.Equal(t, 1, codes())
	// The same request again is the same code, not another one.
	again := expect[esign.CodeSent](t, call(t, s, http.MethodPost, link+"/code", "", nil, "X-Request-ID", "code-1"), http.StatusAccepted)
	assert.Equal(t, sent.ExpiresAt, again.ExpiresAt)
	assert.Equal(t, 1, codes())

	// Inside the cooldown: 429, with when to ask again.
	clock.Advance(20 * time.Second)
	r := call(t, s, http.MethodPost, link+"/code", "", nil)
	body := expect[errorBody](t, r, http.StatusTooManyRequests)
	assert.Equal(t, "too_soon", body.Error)
	wait, err := strconv.Atoi(r.Header.Get("Retry-After"))
	require.NoError(t, err)
	assert.True(t, wait >= 1 && wait <= 40, "Retry-After %d: what is left of the minute", wait)
	assert.Equal(t, 1, codes())

	for i := 2; i <= 5; i++ {
		clock.Advance(61 * time.Second)
		expect[esign.CodeSent](t, call(t, s, http.MethodPost, link+"/code", "", nil), http.StatusAccepted)
	}
	assert.Equal(t, 5, codes())
	// The sixth is past the bound, however long one waits.
	clock.Advance(2 * time.Minute)
	body = expect[errorBody](t, call(t, s, http.MethodPost, link+"/code", "", nil), http.StatusConflict)
	assert.Contains(t, body.Message, "5 one-time codes")
	assert.Equal(t, 5, codes())
	var sentCount int
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT codes_sent FROM signing_links WHERE contract_number = $1`, n).Scan(&sentCount))
	assert.Equal(t, 5, sentCount)

	// Wrong codes stay bounded too: five, then the code is locked.
	code := mailedCode(t, s, n, "wang.jianguo@xingchen.example")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for range 5 {
		fieldsOf(t, call(t, s, http.MethodPost, link, "", map[string]any{"signer_name": "王建国", "consent": true, "code": wrong}))
	}
	expect[errorBody](t, call(t, s, http.MethodPost, link, "", map[string]any{"signer_name": "王建国", "consent": true, "code": code}), http.StatusConflict)
	assert.Equal(t, domain.SignerOpen, signingOf(t, s, n).Signers[0].Status)
}

// A signature retried with the same X-Request-ID gets the first answer,
// through a link or signed in; another request on a used link is still
// refused, and nothing is signed twice.
func TestRetriedSignatureGetsTheFirstAnswer(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := approved(t, s)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", nil), http.StatusOK)
	round := signingOf(t, s, n)
	company, customer := round.Signers[0], round.Signers[1]

	first := signIn(t, s, n, company.ID, "executive", "X-Request-ID", "exec-sign-1")
	require.Equal(t, http.StatusOK, first.Status, "%s", first.Body)
	retry := signIn(t, s, n, company.ID, "executive", "X-Request-ID", "exec-sign-1")
	require.Equal(t, http.StatusOK, retry.Status, "%s", retry.Body)
	assert.JSONEq(t, string(first.Body), string(retry.Body))
	expect[errorBody](t, signIn(t, s, n, company.ID, "executive", "X-Request-ID", "exec-sign-2"), http.StatusConflict)

	link := mailedLink(t, s, n, customer.ID)
	first = call(t, s, http.MethodPost, link, "", signBody("王建国"), "X-Request-ID", "wang-sign-1")
	require.Equal(t, http.StatusOK, first.Status, "%s", first.Body)
	assert.Equal(t, domain.StatusActive, expect[esign.SignResult](t, first, http.StatusOK).ContractStatus)
	retry = call(t, s, http.MethodPost, link, "", signBody("王建国"), "X-Request-ID", "wang-sign-1")
	require.Equal(t, http.StatusOK, retry.Status, "the retry is answered, not refused as a used link: %s", retry.Body)
	assert.JSONEq(t, string(first.Body), string(retry.Body))
	expect[errorBody](t, call(t, s, http.MethodPost, link, "", signBody("王建国"), "X-Request-ID", "wang-sign-2"), http.StatusGone)
	expect[errorBody](t, call(t, s, http.MethodPost, link+"/decline", "", map[string]any{"reason": "x"}, "X-Request-ID", "wang-decline-1"), http.StatusGone)

	var signatures, events int
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM signatures WHERE contract_number = $1`, n).Scan(&signatures))
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM signing_events WHERE contract_number = $1 AND kind = 'signed'`, n).Scan(&events))
	assert.Equal(t, 2, signatures)
	assert.Equal(t, 2, events)

	// A decision retried with its request ID gets its first answer too,
	// even the one that closed the round.
	other := create(t, s, newContract(5_000_000, "2026-01-01", "2030-12-31")).Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+other+"/submit", "sales", nil), http.StatusOK)
	task := waitTask(t, s, "sales_manager", other)
	decide := func(id string) response {
		return call(t, s, http.MethodPost, "/v1/tasks/"+task.ID+"/decision", "sales_manager", map[string]any{"decision": "approve"}, "X-Request-ID", id)
	}
	d1 := decide("decide-1")
	require.Equal(t, http.StatusOK, d1.Status, "%s", d1.Body)
	d2 := decide("decide-1")
	require.Equal(t, http.StatusOK, d2.Status, "%s", d2.Body)
	assert.JSONEq(t, string(d1.Body), string(d2.Body))
}

// A signatory the sender chooses reads what they are to sign, whatever
// their role, while their signature is still to give; the grant ends
// once they have signed.
func TestSignatoryReadsWhatTheySign(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := approved(t, s)
	path := "/v1/contracts/" + n
	expect[errorBody](t, call(t, s, http.MethodGet, path, "sales2", nil), http.StatusNotFound)
	expect[identity.SigningAuthority](t, call(t, s, http.MethodPut, "/v1/users/"+testenv.SecondSales.ID+"/signing-authority", "admin", authority(true, 0)), http.StatusOK)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, path+"/send", "sales", map[string]any{"company_signer_id": testenv.SecondSales.ID}), http.StatusOK)

	view := expect[struct{ Contract struct{ Number string } }](t, call(t, s, http.MethodGet, path, "sales2", nil), http.StatusOK)
	assert.Equal(t, n, view.Contract.Number)
	doc := call(t, s, http.MethodGet, path+"/document?format=text", "sales2", nil)
	assert.Equal(t, http.StatusOK, doc.Status)
	expect[errorBody](t, call(t, s, http.MethodPost, path+"/cancel", "sales2", map[string]any{"reason": "x"}), http.StatusNotFound)

	company := signingOf(t, s, n).Signers[0]
	require.Equal(t, testenv.SecondSales.ID, company.UserID)
	expect[esign.SignResult](t, signIn(t, s, n, company.ID, "sales2"), http.StatusOK)
	expect[errorBody](t, call(t, s, http.MethodGet, path, "sales2", nil), http.StatusNotFound)
}
