// Package httpserve runs Signet's HTTP servers (the API and console, the
// codec server, the separate metrics listeners) the same way: listen,
// serve until the context ends, then let requests in flight finish.
package httpserve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Run listens on srv.Addr and serves until ctx ends; then it shuts srv
// down, giving requests in flight up to drain to finish. name labels the
// log line that says where it listens.
func Run(ctx context.Context, srv *http.Server, drain time.Duration, name string, logger *slog.Logger) error {
	l, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return fmt.Errorf("%s on %s: %w", name, srv.Addr, err)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	logger.Info(name+" listening", "addr", l.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), drain)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
