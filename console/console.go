// Package console is Signet's web console: server-rendered pages
// (html/template, enhanced by the vendored htmx where a plain form would
// reload the page) served by `signet api` at / beside the JSON API under
// /v1, on the same Gin engine. Pages call the same services, with the same
// checks, as the API, and show the API's own response types.
//
//	routes.go    the one route table of the pages: method, path, access, roles, handler
//	session.go   sign-in, sessions (cookie), CSRF protection, security headers
//	messages.go  the one message catalogue (zh-CN, then English)
//	render.go    templates, the data every page gets, formatting helpers
//	pages_*.go   the screens
//	templates/   the pages' templates; static/ htmx, the stylesheet
package console

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/catalog"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/customers"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/imports"
	"github.com/signet-clm/signet/internal/inbox"
	"github.com/signet-clm/signet/internal/oidc"
	"github.com/signet-clm/signet/internal/reports"
)

// Deps is what the console needs: the API's services.
type Deps struct {
	Contracts *contracts.Service
	Customers *customers.Service
	Catalog   *catalog.Service
	// Imports checks and queues bulk imports, as POST /v1/imports does.
	Imports   *imports.Service
	Approvals *inbox.Service
	Users     *identity.Service
	Reports   *reports.Service
	// Audit reads the audit trail and AuditChain checks its chain, as
	// GET /v1/audit and /v1/audit/verify do.
	Audit      api.AuditReader
	AuditChain api.AuditVerifier
	// Downloads serve report files and the summary chart as the API's
	// GET /v1/reports/{name} (api.Downloads).
	Downloads map[string]gin.HandlerFunc
	// Signing serves the signing links' pages, the company signer's
	// signature and the signatories a sender chooses from.
	Signing *esign.Service
	// Location is where dates and times are shown.
	Location *time.Location
	// Secure marks the session cookie Secure (and __Host-): set it when
	// people reach Signet over https.
	Secure bool
	// PublicOrigin is where people reach Signet (scheme://host of
	// SIGNET_PUBLIC_URL): posts from it pass the cross-origin check even
	// when a proxy in front rewrites the Host header.
	PublicOrigin string
	// RequestTimeout bounds each page's calls to PostgreSQL and Temporal.
	RequestTimeout time.Duration
	// MaxInFlight bounds the pages served at once (429 past it); zero
	// means no bound.
	MaxInFlight int
	// AttachmentMaxBytes bounds one file uploaded on the contract page,
	// as the API's SIGNET_ATTACHMENT_MAX_BYTES does (20 MiB when zero).
	AttachmentMaxBytes int64
	// OIDCLogin, when set, offers signing in with the OIDC issuer;
	// OIDCRedirect is its callback under the public URL (empty: this
	// request's host, for tests).
	OIDCLogin    *oidc.Login
	OIDCRedirect string
	Logger       *slog.Logger
}

// FromAPI takes the console's services from the API's, so both run the
// same checks; publicURL says whether people come over https.
func FromAPI(d api.Deps, publicURL string) Deps {
	out := Deps{Contracts: d.Contracts, Customers: d.Customers, Catalog: d.Catalog, Imports: d.Imports, Signing: d.Signing, Approvals: d.Approvals, Users: d.Users, Reports: d.Reports, Location: d.Location,
		Audit: d.Audit, AuditChain: d.AuditChain, Downloads: api.Downloads(d),
		RequestTimeout: d.RequestTimeout, MaxInFlight: d.MaxInFlight, Logger: d.Logger, AttachmentMaxBytes: d.AttachmentMaxBytes}
	if u, err := url.Parse(publicURL); err == nil && u.Host != "" {
		out.Secure = u.Scheme == "https"
		out.PublicOrigin = u.Scheme + "://" + u.Host
	}
	return out
}

// Console is the console's pages, built once (templates parsed, static
// files hashed) and served both on its own routes (Mount) and, through
// the API, at the signing links (SignPages).
type Console struct{ p *pages }

// New builds the console over d.
func New(d Deps) *Console { return &Console{p: newPages(d.withDefaults())} }

// Mount registers the console's route table on r, the API's engine, and
// answers unknown paths: as the API does under the API's own prefixes
// (/v1, /sign …), with the console's 404 page everywhere else.
func (cs *Console) Mount(r *gin.Engine) {
	p := cs.p
	d := p.d
	p.register(r)
	apiNotFound, apiNoMethod := api.NotFound(d.Logger), api.MethodNotAllowed(d.Logger)
	r.NoRoute(func(c *gin.Context) {
		if apiPath(c.Request.URL.Path) {
			apiNotFound(c)
			return
		}
		p.pageHeaders(c)
		p.notFound(c)
	})
	r.NoMethod(func(c *gin.Context) {
		if apiPath(c.Request.URL.Path) {
			apiNoMethod(c)
			return
		}
		p.pageHeaders(c)
		p.fail(c, http.StatusMethodNotAllowed, "error.method")
	})
}

func (d Deps) withDefaults() Deps {
	if d.Location == nil {
		d.Location = time.UTC
	}
	if d.RequestTimeout <= 0 {
		d.RequestTimeout = 10 * time.Second
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.AttachmentMaxBytes <= 0 {
		d.AttachmentMaxBytes = 20 << 20
	}
	return d
}

// apiPrefixes are the first path segments the API serves under, read from
// its route table.
var apiPrefixes = func() map[string]bool {
	out := map[string]bool{}
	for _, r := range api.Routes() {
		seg, _, _ := strings.Cut(strings.TrimPrefix(r.Path, "/"), "/")
		out[seg] = true
	}
	return out
}()

func apiPath(path string) bool {
	seg, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return apiPrefixes[seg]
}

// bound gives a page the API's bounds: a slot of MaxInFlight (429 past
// it), RequestTimeout on its calls, and a small form body.
func (p *pages) bound(c *gin.Context) {
	if p.inflight != nil {
		select {
		case p.inflight <- struct{}{}:
			defer func() { <-p.inflight }()
		default:
			c.Header("Retry-After", "1")
			p.fail(c, http.StatusTooManyRequests, "error.busy")
			return
		}
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), p.d.RequestTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	// An upload's body is bounded by its own limit (parseUpload).
	if c.Request.Body != nil && !isUpload(c) {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxFormBytes)
	}
	c.Next()
}

// maxFormBytes bounds a form post: an opinion of 4,000 characters fits
// many times over.
const maxFormBytes = 64 << 10
