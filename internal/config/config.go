// Package config reads Signet's settings from environment variables. Every
// variable has a documented default that works for `make dev`.
package config

import (
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/signet-clm/signet/internal/outbound"
)

// Config is every setting the API and worker read.
type Config struct {
	// DatabaseURL (DATABASE_URL) is the PostgreSQL connection string. Empty
	// means `signet dev` finds or starts a server.
	DatabaseURL string
	// TemporalAddress (TEMPORAL_ADDRESS, default 127.0.0.1:7233) is the
	// Temporal frontend's host:port.
	TemporalAddress string
	// TemporalNamespace (TEMPORAL_NAMESPACE, default "default").
	TemporalNamespace string
	// TaskQueue (SIGNET_TASK_QUEUE, default "signet-contracts").
	TaskQueue string
	// HTTPAddr (SIGNET_HTTP_ADDR, default 127.0.0.1:8080) is where the API listens.
	HTTPAddr string
	// TimeZone (SIGNET_TIMEZONE, default Asia/Shanghai) is where calendar
	// dates end and reminders fire.
	TimeZone *time.Location
	// RequestTimeout (SIGNET_REQUEST_TIMEOUT, default 10s) bounds every API
	// call to PostgreSQL and Temporal, so an outage answers 503, never hangs.
	RequestTimeout time.Duration
	// ReconcileSchedule (SIGNET_RECONCILE_SCHEDULE, default "0 2 * * *") is
	// the cron spec of the nightly PostgreSQL-versus-Temporal check.
	ReconcileSchedule string
	// CompanyName (SIGNET_COMPANY_NAME) is our party's name in documents.
	CompanyName string
	// AttachmentMaxBytes (SIGNET_ATTACHMENT_MAX_BYTES, default 20 MiB)
	// bounds one uploaded attachment.
	AttachmentMaxBytes int64
	// DigestSchedule (SIGNET_DIGEST_SCHEDULE, default "0 8 * * *") is the
	// cron spec of each person's daily digest, read in TimeZone.
	DigestSchedule string
	// PublicURL (SIGNET_PUBLIC_URL, default http://127.0.0.1:8080) is where
	// people reach the API; notices link under it.
	PublicURL string
	// SMTPAddr (SIGNET_SMTP_ADDR, host:port; default empty: no email) is
	// the mail server notices go through. SMTPFrom (SIGNET_SMTP_FROM,
	// default signet@localhost), SMTPUsername and SMTPPassword
	// (SIGNET_SMTP_USERNAME, SIGNET_SMTP_PASSWORD; default none).
	SMTPAddr, SMTPFrom, SMTPUsername, SMTPPassword string
	// OIDCIssuer (SIGNET_OIDC_ISSUER, default empty: OIDC off) is the
	// OpenID Connect issuer whose JWTs the API accepts as bearer tokens,
	// besides Signet's own tokens.
	OIDCIssuer string
	// OIDCAudience (SIGNET_OIDC_AUDIENCE, default "signet") is the aud
	// such a JWT must carry.
	OIDCAudience string
	// OIDCJWKSURL (SIGNET_OIDC_JWKS_URL, default empty: discovered from
	// the issuer) is the issuer's key set.
	OIDCJWKSURL string
	// SigningKeyFile (SIGNET_SIGNING_KEY_FILE, default empty: PostgreSQL)
	// keeps the Ed25519 sealing key in a file instead of the database; it
	// is generated there on first start.
	SigningKeyFile string
	// ESignWebhookSecret (SIGNET_ESIGN_WEBHOOK_SECRET, default empty: no
	// external provider) authenticates an e-signature provider's callbacks.
	ESignWebhookSecret string
	// MaxInFlight (SIGNET_MAX_INFLIGHT, default 64) bounds the /v1
	// requests one API process works on at once; past it the API answers
	// 429 with Retry-After instead of queueing without bound.
	MaxInFlight int
	// BodyTimeout (SIGNET_BODY_TIMEOUT, default 10s) bounds how long a
	// client may take to send a request body; past it, 408.
	BodyTimeout time.Duration
	// Outbound is what webhooks, robots and the OIDC issuer may reach
	// (SIGNET_OUTBOUND_ALLOW_LOOPBACK, SIGNET_OUTBOUND_ALLOW; see
	// outboundGuard).
	Outbound outbound.Guard
	// ExportTimeout (SIGNET_EXPORT_TIMEOUT, default 30m) bounds one report
	// export, which streams for longer than RequestTimeout allows.
	ExportTimeout time.Duration
	// SessionIdle (SIGNET_SESSION_IDLE, default 30m) signs a console user
	// out after this long without a request; SessionMax
	// (SIGNET_SESSION_MAX, default 12h) this long after signing in.
	SessionIdle, SessionMax time.Duration
}

// Defaults.
const (
	DefaultTemporalAddress   = "127.0.0.1:7233"
	DefaultTemporalNamespace = "default"
	DefaultTaskQueue         = "signet-contracts"
	DefaultHTTPAddr          = "127.0.0.1:8080"
	DefaultTimeZone          = "Asia/Shanghai"
	DefaultRequestTimeout    = 10 * time.Second
	DefaultReconcileSchedule = "0 2 * * *"
	DefaultCompanyName       = "示例科技有限公司"
	DefaultAttachmentMax     = 20 << 20
	DefaultDigestSchedule    = "0 8 * * *"
	DefaultPublicURL         = "http://127.0.0.1:8080"
	DefaultSMTPFrom          = "signet@localhost"
	DefaultOIDCAudience      = "signet"
	// DefaultMaxInFlight bounds queueing, not throughput: on two cores
	// (make bench) creation sustains about 9 starts/s, so the 64th request
	// already waits seconds and, under twice that load, some still reach
	// SIGNET_REQUEST_TIMEOUT (503); lower it where starts dominate.
	DefaultMaxInFlight   = 64
	DefaultExportTimeout = 30 * time.Minute
	DefaultBodyTimeout   = 10 * time.Second
	DefaultSessionIdle   = 30 * time.Minute
	DefaultSessionMax    = 12 * time.Hour
)

// outboundGuard reads what outbound calls may reach:
// SIGNET_OUTBOUND_ALLOW_LOOPBACK (true or false, default false; `signet
// dev` sets it) lets webhooks and robots reach loopback, over plain http
// too; SIGNET_OUTBOUND_ALLOW (comma-separated CIDRs, default none) names
// private networks an operator wants reachable, such as an on-premises
// identity provider.
func outboundGuard() (outbound.Guard, error) {
	var g outbound.Guard
	if v := os.Getenv("SIGNET_OUTBOUND_ALLOW_LOOPBACK"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return g, fmt.Errorf("SIGNET_OUTBOUND_ALLOW_LOOPBACK %q: want true or false", v)
		}
		g.AllowLoopback = b
	}
	for _, part := range strings.Split(os.Getenv("SIGNET_OUTBOUND_ALLOW"), ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return g, fmt.Errorf("SIGNET_OUTBOUND_ALLOW %q: want CIDRs such as 10.1.0.0/16: %w", part, err)
		}
		g.Allow = append(g.Allow, p.Masked())
	}
	return g, nil
}

// FromEnv reads the configuration from the environment.
func FromEnv() (Config, error) {
	c := Config{
		DatabaseURL:       os.Getenv("DATABASE_URL"),
		TemporalAddress:   env("TEMPORAL_ADDRESS", DefaultTemporalAddress),
		TemporalNamespace: env("TEMPORAL_NAMESPACE", DefaultTemporalNamespace),
		TaskQueue:         env("SIGNET_TASK_QUEUE", DefaultTaskQueue),
		HTTPAddr:          env("SIGNET_HTTP_ADDR", DefaultHTTPAddr),
		ReconcileSchedule: env("SIGNET_RECONCILE_SCHEDULE", DefaultReconcileSchedule),
		CompanyName:       env("SIGNET_COMPANY_NAME", DefaultCompanyName),
		DigestSchedule:    env("SIGNET_DIGEST_SCHEDULE", DefaultDigestSchedule),
		PublicURL:         env("SIGNET_PUBLIC_URL", DefaultPublicURL),
		SMTPAddr:          os.Getenv("SIGNET_SMTP_ADDR"),
		SMTPFrom:          env("SIGNET_SMTP_FROM", DefaultSMTPFrom),
		SMTPUsername:      os.Getenv("SIGNET_SMTP_USERNAME"),
		SMTPPassword:      os.Getenv("SIGNET_SMTP_PASSWORD"),
		OIDCIssuer:        os.Getenv("SIGNET_OIDC_ISSUER"),
		OIDCAudience:      env("SIGNET_OIDC_AUDIENCE", DefaultOIDCAudience),
		OIDCJWKSURL:       os.Getenv("SIGNET_OIDC_JWKS_URL"),
		SigningKeyFile:    os.Getenv("SIGNET_SIGNING_KEY_FILE"),
		// A short secret is guessable; refuse it rather than accept forgeries.
		ESignWebhookSecret: os.Getenv("SIGNET_ESIGN_WEBHOOK_SECRET"),
	}
	tz := env("SIGNET_TIMEZONE", DefaultTimeZone)
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return Config{}, fmt.Errorf("SIGNET_TIMEZONE %q: %w", tz, err)
	}
	c.TimeZone = loc
	c.RequestTimeout = DefaultRequestTimeout
	if v := os.Getenv("SIGNET_REQUEST_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Config{}, fmt.Errorf("SIGNET_REQUEST_TIMEOUT %q: want a positive duration such as 10s", v)
		}
		c.RequestTimeout = d
	}
	c.BodyTimeout = DefaultBodyTimeout
	if v := os.Getenv("SIGNET_BODY_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Config{}, fmt.Errorf("SIGNET_BODY_TIMEOUT %q: want a positive duration such as 10s", v)
		}
		c.BodyTimeout = d
	}
	c.ExportTimeout = DefaultExportTimeout
	if v := os.Getenv("SIGNET_EXPORT_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Config{}, fmt.Errorf("SIGNET_EXPORT_TIMEOUT %q: want a positive duration such as 30m", v)
		}
		c.ExportTimeout = d
	}
	for _, d := range []struct {
		name string
		into *time.Duration
		def  time.Duration
	}{{"SIGNET_SESSION_IDLE", &c.SessionIdle, DefaultSessionIdle}, {"SIGNET_SESSION_MAX", &c.SessionMax, DefaultSessionMax}} {
		*d.into = d.def
		if v := os.Getenv(d.name); v != "" {
			dur, err := time.ParseDuration(v)
			if err != nil || dur < time.Minute {
				return Config{}, fmt.Errorf("%s %q: want a duration of a minute or more, such as 30m", d.name, v)
			}
			*d.into = dur
		}
	}
	if c.SessionIdle > c.SessionMax {
		return Config{}, fmt.Errorf("SIGNET_SESSION_IDLE %s is longer than SIGNET_SESSION_MAX %s", c.SessionIdle, c.SessionMax)
	}
	// A bad schedule stops the process at start, not silently at 2 a.m.
	for name, spec := range map[string]string{"SIGNET_RECONCILE_SCHEDULE": c.ReconcileSchedule, "SIGNET_DIGEST_SCHEDULE": c.DigestSchedule} {
		if _, err := cron.ParseStandard(spec); err != nil {
			return Config{}, fmt.Errorf("%s %q: %w", name, spec, err)
		}
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Config{}, fmt.Errorf("SIGNET_PUBLIC_URL %q: want an http or https URL", c.PublicURL)
	}
	// A key set URL alone would silently leave OIDC off.
	if c.OIDCJWKSURL != "" && c.OIDCIssuer == "" {
		return Config{}, fmt.Errorf("SIGNET_OIDC_JWKS_URL %q: set SIGNET_OIDC_ISSUER too", c.OIDCJWKSURL)
	}
	for name, v := range map[string]string{"SIGNET_OIDC_ISSUER": c.OIDCIssuer, "SIGNET_OIDC_JWKS_URL": c.OIDCJWKSURL} {
		if u, err := url.Parse(v); v != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
			return Config{}, fmt.Errorf("%s %q: want an http or https URL", name, v)
		}
	}
	if n := len(c.ESignWebhookSecret); n > 0 && n < 32 {
		return Config{}, fmt.Errorf("SIGNET_ESIGN_WEBHOOK_SECRET: want at least 32 characters, got %d", n)
	}
	c.AttachmentMaxBytes = DefaultAttachmentMax
	if v := os.Getenv("SIGNET_ATTACHMENT_MAX_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return Config{}, fmt.Errorf("SIGNET_ATTACHMENT_MAX_BYTES %q: want a positive number of bytes", v)
		}
		c.AttachmentMaxBytes = n
	}
	if c.Outbound, err = outboundGuard(); err != nil {
		return Config{}, err
	}
	c.MaxInFlight = DefaultMaxInFlight
	if v := os.Getenv("SIGNET_MAX_INFLIGHT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return Config{}, fmt.Errorf("SIGNET_MAX_INFLIGHT %q: want a positive number of requests", v)
		}
		c.MaxInFlight = n
	}
	return c, nil
}

// Variables lists every environment variable FromEnv reads; the compose file
// test checks docker-compose.yml against it.
var Variables = []string{
	"DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "SIGNET_TASK_QUEUE",
	"SIGNET_HTTP_ADDR", "SIGNET_TIMEZONE", "SIGNET_REQUEST_TIMEOUT", "SIGNET_RECONCILE_SCHEDULE",
	"SIGNET_COMPANY_NAME", "SIGNET_ATTACHMENT_MAX_BYTES", "SIGNET_DIGEST_SCHEDULE", "SIGNET_PUBLIC_URL",
	"SIGNET_SMTP_ADDR", "SIGNET_SMTP_FROM", "SIGNET_SMTP_USERNAME", "SIGNET_SMTP_PASSWORD",
	"SIGNET_OIDC_ISSUER", "SIGNET_OIDC_AUDIENCE", "SIGNET_OIDC_JWKS_URL", "SIGNET_EXPORT_TIMEOUT",
	"SIGNET_SIGNING_KEY_FILE", "SIGNET_ESIGN_WEBHOOK_SECRET", "SIGNET_MAX_INFLIGHT",
	"SIGNET_OUTBOUND_ALLOW_LOOPBACK", "SIGNET_OUTBOUND_ALLOW", "SIGNET_BODY_TIMEOUT",
	"SIGNET_SESSION_IDLE", "SIGNET_SESSION_MAX",
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
