// Package testenv gives integration tests real services: a Temporal dev
// server (the pinned CLI, started once per test binary unless
// TEMPORAL_ADDRESS names one) and a fresh PostgreSQL database per test.
// Nothing here is a mock; a missing service is started, never skipped,
// unless SIGNET_SKIP_INTEGRATION=1 says so explicitly.
package testenv

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/migrations"
)

// SkipIntegration reports whether SIGNET_SKIP_INTEGRATION=1 asks to skip
// integration tests; CI never sets it.
func SkipIntegration() bool { return os.Getenv("SIGNET_SKIP_INTEGRATION") == "1" }

// RequireIntegration skips t only when integration tests are explicitly off.
func RequireIntegration(t testing.TB) {
	t.Helper()
	if SkipIntegration() {
		t.Skip("SIGNET_SKIP_INTEGRATION=1")
	}
}

// Logger is a quiet logger for tests: warnings and errors only.
func Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

var temporalAddress string

// RunWithTemporal is a TestMain body for packages with integration tests:
// it starts (or finds) the dev server, runs the tests, then stops what it
// started. Tests reach the server at TemporalAddress().
func RunWithTemporal(m *testing.M) int {
	defer StopPostgres()
	if SkipIntegration() {
		return m.Run()
	}
	srv, err := StartTemporal(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration tests need Temporal:", err)
		return 1
	}
	defer srv.Stop()
	temporalAddress = srv.Address
	return m.Run()
}

// TemporalAddress is the dev server RunWithTemporal started.
func TemporalAddress() string { return temporalAddress }

// Temporal is a dev server for one test binary.
type Temporal struct {
	Address string
	stop    func() error
}

// Stop ends the dev server if this process started it.
func (t *Temporal) Stop() {
	if t.stop != nil {
		_ = t.stop()
	}
}

// StartTemporal returns TEMPORAL_ADDRESS if set, else starts the pinned CLI's
// dev server (building it into ./bin if needed) with Signet's search
// attributes. Call it from TestMain and Stop it after m.Run.
func StartTemporal(ctx context.Context) (*Temporal, error) {
	if addr := os.Getenv("TEMPORAL_ADDRESS"); addr != "" {
		return &Temporal{Address: addr}, nil
	}
	root, err := devstack.RepoRoot()
	if err != nil {
		return nil, err
	}
	cli, err := devstack.EnsureTemporalCLI(ctx, root, Logger())
	if err != nil {
		return nil, err
	}
	srv, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath: cli,
		LogLevel:     "error",
		ExtraArgs:    devstack.DevServerArgs(),
		Stdout:       io.Discard,
		Stderr:       io.Discard,
	})
	if err != nil {
		return nil, fmt.Errorf("start temporal dev server: %w", err)
	}
	return &Temporal{Address: srv.FrontendHostPort(), stop: srv.Stop}, nil
}

var (
	pgOnce sync.Once
	pg     *devstack.Postgres
	pgErr  error
)

// postgres finds or starts PostgreSQL once per test binary. A cluster it
// starts lives under .data/test-pg and is stopped by StopPostgres.
func postgres() (*devstack.Postgres, error) {
	pgOnce.Do(func() {
		root, err := devstack.RepoRoot()
		if err != nil {
			pgErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		pg, pgErr = devstack.FindPostgres(ctx, filepath.Join(root, ".data", "test"), Logger())
	})
	return pg, pgErr
}

// StopPostgres stops a cluster the tests started; call it from TestMain.
func StopPostgres() {
	if pg != nil {
		pg.Stop()
	}
}

// NewDatabase creates a fresh database with Signet's schema for t and drops
// it when t ends, so tests never see each other's rows. The URL connects
// as the server's superuser, which owns the tables (migrations.AppURL
// gives the application's role).
func NewDatabase(t testing.TB) string {
	t.Helper()
	url := NewEmptyDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := migrations.Apply(ctx, url); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return url
}

// NewEmptyDatabase is NewDatabase without the schema, for tests of what
// migrations find.
func NewEmptyDatabase(t testing.TB) string {
	t.Helper()
	server, err := postgres()
	if err != nil {
		t.Fatalf("PostgreSQL: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := fmt.Sprintf("signet_test_%s_%d", sanitize(t.Name()), rand.Uint32())
	url, err := devstack.CreateDatabase(ctx, server.AdminURL, name)
	if err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if err := devstack.DropDatabase(context.Background(), server.AdminURL, name); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return url
}

// AuditKeys is one audit key for tests that open a store of their own and
// do not test the key itself.
func AuditKeys() audit.Keys {
	k, _ := audit.NewKey([]byte("signet-test-audit-key-0123456789"))
	return audit.Keys{k}
}

func sanitize(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteRune('_')
		}
		if b.Len() >= 30 {
			break
		}
	}
	return b.String()
}
