package api_test

import (
	"os"
	"testing"

	"github.com/signet-clm/signet/testenv"
)

// Integration tests here share one dev server; each has its own task queue
// and database.
func TestMain(m *testing.M) { os.Exit(testenv.RunWithTemporal(m)) }
