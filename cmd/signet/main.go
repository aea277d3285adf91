// Command signet is Signet's one binary:
//
//	signet dev       run everything for a developer: Temporal dev server,
//	                 PostgreSQL, migrations, demo data, worker and API
//	signet api       run the HTTP API
//	signet worker    run the Temporal worker and scheduled jobs
//	signet migrate   apply database migrations (idempotent), as the owner role
//	signet keys init|rotate|rotate-audit  make or rotate the keys kept outside PostgreSQL
//	signet audit verify|checkpoint  check the audit chain; seal its head now
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
  api       run the HTTP API
  worker    run the Temporal worker and scheduled jobs
  migrate   apply database migrations (SIGNET_MIGRATE_DATABASE_URL, the owner role)
  keys init         make the sealing keyring and the audit key, unless they exist
  keys rotate       new sealing key; the old one is retired and still verifies
  keys rotate-audit new audit chain key; older entries keep verifying with theirs
  audit verify      check the audit chain against its key and checkpoints; exit 1 naming the first broken row
  audit checkpoint  seal the audit chain's head into SIGNET_AUDIT_CHECKPOINT_DIR now
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
	case "audit", "keys":
		sub := ""
		if len(os.Args) >= 3 {
			sub = os.Args[2]
		}
		run, ok := subcommands[os.Args[1]+" "+sub]
		if !ok {
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		err = run(ctx, logger)
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

// subcommands are the two-word commands.
var subcommands = map[string]func(context.Context, *slog.Logger) error{
	"audit verify":      verifyAudit,
	"audit checkpoint":  checkpointAudit,
	"keys init":         initKeys,
	"keys rotate":       rotateSigningKey,
	"keys rotate-audit": rotateAuditKey,
}

// runService runs one production command against configured services.
func runService(ctx context.Context, cmd string, logger *slog.Logger) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if cmd == "migrate" {
		return migrate(ctx, cfg, logger)
	}
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is required (for example postgres://signet_app:…@127.0.0.1:5432/signet)")
	}
	keys, err := openKeys(cfg)
	if err != nil {
		return err
	}
	if cmd == "worker" && cfg.AuditCheckpointDir == "" {
		return errors.New("SIGNET_AUDIT_CHECKPOINT_DIR is required by the worker: it seals the audit chain's head there on SIGNET_AUDIT_CHECKPOINT_SCHEDULE (a directory every worker reaches, ideally append-only storage)")
	}
	st, err := openStore(ctx, cfg, keys, logger)
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
		return serveAPI(ctx, cfg, st, keys, tc, logger)
	}
	tc, err := client.DialContext(ctx, temporalOptions(cfg, logger))
	if err != nil {
		return fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
	}
	defer tc.Close()
	return runWorker(ctx, cfg, st, keys, tc, logger)
}

// migrate applies the migrations as the owner role: first retiring a
// sealing key the database still keeps into the keyring, then giving the
// role DATABASE_URL names the application's rights.
func migrate(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	if cfg.MigrateDatabaseURL == "" {
		return errors.New("SIGNET_MIGRATE_DATABASE_URL (or DATABASE_URL) is required: the role that owns Signet's tables, for example postgres://signet:…@127.0.0.1:5432/signet")
	}
	retire := func(seeds [][]byte) error {
		if cfg.SigningKeyFile == "" {
			return migrations.ErrLegacySigningKey
		}
		ids, err := eseal.ImportRetiredSeeds(cfg.SigningKeyFile, seeds, eseal.OriginPostgreSQL, time.Now())
		if err != nil {
			return err
		}
		logger.Warn("the sealing key kept in PostgreSQL was retired into the keyring: it still verifies what it sealed, but anyone who read the database could seal with it too",
			"keyring", cfg.SigningKeyFile, "key_ids", ids)
		return nil
	}
	if err := migrations.ApplyRetiring(ctx, cfg.MigrateDatabaseURL, retire); err != nil {
		return err
	}
	if cfg.DatabaseURL != "" && cfg.DatabaseURL != cfg.MigrateDatabaseURL {
		if err := migrations.EnsureAppLogin(ctx, cfg.MigrateDatabaseURL, cfg.DatabaseURL); err != nil {
			return err
		}
	}
	logger.Info("migrations applied")
	return nil
}

func temporalOptions(cfg config.Config, logger *slog.Logger) client.Options {
	return client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace, Logger: logger.With("component", "temporal")}
}

// serveAPI runs the HTTP API until ctx ends.
func serveAPI(ctx context.Context, cfg config.Config, st *store.Store, keys keySet, tc client.Client, logger *slog.Logger) error {
	sealer := keys.sealer
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
	return api.Serve(ctx, cfg.HTTPAddr, api.NewRouter(d), cfg.RequestTimeout, cfg.BodyTimeout, logger)
}

func runWorker(ctx context.Context, cfg config.Config, st *store.Store, keys keySet, tc client.Client, logger *slog.Logger) error {
	sealer := keys.sealer
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
		Client:             tc,
		Store:              st,
		TaskQueue:          cfg.TaskQueue,
		ReconcileSchedule:  cfg.ReconcileSchedule,
		DigestSchedule:     cfg.DigestSchedule,
		Location:           cfg.TimeZone,
		Logger:             logger,
		Sealer:             sealer,
		Renewer:            contracts.New(st, tc, cfg.TaskQueue, cfg.TimeZone, cfg.CompanyName),
		Dispatcher:         notify.NewDispatcher(st, senders, cfg.PublicURL, logger.With("component", "notify")),
		Trail:              trail(cfg, st, keys),
		CheckpointSchedule: cfg.AuditCheckpointSchedule,
	})
}
