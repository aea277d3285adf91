// Package api is Signet's HTTP API: Gin routes that bind and validate
// requests, resolve the caller, call the contracts service and map its
// errors to statuses in one place (errors.go).
package api

import (
	"context"
	"embed"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/signet-clm/signet/internal/catalog"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/customers"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/internal/feed"
	"github.com/signet-clm/signet/internal/httpserve"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/imports"
	"github.com/signet-clm/signet/internal/inbox"
	"github.com/signet-clm/signet/internal/reports"
)

//go:embed openapi.json
var openapiDoc embed.FS

// Users resolves bearer tokens, and the subjects of verified JWTs, to
// users.
type Users interface {
	UserByToken(ctx context.Context, token string) (domain.User, error)
	UserBySubject(ctx context.Context, subject string) (domain.User, error)
}

// OIDC verifies a JWT and returns its subject. Its errors wrap
// oidc.ErrInvalidToken when the token is at fault; any other error is
// answered 503.
type OIDC interface {
	Subject(ctx context.Context, raw string) (string, error)
}

// SignPages serves the signing links to browsers: the page for a GET that
// prefers HTML, and plain form posts. The API keeps the JSON.
type SignPages interface {
	Open(c *gin.Context)
	Sign(c *gin.Context)
	Decline(c *gin.Context)
	Code(c *gin.Context)
}

// Check is one dependency /readyz probes.
type Check struct {
	Name  string
	Check func(ctx context.Context) error
}

// Deps is what the API needs.
type Deps struct {
	Contracts *contracts.Service
	Customers *customers.Service
	Catalog   *catalog.Service
	// Imports checks and queues bulk imports (批量导入).
	Imports   *imports.Service
	Approvals *inbox.Service
	Audit     AuditReader
	// AuditChain verifies the audit chain (GET /v1/audit/verify).
	AuditChain AuditVerifier
	Users      *identity.Service
	// Signing runs e-signing: links, certificates, verification, webhooks.
	Signing *esign.Service
	// Cards answers taps on DingTalk and WeCom approval cards.
	Cards   CardCallbacks
	Reports *reports.Service
	// Feed reads the change feed (GET /v1/events).
	Feed *feed.Service
	// SignPages answers a signing link's visitor in a browser (the
	// console's pages); nil serves the links as JSON only.
	SignPages SignPages
	// Auth resolves bearer tokens.
	Auth Users
	// RequestIDs holds each client request ID to its first use; nil
	// skips the check.
	RequestIDs RequestIDs
	// OIDC, when set, verifies bearer values shaped like a JWT; nil means
	// only Signet's own tokens are accepted.
	OIDC   OIDC
	Checks []Check
	// Health feeds /metrics and the reconciliation report; nil serves neither.
	Health Health
	// Collectors are served on /metrics beside the API's own figures: the
	// Temporal SDK's metrics (opsmetrics.Temporal).
	Collectors []prometheus.Collector
	// Metrics is the /metrics the router records requests into and
	// serves; nil makes one from these Deps (NewMetrics).
	Metrics *Metrics
	// MetricsElsewhere means /metrics has a listener of its own
	// (SIGNET_METRICS_ADDR), so the public router answers 404 for it.
	MetricsElsewhere bool
	// Location is where certificates show times.
	Location *time.Location
	// AttachmentMaxBytes bounds one uploaded file.
	AttachmentMaxBytes int64
	// RequestTimeout bounds each request's calls to PostgreSQL and Temporal.
	RequestTimeout time.Duration
	// ExportTimeout bounds a report export instead (default 30 minutes).
	ExportTimeout time.Duration
	// MaxInFlight bounds the /v1 requests served at once (429 past it);
	// zero means no bound. Uploads have their own pool, an eighth of it.
	MaxInFlight int
	// BodyTimeout bounds how long a client may take to send a JSON body
	// (DefaultBodyTimeout when zero); past it, 408.
	BodyTimeout time.Duration
	Logger      *slog.Logger
}

// NewRouter builds the HTTP handler.
func NewRouter(d Deps) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// Signet is reached directly or through a proxy that the operator
	// configures; never trust client-sent forwarding headers by default.
	_ = r.SetTrustedProxies(nil)
	r.HandleMethodNotAllowed = true
	// External IDs travel in paths and may hold '/' (sent as %2F): route
	// on the path as sent, so an encoded '/' stays inside its segment, and
	// decode each segment once ourselves (decodePath) with path rules, as
	// gin's own unescaping would read '+' as a space.
	r.UseRawPath = true
	r.UnescapePathValues = false
	h := &handlers{d: d, validate: newValidator()}
	if d.MaxInFlight > 0 {
		h.inflight = make(chan struct{}, d.MaxInFlight)
		h.uploads = make(chan struct{}, max(2, d.MaxInFlight/8))
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics(d)
		h.d.Metrics = d.Metrics
	}
	h.metricsHandler = d.Metrics
	r.Use(decodePath, d.Metrics.observe, h.requestID, h.secureHeaders, h.recover, h.logRequests)
	r.NoRoute(func(c *gin.Context) { writeError(c, d.Logger, errNoRoute) })
	r.NoMethod(func(c *gin.Context) { writeError(c, d.Logger, errNoMethod) })

	h.register(r)
	return r
}

// decodePath decodes path parameters when the request was routed on its
// raw path (it had an escape Go does not undo by itself, such as %2F), so
// handlers always see the decoded segment.
func decodePath(c *gin.Context) {
	if c.Request.URL.RawPath != "" {
		for i, p := range c.Params {
			if v, err := url.PathUnescape(p.Value); err == nil {
				c.Params[i].Value = v
			}
		}
	}
	c.Next()
}

// Serve runs the API until its context ends, then drains in-flight
// requests. requestTimeout is the configured bound on one request.
func Serve(ctx context.Context, addr string, handler http.Handler, requestTimeout, bodyTimeout time.Duration, logger *slog.Logger) error {
	return httpserve.Run(ctx, newServer(addr, handler, requestTimeout, bodyTimeout), 15*time.Second, "api", logger)
}
