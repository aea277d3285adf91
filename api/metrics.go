package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// Health is what the metrics endpoint reads at each scrape.
type Health interface {
	LastReconciliation(ctx context.Context) (store.Reconciliation, error)
	OutboxCounts(ctx context.Context) (map[string]int, error)
	VoidedNumbers(ctx context.Context, limit int) ([]store.VoidedNumber, error)
}

var (
	driftDesc = prometheus.NewDesc("signet_reconciliation_drift_contracts",
		"Contracts on which PostgreSQL and Temporal disagreed at the last reconciliation.", nil, nil)
	checkedDesc = prometheus.NewDesc("signet_reconciliation_checked_contracts",
		"Open contracts the last reconciliation checked.", nil, nil)
	lastRunDesc = prometheus.NewDesc("signet_reconciliation_last_run_timestamp_seconds",
		"When the last reconciliation finished (Unix time).", nil, nil)
	outboxDesc = prometheus.NewDesc("signet_notifications",
		"Notification deliveries by status; dead ones wait for an admin.", []string{"status"}, nil)
	scrapeDesc = prometheus.NewDesc("signet_metrics_scrape_ok",
		"1 when PostgreSQL answered this scrape.", nil, nil)
)

// healthCollector reads PostgreSQL at scrape time, so every API replica
// reports the same figures without keeping state of its own.
type healthCollector struct {
	health  Health
	timeout time.Duration
}

func (c healthCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{driftDesc, checkedDesc, lastRunDesc, outboxDesc, scrapeDesc} {
		ch <- d
	}
}

func (c healthCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	ok := 1.0
	rec, err := c.health.LastReconciliation(ctx)
	switch {
	case err == nil:
		ch <- prometheus.MustNewConstMetric(driftDesc, prometheus.GaugeValue, float64(len(rec.Drift)))
		ch <- prometheus.MustNewConstMetric(checkedDesc, prometheus.GaugeValue, float64(rec.Checked))
		ch <- prometheus.MustNewConstMetric(lastRunDesc, prometheus.GaugeValue, float64(rec.FinishedAt.Unix()))
	case !errors.Is(err, domain.ErrNotFound):
		ok = 0
	}
	if counts, err := c.health.OutboxCounts(ctx); err == nil {
		for status, n := range counts {
			ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(n), status)
		}
	} else {
		ok = 0
	}
	ch <- prometheus.MustNewConstMetric(scrapeDesc, prometheus.GaugeValue, ok)
}

// Metrics is what /metrics serves: every request the router answered, by
// method, route template and status, with its latency; the health
// figures read at scrape time (when Health is set); Deps.Collectors (the
// Temporal SDK's metrics); and the Go runtime's.
type Metrics struct {
	handler  http.Handler
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// NewMetrics builds the /metrics of the API d describes. Serve it on a
// listener of its own (SIGNET_METRICS_ADDR) by setting Deps.Metrics to it
// and Deps.MetricsElsewhere.
func NewMetrics(d Deps) *Metrics {
	reg := prometheus.NewRegistry()
	if d.Health != nil {
		reg.MustRegister(healthCollector{health: d.Health, timeout: d.RequestTimeout})
	}
	reg.MustRegister(collectors.NewGoCollector())
	for _, c := range d.Collectors {
		reg.MustRegister(c)
	}
	// Labels are bounded: the route is the table's template (never the
	// raw path, which carries numbers and tokens), the method one of a
	// fixed few.
	labels := []string{"method", "route", "status"}
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "signet_http_requests_total",
			Help: "HTTP requests answered, by method, route template and status."}, labels),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "signet_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method, route template and status.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}}, labels),
	}
	reg.MustRegister(m.requests, m.latency)
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return m
}

// ServeHTTP serves the metrics in Prometheus's text format.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.handler.ServeHTTP(w, r) }

// unmatchedRoute labels requests no route matched (404, 405).
const unmatchedRoute = "unmatched"

// observe records each request once it is answered.
func (m *Metrics) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = unmatchedRoute
	}
	method := c.Request.Method
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
	default:
		method = "other"
	}
	status := strconv.Itoa(c.Writer.Status())
	m.requests.WithLabelValues(method, route, status).Inc()
	m.latency.WithLabelValues(method, route, status).Observe(time.Since(start).Seconds())
}

// metrics serves /metrics, unless it is bound to its own listener: then
// the public router answers as it does for any unknown path.
func (h *handlers) metrics(c *gin.Context) {
	if h.d.MetricsElsewhere {
		writeError(c, h.d.Logger, errNoRoute)
		return
	}
	h.metricsHandler.ServeHTTP(c.Writer, c.Request)
}

// reconciliation answers the latest nightly report; 404 before the first.
func (h *handlers) reconciliation(c *gin.Context) {
	if h.d.Health == nil {
		writeError(c, h.d.Logger, domain.ErrNotFound)
		return
	}
	rec, err := h.d.Health.LastReconciliation(c.Request.Context())
	h.respond(c, http.StatusOK, toReconciliation(rec), store.Classify(err))
}

// voidedNumbersLimit bounds the list: voids are rare (a start that failed).
const voidedNumbersLimit = 500

// voidedNumbers lists the contract numbers given out whose workflow could
// not be started (作废), newest first, so every number is accounted for.
func (h *handlers) voidedNumbers(c *gin.Context) {
	if h.d.Health == nil {
		writeError(c, h.d.Logger, domain.ErrNotFound)
		return
	}
	voids, err := h.d.Health.VoidedNumbers(c.Request.Context(), voidedNumbersLimit)
	h.respond(c, http.StatusOK, items[VoidedNumber]{Items: convList(voids, toVoidedNumber)}, store.Classify(err))
}
