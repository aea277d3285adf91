package testenv

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/console"
	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/oidc"
	"github.com/signet-clm/signet/internal/opsmetrics"
	"github.com/signet-clm/signet/internal/outbound"
	"github.com/signet-clm/signet/internal/payloadcodec"
	"github.com/signet-clm/signet/internal/pdfsig"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/migrations"
	"github.com/signet-clm/signet/worker"
)

// Stack is Signet running for one test: its own database, its own task
// queue and worker on the shared dev server, and the API over HTTP.
type Stack struct {
	URL      string
	Store    *store.Store
	Temporal client.Client
	// Tokens maps each demo role to a bearer token; "sales2" is a second
	// sales person who owns nothing.
	Tokens    map[string]string
	Loc       *time.Location
	TaskQueue string
	// Sealer is the stack's signing key, to check seals with.
	Sealer *eseal.Sealer
	// PDFKey is the development CA's key the worker signs PDFs with.
	PDFKey *pdfsig.Key
	// Mail is the stack's mail server; Mailbox delivers the outbox to it.
	// Nil for a stack WithoutMail.
	Mail *devstack.MailCatcher
	// Clock is e-signing's clock, when the stack was made WithClock.
	Clock  *Clock
	mailer *notify.Dispatcher
	// Codec encrypts every payload the stack's client and worker hand
	// Temporal, under a key ring of its own (or WithCodecKeys').
	Codec *payloadcodec.Codec
	// Metrics is the API's /metrics, which the router also serves unless
	// WithMetricsElsewhere moved it.
	Metrics http.Handler
	// Owner connects as the role that owns the tables and runs the
	// migrations, for tests that play a database administrator; Store
	// connects as signet_app, as the API and worker do in production.
	Owner *pgxpool.Pool
	// Keys are where the stack's keys outside PostgreSQL live (a
	// directory of the test's own).
	Keys devstack.KeyFiles
	// Trail verifies the stack's audit chain and seals its head into
	// Keys.Checkpoints.
	Trail *audit.Trail
	// Logins are each demo role's console login and password, with
	// WithLogins.
	Logins map[string]devstack.Login
}

// Mailbox delivers every email the outbox holds to the stack's mail
// server, as the worker's dispatcher would, and returns all the mail it
// has received: what the recipients would have read.
func (s *Stack) Mailbox(t testing.TB) []devstack.Mail {
	t.Helper()
	if s.Mail == nil {
		t.Fatal("this stack has no mail server")
	}
	s.Deliver(t)
	return s.Mail.Messages()
}

// Deliver makes the worker's dispatcher's passes over the outbox until
// nothing is due: every channel the stack sends on (mail, webhooks, and
// the cards of a stack configured with card apps). A failed delivery is
// due again at once, twice, then dead.
func (s *Stack) Deliver(t testing.TB) {
	t.Helper()
	for {
		n, err := s.mailer.Drain(context.Background())
		if err != nil {
			t.Fatalf("deliver notices: %v", err)
		}
		if n == 0 {
			return
		}
	}
}

// Clock is a settable clock for e-signing: it reads the real time plus
// what the test has advanced it by, so cooldowns pass without sleeping.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// AttachmentLimit is the upload limit of a test stack: small, so a test
// can cross it cheaply.
const AttachmentLimit = 1 << 20

// SecondSales is a sales user besides the demo one.
var SecondSales = domain.User{ID: "test-sales-2", Name: "周杰 Zhou Jie", Email: "zhou.jie@test.signet.local", Roles: []domain.Role{domain.RoleSales}}

var (
	blocksMu sync.Mutex
	blocks   = map[int]bool{}
)

// numberBlock gives each test its own range of contract numbers, so tests
// sharing a dev server never start two workflows with one ID.
func numberBlock() int {
	blocksMu.Lock()
	defer blocksMu.Unlock()
	for {
		b := 1 + rand.IntN(998)
		if !blocks[b] {
			blocks[b] = true
			return b * 1000
		}
	}
}

// WebhookSecret is the e-signature provider secret test stacks accept.
const WebhookSecret = "test-provider-secret-0123456789abcdef"

// WrapHandler, when set, wraps every stack's API handler; the api tests
// use it to check each response against the OpenAPI document, failing t.
var WrapHandler func(t testing.TB, h http.Handler) http.Handler

// Option changes how NewStack builds Signet.
type Option func(*options)

type options struct {
	oidc             api.OIDC
	oidcLogin        *oidc.Login
	mail             bool
	nomail           bool
	clock            *Clock
	codecKeys        *payloadcodec.KeyRing
	metricsElsewhere bool
	logins           bool
	configure        func(*config.Config)
}

// WithConfig changes the stack's configuration before the API is built
// from it (the card callbacks' secrets, say).
func WithConfig(f func(*config.Config)) Option {
	return func(o *options) { o.configure = f }
}

// WithLogins gives each demo user a console password (Stack.Logins);
// hashing them costs a little, so stacks that sign nobody in skip it.
func WithLogins() Option {
	return func(o *options) { o.logins = true }
}

// WithCodecKeys encrypts the stack's payloads under ring rather than a
// fresh one (recorded histories that must replay later).
func WithCodecKeys(ring *payloadcodec.KeyRing) Option {
	return func(o *options) { o.codecKeys = ring }
}

// WithMetricsElsewhere runs the API as with SIGNET_METRICS_ADDR set: the
// router answers 404 for /metrics, which only Stack.Metrics serves.
func WithMetricsElsewhere() Option {
	return func(o *options) { o.metricsElsewhere = true }
}

// WithOIDC makes the API accept JWTs that v verifies.
func WithOIDC(v api.OIDC) Option {
	return func(o *options) { o.oidc = v }
}

// WithOIDCLogin offers console sign-in with the issuer l signs in at; its
// callback is under the stack's own address.
func WithOIDCLogin(l *oidc.Login) Option {
	return func(o *options) { o.oidcLogin = l }
}

// WithMail mails users who never chose where to hear by email, as Signet
// does once SMTP is configured. Every stack has a mail server for the
// mail that goes to an address anyway (signing links and codes);
// Stack.Mailbox delivers it.
func WithMail() Option {
	return func(o *options) { o.mail = true }
}

// WithoutMail runs Signet with no SMTP configured at all.
func WithoutMail() Option {
	return func(o *options) { o.nomail = true }
}

// WithClock gives e-signing the clock c (see Stack.Clock).
func WithClock(c *Clock) Option {
	return func(o *options) { o.clock = c }
}

// NewStack starts Signet against temporalAddress for t.
func NewStack(t testing.TB, temporalAddress string, opts ...Option) *Stack {
	t.Helper()
	ctx := context.Background()
	ownerURL := NewDatabase(t)
	owner, err := pgxpool.New(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(owner.Close)
	keys := devstack.KeyFiles{Keyring: filepath.Join(t.TempDir(), "keys", "signing-keyring.json")}
	keys.AuditKey = filepath.Join(filepath.Dir(keys.Keyring), "audit-key.json")
	keys.Checkpoints = filepath.Join(filepath.Dir(keys.Keyring), "checkpoints")
	keys.PDF = devstack.DevKeyFiles(filepath.Dir(keys.Keyring)).PDF
	if err := keys.Ensure(time.Now()); err != nil {
		t.Fatal(err)
	}
	pdfKey, err := pdfsig.LoadKey(keys.PDF.Key, keys.PDF.Cert)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := eseal.OpenFileKeyring(keys.Keyring)
	if err != nil {
		t.Fatal(err)
	}
	sealer := eseal.NewKeyringSealer(ring)
	auditKeys, err := audit.OpenKeyFile(keys.AuditKey)
	if err != nil {
		t.Fatal(err)
	}
	// The application connects as its least-privilege role.
	appURL, err := migrations.AppURL(ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, appURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	st.AuditKeys = auditKeys
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	st.EmailByDefault = o.mail
	tokens, err := devstack.SeedDemo(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertUser(ctx, SecondSales); err != nil {
		t.Fatal(err)
	}
	tok, _ := store.NewToken()
	if _, err := st.AddToken(ctx, SecondSales.ID, tok, "test", time.Time{}); err != nil {
		t.Fatal(err)
	}
	tokens["sales2"] = tok

	loc, _ := time.LoadLocation(config.DefaultTimeZone)
	if _, err := st.Pool().Exec(ctx, `INSERT INTO contract_sequences (year, last_value) VALUES ($1, $2)`,
		time.Now().In(loc).Year(), numberBlock()); err != nil {
		t.Fatal(err)
	}

	codecKeys := o.codecKeys
	if codecKeys == nil {
		if codecKeys, err = payloadcodec.NewKeyRing(); err != nil {
			t.Fatal(err)
		}
	}
	codec := payloadcodec.New(codecKeys)
	sdkMetrics := opsmetrics.NewTemporal()
	tc, err := client.Dial(codec.ClientOptions(client.Options{HostPort: temporalAddress, Logger: Logger(), MetricsHandler: sdkMetrics}))
	if err != nil {
		t.Fatalf("connect to Temporal: %v", err)
	}
	t.Cleanup(tc.Close)
	queue := fmt.Sprintf("signet-test-%d", rand.Uint64())
	cs := contracts.New(st, tc, queue, loc, config.DefaultCompanyName)
	cfg := config.Config{TaskQueue: queue, TimeZone: loc, RequestTimeout: 20 * time.Second,
		CompanyName: config.DefaultCompanyName, AttachmentMaxBytes: AttachmentLimit, ESignWebhookSecret: WebhookSecret,
		SigningCodeMax: config.DefaultSigningCodeMax, SigningCodeCooldown: config.DefaultSigningCodeCooldown,
		// Receivers in tests listen on loopback: the development setting.
		Outbound: outbound.Guard{AllowLoopback: true}, AuditCheckpointDir: keys.Checkpoints,
		PDFSigningCert: keys.PDF.Cert, PDFCert: pdfKey.Certificate()}
	var mail *devstack.MailCatcher
	if !o.nomail {
		if mail, err = devstack.StartMailCatcher("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = mail.Close() })
		cfg.SMTPAddr = mail.Addr()
	}
	if o.configure != nil {
		o.configure(&cfg)
	}
	// Set before the worker starts, which reads them as it routes notices.
	st.DingTalkCards, st.WeComCards = cfg.DingTalkCards.Configured(), cfg.WeComCards.Configured()
	stamps := pdfsig.NewTimestamps(cfg.PDFTimestampURL, cfg.Outbound.Client(10*time.Second))
	w := worker.New(worker.Options{Client: tc, Store: st, TaskQueue: queue, Location: loc, Logger: Logger(), Sealer: sealer,
		PDFSigner: pdfKey, PDFTimestamps: stamps, CompanyName: config.DefaultCompanyName,
		Renewer: cs, Historian: cs})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	deps := api.StandardDeps(cfg, st, tc, sealer, Logger())
	deps.OIDC = o.oidc
	if o.clock != nil {
		opts := api.SigningOptions(cfg)
		opts.Now = o.clock.Now
		deps.Signing = esign.New(deps.Contracts, tc, st, sealer, opts)
	}
	deps.Collectors = append(deps.Collectors, sdkMetrics)
	deps.MetricsElsewhere = o.metricsElsewhere
	deps.Metrics = api.NewMetrics(deps)
	var logins map[string]devstack.Login
	if o.logins {
		if logins, err = devstack.SeedLogins(ctx, deps.Users); err != nil {
			t.Fatal(err)
		}
	}
	cd := console.FromAPI(deps, config.DefaultPublicURL)
	cd.OIDCLogin = o.oidcLogin
	pages := console.New(cd)
	deps.SignPages = pages.SignPages()
	router := api.NewRouter(deps)
	pages.Mount(router)
	var handler http.Handler = router
	if WrapHandler != nil {
		handler = WrapHandler(t, handler)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	stack := &Stack{URL: srv.URL, Store: st, Temporal: tc, Tokens: tokens, Loc: loc, TaskQueue: queue, Sealer: sealer, PDFKey: pdfKey, Mail: mail, Clock: o.clock, Logins: logins,
		Codec: codec, Metrics: deps.Metrics,
		Owner: owner, Keys: keys, Trail: &audit.Trail{Rows: st, Keys: auditKeys, Checkpoints: audit.CheckpointDir(keys.Checkpoints), Sealer: sealer}}
	// Links in mail stay relative to the API (no SIGNET_PUBLIC_URL).
	senders := map[string]notify.Sender{notify.ChannelWebhook: notify.NewWebhook(http.DefaultClient)}
	if mail != nil {
		senders[notify.ChannelEmail] = notify.NewEmail(notify.SMTPConfig{Addr: mail.Addr(), From: "signet@test.local"})
	}
	// Cards reach the platforms' APIs (a test's fake) through the guarded
	// client, as in production.
	if st.DingTalkCards {
		senders[notify.ChannelDingTalkCard] = notify.NewDingTalkCards(cfg.DingTalkCards, cfg.Outbound.Client(10*time.Second), st, cfg.CardDecideMax, time.Now)
	}
	if st.WeComCards {
		senders[notify.ChannelWeComCard] = notify.NewWeComCards(cfg.WeComCards, cfg.Outbound.Client(10*time.Second), st, cfg.CardDecideMax, time.Now)
	}
	stack.mailer = notify.NewDispatcher(st, senders, "", Logger())
	stack.mailer.Backoff = []time.Duration{0, 0}
	return stack
}
