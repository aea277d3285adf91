package api_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/testkit/testenv"
)

// benchImportRows is how many customers and historical contracts
// BenchmarkImport lands: SIGNET_BENCH_IMPORT_CUSTOMERS and
// SIGNET_BENCH_IMPORT_CONTRACTS for other sizes.
func benchImportRows(name string, def int) int {
	var n int
	if _, err := fmt.Sscan(os.Getenv(name), &n); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkImport lands a 10,000-row customer file and a 2,000-contract
// history file through the API and the import workflow, from the POST to
// the job's done, and COPYs as many rows straight into the same tables
// on the same server: rows/s for each and the import's share of COPY's
// rate. A customer row is checked, keyed by external ID, written with its
// contact and audited; a historical contract also starts its workflow in
// its phase.
func BenchmarkImport(b *testing.B) {
	s := testenv.NewStack(b, testenv.TemporalAddress())
	ctx := context.Background()
	customers := benchImportRows("SIGNET_BENCH_IMPORT_CUSTOMERS", 10_000)
	contracts := benchImportRows("SIGNET_BENCH_IMPORT_CONTRACTS", 2_000)

	land := func(kind string, file []byte) (api.ImportJob, time.Duration) {
		start := time.Now()
		queued := expect[api.ImportReport](b, importFile(b, s, "/v1/imports", "admin", kind, "rows", kind+".csv", file), http.StatusAccepted)
		j := awaitImport(b, s, "admin", queued.Job.ID)
		require.Equal(b, "done", j.Status, j.Error)
		return j, time.Since(start)
	}
	var customerRate, contractRate float64
	for b.Loop() {
		file, bad := customerFile(customers)
		j, took := land("customers", []byte(file))
		require.Equal(b, customers-len(bad), j.Created)
		customerRate = float64(j.Created) / took.Seconds()

		var h strings.Builder
		h.WriteString("原合同编号(external_id)*,合同名称(title)*,客户外部编号(customer_external_id)*,负责人账号(owner),合同金额(含税)(amount)*,签订日期(signed_date)*,开始日期(start_date)*,结束日期(end_date)*,付款计划(payment_plan),已开票金额(invoiced),已收款金额(received),履约事项(obligations),自动续约(auto_renew)\n")
		day := func(offset int) string { return time.Now().In(s.Loc).AddDate(0, 0, offset).Format(time.DateOnly) }
		for i := range contracts {
			fmt.Fprintf(&h, "LEGACY-%05d,历史合同%05d,CRM-%05d,,\"12,000.00\",%s,%s,%s,首付款:50%%:%s;尾款:50%%:%s,6000,6000,上线验收:%s:完成,是\n",
				i, i, 10*(i%(customers/10))+2, day(-60), day(-60), day(300), day(-30), day(90), day(-20))
		}
		j, took = land("contracts", []byte(h.String()))
		require.Equal(b, contracts, j.Created, "every history row lands")
		contractRate = float64(j.Created) / took.Seconds()
	}

	// The baseline: the same number of rows COPYed into the same tables.
	now := time.Now().UTC()
	rows := make([][]any, customers)
	for i := range rows {
		rows[i] = []any{uuid.New(), fmt.Sprintf("基线%05d科技有限公司", i), "制造业", "B", "demo-sales", now, now}
	}
	start := time.Now()
	_, err := s.Store.Pool().CopyFrom(ctx, pgx.Identifier{"customers"}, []string{"id", "name", "industry", "tier", "owner_id", "created_at", "updated_at"}, pgx.CopyFromRows(rows))
	require.NoError(b, err)
	customerCopy := float64(customers) / time.Since(start).Seconds()
	rows = make([][]any, contracts)
	for i := range rows {
		rows[i] = []any{fmt.Sprintf("HT-2019-%06d", i+1), "基线合同", "基线客户", "demo-sales", "张伟", int64(12_000_00), "CNY",
			"2019-01-01", "2019-12-31", now, "active", 1, 1, now, now}
	}
	start = time.Now()
	_, err = s.Store.Pool().CopyFrom(ctx, pgx.Identifier{"contracts"}, []string{"number", "title", "customer_name", "owner_id", "owner_name",
		"amount", "currency", "start_date", "end_date", "expires_at", "status", "version", "event_seq", "created_at", "updated_at"}, pgx.CopyFromRows(rows))
	require.NoError(b, err)
	contractCopy := float64(contracts) / time.Since(start).Seconds()

	b.ReportMetric(customerRate, "customers/s")
	b.ReportMetric(customerCopy, "customers-copy/s")
	b.ReportMetric(customerRate/customerCopy, "customers-of-copy")
	b.ReportMetric(contractRate, "contracts/s")
	b.ReportMetric(contractCopy, "contracts-copy/s")
	b.ReportMetric(contractRate/contractCopy, "contracts-of-copy")
}
