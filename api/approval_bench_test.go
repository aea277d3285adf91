package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// reportLatencies reports the p50 and p99 of samples in milliseconds.
func reportLatencies(b *testing.B, samples []time.Duration) {
	if len(samples) == 0 {
		return
	}
	slices.Sort(samples)
	at := func(q float64) float64 {
		return float64(samples[int(q*float64(len(samples)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// BenchmarkInboxWith200kOpenTasks seeds 200,000 open tasks across 2,000
// approvers (CopyFrom), then times GET /v1/tasks for one approver.
func BenchmarkInboxWith200kOpenTasks(b *testing.B) {
	testenv.RequireIntegration(b)
	s := testenv.NewStack(b, testenv.TemporalAddress())
	ctx := context.Background()
	const approvers, contractsN, perApprover = 2000, 2000, 100
	now := time.Now().UTC()
	users := make([][]any, approvers)
	for i := range users {
		users[i] = []any{fmt.Sprintf("bench-%04d", i), fmt.Sprintf("审批人 %d", i), fmt.Sprintf("a%d@bench.example", i), []string{"finance"}}
	}
	_, err := s.Store.Pool().CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "name", "email", "roles"}, pgx.CopyFromRows(users))
	require.NoError(b, err)
	contractRows := make([][]any, contractsN)
	for i := range contractRows {
		contractRows[i] = []any{fmt.Sprintf("HT-2020-%06d", i+1), "基准合同", "基准客户", "demo-sales", "张伟", int64(100_00), "CNY",
			"2020-01-01", "2020-12-31", now, "in_review", 1, 2, now, now}
	}
	_, err = s.Store.Pool().CopyFrom(ctx, pgx.Identifier{"contracts"}, []string{"number", "title", "customer_name", "owner_id", "owner_name",
		"amount", "currency", "start_date", "end_date", "expires_at", "status", "version", "event_seq", "created_at", "updated_at"}, pgx.CopyFromRows(contractRows))
	require.NoError(b, err)
	tasks := make([][]any, 0, approvers*perApprover)
	for a := range approvers {
		for k := range perApprover {
			c := (a*perApprover + k) % contractsN
			number := fmt.Sprintf("HT-2020-%06d", c+1)
			opened := now.Add(-time.Duration(k) * time.Minute)
			tasks = append(tasks, []any{fmt.Sprintf("%s-R1-S%d-%d", number, a+1, k+1), number, 1, a + 1, "finance", "open",
				"approval", "财务审批", fmt.Sprintf("bench-%04d", a), "审批人", opened, opened.Add(24 * time.Hour)})
		}
	}
	_, err = s.Store.Pool().CopyFrom(ctx, pgx.Identifier{"approval_tasks"}, []string{"id", "contract_number", "round", "stage", "role", "status",
		"kind", "stage_name", "assignee_id", "assignee_name", "opened_at", "due_at"}, pgx.CopyFromRows(tasks))
	require.NoError(b, err)
	_, err = s.Owner.Exec(ctx, `ANALYZE approval_tasks`) // only the owner may
	require.NoError(b, err)
	tok, _ := store.NewToken()
	_, err = s.Store.AddToken(ctx, "bench-1000", tok, "bench", time.Time{})
	require.NoError(b, err)
	s.Tokens["bench"] = tok

	var samples []time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		r, err := send(s, http.MethodGet, "/v1/tasks", "bench", nil)
		samples = append(samples, time.Since(start))
		if err != nil || r.Status != http.StatusOK {
			b.Fatalf("inbox: %v %d", err, r.Status)
		}
	}
	b.StopTimer()
	reportLatencies(b, samples)
}

// BenchmarkSubmitToFirstTask times from POST .../submit until the first
// approval task is in the approver's inbox.
func BenchmarkSubmitToFirstTask(b *testing.B) {
	testenv.RequireIntegration(b)
	s := testenv.NewStack(b, testenv.TemporalAddress())
	body := newContract(50_00, "2026-01-01", "2030-12-31")
	var samples []time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		n := create(b, s, body).Contract.Number
		b.StartTimer()
		start := time.Now()
		expect[workflows.ContractState](b, call(b, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
		for len(inbox(b, s, "sales_manager", n)) == 0 {
			time.Sleep(time.Millisecond)
		}
		samples = append(samples, time.Since(start))
	}
	b.StopTimer()
	reportLatencies(b, samples)
}
