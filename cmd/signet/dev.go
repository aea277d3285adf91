package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"time"

	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"

	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/opsmetrics"
	"github.com/signet-clm/signet/internal/payloadcodec"
	"github.com/signet-clm/signet/internal/pdfsig"
	"github.com/signet-clm/signet/migrations"
)

// Dev server ports; the Web UI is where the Temporal CLI puts it by default.
const (
	devTemporalPort = 7233
	devUIPort       = 8233
	devDatabase     = "signet"
	devCodecKeys    = "codec-keys.json"
)

// runDev brings up the whole stack for a developer and blocks until Ctrl-C,
// then stops everything it started.
func runDev(ctx context.Context, logger *slog.Logger) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	// A developer's webhook receivers listen on their own machine.
	if os.Getenv("SIGNET_OUTBOUND_ALLOW_LOOPBACK") == "" {
		cfg.Outbound.AllowLoopback = true
	}
	root, err := devstack.RepoRoot()
	if err != nil {
		return err
	}
	dataDir := filepath.Join(root, ".data")
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return err
	}

	// The payload keys live beside the dev server's state, never in
	// PostgreSQL: made on first start (mode 0600), kept after.
	if cfg.CodecKeyFile == "" {
		cfg.CodecKeyFile = filepath.Join(dataDir, devCodecKeys)
	}
	if _, created, err := payloadcodec.CreateKeyFile(cfg.CodecKeyFile); err != nil {
		return err
	} else if created {
		logger.Info("created the payload key file", "path", cfg.CodecKeyFile)
	}
	codec, err := openCodec(cfg)
	if err != nil {
		return err
	}
	codecURL := "http://" + cfg.CodecAddr

	uiURL := "(the UI of the server at " + cfg.TemporalAddress + ")"
	if os.Getenv("TEMPORAL_ADDRESS") == "" {
		cli, err := devstack.EnsureTemporalCLI(ctx, root, logger)
		if err != nil {
			return err
		}
		// The UI asks the codec server to decrypt what it shows; without a
		// signed-in admin or auditor it shows ciphertext.
		srv, err := devstack.StartTemporal(ctx, cli, dataDir, devTemporalPort, devUIPort, logger, "--ui-codec-endpoint", codecURL)
		if err != nil {
			return err
		}
		defer srv.Stop()
		cfg.TemporalAddress, uiURL = srv.Address, srv.UIURL
	}

	// The keys live outside PostgreSQL, under .data/ unless set; made on
	// the first start, kept after.
	files := devstack.DevKeyFiles(dataDir)
	if cfg.SigningKeyFile != "" {
		files.Keyring = cfg.SigningKeyFile
	}
	if cfg.AuditKeyFile != "" {
		files.AuditKey = cfg.AuditKeyFile
	}
	if cfg.AuditCheckpointDir != "" {
		files.Checkpoints = cfg.AuditCheckpointDir
	}
	// A development CA's PDF signing certificate, unless one is named.
	if cfg.PDFSigningKey != "" {
		files.PDF = pdfsig.DevFiles{}
	} else {
		cfg.PDFSigningKey, cfg.PDFSigningCert = files.PDF.Key, files.PDF.Cert
	}
	cfg.SigningKeyFile, cfg.AuditKeyFile, cfg.AuditCheckpointDir = files.Keyring, files.AuditKey, files.Checkpoints
	if err := files.Ensure(time.Now()); err != nil {
		return err
	}
	if err := cfg.LoadPDFCert(); err != nil {
		return err
	}
	keys, err := openKeys(cfg)
	if err != nil {
		return err
	}

	if cfg.DatabaseURL == "" {
		pg, err := devstack.FindPostgres(ctx, dataDir, logger)
		if err != nil {
			return err
		}
		defer pg.Stop()
		// Migrations run as the server's superuser, which owns the tables;
		// the API and worker connect as signet_app, as in production.
		if cfg.MigrateDatabaseURL, err = devstack.CreateDatabase(ctx, pg.AdminURL, devDatabase); err != nil {
			return err
		}
		if cfg.DatabaseURL, err = migrations.AppURL(cfg.MigrateDatabaseURL); err != nil {
			return err
		}
	}
	if err := migrate(ctx, cfg, logger); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, keys, logger)
	if err != nil {
		return err
	}
	defer st.Close()
	tokens, err := devstack.SeedDemo(ctx, st)
	if err != nil {
		return fmt.Errorf("seed demo organisation: %w", err)
	}
	if err := devstack.SeedDemoSeal(ctx, st); err != nil {
		return fmt.Errorf("seed demo seal: %w", err)
	}
	tokenFile := filepath.Join(dataDir, "dev-tokens.json")
	if err := writeJSON(tokenFile, tokens); err != nil {
		return err
	}
	logins, err := devstack.SeedLogins(ctx, identity.New(st, cfg.Outbound))
	if err != nil {
		return fmt.Errorf("demo passwords: %w", err)
	}
	loginFile := filepath.Join(dataDir, "dev-logins.json")
	if err := writeJSON(loginFile, logins); err != nil {
		return err
	}

	// One client for worker and API: the API's /metrics shows the SDK's
	// metrics of both.
	sdkMetrics := opsmetrics.NewTemporal()
	tc, err := client.DialContext(ctx, temporalOptions(cfg, codec, sdkMetrics, logger))
	if err != nil {
		return fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
	}
	defer tc.Close()

	// Signing links travel only by email, so development has a mailbox:
	// unless SIGNET_SMTP_ADDR names a server, mail goes to one in this
	// process, read at /dev/mail.
	var mailbox *devstack.MailCatcher
	if cfg.SMTPAddr == "" {
		if mailbox, err = devstack.StartMailCatcher("127.0.0.1:0"); err != nil {
			return err
		}
		defer mailbox.Close()
		cfg.SMTPAddr = mailbox.Addr()
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return runWorker(gctx, cfg, st, keys, tc, logger) })
	g.Go(func() error {
		if mailbox == nil {
			return serveAPI(gctx, cfg, st, keys, tc, sdkMetrics, logger, nil)
		}
		return serveAPI(gctx, cfg, st, keys, tc, sdkMetrics, logger, mailbox)
	})
	g.Go(func() error { return serveCodec(gctx, cfg, codec, st, logger) })
	printBanner(cfg, uiURL, codecURL, tokenFile, tokens, loginFile, logins, mailbox != nil)
	return g.Wait()
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

func printBanner(cfg config.Config, uiURL, codecURL, tokenFile string, tokens map[string]string, loginFile string, logins map[string]devstack.Login, mailbox bool) {
	roles := make([]string, 0, len(tokens))
	for r := range tokens {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	fmt.Printf("\nSignet is running. Press Ctrl-C to stop everything.\n\n")
	fmt.Printf("  Console      http://%s   (sign in with a login below)\n", cfg.HTTPAddr)
	fmt.Printf("  API          http://%s/v1   (OpenAPI: http://%s/v1/openapi.json)\n", cfg.HTTPAddr, cfg.HTTPAddr)
	fmt.Printf("  Temporal UI  %s\n", uiURL)
	if mailbox {
		fmt.Printf("  Mail         http://%s/dev/mail   (?format=json; SMTP %s)\n", cfg.HTTPAddr, cfg.SMTPAddr)
	} else {
		fmt.Printf("  Mail         through %s\n", cfg.SMTPAddr)
	}
	fmt.Printf("  Codec server %s   (payloads are encrypted; sign in there as admin or auditor to read them in the UI)\n", codecURL)
	fmt.Printf("  Temporal     %s (namespace %s, task queue %s)\n", cfg.TemporalAddress, cfg.TemporalNamespace, cfg.TaskQueue)
	fmt.Printf("  PostgreSQL   %s\n\n", redactPassword(cfg.DatabaseURL))
	fmt.Printf("Demo users: console login and password (also in %s), API token (also in %s):\n", loginFile, tokenFile)
	for _, r := range roles {
		fmt.Printf("  %-14s %-20s %-16s %s\n", r, logins[r].Login, logins[r].Password, tokens[r])
	}
	fmt.Println()
}

// redactPassword hides a password in a database URL before printing it.
func redactPassword(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return "(unparsable DATABASE_URL)"
	}
	return parsed.Redacted()
}
