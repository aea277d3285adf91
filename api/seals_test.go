package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/testkit/pdftext"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// uploadSeal posts a seal as role: the multipart parts name and image.
func uploadSeal(t *testing.T, s *testenv.Stack, role, name string, image []byte) response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	require.NoError(t, w.WriteField("name", name))
	part, err := w.CreateFormFile("image", "seal.png")
	require.NoError(t, err)
	_, err = part.Write(image)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return call(t, s, http.MethodPost, "/v1/seals", role, body.String(), "Content-Type", w.FormDataContentType())
}

func opaquePNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 200, 200))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

func sealAudit(t *testing.T, s *testenv.Stack, id string) []string {
	t.Helper()
	rows, err := s.Store.Pool().Query(t.Context(), `SELECT action FROM audit_events WHERE object_type = 'seal' AND object_id = $1 ORDER BY seq`, id)
	require.NoError(t, err)
	var actions []string
	for rows.Next() {
		var a string
		require.NoError(t, rows.Scan(&a))
		actions = append(actions, a)
	}
	require.NoError(t, rows.Err())
	return actions
}

// TestSealUploadAndAppliers: an admin uploads the company seal (a PNG
// with transparency; an opaque one, a non-PNG or one too big is refused
// on "image"), names who may apply it (signatories only, else 400 on
// user_ids) and deactivates it; every change is audited and nobody else
// may make one.
func TestSealUploadAndAppliers(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	image := devstack.SealPNG(320)

	assert.Equal(t, []string{"image"}, fieldsOf(t, uploadSeal(t, s, "admin", "合同专用章", opaquePNG(t))), "an opaque PNG hides the text under it")
	assert.Equal(t, []string{"image"}, fieldsOf(t, uploadSeal(t, s, "admin", "合同专用章", []byte("GIF89a not a png"))))
	assert.Equal(t, []string{"image"}, fieldsOf(t, uploadSeal(t, s, "admin", "合同专用章", append(bytes.Clone(image), make([]byte, esign.SealMaxBytes)...))))
	assert.Equal(t, []string{"name"}, fieldsOf(t, uploadSeal(t, s, "admin", "  ", image)))
	for _, role := range []string{"sales", "executive", "auditor", "legal"} {
		expect[errorBody](t, uploadSeal(t, s, role, "合同专用章", image), http.StatusForbidden)
	}

	seal := expect[api.CompanySeal](t, uploadSeal(t, s, "admin", "合同专用章", image), http.StatusCreated)
	sum := sha256.Sum256(image)
	assert.Equal(t, "合同专用章", seal.Name, "Chinese round-trips")
	assert.Equal(t, hex.EncodeToString(sum[:]), seal.SHA256)
	assert.Equal(t, [2]int{320, 320}, [2]int{seal.Width, seal.Height})
	assert.True(t, seal.Active)
	assert.Empty(t, seal.Appliers, "nobody may apply a new seal")

	list := expect[struct{ Items []api.CompanySeal }](t, call(t, s, http.MethodGet, "/v1/seals", "auditor", nil), http.StatusOK)
	require.Len(t, list.Items, 1, "only the accepted upload was stored")
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/seals", "sales", nil), http.StatusForbidden)
	img := call(t, s, http.MethodGet, "/v1/seals/"+seal.ID+"/image", "admin", nil)
	require.Equal(t, http.StatusOK, img.Status)
	assert.Equal(t, "image/png", img.Header.Get("Content-Type"))
	assert.Equal(t, image, img.Body)

	appliers := "/v1/seals/" + seal.ID + "/appliers"
	assert.Equal(t, []string{"user_ids"}, fieldsOf(t, call(t, s, http.MethodPut, appliers, "admin", map[string]any{"user_ids": []string{"demo-finance"}})),
		"finance has no signing authority")
	assert.Equal(t, []string{"user_ids"}, fieldsOf(t, call(t, s, http.MethodPut, appliers, "admin", map[string]any{"user_ids": []string{"nobody"}})))
	expect[errorBody](t, call(t, s, http.MethodPut, appliers, "executive", map[string]any{"user_ids": []string{"demo-executive"}}), http.StatusForbidden)
	seal = expect[api.CompanySeal](t, call(t, s, http.MethodPut, appliers, "admin", map[string]any{"user_ids": []string{"demo-executive"}}), http.StatusOK)
	require.Len(t, seal.Appliers, 1)
	assert.Equal(t, "demo-executive", seal.Appliers[0].UserID)
	assert.Equal(t, "demo-admin", seal.Appliers[0].GrantedBy)

	mine := expect[struct{ Items []api.CompanySeal }](t, call(t, s, http.MethodGet, "/v1/me/seals", "executive", nil), http.StatusOK)
	require.Len(t, mine.Items, 1)
	assert.Equal(t, seal.ID, mine.Items[0].ID)
	mine = expect[struct{ Items []api.CompanySeal }](t, call(t, s, http.MethodGet, "/v1/me/seals", "finance", nil), http.StatusOK)
	assert.Empty(t, mine.Items)

	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/seals/"+seal.ID+"/deactivate", "sales", nil), http.StatusForbidden)
	seal = expect[api.CompanySeal](t, call(t, s, http.MethodPost, "/v1/seals/"+seal.ID+"/deactivate", "admin", nil), http.StatusOK)
	assert.False(t, seal.Active)
	assert.Equal(t, "demo-admin", seal.DeactivatedBy)
	mine = expect[struct{ Items []api.CompanySeal }](t, call(t, s, http.MethodGet, "/v1/me/seals", "executive", nil), http.StatusOK)
	assert.Empty(t, mine.Items, "a deactivated seal is nobody's to apply")
	expect[errorBody](t, call(t, s, http.MethodPut, appliers, "admin", map[string]any{"user_ids": []string{"demo-executive"}}), http.StatusConflict)
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/seals/nope/deactivate", "admin", nil), http.StatusNotFound)
	assert.False(t, expect[api.CompanySeal](t, call(t, s, http.MethodPost, "/v1/seals/"+seal.ID+"/deactivate", "admin", nil), http.StatusOK).Active, "again: still deactivated")

	assert.Equal(t, []string{"seal.added", "seal.appliers_set", "seal.deactivated"}, sealAudit(t, s, seal.ID))
}

// TestSignatoryAppliesTheCompanySeal: the company signatory signing a
// contract may not apply a seal nobody named them for (400 on seal_id,
// nothing signed), may apply theirs, and the contract's PDF then carries
// it beside the company signature and names it on the certificate.
func TestSignatoryAppliesTheCompanySeal(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	image := devstack.SealPNG(320)
	theirs := expect[api.CompanySeal](t, uploadSeal(t, s, "admin", "合同专用章", image), http.StatusCreated)
	expect[api.CompanySeal](t, call(t, s, http.MethodPut, "/v1/seals/"+theirs.ID+"/appliers", "admin", map[string]any{"user_ids": []string{"demo-executive"}}), http.StatusOK)
	other := expect[api.CompanySeal](t, uploadSeal(t, s, "admin", "财务专用章", devstack.SealPNG(200)), http.StatusCreated)

	n := approved(t, s)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", nil), http.StatusOK)
	round := signingOf(t, s, n)
	var company workflows.SignerState
	for _, sg := range round.Signers {
		if sg.Party == domain.PartyCompany {
			company = sg
		}
	}
	require.Equal(t, "demo-executive", company.UserID)
	sign := "/v1/contracts/" + n + "/signers/" + company.ID + "/sign"
	assert.Equal(t, []string{"seal_id"}, fieldsOf(t, call(t, s, http.MethodPost, sign, "executive", map[string]any{"consent": true, "seal_id": other.ID})),
		"a seal nobody named them for")
	assert.Equal(t, []string{"seal_id"}, fieldsOf(t, call(t, s, http.MethodPost, sign, "executive", map[string]any{"consent": true, "seal_id": "no-such-seal"})))
	require.Equal(t, domain.SignerOpen, signingOf(t, s, n).Signers[0].Status, "a refused seal signs nothing")

	res := expect[esign.SignResult](t, call(t, s, http.MethodPost, sign, "executive", map[string]any{"consent": true, "seal_id": theirs.ID}, "X-Request-ID", "seal-sign-1"), http.StatusOK)
	require.NotNil(t, res.Signature)
	again := call(t, s, http.MethodPost, sign, "executive", map[string]any{"consent": true, "seal_id": theirs.ID}, "X-Request-ID", "seal-sign-1")
	assert.Equal(t, http.StatusOK, again.Status, "a retried request answers the first signature")
	for _, sg := range signingOf(t, s, n).Signers {
		if sg.Party == domain.PartyCustomer {
			signAs(t, s, n, sg.ID, sg.Name)
		}
	}

	var applied int
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM seal_applications WHERE signature_id = $1 AND seal_id = $2`, company.ID, theirs.ID).Scan(&applied))
	assert.Equal(t, 1, applied, "the seal is recorded once, with the signature")
	var who string
	require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT actor_id FROM audit_events WHERE action = 'seal.applied' AND object_id = $1`, n).Scan(&who))
	assert.Equal(t, "demo-executive", who, "applying the seal is audited as the signatory's")
	assert.True(t, expect[api.AuditVerification](t, call(t, s, http.MethodGet, "/v1/audit/verify", "auditor", nil), http.StatusOK).OK, "the audit chain holds")

	live := expect[struct {
		Live *workflows.ContractState `json:"live"`
	}](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK)
	require.NotNil(t, live.Live)
	var customer workflows.SignerState
	for _, sg := range round.Signers {
		if sg.Party == domain.PartyCustomer {
			customer = sg
		}
	}
	drawn := devstack.SealPNG(120) // any PNG stands in for a drawn signature
	a := &activities.Activities{PDF: s.Store, Sealer: s.Sealer}
	file, err := a.RenderPDF(context.Background(), activities.RenderPDFInput{ContractNumber: n, Version: live.Live.Version,
		SignatureImages: map[string][]byte{customer.ID: drawn}})
	require.NoError(t, err)
	pages := pdfText(t, file.PDF)
	cert := pages[len(pages)-1]
	require.Contains(t, cert, "签署证书")
	sigPage := 0
	var text strings.Builder
	for i, p := range pages[:len(pages)-1] {
		if strings.Contains(p, pdftext.Squeeze("甲方（盖章）")) {
			sigPage = i + 1
		}
		footer := pdftext.Squeeze(fmt.Sprintf("合同编号 %s · 文档 SHA-256 %s 第 %d 页，共 %d 页", n, live.Live.Contract.DocumentSHA256, i+1, len(pages)))
		require.True(t, strings.HasPrefix(p, footer), "page %d's footer: %s", i+1, p)
		text.WriteString(strings.TrimPrefix(p, footer))
	}
	canonical := call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document?format=text", "sales", nil)
	require.Equal(t, http.StatusOK, canonical.Status)
	assert.True(t, strings.HasPrefix(text.String(), pdftext.Canonical(string(canonical.Body))), "the sealed PDF still reads as the canonical text")
	require.NotZero(t, sigPage)
	assert.Equal(t, []pdftext.Image{
		{Page: sigPage, Width: 320, Height: 320, SMask: true}, // the seal, Party A's block
		{Page: sigPage, Width: 120, Height: 120, SMask: true}, // the customer's drawn signature, Party B's
	}, pdftext.Images(t, file.PDF), "the seal and the drawn signature, with their transparency, on the signature page")
	for _, want := range []string{"合同专用章", theirs.SHA256, s.Sealer.KeyID(), "陈静", "签署过程", "发送签署链接"} {
		assert.Contains(t, cert, pdftext.Squeeze(want), "the certificate names the seal applied and the trail")
	}
	assert.NotContains(t, cert, "财务专用章")
}

// TestDemoSeal: `signet dev` seeds the demo company's seal, drawn at seed
// time, for the demo executive to apply; seeding again changes nothing.
func TestDemoSeal(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	require.NoError(t, devstack.SeedDemoSeal(t.Context(), s.Store))
	require.NoError(t, devstack.SeedDemoSeal(t.Context(), s.Store), "seeding twice")
	mine := expect[struct{ Items []api.CompanySeal }](t, call(t, s, http.MethodGet, "/v1/me/seals", "executive", nil), http.StatusOK)
	require.Len(t, mine.Items, 1)
	assert.Equal(t, devstack.DemoSealID, mine.Items[0].ID)
	assert.Equal(t, devstack.DemoSealName, mine.Items[0].Name)
	img := call(t, s, http.MethodGet, "/v1/seals/"+devstack.DemoSealID+"/image", "admin", nil)
	require.Equal(t, http.StatusOK, img.Status)
	_, _, err := esign.CheckSealImage(img.Body)
	assert.NoError(t, err, "the demo seal passes the checks an upload does")
	assert.Equal(t, []string{"seal.added", "seal.appliers_set"}, sealAudit(t, s, devstack.DemoSealID))
}

// TestCertificateShowsTheCodeChecked: a customer signer who signed with
// the one-time code mailed to them is 验证码校验：已通过 on the PDF's
// certificate page, read from what was recorded (the render is not told),
// and the company signer, signed in, used none.
func TestCertificateShowsTheCodeChecked(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := approved(t, s)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", map[string]any{
		"signers":      []map[string]any{{"party": "customer", "name": "王建国", "email": "wang.jianguo@xingchen.example", "group": 1}, {"party": "company", "user_id": "demo-executive", "group": 2}},
		"require_code": true,
	}), http.StatusOK)
	link := mailedLink(t, s, n, signingOf(t, s, n).Signers[0].ID)
	expect[esign.CodeSent](t, call(t, s, http.MethodPost, link+"/code", "", nil), http.StatusAccepted)
	code := mailedCode(t, s, n, "wang.jianguo@xingchen.example")
	expect[esign.SignResult](t, call(t, s, http.MethodPost, link, "", map[string]any{"signer_name": "王建国", "consent": true, "code": code}), http.StatusOK)
	res := expect[esign.SignResult](t, signIn(t, s, n, signingOf(t, s, n).Signers[1].ID, "executive"), http.StatusOK)
	require.Equal(t, domain.StatusActive, res.ContractStatus)

	view := expect[struct {
		Live *workflows.ContractState `json:"live"`
	}](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK)
	require.NotNil(t, view.Live)
	a := &activities.Activities{PDF: s.Store, Sealer: s.Sealer}
	file, err := a.RenderPDF(context.Background(), activities.RenderPDFInput{ContractNumber: n, Version: view.Live.Version})
	require.NoError(t, err)
	pages := pdfText(t, file.PDF)
	cert := pages[len(pages)-1]
	customer, company, ok := strings.Cut(cert, pdftext.Squeeze("2. 陈静"))
	require.True(t, ok, "the customer signed first, then the company: %s", cert)
	assert.Contains(t, customer, pdftext.Squeeze("验证码校验：已通过"))
	assert.Contains(t, company, pdftext.Squeeze("验证码校验：未使用"))
	assert.Contains(t, cert, pdftext.Squeeze("发送验证码 · 王建国"), "the code sent is on the trail")
}
