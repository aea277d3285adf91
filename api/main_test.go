package api_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/signet-clm/signet/testenv"
)

// temporalAddress is the dev server every integration test in this package
// shares; each test has its own task queue and database.
var temporalAddress string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if !testenv.SkipIntegration() {
		srv, err := testenv.StartTemporal(context.Background())
		if err != nil {
			fmt.Fprintln(os.Stderr, "integration tests need Temporal:", err)
			return 1
		}
		defer srv.Stop()
		defer testenv.StopPostgres()
		temporalAddress = srv.Address
	}
	return m.Run()
}
