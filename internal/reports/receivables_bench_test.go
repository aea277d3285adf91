package reports_test

import (
	"context"
	"testing"
	"time"

	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/reports"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/benchdata"
	"github.com/signet-clm/signet/testkit/testenv"
)

// BenchmarkReceivablesOver100kMilestones times the receivables query
// finance reads most, the aging of everything outstanding, over about
// 100,000 payment milestones (two per signed contract), and reports its
// p50 and p99.
func BenchmarkReceivablesOver100kMilestones(b *testing.B) {
	testenv.RequireIntegration(b)
	ctx := context.Background()
	st, err := store.Open(ctx, testenv.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	st.AuditKeys = testenv.AuditKeys()
	if _, err := devstack.SeedDemo(ctx, st); err != nil {
		b.Fatal(err)
	}
	benchdata.Seed(b, st.Pool(), 56_000)
	var milestones int
	if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM payment_milestones`).Scan(&milestones); err != nil {
		b.Fatal(err)
	}
	loc, _ := time.LoadLocation(config.DefaultTimeZone)
	svc := reports.New(st.Pool(), loc)
	finance := domain.User{ID: "demo-finance", Roles: []domain.Role{domain.RoleFinance}}
	var samples []time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if _, err := svc.Aging(ctx, finance, reports.AgingQuery{}); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(t0))
	}
	b.ReportMetric(float64(milestones), "milestones")
	b.ReportMetric(ms(pct(samples, 50)), "p50-ms")
	b.ReportMetric(ms(pct(samples, 99)), "p99-ms")
}
