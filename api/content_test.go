package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/customers"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

func TestCustomerBook(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	name := "深圳市前海微众银行股份有限公司（测试）"
	created := expect[customers.Detail](t, call(t, s, http.MethodPost, "/v1/customers", "sales", map[string]any{
		"name": name, "credit_code": "91440300708461136t", "industry": "金融业", "region": "深圳", "tier": "A",
		"contacts": []map[string]any{{"name": "李晓明", "title": "法务经理", "email": "li@webank.example", "may_sign": true}},
	}), http.StatusCreated)
	assert.Equal(t, name, created.Name, "Chinese names round-trip byte for byte")
	require.NotNil(t, created.CreditCode)
	assert.Equal(t, "91440300708461136T", *created.CreditCode, "codes are stored upper-case")
	require.Len(t, created.Contacts, 1)

	dup := call(t, s, http.MethodPost, "/v1/customers", "sales", map[string]any{"name": "重复", "credit_code": "91440300708461136T", "tier": "B"})
	assert.Equal(t, "conflict", expect[errorBody](t, dup, http.StatusConflict).Error)
	bad := call(t, s, http.MethodPost, "/v1/customers", "sales", map[string]any{"name": "错码", "credit_code": "91440300708461136X", "tier": "B"})
	assert.Equal(t, []string{"credit_code"}, fieldsOf(t, bad))
	assert.Equal(t, []string{"tier"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/customers", "sales", map[string]any{"name": "x", "tier": "D"})))
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/customers", "finance", map[string]any{"name": "x", "tier": "A"}), http.StatusForbidden)

	got := expect[customers.Detail](t, call(t, s, http.MethodGet, "/v1/customers/"+created.ID, "sales", nil), http.StatusOK)
	assert.Equal(t, name, got.Name)
	assert.Equal(t, "李晓明", got.Contacts[0].Name)
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/customers/"+created.ID, "sales2", nil), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodPatch, "/v1/customers/"+created.ID, "sales2", map[string]any{"tier": "C"}), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/customers/not-a-uuid", "sales", nil), http.StatusNotFound)

	updated := expect[customers.Detail](t, call(t, s, http.MethodPatch, "/v1/customers/"+created.ID, "sales", map[string]any{"tier": "B", "region": "广东"}), http.StatusOK)
	assert.Equal(t, "B", updated.Tier)
	assert.Equal(t, "广东", updated.Region)
	assert.Equal(t, name, updated.Name, "fields not sent stay as they were")
	expect[store.Contact](t, call(t, s, http.MethodPost, "/v1/customers/"+created.ID+"/contacts", "sales", map[string]any{"name": "张三", "phone": "13800000000"}), http.StatusCreated)

	page := expect[customers.Page](t, call(t, s, http.MethodGet, "/v1/customers?q=微众", "sales", nil), http.StatusOK)
	require.Len(t, page.Items, 1)
	assert.Equal(t, created.ID, page.Items[0].ID)
	tierA := expect[customers.Page](t, call(t, s, http.MethodGet, "/v1/customers?tier=A", "executive", nil), http.StatusOK)
	assert.Len(t, tierA.Items, 1, "the demo A customer; ours moved to B")
	first := expect[customers.Page](t, call(t, s, http.MethodGet, "/v1/customers?limit=2", "executive", nil), http.StatusOK)
	require.Len(t, first.Items, 2)
	require.NotEmpty(t, first.NextCursor)
	rest := expect[customers.Page](t, call(t, s, http.MethodGet, "/v1/customers?limit=2&cursor="+first.NextCursor, "executive", nil), http.StatusOK)
	assert.Len(t, rest.Items, 1, "three customers in all")
	assert.Empty(t, expect[customers.Page](t, call(t, s, http.MethodGet, "/v1/customers", "sales2", nil), http.StatusOK).Items)

	// The customer's page shows its contracts and their total.
	body := newContract(7_000_00, "2026-01-01", "2026-12-31")
	body["customer_id"] = created.ID
	delete(body, "contact_id")
	state := create(t, s, body)
	got = expect[customers.Detail](t, call(t, s, http.MethodGet, "/v1/customers/"+created.ID, "sales", nil), http.StatusOK)
	require.Len(t, got.Contracts, 1)
	assert.Equal(t, state.Contract.Number, got.Contracts[0].Number)
	assert.Equal(t, []store.CustomerTotal{{Currency: "CNY", Contracts: 1, Amount: 7_000_00}}, got.Totals)
}

func TestDraftIsPricedAndRenderedByTheServer(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	body := newContract(0, "2026-01-01", "2026-12-31")
	body["line_items"] = []map[string]any{
		{"product_id": devstack.DemoLicenceProductID, "quantity": "2", "discount_bp": 500},
		{"product_id": devstack.DemoServiceProductID, "quantity": "12.5"},
	}
	body["optional_clauses"] = []string{"warranty"}
	body["fields"].(map[string]any)["warranty_months"] = 12
	state := create(t, s, body)
	// 2 × 98,000.00 less 5% plus 13% VAT, and 12.5 × 2,500.00 plus 6% VAT.
	assert.Equal(t, int64(210_406_00+33_125_00), state.Contract.Amount)
	assert.Equal(t, devstack.DemoSalesTemplate, state.Contract.TemplateID)
	assert.Equal(t, 1, state.Contract.TemplateVersion)
	require.Len(t, state.Contract.DocumentSHA256, 64)
	n := state.Contract.Number

	text := call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document?format=text", "sales", nil)
	require.Equal(t, http.StatusOK, text.Status)
	sum := sha256.Sum256(text.Body)
	assert.Equal(t, state.Contract.DocumentSHA256, hex.EncodeToString(sum[:]), "the hash is the text's")
	assert.Equal(t, state.Contract.DocumentSHA256, text.Header.Get("X-Document-SHA256"))
	assert.Contains(t, string(text.Body), "合同编号："+n)
	assert.Contains(t, string(text.Body), "大写：贰拾肆万叁仟伍佰叁拾壹元整")
	assert.Contains(t, string(text.Body), "王建国", "the contact fills itself in")
	assert.Contains(t, string(text.Body), "质量保证")
	assert.NotContains(t, string(text.Body), "违约责任", "an optional clause not chosen is left out")
	html := call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document", "sales", nil)
	require.Equal(t, http.StatusOK, html.Status)
	assert.Contains(t, html.Header.Get("Content-Type"), "text/html")
	assert.Contains(t, string(html.Body), "<h1>年度软件服务合同（含运维）</h1>")
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document", "sales2", nil), http.StatusNotFound)
	assert.Equal(t, []string{"format"}, fieldsOf(t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document?format=docx", "sales", nil)))

	// Only legal add non-standard clauses, and only to a draft; the
	// document is re-rendered and its new hash is the contract's.
	extra := map[string]any{"clauses": []map[string]any{{"title": "特别约定", "body": "乙方可免费升级一次大版本。"}}}
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/non-standard-clauses", "sales", extra), http.StatusForbidden)
	revised := expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/non-standard-clauses", "legal", extra), http.StatusOK)
	assert.NotEqual(t, state.Contract.DocumentSHA256, revised.Contract.DocumentSHA256)
	text = call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document?format=text", "sales", nil)
	sum = sha256.Sum256(text.Body)
	assert.Equal(t, revised.Contract.DocumentSHA256, hex.EncodeToString(sum[:]))
	assert.Contains(t, string(text.Body), "第8条 特别约定（非标准条款）")
	assert.Contains(t, string(text.Body), "质量保证", "everything else is as drafted")
	row := expect[struct{ Contract store.ContractRow }](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK)
	assert.Equal(t, revised.Contract.DocumentSHA256, row.Contract.DocumentSHA256)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/non-standard-clauses", "legal", extra), http.StatusConflict)

	view := expect[struct {
		LineItems []store.LineItem `json:"line_items"`
	}](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK)
	require.Len(t, view.LineItems, 2)
	assert.Equal(t, "星辰数据平台 企业版许可", view.LineItems[0].Description)
	assert.Equal(t, int64(12_500), view.LineItems[1].QuantityMilli)
	assert.Equal(t, int64(1_875_00), view.LineItems[1].Tax)
}

func TestCatalogueAndTemplatesAreKeptByTheirRoles(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/product-lines", "sales", map[string]any{"name": "硬件"}), http.StatusForbidden)
	line := expect[store.ProductLine](t, call(t, s, http.MethodPost, "/v1/product-lines", "finance", map[string]any{"name": "硬件"}), http.StatusCreated)
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/product-lines", "admin", map[string]any{"name": "硬件"}), http.StatusConflict)
	product := expect[store.Product](t, call(t, s, http.MethodPost, "/v1/products", "finance", map[string]any{
		"line_id": line.ID, "name": "边缘服务器 X1", "unit": "台", "list_price": 35_000_00, "tax_rate_bp": 1300,
	}), http.StatusCreated)
	assert.True(t, product.Active)
	unknownLine := expect[errorBody](t, call(t, s, http.MethodPost, "/v1/products", "finance", map[string]any{
		"line_id": "01960000-0000-7000-8000-0000000000ff", "name": "x", "unit": "台", "list_price": 1, "tax_rate_bp": 0,
	}), http.StatusNotFound)
	require.Len(t, unknownLine.Fields, 1)
	assert.Equal(t, "line_id", unknownLine.Fields[0].Field)

	// An inactive product cannot be added to a new draft.
	expect[store.Product](t, call(t, s, http.MethodPatch, "/v1/products/"+product.ID, "finance", map[string]any{"active": false}), http.StatusOK)
	body := newContract(0, "2026-01-01", "2026-12-31")
	body["line_items"] = []map[string]any{{"product_id": product.ID, "quantity": "1"}}
	assert.Equal(t, []string{"line_items[0].product_id"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/contracts", "sales", body)))
	listed := expect[struct{ Items []store.Product }](t, call(t, s, http.MethodGet, "/v1/products?active=true", "sales", nil), http.StatusOK)
	for _, p := range listed.Items {
		assert.NotEqual(t, product.ID, p.ID, "inactive products are not offered")
	}

	// Legal publishes version 2 of a template; new drafts pin it, the old
	// version stays readable.
	v1 := expect[document.Template](t, call(t, s, http.MethodGet, "/v1/templates/sales-zh", "sales", nil), http.StatusOK)
	v1.Clauses[3].Body = "乙方应在收货后五个工作日内完成验收。"
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/templates", "sales", v1), http.StatusForbidden)
	v2 := expect[document.Template](t, call(t, s, http.MethodPost, "/v1/templates", "legal", v1), http.StatusCreated)
	assert.Equal(t, 2, v2.Version)
	old := expect[document.Template](t, call(t, s, http.MethodGet, "/v1/templates/sales-zh?version=1", "sales", nil), http.StatusOK)
	assert.Contains(t, old.Clauses[3].Body, "七个工作日")
	state := create(t, s, newContract(1_00, "2026-01-01", "2026-12-31"))
	assert.Equal(t, 2, state.Contract.TemplateVersion)
	text := call(t, s, http.MethodGet, "/v1/contracts/"+state.Contract.Number+"/document?format=text", "sales", nil)
	assert.Contains(t, string(text.Body), "五个工作日")

	broken := v1
	broken.Clauses = append(broken.Clauses, document.Clause{ID: "extra", Title: "附加", Body: "{{no_such_field}}"})
	r := call(t, s, http.MethodPost, "/v1/templates", "legal", broken)
	assert.Contains(t, fieldsOf(t, r), "clauses[8].body")
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/templates/nope", "sales", nil), http.StatusNotFound)
}

func TestConcurrentCreationsGetConsecutiveNumbers(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	const n = 50
	numbers := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := call(t, s, http.MethodPost, "/v1/contracts", "sales", newContract(int64(100+i), "2026-01-01", "2026-12-31"))
			if r.Status == http.StatusCreated {
				numbers[i] = expect[workflows.ContractState](t, r, http.StatusCreated).Contract.Number
			} else {
				t.Errorf("creation %d: %d %s", i, r.Status, r.Body)
			}
		})
	}
	wg.Wait()
	sort.Strings(numbers)
	first := numbers[0]
	var year, seq int
	_, err := fmt.Sscanf(first, "HT-%d-%d", &year, &seq)
	require.NoError(t, err)
	for i, got := range numbers {
		assert.Equal(t, domain.FormatContractNumber(year, seq+i), got)
	}
	assert.Equal(t, n, countRows(t, s).Contracts)
}

func TestTemplatesTakeClausesFromTheLibrary(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	clause := map[string]any{"id": "confidentiality", "title": "保密", "body": "双方应对在履行本合同过程中知悉的对方商业秘密予以保密。", "language": "zh"}
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/clauses", "sales", clause), http.StatusForbidden)
	saved := expect[document.LibraryClause](t, call(t, s, http.MethodPost, "/v1/clauses", "legal", clause), http.StatusCreated)
	assert.Equal(t, 1, saved.Version)

	tpl := map[string]any{"id": "nda-zh", "name": "保密协议", "language": "zh", "clauses": []map[string]any{
		{"id": "parties", "title": "当事人", "body": "甲方{{company.name}}与乙方{{customer.name}}。"},
		{"id": "secrecy", "library": "confidentiality"},
	}}
	v1 := expect[document.Template](t, call(t, s, http.MethodPost, "/v1/templates", "legal", tpl), http.StatusCreated)
	assert.Equal(t, "双方应对在履行本合同过程中知悉的对方商业秘密予以保密。", v1.Clauses[1].Body, "the library's text is copied in")
	assert.Equal(t, 1, v1.Clauses[1].LibraryVersion)

	clause["body"] = "双方应对对方商业秘密保密，保密期限为合同终止后三年。"
	assert.Equal(t, 2, expect[document.LibraryClause](t, call(t, s, http.MethodPost, "/v1/clauses", "legal", clause), http.StatusCreated).Version)
	again := expect[document.Template](t, call(t, s, http.MethodGet, "/v1/templates/nda-zh?version=1", "sales", nil), http.StatusOK)
	assert.Contains(t, again.Clauses[1].Body, "予以保密", "a library edit never changes a saved template version")
	library := expect[struct{ Items []document.LibraryClause }](t, call(t, s, http.MethodGet, "/v1/clauses", "sales", nil), http.StatusOK)
	require.Len(t, library.Items, 1)
	assert.Equal(t, 2, library.Items[0].Version)

	tpl["clauses"] = []map[string]any{{"id": "x", "library": "no-such-clause"}}
	missing := expect[errorBody](t, call(t, s, http.MethodPost, "/v1/templates", "legal", tpl), http.StatusNotFound)
	require.Len(t, missing.Fields, 1)
	assert.Equal(t, "clauses[0].library", missing.Fields[0].Field)
	tpl["language"] = "en"
	tpl["clauses"] = []map[string]any{{"id": "x", "library": "confidentiality"}}
	assert.Equal(t, []string{"clauses[0].library"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/templates", "legal", tpl)))
}

func TestDrafterEditsTheDraftAfterChangesAreRequested(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	state := create(t, s, newContract(50_000_00, "2026-01-01", "2026-12-31"))
	n := state.Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	task := waitTask(t, s, "sales_manager", n)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/tasks/"+task.ID+"/decision", "sales_manager",
		map[string]any{"decision": "request_changes", "opinion": "请按两套许可报价"}), http.StatusOK)

	edit := newContract(0, "2026-01-01", "2027-06-30")
	edit["title"] = "星辰数据平台采购合同（修订）"
	edit["line_items"] = []map[string]any{{"product_id": devstack.DemoLicenceProductID, "quantity": "2"}}
	expect[errorBody](t, call(t, s, http.MethodPut, "/v1/contracts/"+n+"/content", "finance", edit), http.StatusForbidden)
	expect[errorBody](t, call(t, s, http.MethodPut, "/v1/contracts/"+n+"/content", "sales2", edit), http.StatusNotFound)
	bad := newContract(0, "2026-01-01", "2026-12-31")
	bad["line_items"] = []map[string]any{{"product_id": devstack.DemoLicenceProductID, "quantity": "-2"}}
	assert.Equal(t, []string{"line_items[0].quantity"}, fieldsOf(t, call(t, s, http.MethodPut, "/v1/contracts/"+n+"/content", "sales", bad)))

	revised := expect[workflows.ContractState](t, call(t, s, http.MethodPut, "/v1/contracts/"+n+"/content", "sales", edit), http.StatusOK)
	assert.Equal(t, domain.StatusDraft, revised.Status)
	assert.Equal(t, int64(2*110_740_00), revised.Contract.Amount)
	assert.Equal(t, "星辰数据平台采购合同（修订）", revised.Contract.Title)
	assert.Equal(t, "2027-06-30", revised.Contract.EndDate)
	assert.NotEqual(t, state.Contract.DocumentSHA256, revised.Contract.DocumentSHA256)
	assert.Equal(t, n, revised.Contract.Number)
	assert.Equal(t, "demo-sales", revised.Contract.OwnerID)

	view := expect[struct {
		Contract  store.ContractRow
		LineItems []store.LineItem `json:"line_items"`
	}](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK)
	assert.Equal(t, int64(2*110_740_00), view.Contract.Amount)
	assert.Equal(t, revised.Contract.DocumentSHA256, view.Contract.DocumentSHA256)
	require.Len(t, view.LineItems, 1)
	assert.Equal(t, int64(2000), view.LineItems[0].QuantityMilli)
	text := call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document?format=text", "sales", nil)
	assert.Contains(t, string(text.Body), "星辰数据平台采购合同（修订）")
	assert.Contains(t, string(text.Body), "2027年6月30日")

	// Resubmitted, the new amount needs finance too.
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	approveAs(t, s, "sales_manager", n)
	assert.NotEmpty(t, waitTask(t, s, "finance", n).ID, "finance's stage follows")
	expect[errorBody](t, call(t, s, http.MethodPut, "/v1/contracts/"+n+"/content", "sales", edit), http.StatusConflict)
	listByQuery(t, s, fmt.Sprintf("ContractNumber = '%s' AND ContractAmount = %d", n, 2*110_740_00), 1)
}

// approveAs approves role's open task of contract n.
func approveAs(t testing.TB, s *testenv.Stack, role, n string) workflows.ContractState {
	t.Helper()
	task := waitTask(t, s, role, n)
	return expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/tasks/"+task.ID+"/decision", role,
		map[string]any{"decision": "approve"}), http.StatusOK)
}

// A number a workflow claimed while its draft's commit was lost (the
// workflow then records the draft itself) is skipped, instead of making
// every later creation collide with it.
func TestCreationSkipsANumberAWorkflowAlreadyRecorded(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	ctx := context.Background()
	year := time.Now().In(s.Loc).Year()
	var last int
	require.NoError(t, s.Store.Pool().QueryRow(ctx, `SELECT last_value FROM contract_sequences WHERE year = $1`, year).Scan(&last))
	orphan := domain.FormatContractNumber(year, last+1)
	now := time.Now().UTC()
	_, err := s.Store.Pool().Exec(ctx, `INSERT INTO contracts (number, title, customer_name, owner_id, owner_name, amount, currency,
		start_date, end_date, expires_at, status, version, event_seq, created_at, updated_at)
		VALUES ($1, '孤儿合同', '上海星辰科技有限公司', 'demo-sales', '张伟', 100, 'CNY', '2026-01-01', '2026-12-31', $2, 'draft', 1, 1, $2, $2)`, orphan, now)
	require.NoError(t, err)

	state := create(t, s, newContract(50_00, "2026-01-01", "2026-12-31"))
	assert.Equal(t, domain.FormatContractNumber(year, last+2), state.Contract.Number)
}
