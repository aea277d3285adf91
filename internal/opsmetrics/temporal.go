// Package opsmetrics is what operators scrape besides the API's own
// figures: the Temporal SDK's metrics (requests, polls, workflow and
// activity task latencies, slots, sticky cache) as Prometheus metrics, and
// a small listener serving /metrics for the worker, or for the API when it
// is bound apart from the public address.
package opsmetrics

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"github.com/signet-clm/signet/internal/httpserve"
)

// Buckets (seconds) of the SDK's timers: from a local activity's
// milliseconds to a long poll's minute.
var Buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120}

// Temporal is a Temporal SDK metrics handler (client.Options.MetricsHandler)
// that is also a Prometheus collector: the SDK's counters, gauges and
// timers (as histograms in seconds) under the names the SDK gives them
// (temporal_request, temporal_workflow_task_execution_latency, …), its
// tags as labels. It keeps what the SDK reports; the SDK's own
// contrib/tally handler does the same through tally, which this build
// does without.
type Temporal struct {
	root *registry
	tags map[string]string
}

// NewTemporal returns an empty handler; pass it to client.Options and
// register it where /metrics is served.
func NewTemporal() *Temporal {
	return &Temporal{root: &registry{families: map[string]*family{}}}
}

// registry is every series the SDK reported, by metric name.
type registry struct {
	mu       sync.Mutex
	families map[string]*family
}

type kind int

const (
	counterKind kind = iota
	gaugeKind
	timerKind
)

// family is one metric name: its kind and its series by label set. The
// SDK tags one name differently from different places, so the labels of a
// family are the union of every series' keys, empty where a series has no
// such tag (Prometheus reads an empty label as an absent one).
type family struct {
	kind   kind
	keys   map[string]bool
	series map[string]*series
}

type series struct {
	tags    map[string]string
	value   float64 // counter total or gauge value
	buckets []uint64
	count   uint64
	sum     float64
}

// WithTags implements the SDK's metrics.Handler.
func (t *Temporal) WithTags(tags map[string]string) client.MetricsHandler {
	merged := make(map[string]string, len(t.tags)+len(tags))
	for k, v := range t.tags {
		merged[k] = v
	}
	for k, v := range tags {
		merged[k] = v
	}
	return &Temporal{root: t.root, tags: merged}
}

// Counter implements the SDK's metrics.Handler.
func (t *Temporal) Counter(name string) client.MetricsCounter {
	s := t.root.series(name, counterKind, t.tags)
	return counterFunc(func(d int64) {
		if d <= 0 {
			return
		}
		t.root.mu.Lock()
		s.value += float64(d)
		t.root.mu.Unlock()
	})
}

// Gauge implements the SDK's metrics.Handler.
func (t *Temporal) Gauge(name string) client.MetricsGauge {
	s := t.root.series(name, gaugeKind, t.tags)
	return gaugeFunc(func(v float64) {
		t.root.mu.Lock()
		s.value = v
		t.root.mu.Unlock()
	})
}

// Timer implements the SDK's metrics.Handler.
func (t *Temporal) Timer(name string) client.MetricsTimer {
	s := t.root.series(name, timerKind, t.tags)
	return timerFunc(func(d time.Duration) {
		sec := d.Seconds()
		t.root.mu.Lock()
		defer t.root.mu.Unlock()
		s.count++
		s.sum += sec
		for i, b := range Buckets {
			if sec <= b {
				s.buckets[i]++
			}
		}
	})
}

type (
	counterFunc func(int64)
	gaugeFunc   func(float64)
	timerFunc   func(time.Duration)
)

func (f counterFunc) Inc(d int64)          { f(d) }
func (f gaugeFunc) Update(v float64)       { f(v) }
func (f timerFunc) Record(d time.Duration) { f(d) }

// key identifies a label set.
func (r *registry) key(tags map[string]string) string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(tags[k])
		b.WriteByte(0)
	}
	return b.String()
}

// series finds or adds the series of name with tags. A name the SDK uses
// as two kinds keeps the first; the second's reports go nowhere.
func (r *registry) series(name string, k kind, tags map[string]string) *series {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.families[name]
	if f == nil {
		f = &family{kind: k, keys: map[string]bool{}, series: map[string]*series{}}
		r.families[name] = f
	}
	if f.kind != k {
		return &series{buckets: make([]uint64, len(Buckets))}
	}
	id := r.key(tags)
	s := f.series[id]
	if s == nil {
		s = &series{tags: tags, buckets: make([]uint64, len(Buckets))}
		f.series[id] = s
		for key := range tags {
			f.keys[key] = true
		}
	}
	return s
}

// Describe implements prometheus.Collector. It describes nothing: the
// SDK's metrics appear as it reports them, so the collector is unchecked.
func (t *Temporal) Describe(chan<- *prometheus.Desc) {}

// Collect implements prometheus.Collector.
func (t *Temporal) Collect(ch chan<- prometheus.Metric) {
	r := t.root
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, f := range r.families {
		if !validName(name) {
			continue
		}
		keys := make([]string, 0, len(f.keys))
		for k := range f.keys {
			if validName(k) && !strings.HasPrefix(k, "__") {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		desc := prometheus.NewDesc(name, "Temporal SDK metric "+name+".", keys, nil)
		for _, s := range f.series {
			values := make([]string, len(keys))
			for i, k := range keys {
				values[i] = s.tags[k]
			}
			var m prometheus.Metric
			var err error
			switch f.kind {
			case counterKind:
				m, err = prometheus.NewConstMetric(desc, prometheus.CounterValue, s.value, values...)
			case gaugeKind:
				if math.IsNaN(s.value) {
					continue
				}
				m, err = prometheus.NewConstMetric(desc, prometheus.GaugeValue, s.value, values...)
			case timerKind:
				buckets := make(map[float64]uint64, len(Buckets))
				for i, b := range Buckets {
					buckets[b] = s.buckets[i]
				}
				m, err = prometheus.NewConstHistogram(desc, s.count, s.sum, buckets, values...)
			}
			if err == nil {
				ch <- m
			}
		}
	}
}

// validName reports whether s is a legal Prometheus metric or label name.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r == ':' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

// Serve answers handler on addr until ctx ends: the worker's /metrics
// (SIGNET_WORKER_METRICS_ADDR) and the API's when SIGNET_METRICS_ADDR binds
// it apart. Only /metrics is served there; anything else is 404.
func Serve(ctx context.Context, addr string, handler http.Handler, logger *slog.Logger) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", handler)
	srv := &http.Server{
		Addr:              addr,
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	return httpserve.Run(ctx, srv, 5*time.Second, "metrics", logger)
}
