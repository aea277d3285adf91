package oidc_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/oidc"
)

const audience = "signet"

// issuer is an OpenID provider on httptest whose keys a test may rotate
// or take down.
type issuer struct {
	*httptest.Server
	mu      sync.Mutex
	srv     oidctest.Server
	down    bool
	key     *rsa.PrivateKey
	keyID   string
	keyGets int
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	is := &issuer{}
	is.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		is.mu.Lock()
		defer is.mu.Unlock()
		if is.down {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path == "/keys" {
			is.keyGets++
		}
		is.srv.ServeHTTP(w, r)
	}))
	t.Cleanup(is.Close)
	is.srv.SetIssuer(is.URL)
	is.rotate(t, "key-1")
	return is
}

// rotate replaces the published key with a new one named keyID.
func (is *issuer) rotate(t *testing.T, keyID string) {
	t.Helper()
	key := newKey(t)
	is.mu.Lock()
	defer is.mu.Unlock()
	is.key, is.keyID = key, keyID
	is.srv.PublicKeys = []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: keyID, Algorithm: gooidc.RS256}}
}

func (is *issuer) setDown(down bool) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.down = down
}

func (is *issuer) keyFetches() int {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.keyGets
}

func (is *issuer) current() (*rsa.PrivateKey, string) {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.key, is.keyID
}

func newKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	return key
}

// claims are a good token's claims for subject; edit sets what a case changes.
func (is *issuer) claims(subject string, edit func(map[string]any)) string {
	c := map[string]any{"iss": is.URL, "aud": audience, "sub": subject,
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	if edit != nil {
		edit(c)
	}
	raw, _ := json.Marshal(c)
	return string(raw)
}

// token is a token the issuer's current key signs.
func (is *issuer) token(subject string, edit func(map[string]any)) string {
	key, kid := is.current()
	return oidctest.SignIDToken(key, kid, gooidc.RS256, is.claims(subject, edit))
}

// unsigned is a token with a hand-made header and an empty or given
// signature, for the algorithms no signing library will produce.
func unsigned(header map[string]any, claims string, sig []byte) string {
	h, _ := json.Marshal(header)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(h) + "." + enc.EncodeToString([]byte(claims)) + "." + enc.EncodeToString(sig)
}

func newVerifier(t *testing.T, cfg oidc.Config) *oidc.Verifier {
	t.Helper()
	v, err := oidc.NewVerifier(context.Background(), cfg, &http.Client{Timeout: 5 * time.Second})
	require.NoError(t, err)
	return v
}

func TestOIDCVerifierAcceptsOnlyTheIssuersTokens(t *testing.T) {
	is := newIssuer(t)
	v := newVerifier(t, oidc.Config{Issuer: is.URL, Audience: audience})
	ctx := context.Background()

	sub, err := v.Subject(ctx, is.token("alice", nil))
	require.NoError(t, err)
	assert.Equal(t, "alice", sub)

	key, kid := is.current()
	pubDER, err := x509.MarshalPKIXPublicKey(key.Public())
	require.NoError(t, err)
	hs256, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: pubDER},
		(&jose.SignerOptions{}).WithHeader("kid", kid))
	require.NoError(t, err)
	confused, err := hs256.Sign([]byte(is.claims("mallory", nil)))
	require.NoError(t, err)
	confusedJWT, err := confused.CompactSerialize()
	require.NoError(t, err)

	for name, raw := range map[string]string{
		"wrong issuer":                        is.token("alice", func(c map[string]any) { c["iss"] = "https://evil.example" }),
		"wrong audience":                      is.token("alice", func(c map[string]any) { c["aud"] = "someone-else" }),
		"expired":                             is.token("alice", func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }),
		"not yet valid":                       is.token("alice", func(c map[string]any) { c["nbf"] = time.Now().Add(time.Hour).Unix() }),
		"no subject":                          is.token("", nil),
		"alg none":                            unsigned(map[string]any{"alg": "none", "typ": "JWT"}, is.claims("mallory", nil), nil),
		"HS256 with the public key as secret": confusedJWT,
		"another key, same kid":               oidctest.SignIDToken(newKey(t), kid, gooidc.RS256, is.claims("mallory", nil)),
		"another key, unknown kid":            oidctest.SignIDToken(newKey(t), "key-x", gooidc.RS256, is.claims("mallory", nil)),
		"tampered payload":                    tamper(t, is.token("alice", nil), is.claims("mallory", nil)),
		"not a JWT":                           "a.b.c",
	} {
		t.Run(name, func(t *testing.T) {
			sub, err := v.Subject(ctx, raw)
			require.ErrorIs(t, err, oidc.ErrInvalidToken)
			assert.NotErrorIs(t, err, domain.ErrUnavailable)
			assert.Empty(t, sub)
		})
	}
}

// tamper swaps a signed token's payload for claims, keeping the signature.
func tamper(t *testing.T, raw, claims string) string {
	t.Helper()
	parts := strings.Split(raw, ".")
	require.Len(t, parts, 3)
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + "." + parts[2]
}

func TestOIDCKeyRotation(t *testing.T) {
	is := newIssuer(t)
	v := newVerifier(t, oidc.Config{Issuer: is.URL, Audience: audience})
	ctx := context.Background()

	old := is.token("alice", nil)
	_, err := v.Subject(ctx, old)
	require.NoError(t, err)
	fetches := is.keyFetches()
	_, err = v.Subject(ctx, is.token("alice", nil))
	require.NoError(t, err)
	assert.Equal(t, fetches, is.keyFetches(), "known keys are cached")

	// The issuer publishes a new key and signs with it: the unknown kid
	// makes the verifier fetch the key set again.
	is.rotate(t, "key-2")
	sub, err := v.Subject(ctx, is.token("bob", nil))
	require.NoError(t, err)
	assert.Equal(t, "bob", sub)
	assert.Equal(t, fetches+1, is.keyFetches())

	// The retired key is gone from the set, so its tokens no longer verify.
	// go-oidc answers the fetching call before it swaps its cache, so the
	// old key may verify for a moment after the rotation: hence Eventually.
	require.Eventually(t, func() bool {
		_, err := v.Subject(ctx, old)
		return errors.Is(err, oidc.ErrInvalidToken)
	}, 5*time.Second, 10*time.Millisecond)
}

func TestOIDCWithoutDiscovery(t *testing.T) {
	is := newIssuer(t)
	// The issuer here is only the iss claim a token must carry; discovery
	// would fail, so success shows it was skipped.
	v := newVerifier(t, oidc.Config{Issuer: is.URL + "/not-discoverable", Audience: audience, JWKSURL: is.URL + "/keys"})
	sub, err := v.Subject(context.Background(), is.token("alice", func(c map[string]any) { c["iss"] = is.URL + "/not-discoverable" }))
	require.NoError(t, err)
	assert.Equal(t, "alice", sub)
	_, err = v.Subject(context.Background(), is.token("alice", nil))
	require.ErrorIs(t, err, oidc.ErrInvalidToken)
}

func TestOIDCIssuerDownIsUnavailableNotInvalid(t *testing.T) {
	is := newIssuer(t)
	v := newVerifier(t, oidc.Config{Issuer: is.URL, Audience: audience})
	ctx := context.Background()

	is.setDown(true)
	_, err := v.Subject(ctx, is.token("alice", nil))
	require.ErrorIs(t, err, domain.ErrUnavailable, "no keys cached yet, and the issuer answers 503")
	assert.NotErrorIs(t, err, oidc.ErrInvalidToken)

	is.setDown(false)
	_, err = v.Subject(ctx, is.token("alice", nil))
	require.NoError(t, err)

	// Cached keys keep verifying while the issuer is down; only a token
	// naming an unknown key needs it.
	is.setDown(true)
	_, err = v.Subject(ctx, is.token("alice", nil))
	require.NoError(t, err)
	_, err = v.Subject(ctx, oidctest.SignIDToken(newKey(t), "key-x", gooidc.RS256, is.claims("alice", nil)))
	require.ErrorIs(t, err, domain.ErrUnavailable)

	is.Close()
	_, err = v.Subject(ctx, oidctest.SignIDToken(newKey(t), "key-y", gooidc.RS256, is.claims("alice", nil)))
	require.ErrorIs(t, err, domain.ErrUnavailable, "connection refused")
}

func TestOIDCNewVerifierChecksTheIssuer(t *testing.T) {
	is := newIssuer(t)
	ctx := context.Background()
	_, err := oidc.NewVerifier(ctx, oidc.Config{Issuer: is.URL + "/other", Audience: audience}, nil)
	require.Error(t, err, "discovery names a different issuer")
	_, err = oidc.NewVerifier(ctx, oidc.Config{Issuer: is.URL}, nil)
	require.Error(t, err, "an audience is required")
	_, err = oidc.NewVerifier(ctx, oidc.Config{Issuer: is.URL, Audience: audience}, nil)
	require.NoError(t, err)
}

func TestOIDCLooksLikeJWT(t *testing.T) {
	for s, want := range map[string]bool{
		"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln": true,
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.":      true,
		"sgt_AbC-dEf_0123456789":                    false,
		"a.b":                                       false,
		"a.b.c.d":                                   false,
		".b.c":                                      false,
		"a..c":                                      false,
		"a.b+/.c":                                   false,
		"a.b.c=":                                    false,
		"":                                          false,
	} {
		assert.Equal(t, want, oidc.LooksLikeJWT(s), s)
	}
}
