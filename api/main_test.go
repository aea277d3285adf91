package api_test

import (
	"os"
	"testing"

	"github.com/signet-clm/signet/testkit/testenv"
)

// Integration tests here share one dev server; each has its own task queue
// and database. Every response they see is checked against the OpenAPI
// document (conformance_test.go).
func TestMain(m *testing.M) {
	testenv.WrapHandler = checkResponses
	os.Exit(testenv.RunWithTemporal(m))
}
