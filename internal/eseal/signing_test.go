package eseal_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"html"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Shanghai without relying on the host's zoneinfo

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/eseal"
)

const (
	docHash  = "3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7"
	docHash2 = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
)

func newSealer(t testing.TB, fill byte) *eseal.Sealer {
	t.Helper()
	s, err := eseal.NewSealer(bytes.Repeat([]byte{fill}, ed25519.SeedSize))
	require.NoError(t, err)
	return s
}

func sampleRecord() eseal.SignatureRecord {
	return eseal.SignatureRecord{
		ContractNumber: "SC-2026-0042",
		Version:        3,
		Round:          1,
		DocumentSHA256: docHash,
		SignerID:       "u-1002",
		SignerName:     "王建国",
		SignerEmail:    "wang.jianguo@xingchen.example",
		Party:          "customer",
		Role:           "法定代表人",
		IP:             "203.0.113.7",
		UserAgent:      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1.15",
		SignedAt:       time.Date(2026, 3, 1, 10, 30, 5, 123456000, time.UTC),
		LinkID:         "lnk-7f3a",
	}
}

func sealed(t testing.TB, s *eseal.Sealer, r eseal.SignatureRecord) eseal.SealedSignature {
	t.Helper()
	seal, err := s.Seal(r)
	require.NoError(t, err)
	return eseal.SealedSignature{SignatureRecord: r, Seal: seal}
}

// tamper changes one character of a base64 string, keeping it valid base64.
func tamper(s string) string {
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

func TestNewSealerInfo(t *testing.T) {
	s := newSealer(t, 1)
	pub := s.PublicKey()
	require.Len(t, pub, ed25519.PublicKeySize)

	sum := sha256.Sum256(pub)
	assert.Equal(t, hex.EncodeToString(sum[:])[:16], s.KeyID())

	info, err := s.Info()
	require.NoError(t, err)
	assert.Equal(t, "Ed25519", info.Algorithm)
	assert.Equal(t, s.KeyID(), info.KeyID)
	raw, err := base64.StdEncoding.DecodeString(info.PublicKey)
	require.NoError(t, err)
	assert.Equal(t, []byte(pub), raw)

	block, rest := pem.Decode([]byte(info.PEM))
	require.NotNil(t, block)
	assert.Empty(t, rest)
	assert.Equal(t, "PUBLIC KEY", block.Type)
	parsed, err := x509.ParsePKIXPublicKey(block.Bytes)
	require.NoError(t, err)
	assert.Equal(t, pub, parsed)

	js, err := json.Marshal(info)
	require.NoError(t, err)
	var fields map[string]string
	require.NoError(t, json.Unmarshal(js, &fields))
	assert.ElementsMatch(t, []string{"algorithm", "key_id", "public_key", "pem"}, mapKeys(fields))

	pub[0] ^= 0xff
	assert.NotEqual(t, pub, s.PublicKey(), "PublicKey must return a copy")
}

func mapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

func TestNewSealerRejectsBadSeed(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		_, err := eseal.NewSealer(make([]byte, n))
		assert.Error(t, err, "seed of %d bytes", n)
	}
}

// The sealed bytes are a wire format: changing them breaks every stored seal.
func TestCanonicalGolden(t *testing.T) {
	got, err := eseal.Canonical(sampleRecord())
	require.NoError(t, err)
	want := `{"contract_number":"SC-2026-0042","version":3,"round":1,` +
		`"document_sha256":"` + docHash + `","signer_id":"u-1002","signer_name":"王建国",` +
		`"signer_email":"wang.jianguo@xingchen.example","party":"customer","role":"法定代表人",` +
		`"ip":"203.0.113.7","user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1.15",` +
		`"signed_at":"2026-03-01T10:30:05.123456Z","link_id":"lnk-7f3a"}`
	assert.Equal(t, want, string(got))
}

func TestSealVerifyRoundTrip(t *testing.T) {
	s := newSealer(t, 1)
	sig := sealed(t, s, sampleRecord())

	assert.Equal(t, "Ed25519", sig.Seal.Algorithm)
	assert.Equal(t, s.KeyID(), sig.Seal.KeyID)
	raw, err := base64.StdEncoding.DecodeString(sig.Seal.Signature)
	require.NoError(t, err)
	assert.Len(t, raw, ed25519.SignatureSize)
	assert.True(t, eseal.Verify(s.PublicKey(), sig.SignatureRecord, sig.Seal))

	// A verifier receives JSON, not Go values.
	js, err := json.Marshal(sig)
	require.NoError(t, err)
	var got eseal.SealedSignature
	require.NoError(t, json.Unmarshal(js, &got))
	assert.True(t, eseal.Verify(s.PublicKey(), got.SignatureRecord, got.Seal))
}

func TestVerifyDetectsEveryFieldChange(t *testing.T) {
	edits := map[string]func(r *eseal.SignatureRecord){
		"ContractNumber": func(r *eseal.SignatureRecord) { r.ContractNumber = "SC-2026-0043" },
		"Version":        func(r *eseal.SignatureRecord) { r.Version++ },
		"Round":          func(r *eseal.SignatureRecord) { r.Round++ },
		"DocumentSHA256": func(r *eseal.SignatureRecord) {
			b := []byte(r.DocumentSHA256)
			b[len(b)/2] ^= 1 // one changed byte
			r.DocumentSHA256 = string(b)
		},
		"SignerID":    func(r *eseal.SignatureRecord) { r.SignerID = "u-1003" },
		"SignerName":  func(r *eseal.SignatureRecord) { r.SignerName = "王建民" },
		"SignerEmail": func(r *eseal.SignatureRecord) { r.SignerEmail = "wang@evil.example" },
		"Party":       func(r *eseal.SignatureRecord) { r.Party = "company" },
		"Role":        func(r *eseal.SignatureRecord) { r.Role = "Director" },
		"IP":          func(r *eseal.SignatureRecord) { r.IP = "203.0.113.8" },
		"UserAgent":   func(r *eseal.SignatureRecord) { r.UserAgent += " " },
		"SignedAt":    func(r *eseal.SignatureRecord) { r.SignedAt = r.SignedAt.Add(time.Nanosecond) },
		"LinkID":      func(r *eseal.SignatureRecord) { r.LinkID = "lnk-7f3b" },
		"UserID":      func(r *eseal.SignatureRecord) { r.UserID = "demo-executive" },
	}

	// A field added to SignatureRecord must get an edit here.
	rt := reflect.TypeFor[eseal.SignatureRecord]()
	var fields []string
	for i := range rt.NumField() {
		fields = append(fields, rt.Field(i).Name)
	}
	assert.ElementsMatch(t, fields, mapKeys(edits))

	s := newSealer(t, 1)
	sig := sealed(t, s, sampleRecord())
	sort.Strings(fields)
	for _, field := range fields {
		edit, ok := edits[field]
		if !ok {
			continue
		}
		t.Run(field, func(t *testing.T) {
			r := sig.SignatureRecord
			edit(&r)
			require.NotEqual(t, sig.SignatureRecord, r)
			assert.False(t, eseal.Verify(s.PublicKey(), r, sig.Seal))
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	s := newSealer(t, 1)
	other := newSealer(t, 2)
	rec := sampleRecord()
	good := sealed(t, s, rec).Seal
	byOther := sealed(t, other, rec).Seal

	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	inShanghai := rec
	inShanghai.SignedAt = rec.SignedAt.In(shanghai) // same instant, other bytes

	cases := []struct {
		name string
		pub  ed25519.PublicKey
		rec  eseal.SignatureRecord
		seal func(eseal.Seal) eseal.Seal
	}{
		{"sealed by another key", s.PublicKey(), rec, func(eseal.Seal) eseal.Seal { return byOther }},
		{"checked against another key", other.PublicKey(), rec, func(x eseal.Seal) eseal.Seal { return x }},
		{"key id relabelled to another key", other.PublicKey(), rec, func(x eseal.Seal) eseal.Seal { x.KeyID = other.KeyID(); return x }},
		{"key id tampered", s.PublicKey(), rec, func(x eseal.Seal) eseal.Seal { x.KeyID = "0000000000000000"; return x }},
		{"signature tampered", s.PublicKey(), rec, func(x eseal.Seal) eseal.Seal { x.Signature = tamper(x.Signature); return x }},
		{"signature not base64", s.PublicKey(), rec, func(x eseal.Seal) eseal.Seal { x.Signature = "!!" + x.Signature[2:]; return x }},
		{"signature truncated", s.PublicKey(), rec, func(x eseal.Seal) eseal.Seal { x.Signature = x.Signature[:40]; return x }},
		{"signature empty", s.PublicKey(), rec, func(x eseal.Seal) eseal.Seal { x.Signature = ""; return x }},
		{"algorithm lower case", s.PublicKey(), rec, func(x eseal.Seal) eseal.Seal { x.Algorithm = "ed25519"; return x }},
		{"algorithm other", s.PublicKey(), rec, func(x eseal.Seal) eseal.Seal { x.Algorithm = "RS256"; return x }},
		{"algorithm missing", s.PublicKey(), rec, func(x eseal.Seal) eseal.Seal { x.Algorithm = ""; return x }},
		{"zero seal", s.PublicKey(), rec, func(eseal.Seal) eseal.Seal { return eseal.Seal{} }},
		{"nil public key", nil, rec, func(x eseal.Seal) eseal.Seal { return x }},
		{"short public key", s.PublicKey()[:16], rec, func(x eseal.Seal) eseal.Seal { return x }},
		{"time not in UTC", s.PublicKey(), inShanghai, func(x eseal.Seal) eseal.Seal { return x }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.False(t, eseal.Verify(tc.pub, tc.rec, tc.seal(good)))
		})
	}
}

// sampleCertificate returns a fresh certificate each call so cases cannot
// share slices.
func sampleCertificate(t testing.TB, s *eseal.Sealer) eseal.Certificate {
	t.Helper()
	company := sampleRecord()
	company.SignerID, company.SignerName, company.SignerEmail = "u-1001", "李明", "li.ming@signet.example"
	company.Party, company.Role, company.IP = "company", "Director", "198.51.100.20"
	company.SignedAt = time.Date(2026, 3, 1, 9, 12, 44, 0, time.UTC)
	company.LinkID = "lnk-51c0"
	customer := sampleRecord()

	completed := customer.SignedAt
	return eseal.Certificate{
		ContractNumber: "SC-2026-0042",
		Title:          "星辰数据平台采购合同",
		Version:        3,
		DocumentSHA256: docHash,
		CompletedAt:    &completed,
		Signatures:     []eseal.SealedSignature{sealed(t, s, company), sealed(t, s, customer)},
		Events: []eseal.Event{
			{Kind: "sent", At: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)},
			{Kind: "opened", SignerID: "u-1001", SignerName: "李明", At: time.Date(2026, 3, 1, 9, 10, 2, 0, time.UTC), IP: "198.51.100.20"},
			{Kind: "signed", SignerID: "u-1001", SignerName: "李明", At: company.SignedAt, IP: company.IP, UserAgent: company.UserAgent},
			{Kind: "opened", SignerID: "u-1002", SignerName: "王建国", At: time.Date(2026, 3, 1, 10, 28, 40, 0, time.UTC), IP: customer.IP},
			{Kind: "signed", SignerID: "u-1002", SignerName: "王建国", At: customer.SignedAt, IP: customer.IP, UserAgent: customer.UserAgent},
		},
		IssuedAt: time.Date(2026, 3, 1, 10, 30, 6, 0, time.UTC),
	}
}

func certify(t testing.TB, s *eseal.Sealer) eseal.Certificate {
	t.Helper()
	c, err := s.Certify(sampleCertificate(t, s))
	require.NoError(t, err)
	require.NotNil(t, c.Seal)
	return c
}

// reseal seals c as Certify would but without its consistency checks, standing
// in for a buggy or dishonest issuer holding the key.
func reseal(t testing.TB, s *eseal.Sealer, c eseal.Certificate) eseal.Certificate {
	t.Helper()
	c.Seal = nil
	seal, err := s.Seal(c)
	require.NoError(t, err)
	c.Seal = &seal
	return c
}

func TestVerifyCertificate(t *testing.T) {
	s := newSealer(t, 1)

	t.Run("good", func(t *testing.T) {
		c := certify(t, s)
		assert.Equal(t, s.KeyID(), c.Seal.KeyID)
		assert.NoError(t, eseal.VerifyCertificate(s.PublicKey(), c))
	})
	t.Run("good after JSON round trip", func(t *testing.T) {
		js, err := json.Marshal(certify(t, s))
		require.NoError(t, err)
		var c eseal.Certificate
		require.NoError(t, json.Unmarshal(js, &c))
		assert.NoError(t, eseal.VerifyCertificate(s.PublicKey(), c))
	})
	t.Run("Certify ignores an existing seal", func(t *testing.T) {
		c := certify(t, s)
		again, err := s.Certify(c)
		require.NoError(t, err)
		assert.Equal(t, c, again)
	})

	cases := []struct {
		name    string
		pub     ed25519.PublicKey
		mutate  func(c *eseal.Certificate)
		wantErr string
	}{
		{"changed event", s.PublicKey(), func(c *eseal.Certificate) { c.Events[1].IP = "192.0.2.1" }, "certificate: seal does not verify"},
		{"added event", s.PublicKey(), func(c *eseal.Certificate) {
			c.Events = append(c.Events, eseal.Event{Kind: "voided", At: c.IssuedAt})
		}, "certificate: seal does not verify"},
		{"removed event", s.PublicKey(), func(c *eseal.Certificate) { c.Events = c.Events[1:] }, "certificate: seal does not verify"},
		{"removed signature", s.PublicKey(), func(c *eseal.Certificate) { c.Signatures = c.Signatures[:1] }, "certificate: seal does not verify"},
		{"changed title", s.PublicKey(), func(c *eseal.Certificate) { c.Title = "星辰数据平台服务合同" }, "certificate: seal does not verify"},
		{"completion cleared", s.PublicKey(), func(c *eseal.Certificate) { c.CompletedAt = nil }, "certificate: seal does not verify"},
		{"tampered signature seal", s.PublicKey(), func(c *eseal.Certificate) {
			c.Signatures[1].Seal.Signature = tamper(c.Signatures[1].Seal.Signature)
		}, "signature 2 (王建国): seal does not verify"},
		{"tampered signature record", s.PublicKey(), func(c *eseal.Certificate) { c.Signatures[0].IP = "192.0.2.1" }, "signature 1 (李明): seal does not verify"},
		{"certificate seal tampered", s.PublicKey(), func(c *eseal.Certificate) { c.Seal.Signature = tamper(c.Seal.Signature) }, "certificate: seal does not verify"},
		{"not sealed", s.PublicKey(), func(c *eseal.Certificate) { c.Seal = nil }, "certificate: not sealed"},
		{"another key", newSealer(t, 2).PublicKey(), func(*eseal.Certificate) {}, "certificate: seal does not verify"},
		{"short public key", s.PublicKey()[:31], func(*eseal.Certificate) {}, "public key is 31 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := certify(t, s)
			tc.mutate(&c)
			assert.ErrorContains(t, eseal.VerifyCertificate(tc.pub, c), tc.wantErr)
		})
	}
}

func TestVerifyCertificateMismatchedSignature(t *testing.T) {
	s := newSealer(t, 1)
	cases := []struct {
		name    string
		edit    func(r *eseal.SignatureRecord)
		wantErr string
	}{
		{"document hash", func(r *eseal.SignatureRecord) { r.DocumentSHA256 = docHash2 },
			"signature 2 (王建国): document hash " + docHash2 + " does not match the certificate's " + docHash},
		{"contract number", func(r *eseal.SignatureRecord) { r.ContractNumber = "SC-2026-0099" },
			"signature 2 (王建国): contract number SC-2026-0099 does not match the certificate's SC-2026-0042"},
		{"version", func(r *eseal.SignatureRecord) { r.Version = 2 },
			"signature 2 (王建国): version 2 does not match the certificate's 3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := sampleCertificate(t, s)
			r := c.Signatures[1].SignatureRecord
			tc.edit(&r)
			c.Signatures[1] = sealed(t, s, r) // a genuine seal over the wrong record

			_, err := s.Certify(c)
			assert.ErrorContains(t, err, tc.wantErr, "Certify must refuse it")

			err = eseal.VerifyCertificate(s.PublicKey(), reseal(t, s, c))
			assert.ErrorContains(t, err, tc.wantErr)
			assert.NotContains(t, err.Error(), "seal does not verify", "every seal is genuine; only the mismatch is wrong")
		})
	}
}

func TestRenderCertificateHTML(t *testing.T) {
	s := newSealer(t, 1)
	c := certify(t, s)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)

	out, err := eseal.RenderCertificateHTML(c, shanghai)
	require.NoError(t, err)
	page := string(out)
	text := html.UnescapeString(page) // what the reader sees

	for _, want := range []string{
		`<html lang="zh-CN">`,
		`<meta charset="utf-8">`,
		"<style>",
		"星辰数据平台采购合同",
		"SC-2026-0042",
		docHash,
		"王建国",
		"wang.jianguo@xingchen.example",
		"法定代表人",
		"客户方",
		"李明",
		"Director",
		"203.0.113.7",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4)",
		"2026-03-01 18:30:05 CST",
		"签署 Signed",
		"POST /v1/verify",
		"GET /v1/signing-key",
		s.KeyID(),
	} {
		assert.Contains(t, page, want)
	}
	// html/template writes '+' as &#43;; the reader sees the offset.
	assert.Contains(t, text, "2026-03-01 18:30:05 CST (UTC+08:00)")
	assert.Contains(t, text, "2026-03-01 17:12:44 CST (UTC+08:00)", "company signature")
	assert.Contains(t, text, "2026-03-01 16:00:00 CST (UTC+08:00)", "sent event")

	for _, external := range []string{"<link", "<script", "src=", "@import", "url("} {
		assert.NotContains(t, page, external, "page must be self-contained")
	}

	t.Run("escapes hostile text", func(t *testing.T) {
		hostile := c
		hostile.Signatures = append([]eseal.SealedSignature(nil), c.Signatures...)
		hostile.Signatures[1].SignerName = `<script>alert("x")</script>`
		hostile.Events = append([]eseal.Event(nil), c.Events...)
		hostile.Events[0].Detail = `<img src=x onerror=alert(1)>`
		out, err := eseal.RenderCertificateHTML(hostile, shanghai)
		require.NoError(t, err)
		page := string(out)
		assert.NotContains(t, page, "<script")
		assert.NotContains(t, page, "<img")
		assert.Contains(t, page, "&lt;script&gt;")
		assert.Contains(t, html.UnescapeString(page), `<script>alert("x")</script>`, "shown as text")
	})
	t.Run("nil location is UTC", func(t *testing.T) {
		out, err := eseal.RenderCertificateHTML(c, nil)
		require.NoError(t, err)
		assert.Contains(t, html.UnescapeString(string(out)), "2026-03-01 10:30:05 UTC (UTC+00:00)")
	})
	t.Run("incomplete and unsealed", func(t *testing.T) {
		draft := c
		draft.CompletedAt, draft.Seal = nil, nil
		out, err := eseal.RenderCertificateHTML(draft, shanghai)
		require.NoError(t, err)
		assert.Contains(t, string(out), "未完成")
		assert.Contains(t, string(out), "本证书尚未签章")
	})
}

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		token, hash, err := eseal.NewToken()
		require.NoError(t, err)
		assert.Len(t, token, 43)
		assert.True(t, eseal.ValidTokenShape(token), token)
		assert.Len(t, hash, sha256.Size)
		assert.Equal(t, hash, eseal.HashToken(token))
		assert.False(t, seen[token], "duplicate token")
		seen[token] = true
	}
	a, _, _ := eseal.NewToken()
	b, _, _ := eseal.NewToken()
	assert.NotEqual(t, eseal.HashToken(a), eseal.HashToken(b))
}

func TestValidTokenShape(t *testing.T) {
	token, _, err := eseal.NewToken()
	require.NoError(t, err)

	// The last character holds two unused bits; setting one gives a string
	// NewToken can never produce.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, token[42])
	nonCanonical := token[:42] + string(alphabet[last+1])

	cases := []struct {
		name string
		s    string
		want bool
	}{
		{"issued", token, true},
		{"all A", strings.Repeat("A", 43), true},
		{"empty", "", false},
		{"short", token[:42], false},
		{"long", token + "A", false},
		{"padded", token + "=", false},
		{"std alphabet plus", "+" + token[1:], false},
		{"std alphabet slash", "/" + token[1:], false},
		{"space", " " + token[1:], false},
		{"newline inside", token[:20] + "\n" + token[21:], false},
		{"non-ASCII", "王" + token[3:], false},
		{"unused bits set", nonCanonical, false},
		{"std base64 of 32 bytes", base64.StdEncoding.EncodeToString(make([]byte, 32)), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, eseal.ValidTokenShape(tc.s))
		})
	}
}

// Pins the signed message so it matches what the provider computes.
func TestSignWebhookMessageFormat(t *testing.T) {
	secret := []byte("whsec_test")
	body := []byte(`{"event":"envelope.completed"}`)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(`1772361005.dlv-01HQ.{"event":"envelope.completed"}`))
	want := "sha256=" + hex.EncodeToString(m.Sum(nil))
	assert.Equal(t, want, eseal.SignWebhook(secret, time.Unix(1772361005, 0), "dlv-01HQ", body))
}

func TestVerifyWebhook(t *testing.T) {
	secret := []byte("whsec_test")
	now := time.Unix(1772361005, 0)
	sent := now.Add(-30 * time.Second)
	ts := strconv.FormatInt(sent.Unix(), 10)
	const id = "dlv-01HQ"
	body := []byte(`{"event":"envelope.completed","envelope_id":"env-9"}`)
	good := eseal.SignWebhook(secret, sent, id, body)
	goodHex := strings.TrimPrefix(good, "sha256=")

	// signedAt returns a header pair with a valid signature for time at.
	signedAt := func(at time.Time) (sig, ts string) {
		return eseal.SignWebhook(secret, at, id, body), strconv.FormatInt(at.Unix(), 10)
	}
	staleSig, staleTS := signedAt(now.Add(-10 * time.Minute))
	futureSig, futureTS := signedAt(now.Add(10 * time.Minute))
	soonSig, soonTS := signedAt(now.Add(2 * time.Minute))
	edgeSig, edgeTS := signedAt(now.Add(-5 * time.Minute))
	farSig, farTS := signedAt(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)) // Sub saturates
	ancientSig, ancientTS := signedAt(time.Unix(0, 0))

	cases := []struct {
		name   string
		secret []byte
		sig    string
		ts     string
		id     string
		body   []byte
		want   error
	}{
		{"good", secret, good, ts, id, body, nil},
		{"upper-case hex", secret, "sha256=" + strings.ToUpper(goodHex), ts, id, body, nil},
		{"slightly in the future", secret, soonSig, soonTS, id, body, nil},
		{"exactly at the skew limit", secret, edgeSig, edgeTS, id, body, nil},
		{"changed body", secret, good, ts, id, append(bytes.Clone(body), ' '), eseal.ErrWebhookSignature},
		{"empty body", secret, good, ts, id, nil, eseal.ErrWebhookSignature},
		{"changed id", secret, good, ts, "dlv-01HR", body, eseal.ErrWebhookSignature},
		{"changed timestamp", secret, good, strconv.FormatInt(sent.Unix()+1, 10), id, body, eseal.ErrWebhookSignature},
		{"timestamp with leading zero", secret, good, "0" + ts, id, body, eseal.ErrWebhookSignature},
		{"wrong secret", []byte("whsec_other"), good, ts, id, body, eseal.ErrWebhookSignature},
		{"no secret", nil, good, ts, id, body, eseal.ErrWebhookSignature},
		{"id with dot shifts bytes from body", secret,
			eseal.SignWebhook(secret, sent, "dlv", []byte("01HQ."+string(body))), ts, "dlv.01HQ", body, eseal.ErrWebhookSignature},
		{"empty id", secret, good, ts, "", body, eseal.ErrWebhookSignature},
		{"10 minutes old", secret, staleSig, staleTS, id, body, eseal.ErrWebhookStale},
		{"10 minutes ahead", secret, futureSig, futureTS, id, body, eseal.ErrWebhookStale},
		{"year 9999", secret, farSig, farTS, id, body, eseal.ErrWebhookStale},
		{"unix epoch", secret, ancientSig, ancientTS, id, body, eseal.ErrWebhookStale},
		{"stale timestamp, bad signature", secret, good, staleTS, id, body, eseal.ErrWebhookSignature},
		{"empty signature", secret, "", ts, id, body, eseal.ErrWebhookSignature},
		{"prefix only", secret, "sha256=", ts, id, body, eseal.ErrWebhookSignature},
		{"no prefix", secret, goodHex, ts, id, body, eseal.ErrWebhookSignature},
		{"other scheme", secret, "sha1=" + goodHex, ts, id, body, eseal.ErrWebhookSignature},
		{"upper-case prefix", secret, "SHA256=" + goodHex, ts, id, body, eseal.ErrWebhookSignature},
		{"not hex", secret, "sha256=" + strings.Repeat("zz", 32), ts, id, body, eseal.ErrWebhookSignature},
		{"odd-length hex", secret, good[:len(good)-1], ts, id, body, eseal.ErrWebhookSignature},
		{"truncated", secret, good[:len(good)-2], ts, id, body, eseal.ErrWebhookSignature},
		{"extended", secret, good + "00", ts, id, body, eseal.ErrWebhookSignature},
		{"two signatures", secret, good + "," + good, ts, id, body, eseal.ErrWebhookSignature},
		{"empty timestamp", secret, good, "", id, body, eseal.ErrWebhookStale},
		{"timestamp not a number", secret, good, "yesterday", id, body, eseal.ErrWebhookStale},
		{"negative timestamp", secret, good, "-" + ts, id, body, eseal.ErrWebhookStale},
		{"plus-signed timestamp", secret, good, "+" + ts, id, body, eseal.ErrWebhookStale},
		{"timestamp with space", secret, good, ts + " ", id, body, eseal.ErrWebhookStale},
		{"fractional timestamp", secret, good, ts + ".5", id, body, eseal.ErrWebhookStale},
		{"timestamp overflows int64", secret, good, strings.Repeat("9", 25), id, body, eseal.ErrWebhookStale},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := eseal.VerifyWebhook(tc.secret, tc.sig, tc.ts, tc.id, tc.body, now, 5*time.Minute)
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tc.want)
			other := eseal.ErrWebhookStale
			if tc.want == eseal.ErrWebhookStale {
				other = eseal.ErrWebhookSignature
			}
			assert.NotErrorIs(t, err, other)
		})
	}
}
