package workflows_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/signet-clm/signet/internal/payloadcodec"
	"github.com/signet-clm/signet/workflows"
)

// TestReplayRecordedHistories replays every history recorded from a shipped
// version of the workflow (testdata/*.json) against today's code: a change
// that would break running contracts fails here. Files named broken_* are
// deliberately altered and must be refused, proving the replayer checks.
// They replay as the worker runs them, through the payload codec (with the
// test key ring in testdata/codec): histories recorded before the codec
// hold plain payloads, which it passes through.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)
	// A test ring, committed (so readable by all): parsed, not opened as a
	// key file, which must be private.
	raw, err := os.ReadFile(filepath.Join("testdata", "codec", "keys.json"))
	require.NoError(t, err)
	ring, err := payloadcodec.ParseKeyRing(raw)
	require.NoError(t, err)
	codec := payloadcodec.New(ring)
	var good, broken int
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r, err := worker.NewWorkflowReplayerWithOptions(codec.ReplayerOptions(worker.WorkflowReplayerOptions{}))
			require.NoError(t, err)
			workflows.RegisterWorkflows(r)
			err = r.ReplayWorkflowHistoryFromJSONFile(nil, f)
			if strings.HasPrefix(filepath.Base(f), "broken_") {
				broken++
				require.Error(t, err, "the replayer accepted a history that does not match the code")
				// A changed command says "nondeterministic"; a local
				// activity's changed marker, the SDK's nondeterminism code.
				require.Regexp(t, "nondeterministic|TMPRL1100", err.Error())
				return
			}
			good++
			require.NoError(t, err)
		})
	}
	require.Positive(t, good, "no recorded history to replay")
	require.Positive(t, broken, "no broken history to prove the replayer catches drift")
}
