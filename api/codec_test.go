package api_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/signet-clm/signet/internal/codecserver"
	"github.com/signet-clm/signet/internal/payloadcodec"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

const demoCustomerName = "上海星辰科技有限公司"

// rawHistory reads a workflow's history as the Temporal server stores it,
// through a client without Signet's codec.
func rawHistory(t *testing.T, workflowID string) *historypb.History {
	t.Helper()
	raw, err := client.Dial(client.Options{HostPort: testenv.TemporalAddress(), Logger: testenv.Logger()})
	require.NoError(t, err)
	defer raw.Close()
	hist := &historypb.History{}
	iter := raw.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		require.NoError(t, err)
		hist.Events = append(hist.Events, ev)
	}
	require.NotEmpty(t, hist.Events)
	return hist
}

// startedInput is the first payload of the history's start event.
func startedInput(t *testing.T, hist *historypb.History) *commonpb.Payload {
	t.Helper()
	attrs := hist.Events[0].GetWorkflowExecutionStartedEventAttributes()
	require.NotNil(t, attrs)
	require.NotEmpty(t, attrs.GetInput().GetPayloads())
	return attrs.GetInput().GetPayloads()[0]
}

// TestContractDataInTemporalIsEncrypted drafts and submits a contract, then
// reads the histories of its workflow and its review round as the Temporal
// server holds them: no title or customer name anywhere in them, every
// payload encrypted under the stack's current key, search attributes
// readable; with the codec the same history replays and its input is the
// contract.
func TestContractDataInTemporalIsEncrypted(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	body := newContract(15_000_000, "2026-01-01", "2026-12-31")
	title := body["title"].(string)
	state := create(t, s, body)
	n := state.Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	waitTask(t, s, "sales_manager", n)

	for _, id := range []string{workflows.ContractWorkflowID(n), workflows.ApprovalWorkflowID(n, 1)} {
		hist := rawHistory(t, id)
		wire, err := proto.Marshal(hist)
		require.NoError(t, err)
		for _, secret := range []string{title, demoCustomerName} {
			assert.False(t, bytes.Contains(wire, []byte(secret)), "%s: %q is readable in the history Temporal stores", id, secret)
		}
		payloads := 0
		forEachPayload(hist, func(p *commonpb.Payload) {
			payloads++
			assert.Equal(t, payloadcodec.EncodingEncrypted, string(p.GetMetadata()[converter.MetadataEncoding]), "%s: a payload in the clear", id)
			assert.Equal(t, s.Codec.KeyRing().Current(), string(p.GetMetadata()[payloadcodec.MetadataKeyID]))
		})
		assert.Greater(t, payloads, 1, id)
	}

	hist := rawHistory(t, workflows.ContractWorkflowID(n))
	// Search attributes are not payloads: ops still filter by them.
	var number string
	sa := hist.Events[0].GetWorkflowExecutionStartedEventAttributes().GetSearchAttributes().GetIndexedFields()["ContractNumber"]
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(sa, &number))
	assert.Equal(t, n, number)

	// The contract is in there, for whoever holds the key.
	var in workflows.ContractInput
	require.NoError(t, s.Codec.DataConverter().FromPayload(startedInput(t, hist), &in))
	assert.Equal(t, title, in.Contract.Title)
	assert.Equal(t, demoCustomerName, in.Contract.CustomerName)

	// The history replays as the worker runs it; without the key it cannot.
	replayer, err := worker.NewWorkflowReplayerWithOptions(s.Codec.ReplayerOptions(worker.WorkflowReplayerOptions{}))
	require.NoError(t, err)
	workflows.RegisterWorkflows(replayer)
	require.NoError(t, replayer.ReplayWorkflowHistory(nil, hist))
	keyless := worker.NewWorkflowReplayer()
	workflows.RegisterWorkflows(keyless)
	quiet := sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))
	require.Error(t, keyless.ReplayWorkflowHistory(quiet, hist), "a replayer without the key read the encrypted history")

	// The API reads the workflow's live state through the same codec.
	view := expect[map[string]any](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK)
	assert.Equal(t, "in_review", view["live"].(map[string]any)["status"])
}

// forEachPayload calls f with every payload anywhere in hist's events.
func forEachPayload(hist *historypb.History, f func(*commonpb.Payload)) {
	payloadType := (&commonpb.Payload{}).ProtoReflect().Descriptor().FullName()
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		if m.Descriptor().FullName() == payloadType {
			f(m.Interface().(*commonpb.Payload))
			return
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Message() != nil:
				for i := 0; i < v.List().Len(); i++ {
					walk(v.List().Get(i).Message())
				}
			case fd.IsMap() && fd.MapValue().Message() != nil:
				// Search attributes are a map of payloads the server
				// indexes; they are meant to be readable.
				if fd.Name() == "indexed_fields" {
					return true
				}
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					walk(mv.Message())
					return true
				})
			case fd.Message() != nil && !fd.IsMap():
				walk(v.Message())
			}
			return true
		})
	}
	for _, ev := range hist.Events {
		walk(ev.ProtoReflect())
	}
}

// TestCodecServer shows the Temporal UI's codec endpoint refusing anyone
// without an admin's or auditor's token, decrypting for an auditor (by
// bearer token or by the cookie its sign-in page sets), decrypting what a
// retired key encrypted, and answering the UI's origin across origins.
func TestCodecServer(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	state := create(t, s, newContract(15_000_000, "2026-01-01", "2026-12-31"))
	n := state.Contract.Number
	encrypted := startedInput(t, rawHistory(t, workflows.ContractWorkflowID(n)))
	const ui = "http://127.0.0.1:8233"
	serve := func(codec *payloadcodec.Codec) *httptest.Server {
		srv := httptest.NewServer((&codecserver.Server{Codec: codec, Users: s.Store, Origins: []string{ui}, Logger: testenv.Logger()}).Handler())
		t.Cleanup(srv.Close)
		return srv
	}
	srv := serve(s.Codec)
	reqBody, err := protojson.Marshal(&commonpb.Payloads{Payloads: []*commonpb.Payload{encrypted}})
	require.NoError(t, err)
	post := func(srv *httptest.Server, path string, header ...string) (int, []byte) {
		req, err := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(reqBody))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Namespace", "default")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, raw
	}
	decodedTitle := func(raw []byte) string {
		var out commonpb.Payloads
		require.NoError(t, protojson.Unmarshal(raw, &out))
		require.Len(t, out.Payloads, 1)
		var in workflows.ContractInput
		require.NoError(t, converter.GetDefaultDataConverter().FromPayload(out.Payloads[0], &in))
		return in.Contract.Title
	}
	bearer := func(role string) string { return "Bearer " + s.Tokens[role] }

	for name, header := range map[string][]string{
		"no credentials": nil,
		"unknown token":  {"Authorization", "Bearer sgt_not-a-token"},
		"unknown cookie": {"Cookie", codecserver.CookieName + "=sgt_not-a-token"},
	} {
		status, raw := post(srv, "/decode", header...)
		assert.Equal(t, http.StatusUnauthorized, status, name)
		assert.NotContains(t, string(raw), "年度软件", name)
	}
	for _, role := range []string{"sales", "sales_manager", "finance", "legal", "executive"} {
		status, _ := post(srv, "/decode", "Authorization", bearer(role))
		assert.Equal(t, http.StatusForbidden, status, role)
	}
	for _, role := range []string{"auditor", "admin"} {
		status, raw := post(srv, "/decode", "Authorization", bearer(role))
		require.Equal(t, http.StatusOK, status, "%s: %s", role, raw)
		assert.Equal(t, "年度软件服务合同（含运维）", decodedTitle(raw), role)
	}
	// The protocol's endpoints may sit under a prefix (the namespace).
	status, raw := post(srv, "/default/decode", "Authorization", bearer("auditor"))
	require.Equal(t, http.StatusOK, status, string(raw))
	// Encoding makes ciphertext Signet's workers accept: admins only.
	status, _ = post(srv, "/encode", "Authorization", bearer("auditor"))
	assert.Equal(t, http.StatusForbidden, status)
	status, _ = post(srv, "/encode", "Authorization", bearer("admin"))
	assert.Equal(t, http.StatusOK, status)

	// After a rotation the old key is retired, not gone.
	rotated, err := s.Codec.KeyRing().Rotated()
	require.NoError(t, err)
	status, raw = post(serve(payloadcodec.New(rotated)), "/decode", "Authorization", bearer("auditor"))
	require.Equal(t, http.StatusOK, status, string(raw))
	assert.Equal(t, "年度软件服务合同（含运维）", decodedTitle(raw))

	// A revoked token stops working at once.
	tok := expect[map[string]any](t, call(t, s, http.MethodPost, "/v1/tokens", "auditor", map[string]any{"label": "codec"}), http.StatusCreated)
	status, _ = post(srv, "/decode", "Authorization", "Bearer "+tok["token"].(string))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, http.StatusNoContent, call(t, s, http.MethodDelete, "/v1/tokens/"+tok["id"].(string), "auditor", nil).Status)
	status, _ = post(srv, "/decode", "Authorization", "Bearer "+tok["token"].(string))
	assert.Equal(t, http.StatusUnauthorized, status)

	// A browser's preflight from the UI is answered for that origin only.
	preflight := func(origin string) http.Header {
		req, err := http.NewRequest(http.MethodOptions, srv.URL+"/decode", nil)
		require.NoError(t, err)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type,x-namespace,authorization")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusNoContent, resp.StatusCode)
		return resp.Header
	}
	h := preflight(ui)
	assert.Equal(t, ui, h.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "true", h.Get("Access-Control-Allow-Credentials"))
	assert.Contains(t, h.Get("Access-Control-Allow-Headers"), "Authorization")
	assert.Empty(t, preflight("https://evil.example").Get("Access-Control-Allow-Origin"))

	// Signing in on the codec server's page keeps the token in a cookie the
	// UI sends with "include cross-origin credentials".
	signIn := func(role string) *http.Response {
		resp, err := http.PostForm(srv.URL+"/session", url.Values{"token": {s.Tokens[role]}})
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	refused := signIn("sales")
	assert.Equal(t, http.StatusForbidden, refused.StatusCode)
	assert.Empty(t, refused.Cookies(), "a sales person gets no session")
	resp := signIn("auditor")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == codecserver.CookieName {
			session = c
		}
	}
	require.NotNil(t, session)
	assert.True(t, session.HttpOnly)
	assert.Equal(t, http.SameSiteStrictMode, session.SameSite)
	status, raw = post(srv, "/decode", "Cookie", session.Name+"="+session.Value, "Origin", ui)
	require.Equal(t, http.StatusOK, status, string(raw))
	assert.Equal(t, "年度软件服务合同（含运维）", decodedTitle(raw))
}
