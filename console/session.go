package console

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/identity"
)

// Keys of what the middleware puts on a request.
const (
	userKey    = "console_user"
	langKey    = "console_lang"
	sessionKey = "console_session"
)

// csrfField is the form field carrying the session's form token.
const csrfField = "csrf_token"

// pagePolicy is the console's Content-Security-Policy: scripts and styles
// only from the console's own static files (htmx is configured by a meta
// tag, never inline script), images from itself or data: URLs, requests
// and frames (the document) only to itself, forms posting only to itself,
// and no framing of the console by anyone.
const pagePolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// documentPolicy is a contract document's, shown in a sandboxed frame of
// the console's pages: no script at all, the console's stylesheet, framed
// only by the console.
const documentPolicy = "default-src 'none'; style-src 'self'; img-src data:; form-action 'none'; " +
	"frame-ancestors 'self'; base-uri 'none'; sandbox"

// pageHeaders replaces the API's policy (which allows no script) with the
// console's; the API's other headers (nosniff, no Referer, no-store, no
// framing) stand.
func (p *pages) pageHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", pagePolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Cookie, Accept-Language, HX-Request")
	c.Next()
}

// sameOrigin refuses a state-changing request a browser sent from another
// origin (Sec-Fetch-Site, or Origin against Host): Go's
// CrossOriginProtection. Session forms carry a token besides (csrf).
func (p *pages) sameOrigin(c *gin.Context) {
	if err := p.cop.Check(c.Request); err != nil {
		p.fail(c, http.StatusForbidden, "error.csrf")
		return
	}
	c.Next()
}

// visitor picks the language of a page for someone not signed in.
func (p *pages) visitor(c *gin.Context) {
	c.Set(langKey, pickLanguage("", c.GetHeader("Accept-Language")))
	c.Next()
}

// session resolves the session cookie to its user or sends the visitor to
// sign in, saying so when their session expired.
func (p *pages) session(c *gin.Context) {
	id, _ := c.Cookie(p.cookieName)
	u, chosen, err := p.d.Users.Session(c.Request.Context(), id)
	switch {
	case err == nil:
	case errors.Is(err, identity.ErrSessionExpired), errors.Is(err, domain.ErrNotFound):
		c.Set(langKey, pickLanguage("", c.GetHeader("Accept-Language")))
		if id != "" {
			p.clearCookie(c)
		}
		q := url.Values{}
		if errors.Is(err, identity.ErrSessionExpired) {
			q.Set("expired", "1")
		}
		if c.Request.Method == http.MethodGet && c.Request.URL.Path != "/" {
			q.Set("next", c.Request.URL.RequestURI())
		}
		target := "/login"
		if len(q) > 0 {
			target += "?" + q.Encode()
		}
		p.redirect(c, target)
		return
	default:
		c.Set(langKey, pickLanguage("", c.GetHeader("Accept-Language")))
		p.serviceError(c, err)
		return
	}
	c.Set(userKey, u)
	c.Set(sessionKey, id)
	c.Set(langKey, pickLanguage(chosen, c.GetHeader("Accept-Language")))
	// The store writes the audit trail with whoever this is, and the
	// request ID the API's middleware gave the request.
	c.Request = c.Request.WithContext(audit.WithActor(c.Request.Context(), audit.Actor{UserID: u.ID, RequestID: c.Writer.Header().Get(api.RequestIDHeader)}))
	c.Next()
}

// csrf refuses a post without the session's form token: a second guard
// besides the browser's Sec-Fetch-Site and Origin, for browsers that send
// neither.
func (p *pages) csrf(c *gin.Context) {
	if !identity.ValidCSRF(c.GetString(sessionKey), c.PostForm(csrfField)) {
		p.fail(c, http.StatusForbidden, "error.csrf")
		return
	}
	c.Next()
}

// setCookie hands the browser its session: HttpOnly, SameSite=Lax, Secure
// and __Host- prefixed over https, living as long as the session may.
func (p *pages) setCookie(c *gin.Context, s identity.SignedIn) {
	http.SetCookie(c.Writer, &http.Cookie{Name: p.cookieName, Value: s.ID, Path: "/", HttpOnly: true, Secure: p.d.Secure,
		SameSite: http.SameSiteLaxMode, Expires: s.ExpiresAt, MaxAge: int(p.d.Users.SessionMax.Seconds())})
}

func (p *pages) clearCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: p.cookieName, Value: "", Path: "/", HttpOnly: true, Secure: p.d.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// redirect sends the browser on after a post or to sign in: a 303, or
// for htmx an HX-Redirect, since htmx would follow a 303 inside the page.
func (p *pages) redirect(c *gin.Context, target string) {
	if c.GetHeader("HX-Request") != "" {
		c.Header("HX-Redirect", target)
		c.Status(http.StatusOK)
		c.Abort()
		return
	}
	c.Redirect(http.StatusSeeOther, target)
	c.Abort()
}

// localPath is next if it is a path on this site, else "/": a sign-in
// never sends anyone elsewhere.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

func currentUser(c *gin.Context) domain.User { return c.MustGet(userKey).(domain.User) }
