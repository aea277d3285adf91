package console

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/oidc"
)

// oidcCookie carries a sign-in with the issuer between its two legs: the
// attempt (state, nonce, PKCE verifier) and where to go after. HttpOnly,
// Lax (the issuer's redirect back is a top-level GET), path-bound to the
// callback, and dead after oidc.LoginTimeout.
const oidcCookie = "signet_oidc"

type oidcPending struct {
	oidc.Attempt
	Next string `json:"next"`
}

// oidcLogin sends the browser to the issuer (GET /login/oidc).
func (p *pages) oidcLogin(c *gin.Context) {
	if p.d.OIDCLogin == nil {
		p.notFound(c)
		return
	}
	a, to, err := p.d.OIDCLogin.Start(p.oidcRedirect(c))
	if err != nil {
		p.serviceError(c, err)
		return
	}
	raw, err := json.Marshal(oidcPending{Attempt: a, Next: localPath(c.Query("next"))})
	if err != nil {
		p.serviceError(c, err)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: oidcCookie, Value: base64.RawURLEncoding.EncodeToString(raw), Path: "/login/oidc",
		HttpOnly: true, Secure: p.d.Secure, SameSite: http.SameSiteLaxMode, MaxAge: int(oidc.LoginTimeout / time.Second)})
	c.Redirect(http.StatusFound, to)
}

// oidcCallback finishes the sign-in the issuer sent the browser back
// from (GET /login/oidc/callback): only this browser's attempt, once.
func (p *pages) oidcCallback(c *gin.Context) {
	if p.d.OIDCLogin == nil {
		p.notFound(c)
		return
	}
	var pending oidcPending
	if raw, err := c.Cookie(oidcCookie); err == nil {
		if b, err := base64.RawURLEncoding.DecodeString(raw); err == nil {
			_ = json.Unmarshal(b, &pending)
		}
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: oidcCookie, Value: "", Path: "/login/oidc", HttpOnly: true, Secure: p.d.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	if c.Query("error") != "" {
		p.oidcRefused(c, http.StatusUnauthorized, "login.oidc_refused")
		return
	}
	sub, err := p.d.OIDCLogin.Finish(c.Request.Context(), pending.Attempt, p.oidcRedirect(c), c.Query("state"), c.Query("code"))
	if errors.Is(err, oidc.ErrLoginRefused) {
		p.d.Logger.Warn("OIDC sign-in refused", "err", err)
		p.oidcRefused(c, http.StatusBadRequest, "login.oidc_refused")
		return
	}
	if err != nil {
		p.serviceError(c, err)
		return
	}
	s, err := p.d.Users.SignInSubject(c.Request.Context(), sub)
	if errors.Is(err, identity.ErrNoLinkedUser) {
		p.oidcRefused(c, http.StatusForbidden, "login.oidc_unknown")
		return
	}
	if err != nil {
		p.serviceError(c, err)
		return
	}
	if old, _ := c.Cookie(p.cookieName); old != "" {
		if err := p.d.Users.SignOut(c.Request.Context(), old); err != nil && !errors.Is(err, domain.ErrNotFound) {
			p.d.Logger.Warn("end the earlier session", "err", err)
		}
	}
	p.setCookie(c, s)
	p.redirect(c, localPath(pending.Next))
}

// oidcRefused shows the sign-in page with why the issuer's way failed.
func (p *pages) oidcRefused(c *gin.Context, status int, msg string) {
	v := p.view(c, "", nil)
	v.Title = v.T("login.title")
	v.Data = loginPage{Next: "/", Error: msg, SSO: true}
	p.render(c, status, "login", v)
}

// oidcRedirect is where the issuer returns the browser: under the public
// URL when configured (what the issuer has registered), else this host.
func (p *pages) oidcRedirect(c *gin.Context) string {
	if p.d.OIDCRedirect != "" {
		return p.d.OIDCRedirect
	}
	scheme := "http"
	if p.d.Secure || c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host + "/login/oidc/callback"
}
