package harness

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/signet-clm/signet/workflows"
)

// Offered is what an open-loop run of creations did.
type Offered struct {
	Started  time.Time
	Offered  int
	Accepted []string // numbers of the contracts answered 201
	Wall     time.Duration
}

// OfferCreations sends POST /v1/contracts at rate per second for d, open
// loop: each request leaves on its tick whether or not earlier ones have
// answered, as independent clients would. It returns when every request
// has been answered.
func OfferCreations(ctx context.Context, c *Client, rate float64, d time.Duration) Offered {
	res := Offered{Started: time.Now().UTC()}
	interval := time.Duration(float64(time.Second) / rate)
	var mu sync.Mutex
	var wg sync.WaitGroup
	tick := time.NewTicker(interval)
	defer tick.Stop()
	end := time.After(d)
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-end:
			break loop
		case <-tick.C:
		}
		res.Offered++
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := newID()
			status, _, raw, err := c.Once(ctx, "create", http.MethodPost, "/v1/contracts", "sales", ContractBody(),
				map[string]string{"Idempotency-Key": id, "X-Request-ID": id})
			if err != nil || status != http.StatusCreated {
				return
			}
			var st workflows.ContractState
			if json.Unmarshal(raw, &st) == nil {
				mu.Lock()
				res.Accepted = append(res.Accepted, st.Contract.Number)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.Wall = time.Since(res.Started)
	return res
}

// SaturationStep is one offered rate's outcome.
type SaturationStep struct {
	Rate     float64 `json:"rate_per_s"`
	Offered  int     `json:"offered"`
	Accepted int     `json:"accepted"`
	Errors   int     `json:"errors"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	// CPU is the cores each component kept busy during the step.
	CPU map[string]float64 `json:"cpu_cores"`
}

// Saturated reports whether the step broke the bound: p99 over a second,
// or any start not accepted.
func (s SaturationStep) Saturated() bool { return s.P99ms > 1000 || s.Errors > 0 }

// Saturation raises the offered start rate step by step (each held for
// step) from start, by factor, until a step saturates, and returns every
// step run. The last one that did not saturate is the sustainable rate.
func (s *Stack) Saturation(ctx context.Context, start, factor float64, step time.Duration, maxSteps int) []SaturationStep {
	var steps []SaturationStep
	for rate, i := start, 0; i < maxSteps && ctx.Err() == nil; rate, i = rate*factor, i+1 {
		c := s.NewClient(40 * time.Second)
		c.Patience = 0
		before, t0 := s.CPU(), time.Now()
		res := OfferCreations(ctx, c, rate, step)
		after, wall := s.CPU(), time.Since(t0)
		lat := c.Rec.Latencies("create")
		st := SaturationStep{Rate: rate, Offered: res.Offered, Accepted: len(res.Accepted), Errors: res.Offered - len(res.Accepted),
			P50ms: Ms(Quantile(lat, 0.5)), P99ms: Ms(Quantile(lat, 0.99)), CPU: Cores(before, after, wall)}
		steps = append(steps, st)
		if st.Saturated() {
			break
		}
	}
	return steps
}

// Sustained is the highest rate in steps that did not saturate (0 if none).
func Sustained(steps []SaturationStep) float64 {
	best := 0.0
	for _, s := range steps {
		if !s.Saturated() && s.Rate > best {
			best = s.Rate
		}
	}
	return best
}

// Cores turns two CPU readings over wall into cores used per component.
func Cores(before, after map[string]time.Duration, wall time.Duration) map[string]float64 {
	out := map[string]float64{}
	for k, v := range after {
		out[k] = float64(v-before[k]) / float64(wall)
	}
	return out
}

// Ms is a latency in milliseconds, as the tables and JSON print them.
func Ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
