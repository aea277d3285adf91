package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/oidc"
)

// Signet's own tokens are short; a JWT carries its claims and signature.
const (
	maxTokenLen = 256
	maxJWTLen   = 8192
)

const (
	requestIDKey = "request_id"
	userKey      = "user"
	// RequestIDHeader carries the client's request ID. For decisions it
	// becomes the Workflow Update ID, so a retried request applies once.
	RequestIDHeader = "X-Request-ID"
	// IdempotencyKeyHeader makes POST /v1/contracts safe to retry.
	IdempotencyKeyHeader = "Idempotency-Key"
)

// validClientID accepts what a client may use as a request ID or key.
func validClientID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if r < 0x21 || r > 0x7e {
			return false
		}
	}
	return true
}

func (h *handlers) requestID(c *gin.Context) {
	id := c.GetHeader(RequestIDHeader)
	if !validClientID(id) {
		id = uuid.NewString()
	}
	c.Set(requestIDKey, id)
	c.Header(RequestIDHeader, id)
	c.Next()
}

func (h *handlers) recover(c *gin.Context) {
	defer func() {
		if p := recover(); p != nil {
			if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(p)
			}
			h.d.Logger.Error("panic in handler", "panic", p, "path", c.FullPath())
			writeError(c, h.d.Logger, errors.New("panic"))
		}
	}()
	c.Next()
}

func (h *handlers) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	h.d.Logger.Debug("request", "method", c.Request.Method, "path", c.FullPath(), "status", c.Writer.Status(),
		"duration", time.Since(start), "request_id", c.GetString(requestIDKey))
}

// admit takes one of MaxInFlight slots or answers 429 at once: an API past
// its capacity would otherwise queue requests until each hit its timeout,
// and every client would wait the full timeout for a 503.
func (h *handlers) admit(c *gin.Context) {
	if h.inflight == nil {
		c.Next()
		return
	}
	select {
	case h.inflight <- struct{}{}:
	default:
		writeError(c, h.d.Logger, errOverloaded)
		return
	}
	defer func() { <-h.inflight }()
	c.Next()
}

// untimedKey holds the request's context before timeout bounds it, for
// exports, which stream past RequestTimeout under their own bound.
const untimedKey = "untimed_ctx"

// timeout bounds the request so an outage answers 503 instead of hanging.
func (h *handlers) timeout(c *gin.Context) {
	c.Set(untimedKey, c.Request.Context())
	ctx, cancel := context.WithTimeout(c.Request.Context(), h.d.RequestTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// authenticate resolves the bearer token to a user or answers 401. With
// OIDC configured, a JWT is verified and its subject names the user; any
// other token is one of Signet's own.
func (h *handlers) authenticate(c *gin.Context) {
	token, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	token = strings.TrimSpace(token)
	isJWT := h.d.OIDC != nil && oidc.LooksLikeJWT(token)
	limit := maxTokenLen
	if isJWT {
		limit = maxJWTLen
	}
	if !ok || token == "" || len(token) > limit {
		c.Header("WWW-Authenticate", `Bearer realm="signet"`)
		writeError(c, h.d.Logger, domain.ErrUnauthorized)
		return
	}
	var u domain.User
	var err error
	if isJWT {
		u, err = h.userByJWT(c.Request.Context(), token)
	} else {
		u, err = h.d.Auth.UserByToken(c.Request.Context(), token)
	}
	switch {
	case errors.Is(err, domain.ErrNotFound), errors.Is(err, oidc.ErrInvalidToken):
		c.Header("WWW-Authenticate", `Bearer realm="signet", error="invalid_token"`)
		writeError(c, h.d.Logger, domain.ErrUnauthorized)
		return
	case err != nil:
		writeError(c, h.d.Logger, errors.Join(domain.ErrUnavailable, err))
		return
	}
	c.Set(userKey, u)
	// The store writes the audit trail with whoever this is.
	c.Request = c.Request.WithContext(audit.WithActor(c.Request.Context(), audit.Actor{UserID: u.ID, RequestID: c.GetString(requestIDKey)}))
	c.Next()
}

// userByJWT verifies a JWT and returns the active user its subject is
// linked to; domain.ErrNotFound when none is.
func (h *handlers) userByJWT(ctx context.Context, raw string) (domain.User, error) {
	// Only the log says why a JWT is refused (issuer, audience, expiry,
	// an unlinked subject); the client hears invalid_token.
	sub, err := h.d.OIDC.Subject(ctx, raw)
	if err != nil {
		if errors.Is(err, oidc.ErrInvalidToken) {
			h.d.Logger.Debug("jwt refused", "err", err)
		}
		return domain.User{}, err
	}
	u, err := h.d.Auth.UserBySubject(ctx, sub)
	if errors.Is(err, domain.ErrNotFound) {
		h.d.Logger.Debug("jwt subject is no active user", "sub", sub)
	}
	return u, err
}

func currentUser(c *gin.Context) domain.User {
	return c.MustGet(userKey).(domain.User)
}
