package console_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/pdfsig"
	"github.com/signet-clm/signet/testkit/testenv"
)

// postVerify uploads file from the verification page's form; headers are
// extra request headers (a cross-site post's).
func (v *visitor) postVerify(name string, file []byte, headers ...string) page {
	v.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", name)
	require.NoError(v.t, err)
	_, err = part.Write(file)
	require.NoError(v.t, err)
	require.NoError(v.t, w.Close())
	req, err := http.NewRequest(http.MethodPost, v.s.URL+"/verify", &body)
	require.NoError(v.t, err)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return v.do(req)
}

// hostileKey is a self-signed key whose certificate's name is markup.
func hostileKey(t *testing.T) *pdfsig.Key {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: `<script>alert("cn")</script>`},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	k, err := pdfsig.NewKey(key, cert)
	require.NoError(t, err)
	return k
}

// TestVerifyPage: /verify needs nobody; the signed PDF of a completed
// contract, downloaded by its owner, is reported valid, whole, Signet's
// and matched to the contract, in Chinese or English; an edit appended
// after it shows; a PDF signed by another key is reported unknown, its
// hostile name escaped; no file, or a file that is no PDF, is refused on
// the page; a cross-site post is refused.
func TestVerifyPage(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	sales := newVisitor(t, s)
	sales.signIn("sales")
	n := draftThroughForm(t, s, sales, "验证页测试合同")
	activeThroughAPI(t, s, n)
	signed := apiCall(t, s, http.MethodGet, "/v1/contracts/"+n+"/document?format=pdf", "sales", nil)

	anyone := newVisitor(t, s)
	form := anyone.get("/verify")
	require.Equal(t, http.StatusOK, form.Status)
	assert.Contains(t, form.Body, "验证合同文件")
	assert.Contains(t, form.Body, `enctype="multipart/form-data"`)
	assert.NotContains(t, form.Body, `data-testid="verify-result"`)

	r := anyone.postVerify(n+".pdf", signed)
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	assert.Contains(t, r.Body, `data-testid="verify-match"`)
	assert.Contains(t, r.Body, `data-testid="pdf-signature" data-valid="true" data-signet="true" data-whole="true"`)
	assert.Equal(t, 3, strings.Count(r.Body, `data-testid="pdf-signature" data-valid="true" data-signet="true"`), "each signer's signature and Signet's")
	assert.Equal(t, 2, strings.Count(r.Body, "是之后的修订（下面的签名）"), "the signers' revisions are followed by the later signatures")
	assert.Contains(t, r.Body, `data-testid="pdf-signature-name">王建国</dd>`, "the customer's signature names them")
	assert.Contains(t, r.Body, "Signet 配置的签名证书")
	assert.Contains(t, r.Body, "这是 Signet 为合同 "+n+" 第 1 版保存的已签署文件。")
	assert.Contains(t, r.Body, s.PDFKey.Fingerprint())
	assert.Contains(t, r.Body, "王建国", "who signed the matched version")
	assert.NotContains(t, r.Body, `data-testid="verify-changed-after"`)

	english := newVisitor(t, s)
	english.lang = "en-US,en;q=0.9"
	r = english.postVerify(n+".pdf", append(bytes.Clone(signed), []byte("\n% edited\n")...))
	require.Equal(t, http.StatusOK, r.Status)
	assert.Contains(t, r.Body, `data-testid="verify-changed-after"`)
	assert.Contains(t, r.Body, "No: 10 bytes were added after it")
	assert.Contains(t, r.Body, "Verify a contract file")

	other, err := pdfsig.Sign(signed, hostileKey(t), pdfsig.Info{Name: "<b>x</b>", Date: time.Now()})
	require.NoError(t, err)
	r = anyone.postVerify("other.pdf", other)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Contains(t, r.Body, `data-signet="false"`)
	assert.Contains(t, r.Body, "未知证书（不是 Signet 的）")
	assert.Contains(t, r.Body, "&lt;script&gt;alert(&#34;cn&#34;)&lt;/script&gt;")
	assert.NotContains(t, r.Body, `<script>alert("cn")`)

	r = anyone.postVerify("empty.pdf", nil)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, r.Body, "请选择要验证的文件。")
	r = anyone.postVerify("broken.pdf", []byte("%PDF-1.7 broken"))
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, r.Body, "该文件不是可读取的 PDF。")
	r = anyone.postVerify("text.txt", []byte("不是任何合同的正文"))
	assert.Equal(t, http.StatusOK, r.Status)
	assert.Contains(t, r.Body, `data-testid="verify-nomatch"`)

	assert.Equal(t, http.StatusForbidden, anyone.postVerify(n+".pdf", signed, "Sec-Fetch-Site", "cross-site").Status, "a cross-site post")
}
