package devstack

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/pdfsig"
)

// KeyFiles are where the keys that live outside PostgreSQL are kept: the
// sealing keyring (SIGNET_SIGNING_KEY_FILE), the audit chain's key
// (SIGNET_AUDIT_KEY_FILE) and the directory of sealed audit checkpoints
// (SIGNET_AUDIT_CHECKPOINT_DIR); in development also the PDF signing key
// and certificate of a development CA (SIGNET_PDF_SIGNING_KEY,
// SIGNET_PDF_SIGNING_CERT), made when PDF.Key is set.
type KeyFiles struct {
	Keyring, AuditKey, Checkpoints string
	PDF                            pdfsig.DevFiles
}

// DevKeyFiles are the files `signet dev` keeps under dataDir (.data/).
func DevKeyFiles(dataDir string) KeyFiles {
	return KeyFiles{
		Keyring:     filepath.Join(dataDir, "signing-keyring.json"),
		AuditKey:    filepath.Join(dataDir, "audit-key.json"),
		Checkpoints: filepath.Join(dataDir, "checkpoints"),
		PDF: pdfsig.DevFiles{Key: filepath.Join(dataDir, "pdf-signing-key.pem"), Cert: filepath.Join(dataDir, "pdf-signing-cert.pem"),
			CA: filepath.Join(dataDir, "pdf-dev-ca.pem")},
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
	if k.PDF.Key != "" {
		if _, err := k.PDF.Ensure("Signet (development)", now); err != nil {
			return fmt.Errorf("create the development PDF signing certificate: %w", err)
		}
	}
	if k.Checkpoints != "" {
		if err := os.MkdirAll(k.Checkpoints, 0o700); err != nil {
			return fmt.Errorf("create checkpoint directory: %w", err)
		}
	}
	return nil
}
