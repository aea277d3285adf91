package api_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// BenchmarkSignaturesHTTP signs b.N contracts through their public links
// from 20 concurrent signers; each contract is drafted, approved, sent
// to one customer signer first (then our executive) and its link read
// from the signer's mail before the clock starts.
// Reports signatures per second and the p50/p99 of POST /sign/{token}.
func BenchmarkSignaturesHTTP(b *testing.B) {
	testenv.RequireIntegration(b)
	s := testenv.NewStack(b, testenv.TemporalAddress())
	links := make(chan string, b.N)
	var g errgroup.Group
	g.SetLimit(10)
	for range b.N {
		g.Go(func() error {
			n := approved(b, s)
			expect[workflows.ContractState](b, call(b, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", map[string]any{
				"signers": []map[string]any{{"party": "customer", "name": "王建国", "email": "wang@xingchen.example", "group": 1}, {"party": "company", "user_id": "demo-executive", "group": 2}},
			}), http.StatusOK)
			links <- mailedLink(b, s, n, signingOf(b, s, n).Signers[0].ID)
			return nil
		})
	}
	_ = g.Wait()
	close(links)

	var mu sync.Mutex
	var samples []time.Duration
	b.ResetTimer()
	start := time.Now()
	var signers sync.WaitGroup
	for range 20 {
		signers.Add(1)
		go func() {
			defer signers.Done()
			for path := range links {
				t0 := time.Now()
				r, err := send(s, http.MethodPost, path, "", signBody("王建国"))
				d := time.Since(t0)
				if err != nil || r.Status != http.StatusOK {
					b.Errorf("sign: %v %d %s", err, r.Status, r.Body)
					continue
				}
				mu.Lock()
				samples = append(samples, d)
				mu.Unlock()
			}
		}()
	}
	signers.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "signatures/s")
	reportLatencies(b, samples)
}
