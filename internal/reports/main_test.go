package reports_test

import (
	"os"
	"testing"

	"github.com/signet-clm/signet/testkit/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopPostgres()
	os.Exit(code)
}
