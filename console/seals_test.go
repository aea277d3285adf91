package console_test

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/testkit/testenv"
)

// postSeal uploads a seal from the page's form as a browser would: a
// multipart body with the form token (csrf "" leaves it out).
func (v *visitor) postSeal(name string, data []byte, csrf string) page {
	v.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if csrf != "" {
		require.NoError(v.t, w.WriteField("csrf_token", csrf))
	}
	require.NoError(v.t, w.WriteField("name", name))
	part, err := w.CreateFormFile("image", "seal.png")
	require.NoError(v.t, err)
	_, err = part.Write(data)
	require.NoError(v.t, err)
	require.NoError(v.t, w.Close())
	req, err := http.NewRequest(http.MethodPost, v.s.URL+"/admin/seals", &body)
	require.NoError(v.t, err)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	return v.do(req)
}

// TestSealsAdminPage: /admin/seals is the admin's (anyone else gets the
// 404 page); an upload without the form token is refused; a hostile name
// is shown escaped; an opaque image and a non-signatory applier are
// refused beside their fields; the executive named then finds the seal
// offered, chosen already, when signing on the contract page, and the
// signature carries it.
func TestSealsAdminPage(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())

	sales := newVisitor(t, s)
	sales.signIn("sales")
	assert.Equal(t, http.StatusNotFound, sales.get("/admin/seals").Status)
	assert.Equal(t, http.StatusNotFound, sales.postSeal("合同专用章", devstack.SealPNG(200), sales.csrf).Status)
	assert.NotContains(t, sales.get("/").Body, `data-testid="nav-seals"`)

	admin := newVisitor(t, s)
	admin.signIn("admin")
	assert.Contains(t, admin.get("/").Body, `data-testid="nav-seals"`)
	pg := admin.get("/admin/seals")
	require.Equal(t, http.StatusOK, pg.Status)
	assert.Contains(t, pg.Body, "电子印章管理")
	assert.Contains(t, pg.Body, "尚未上传印章")

	assert.Equal(t, http.StatusForbidden, admin.postSeal("合同专用章", devstack.SealPNG(200), "").Status, "no form token")
	assert.Equal(t, http.StatusForbidden, admin.postSeal("合同专用章", devstack.SealPNG(200), "x"+admin.csrf[1:]).Status, "another token")
	assert.Equal(t, 0, count(t, s, `SELECT count(*) FROM seals`))

	opaque := image.NewNRGBA(image.Rect(0, 0, 100, 100))
	for i := range opaque.Pix {
		opaque.Pix[i] = 0xff
	}
	var flat bytes.Buffer
	require.NoError(t, png.Encode(&flat, opaque))
	r := admin.postSeal("公章", flat.Bytes(), admin.csrf)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Regexp(t, `name="image"[^>]*>\s*<span class="field-error" role="alert">[^<]*transparent`, r.Body, "the refusal beside the image field")
	assert.Contains(t, r.Body, `value="公章"`, "the name typed is kept")

	hostile := `<script>alert("x")</script>合同专用章`
	r = admin.postSeal(hostile, devstack.SealPNG(200), admin.csrf)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	pg = admin.get(r.Location)
	require.Equal(t, http.StatusOK, pg.Status)
	assert.NotContains(t, pg.Body, hostile)
	assert.Contains(t, pg.Body, `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;合同专用章`)
	assert.Contains(t, pg.Body, `src="data:image/png;base64,`, "the seal's image is shown")
	appliers := regexp.MustCompile(`action="(/admin/seals/[^/"]+/appliers)"`).FindStringSubmatch(pg.Body)
	require.NotNil(t, appliers, pg.Body)
	assert.Contains(t, pg.Body, `value="demo-executive"`, "the signatories are offered")

	r = admin.post(appliers[1], url.Values{"user_ids": {"demo-finance"}})
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Regexp(t, `<span class="field-error" role="alert">[^<]*no signing authority`, r.Body)
	r = admin.post(appliers[1], url.Values{"user_ids": {"demo-executive"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	assert.Contains(t, admin.get("/admin/seals").Body, `value="demo-executive" checked`)

	n := approvedContract(t, s, "用印测试")
	apiCall(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", nil)
	exec := newVisitor(t, s)
	exec.signIn("executive")
	cp := exec.get("/contracts/" + n)
	require.Contains(t, cp.Body, `data-testid="seal-choice"`)
	choice := regexp.MustCompile(`name="seal_id" value="([^"]+)" checked`).FindStringSubmatch(cp.Body)
	require.NotNil(t, choice, "their only seal is chosen already: %s", cp.Body)
	action := regexp.MustCompile(`action="(/contracts/` + n + `/signers/[^/"]+)/sign"`).FindStringSubmatch(cp.Body)
	require.NotNil(t, action)
	r = exec.post(action[1]+"/sign", url.Values{"consent": {"1"}, "seal_id": {"someone-elses"}, "request_id": {"seal-1"}})
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, r.Body, "you may not apply this seal")
	r = exec.post(action[1]+"/sign", url.Values{"consent": {"1"}, "seal_id": {choice[1]}, "request_id": {"seal-2"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM seal_applications a JOIN signatures g ON g.id = a.signature_id
		WHERE g.contract_number = $1 AND a.seal_id = $2`, n, choice[1]))
}
