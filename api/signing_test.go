package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// approved drafts a contract and takes it through review.
func approved(t testing.TB, s *testenv.Stack) string {
	t.Helper()
	state := create(t, s, newContract(5_000_000, "2026-01-01", "2030-12-31"))
	n := state.Contract.Number
	state = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	require.Equal(t, domain.StatusApproved, approveAll(t, s, state).Status)
	return n
}

func signingOf(t testing.TB, s *testenv.Stack, n string) workflows.SigningState {
	t.Helper()
	return expect[workflows.SigningState](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/signing", "sales", nil), http.StatusOK)
}

// linkPattern finds a one-time link in a mail's text.
var linkPattern = regexp.MustCompile(`/sign/[A-Za-z0-9_-]{43}`)

// signerEmail is the address a signer's mail goes to.
func signerEmail(t testing.TB, s *testenv.Stack, signerID string) string {
	t.Helper()
	var email string
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT email FROM signing_signers WHERE id = $1`, signerID).Scan(&email))
	return email
}

// mailAbout returns the mail delivered to address about contract n,
// oldest first: what that person finds in their mailbox.
func mailAbout(t testing.TB, s *testenv.Stack, address, n string) []devstack.Mail {
	t.Helper()
	var out []devstack.Mail
	for _, m := range s.Mailbox(t) {
		if m.Recipient == address && strings.Contains(m.Subject+m.Text, n) {
			out = append(out, m)
		}
	}
	return out
}

// linksMailed returns the one-time links mailed to a signer of contract
// n, oldest first, read from their mail as they would. A link's mail has
// the link's ID in its Message-ID, which tells one round's signer from
// another's at the same address.
func linksMailed(t testing.TB, s *testenv.Stack, n, signerID string) []string {
	t.Helper()
	var links []string
	for _, m := range mailAbout(t, s, signerEmail(t, s, signerID), n) {
		if l := linkPattern.FindString(m.Text); l != "" && strings.Contains(m.MessageID, "signing-link/"+signerID+"/") {
			links = append(links, l)
		}
	}
	return links
}

// mailedLink is the newest link mailed to a signer of contract n, waiting
// for the first: a group's links go out once the group before has signed,
// after that signature has been answered.
func mailedLink(t testing.TB, s *testenv.Stack, n, signerID string) string {
	t.Helper()
	var links []string
	for deadline := time.Now().Add(15 * time.Second); len(links) == 0; time.Sleep(20 * time.Millisecond) {
		if links = linksMailed(t, s, n, signerID); len(links) == 0 && time.Now().After(deadline) {
			t.Fatalf("no signing link was mailed to %s", signerID)
		}
	}
	return links[len(links)-1]
}

// roleOf is the role whose token the stack holds for a demo user.
func roleOf(userID string) string {
	if userID == testenv.SecondSales.ID {
		return "sales2"
	}
	return strings.ReplaceAll(strings.TrimPrefix(userID, "demo-"), "-", "_")
}

// signIn signs as a company signer, signed in as role's user.
func signIn(t testing.TB, s *testenv.Stack, n, signerID, role string, headers ...string) response {
	t.Helper()
	return call(t, s, http.MethodPost, "/v1/contracts/"+n+"/signers/"+signerID+"/sign", role, map[string]any{"consent": true}, headers...)
}

func signBody(name string) map[string]any {
	return map[string]any{"signer_name": name, "consent": true}
}

// TestSigningFromApprovedToActive: our executive signs signed in, then
// the customer's contact through the one-time link mailed to them; then
// the certificate and the public verification of the document, and every
// bad input on the way.
func TestSigningFromApprovedToActive(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := approved(t, s)

	for name, tc := range map[string]struct {
		body  any
		field string
	}{
		"a bad signer email":  {map[string]any{"signers": []map[string]any{{"party": "customer", "name": "王建国", "email": "nope"}}}, "signers[0].email"},
		"an unknown party":    {map[string]any{"signers": []map[string]any{{"party": "witness", "name": "王建国", "email": "w@example.com"}}}, "signers[0].party"},
		"a deadline too long": {map[string]any{"deadline_days": 400}, "deadline_days"},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, []string{tc.field}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", tc.body)))
		})
	}
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/certificate", "sales", nil), http.StatusConflict)

	// No body: the first executive signs for us, then the customer's
	// contact who may sign.
	state := expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", nil), http.StatusOK)
	require.Equal(t, domain.StatusSigning, state.Status)
	round := signingOf(t, s, n)
	require.Len(t, round.Signers, 2)
	company, customer := round.Signers[0], round.Signers[1]
	assert.Equal(t, "陈静 Chen Jing", company.Name)
	assert.Equal(t, "demo-executive", company.UserID, "the company signer is the executive's account")
	assert.Equal(t, "王建国", customer.Name)
	assert.Equal(t, "wang.jianguo@xingchen.example", customer.Email)
	assert.Equal(t, domain.SignerOpen, company.Status)
	assert.Equal(t, domain.SignerWaiting, customer.Status)
	row, err := s.Store.Contract(t.Context(), n)
	require.NoError(t, err)
	assert.Equal(t, row.DocumentSHA256, round.DocumentSHA256, "signing is on exactly the approved document")
	assert.WithinDuration(t, time.Now().AddDate(0, 0, 14), round.DeadlineAt, time.Minute)

	// The executive is told to sign in, with no link that could sign; the
	// customer hears nothing before their turn.
	told := mailAbout(t, s, "chen.jing@demo.signet.local", n)
	require.Len(t, told, 1)
	assert.Contains(t, told[0].Subject, "Sign in to sign")
	assert.NotRegexp(t, linkPattern, told[0].Text)
	assert.Empty(t, linksMailed(t, s, n, customer.ID))
	expect[errorBody](t, signIn(t, s, n, customer.ID, "executive"), http.StatusForbidden)

	// The executive signs with their own token; the name is their account's.
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/signers/"+company.ID+"/sign", "executive", map[string]any{"consent": false}), http.StatusBadRequest)
	res := expect[esign.SignResult](t, signIn(t, s, n, company.ID, "executive"), http.StatusOK)
	require.NotNil(t, res.Signature)
	assert.Equal(t, domain.StatusSigning, res.ContractStatus)
	assert.Equal(t, "陈静 Chen Jing", res.Signature.SignerName)
	assert.Equal(t, "demo-executive", res.Signature.UserID)
	assert.Empty(t, res.Signature.LinkID)
	assert.Equal(t, "127.0.0.1", res.Signature.IP)
	assert.Equal(t, "signet-integration-test/1.0", res.Signature.UserAgent)
	assert.True(t, eseal.Verify(s.Sealer.PublicKey(), res.Signature.SignatureRecord, res.Signature.Seal), "sealed with the server's key")
	expect[errorBody](t, signIn(t, s, n, company.ID, "executive"), http.StatusConflict)

	// Now the customer's link comes, by mail.
	link := mailedLink(t, s, n, customer.ID)
	r := call(t, s, http.MethodGet, link, "", nil)
	view := expect[esign.SignView](t, r, http.StatusOK)
	assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	assert.Equal(t, n, view.ContractNumber)
	assert.Equal(t, row.DocumentSHA256, view.DocumentSHA256)
	assert.Contains(t, view.DocumentText, "上海星辰科技有限公司")
	assert.Equal(t, customer.ID, view.Signer.ID)
	assert.Len(t, view.Signers, 2)
	assert.NotContains(t, string(r.Body), "chen.jing@", "a link's holder does not see other signers' emails")

	for name, tc := range map[string]struct {
		body  any
		field string
	}{
		"no consent":    {map[string]any{"signer_name": "王建国", "consent": false}, "consent"},
		"an empty name": {map[string]any{"signer_name": "", "consent": true}, "signer_name"},
		"a blank name":  {map[string]any{"signer_name": "   ", "consent": true}, "signer_name"},
		"extra fields":  {map[string]any{"signer_name": "王建国", "consent": true, "signed_at": "2020-01-01T00:00:00Z"}, "signed_at"},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, []string{tc.field}, fieldsOf(t, call(t, s, http.MethodPost, link, "", tc.body)))
		})
	}
	for _, bad := range []string{"/sign/nope", "/sign/" + strings.Repeat("A", 43), "/sign/" + strings.Repeat("x", 400)} {
		expect[errorBody](t, call(t, s, http.MethodGet, bad, "", nil), http.StatusNotFound)
		expect[errorBody](t, call(t, s, http.MethodPost, bad, "", signBody("x")), http.StatusNotFound)
	}

	// The customer's signature makes the contract active.
	res = expect[esign.SignResult](t, call(t, s, http.MethodPost, link, "", signBody("王建国"), "User-Agent", "Mozilla/5.0 (Macintosh) 微信"), http.StatusOK)
	assert.Equal(t, string(workflows.SigningOutcomeSigned), res.Outcome)
	assert.Equal(t, domain.StatusActive, res.ContractStatus)
	assert.Equal(t, view.Signer.ID, res.Signature.SignerID)
	assert.NotEmpty(t, res.Signature.LinkID)
	for name, path := range map[string]string{"used": link, "a second signature": link} {
		t.Run(name, func(t *testing.T) {
			expect[errorBody](t, call(t, s, http.MethodPost, path, "", signBody("王建国")), http.StatusGone)
		})
	}
	expect[errorBody](t, call(t, s, http.MethodGet, link, "", nil), http.StatusGone)
	got := expect[contracts.View](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK)
	assert.Equal(t, domain.StatusActive, got.Contract.Status)
	require.Len(t, got.Signatures, 2)
	assert.Equal(t, "Mozilla/5.0 (Macintosh) 微信", got.Signatures[1].UserAgent)

	// Certificate of completion: sealed, every event, readable.
	cert := expect[eseal.Certificate](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/certificate", "auditor", nil), http.StatusOK)
	require.NoError(t, eseal.VerifyCertificate(s.Sealer.PublicKey(), cert))
	assert.Equal(t, row.DocumentSHA256, cert.DocumentSHA256)
	require.NotNil(t, cert.CompletedAt)
	var kinds []string
	for _, e := range cert.Events {
		kinds = append(kinds, e.Kind)
	}
	for _, want := range []string{"sent", "opened", "signed"} {
		assert.Contains(t, kinds, want)
	}
	assert.Len(t, cert.Signatures, 2)
	r = call(t, s, http.MethodGet, "/v1/contracts/"+n+"/certificate?format=html", "sales", nil)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Contains(t, r.Header.Get("Content-Type"), "text/html")
	assert.Contains(t, string(r.Body), "王建国")
	assert.Contains(t, string(r.Body), cert.DocumentSHA256)
	assert.Equal(t, []string{"format"}, fieldsOf(t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/certificate?format=pdf", "sales", nil)))
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/certificate", "sales2", nil), http.StatusNotFound)

	// Anyone holding the document can verify it, without a token.
	key := expect[eseal.PublicKeyInfo](t, call(t, s, http.MethodGet, "/v1/signing-key", "", nil), http.StatusOK)
	assert.Equal(t, s.Sealer.KeyID(), key.KeyID)
	doc := call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document?format=text", "sales", nil).Body
	verify := func(body []byte, ctype string) esign.VerifyResult {
		req, err := http.NewRequest(http.MethodPost, s.URL+"/v1/verify", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var v esign.VerifyResult
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
		return v
	}
	v := verify(doc, "text/plain; charset=utf-8")
	assert.True(t, v.Matches)
	assert.True(t, v.SealsValid)
	require.Len(t, v.Versions, 1)
	assert.Equal(t, n, v.Versions[0].ContractNumber)
	assert.True(t, v.Versions[0].FullySigned)
	assert.Len(t, v.Versions[0].Signatures, 2)
	changed := bytes.Clone(doc)
	changed[len(changed)/2] ^= 1
	v = verify(changed, "application/octet-stream")
	assert.False(t, v.Matches, "a changed byte matches nothing")
	assert.False(t, v.SealsValid)
	v = verify([]byte(`{"document_sha256":"`+row.DocumentSHA256+`"}`), "application/json")
	assert.True(t, v.Matches)

	tampered := cert
	tampered.Events = append([]eseal.Event{}, cert.Events...)
	tampered.Events[0].IP = "10.9.9.9"
	raw, _ := json.Marshal(map[string]any{"certificate": tampered})
	v = verify(raw, "application/json")
	require.NotNil(t, v.Certificate)
	assert.False(t, v.Certificate.Valid, "a tampered certificate fails its seal")
	raw, _ = json.Marshal(map[string]any{"certificate": cert})
	assert.True(t, verify(raw, "application/json").Certificate.Valid)
	assert.Equal(t, []string{"document_sha256"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/verify", "", map[string]any{"document_sha256": "xyz"})))
	assert.Equal(t, []string{"document_sha256"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/verify", "", map[string]any{})))
}

// TestSignerReplacementAndDecline: a wrong email is corrected, which voids
// the links already out; the corrected signer declines, which closes the
// round and returns the contract to approved with the reason.
func TestSignerReplacementAndDecline(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := approved(t, s)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", map[string]any{
		"signers": []map[string]any{
			{"party": "customer", "name": "王建国", "email": "wang@wrong.example", "role": "采购总监", "group": 1},
			{"party": "company", "user_id": "demo-executive", "group": 2},
		},
		"deadline_days": 7,
	}), http.StatusOK)
	signer := signingOf(t, s, n).Signers[0]
	old := mailedLink(t, s, n, signer.ID)

	path := "/v1/contracts/" + n + "/signers/" + signer.ID
	assert.Equal(t, []string{"email"}, fieldsOf(t, call(t, s, http.MethodPut, path, "sales", map[string]any{"name": "王建国", "email": "x"})))
	expect[errorBody](t, call(t, s, http.MethodPut, path, "sales2", map[string]any{"name": "王建国", "email": "wang@xingchen.example"}), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodPut, "/v1/contracts/"+n+"/signers/"+n+"-SR1-9", "sales", map[string]any{"name": "王建国", "email": "wang@xingchen.example"}), http.StatusNotFound)
	round := expect[workflows.SigningState](t, call(t, s, http.MethodPut, path, "sales", map[string]any{"name": "王建国", "email": "wang@xingchen.example"}), http.StatusOK)
	assert.Equal(t, "wang@xingchen.example", round.Signers[0].Email)
	assert.Equal(t, "采购总监", round.Signers[0].Role, "an unnamed role stays")
	expect[errorBody](t, call(t, s, http.MethodGet, old, "", nil), http.StatusGone)
	expect[errorBody](t, call(t, s, http.MethodPost, old, "", signBody("王建国")), http.StatusGone)

	// The corrected address gets a new link, by mail.
	link := mailedLink(t, s, n, signer.ID)
	require.NotEqual(t, old, link)
	assert.Equal(t, []string{"reason"}, fieldsOf(t, call(t, s, http.MethodPost, link+"/decline", "", map[string]any{"reason": ""})))
	res := expect[esign.SignResult](t, call(t, s, http.MethodPost, link+"/decline", "", map[string]any{"reason": "付款条款需要重新协商"}), http.StatusOK)
	assert.Equal(t, string(workflows.SigningOutcomeDeclined), res.Outcome)
	assert.Equal(t, domain.StatusApproved, res.ContractStatus)
	expect[errorBody](t, call(t, s, http.MethodPost, link, "", signBody("王建国")), http.StatusGone)

	events := expect[struct{ Items []domain.Event }](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/events", "sales", nil), http.StatusOK)
	last := events.Items[len(events.Items)-1]
	assert.Equal(t, domain.EventSigningDeclined, last.Kind)
	assert.Equal(t, "付款条款需要重新协商", last.Opinion)
	assert.Equal(t, domain.StatusApproved, last.ToStatus)
	cert := expect[eseal.Certificate](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/certificate", "sales", nil), http.StatusOK)
	var kinds []string
	for _, e := range cert.Events {
		kinds = append(kinds, e.Kind)
	}
	assert.Contains(t, kinds, "voided")
	assert.Contains(t, kinds, "declined")
	assert.Nil(t, cert.CompletedAt)

	// It can go out again: a new round.
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", nil), http.StatusOK)
	assert.Equal(t, 2, signingOf(t, s, n).Round)
}

// TestProviderWebhook: an external provider's callback is applied once,
// and only when its signature and timestamp check.
func TestProviderWebhook(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := approved(t, s)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", map[string]any{
		"signers": []map[string]any{{"party": "company", "user_id": "demo-executive"}, {"party": "customer", "name": "王建国", "email": "wang@xingchen.example"}},
	}), http.StatusOK)
	company, signer := signingOf(t, s, n).Signers[0], signingOf(t, s, n).Signers[1]
	expect[esign.SignResult](t, signIn(t, s, n, company.ID, "executive"), http.StatusOK)
	body := []byte(fmt.Sprintf(`{"event":"signed","signer_id":%q,"signer_name":"王建国","ip":"192.0.2.10","user_agent":"esign-provider/2"}`, signer.ID))
	post := func(sig, ts, id string, body []byte) response {
		return call(t, s, http.MethodPost, "/webhooks/esign", "", string(body),
			"X-Signet-Signature", sig, "X-Signet-Timestamp", ts, "X-Signet-Delivery", id)
	}
	now := time.Now()
	secret := []byte(testenv.WebhookSecret)
	good := eseal.SignWebhook(secret, now, "dl-1", body)
	unix := strconv.FormatInt(now.Unix(), 10)
	old := now.Add(-10 * time.Minute)
	for name, r := range map[string]response{
		"forged":              post(eseal.SignWebhook([]byte("not-the-secret-not-the-secret-xx"), now, "dl-1", body), unix, "dl-1", body),
		"a changed body":      post(good, unix, "dl-1", bytes.Replace(body, []byte("王建国"), []byte("李四"), 1)),
		"another delivery":    post(good, unix, "dl-2", body),
		"an old timestamp":    post(eseal.SignWebhook(secret, old, "dl-1", body), strconv.FormatInt(old.Unix(), 10), "dl-1", body),
		"no signature":        post("", unix, "dl-1", body),
		"a garbage timestamp": post(good, "soon", "dl-1", body),
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, "unauthorized", expect[errorBody](t, r, http.StatusUnauthorized).Error)
		})
	}
	assert.Equal(t, domain.SignerOpen, signingOf(t, s, n).Signers[1].Status, "nothing was applied")

	accepted := expect[struct{ Duplicate bool }](t, post(good, unix, "dl-1", body), http.StatusAccepted)
	assert.False(t, accepted.Duplicate)
	again := expect[struct{ Duplicate bool }](t, post(good, unix, "dl-1", body), http.StatusAccepted)
	assert.True(t, again.Duplicate, "a replayed delivery is acknowledged, not applied")
	require.Eventually(t, func() bool {
		row, err := s.Store.Contract(t.Context(), n)
		return err == nil && row.Status == domain.StatusActive
	}, 15*time.Second, 50*time.Millisecond)
	sigs := expect[contracts.View](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK).Signatures
	require.Len(t, sigs, 2)
	assert.Equal(t, "esign-provider/2", sigs[1].UserAgent)

	// A provider cannot sign for the company: its signer signs signed in.
	forCompany := []byte(fmt.Sprintf(`{"event":"signed","signer_id":%q,"signer_name":"陈静"}`, company.ID))
	assert.Equal(t, []string{"signer_id"}, fieldsOf(t, post(eseal.SignWebhook(secret, now, "dl-4", forCompany), unix, "dl-4", forCompany)))

	bad := []byte(`{"event":"maybe","signer_id":"x"}`)
	assert.Equal(t, []string{"event"}, fieldsOf(t, post(eseal.SignWebhook(secret, now, "dl-3", bad), unix, "dl-3", bad)))
}

// TestSigningWithOneTimeCode: a request that asks for codes takes a
// customer's signature only with the code mailed to them, once.
func TestSigningWithOneTimeCode(t *testing.T) {
	testenv.RequireIntegration(t)
	plain := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithoutMail())
	n := approved(t, plain)
	assert.Equal(t, []string{"require_code"}, fieldsOf(t, call(t, plain, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", map[string]any{"require_code": true})),
		"without mail no code can reach the signer")
	assert.Equal(t, "unprocessable", expect[errorBody](t, call(t, plain, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", nil), http.StatusUnprocessableEntity).Error,
		"without mail no link can reach the customer")

	s := testenv.NewStack(t, testenv.TemporalAddress())
	n = approved(t, s)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", map[string]any{
		"signers":      []map[string]any{{"party": "customer", "name": "王建国", "email": "wang.jianguo@xingchen.example", "group": 1}, {"party": "company", "user_id": "demo-executive", "group": 2}},
		"require_code": true,
	}), http.StatusOK)
	link := mailedLink(t, s, n, signingOf(t, s, n).Signers[0].ID)
	expect[errorBody](t, call(t, s, http.MethodPost, link, "", signBody("王建国")), http.StatusUnprocessableEntity)

	sent := expect[esign.CodeSent](t, call(t, s, http.MethodPost, link+"/code", "", nil), http.StatusAccepted)
	assert.Equal(t, "w***@xingchen.example", sent.SentTo)
	code := mailedCode(t, s, n, "wang.jianguo@xingchen.example")

	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	withCode := func(c string) map[string]any {
		return map[string]any{"signer_name": "王建国", "consent": true, "code": c}
	}
	assert.Equal(t, []string{"code"}, fieldsOf(t, call(t, s, http.MethodPost, link, "", withCode(wrong))))
	assert.Equal(t, []string{"code"}, fieldsOf(t, call(t, s, http.MethodPost, link, "", withCode("12ab"))))
	res := expect[esign.SignResult](t, call(t, s, http.MethodPost, link, "", withCode(code)), http.StatusOK)
	assert.Equal(t, domain.StatusSigning, res.ContractStatus, "the company signs next")
	// The company signer needs no code: they are signed in.
	res = expect[esign.SignResult](t, signIn(t, s, n, signingOf(t, s, n).Signers[1].ID, "executive"), http.StatusOK)
	assert.Equal(t, domain.StatusActive, res.ContractStatus)
}

// codePattern finds a one-time code in its mail's subject.
var codePattern = regexp.MustCompile(`[0-9]{6}$`)

// mailedCode is the newest one-time code mailed to address for contract n.
func mailedCode(t testing.TB, s *testenv.Stack, n, address string) string {
	t.Helper()
	code := ""
	for _, m := range mailAbout(t, s, address, n) {
		if c := codePattern.FindString(m.Subject); c != "" {
			code = c
		}
	}
	require.NotEmpty(t, code, "no code was mailed to %s", address)
	return code
}
