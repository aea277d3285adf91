package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/pdfsig"
	"github.com/signet-clm/signet/internal/store"
)

// keySet is the keys kept outside PostgreSQL that a process needs.
type keySet struct {
	sealer *eseal.Sealer
	audit  audit.Keyring
	// pdf signs completed versions' PDFs; nil when not configured.
	pdf *pdfsig.Key
}

var (
	errNoKeyring = errors.New("SIGNET_SIGNING_KEY_FILE is required: the sealing keyring lives outside PostgreSQL. " +
		"Make it once with `signet keys init` and give every replica the same file")
	errNoAuditKey = errors.New("SIGNET_AUDIT_KEY_FILE is required: the audit chain's key lives outside PostgreSQL. " +
		"Make it once with `signet keys init` and give every replica the same file")
)

// openKeys opens the sealing keyring and the audit key; a process that
// seals or writes the trail refuses to start without them.
func openKeys(cfg config.Config) (keySet, error) {
	if cfg.SigningKeyFile == "" {
		return keySet{}, errNoKeyring
	}
	if cfg.AuditKeyFile == "" {
		return keySet{}, errNoAuditKey
	}
	ring, err := eseal.OpenFileKeyring(cfg.SigningKeyFile)
	if err != nil {
		return keySet{}, fmt.Errorf("SIGNET_SIGNING_KEY_FILE: %w", err)
	}
	ak, err := audit.OpenKeyFile(cfg.AuditKeyFile)
	if err != nil {
		return keySet{}, fmt.Errorf("SIGNET_AUDIT_KEY_FILE: %w", err)
	}
	keys := keySet{sealer: eseal.NewKeyringSealer(ring), audit: ak}
	if cfg.PDFSigningKey != "" {
		if keys.pdf, err = pdfsig.LoadKey(cfg.PDFSigningKey, cfg.PDFSigningCert); err != nil {
			return keySet{}, fmt.Errorf("SIGNET_PDF_SIGNING_KEY: %w", err)
		}
	}
	return keys, nil
}

// openStore connects as DATABASE_URL with the audit key, warning when that
// role could rewrite the audit trail.
func openStore(ctx context.Context, cfg config.Config, keys keySet, logger *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL, cfg.DatabaseMaxConns)
	if err != nil {
		return nil, err
	}
	st.AuditKeys = keys.audit
	// PostgreSQL may still be coming up; the check is advice, not a gate.
	if can, err := st.CanAlterAuditTrail(ctx); err == nil && can {
		logger.Warn("DATABASE_URL connects as a role that owns audit_events or is a superuser, so it could disable the trail's append-only triggers: " +
			"connect the API and worker as signet_app and run migrations as the owner (SIGNET_MIGRATE_DATABASE_URL)")
	}
	return st, nil
}

func trail(cfg config.Config, st *store.Store, keys keySet) *audit.Trail {
	return &audit.Trail{Rows: st, Keys: keys.audit, Checkpoints: audit.CheckpointDir(cfg.AuditCheckpointDir), Sealer: keys.sealer}
}

// openTrail opens what the audit commands work on: the configuration and
// the audit trail its keys and database make up; done closes the
// database connections.
func openTrail(ctx context.Context) (cfg config.Config, tr *audit.Trail, done func(), err error) {
	if cfg, err = config.FromEnv(); err != nil {
		return cfg, nil, nil, err
	}
	if cfg.DatabaseURL == "" {
		return cfg, nil, nil, errors.New("DATABASE_URL is required")
	}
	keys, err := openKeys(cfg)
	if err != nil {
		return cfg, nil, nil, err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, cfg.DatabaseMaxConns)
	if err != nil {
		return cfg, nil, nil, err
	}
	return cfg, trail(cfg, st, keys), st.Close, nil
}

// verifyAudit walks the audit chain against the audit key and the sealed
// checkpoints, and reports the first broken row.
func verifyAudit(ctx context.Context, _ *slog.Logger) error {
	cfg, tr, done, err := openTrail(ctx)
	if err != nil {
		return err
	}
	defer done()
	if cfg.AuditCheckpointDir == "" {
		fmt.Fprintln(os.Stderr, "note: SIGNET_AUDIT_CHECKPOINT_DIR is not set, so the chain is checked against the audit key alone")
	}
	rep, err := tr.Verify(ctx)
	if err != nil {
		return err
	}
	if b := rep.Broken; b != nil {
		return fmt.Errorf("audit trail broken at row %d: %s (%d rows checked)", b.Seq, b.Reason, rep.Checked)
	}
	fmt.Printf("audit trail intact: %d rows, checked against %d checkpoints", rep.Checked, rep.Checkpoints)
	if cp := rep.Latest; cp != nil {
		fmt.Printf(" (latest: row %d, sealed %s)", cp.Seq, cp.At.Format(time.RFC3339))
	}
	fmt.Println()
	return nil
}

// checkpointAudit seals every audit chain's head now, as the worker does
// on its schedule.
func checkpointAudit(ctx context.Context, _ *slog.Logger) error {
	cfg, tr, done, err := openTrail(ctx)
	if err != nil {
		return err
	}
	defer done()
	if cfg.AuditCheckpointDir == "" {
		return errors.New("SIGNET_AUDIT_CHECKPOINT_DIR is required: the directory sealed checkpoints are written to")
	}
	cp, written, err := tr.Checkpoint(ctx, time.Now())
	if err != nil {
		return err
	}
	if written {
		fmt.Printf("checkpoint written: %d chain heads up to row %d, Merkle root %s\n", len(cp.Heads), cp.Seq, cp.Hash)
	} else {
		fmt.Printf("the heads (up to row %d) are already checkpointed\n", cp.Seq)
	}
	return nil
}

// initKeys makes the sealing keyring, the audit key and the checkpoint
// directory, leaving any that exist alone.
func initKeys(context.Context, *slog.Logger) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if cfg.SigningKeyFile == "" {
		return errNoKeyring
	}
	if cfg.AuditKeyFile == "" {
		return errNoAuditKey
	}
	files := devstack.KeyFiles{Keyring: cfg.SigningKeyFile, AuditKey: cfg.AuditKeyFile, Checkpoints: cfg.AuditCheckpointDir}
	if err := files.Ensure(time.Now()); err != nil {
		return err
	}
	keys, err := openKeys(cfg)
	if err != nil {
		return err
	}
	ak, err := keys.audit.Current()
	if err != nil {
		return err
	}
	fmt.Printf("sealing keyring %s: current key %s\n", cfg.SigningKeyFile, keys.sealer.KeyID())
	fmt.Printf("audit key %s: current key %s\n", cfg.AuditKeyFile, ak.ID)
	if cfg.AuditCheckpointDir != "" {
		fmt.Printf("checkpoints in %s\n", cfg.AuditCheckpointDir)
	}
	return nil
}

func rotateSigningKey(context.Context, *slog.Logger) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if cfg.SigningKeyFile == "" {
		return errNoKeyring
	}
	rot, err := eseal.RotateFileKeyring(cfg.SigningKeyFile, time.Now())
	if err != nil {
		return err
	}
	fmt.Printf("sealing key rotated: %s seals from now on; %s is retired and still verifies what it sealed\n", rot.Current, rot.Retired)
	return nil
}

func rotateAuditKey(context.Context, *slog.Logger) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if cfg.AuditKeyFile == "" {
		return errNoAuditKey
	}
	id, err := audit.RotateKeyFile(cfg.AuditKeyFile, time.Now())
	if err != nil {
		return err
	}
	fmt.Printf("audit key rotated: new entries are chained with %s; older entries keep verifying with theirs\n", id)
	return nil
}
