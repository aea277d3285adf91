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

	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"

	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/migrations"
)

// Dev server ports; the Web UI is where the Temporal CLI puts it by default.
const (
	devTemporalPort = 7233
	devUIPort       = 8233
	devDatabase     = "signet"
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

	uiURL := "(the UI of the server at " + cfg.TemporalAddress + ")"
	if os.Getenv("TEMPORAL_ADDRESS") == "" {
		cli, err := devstack.EnsureTemporalCLI(ctx, root, logger)
		if err != nil {
			return err
		}
		srv, err := devstack.StartTemporal(ctx, cli, dataDir, devTemporalPort, devUIPort, logger)
		if err != nil {
			return err
		}
		defer srv.Stop()
		cfg.TemporalAddress, uiURL = srv.Address, srv.UIURL
	}

	if cfg.DatabaseURL == "" {
		pg, err := devstack.FindPostgres(ctx, dataDir, logger)
		if err != nil {
			return err
		}
		defer pg.Stop()
		if cfg.DatabaseURL, err = devstack.CreateDatabase(ctx, pg.AdminURL, devDatabase); err != nil {
			return err
		}
	}
	if err := migrations.Apply(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	tokens, err := devstack.SeedDemo(ctx, st)
	if err != nil {
		return fmt.Errorf("seed demo organisation: %w", err)
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

	tc, err := client.DialContext(ctx, temporalOptions(cfg, logger))
	if err != nil {
		return fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
	}
	defer tc.Close()

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return runWorker(gctx, cfg, st, tc, logger) })
	g.Go(func() error { return serveAPI(gctx, cfg, st, tc, logger) })
	printBanner(cfg, uiURL, tokenFile, tokens, loginFile, logins)
	return g.Wait()
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

func printBanner(cfg config.Config, uiURL, tokenFile string, tokens map[string]string, loginFile string, logins map[string]devstack.Login) {
	roles := make([]string, 0, len(tokens))
	for r := range tokens {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	fmt.Printf("\nSignet is running. Press Ctrl-C to stop everything.\n\n")
	fmt.Printf("  Console      http://%s   (sign in with a login below)\n", cfg.HTTPAddr)
	fmt.Printf("  API          http://%s/v1   (OpenAPI: http://%s/v1/openapi.json)\n", cfg.HTTPAddr, cfg.HTTPAddr)
	fmt.Printf("  Temporal UI  %s\n", uiURL)
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
