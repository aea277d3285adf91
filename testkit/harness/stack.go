// Package harness runs Signet the way production does, as separate
// processes, so the benchmarks (bench/) and the fault suite (faults/) can
// measure each one's CPU and kill or restart any of them: a throwaway
// PostgreSQL cluster of its own (never a shared server), a Temporal dev
// server keeping its state on disk, and `signet worker` and `signet api`
// built from this checkout. It runs one API and one worker by default, or
// any number of each (Options.APIs, Options.Workers; Stack.Scale between
// runs): every API process on its own port, every worker on the one task
// queue, all on the one database and dev server, as replicas are run in
// production.
package harness

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/payloadcodec"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/migrations"
)

// Options shape a Stack.
type Options struct {
	// Dir holds the cluster, the dev server's database, the binary and the
	// logs; reused between runs (the cluster is initialised once).
	Dir string
	// MaxInFlight is the API's SIGNET_MAX_INFLIGHT; 0 keeps its default.
	MaxInFlight int
	// RequestTimeout is the API's SIGNET_REQUEST_TIMEOUT; 0 keeps its default.
	RequestTimeout time.Duration
	// APIs and Workers are how many `signet api` and `signet worker`
	// processes Start runs (0 is 1).
	APIs, Workers int
	Logger        *slog.Logger
}

// TaskQueue is the queue the harness's workers serve.
const TaskQueue = "signet-harness"

const databaseName = "signet_harness"

// Stack is one running Signet and what it runs on.
type Stack struct {
	opts     Options
	root     string
	binary   string
	pg       *devstack.Postgres
	pgPort   int
	temporal *devstack.TemporalServer
	tPort    int
	tUIPort  int
	cli      string
	// apis and workers are the processes by slot; a nil slot is one not
	// running (stopped, killed, or not started yet).
	apis, workers []*exec.Cmd
	apiAddrs      []string
	sink          *httptest.Server
	keyFile       string
	codec         *payloadcodec.Codec

	// DatabaseURL is Signet's database on the throwaway cluster, as its
	// owner (migrations, the suite's checks); worker and API connect as
	// signet_app.
	DatabaseURL string
	// Keys are the keyring, audit key and checkpoint directory worker and
	// API share, under Dir.
	Keys devstack.KeyFiles
	// APIURL is where the first `signet api` listens; APIURLs lists every
	// API slot's address, running or not (Shape says how many run).
	APIURL  string
	APIURLs []string
	// Store reads what Signet wrote, for the suite's checks.
	Store *store.Store
	// Temporal is a client of the dev server, for baselines and checks.
	Temporal client.Client
	// Tokens maps each demo role to a bearer token.
	Tokens map[string]string
	// Webhooks counts the notifications the worker delivered.
	Webhooks *Sink
	// Mail is the mail server worker and API send through: signing links
	// reach their signers only by mail, so the clients read them here.
	Mail *devstack.MailCatcher
}

// Start brings everything up: it builds bin/signet, starts (or reuses) the
// cluster with a fresh database, starts a dev server on a fresh state
// file, migrates, seeds the demo organisation and starts worker and API.
func Start(ctx context.Context, o Options) (*Stack, error) {
	root, err := devstack.RepoRoot()
	if err != nil {
		return nil, err
	}
	if o.Dir == "" {
		o.Dir = filepath.Join(root, ".data", "harness")
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	s := &Stack{opts: o, root: root, binary: filepath.Join(o.Dir, "signet")}
	ok := false
	defer func() {
		if !ok {
			s.Close()
		}
	}()
	build := exec.CommandContext(ctx, "go", "build", "-o", s.binary, "./cmd/signet")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/signet: %w: %s", err, out)
	}
	if s.cli, err = devstack.EnsureTemporalCLI(ctx, root, o.Logger); err != nil {
		return nil, err
	}

	if s.pg, err = devstack.StartCluster(ctx, filepath.Join(o.Dir, "pg"), 0, o.Logger); err != nil {
		return nil, err
	}
	if s.pgPort, err = portOf(s.pg.AdminURL); err != nil {
		return nil, err
	}
	if err := devstack.DropDatabase(ctx, s.pg.AdminURL, databaseName); err != nil {
		return nil, fmt.Errorf("drop the last run's database: %w", err)
	}
	if s.DatabaseURL, err = devstack.CreateDatabase(ctx, s.pg.AdminURL, databaseName); err != nil {
		return nil, err
	}
	if err := migrations.Apply(ctx, s.DatabaseURL); err != nil {
		return nil, err
	}
	// The keys outside PostgreSQL: kept between runs, except checkpoints,
	// which vouch for the last run's database.
	s.Keys = devstack.KeyFiles{Keyring: filepath.Join(o.Dir, "keys", "signing-keyring.json"),
		AuditKey: filepath.Join(o.Dir, "keys", "audit-key.json"), Checkpoints: filepath.Join(o.Dir, "checkpoints")}
	if err := os.RemoveAll(s.Keys.Checkpoints); err != nil {
		return nil, err
	}
	if err := s.Keys.Ensure(time.Now()); err != nil {
		return nil, err
	}
	auditKeys, err := audit.OpenKeyFile(s.Keys.AuditKey)
	if err != nil {
		return nil, err
	}

	// Each run starts Temporal on an empty state file: contract numbers
	// restart at 1 in the fresh database, and so do workflow IDs.
	for _, f := range []string{"temporal.db", "temporal.db-wal", "temporal.db-shm"} {
		if err := os.Remove(filepath.Join(o.Dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	if s.tPort, err = devstack.FreePort(); err != nil {
		return nil, err
	}
	if s.tUIPort, err = devstack.FreePort(); err != nil {
		return nil, err
	}
	if s.temporal, err = devstack.StartTemporal(ctx, s.cli, o.Dir, s.tPort, s.tUIPort, o.Logger); err != nil {
		return nil, err
	}
	// Worker and API read the payload keys from this file; the harness's
	// own client (baselines, direct driving, history checks) uses them too.
	s.keyFile = filepath.Join(o.Dir, "codec-keys.json")
	if _, _, err := payloadcodec.CreateKeyFile(s.keyFile); err != nil {
		return nil, err
	}
	if s.codec, err = payloadcodec.Open(s.keyFile); err != nil {
		return nil, err
	}
	if s.Temporal, err = client.Dial(s.codec.ClientOptions(client.Options{HostPort: s.temporal.Address, Logger: quiet()})); err != nil {
		return nil, fmt.Errorf("connect to Temporal: %w", err)
	}

	if s.Store, err = store.Open(ctx, s.DatabaseURL); err != nil {
		return nil, err
	}
	s.Store.AuditKeys = auditKeys
	if s.Tokens, err = devstack.SeedDemo(ctx, s.Store); err != nil {
		return nil, fmt.Errorf("seed demo organisation: %w", err)
	}

	if s.Mail, err = devstack.StartMailCatcher("127.0.0.1:0"); err != nil {
		return nil, err
	}
	if err := s.Scale(ctx, max(o.APIs, 1), max(o.Workers, 1)); err != nil {
		return nil, err
	}
	s.Webhooks = newSink()
	s.sink = httptest.NewServer(s.Webhooks)
	if err := s.subscribeEveryone(ctx); err != nil {
		return nil, err
	}
	ok = true
	return s, nil
}

// env is what worker and API run with; addr is the API's listen address
// (each API process has its own).
func (s *Stack) env(addr string) []string {
	appURL, _ := migrations.AppURL(s.DatabaseURL) // parsed once already
	env := append(os.Environ(),
		"DATABASE_URL="+appURL,
		"SIGNET_SIGNING_KEY_FILE="+s.Keys.Keyring,
		"SIGNET_AUDIT_KEY_FILE="+s.Keys.AuditKey,
		"SIGNET_AUDIT_CHECKPOINT_DIR="+s.Keys.Checkpoints,
		"TEMPORAL_ADDRESS="+s.temporal.Address,
		"SIGNET_TASK_QUEUE="+TaskQueue,
		"SIGNET_HTTP_ADDR="+addr,
		"SIGNET_PUBLIC_URL="+s.APIURL,
		"SIGNET_SMTP_ADDR="+s.Mail.Addr(),
		"SIGNET_CODEC_KEY_FILE="+s.keyFile,
		// The harness's webhook receivers listen on loopback.
		"SIGNET_OUTBOUND_ALLOW_LOOPBACK=true",
	)
	if s.opts.MaxInFlight > 0 {
		env = append(env, "SIGNET_MAX_INFLIGHT="+strconv.Itoa(s.opts.MaxInFlight))
	}
	if s.opts.RequestTimeout > 0 {
		env = append(env, "SIGNET_REQUEST_TIMEOUT="+s.opts.RequestTimeout.String())
	}
	return env
}

// spawn starts `signet <cmd>` with its output in Dir/<cmd>.log (the
// first of each kind; the others in <cmd>-2.log and so on). The child
// dies with this process, so an interrupted run leaves nothing behind.
func (s *Stack) spawn(cmd string, slot int, addr string) (*exec.Cmd, error) {
	name := cmd
	if slot > 0 {
		name = fmt.Sprintf("%s-%d", cmd, slot+1)
	}
	log, err := os.OpenFile(filepath.Join(s.opts.Dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	c := exec.Command(s.binary, cmd)
	c.Env = s.env(addr)
	c.Stdout, c.Stderr = log, log
	c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := c.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start signet %s: %w", name, err)
	}
	go func() { _ = c.Wait(); log.Close() }()
	return c, nil
}

// Scale brings the stack to apis API and workers worker processes: it
// starts the missing ones (the lowest free slots first) and stops the
// highest slots beyond the count with SIGINT, waiting for them to exit,
// as a scale-in would. Slot 0 of each is the one a 1×1 stack runs.
func (s *Stack) Scale(ctx context.Context, apis, workers int) error {
	if apis < 1 || workers < 1 {
		return errors.New("a stack needs at least one API and one worker")
	}
	for len(s.apis) < apis {
		port, err := devstack.FreePort()
		if err != nil {
			return err
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		s.apis, s.apiAddrs, s.APIURLs = append(s.apis, nil), append(s.apiAddrs, addr), append(s.APIURLs, "http://"+addr)
	}
	s.APIURL = s.APIURLs[0]
	for len(s.workers) < workers {
		s.workers = append(s.workers, nil)
	}
	for i := range s.workers {
		switch {
		case i < workers && s.workers[i] == nil:
			if err := s.StartWorker(i); err != nil {
				return err
			}
		case i >= workers && s.workers[i] != nil:
			stop(s.workers[i])
			s.workers[i] = nil
		}
	}
	for i := range s.apis {
		switch {
		case i < apis && s.apis[i] == nil:
			if err := s.startAPI(ctx, i); err != nil {
				return err
			}
		case i >= apis && s.apis[i] != nil:
			stop(s.apis[i])
			s.apis[i] = nil
		}
	}
	return nil
}

// stop ends c with SIGINT and waits (up to 10 s, then SIGKILL).
func stop(c *exec.Cmd) {
	if c == nil || c.Process == nil {
		return
	}
	_ = c.Process.Signal(os.Interrupt)
	waitExit(c.Process.Pid, 10*time.Second)
	_ = c.Process.Kill()
}

// Shape is how many API and worker processes are running.
func (s *Stack) Shape() (apis, workers int) {
	for _, c := range s.apis {
		if c != nil {
			apis++
		}
	}
	for _, c := range s.workers {
		if c != nil {
			workers++
		}
	}
	return apis, workers
}

// StartWorker runs `signet worker` in slot i; call it again after
// KillWorker(i).
func (s *Stack) StartWorker(i int) error {
	if i < 0 || i >= len(s.workers) {
		return fmt.Errorf("no worker slot %d (the stack has %d)", i, len(s.workers))
	}
	if s.workers[i] != nil {
		return fmt.Errorf("worker %d is running", i)
	}
	// Workers serve no HTTP; they get the first API's address as the API
	// itself does, like every process of one deployment.
	w, err := s.spawn("worker", i, s.apiAddrs[0])
	if err != nil {
		return err
	}
	s.workers[i] = w
	return nil
}

// KillWorker ends worker i with SIGKILL: no shutdown, in-flight activities
// and workflow tasks simply stop. The others keep running.
func (s *Stack) KillWorker(i int) error {
	if i < 0 || i >= len(s.workers) || s.workers[i] == nil {
		return fmt.Errorf("no worker %d running", i)
	}
	err := s.workers[i].Process.Kill()
	s.workers[i] = nil
	return err
}

// WorkerPid is worker i's process ID (0 when it is not running): the
// Temporal identity its pollers report starts with "<pid>@".
func (s *Stack) WorkerPid(i int) int {
	if i < 0 || i >= len(s.workers) || s.workers[i] == nil || s.workers[i].Process == nil {
		return 0
	}
	return s.workers[i].Process.Pid
}

func (s *Stack) startAPI(ctx context.Context, i int) error {
	a, err := s.spawn("api", i, s.apiAddrs[i])
	if err != nil {
		return err
	}
	s.apis[i] = a
	url := s.APIURLs[i]
	return waitUntil(ctx, 30*time.Second, func() error {
		resp, err := http.Get(url + "/readyz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("readyz: %d", resp.StatusCode)
		}
		return nil
	})
}

// runningAPIs lists the URLs of the API processes running now.
func (s *Stack) runningAPIs() []string {
	var out []string
	for i, c := range s.apis {
		if c != nil {
			out = append(out, s.APIURLs[i])
		}
	}
	return out
}

// RestartPostgres stops the cluster (fast shutdown: connections are cut),
// leaves it down for down, and starts it again on the same port.
func (s *Stack) RestartPostgres(ctx context.Context, down time.Duration) error {
	s.pg.Stop()
	time.Sleep(down)
	pg, err := devstack.StartCluster(ctx, s.pg.Dir, s.pgPort, s.opts.Logger)
	if err != nil {
		return fmt.Errorf("restart PostgreSQL: %w", err)
	}
	s.pg = pg
	return nil
}

// RestartTemporal stops the dev server, leaves it down for down, and starts
// it again on the same ports and state file.
func (s *Stack) RestartTemporal(ctx context.Context, down time.Duration) error {
	s.temporal.Stop()
	time.Sleep(down)
	t, err := devstack.StartTemporal(ctx, s.cli, s.opts.Dir, s.tPort, s.tUIPort, s.opts.Logger)
	if err != nil {
		return fmt.Errorf("restart Temporal: %w", err)
	}
	s.temporal = t
	return nil
}

// Close stops everything Start started.
func (s *Stack) Close() {
	if s.sink != nil {
		s.sink.Close()
	}
	if s.Mail != nil {
		defer s.Mail.Close()
	}
	procs := append(append([]*exec.Cmd{}, s.apis...), s.workers...)
	for _, c := range procs {
		if c != nil && c.Process != nil {
			_ = c.Process.Signal(os.Interrupt)
		}
	}
	for _, c := range procs {
		if c != nil && c.Process != nil {
			waitExit(c.Process.Pid, 10*time.Second)
			_ = c.Process.Kill()
		}
	}
	if s.Temporal != nil {
		s.Temporal.Close()
	}
	if s.Store != nil {
		s.Store.Close()
	}
	if s.temporal != nil {
		s.temporal.Stop()
	}
	if s.pg != nil {
		s.pg.Stop()
	}
}

// waitExit waits until pid is gone or the timeout passes.
func waitExit(pid int, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func waitUntil(ctx context.Context, timeout time.Duration, check func() error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		err := check()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready after %s: %w", timeout, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

// subscribeEveryone points every demo user's notifications at the sink,
// through the API as a user would.
func (s *Stack) subscribeEveryone(ctx context.Context) error {
	c := s.NewClient(30 * time.Second)
	for role := range s.Tokens {
		if _, err := c.Call(ctx, "settings", http.MethodPut, "/v1/me/notification-settings", role, map[string]any{
			"targets": []map[string]any{{"channel": "webhook", "address": s.sink.URL + "/" + role, "secret": "harness"}},
		}); err != nil {
			return fmt.Errorf("notification settings of %s: %w", role, err)
		}
	}
	return nil
}

// TemporalAddress is the dev server's frontend.
func (s *Stack) TemporalAddress() string { return s.temporal.Address }

// AdminURL connects to the cluster's maintenance database, for tools that
// make databases of their own on it (the fuzz targets' test stacks).
func (s *Stack) AdminURL() string { return s.pg.AdminURL }
