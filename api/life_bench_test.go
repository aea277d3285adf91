package api_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"

	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// BenchmarkActiveContractsInTheWorker starts SIGNET_BENCH_ACTIVE
// (default 10,000) contracts with 12 monthly milestones each, active at
// once (as renewed successors start), and leaves them all open in the
// worker, waiting on their timers. It reports how long they took to be
// recorded active and the process's peak heap (worker, API and this
// benchmark share it) while they were started and held.
func BenchmarkActiveContractsInTheWorker(b *testing.B) {
	testenv.RequireIntegration(b)
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("SIGNET_BENCH_ACTIVE")); err == nil && v > 0 {
		n = v
	}
	s := testenv.NewStack(b, testenv.TemporalAddress())
	loc := s.Loc
	start := time.Now().In(loc)
	contract := func(i int) domain.Contract {
		num := fmt.Sprintf("HT-2031-%06d", i+1)
		end := start.AddDate(1, 0, -1).Format(time.DateOnly)
		expires, _ := domain.ExpiryInstant(end, loc)
		c := domain.Contract{Number: num, Title: fmt.Sprintf("基准合同 %d", i+1), CustomerID: devstack.DemoCustomerID, CustomerName: "上海星辰科技有限公司",
			OwnerID: "demo-sales", OwnerName: "张伟 Zhang Wei", Amount: 12 * 100_000, Currency: "CNY",
			StartDate: start.Format(time.DateOnly), EndDate: end, ExpiresAt: expires, CreatedAt: time.Now().UTC(),
			TemplateID: devstack.DemoSalesTemplate, TemplateVersion: 1, DocumentSHA256: fmt.Sprintf("%064d", i),
			Renewal: domain.Renewal{NoticeDays: []int{90, 30, 7}}}
		for m := range 12 {
			due := start.AddDate(0, m+1, 0).Format(time.DateOnly)
			dueAt, _ := domain.ExpiryInstant(due, loc)
			c.Plan = append(c.Plan, domain.Milestone{ID: fmt.Sprintf("00000000-0000-4000-8000-%06d%06d", i, m+1), Seq: m + 1,
				Title: fmt.Sprintf("第%d期", m+1), Amount: 100_000, DueDate: due, DueAt: dueAt})
		}
		return c
	}

	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	ctx := context.Background()
	b.ResetTimer()
	t0 := time.Now()
	var g errgroup.Group
	g.SetLimit(20)
	for i := range n {
		g.Go(func() error {
			c := contract(i)
			_, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.ContractWorkflowID(c.Number), TaskQueue: s.TaskQueue},
				workflows.ContractWorkflow, workflows.ContractInput{Contract: c, RenewalOf: &workflows.RenewalStart{Predecessor: ""}})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	started := time.Since(t0)
	for {
		var active int
		if err := s.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM contracts WHERE status = 'active' AND number LIKE 'HT-2031-%'`).Scan(&active); err != nil {
			b.Fatal(err)
		}
		if active == n {
			break
		}
		if time.Since(t0) > 30*time.Minute {
			b.Fatalf("only %d of %d active after 30 minutes", active, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	allActive := time.Since(t0)
	time.Sleep(2 * time.Second) // held open, waiting on their timers
	close(done)
	b.ReportMetric(float64(n), "contracts")
	b.ReportMetric(started.Seconds(), "start-s")
	b.ReportMetric(allActive.Seconds(), "all-active-s")
	b.ReportMetric(float64(n)/allActive.Seconds(), "contracts/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}
