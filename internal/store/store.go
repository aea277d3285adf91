// Package store holds Signet's PostgreSQL queries and nothing else: it
// stores what it is given and decides nothing (notices and their wording
// come from notify, link tokens from signing). Files follow table families:
//
//	contracts.go     contracts, drafts and their numbers, line items, events
//	documents.go     rendered documents and their versions
//	projection.go    a workflow transition written in one transaction
//	inbox.go         approval tasks as approvers see them
//	approvals.go     approval rounds, delegations, approver resolution
//	policies.go      approval policies and risk rules
//	signing.go       signing rounds, signers, links, codes, signatures
//	receivables.go   payment plans, invoices, payments
//	customers.go     customers and contacts
//	products.go      product lines and products
//	templates.go     contract templates and the clause library
//	users.go         users, accounts and bearer tokens
//	notifications.go notification settings and writing the outbox
//	outbox.go        the outbox as the dispatcher and operators use it
//	digest.go        the daily digest's lines
//	reconciliation.go the nightly PostgreSQL/Temporal comparison
//	audit.go         the audit trail
//	attachments.go   contract attachments
//	errors.go        one classification of every PostgreSQL failure
package store

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/signet-clm/signet/internal/audit"
)

// Store runs queries on a pgx pool.
type Store struct {
	pool *pgxpool.Pool
	// EmailByDefault mails users who never chose where to hear about
	// things at their address (notify.Route), and lets signers' link
	// invitations be written; set it when SMTP is configured.
	EmailByDefault bool
	// DingTalkCards and WeComCards send task notices to users with an
	// identity on the platform as approval cards (notify.Routing); set
	// them when the platform's app is configured to send.
	DingTalkCards, WeComCards bool
	// AuditKeys chain the audit trail (audit.Key); they live outside the
	// database. Every audited write needs them.
	AuditKeys audit.Keyring
}

// Open connects to databaseURL. It does not wait for the server to answer,
// so a process can start while PostgreSQL is still coming up.
//
// The pool holds at most maxConns connections (DefaultMaxConns when 0),
// unless the URL sets pool_max_conns itself.
func Open(ctx context.Context, databaseURL string, maxConns ...int32) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, wrap("parse DATABASE_URL", err)
	}
	if !strings.Contains(databaseURL, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
		if len(maxConns) > 0 && maxConns[0] > 0 {
			cfg.MaxConns = maxConns[0]
		}
	}
	// Fail fast while PostgreSQL is down so callers answer 503, not hang.
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > 5*time.Second {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, wrap("open pool", err)
	}
	return &Store{pool: pool}, nil
}

// DefaultMaxConns sizes the pool for one process's concurrency: the API's
// requests each hold a connection for one transaction, and the worker's
// local activities (projection writes) run inside its workflow tasks. pgx's
// own default, max(4, CPUs), queues them on a small machine.
const DefaultMaxConns int32 = 20

// Close releases every connection.
func (s *Store) Close() { s.pool.Close() }

// Ping checks that PostgreSQL answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Pool exposes the pool for jobs that need a dedicated connection.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// HashToken is how a bearer token is stored: its SHA-256.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// WithAdvisoryLock runs fn while holding the advisory lock key, so one
// replica at a time does a job. ran is false, and fn not called, when
// another holds it. The lock is a transaction's (pg_try_advisory_xact_lock),
// held by a transaction kept open while fn runs: a session's lock would not
// survive a transaction-mode connection pooler, which hands the session to
// others between transactions. fn itself uses the pool, so keep it short.
func (s *Store) WithAdvisoryLock(ctx context.Context, key int64, fn func(ctx context.Context) error) (ran bool, err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, wrap("begin lock transaction", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, key).Scan(&ran); err != nil {
		return false, wrap(fmt.Sprintf("take advisory lock %x", key), err)
	}
	if !ran {
		return false, nil
	}
	return true, fn(ctx)
}
