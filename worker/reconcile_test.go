package worker_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/worker"
)

func TestMain(m *testing.M) { os.Exit(testenv.RunWithTemporal(m)) }

// serviceDraft is a valid creation: a service contract for the second
// demo customer from the demo service template.
func serviceDraft() contracts.CreateInput {
	return contracts.CreateInput{
		Title: "运维合同", CustomerID: devstack.DemoCustomer2ID, TemplateID: devstack.DemoServiceTemplate,
		StartDate: "2026-01-01", EndDate: "2026-12-31",
		Fields: map[string]json.RawMessage{"service_scope": []byte(`"7x24 运维"`), "service_level": []byte(`"Standard"`),
			"payment_terms_days": []byte(`30`), "liability_cap": []byte(`100000`)},
		LineItems: []contracts.LineInput{{ProductID: devstack.DemoServiceProductID, Quantity: "10"}},
	}
}

func TestReconcilerReportsOpenContractsWithoutARunningWorkflow(t *testing.T) {
	testenv.RequireIntegration(t)
	ctx := context.Background()
	s := testenv.NewStack(t, testenv.TemporalAddress())
	sales := devstack.DemoUsers[0]
	svc := contracts.New(s.Store, s.Temporal, s.TaskQueue, s.Loc, "示例科技有限公司")
	live, err := svc.Create(ctx, sales, "", serviceDraft())
	require.NoError(t, err)

	// A row PostgreSQL holds open but no workflow runs for: drift.
	orphan := domain.Contract{Number: "HT-2026-999001", Title: "孤儿合同", CustomerName: "无", OwnerID: sales.ID, OwnerName: sales.Name,
		Amount: 1, Currency: "CNY", StartDate: "2026-01-01", EndDate: "2026-12-31", ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now().UTC()}
	_, err = s.Store.ApplyTransition(ctx, domain.Transition{Contract: orphan, Status: domain.StatusDraft, Version: 1,
		Event: domain.Event{ID: orphan.Number + "/1", ContractNumber: orphan.Number, Seq: 1, Kind: domain.EventCreated,
			ToStatus: domain.StatusDraft, ActorID: sales.ID, ActorName: sales.Name, At: time.Now().UTC()}})
	require.NoError(t, err)

	rec := &worker.Reconciler{Store: s.Store, Client: s.Temporal, Logger: testenv.Logger()}
	rep, err := rec.Run(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Checked)
	require.Len(t, rep.Drift, 1, "only the orphan drifts, not %s", live.Contract.Number)
	assert.Equal(t, orphan.Number, rep.Drift[0].Number)

	// PostgreSQL and the workflow's search attribute disagree on the status.
	_, err = s.Store.Pool().Exec(ctx, `UPDATE contracts SET status = 'approved' WHERE number = $1`, live.Contract.Number)
	require.NoError(t, err)
	rep, err = rec.Run(ctx)
	require.NoError(t, err)
	require.Len(t, rep.Drift, 2)
	assert.Equal(t, live.Contract.Number, rep.Drift[0].Number)
	assert.Contains(t, rep.Drift[0].Reason, `ContractStatus is "draft" but PostgreSQL says "approved"`)

	// The last report is what auditors read and what /metrics exports.
	last, err := s.Store.LastReconciliation(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, last.Checked)
	require.Len(t, last.Drift, 2)
	assert.Equal(t, orphan.Number, last.Drift[1].Number)
	metrics := get(t, s.URL+"/metrics", "")
	assert.Contains(t, metrics, "signet_reconciliation_drift_contracts 2\n")
	assert.Contains(t, metrics, "signet_reconciliation_checked_contracts 2\n")
	assert.Contains(t, metrics, `signet_notifications{status="dead"} 0`)
	assert.Contains(t, metrics, "signet_metrics_scrape_ok 1\n")
	report := get(t, s.URL+"/v1/reconciliation", s.Tokens["auditor"])
	assert.Contains(t, report, `"checked":2`)
	assert.Contains(t, report, orphan.Number)

}

// get fetches url with an optional bearer token and fails t unless it answers 200.
func get(t *testing.T, url, token string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	return string(body)
}
