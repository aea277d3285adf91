package oidc

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/signet-clm/signet/internal/domain"
)

// Console sign-in with the issuer: the authorization-code flow with PKCE
// (RFC 7636, S256) and a nonce, golang.org/x/oauth2 building the request
// and exchanging the code, go-oidc verifying the ID token it returns. The
// browser carries the attempt (state, nonce, PKCE verifier) between the two
// legs in a short-lived cookie the console sets; nothing of it is stored.

// LoginConfig is the console's client at the issuer. ClientSecret may be
// empty: a public client, which PKCE alone protects.
type LoginConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
}

// Login runs console sign-ins against one issuer. It is safe for
// concurrent use.
type Login struct {
	oauth    oauth2.Config
	verifier *gooidc.IDTokenVerifier
	client   *http.Client
}

// Attempt is one sign-in between its two legs.
type Attempt struct {
	State, Nonce, Verifier string
}

// ErrLoginRefused wraps every reason a sign-in's second leg is refused that
// is the browser's or the issuer's doing: a state that does not match, an
// error the issuer sent back, a code it would not exchange, an ID token
// that does not verify.
var ErrLoginRefused = errors.New("oidc: sign-in refused")

// LoginTimeout bounds how long a sign-in may take between its two legs.
const LoginTimeout = 10 * time.Minute

// NewLogin reads the issuer's discovery document (its endpoints and keys)
// through client, the guarded outbound client.
func NewLogin(ctx context.Context, cfg LoginConfig, client *http.Client) (*Login, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, errors.New("oidc: issuer and client ID are required for sign-in")
	}
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	p, err := gooidc.NewProvider(gooidc.ClientContext(ctx, client), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discover %s: %w", cfg.Issuer, err)
	}
	return &Login{
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: p.Endpoint(),
			Scopes: []string{gooidc.ScopeOpenID, "profile", "email"}},
		verifier: p.Verifier(&gooidc.Config{ClientID: cfg.ClientID, SupportedSigningAlgs: signingAlgs}),
		client:   client,
	}, nil
}

// Start begins a sign-in that returns to redirectURL: the attempt to keep
// for Finish and the issuer's address to send the browser to.
func (l *Login) Start(redirectURL string) (Attempt, string, error) {
	state, err := randomToken()
	if err != nil {
		return Attempt{}, "", err
	}
	nonce, err := randomToken()
	if err != nil {
		return Attempt{}, "", err
	}
	a := Attempt{State: state, Nonce: nonce, Verifier: oauth2.GenerateVerifier()}
	o := l.oauth
	o.RedirectURL = redirectURL
	return a, o.AuthCodeURL(a.State, gooidc.Nonce(a.Nonce), oauth2.S256ChallengeOption(a.Verifier)), nil
}

// Finish checks the second leg (the state the issuer sent back, then the
// code exchanged with the PKCE verifier, then the ID token and its nonce)
// and returns the ID token's subject. The issuer being unreachable is
// domain.ErrUnavailable; everything else wraps ErrLoginRefused.
func (l *Login) Finish(ctx context.Context, a Attempt, redirectURL, state, code string) (string, error) {
	if a.State == "" || subtle.ConstantTimeCompare([]byte(a.State), []byte(state)) != 1 {
		return "", fmt.Errorf("%w: the state does not match this browser's sign-in", ErrLoginRefused)
	}
	if code == "" {
		return "", fmt.Errorf("%w: no code", ErrLoginRefused)
	}
	o := l.oauth
	o.RedirectURL = redirectURL
	ctx = context.WithValue(ctx, oauth2.HTTPClient, l.client)
	tok, err := o.Exchange(ctx, code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return "", fmt.Errorf("%w: the issuer refused the code: %s", ErrLoginRefused, re.ErrorCode)
		}
		return "", fmt.Errorf("oidc: exchange the code: %w", errors.Join(domain.ErrUnavailable, err))
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return "", fmt.Errorf("%w: the issuer sent no ID token", ErrLoginRefused)
	}
	id, err := l.verifier.Verify(gooidc.ClientContext(ctx, l.client), raw)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrLoginRefused, err)
	}
	if subtle.ConstantTimeCompare([]byte(id.Nonce), []byte(a.Nonce)) != 1 {
		return "", fmt.Errorf("%w: the ID token's nonce is not this sign-in's", ErrLoginRefused)
	}
	if id.Subject == "" {
		return "", fmt.Errorf("%w: no sub claim", ErrLoginRefused)
	}
	return id.Subject, nil
}

func randomToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("oidc: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
