package devstack

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/signet-clm/signet/workflows"
)

// TemporalServer is a running `temporal server start-dev`.
type TemporalServer struct {
	Address string // frontend host:port
	UIURL   string
	cmd     *exec.Cmd
	done    chan struct{}
}

// DevServerArgs are the flags Signet's dev servers run with: its custom
// search attributes, and eager activity execution, which lets a worker run
// the activity its workflow task just scheduled without a round trip
// through matching (measured here: an Update running one activity drops
// from about 51 ms to 18 ms).
func DevServerArgs() []string {
	args := []string{"--dynamic-config-value", "system.enableActivityEagerExecution=true"}
	for _, sa := range workflows.SearchAttributeTypes {
		args = append(args, "--search-attribute", sa.Name+"="+sa.Type)
	}
	return args
}

// StartTemporal runs the dev server from cli with the Web UI, keeping its
// state in dataDir/temporal.db, and waits until it answers. extraArgs are
// added to its flags (`signet dev`: the UI's codec endpoint).
func StartTemporal(ctx context.Context, cli, dataDir string, port, uiPort int, logger *slog.Logger, extraArgs ...string) (*TemporalServer, error) {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	args := append([]string{"server", "start-dev",
		"--ip", "127.0.0.1",
		"--port", strconv.Itoa(port),
		"--ui-port", strconv.Itoa(uiPort),
		"--db-filename", filepath.Join(dataDir, "temporal.db"),
		"--log-level", "warn",
	}, DevServerArgs()...)
	args = append(args, extraArgs...)
	logFile, err := os.OpenFile(filepath.Join(dataDir, "temporal.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(cli, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start temporal dev server: %w", err)
	}
	s := &TemporalServer{
		Address: fmt.Sprintf("127.0.0.1:%d", port),
		UIURL:   fmt.Sprintf("http://127.0.0.1:%d", uiPort),
		cmd:     cmd,
		done:    make(chan struct{}),
	}
	go func() { _ = cmd.Wait(); logFile.Close(); close(s.done) }()
	logger.Info("waiting for the Temporal dev server", "address", s.Address, "log", logFile.Name())
	if err := waitFor(ctx, 60*time.Second, func(ctx context.Context) error { return PingTemporal(ctx, s.Address) }); err != nil {
		s.Stop()
		return nil, fmt.Errorf("temporal dev server (see %s): %w", logFile.Name(), err)
	}
	return s, nil
}

// Pid is the dev server's process ID.
func (s *TemporalServer) Pid() int { return s.cmd.Process.Pid }

// Stop ends the dev server and waits for it.
func (s *TemporalServer) Stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
	}
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// PingTemporal checks that a Temporal frontend answers at address.
func PingTemporal(ctx context.Context, address string) error {
	c, err := client.DialContext(ctx, client.Options{HostPort: address, Logger: quietLogger()})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}
