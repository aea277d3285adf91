package api

import (
	"context"
	"errors"
	"net/http"
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

// newMetricsHandler serves Prometheus metrics: the health figures read at
// scrape time (when Health is set) and the Go runtime's.
func newMetricsHandler(d Deps) http.Handler {
	reg := prometheus.NewRegistry()
	if d.Health != nil {
		reg.MustRegister(healthCollector{health: d.Health, timeout: d.RequestTimeout})
	}
	reg.MustRegister(collectors.NewGoCollector())
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

func (h *handlers) metrics(c *gin.Context) { h.metricsHandler.ServeHTTP(c.Writer, c.Request) }

// reconciliation answers the latest nightly report; 404 before the first.
func (h *handlers) reconciliation(c *gin.Context) {
	if h.d.Health == nil {
		writeError(c, h.d.Logger, domain.ErrNotFound)
		return
	}
	rec, err := h.d.Health.LastReconciliation(c.Request.Context())
	h.respond(c, http.StatusOK, toReconciliation(rec), store.Classify(err))
}
