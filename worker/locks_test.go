package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/worker"
)

// While the audit checkpoint holds its lock, every audited write still
// goes through: no job shares the audit trail's lock (the digest once did,
// and a digest run stopped every audited write in every process); and a
// second replica is turned away rather than waiting.
func TestScheduledJobsDoNotHoldTheAuditTrail(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	for name, key := range map[string]int64{"checkpoint": worker.CheckpointLockKey} {
		ran, err := s.Store.WithAdvisoryLock(context.Background(), key, func(ctx context.Context) error {
			// The bound only turns a wait forever into a failure.
			write, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			return s.Store.UpsertUser(write, domain.User{ID: "lock-" + name, Name: name, Email: name + "@test.signet.local",
				Roles: []domain.Role{domain.RoleSales}})
		})
		require.True(t, ran, name)
		assert.NoError(t, err, "an audited write while the %s holds its lock", name)
		ran, err = s.Store.WithAdvisoryLock(context.Background(), key, func(ctx context.Context) error {
			other, err := s.Store.WithAdvisoryLock(ctx, key, func(context.Context) error { return nil })
			assert.False(t, other, "a second %s ran while the first held the lock", name)
			return err
		})
		require.True(t, ran, name)
		require.NoError(t, err)
	}
}
