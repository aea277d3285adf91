package testenv

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/console"
	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/outbound"
	"github.com/signet-clm/signet/internal/store"
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
	// Logins are each demo role's console login and password, with
	// WithLogins.
	Logins map[string]devstack.Login
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
	oidc   api.OIDC
	mail   bool
	logins bool
}

// WithLogins gives each demo user a console password (Stack.Logins);
// hashing them costs a little, so stacks that sign nobody in skip it.
func WithLogins() Option {
	return func(o *options) { o.logins = true }
}

// WithOIDC makes the API accept JWTs that v verifies.
func WithOIDC(v api.OIDC) Option {
	return func(o *options) { o.oidc = v }
}

// WithMail makes Signet mail as if SMTP were configured: email notices go
// to the outbox (the test reads them there or runs a dispatcher).
func WithMail() Option {
	return func(o *options) { o.mail = true }
}

// NewStack starts Signet against temporalAddress for t.
func NewStack(t testing.TB, temporalAddress string, opts ...Option) *Stack {
	t.Helper()
	ctx := context.Background()
	dbURL := NewDatabase(t)
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
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

	tc, err := client.Dial(client.Options{HostPort: temporalAddress, Logger: Logger()})
	if err != nil {
		t.Fatalf("connect to Temporal: %v", err)
	}
	t.Cleanup(tc.Close)
	queue := fmt.Sprintf("signet-test-%d", rand.Uint64())
	sealer, err := eseal.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	w := worker.New(worker.Options{Client: tc, Store: st, TaskQueue: queue, Location: loc, Logger: Logger(), Sealer: sealer,
		Renewer: contracts.New(st, tc, queue, loc, config.DefaultCompanyName)})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	cfg := config.Config{TaskQueue: queue, TimeZone: loc, RequestTimeout: 20 * time.Second,
		CompanyName: config.DefaultCompanyName, AttachmentMaxBytes: AttachmentLimit, ESignWebhookSecret: WebhookSecret,
		// Receivers in tests listen on loopback: the development setting.
		Outbound: outbound.Guard{AllowLoopback: true}}
	if o.mail {
		cfg.SMTPAddr = "mail.invalid:25"
	}
	deps := api.StandardDeps(cfg, st, tc, sealer, Logger())
	deps.OIDC = o.oidc
	var logins map[string]devstack.Login
	if o.logins {
		if logins, err = devstack.SeedLogins(ctx, deps.Users); err != nil {
			t.Fatal(err)
		}
	}
	router := api.NewRouter(deps)
	console.Mount(router, console.FromAPI(deps, config.DefaultPublicURL))
	var handler http.Handler = router
	if WrapHandler != nil {
		handler = WrapHandler(t, handler)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return &Stack{URL: srv.URL, Store: st, Temporal: tc, Tokens: tokens, Loc: loc, TaskQueue: queue, Sealer: sealer, Logins: logins}
}
