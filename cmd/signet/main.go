// Command signet is Signet's one binary:
//
//	signet dev       run everything for a developer: Temporal dev server,
//	                 PostgreSQL, migrations, demo data, worker and API
//	signet api       run the HTTP API and the web console
//	signet worker    run the Temporal worker and scheduled jobs
//	signet migrate   apply database migrations (idempotent)
//	signet audit verify  walk the audit trail's hash chain
//
// Configuration comes from environment variables; see package config.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	_ "time/tzdata" // reminders and term ends use IANA zones even where the OS has none

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/console"
	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/oidc"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/migrations"
	"github.com/signet-clm/signet/worker"
)

const usage = `usage: signet <command>

commands:
  dev       run Temporal, PostgreSQL, worker and API with demo data (for developers)
  api       run the HTTP API and the web console
  worker    run the Temporal worker and scheduled jobs
  migrate   apply database migrations
  audit verify   check the audit trail's hash chain; exit 1 naming the first broken row
`

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var err error
	switch os.Args[1] {
	case "dev":
		err = runDev(ctx, logger)
	case "api", "worker", "migrate":
		err = runService(ctx, os.Args[1], logger)
	case "audit":
		if len(os.Args) < 3 || os.Args[2] != "verify" {
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		err = verifyAudit(ctx)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "signet: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		logger.Error("signet "+os.Args[1]+" failed", "err", err)
		os.Exit(1)
	}
}

// runService runs one production command against configured services.
func runService(ctx context.Context, cmd string, logger *slog.Logger) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is required (for example postgres://signet:signet@127.0.0.1:5432/signet)")
	}
	if cmd == "migrate" {
		if err := migrations.Apply(ctx, cfg.DatabaseURL); err != nil {
			return err
		}
		logger.Info("migrations applied")
		return nil
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if cmd == "api" {
		// Connect lazily, so the API starts (and answers 503) while
		// Temporal is down.
		tc, err := client.NewLazyClient(temporalOptions(cfg, logger))
		if err != nil {
			return fmt.Errorf("temporal client: %w", err)
		}
		defer tc.Close()
		return serveAPI(ctx, cfg, st, tc, logger)
	}
	tc, err := client.DialContext(ctx, temporalOptions(cfg, logger))
	if err != nil {
		return fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
	}
	defer tc.Close()
	return runWorker(ctx, cfg, st, tc, logger)
}

func temporalOptions(cfg config.Config, logger *slog.Logger) client.Options {
	return client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace, Logger: logger.With("component", "temporal")}
}

// serveAPI runs the HTTP API until ctx ends.
func serveAPI(ctx context.Context, cfg config.Config, st *store.Store, tc client.Client, logger *slog.Logger) error {
	sealer, err := openSealer(ctx, cfg, st)
	if err != nil {
		return err
	}
	// The API mails too (one-time signing codes) when SMTP is set.
	st.EmailByDefault = cfg.SMTPAddr != ""
	d := api.StandardDeps(cfg, st, tc, sealer, logger)
	if cfg.OIDCIssuer != "" {
		// Key fetches happen inside requests, so they share their bound.
		v, err := oidc.NewVerifier(ctx, oidc.Config{Issuer: cfg.OIDCIssuer, Audience: cfg.OIDCAudience, JWKSURL: cfg.OIDCJWKSURL},
			cfg.Outbound.Client(cfg.RequestTimeout))
		if err != nil {
			return fmt.Errorf("SIGNET_OIDC_ISSUER %s: %w", cfg.OIDCIssuer, err)
		}
		d.OIDC = v
		logger.Info("accepting JWTs", "issuer", cfg.OIDCIssuer, "audience", cfg.OIDCAudience)
	}
	// The console's pages share the engine (and the services) at /.
	router := api.NewRouter(d)
	console.Mount(router, console.FromAPI(d, cfg.PublicURL))
	return api.Serve(ctx, cfg.HTTPAddr, router, cfg.RequestTimeout, cfg.BodyTimeout, logger)
}

// openSealer loads the signing key (made on first start) from the file
// SIGNET_SIGNING_KEY_FILE names, or else from PostgreSQL.
func openSealer(ctx context.Context, cfg config.Config, st *store.Store) (*eseal.Sealer, error) {
	var ks eseal.KeyStore = st
	if cfg.SigningKeyFile != "" {
		ks = eseal.FileKeyStore{Path: cfg.SigningKeyFile}
	}
	sealer, err := eseal.Open(ctx, ks)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	return sealer, nil
}

func runWorker(ctx context.Context, cfg config.Config, st *store.Store, tc client.Client, logger *slog.Logger) error {
	sealer, err := openSealer(ctx, cfg, st)
	if err != nil {
		return err
	}
	// User-chosen addresses: the guarded client refuses internal ones.
	httpClient := cfg.Outbound.Client(30 * time.Second)
	senders := map[string]notify.Sender{
		notify.ChannelWebhook:  notify.NewWebhook(httpClient),
		notify.ChannelWeCom:    notify.NewWeCom(httpClient),
		notify.ChannelDingTalk: notify.NewDingTalk(httpClient, time.Now),
	}
	// Without SMTP, email targets are dead-lettered and nobody is mailed by default.
	if cfg.SMTPAddr != "" {
		senders[notify.ChannelEmail] = notify.NewEmail(notify.SMTPConfig{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword})
		st.EmailByDefault = true
	}
	return worker.Run(ctx, worker.Options{
		Client:            tc,
		Store:             st,
		TaskQueue:         cfg.TaskQueue,
		ReconcileSchedule: cfg.ReconcileSchedule,
		DigestSchedule:    cfg.DigestSchedule,
		Location:          cfg.TimeZone,
		Logger:            logger,
		Sealer:            sealer,
		Renewer:           contracts.New(st, tc, cfg.TaskQueue, cfg.TimeZone, cfg.CompanyName),
		Dispatcher:        notify.NewDispatcher(st, senders, cfg.PublicURL, logger.With("component", "notify")),
	})
}

// verifyAudit walks the audit chain and reports the first broken row.
func verifyAudit(ctx context.Context) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is required")
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	checked, broken, err := st.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if broken != nil {
		return fmt.Errorf("audit trail broken at row %d: %s (%d rows checked)", broken.Seq, broken.Reason, checked)
	}
	fmt.Printf("audit trail intact: %d rows\n", checked)
	return nil
}
