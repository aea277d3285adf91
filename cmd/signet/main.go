// Command signet is Signet's one binary:
//
//	signet dev       run everything for a developer: Temporal dev server,
//	                 PostgreSQL, migrations, demo data, a mail catcher,
//	                 worker, API and console
//	signet api       run the HTTP API and the web console
//	signet worker    run the Temporal worker and scheduled jobs
//	signet migrate   apply database migrations (idempotent), as the owner role
//	signet keys init|rotate|rotate-audit  make or rotate the keys kept outside PostgreSQL
//	signet audit verify|checkpoint  check the audit chain; seal its head now
//	signet codec-server  decrypt Temporal payloads for the Web UI and CLI (admins, auditors)
//	signet codec-key new|rotate  create the payload key file, or add a new current key
//
// Configuration comes from environment variables; see package config.
package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"
	_ "time/tzdata" // reminders and term ends use IANA zones even where the OS has none

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/console"
	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/oidc"
	"github.com/signet-clm/signet/internal/opsmetrics"
	"github.com/signet-clm/signet/internal/payloadcodec"
	"github.com/signet-clm/signet/internal/pdfsig"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/migrations"
	"github.com/signet-clm/signet/worker"
)

const usage = `usage: signet <command>

commands:
  dev       run Temporal, PostgreSQL, worker and API with demo data (for developers)
  api       run the HTTP API and the web console
  worker    run the Temporal worker and scheduled jobs
  migrate   apply database migrations (SIGNET_MIGRATE_DATABASE_URL, the owner role)
  keys init         make the sealing keyring and the audit key, unless they exist
  keys rotate       new sealing key; the old one is retired and still verifies
  keys rotate-audit new audit chain key; older entries keep verifying with theirs
  audit verify      check the audit chain against its key and checkpoints; exit 1 naming the first broken row
  audit checkpoint  seal the audit chain's head into SIGNET_AUDIT_CHECKPOINT_DIR now
  codec-server      serve the Temporal Web UI's codec endpoint: decrypted payloads for admins and auditors
  codec-key new     create the payload key file SIGNET_CODEC_KEY_FILE names (keeps an existing one)
  codec-key rotate  add a fresh current key to it; older keys stay to decrypt older payloads
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
	case "codec-server":
		err = runCodecServer(ctx, logger)
	case "codec-key":
		if len(os.Args) < 3 || (os.Args[2] != "new" && os.Args[2] != "rotate") {
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		err = codecKey(os.Args[2])
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
	codec, err := openCodec(cfg)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, keys, logger)
	if err != nil {
		return err
	}
	defer st.Close()
	sdkMetrics := opsmetrics.NewTemporal()
	if cmd == "api" {
		// Connect lazily, so the API starts (and answers 503) while
		// Temporal is down.
		tc, err := client.NewLazyClient(temporalOptions(cfg, codec, sdkMetrics, logger))
		if err != nil {
			return fmt.Errorf("temporal client: %w", err)
		}
		defer tc.Close()
		return serveAPI(ctx, cfg, st, keys, tc, sdkMetrics, logger, nil)
	}
	tc, err := client.DialContext(ctx, temporalOptions(cfg, codec, sdkMetrics, logger))
	if err != nil {
		return fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
	}
	defer tc.Close()
	if cfg.WorkerMetricsAddr == "" {
		return runWorker(ctx, cfg, st, keys, tc, logger)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return runWorker(gctx, cfg, st, keys, tc, logger) })
	g.Go(func() error { return opsmetrics.Serve(gctx, cfg.WorkerMetricsAddr, workerMetrics(sdkMetrics), logger) })
	return g.Wait()
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

// temporalOptions are every Temporal client's: payloads encrypted by the
// codec, the SDK's metrics into sdkMetrics.
func temporalOptions(cfg config.Config, codec *payloadcodec.Codec, sdkMetrics *opsmetrics.Temporal, logger *slog.Logger) client.Options {
	return codec.ClientOptions(client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace,
		Logger: logger.With("component", "temporal"), MetricsHandler: sdkMetrics})
}

// openCodec loads the payload keys SIGNET_CODEC_KEY_FILE names. Nothing
// makes them silently: a process that made its own would encrypt what the
// others cannot read.
func openCodec(cfg config.Config) (*payloadcodec.Codec, error) {
	if cfg.CodecKeyFile == "" {
		return nil, errors.New("SIGNET_CODEC_KEY_FILE is required: the file of the keys that encrypt Temporal payloads (create it once with `SIGNET_CODEC_KEY_FILE=/path signet codec-key new` and give every api, worker and codec-server the same file)")
	}
	codec, err := payloadcodec.Open(cfg.CodecKeyFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("SIGNET_CODEC_KEY_FILE: %w (create it once with `signet codec-key new`)", err)
	}
	if err != nil {
		return nil, fmt.Errorf("SIGNET_CODEC_KEY_FILE: %w", err)
	}
	return codec, nil
}

// workerMetrics is the worker's /metrics: the SDK's and the Go runtime's.
func workerMetrics(sdkMetrics *opsmetrics.Temporal) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(sdkMetrics, collectors.NewGoCollector())
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// serveAPI runs the HTTP API until ctx ends, and /metrics on its own
// listener when SIGNET_METRICS_ADDR says so. devMail, when set (only by
// `signet dev`), serves the development mailbox at /dev/mail beside it.
func serveAPI(ctx context.Context, cfg config.Config, st *store.Store, keys keySet, tc client.Client, sdkMetrics *opsmetrics.Temporal, logger *slog.Logger, devMail http.Handler) error {
	sealer := keys.sealer
	// The API mails too (one-time signing codes) when SMTP is set.
	st.EmailByDefault = cfg.SMTPAddr != ""
	st.DingTalkCards, st.WeComCards = cfg.DingTalkCards.Configured(), cfg.WeComCards.Configured()
	d := api.StandardDeps(cfg, st, tc, sealer, logger)
	d.Collectors = append(d.Collectors, sdkMetrics)
	d.MetricsElsewhere = cfg.MetricsAddr != ""
	d.Metrics = api.NewMetrics(d)
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
	cd := console.FromAPI(d, cfg.PublicURL)
	if cfg.OIDCIssuer != "" && cfg.OIDCClientID != "" {
		l, err := oidc.NewLogin(ctx, oidc.LoginConfig{Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret},
			cfg.Outbound.Client(cfg.RequestTimeout))
		if err != nil {
			return fmt.Errorf("SIGNET_OIDC_CLIENT_ID at %s: %w", cfg.OIDCIssuer, err)
		}
		cd.OIDCLogin, cd.OIDCRedirect = l, strings.TrimRight(cfg.PublicURL, "/")+"/login/oidc/callback"
		logger.Info("console sign-in with the issuer", "issuer", cfg.OIDCIssuer, "client_id", cfg.OIDCClientID)
	}
	pages := console.New(cd)
	d.SignPages = pages.SignPages()
	router := api.NewRouter(d)
	pages.Mount(router)
	var handler http.Handler = router
	if devMail != nil {
		mux := http.NewServeMux()
		mux.Handle("/dev/mail", devMail)
		mux.Handle("/", handler)
		handler = mux
	}
	if cfg.MetricsAddr == "" {
		return api.Serve(ctx, cfg.HTTPAddr, handler, cfg.RequestTimeout, cfg.BodyTimeout, logger)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return api.Serve(gctx, cfg.HTTPAddr, handler, cfg.RequestTimeout, cfg.BodyTimeout, logger)
	})
	g.Go(func() error { return opsmetrics.Serve(gctx, cfg.MetricsAddr, d.Metrics, logger) })
	return g.Wait()
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
	// Approval cards go through each platform's app when it is configured;
	// the guarded client reaches the platform's API like any receiver.
	st.DingTalkCards, st.WeComCards = cfg.DingTalkCards.Configured(), cfg.WeComCards.Configured()
	if st.DingTalkCards {
		senders[notify.ChannelDingTalkCard] = notify.NewDingTalkCards(cfg.DingTalkCards, httpClient, st, cfg.CardDecideMax, time.Now)
		logger.Info("task notices to DingTalk users go as approval cards", "robot_code", cfg.DingTalkCards.RobotCode)
	}
	if st.WeComCards {
		senders[notify.ChannelWeComCard] = notify.NewWeComCards(cfg.WeComCards, httpClient, st, cfg.CardDecideMax, time.Now)
		logger.Info("task notices to WeCom users go as approval cards", "agent_id", cfg.WeComCards.AgentID)
	}
	// Without SMTP, email targets are dead-lettered and nobody is mailed by default.
	if cfg.SMTPAddr != "" {
		senders[notify.ChannelEmail] = notify.NewEmail(notify.SMTPConfig{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword})
		st.EmailByDefault = true
	}
	svc := contracts.New(st, tc, cfg.TaskQueue, cfg.TimeZone, cfg.CompanyName)
	if keys.pdf == nil {
		logger.Warn("SIGNET_PDF_SIGNING_KEY is not set: completed contracts' PDFs stay unsigned (no PDF digital signature)")
	}
	return worker.Run(ctx, worker.Options{
		Client:             tc,
		Store:              st,
		TaskQueue:          cfg.TaskQueue,
		Pollers:            cfg.WorkerPollers,
		ReconcileSchedule:  cfg.ReconcileSchedule,
		DigestSchedule:     cfg.DigestSchedule,
		Location:           cfg.TimeZone,
		Logger:             logger,
		Sealer:             sealer,
		PDFSigner:          keys.pdf,
		PDFTimestamps:      pdfsig.NewTimestamps(cfg.PDFTimestampURL, httpClient),
		CompanyName:        cfg.CompanyName,
		Renewer:            svc,
		Historian:          svc,
		Starts:             svc,
		Dispatcher:         notify.NewDispatcher(st, senders, cfg.PublicURL, logger.With("component", "notify")),
		Trail:              trail(cfg, st, keys),
		CheckpointSchedule: cfg.AuditCheckpointSchedule,
	})
}
