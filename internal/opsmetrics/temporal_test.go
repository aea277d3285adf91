package opsmetrics_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/opsmetrics"
)

func scrape(t *testing.T, c prometheus.Collector) string {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode, string(raw))
	return string(raw)
}

func TestTemporalMetricsAsPrometheus(t *testing.T) {
	h := opsmetrics.NewTemporal()
	client := h.WithTags(map[string]string{"namespace": "default"})
	client.WithTags(map[string]string{"operation": "StartWorkflowExecution"}).Counter("temporal_request").Inc(2)
	// The same name tagged differently elsewhere (the worker's polls).
	client.WithTags(map[string]string{"operation": "PollWorkflowTaskQueue", "task_queue": "q"}).Counter("temporal_request").Inc(1)
	w := client.WithTags(map[string]string{"workflow_type": "ContractWorkflow"})
	w.Timer("temporal_workflow_task_execution_latency").Record(20 * time.Millisecond)
	w.Timer("temporal_workflow_task_execution_latency").Record(3 * time.Second)
	w.Gauge("temporal_sticky_cache_size").Update(4)
	w.Gauge("temporal_sticky_cache_size").Update(3)
	// A name used as two kinds keeps the first; a bad name is dropped.
	w.Gauge("temporal_request").Update(9)
	w.Counter("not a metric").Inc(1)

	text := scrape(t, h)
	for _, want := range []string{
		`temporal_request{namespace="default",operation="StartWorkflowExecution",task_queue=""} 2`,
		`temporal_request{namespace="default",operation="PollWorkflowTaskQueue",task_queue="q"} 1`,
		`temporal_workflow_task_execution_latency_bucket{namespace="default",workflow_type="ContractWorkflow",le="0.025"} 1`,
		`temporal_workflow_task_execution_latency_bucket{namespace="default",workflow_type="ContractWorkflow",le="5"} 2`,
		`temporal_workflow_task_execution_latency_count{namespace="default",workflow_type="ContractWorkflow"} 2`,
		`temporal_sticky_cache_size{namespace="default",workflow_type="ContractWorkflow"} 3`,
	} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "not a metric")
	assert.NotContains(t, text, "} 9")
	assert.Equal(t, 1, strings.Count(text, "# TYPE temporal_request "), text)
}

func TestServeAnswersOnlyMetrics(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	h := opsmetrics.NewTemporal()
	h.Counter("temporal_request").Inc(1)
	reg := prometheus.NewRegistry()
	reg.MustRegister(h)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- opsmetrics.Serve(ctx, addr, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), slog.New(slog.DiscardHandler))
	}()
	var resp *http.Response
	require.Eventually(t, func() bool {
		resp, err = http.Get("http://" + addr + "/metrics")
		return err == nil
	}, 5*time.Second, 10*time.Millisecond)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(raw), "temporal_request 1")
	resp, err = http.Get("http://" + addr + "/v1/contracts")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	cancel()
	require.NoError(t, <-done)
}
