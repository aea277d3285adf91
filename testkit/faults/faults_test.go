package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

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

// TestScaleOutShort is the CI-sized 2×2 shape: 2 API and 2 worker
// processes on one database, dev server and task queue; 20 contracts
// through the whole lifecycle, requests spread over both APIs, while one
// worker of the two is SIGKILLed twice (each in turn) and restarted; then
// the reconciliation's schedule, every 2 s, runs once per scheduled time
// across both worker processes (one report in PostgreSQL per time).
func TestScaleOutShort(t *testing.T) {
	testenv.RequireIntegration(t)
	ctx := context.Background()
	root, err := devstack.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	s, err := harness.Start(ctx, harness.Options{Dir: filepath.Join(root, ".data", "harness-test"), APIs: 2, Workers: 2, Logger: testenv.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if apis, workers := s.Shape(); apis != 2 || workers != 2 {
		t.Fatalf("shape %d×%d, want 2×2", apis, workers)
	}
	if c := s.NewClient(time.Second); c.APIs() != 2 {
		t.Fatalf("the client spreads over %d APIs, want 2", c.APIs())
	}
	for _, o := range []Outcome{WorkerKills(ctx, s, 20, 2, testenv.Logger()), Schedules(ctx, s, 5, testenv.Logger())} {
		t.Logf("%s: %s; %d/%d completed; answers %s; %s", o.Scenario, o.Injected, o.Completed, o.Contracts, statuses(o.Statuses), o.Notes)
		if !o.OK() {
			t.Errorf("%s lost something:\n%v", o.Scenario, o.Problems())
		}
	}
}
