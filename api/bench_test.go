package api_test

import (
	"testing"

	"github.com/signet-clm/signet/testenv"
)

// BenchmarkLifecycleHTTP drives one contract per iteration from creation to
// active over HTTP against the real stack: create, submit, one approval,
// send and two signatures, each an Update that waits for its projection.
func BenchmarkLifecycleHTTP(b *testing.B) {
	testenv.RequireIntegration(b)
	s := testenv.NewStack(b, testenv.TemporalAddress())
	body := newContract(5_000_000, "2026-01-01", "2030-12-31")
	for b.Loop() {
		driveToActive(b, s, body)
	}
}
