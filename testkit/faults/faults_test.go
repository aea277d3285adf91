package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/testkit/harness"
	"github.com/signet-clm/signet/testkit/testenv"
)

// TestFaultsShort is the CI-sized fault suite: 20 contracts through the
// whole lifecycle while the worker is SIGKILLed twice, then every history
// the run produced replayed against today's code, and the three broken
// variants refused. `make faults` runs the full suite.
func TestFaultsShort(t *testing.T) {
	testenv.RequireIntegration(t)
	ctx := context.Background()
	root, err := devstack.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	// Not t.TempDir: as root the cluster runs as postgres, who must be able
	// to reach its directory.
	s, err := harness.Start(ctx, harness.Options{Dir: filepath.Join(root, ".data", "harness-test"), Logger: testenv.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, o := range []Outcome{WorkerKills(ctx, s, 20, 2, testenv.Logger()), Determinism(ctx, s)} {
		t.Logf("%s: %s; %d/%d completed; answers %s; %s", o.Scenario, o.Injected, o.Completed, o.Contracts, statuses(o.Statuses), o.Notes)
		if !o.OK() {
			t.Errorf("%s lost something:\n%v", o.Scenario, o.Problems())
		}
	}
}
