package store

import (
	"testing"

	"github.com/signet-clm/signet/internal/audit"
)

// TestAdvisoryLockKeysAreDisjoint: every fixed key, retired ones too, lies
// below the audit chains' range and above the int4 keys hashtext() gives,
// and the range holds every chain.
func TestAdvisoryLockKeysAreDisjoint(t *testing.T) {
	single := []int64{retiredReconcileLock, retiredAuditLock, CheckpointLock, retiredDigestLock}
	seen := map[int64]bool{}
	for _, k := range single {
		if seen[k] {
			t.Errorf("key %#x used twice", k)
		}
		seen[k] = true
		if k <= 1<<32 {
			t.Errorf("key %#x is in hashtext()'s int4 range", k)
		}
		if k >= auditChainLocks && k < auditChainLocks+audit.Chains {
			t.Errorf("key %#x is an audit chain's", k)
		}
	}
	if auditChainLocks <= 1<<32 {
		t.Errorf("the audit chains' keys meet hashtext()'s")
	}
}
