// Package codecserver is the remote codec endpoint of the Temporal Web UI
// and CLI (`signet codec-server`): it decrypts payloads for people allowed
// to read contract data in Temporal, and nobody else.
//
// Who is allowed: an active Signet user with the admin or auditor role
// decodes; only admins encode (what the UI needs to start or signal a
// workflow by hand). The caller is named by, in order:
//
//   - Authorization: Bearer <token> — one of Signet's own API tokens, or,
//     with SIGNET_OIDC_ISSUER set, a JWT of that issuer: the Temporal UI
//     forwards its user's access token when its codec settings say "pass
//     access token" (https endpoints only), and the CLI sends what
//     --codec-auth says;
//   - the codec server's own session cookie, set by signing in with a
//     token on its page (GET /), for a UI without sign-in of its own (the
//     dev server) whose codec settings include cross-origin credentials.
//
// Every token is checked against PostgreSQL on every request, so revoking
// it or deactivating its user ends access at once. Each decode is logged
// with the user.
package codecserver

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/converter"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/oidc"
)

// Users resolves Signet tokens, and verified JWT subjects, to active users.
type Users interface {
	UserByToken(ctx context.Context, token string) (domain.User, error)
	UserBySubject(ctx context.Context, subject string) (domain.User, error)
}

// OIDC verifies a JWT and returns its subject; errors wrap
// oidc.ErrInvalidToken when the token is at fault.
type OIDC interface {
	Subject(ctx context.Context, raw string) (string, error)
}

// CookieName is the codec server's session cookie; it holds the token
// signed in with, checked like a bearer token on every request.
const CookieName = "signet_codec"

// Limits of one request: a UI decodes a page of events at a time, and a
// Temporal payload is at most a few MiB.
const (
	maxBody      = 16 << 20
	maxToken     = 256
	maxJWT       = 8192
	sessionHours = 8
)

// Server is the codec endpoint.
type Server struct {
	Codec converter.PayloadCodec
	Users Users
	// OIDC, when set, also accepts JWTs of the configured issuer.
	OIDC OIDC
	// Origins are the Temporal UI origins a browser may call from (CORS).
	Origins []string
	// Timeout bounds each request's token lookup.
	Timeout time.Duration
	// SecureCookie marks the session cookie Secure (the server is reached
	// over https, through a proxy that terminates TLS).
	SecureCookie bool
	Logger       *slog.Logger
}

// Handler serves /decode and /encode (under any prefix, as the codec
// protocol asks: the UI and CLI append them to the endpoint), the sign-in
// page at /, /session, and /healthz.
func (s *Server) Handler() http.Handler {
	codec := converter.NewPayloadCodecHTTPHandler(s.Codec)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /{$}", s.page)
	mux.HandleFunc("POST /session", s.signIn)
	mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		var allowed []domain.Role
		switch {
		case strings.HasSuffix(r.URL.Path, "/decode"):
			allowed = []domain.Role{domain.RoleAdmin, domain.RoleAuditor}
		case strings.HasSuffix(r.URL.Path, "/encode"):
			allowed = []domain.Role{domain.RoleAdmin}
		default:
			http.NotFound(w, r)
			return
		}
		u, ok := s.authorize(w, r, allowed)
		if !ok {
			return
		}
		s.Logger.Info("codec request", "path", r.URL.Path, "user", u.ID, "namespace", r.Header.Get("X-Namespace"))
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		codec.ServeHTTP(w, r)
	})
	return s.cors(mux)
}

// cors answers the UI's origins, credentials included; a preflight needs
// no credentials, so it is answered before any check.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		w.Header().Add("Vary", "Origin")
		if origin != "" && slices.Contains(s.Origins, origin) {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Set("Access-Control-Allow-Headers", "Authorization, Authorization-Extras, Content-Type, X-Namespace")
			h.Set("Access-Control-Allow-Methods", "POST")
			h.Set("Access-Control-Max-Age", "600")
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authorize names the caller and checks their role: 401 without valid
// credentials, 403 for a user without an allowed role, 503 when PostgreSQL
// or the issuer cannot say.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, allowed []domain.Role) (domain.User, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		if c, err := r.Cookie(CookieName); err == nil {
			token = c.Value
		}
	}
	u, err := s.user(r.Context(), strings.TrimSpace(token))
	switch {
	case errors.Is(err, domain.ErrUnauthorized):
		w.Header().Set("WWW-Authenticate", `Bearer realm="signet-codec"`)
		http.Error(w, "sign in with a Signet token of an admin or auditor", http.StatusUnauthorized)
		return u, false
	case err != nil:
		s.Logger.Error("codec server cannot check a token", "err", err)
		http.Error(w, "cannot check the token now", http.StatusServiceUnavailable)
		return u, false
	}
	for _, role := range allowed {
		if slices.Contains(u.Roles, role) {
			return u, true
		}
	}
	s.Logger.Warn("codec request refused", "path", r.URL.Path, "user", u.ID)
	http.Error(w, "this needs the admin or auditor role", http.StatusForbidden)
	return u, false
}

// user resolves a token; domain.ErrUnauthorized when it names nobody.
func (s *Server) user(ctx context.Context, token string) (domain.User, error) {
	isJWT := s.OIDC != nil && oidc.LooksLikeJWT(token)
	limit := maxToken
	if isJWT {
		limit = maxJWT
	}
	if token == "" || len(token) > limit {
		return domain.User{}, domain.ErrUnauthorized
	}
	if s.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.Timeout)
		defer cancel()
	}
	var u domain.User
	var err error
	if isJWT {
		var sub string
		if sub, err = s.OIDC.Subject(ctx, token); err == nil {
			u, err = s.Users.UserBySubject(ctx, sub)
		}
	} else {
		u, err = s.Users.UserByToken(ctx, token)
	}
	if errors.Is(err, domain.ErrNotFound) || errors.Is(err, oidc.ErrInvalidToken) {
		return u, domain.ErrUnauthorized
	}
	return u, err
}

// signIn checks a token from the sign-in form and keeps it in an HttpOnly,
// SameSite=Strict cookie for the UI's decode calls.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	token := strings.TrimSpace(r.PostForm.Get("token"))
	r.Header.Set("Authorization", "Bearer "+token)
	u, ok := s.authorize(w, r, []domain.Role{domain.RoleAdmin, domain.RoleAuditor})
	if !ok {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: "/", MaxAge: sessionHours * 3600,
		HttpOnly: true, Secure: s.SecureCookie, SameSite: http.SameSiteStrictMode})
	s.Logger.Info("codec server sign-in", "user", u.ID)
	s.render(w, http.StatusOK, pageData{Signed: u.Name})
}

func (s *Server) page(w http.ResponseWriter, _ *http.Request) {
	s.render(w, http.StatusOK, pageData{})
}

type pageData struct{ Signed string }

func (s *Server) render(w http.ResponseWriter, status int, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, d)
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Signet codec server</title>
<body style="font-family: sans-serif; max-width: 40rem; margin: 2rem auto">
<h1>Signet codec server</h1>
{{if .Signed}}<p>Signed in as {{.Signed}} for 8 hours. In the Temporal UI's codec server settings, use this
server's address and tick "Include cross-origin credentials".</p>
{{else}}<p>Decrypts Temporal payloads for Signet admins and auditors.</p>
<form method="post" action="/session">
<label>Signet token <input name="token" type="password" autocomplete="off" size="40"></label>
<button>Sign in</button></form>{{end}}
</body></html>
`))
