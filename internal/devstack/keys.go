package devstack

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/eseal"
)

// KeyFiles are where the keys that live outside PostgreSQL are kept: the
// sealing keyring (SIGNET_SIGNING_KEY_FILE), the audit chain's key
// (SIGNET_AUDIT_KEY_FILE) and the directory of sealed audit checkpoints
// (SIGNET_AUDIT_CHECKPOINT_DIR).
type KeyFiles struct {
	Keyring, AuditKey, Checkpoints string
}

// DevKeyFiles are the files `signet dev` keeps under dataDir (.data/).
func DevKeyFiles(dataDir string) KeyFiles {
	return KeyFiles{
		Keyring:     filepath.Join(dataDir, "signing-keyring.json"),
		AuditKey:    filepath.Join(dataDir, "audit-key.json"),
		Checkpoints: filepath.Join(dataDir, "checkpoints"),
	}
}

// Ensure makes whatever of them is missing (files 0600, directories 0700)
// and keeps what exists, so a second start uses the same keys.
func (k KeyFiles) Ensure(now time.Time) error {
	if _, err := eseal.CreateFileKeyring(k.Keyring, now); err != nil {
		return err
	}
	if _, err := audit.CreateKeyFile(k.AuditKey, now); err != nil {
		return err
	}
	if k.Checkpoints != "" {
		if err := os.MkdirAll(k.Checkpoints, 0o700); err != nil {
			return fmt.Errorf("create checkpoint directory: %w", err)
		}
	}
	return nil
}
