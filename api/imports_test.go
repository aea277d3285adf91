package api_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/testkit/testenv"
)

// importFile sends data as an import of kind from source to path.
func importFile(t testing.TB, s *testenv.Stack, path, role, kind, mode, filename string, data []byte) response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	require.NoError(t, w.WriteField("kind", kind))
	require.NoError(t, w.WriteField("source", "crm"))
	if mode != "" {
		require.NoError(t, w.WriteField("mode", mode))
	}
	part, err := w.CreateFormFile("file", filename)
	require.NoError(t, err)
	_, err = part.Write(data)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return call(t, s, http.MethodPost, path, role, body.String(), "Content-Type", w.FormDataContentType())
}

// creditCode is the n-th valid unified social credit code of a series.
func creditCode(n int) string {
	base := fmt.Sprintf("91310000MA%07d", n)
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		if domain.ValidCreditCode(base + string(c)) {
			return base + string(c)
		}
	}
	panic("no check character")
}

// customerFile is rows customers with Chinese names, every tenth with a
// second contact on a row of its own, and the 20 bad rows bad lists by
// line and column.
func customerFile(rows int) (csv string, bad []string) {
	var b strings.Builder
	b.WriteString("外部编号(external_id)*,客户名称(name)*,统一社会信用代码(credit_code),行业(industry),客户等级(tier)*,负责人账号(owner),联系人(contact_name),邮箱(contact_email),可签约(contact_may_sign)\n")
	line := 1
	for i := range rows {
		line++
		cells := []string{fmt.Sprintf("CRM-%05d", i), fmt.Sprintf("星河%05d科技有限公司", i), "", "制造业", "ABC"[i%3 : i%3+1], "demo-sales", "王芳", fmt.Sprintf("wang%d@example.cn", i), "是"}
		if i%50 == 0 {
			cells[2] = creditCode(i)
		}
		// Twenty bad rows, four of each kind, spread through the file.
		if i%(rows/20) == 7 {
			switch k := len(bad) % 5; k {
			case 0:
				cells[4] = "D"
				bad = append(bad, fmt.Sprintf("%d tier", line))
			case 1:
				cells[2] = "91310000MA00000000"
				bad = append(bad, fmt.Sprintf("%d credit_code", line))
			case 2:
				cells[7] = "不是邮箱"
				bad = append(bad, fmt.Sprintf("%d contact_email", line))
			case 3:
				cells[1] = ""
				bad = append(bad, fmt.Sprintf("%d name", line))
			case 4:
				cells[5] = "nobody"
				bad = append(bad, fmt.Sprintf("%d owner", line))
			}
		}
		b.WriteString(strings.Join(cells, ",") + "\n")
		if i%10 == 1 {
			line++
			fmt.Fprintf(&b, "CRM-%05d,,,,,,李雷,li%d@example.cn,否\n", i, i)
		}
	}
	sort.Strings(bad)
	return b.String(), bad
}

func problemsOf(ps []api.ImportProblem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = fmt.Sprintf("%d %s", p.Line, p.Field)
	}
	sort.Strings(out)
	return out
}

func tableRows(t *testing.T, s *testenv.Stack, table string) int {
	var n int
	require.NoError(t, s.Store.Pool().QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n))
	return n
}

// awaitImport waits for a job to finish, as a person watching its page
// would, and returns it.
func awaitImport(t testing.TB, s *testenv.Stack, role, id string) api.ImportJob {
	t.Helper()
	var j api.ImportJob
	require.Eventually(t, func() bool {
		j = expect[api.ImportJob](t, call(t, s, http.MethodGet, "/v1/imports/"+id, role, nil), http.StatusOK)
		return j.Status == "done" || j.Status == "failed"
	}, 5*time.Minute, 100*time.Millisecond)
	return j
}

func TestImportCustomersDryRunThenRowsThenAgain(t *testing.T) {
	testenv.RequireIntegration(t)
	// Each has its own stack; big files land side by side.
	t.Parallel()
	s := testenv.NewStack(t, testenv.TemporalAddress())
	const rows = 10_000
	file, bad := customerFile(rows)
	require.Len(t, bad, 20)
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(file)
	require.NoError(t, err)
	before := tableRows(t, s, "customers")

	// The dry run finds exactly the bad rows, by column, and writes nothing.
	rep := expect[api.ImportReport](t, importFile(t, s, "/v1/imports/check", "sales_manager", "customers", "", "客户.csv", []byte(gb)), http.StatusOK)
	assert.Equal(t, "gb18030", rep.Encoding)
	assert.Equal(t, rows, rep.Records)
	assert.Equal(t, rows-20, rep.Valid)
	assert.Equal(t, bad, problemsOf(rep.Problems))
	assert.Nil(t, rep.Job)
	assert.Equal(t, before, tableRows(t, s, "customers"), "a dry run writes nothing")

	// All or nothing refuses the file whole, naming each row's column.
	fields := fieldsOf(t, importFile(t, s, "/v1/imports", "sales_manager", "customers", "all", "客户.csv", []byte(gb)))
	assert.Len(t, fields, 20)
	assert.Contains(t, fields, "rows["+strings.Replace(bad[0], " ", "].", 1)+"")
	assert.Equal(t, before, tableRows(t, s, "customers"))

	// Row by row lands the rest, and the job counts as it goes.
	queued := expect[api.ImportReport](t, importFile(t, s, "/v1/imports", "sales_manager", "customers", "rows", "客户.csv", []byte(gb)), http.StatusAccepted)
	require.NotNil(t, queued.Job)
	assert.Equal(t, rows-20, queued.Job.Total)
	j := awaitImport(t, s, "sales_manager", queued.Job.ID)
	assert.Equal(t, "done", j.Status, j.Error)
	assert.Equal(t, rows-20, j.Created)
	assert.Equal(t, 20, j.Failed)
	assert.Equal(t, bad, problemsOf(j.Problems))
	assert.Equal(t, before+rows-20, tableRows(t, s, "customers"))
	var contacts int
	require.NoError(t, s.Store.Pool().QueryRow(context.Background(),
		`SELECT count(*) FROM customer_contacts k JOIN customers c ON c.id = k.customer_id WHERE c.name = '星河00001科技有限公司'`).Scan(&contacts))
	assert.Equal(t, 2, contacts, "the second row of CRM-00001 is its second contact")

	// The same file again (UTF-8 with a BOM this time) changes nothing.
	again := expect[api.ImportReport](t, importFile(t, s, "/v1/imports", "sales_manager", "customers", "rows", "客户.csv", append([]byte("\xef\xbb\xbf"), file...)), http.StatusAccepted)
	assert.Equal(t, "utf-8-bom", again.Encoding)
	j = awaitImport(t, s, "sales_manager", again.Job.ID)
	assert.Equal(t, 0, j.Created)
	assert.Equal(t, 0, j.Updated)
	assert.Equal(t, rows-20, j.Unchanged)
	assert.Equal(t, before+rows-20, tableRows(t, s, "customers"))

	// Who may: a sales person may not import, finance may not import
	// customers, and one manager's job is not another user's to read.
	expect[errorBody](t, importFile(t, s, "/v1/imports/check", "sales", "customers", "", "c.csv", []byte(file)), http.StatusForbidden)
	expect[errorBody](t, importFile(t, s, "/v1/imports/check", "finance", "customers", "", "c.csv", []byte(file)), http.StatusForbidden)
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/imports/"+j.ID, "finance", nil), http.StatusNotFound)
	list := expect[struct{ Items []api.ImportJob }](t, call(t, s, http.MethodGet, "/v1/imports", "admin", nil), http.StatusOK)
	assert.Len(t, list.Items, 2)
}

func TestImportProductsFromXLSXAllOrNothing(t *testing.T) {
	testenv.RequireIntegration(t)
	// Each has its own stack; big files land side by side.
	t.Parallel()
	s := testenv.NewStack(t, testenv.TemporalAddress())
	tmpl := call(t, s, http.MethodGet, "/v1/imports/templates/products?format=xlsx", "finance", nil)
	require.Equal(t, http.StatusOK, tmpl.Status)
	f, err := excelize.OpenReader(bytes.NewReader(tmpl.Body))
	require.NoError(t, err)
	sheet := f.GetSheetName(0)
	// The template's header, then three products of a new line.
	for r, row := range [][]string{
		{"ERP-1", "硬件设备", "服务器 A 型", "台", "45,000.00", "CNY", "13%", "是"},
		{"ERP-2", "硬件设备", "存储柜", "台", "88000", "CNY", "13", "是"},
		{"ERP-3", "企业软件", "运维年费", "年", "9800.5", "CNY", "6%", "否"},
	} {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			require.NoError(t, f.SetCellStr(sheet, cell, v))
		}
	}
	var xlsx bytes.Buffer
	require.NoError(t, f.Write(&xlsx))
	queued := expect[api.ImportReport](t, importFile(t, s, "/v1/imports", "finance", "products", "all", "产品.xlsx", xlsx.Bytes()), http.StatusAccepted)
	assert.Equal(t, "xlsx", queued.Encoding)
	j := awaitImport(t, s, "finance", queued.Job.ID)
	assert.Equal(t, "done", j.Status, j.Error)
	assert.Equal(t, 3, j.Created)
	var price int64
	var line string
	var active bool
	require.NoError(t, s.Store.Pool().QueryRow(context.Background(),
		`SELECT p.list_price, l.name, p.active FROM products p JOIN product_lines l ON l.id = p.line_id WHERE p.name = '运维年费'`).Scan(&price, &line, &active))
	assert.Equal(t, int64(980050), price)
	assert.Equal(t, "企业软件", line, "an existing line is found by name")
	assert.False(t, active)

	// A bad header stops the file before any row is read, even in rows mode.
	rep := importFile(t, s, "/v1/imports", "finance", "products", "rows", "p.csv", []byte("external_id,名字\nX,Y\n"))
	fields := fieldsOf(t, rep)
	assert.Contains(t, fields, "rows[1].名字")
	badRequest := "--b\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nspaceships\r\n" +
		"--b\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\nsometimes\r\n" +
		"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nx\r\n--b--\r\n"
	assert.Equal(t, []string{"kind", "source", "mode"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/imports?source=BAD!", "admin",
		badRequest, "Content-Type", "multipart/form-data; boundary=b")))
}

// TestImportHistoricalContracts: a history file lands signed contracts in
// the right phase — active ones with their next timers running from
// today, ended and settled ones completed — numbered by their original
// number when it fits, with no review or signing round; the bad rows are
// reported by column and a second import changes nothing.
func TestImportHistoricalContracts(t *testing.T) {
	testenv.RequireIntegration(t)
	// Each has its own stack; big files land side by side.
	t.Parallel()
	s := testenv.NewStack(t, testenv.TemporalAddress())
	customers := "external_id,name,tier\nC-1,上海星河科技有限公司,A\nC-2,北京云杉贸易有限公司,B\n"
	j := awaitImport(t, s, "admin", expect[api.ImportReport](t, importFile(t, s, "/v1/imports", "admin", "customers", "all", "c.csv", []byte(customers)), http.StatusAccepted).Job.ID)
	require.Equal(t, 2, j.Created)

	day := func(offset int) string { return time.Now().In(s.Loc).AddDate(0, 0, offset).Format(time.DateOnly) }
	const rows = 2_000
	var b strings.Builder
	b.WriteString("原合同编号(external_id)*,合同名称(title)*,客户外部编号(customer_external_id)*,负责人账号(owner),合同金额(含税)(amount)*,签订日期(signed_date)*,开始日期(start_date)*,结束日期(end_date)*,付款计划(payment_plan),已开票金额(invoiced),已收款金额(received),履约事项(obligations),自动续约(auto_renew)\n")
	// The first keeps its original number; it is in its term, half paid.
	fmt.Fprintf(&b, "HT-2025-000901,年度软件服务合同,C-1,demo-sales,\"120,000.00\",%s,%s,%s,首付款:50%%:%s;尾款:50%%:%s,60000,60000,上线验收:%s:完成;年度巡检:%s,否\n",
		day(-200), day(-200), day(165), day(-180), day(60), day(-150), day(30))
	// The second ended last year, every payment received: completed.
	fmt.Fprintf(&b, "OLD-2019-77,二〇二四年维保合同,C-2,,8800,%s,%s,%s,,8800,8800,,否\n", day(-700), day(-700), day(-335))
	// Then many more in their term, and bad rows of each kind.
	for i := 3; i <= rows; i++ {
		fmt.Fprintf(&b, "LEGACY-%05d,历史合同%05d,C-%d,,1000,%s,%s,%s,,,,,是\n", i, i, 1+i%2, day(-30), day(-30), day(335))
	}
	b.WriteString("BAD-1,客户不存在,C-9,,1000," + day(-30) + "," + day(-30) + "," + day(300) + ",,,,,\n")
	b.WriteString("BAD-2,计划不符,C-1,,1000," + day(-30) + "," + day(-30) + "," + day(300) + ",a:10%:" + day(10) + ",,,,\n")
	b.WriteString("BAD-3,未来签订,C-1,,1000," + day(3) + "," + day(3) + "," + day(300) + ",,,,,\n")
	b.WriteString("BAD-4,收款超额,C-1,,1000," + day(-30) + "," + day(-30) + "," + day(300) + ",,,2000,,\n")
	file := []byte(b.String())
	bad := []string{fmt.Sprintf("%d customer_external_id", rows+2), fmt.Sprintf("%d payment_plan", rows+3), fmt.Sprintf("%d signed_date", rows+4), fmt.Sprintf("%d received", rows+5)}
	sort.Strings(bad)

	rep := expect[api.ImportReport](t, importFile(t, s, "/v1/imports/check", "admin", "contracts", "", "历史合同.csv", file), http.StatusOK)
	assert.Equal(t, bad, problemsOf(rep.Problems))
	assert.Equal(t, rows, rep.Valid)
	assert.Equal(t, 0, tableRows(t, s, "contracts"), "a dry run writes nothing")
	expect[errorBody](t, importFile(t, s, "/v1/imports/check", "sales_manager", "contracts", "", "c.csv", file), http.StatusForbidden)

	queued := expect[api.ImportReport](t, importFile(t, s, "/v1/imports", "admin", "contracts", "rows", "历史合同.csv", file), http.StatusAccepted)
	j = awaitImport(t, s, "admin", queued.Job.ID)
	require.Equal(t, "done", j.Status, j.Error)
	assert.Equal(t, rows, j.Created)
	assert.Equal(t, 4, j.Failed)
	assert.Equal(t, rows, tableRows(t, s, "contracts"))

	// Active, signed on its day, no rounds, and its timers from today on.
	v := expect[api.ContractView](t, call(t, s, http.MethodGet, "/v1/contracts/HT-2025-000901", "sales", nil), http.StatusOK)
	assert.Equal(t, domain.StatusActive, v.Contract.Status)
	require.NotNil(t, v.Contract.SignedAt)
	assert.Equal(t, day(-200), v.Contract.SignedAt.In(s.Loc).Format(time.DateOnly))
	assert.Empty(t, v.Tasks)
	assert.Empty(t, v.Signatures)
	require.NotNil(t, v.Live, v.LiveError)
	var timers []string
	for _, tm := range v.Live.NextTimers {
		assert.True(t, tm.At.After(time.Now()), "timer %s at %s is in the past", tm.Name, tm.At)
		timers = append(timers, tm.Name)
	}
	assert.Contains(t, timers, "payment_reminder:2", "the unpaid milestone is reminded")
	assert.Contains(t, timers, "expiry")
	assert.NotContains(t, timers, "payment_reminder:1", "the paid one is not")
	var events []string
	rowsOf, err := s.Store.Pool().Query(context.Background(), `SELECT kind FROM contract_events WHERE contract_number = 'HT-2025-000901' ORDER BY seq`)
	require.NoError(t, err)
	for rowsOf.Next() {
		var k string
		require.NoError(t, rowsOf.Scan(&k))
		events = append(events, k)
	}
	assert.Equal(t, []string{"created", "migrated"}, events)
	var audited int
	require.NoError(t, s.Store.Pool().QueryRow(context.Background(),
		`SELECT count(*) FROM audit_events WHERE action = 'contract.imported' AND object_id = 'HT-2025-000901'`).Scan(&audited))
	assert.Equal(t, 1, audited, "marked as migrated in the audit trail")

	// The ended, settled one is completed, under a new number.
	ledger := expect[api.LedgerPage](t, call(t, s, http.MethodGet, "/v1/reports/ledger?source=crm&external_id=OLD-2019-77", "finance", nil), http.StatusOK)
	require.Len(t, ledger.Items, 1, "the original number is the contract's external ID")
	number := ledger.Items[0].Number
	assert.True(t, domain.ValidContractNumber(number), number)
	require.Eventually(t, func() bool {
		return expect[api.ContractView](t, call(t, s, http.MethodGet, "/v1/contracts/"+number, "admin", nil), http.StatusOK).Contract.Status == domain.StatusCompleted
	}, time.Minute, 200*time.Millisecond)

	again := expect[api.ImportReport](t, importFile(t, s, "/v1/imports", "admin", "contracts", "rows", "历史合同.csv", file), http.StatusAccepted)
	j = awaitImport(t, s, "admin", again.Job.ID)
	assert.Equal(t, 0, j.Created)
	assert.Equal(t, rows, j.Unchanged)
	assert.Equal(t, rows, tableRows(t, s, "contracts"))
}

// TestImportAndPushByExternalIDAreOneRecord: a file's (source, external
// ID) and a CRM's PUT …/by-external/… are one key, whichever comes first:
// the second updates the customer the first made, and a historical
// contract's original number is the external ID the ledger filters by.
func TestImportAndPushByExternalIDAreOneRecord(t *testing.T) {
	testenv.RequireIntegration(t)
	t.Parallel()
	s := testenv.NewStack(t, testenv.TemporalAddress())
	land := func(role, kind, file string) api.ImportJob {
		t.Helper()
		q := expect[api.ImportReport](t, importFile(t, s, "/v1/imports", role, kind, "all", kind+".csv", []byte(file)), http.StatusAccepted)
		j := awaitImport(t, s, role, q.Job.ID)
		require.Equal(t, "done", j.Status, j.Error)
		return j
	}
	byKey := func(key string) []api.Customer {
		t.Helper()
		return expect[api.CustomerPage](t, call(t, s, http.MethodGet, "/v1/customers?source=crm&external_id="+key, "sales_manager", nil), http.StatusOK).Items
	}

	// The CRM pushes first; then a file with the same key and a new name.
	pushed := expect[api.CustomerDetail](t, call(t, s, http.MethodPut, byExternal("customers", "crm", "CRM-1"), "sales",
		map[string]any{"name": "杭州云栖科技有限公司", "tier": "B", "contacts": []map[string]any{{"name": "王芳", "email": "wang@yunqi.example"}}}), http.StatusCreated)
	file := "external_id,name,tier,contact_name,contact_email\nCRM-1,杭州云栖科技股份有限公司,A,王芳,wang@yunqi.example\n"
	j := land("sales_manager", "customers", file)
	assert.Equal(t, 0, j.Created)
	assert.Equal(t, 1, j.Updated)
	found := byKey("CRM-1")
	require.Len(t, found, 1, "one customer, not two")
	assert.Equal(t, pushed.ID, found[0].ID)
	got := expect[api.CustomerDetail](t, call(t, s, http.MethodGet, "/v1/customers/"+pushed.ID, "sales", nil), http.StatusOK)
	assert.Equal(t, "杭州云栖科技股份有限公司", got.Name)
	assert.Equal(t, "A", got.Tier)
	assert.Equal(t, "demo-sales", got.OwnerID, "a file naming no owner leaves the customer's")
	assert.Len(t, got.Contacts, 1, "the pushed contact is the file's")
	assert.Equal(t, 1, land("sales_manager", "customers", file).Unchanged, "the same file again changes nothing")

	// A file first; then the CRM pushes the same key with a new name.
	j = land("sales_manager", "customers", "external_id,name,tier,owner\nCRM-2,北京云杉贸易有限公司,C,demo-sales\n")
	require.Equal(t, 1, j.Created)
	imported := byKey("CRM-2")
	require.Len(t, imported, 1)
	again := expect[api.CustomerDetail](t, call(t, s, http.MethodPut, byExternal("customers", "crm", "CRM-2"), "sales",
		map[string]any{"name": "北京云杉贸易股份有限公司", "tier": "B"}), http.StatusOK)
	assert.Equal(t, imported[0].ID, again.ID)
	assert.Equal(t, "北京云杉贸易股份有限公司", again.Name)
	assert.Equal(t, []api.ExternalID{{Source: "crm", ID: "CRM-2"}}, again.ExternalIDs)
	require.Len(t, byKey("CRM-2"), 1)

	// Historical contracts name those customers by the same keys; one
	// keeps its original number, one gets a new one; both are found by
	// their original number.
	day := func(offset int) string { return time.Now().In(s.Loc).AddDate(0, 0, offset).Format(time.DateOnly) }
	contracts := "external_id,title,customer_external_id,amount,signed_date,start_date,end_date\n" +
		"HT-2025-000777,年度服务合同,CRM-1,50000," + day(-100) + "," + day(-100) + "," + day(265) + "\n" +
		"OLD-2020-9,旧系统合同,CRM-2,8000," + day(-60) + "," + day(-60) + "," + day(305) + "\n"
	require.Equal(t, 2, land("admin", "contracts", contracts).Created)
	ledger := func(key string) []api.LedgerRow {
		return expect[api.LedgerPage](t, call(t, s, http.MethodGet, "/v1/reports/ledger?source=crm&external_id="+key, "finance", nil), http.StatusOK).Items
	}
	kept := ledger("HT-2025-000777")
	require.Len(t, kept, 1)
	assert.Equal(t, "HT-2025-000777", kept[0].Number)
	assert.Equal(t, pushed.ID, kept[0].CustomerID, "the customer the CRM pushed")
	renumbered := ledger("OLD-2020-9")
	require.Len(t, renumbered, 1)
	assert.NotEqual(t, "OLD-2020-9", renumbered[0].Number)
	assert.Equal(t, []api.ExternalID{{Source: "crm", ID: "OLD-2020-9"}}, renumbered[0].ExternalIDs)
	assert.Equal(t, 2, land("admin", "contracts", contracts).Unchanged, "the same file again changes nothing")
	assert.Equal(t, 2, tableRows(t, s, "contracts"))
}
