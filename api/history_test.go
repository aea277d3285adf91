package api_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/payloadcodec"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// TestRecordedHistoryReplays runs a contract through rejection,
// resubmission, approval, signing and expiry on the real stack, then
// replays its history, its last review round's and its signing round's,
// against the current
// workflow code. With SIGNET_RECORD_HISTORY=1 it also writes them to
// workflows/testdata, where the replay test keeps them for every later
// version of the workflows to pass. Its payloads are encrypted under the
// test key ring the replay test decrypts with.
func TestRecordedHistoryReplays(t *testing.T) {
	testenv.RequireIntegration(t)
	ringFile, err := os.ReadFile(filepath.Join("..", "workflows", "testdata", "codec", "keys.json"))
	require.NoError(t, err)
	ring, err := payloadcodec.ParseKeyRing(ringFile)
	require.NoError(t, err)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithCodecKeys(ring))
	state := create(t, s, newContract(15_000_000, "2025-01-01", "2025-12-31"))
	n := state.Contract.Number
	state = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	state = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/tasks/"+waitTask(t, s, "sales_manager", n).ID+"/decision", "sales_manager",
		map[string]any{"decision": "reject", "opinion": "折扣过高，请重新报价"}), http.StatusOK)
	require.Equal(t, domain.StatusDraft, state.Status)
	state = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	approveAll(t, s, state)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", nil), http.StatusOK)
	signAll(t, s, n)
	// Its term is over, so it expires and, owing nothing, completes.
	require.Eventually(t, func() bool {
		row, err := s.Store.Contract(t.Context(), n)
		return err == nil && row.Status == domain.StatusCompleted
	}, 15*time.Second, 50*time.Millisecond)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/archive", "sales", nil), http.StatusOK)

	ctx := context.Background()
	run := s.Temporal.GetWorkflow(ctx, workflows.ContractWorkflowID(n), "")
	var result workflows.ContractResult
	require.NoError(t, run.Get(ctx, &result))
	require.Equal(t, domain.StatusArchived, result.Status)

	history := func(id string) []byte {
		hist := &historypb.History{}
		iter := s.Temporal.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for iter.HasNext() {
			ev, err := iter.Next()
			require.NoError(t, err)
			hist.Events = append(hist.Events, ev)
		}
		raw, err := protojson.MarshalOptions{Indent: "  "}.Marshal(hist)
		require.NoError(t, err)
		return raw
	}
	raw := history(workflows.ContractWorkflowID(n))
	round := history(workflows.ApprovalWorkflowID(n, 2))
	signingRound := history(workflows.SigningWorkflowID(n, 1))

	dir := t.TempDir()
	if os.Getenv("SIGNET_RECORD_HISTORY") == "1" {
		dir = filepath.Join("..", "workflows", "testdata")
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	replayer, err := worker.NewWorkflowReplayerWithOptions(s.Codec.ReplayerOptions(worker.WorkflowReplayerOptions{}))
	require.NoError(t, err)
	workflows.RegisterWorkflows(replayer)
	histories := []struct {
		name string
		raw  []byte
	}{
		// Each named for the last change its workflow knows (the contract's
		// changeContractEpoch, the rounds' changeDirectClose). The fixtures
		// of earlier changes (or none) stay as recorded.
		{"contract_reject_resubmit_sign_complete_archive_epoch.json", raw},
		{"approval_round_approved_direct_close.json", round},
		{"signing_round_signed_direct_close.json", signingRound},
	}
	for _, h := range histories {
		path := filepath.Join(dir, h.name)
		require.NoError(t, os.WriteFile(path, h.raw, 0o644))
		require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, path), h.name)
		// Its broken twin: the first activity renamed, as a careless
		// refactor would, which the replayer must refuse.
		broken := filepath.Join(dir, "broken_"+strings.TrimSuffix(h.name, ".json")+"_renamed_activity.json")
		require.NoError(t, os.WriteFile(broken, renameFirstActivity(t, h.raw, s.Codec.DataConverter()), 0o644))
		err := replayer.ReplayWorkflowHistoryFromJSONFile(nil, broken)
		require.Error(t, err, "the replayer accepted %s", broken)
		// A changed command says "nondeterministic"; a local activity's
		// changed marker, the SDK's nondeterminism code TMPRL1100.
		require.Regexp(t, "nondeterministic|TMPRL1100", err.Error())
	}
}

// renameFirstActivity returns the history with its first activity's type
// renamed: a scheduled activity's, or a local activity's in its marker
// (whose payload dc decodes and encodes again).
func renameFirstActivity(t *testing.T, raw []byte, dc converter.DataConverter) []byte {
	t.Helper()
	hist := &historypb.History{}
	require.NoError(t, protojson.Unmarshal(raw, hist))
	out := func() []byte {
		out, err := protojson.MarshalOptions{Indent: "  "}.Marshal(hist)
		require.NoError(t, err)
		return out
	}
	for _, ev := range hist.Events {
		if attrs := ev.GetActivityTaskScheduledEventAttributes(); attrs != nil {
			attrs.ActivityType.Name += "Renamed"
			return out()
		}
		if m := ev.GetMarkerRecordedEventAttributes(); m != nil && m.GetMarkerName() == "LocalActivity" {
			data := map[string]any{}
			require.NoError(t, dc.FromPayloads(m.Details["data"], &data))
			data["ActivityType"] = fmt.Sprint(data["ActivityType"]) + "Renamed"
			p, err := dc.ToPayloads(data)
			require.NoError(t, err)
			m.Details["data"] = p
			return out()
		}
	}
	t.Fatal("no activity in the history to rename")
	return nil
}

// TestRecordedRecallHistoryReplays records and replays, as
// TestRecordedHistoryReplays does, a contract whose submission is
// withdrawn and submitted again, and one whose signing round is voided
// and sent again (changeWithdrawVoid), with the withdrawn review round
// and the voided signing round.
func TestRecordedRecallHistoryReplays(t *testing.T) {
	testenv.RequireIntegration(t)
	ringFile, err := os.ReadFile(filepath.Join("..", "workflows", "testdata", "codec", "keys.json"))
	require.NoError(t, err)
	ring, err := payloadcodec.ParseKeyRing(ringFile)
	require.NoError(t, err)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithCodecKeys(ring))

	state := create(t, s, newContract(15_000_000, "2026-01-01", "2026-12-31"))
	withdrawn := state.Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+withdrawn+"/submit", "sales", nil), http.StatusOK)
	waitTask(t, s, "sales_manager", withdrawn)
	state = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+withdrawn+"/withdraw", "sales", map[string]any{"reason": "客户要求调整报价"}), http.StatusOK)
	require.Equal(t, domain.StatusDraft, state.Status)
	state = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+withdrawn+"/submit", "sales", nil), http.StatusOK)
	require.Equal(t, domain.StatusApproved, approveAll(t, s, state).Status)

	voided := approved(t, s)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+voided+"/send", "sales", nil), http.StatusOK)
	first := signingOf(t, s, voided).Signers[0]
	signAs(t, s, voided, first.ID, first.Name)
	state = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+voided+"/signing/void", "sales", map[string]any{"reason": "客户签字人变更"}), http.StatusOK)
	require.Equal(t, domain.StatusApproved, state.Status)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+voided+"/send", "sales", nil), http.StatusOK)
	require.Equal(t, domain.StatusActive, signAll(t, s, voided).Status)

	ctx := context.Background()
	history := func(id string) []byte {
		hist := &historypb.History{}
		iter := s.Temporal.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for iter.HasNext() {
			ev, err := iter.Next()
			require.NoError(t, err)
			hist.Events = append(hist.Events, ev)
		}
		raw, err := protojson.MarshalOptions{Indent: "  "}.Marshal(hist)
		require.NoError(t, err)
		return raw
	}
	dir := t.TempDir()
	if os.Getenv("SIGNET_RECORD_HISTORY") == "1" {
		dir = filepath.Join("..", "workflows", "testdata")
	}
	replayer, err := worker.NewWorkflowReplayerWithOptions(s.Codec.ReplayerOptions(worker.WorkflowReplayerOptions{}))
	require.NoError(t, err)
	workflows.RegisterWorkflows(replayer)
	// Named for the last change their workflows know. The signed
	// contract's run is still open (in force): its history so far.
	histories := []struct {
		name string
		raw  []byte
	}{
		{"contract_withdraw_resubmit_approve_epoch.json", history(workflows.ContractWorkflowID(withdrawn))},
		{"approval_round_withdrawn_direct_close.json", history(workflows.ApprovalWorkflowID(withdrawn, 1))},
		{"contract_void_resend_sign_epoch.json", history(workflows.ContractWorkflowID(voided))},
		{"signing_round_voided_direct_close.json", history(workflows.SigningWorkflowID(voided, 1))},
	}
	for _, h := range histories {
		path := filepath.Join(dir, h.name)
		require.NoError(t, os.WriteFile(path, h.raw, 0o644))
		require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, path), h.name)
	}
}
