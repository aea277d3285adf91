// Package config reads Signet's settings from environment variables. Every
// variable has a documented default that works for `make dev`.
package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/signet-clm/signet/internal/imcallback"
	"github.com/signet-clm/signet/internal/imcard"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/outbound"
	"github.com/signet-clm/signet/internal/pdfsig"
)

// Config is every setting the API and worker read.
type Config struct {
	// DatabaseURL (DATABASE_URL) is the PostgreSQL connection string the
	// API and worker use: a least-privilege role (signet_app, see migration
	// 015). Empty means `signet dev` finds or starts a server.
	DatabaseURL string
	// MigrateDatabaseURL (SIGNET_MIGRATE_DATABASE_URL, default DATABASE_URL)
	// is the owner role `signet migrate` connects as: it owns the tables
	// and can give the app's role its rights.
	MigrateDatabaseURL string
	// DatabaseMaxConns (SIGNET_DB_MAX_CONNS, default store.DefaultMaxConns,
	// 20) bounds each process's PostgreSQL pool; a pool_max_conns in
	// DATABASE_URL wins. Size it to the API's and worker's concurrency and
	// keep replicas × it under PostgreSQL's max_connections.
	DatabaseMaxConns int32
	// WorkerPollers (SIGNET_WORKER_POLLERS, default 0) is how many
	// pollers the worker runs for workflow tasks and as many for activity
	// tasks; 0 lets the SDK scale them (1 to 100) with the load the server
	// reports, which keeps queries and Updates from queueing behind busy
	// pollers at peak. 2 or more fixes the count.
	WorkerPollers int
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
	// OIDCClientID (SIGNET_OIDC_CLIENT_ID, default empty: passwords only)
	// is the console's client at SIGNET_OIDC_ISSUER; with it the sign-in
	// page offers the issuer's sign-in (authorization code with PKCE),
	// returning to SIGNET_PUBLIC_URL/login/oidc/callback.
	// OIDCClientSecret (SIGNET_OIDC_CLIENT_SECRET) is its secret, empty
	// for a public client; it lives in the environment, never PostgreSQL.
	OIDCClientID     string
	OIDCClientSecret string
	// SigningKeyFile (SIGNET_SIGNING_KEY_FILE) is the sealing keyring: the
	// current Ed25519 key and the retired public keys (eseal.FileKeyring).
	// `signet api` and `signet worker` refuse to start without it; `signet
	// keys init` makes it, `signet dev` makes one under .data/.
	SigningKeyFile string
	// AuditKeyFile (SIGNET_AUDIT_KEY_FILE) holds the HMAC keys of the audit
	// chain (audit.FileKeys); required like SigningKeyFile.
	AuditKeyFile string
	// AuditCheckpointDir (SIGNET_AUDIT_CHECKPOINT_DIR) is where the worker
	// writes sealed checkpoints of the audit chain's head, and where
	// verification reads them; required by `signet worker`.
	AuditCheckpointDir string
	// AuditCheckpointSchedule (SIGNET_AUDIT_CHECKPOINT_SCHEDULE, default
	// "*/15 * * * *") is the cron spec of the checkpoint job.
	AuditCheckpointSchedule string
	// ESignWebhookSecret (SIGNET_ESIGN_WEBHOOK_SECRET, default empty: no
	// external provider) authenticates an e-signature provider's callbacks.
	ESignWebhookSecret string
	// DingTalkCallback and WeComCallback are the approval cards' callback
	// secrets (SIGNET_DINGTALK_CALLBACK_TOKEN, _AES_KEY, SIGNET_DINGTALK_CORP_ID;
	// the same for SIGNET_WECOM_…): environment only, never PostgreSQL.
	// An empty token leaves that platform's callback route answering 404.
	DingTalkCallback, WeComCallback IMCallback
	// DingTalkCards is the DingTalk app that sends task notices as
	// approval cards (SIGNET_DINGTALK_APP_KEY, _APP_SECRET, _ROBOT_CODE,
	// _CALLBACK_ROUTE_KEY, _API_URL; notify.DingTalkApp), WeComCards the
	// WeCom app (SIGNET_WECOM_CORP_ID, _CORP_SECRET, _AGENT_ID, _API_URL;
	// notify.WeComApp). Environment only, never PostgreSQL. Unset: task
	// notices go as before (robots, email).
	DingTalkCards notify.DingTalkApp
	WeComCards    notify.WeComApp
	// CardDecideMax (SIGNET_CARD_DECIDE_MAX_MINOR, default empty: any
	// amount) is the largest amount a card may decide (imcard.ParseLimits).
	CardDecideMax imcard.Limits
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
	// SigningCodeMax (SIGNET_SIGNING_CODE_MAX, default 5) is how many
	// one-time codes one signing link may have mailed; past it the signer
	// needs a new link (the sender resends it).
	SigningCodeMax int
	// SigningCodeCooldown (SIGNET_SIGNING_CODE_COOLDOWN, default 60s) is
	// how long after one code the next may be sent (429 with Retry-After
	// before then).
	SigningCodeCooldown time.Duration
	// CodecKeyFile (SIGNET_CODEC_KEY_FILE; required by api, worker and
	// codec-server, `signet dev` makes .data/codec-keys.json) holds the
	// AES-256 keys that encrypt every payload Signet hands Temporal.
	CodecKeyFile string
	// CodecAddr (SIGNET_CODEC_ADDR, default 127.0.0.1:8234) is where
	// `signet codec-server` listens.
	CodecAddr string
	// CodecUIOrigins (SIGNET_CODEC_UI_ORIGIN, comma-separated, default
	// http://127.0.0.1:8233) are the Temporal Web UI origins the codec
	// server answers from a browser (CORS).
	CodecUIOrigins []string
	// MetricsAddr (SIGNET_METRICS_ADDR, default empty: on the API's own
	// listener) binds the API's /metrics to a listener of its own; the
	// public address then answers 404 for it.
	MetricsAddr string
	// WorkerMetricsAddr (SIGNET_WORKER_METRICS_ADDR, default empty: none)
	// is where `signet worker` serves /metrics (the Temporal SDK's).
	WorkerMetricsAddr string
	// PDFSigningKey and PDFSigningCert (SIGNET_PDF_SIGNING_KEY,
	// SIGNET_PDF_SIGNING_CERT; PEM file paths, default empty: PDFs stay
	// unsigned; `signet dev` makes a development CA's under .data/) are
	// the key the worker signs each completed version's PDF with and its
	// certificate, the signing one first, then its issuers. The API needs
	// only the certificate, to say which PDF signatures are Signet's;
	// PDFCert is it, read at start.
	PDFSigningKey, PDFSigningCert string
	PDFCert                       *x509.Certificate
	// PDFTimestampURL (SIGNET_PDF_TSA_URL, default empty: none) is an
	// RFC 3161 time-stamping authority whose token each PDF signature
	// then carries, reached through the outbound guard.
	PDFTimestampURL string
	// SessionIdle (SIGNET_SESSION_IDLE, default 30m) signs a console user
	// out after this long without a request; SessionMax
	// (SIGNET_SESSION_MAX, default 12h) this long after signing in.
	SessionIdle, SessionMax time.Duration
}

// LoadPDFCert reads PDFCert from PDFSigningCert, when that names a file.
func (c *Config) LoadPDFCert() error {
	c.PDFCert = nil
	if c.PDFSigningCert == "" {
		return nil
	}
	certs, err := pdfsig.LoadCertificates(c.PDFSigningCert)
	if err != nil {
		return fmt.Errorf("SIGNET_PDF_SIGNING_CERT: %w", err)
	}
	c.PDFCert = certs[0]
	return nil
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
	// DefaultCheckpointSchedule bounds what rests on the audit key alone:
	// rows since the last checkpoint.
	DefaultCheckpointSchedule = "*/15 * * * *"
	DefaultPublicURL          = "http://127.0.0.1:8080"
	DefaultSMTPFrom           = "signet@localhost"
	DefaultOIDCAudience       = "signet"
	// DefaultMaxInFlight bounds queueing, not throughput: on two cores
	// (make bench) creation sustains about 9 starts/s, so the 64th request
	// already waits seconds and, under twice that load, some still reach
	// SIGNET_REQUEST_TIMEOUT (503); lower it where starts dominate.
	DefaultMaxInFlight   = 64
	DefaultExportTimeout = 30 * time.Minute
	DefaultBodyTimeout   = 10 * time.Second
	// A code takes a person a minute to read and type, and five are
	// plenty for one link; both bound what a link's holder can mail.
	DefaultSigningCodeMax      = 5
	DefaultSigningCodeCooldown = 60 * time.Second
	DefaultCodecAddr           = "127.0.0.1:8234"
	DefaultCodecUIOrigin       = "http://127.0.0.1:8233"
	DefaultSessionIdle         = 30 * time.Minute
	DefaultSessionMax          = 12 * time.Hour
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
		DatabaseURL:             os.Getenv("DATABASE_URL"),
		MigrateDatabaseURL:      env("SIGNET_MIGRATE_DATABASE_URL", os.Getenv("DATABASE_URL")),
		TemporalAddress:         env("TEMPORAL_ADDRESS", DefaultTemporalAddress),
		TemporalNamespace:       env("TEMPORAL_NAMESPACE", DefaultTemporalNamespace),
		TaskQueue:               env("SIGNET_TASK_QUEUE", DefaultTaskQueue),
		HTTPAddr:                env("SIGNET_HTTP_ADDR", DefaultHTTPAddr),
		ReconcileSchedule:       env("SIGNET_RECONCILE_SCHEDULE", DefaultReconcileSchedule),
		CompanyName:             env("SIGNET_COMPANY_NAME", DefaultCompanyName),
		DigestSchedule:          env("SIGNET_DIGEST_SCHEDULE", DefaultDigestSchedule),
		PublicURL:               env("SIGNET_PUBLIC_URL", DefaultPublicURL),
		SMTPAddr:                os.Getenv("SIGNET_SMTP_ADDR"),
		SMTPFrom:                env("SIGNET_SMTP_FROM", DefaultSMTPFrom),
		SMTPUsername:            os.Getenv("SIGNET_SMTP_USERNAME"),
		SMTPPassword:            os.Getenv("SIGNET_SMTP_PASSWORD"),
		OIDCIssuer:              os.Getenv("SIGNET_OIDC_ISSUER"),
		OIDCAudience:            env("SIGNET_OIDC_AUDIENCE", DefaultOIDCAudience),
		OIDCJWKSURL:             os.Getenv("SIGNET_OIDC_JWKS_URL"),
		OIDCClientID:            os.Getenv("SIGNET_OIDC_CLIENT_ID"),
		OIDCClientSecret:        os.Getenv("SIGNET_OIDC_CLIENT_SECRET"),
		SigningKeyFile:          os.Getenv("SIGNET_SIGNING_KEY_FILE"),
		PDFSigningKey:           os.Getenv("SIGNET_PDF_SIGNING_KEY"),
		PDFTimestampURL:         os.Getenv("SIGNET_PDF_TSA_URL"),
		PDFSigningCert:          os.Getenv("SIGNET_PDF_SIGNING_CERT"),
		AuditKeyFile:            os.Getenv("SIGNET_AUDIT_KEY_FILE"),
		AuditCheckpointDir:      os.Getenv("SIGNET_AUDIT_CHECKPOINT_DIR"),
		AuditCheckpointSchedule: env("SIGNET_AUDIT_CHECKPOINT_SCHEDULE", DefaultCheckpointSchedule),
		// A short secret is guessable; refuse it rather than accept forgeries.
		ESignWebhookSecret: os.Getenv("SIGNET_ESIGN_WEBHOOK_SECRET"),
		DingTalkCallback: IMCallback{Token: os.Getenv("SIGNET_DINGTALK_CALLBACK_TOKEN"), AESKey: os.Getenv("SIGNET_DINGTALK_CALLBACK_AES_KEY"),
			Receiver: os.Getenv("SIGNET_DINGTALK_CORP_ID")},
		WeComCallback: IMCallback{Token: os.Getenv("SIGNET_WECOM_CALLBACK_TOKEN"), AESKey: os.Getenv("SIGNET_WECOM_CALLBACK_AES_KEY"),
			Receiver: os.Getenv("SIGNET_WECOM_CORP_ID")},
	}
	for prefix, cb := range map[string]IMCallback{"SIGNET_DINGTALK": c.DingTalkCallback, "SIGNET_WECOM": c.WeComCallback} {
		if cb.Token == "" {
			continue
		}
		if _, err := imcallback.New(cb.Token, cb.AESKey, cb.Receiver); err != nil || cb.Receiver == "" {
			return Config{}, fmt.Errorf("%s_CALLBACK_TOKEN is set: %s_CALLBACK_AES_KEY and %s_CORP_ID want the 43-character EncodingAESKey and the corp ID the platform shows", prefix, prefix, prefix)
		}
	}
	limits, err := imcard.ParseLimits(os.Getenv("SIGNET_CARD_DECIDE_MAX_MINOR"))
	if err != nil {
		return Config{}, fmt.Errorf("SIGNET_CARD_DECIDE_MAX_MINOR: %w", err)
	}
	c.CardDecideMax = limits
	tz := env("SIGNET_TIMEZONE", DefaultTimeZone)
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return Config{}, fmt.Errorf("SIGNET_TIMEZONE %q: %w", tz, err)
	}
	c.TimeZone = loc
	if v := os.Getenv("SIGNET_DB_MAX_CONNS"); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 1 {
			return Config{}, fmt.Errorf("SIGNET_DB_MAX_CONNS %q: want a whole number of connections, 1 or more", v)
		}
		c.DatabaseMaxConns = int32(n)
	}
	if v := os.Getenv("SIGNET_WORKER_POLLERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n == 1 {
			return Config{}, fmt.Errorf("SIGNET_WORKER_POLLERS %q: want 0 (scaled with the load) or a whole number of pollers, 2 or more", v)
		}
		c.WorkerPollers = n
	}
	for _, d := range []struct {
		name string
		into *time.Duration
		def  time.Duration
	}{
		{"SIGNET_REQUEST_TIMEOUT", &c.RequestTimeout, DefaultRequestTimeout},
		{"SIGNET_BODY_TIMEOUT", &c.BodyTimeout, DefaultBodyTimeout},
		{"SIGNET_EXPORT_TIMEOUT", &c.ExportTimeout, DefaultExportTimeout},
	} {
		if *d.into, err = positiveDuration(d.name, d.def); err != nil {
			return Config{}, err
		}
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
	for name, spec := range map[string]string{"SIGNET_RECONCILE_SCHEDULE": c.ReconcileSchedule, "SIGNET_DIGEST_SCHEDULE": c.DigestSchedule,
		"SIGNET_AUDIT_CHECKPOINT_SCHEDULE": c.AuditCheckpointSchedule} {
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
	if c.PDFSigningKey != "" && c.PDFSigningCert == "" {
		return Config{}, errors.New("SIGNET_PDF_SIGNING_KEY is set without SIGNET_PDF_SIGNING_CERT: name the key's certificate too")
	}
	if err := c.LoadPDFCert(); err != nil {
		return Config{}, err
	}
	if c.Outbound, err = outboundGuard(); err != nil {
		return Config{}, err
	}
	if c.PDFTimestampURL != "" {
		if err := c.Outbound.CheckURL(c.PDFTimestampURL); err != nil {
			return Config{}, fmt.Errorf("SIGNET_PDF_TSA_URL: %w", err)
		}
	}
	if err := c.cardApps(); err != nil {
		return Config{}, err
	}
	c.SigningCodeMax = DefaultSigningCodeMax
	if v := os.Getenv("SIGNET_SIGNING_CODE_MAX"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 100 {
			return Config{}, fmt.Errorf("SIGNET_SIGNING_CODE_MAX %q: want a number of codes from 1 to 100", v)
		}
		c.SigningCodeMax = n
	}
	c.SigningCodeCooldown = DefaultSigningCodeCooldown
	if v := os.Getenv("SIGNET_SIGNING_CODE_COOLDOWN"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return Config{}, fmt.Errorf("SIGNET_SIGNING_CODE_COOLDOWN %q: want a duration such as 60s (0 for none)", v)
		}
		c.SigningCodeCooldown = d
	}
	c.CodecKeyFile = os.Getenv("SIGNET_CODEC_KEY_FILE")
	c.CodecAddr = env("SIGNET_CODEC_ADDR", DefaultCodecAddr)
	c.MetricsAddr = os.Getenv("SIGNET_METRICS_ADDR")
	c.WorkerMetricsAddr = os.Getenv("SIGNET_WORKER_METRICS_ADDR")
	for name, v := range map[string]string{"SIGNET_CODEC_ADDR": c.CodecAddr, "SIGNET_METRICS_ADDR": c.MetricsAddr, "SIGNET_WORKER_METRICS_ADDR": c.WorkerMetricsAddr} {
		if _, _, err := net.SplitHostPort(v); v != "" && err != nil {
			return Config{}, fmt.Errorf("%s %q: want host:port such as 127.0.0.1:9090", name, v)
		}
	}
	if c.CodecUIOrigins, err = origins(env("SIGNET_CODEC_UI_ORIGIN", DefaultCodecUIOrigin)); err != nil {
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

// origins reads SIGNET_CODEC_UI_ORIGIN: comma-separated browser origins
// (scheme, host and port, no path), as a browser sends them in Origin.
func origins(v string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		u, err := url.Parse(part)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			return nil, fmt.Errorf("SIGNET_CODEC_UI_ORIGIN %q: want origins such as http://127.0.0.1:8233 (scheme, host, port; no path)", part)
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	return out, nil
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
	"SIGNET_SIGNING_CODE_MAX", "SIGNET_SIGNING_CODE_COOLDOWN",
	"SIGNET_CODEC_KEY_FILE", "SIGNET_CODEC_ADDR", "SIGNET_CODEC_UI_ORIGIN", "SIGNET_METRICS_ADDR",
	"SIGNET_WORKER_METRICS_ADDR", "SIGNET_DB_MAX_CONNS", "SIGNET_WORKER_POLLERS",
	"SIGNET_MIGRATE_DATABASE_URL", "SIGNET_AUDIT_KEY_FILE", "SIGNET_AUDIT_CHECKPOINT_DIR", "SIGNET_AUDIT_CHECKPOINT_SCHEDULE",
	"SIGNET_SESSION_IDLE", "SIGNET_SESSION_MAX", "SIGNET_PDF_SIGNING_KEY", "SIGNET_PDF_SIGNING_CERT",
	"SIGNET_DINGTALK_CALLBACK_TOKEN", "SIGNET_DINGTALK_CALLBACK_AES_KEY", "SIGNET_DINGTALK_CORP_ID",
	"SIGNET_WECOM_CALLBACK_TOKEN", "SIGNET_WECOM_CALLBACK_AES_KEY", "SIGNET_WECOM_CORP_ID", "SIGNET_CARD_DECIDE_MAX_MINOR",
	"SIGNET_DINGTALK_APP_KEY", "SIGNET_DINGTALK_APP_SECRET", "SIGNET_DINGTALK_ROBOT_CODE", "SIGNET_DINGTALK_CALLBACK_ROUTE_KEY",
	"SIGNET_DINGTALK_API_URL", "SIGNET_WECOM_CORP_SECRET", "SIGNET_WECOM_AGENT_ID", "SIGNET_WECOM_API_URL",
}

// Card apps' defaults.
const (
	// DefaultDingTalkRouteKey is the callbackRouteKey cards name when
	// SIGNET_DINGTALK_CALLBACK_ROUTE_KEY is unset: register the callback
	// URL under it.
	DefaultDingTalkRouteKey = "signet"
)

// cardApps reads the apps that send approval cards. An app is all or
// nothing, and its cards' buttons call back, so the platform's callback
// secrets must be set too; the API addresses must be ones the outbound
// guard lets calls reach.
func (c *Config) cardApps() error {
	c.DingTalkCards = notify.DingTalkApp{
		AppKey: os.Getenv("SIGNET_DINGTALK_APP_KEY"), AppSecret: os.Getenv("SIGNET_DINGTALK_APP_SECRET"),
		RobotCode: os.Getenv("SIGNET_DINGTALK_ROBOT_CODE"), CallbackRouteKey: env("SIGNET_DINGTALK_CALLBACK_ROUTE_KEY", DefaultDingTalkRouteKey),
		BaseURL: env("SIGNET_DINGTALK_API_URL", notify.DefaultDingTalkAPI),
	}
	if (c.DingTalkCards.AppKey == "") != (c.DingTalkCards.AppSecret == "") {
		return errors.New("SIGNET_DINGTALK_APP_KEY and SIGNET_DINGTALK_APP_SECRET go together: set both (the app's AppKey and AppSecret) or neither")
	}
	if c.DingTalkCards.RobotCode == "" {
		c.DingTalkCards.RobotCode = c.DingTalkCards.AppKey
	}
	if c.DingTalkCards.Configured() && c.DingTalkCallback.Token == "" {
		return errors.New("SIGNET_DINGTALK_APP_KEY is set: the cards' buttons call back, so set SIGNET_DINGTALK_CALLBACK_TOKEN, _CALLBACK_AES_KEY and SIGNET_DINGTALK_CORP_ID too")
	}
	if err := c.Outbound.CheckURL(c.DingTalkCards.BaseURL); err != nil {
		return fmt.Errorf("SIGNET_DINGTALK_API_URL %q: %w", c.DingTalkCards.BaseURL, err)
	}
	c.WeComCards = notify.WeComApp{CorpID: os.Getenv("SIGNET_WECOM_CORP_ID"), CorpSecret: os.Getenv("SIGNET_WECOM_CORP_SECRET"),
		BaseURL: env("SIGNET_WECOM_API_URL", notify.DefaultWeComAPI)}
	if v := os.Getenv("SIGNET_WECOM_AGENT_ID"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("SIGNET_WECOM_AGENT_ID %q: want the app's AgentId, a positive number", v)
		}
		c.WeComCards.AgentID = n
	}
	if (c.WeComCards.CorpSecret == "") != (c.WeComCards.AgentID == 0) || (c.WeComCards.CorpSecret != "" && c.WeComCards.CorpID == "") {
		return errors.New("SIGNET_WECOM_CORP_SECRET and SIGNET_WECOM_AGENT_ID go together, with SIGNET_WECOM_CORP_ID: set all three (the app's Secret and AgentId, the corp ID) or no secret and agent")
	}
	if c.WeComCards.Configured() && c.WeComCallback.Token == "" {
		return errors.New("SIGNET_WECOM_CORP_SECRET is set: the cards' buttons call back, so set SIGNET_WECOM_CALLBACK_TOKEN and _CALLBACK_AES_KEY too")
	}
	if err := c.Outbound.CheckURL(c.WeComCards.BaseURL); err != nil {
		return fmt.Errorf("SIGNET_WECOM_API_URL %q: %w", c.WeComCards.BaseURL, err)
	}
	return nil
}

// IMCallback is one platform app's callback secrets: the token and
// EncodingAESKey set in its console and the receiver ID (corpId, or for
// DingTalk a third-party app's suiteKey) its ciphertexts end with.
type IMCallback struct {
	Token, AESKey, Receiver string
}

// positiveDuration reads a duration such as 10s from name, def when unset.
func positiveDuration(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s %q: want a positive duration such as %s", name, v, def)
	}
	return d, nil

}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
