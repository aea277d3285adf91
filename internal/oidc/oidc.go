// Package oidc verifies JWTs from one OpenID Connect issuer so the API can
// accept them as bearer tokens. github.com/coreos/go-oidc does the work:
// discovery, fetching and caching the issuer's keys (refetched when a token
// names a key it has not seen, which is how issuers rotate), the signature,
// and the iss, aud, exp and nbf checks. Only asymmetric algorithms are
// accepted, so "none" and HS256 (signed with the public key as a secret)
// never verify.
package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"

	"github.com/signet-clm/signet/internal/domain"
)

// ErrInvalidToken is wrapped by every error about the token itself: bad
// signature, unknown key, wrong issuer or audience, expired, malformed.
var ErrInvalidToken = errors.New("oidc: invalid token")

// Config names the issuer and the audience its tokens must carry.
type Config struct {
	Issuer, Audience string
	// JWKSURL, when set, is the issuer's key set; discovery is skipped.
	JWKSURL string
}

// signingAlgs are the algorithms a token may use: asymmetric ones only.
var signingAlgs = []string{
	gooidc.RS256, gooidc.RS384, gooidc.RS512,
	gooidc.ES256, gooidc.ES384, gooidc.ES512,
	gooidc.PS256, gooidc.PS384, gooidc.PS512,
	gooidc.EdDSA,
}

// Verifier checks tokens of one issuer. It is safe for concurrent use.
type Verifier struct {
	verifier *gooidc.IDTokenVerifier
}

// NewVerifier prepares a verifier. Without cfg.JWKSURL it reads the
// issuer's discovery document now, so a wrong issuer stops the start
// rather than refusing every token later. client makes every request to
// the issuer; nil means one with a 10 s timeout.
func NewVerifier(ctx context.Context, cfg Config, client *http.Client) (*Verifier, error) {
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("oidc: issuer and audience are required")
	}
	if client == nil {
		// Never unbounded: go-oidc shares one key fetch among all waiting
		// requests, so a hung fetch would stall every new key for good.
		client = &http.Client{Timeout: 10 * time.Second}
	}
	fetching := *client
	fetching.Transport = statusTransport{next: client.Transport}
	// go-oidc takes its HTTP client from the context, and keeps this one
	// for every later key fetch.
	ctx = gooidc.ClientContext(ctx, &fetching)
	jwksURL := cfg.JWKSURL
	if jwksURL == "" {
		p, err := gooidc.NewProvider(ctx, cfg.Issuer)
		if err != nil {
			return nil, fmt.Errorf("oidc: discover %s: %w", cfg.Issuer, err)
		}
		var meta struct {
			JWKSURL string `json:"jwks_uri"`
		}
		if err := p.Claims(&meta); err != nil || meta.JWKSURL == "" {
			return nil, fmt.Errorf("oidc: discovery document of %s has no jwks_uri", cfg.Issuer)
		}
		jwksURL = meta.JWKSURL
	}
	keys := keySet{remote: gooidc.NewRemoteKeySet(ctx, jwksURL)}
	return &Verifier{verifier: gooidc.NewVerifier(cfg.Issuer, keys, &gooidc.Config{
		ClientID:             cfg.Audience,
		SupportedSigningAlgs: signingAlgs,
	})}, nil
}

// Subject verifies raw and returns its sub claim. The error wraps
// ErrInvalidToken when the token is at fault, and domain.ErrUnavailable
// when the issuer's keys could not be fetched to check it, so the API
// answers 503, not 401, while the issuer is down.
func (v *Verifier) Subject(ctx context.Context, raw string) (string, error) {
	var fetch fetchFailure
	tok, err := v.verifier.Verify(context.WithValue(ctx, fetchFailureKey{}, &fetch), raw)
	switch {
	case err != nil && fetch.err != nil:
		return "", fmt.Errorf("oidc: fetch the issuer's keys: %w", errors.Join(domain.ErrUnavailable, fetch.err))
	case err != nil:
		return "", fmt.Errorf("%w: %w", ErrInvalidToken, err)
	case tok.Subject == "":
		return "", fmt.Errorf("%w: no sub claim", ErrInvalidToken)
	}
	return tok.Subject, nil
}

// LooksLikeJWT reports whether s has the shape of a compact JWS: three
// base64url segments separated by dots. The last (the signature) may be
// empty, so an unsigned token is refused by the verifier, not mistaken for
// an opaque token.
func LooksLikeJWT(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return false
	}
	for _, p := range parts {
		for _, r := range p {
			if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// go-oidc flattens the key set's errors into text, so the key set reports
// a failed fetch through the context of the Verify call it serves.
type (
	fetchFailureKey struct{}
	fetchFailure    struct{ err error }
)

// keySet is go-oidc's remote key set, noting when its keys could not be
// fetched.
type keySet struct {
	remote *gooidc.RemoteKeySet
}

func (k keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	payload, err := k.remote.VerifySignature(ctx, jwt)
	var unreachable *unreachableError
	if err != nil && (errors.As(err, &unreachable) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
		if f, ok := ctx.Value(fetchFailureKey{}).(*fetchFailure); ok {
			f.err = err
		}
	}
	return payload, err
}

// unreachableError is a request to the issuer that got no good answer.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return "issuer unreachable: " + e.err.Error() }
func (e *unreachableError) Unwrap() error { return e.err }

// statusTransport turns a failed connection or an error status from the
// issuer into an unreachableError (redirects still pass to the client). go-oidc keeps a transport error in its
// error chain but only the text of a bad status, and a key set that cannot
// be fetched is an outage, not a bad token.
type statusTransport struct {
	next http.RoundTripper
}

func (t statusTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if err != nil {
		return nil, &unreachableError{err: err}
	}
	if resp.StatusCode >= 400 {
		resp.Body.Close()
		return nil, &unreachableError{err: fmt.Errorf("GET %s: %s", req.URL.Redacted(), resp.Status)}
	}
	return resp, nil
}
