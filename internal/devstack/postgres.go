package devstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// LocalPostgresURL is the server devstack looks for when DATABASE_URL is unset.
const LocalPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Postgres is a PostgreSQL server Signet can create databases on.
type Postgres struct {
	// AdminURL connects to the server's maintenance database.
	AdminURL string
	// Dir is the data directory of a cluster devstack started; empty for
	// a server it found.
	Dir string
	// stop ends a cluster devstack started itself; nil for one it found.
	stop func()
}

// Stop ends the throwaway cluster, if devstack started one.
func (p *Postgres) Stop() {
	if p.stop != nil {
		p.stop()
	}
}

// ErrNoPostgres says how to get PostgreSQL when none can be found or made.
var ErrNoPostgres = errors.New("no PostgreSQL found: set DATABASE_URL, run a server on 127.0.0.1:5432, " +
	"or install PostgreSQL's server binaries (Debian/Ubuntu: apt-get install postgresql) so Signet can start a throwaway cluster under .data/pg")

// FindPostgres returns a usable server: the one DATABASE_URL names, else one
// answering on 127.0.0.1:5432, else a throwaway cluster under dataDir made
// with the system's initdb and pg_ctl.
func FindPostgres(ctx context.Context, dataDir string, logger *slog.Logger) (*Postgres, error) {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		if err := pingPostgres(ctx, u); err != nil {
			return nil, fmt.Errorf("DATABASE_URL does not answer: %w", err)
		}
		return &Postgres{AdminURL: u}, nil
	}
	for _, u := range localCandidates() {
		if pingPostgres(ctx, u) == nil {
			logger.Info("using the PostgreSQL server on 127.0.0.1:5432")
			return &Postgres{AdminURL: u}, nil
		}
	}
	return StartCluster(ctx, filepath.Join(dataDir, "pg"), 0, logger)
}

// localCandidates are the users tried on 127.0.0.1:5432: postgres, then the
// current user (a Homebrew-style install has no postgres role).
func localCandidates() []string {
	urls := []string{LocalPostgresURL}
	if u, err := user.Current(); err == nil && u.Username != "postgres" {
		urls = append(urls, fmt.Sprintf("postgres://%s@127.0.0.1:5432/postgres?sslmode=disable", url.PathEscape(u.Username)))
	}
	return urls
}

func pingPostgres(ctx context.Context, u string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.Ping(ctx)
}

// pgBinDir finds the directory holding initdb and pg_ctl.
func pgBinDir() (string, bool) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), true
		}
	}
	// Debian keeps them off PATH, one directory per major version.
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, true
		}
	}
	return "", false
}

// StartCluster initialises (once) and starts a cluster in dir on port, or
// on a free port when port is 0; starting it again on its old port after a
// Stop is how the fault suite restarts PostgreSQL under a running Signet.
// PostgreSQL refuses to run as root, so as root it runs as the postgres
// system user.
func StartCluster(ctx context.Context, dir string, port int, logger *slog.Logger) (*Postgres, error) {
	bin, ok := pgBinDir()
	if !ok {
		return nil, ErrNoPostgres
	}
	runAs, err := clusterUser()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := chownTo(dir, runAs); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		logger.Info("creating a throwaway PostgreSQL cluster", "dir", dir)
		if out, err := pgCommand(ctx, runAs, filepath.Join(bin, "initdb"), "-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
			return nil, fmt.Errorf("initdb: %w: %s", err, out)
		}
	}
	if port == 0 {
		if port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", port, dir)
	logFile := filepath.Join(dir, "server.log")
	if out, err := pgCommand(ctx, runAs, filepath.Join(bin, "pg_ctl"), "-D", dir, "-l", logFile, "-o", opts, "-w", "start").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pg_ctl start (see %s): %w: %s", logFile, err, out)
	}
	stop := func() {
		_ = pgCommand(context.Background(), runAs, filepath.Join(bin, "pg_ctl"), "-D", dir, "-m", "fast", "-w", "stop").Run()
	}
	u := "postgres://postgres@127.0.0.1:" + strconv.Itoa(port) + "/postgres?sslmode=disable"
	if err := waitFor(ctx, 30*time.Second, func(ctx context.Context) error { return pingPostgres(ctx, u) }); err != nil {
		stop()
		return nil, err
	}
	logger.Info("started a throwaway PostgreSQL cluster", "dir", dir, "port", port)
	return &Postgres{AdminURL: u, Dir: dir, stop: stop}, nil
}

// clusterUser is the account the cluster runs as: nil for the current user,
// or the postgres system user when we are root.
func clusterUser() (*user.User, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, PostgreSQL needs a non-root account to run as and there is no 'postgres' user: %w", err)
	}
	return u, nil
}

func chownTo(dir string, u *user.User) error {
	if u == nil {
		return nil
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

func pgCommand(ctx context.Context, u *user.User, name string, args ...string) *exec.Cmd {
	if u == nil {
		return exec.CommandContext(ctx, name, args...)
	}
	return exec.CommandContext(ctx, "runuser", append([]string{"-u", u.Username, "--", name}, args...)...)
}

// CreateDatabase creates database name on the server at adminURL unless it
// exists, and returns a URL for it.
func CreateDatabase(ctx context.Context, adminURL, name string) (string, error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" ENCODING 'UTF8' TEMPLATE template0"); err != nil {
			return "", fmt.Errorf("create database %s: %w", name, err)
		}
	}
	return WithDatabase(adminURL, name)
}

// DropDatabase removes database name, closing its connections.
func DropDatabase(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// WithDatabase returns u pointing at database name.
func WithDatabase(u, name string) (string, error) {
	parsed, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("parse database URL: %w", err)
	}
	parsed.Path = "/" + name
	return parsed.String(), nil
}
