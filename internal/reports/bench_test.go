package reports_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/reports"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/benchdata"
	"github.com/signet-clm/signet/testkit/testenv"
)

// benchContracts is how many contracts the report benchmarks seed; set
// SIGNET_BENCH_CONTRACTS for a quicker run.
func benchContracts() int {
	var n int
	if _, err := fmt.Sscan(os.Getenv("SIGNET_BENCH_CONTRACTS"), &n); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// tracer remembers the queries a pool ran since the last reset, so the
// benchmark can EXPLAIN exactly what the service sent.
type tracer struct {
	mu      sync.Mutex
	queries []pgx.TraceQueryStartData
}

func (t *tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	t.mu.Lock()
	if len(t.queries) < 16 {
		t.queries = append(t.queries, d)
	}
	t.mu.Unlock()
	return ctx
}

func (t *tracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (t *tracer) reset() {
	t.mu.Lock()
	t.queries = nil
	t.mu.Unlock()
}

// find returns the first query since the reset whose text has marker.
func (t *tracer) find(marker string) (string, []any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, q := range t.queries {
		if strings.Contains(q.SQL, marker) {
			return q.SQL, q.Args
		}
	}
	return "", nil
}

// errRollback undoes a transaction that only looked.
var errRollback = errors.New("rolled back on purpose")

// BenchmarkReports seeds a database of benchContracts contracts, then
// measures the reports over it. Each part reports its own figures; run
// with -benchtime 1x.
func BenchmarkReports(b *testing.B) {
	testenv.RequireIntegration(b)
	ctx := context.Background()
	dbURL := testenv.NewDatabase(b)
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	st.AuditKeys = testenv.AuditKeys()
	tokens, err := devstack.SeedDemo(ctx, st)
	if err != nil {
		b.Fatal(err)
	}
	n := benchContracts()
	seeded := benchdata.Seed(b, st.Pool(), n)
	b.Run("Seed", func(b *testing.B) {
		b.ReportMetric(seeded.InsertRate, "insert-rows/s")
		b.ReportMetric(seeded.CopyRate, "copy-rows/s")
		b.ReportMetric(seeded.CopyRate/seeded.InsertRate, "copy/insert")
		b.Logf("seeded %d contracts: %d by single-row INSERT at %.0f rows/s, %d by COPY at %.0f rows/s (%.0f× faster); %d line items and milestones by COPY at %.0f rows/s",
			seeded.Contracts, seeded.Inserted, seeded.InsertRate, seeded.Copied, seeded.CopyRate, seeded.CopyRate/seeded.InsertRate, seeded.Others, seeded.OtherRate)
	})

	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		b.Fatal(err)
	}
	tr := &tracer{}
	cfg.ConnConfig.Tracer = tr
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	loc, _ := time.LoadLocation(config.DefaultTimeZone)
	svc := reports.New(pool, loc)
	router := api.NewRouter(api.Deps{Reports: svc, Auth: st, RequestTimeout: time.Minute, ExportTimeout: time.Hour, Logger: testenv.Logger()})
	srv := httptest.NewServer(router)
	defer srv.Close()
	finance := domain.User{ID: "demo-finance", Roles: []domain.Role{domain.RoleFinance}}
	out := filepath.Join(os.TempDir(), "signet-bench")
	_ = os.MkdirAll(out, 0o755)

	b.Run("LedgerPage", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(1, 2))
		q := func() reports.LedgerQuery {
			m := 1 + rng.IntN(10)
			return reports.LedgerQuery{Filters: reports.Filters{Status: "active", AmountMin: "1000000",
				SignedFrom: fmt.Sprintf("2025-%02d-01", m), SignedTo: fmt.Sprintf("2025-%02d-28", m+2)}, Sort: "-amount"}
		}
		// Pages and primary-key lookups alternate, so whatever else the
		// machine is doing weighs on both alike.
		var page, pk []time.Duration
		for range 300 {
			start := time.Now()
			p, err := svc.Ledger(ctx, finance, q())
			page = append(page, time.Since(start))
			if err != nil || len(p.Items) != reports.DefaultPageSize {
				b.Fatalf("ledger page: %d rows, %v", len(p.Items), err)
			}
			number := fmt.Sprintf("HT-2025-%06d", 1+rng.IntN(n/2))
			start = time.Now()
			if _, err := st.Contract(ctx, number); err != nil {
				b.Fatal(err)
			}
			pk = append(pk, time.Since(start))
		}
		explain(b, pool, tr, filepath.Join(out, "explain-ledger.txt"), "LIMIT", false, func() { _, _ = svc.Ledger(ctx, finance, q()) })
		// What the amount index saves: the same page's plan without it
		// (dropped inside a transaction that is rolled back).
		tr.reset()
		_, _ = svc.Ledger(ctx, finance, q())
		sql, args := tr.find("LIMIT")
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `DROP INDEX contracts_amount_key`); err != nil {
				return err
			}
			rows, _ := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sql, args...)
			plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err == nil {
				err = os.WriteFile(filepath.Join(out, "explain-ledger-without-amount-index.txt"), []byte(strings.Join(plan, "\n")+"\n"), 0o644)
			}
			if err == nil {
				err = errRollback
			}
			return err
		})
		if !errors.Is(err, errRollback) {
			b.Fatal(err)
		}
		var httpPage []time.Duration
		for range 100 {
			qq := q()
			v := url.Values{"status": {qq.Status}, "amount_min": {qq.AmountMin}, "signed_from": {qq.SignedFrom}, "signed_to": {qq.SignedTo}, "sort": {qq.Sort}}
			start := time.Now()
			get(b, srv.URL+"/v1/reports/ledger?"+v.Encode(), tokens["finance"], io.Discard)
			httpPage = append(httpPage, time.Since(start))
		}
		p50, p99, pk99 := pct(page, 50), pct(page, 99), pct(pk, 99)
		b.ReportMetric(ms(p50), "page-p50-ms")
		b.ReportMetric(ms(p99), "page-p99-ms")
		b.ReportMetric(ms(pk99), "pk-p99-ms")
		b.ReportMetric(float64(p99)/float64(pk99), "page-p99/pk-p99")
		b.ReportMetric(ms(pct(httpPage, 50)), "http-page-p50-ms")
		b.ReportMetric(ms(pct(httpPage, 99)), "http-page-p99-ms")
		b.Logf("ledger page (status=active, signed 3-month window, amount_min, sort -amount): p50 %v p99 %v; PK lookup p50 %v p99 %v; ratio p50/pk99 %.1f p99/pk99 %.1f; over HTTP p50 %v p99 %v",
			p50, p99, pct(pk, 50), pk99, float64(p50)/float64(pk99), float64(p99)/float64(pk99), pct(httpPage, 50), pct(httpPage, 99))
	})

	b.Run("SummaryMonthOwner", func(b *testing.B) {
		var took []time.Duration
		for range 5 {
			start := time.Now()
			s, err := svc.Summary(ctx, finance, reports.SummaryQuery{GroupBy: "month,owner"})
			took = append(took, time.Since(start))
			if err != nil || len(s.Rows) == 0 {
				b.Fatalf("summary: %d rows, %v", len(s.Rows), err)
			}
		}
		explain(b, pool, tr, filepath.Join(out, "explain-summary.txt"), "WITH cs AS", true, func() {
			_, _ = svc.Summary(ctx, finance, reports.SummaryQuery{GroupBy: "month,owner"})
		})
		b.ReportMetric(ms(pct(took, 50)), "summary-p50-ms")
		b.Logf("summary month × owner over %d contracts: %v (runs %v)", n, pct(took, 50), took)
	})

	b.Run("ExplainExportAndAging", func(b *testing.B) {
		explain(b, pool, tr, filepath.Join(out, "explain-export.txt"), "GROUP BY pm.contract_number", false, func() {
			get(b, srv.URL+"/v1/reports/ledger?format=csv&sort=number", tokens["finance"], io.Discard)
		})
		explain(b, pool, tr, filepath.Join(out, "explain-aging.txt"), "GROUP BY c.customer_id", true, func() {
			if _, err := svc.Aging(ctx, finance, reports.AgingQuery{}); err != nil {
				b.Fatal(err)
			}
		})
	})

	for _, format := range []string{"csv", "xlsx"} {
		for _, size := range []struct {
			name  string
			query string
			rows  int
		}{
			{"10pct", "owner=bench-sales-0", n / benchdata.Owners},
			{"all", "", n},
		} {
			b.Run("Export/"+format+"/"+size.name, func(b *testing.B) {
				runtime.GC()
				debug.FreeOSMemory()
				sampler := startSampler()
				start := time.Now()
				var w countingWriter
				get(b, srv.URL+"/v1/reports/ledger?format="+format+"&sort=number&"+size.query, tokens["finance"], &w)
				took := time.Since(start)
				heap, sys := sampler.stop()
				b.ReportMetric(took.Seconds(), "s")
				b.ReportMetric(float64(size.rows)/took.Seconds(), "rows/s")
				b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
				b.ReportMetric(float64(sys)/(1<<20), "peak-sys-MiB")
				b.ReportMetric(float64(w.n)/(1<<20), "body-MiB")
				b.Logf("export %s of %d rows: %.1fs, %.0f rows/s, %.1f MiB, peak heap in use %.1f MiB, peak Sys %.1f MiB",
					format, size.rows, took.Seconds(), float64(size.rows)/took.Seconds(), float64(w.n)/(1<<20), float64(heap)/(1<<20), float64(sys)/(1<<20))
			})
		}
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

func get(b *testing.B, u, token string, w io.Writer) {
	b.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		b.Fatalf("GET %s: %d %s", u, resp.StatusCode, body)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		b.Fatal(err)
	}
}

// sampler records the process's peak heap in use and memory from the OS
// while an export runs: the server and client share the process, and the
// client only counts bytes.
type sampler struct {
	done      chan struct{}
	wg        sync.WaitGroup
	heap, sys uint64
}

func startSampler() *sampler {
	s := &sampler{done: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			s.heap, s.sys = max(s.heap, m.HeapInuse), max(s.sys, m.Sys)
			select {
			case <-s.done:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *sampler) stop() (heap, sys uint64) {
	close(s.done)
	s.wg.Wait()
	return s.heap, s.sys
}

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(i-1, 0)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// explain runs fn, then EXPLAIN (ANALYZE, BUFFERS) on the first query it
// sent whose text has marker — under the service's settings for heavy
// reads when heavy — and writes the plan to path and the log.
func explain(b *testing.B, pool *pgxpool.Pool, tr *tracer, path, marker string, heavy bool, fn func()) {
	b.Helper()
	tr.reset()
	fn()
	sql, args := tr.find(marker)
	if sql == "" {
		b.Fatalf("no query with %q to explain", marker)
	}
	var plan []string
	err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
		if heavy {
			for _, set := range []string{`SET LOCAL work_mem = '64MB'`, `SET LOCAL jit = off`} {
				if _, err := tx.Exec(context.Background(), set); err != nil {
					return err
				}
			}
		}
		rows, _ := tx.Query(context.Background(), "EXPLAIN (ANALYZE, BUFFERS) "+sql, args...)
		var err error
		plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	text := fmt.Sprintf("-- %s\n-- args: %v\n%s\n", strings.Join(strings.Fields(sql), " "), args, strings.Join(plan, "\n"))
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Logf("plan written to %s:\n%s", path, text)
}
