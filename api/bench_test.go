package api_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/signet-clm/signet/testkit/testenv"
)

// BenchmarkLifecycleHTTP drives one contract per iteration from creation to
// active over HTTP against the real stack: create, submit, one approval,
// send and two signatures, each an Update that waits for its projection.
func BenchmarkLifecycleHTTP(b *testing.B) {
	testenv.RequireIntegration(b)
	s := testenv.NewStack(b, testenv.TemporalAddress())
	body := newContract(5_000_000, "2026-01-01", "2030-12-31")
	for b.Loop() {
		driveToActive(b, s, body)
	}
}

// parallelRequests runs one request per iteration from 10 concurrent
// clients and reports requests per second.
func parallelRequests(b *testing.B, req func(i int64) (response, error), want int) {
	var seq atomic.Int64
	b.SetParallelism(5) // × GOMAXPROCS (2 here) = 10 clients
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r, err := req(seq.Add(1))
			if err != nil || r.Status != want {
				b.Errorf("status %d, err %v: %s", r.Status, err, r.Body)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// BenchmarkCreateCustomersHTTP creates customers through the API; run with
// -benchtime=1000x for the thousand the issue asks for.
func BenchmarkCreateCustomersHTTP(b *testing.B) {
	testenv.RequireIntegration(b)
	s := testenv.NewStack(b, testenv.TemporalAddress())
	parallelRequests(b, func(i int64) (response, error) {
		return send(s, http.MethodPost, "/v1/customers", "sales", map[string]any{
			"name": fmt.Sprintf("基准测试客户 %d 有限公司", i), "tier": "B", "industry": "制造业", "region": "苏州",
			"contacts": []map[string]any{{"name": "联系人", "may_sign": true}},
		})
	}, http.StatusCreated)
}

// BenchmarkCreateDraftsHTTP creates drafts (number, pricing, rendering,
// workflow start and the recorded creation) through the API.
func BenchmarkCreateDraftsHTTP(b *testing.B) {
	testenv.RequireIntegration(b)
	s := testenv.NewStack(b, testenv.TemporalAddress())
	body := newContract(12_345_00, "2026-01-01", "2030-12-31")
	parallelRequests(b, func(int64) (response, error) {
		return send(s, http.MethodPost, "/v1/contracts", "sales", body)
	}, http.StatusCreated)
}
