// Package devstack finds or starts what Signet needs on a developer's
// machine: the pinned Temporal CLI and its dev server, and PostgreSQL.
// `signet dev` and the integration tests both use it.
package devstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// TemporalCLIVersion is the pinned Temporal CLI. Later tags carry replace
// directives that `go install` refuses.
const TemporalCLIVersion = "v1.5.1"

// TemporalCLIPackage is what `go install` builds.
const TemporalCLIPackage = "github.com/temporalio/cli/cmd/temporal@" + TemporalCLIVersion

// RepoRoot returns the directory holding go.mod, searching up from the
// working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// EnsureTemporalCLI returns the path of bin/temporal under root, building it
// with `go install` first if it is missing.
func EnsureTemporalCLI(ctx context.Context, root string, logger *slog.Logger) (string, error) {
	bin := filepath.Join(root, "bin")
	path := filepath.Join(bin, "temporal")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	logger.Info("building the Temporal CLI " + TemporalCLIVersion + " into ./bin; the first build takes about four minutes on two cores")
	cmd := exec.CommandContext(ctx, "go", "install", TemporalCLIPackage)
	cmd.Env = append(os.Environ(), "GOBIN="+bin)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go install %s: %w", TemporalCLIPackage, err)
	}
	return path, nil
}

// FreePort asks the kernel for a free TCP port on loopback.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitFor polls check until it succeeds or the timeout passes.
func waitFor(ctx context.Context, timeout time.Duration, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		err := check(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready after %s: %w", timeout, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
