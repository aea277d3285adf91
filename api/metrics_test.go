package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
)

// metricLine finds the sample of name whose labels include all of labels
// (each `key="value"`) and returns its value.
func metricLine(t *testing.T, text, name string, labels ...string) (string, bool) {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(line, name+"{")
		if !ok {
			continue
		}
		set, value, ok := strings.Cut(rest, "} ")
		if !ok {
			continue
		}
		all := true
		for _, l := range labels {
			if !strings.Contains(","+set+",", ","+l+",") {
				all = false
				break
			}
		}
		if all {
			return value, true
		}
	}
	return "", false
}

// TestMetricsByRouteAndTemporalSDK makes a few API calls and reads
// /metrics: request counts and latencies by method, route template and
// status (never the raw path), and the Temporal SDK's own metrics from the
// client the API and worker share.
func TestMetricsByRouteAndTemporalSDK(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := create(t, s, newContract(15_000_000, "2026-01-01", "2026-12-31")).Contract.Number
	expect[map[string]any](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK)
	expect[map[string]any](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK)
	require.Equal(t, http.StatusNotFound, call(t, s, http.MethodGet, "/v1/contracts/HT-2026-999999", "sales", nil).Status)
	require.Equal(t, http.StatusUnauthorized, call(t, s, http.MethodGet, "/v1/contracts", "", nil).Status)
	require.Equal(t, http.StatusNotFound, call(t, s, http.MethodGet, "/no/such/"+n, "sales", nil).Status)

	r := call(t, s, http.MethodGet, "/metrics", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	text := string(r.Body)

	for _, c := range []struct {
		labels []string
		value  string
	}{
		{[]string{`method="POST"`, `route="/v1/contracts"`, `status="201"`}, "1"},
		{[]string{`method="GET"`, `route="/v1/contracts/:number"`, `status="200"`}, "2"},
		{[]string{`method="GET"`, `route="/v1/contracts/:number"`, `status="404"`}, "1"},
		{[]string{`method="GET"`, `route="/v1/contracts"`, `status="401"`}, "1"},
		{[]string{`method="GET"`, `route="unmatched"`, `status="404"`}, "1"},
	} {
		v, ok := metricLine(t, text, "signet_http_requests_total", c.labels...)
		if assert.True(t, ok, "no signet_http_requests_total{%s}", strings.Join(c.labels, ",")) {
			assert.Equal(t, c.value, v, c.labels)
		}
		_, ok = metricLine(t, text, "signet_http_request_duration_seconds_count", c.labels...)
		assert.True(t, ok, "no latency for %s", strings.Join(c.labels, ","))
	}
	// Route templates only: a contract number in a label would make one
	// series per contract.
	assert.NotContains(t, text, n)
	assert.NotRegexp(t, regexp.MustCompile(`route="/v1/contracts/HT-`), text)

	// The SDK's metrics: the API's start of the workflow, the worker's
	// workflow task.
	v, ok := metricLine(t, text, "temporal_request", `operation="StartWorkflowExecution"`)
	if assert.True(t, ok, "no temporal_request for StartWorkflowExecution in:\n%.3000s", grep(text, "temporal_")) {
		assert.NotEqual(t, "0", v)
	}
	_, ok = metricLine(t, text, "temporal_workflow_task_execution_latency_count", `workflow_type="ContractWorkflow"`)
	assert.True(t, ok, "no workflow task latency of the contract workflow in:\n%.3000s", grep(text, "temporal_workflow_task"))
}

// grep keeps the lines of text that start with prefix, for failure messages.
func grep(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestMetricsOnTheirOwnListener binds /metrics apart, as SIGNET_METRICS_ADDR
// does: the public router answers 404 for it as for any unknown path, and
// the metrics listener serves it, counting the refused request too.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithMetricsElsewhere())
	r := call(t, s, http.MethodGet, "/metrics", "", nil)
	require.Equal(t, http.StatusNotFound, r.Status)
	assert.Equal(t, "not_found", expect[errorBody](t, r, http.StatusNotFound).Error)
	assert.NotContains(t, string(r.Body), "signet_http_requests_total")
	assert.NotContains(t, string(r.Body), "go_goroutines")

	metrics := httptest.NewServer(s.Metrics)
	defer metrics.Close()
	resp, err := http.Get(metrics.URL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	v, ok := metricLine(t, string(raw), "signet_http_requests_total", `method="GET"`, `route="/metrics"`, `status="404"`)
	require.True(t, ok, "the refused /metrics is counted on the metrics listener:\n%s", grep(string(raw), "signet_http"))
	assert.Equal(t, "1", v)
}
