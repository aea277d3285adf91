package reports

import (
	"github.com/signet-clm/signet/internal/domain"
)

// LedgerHeaders are the ledger's export columns.
var LedgerHeaders = []string{"合同编号", "合同名称", "客户", "负责人", "合同类型", "币种", "合同金额", "签订日期",
	"开始日期", "结束日期", "状态", "已开票", "已回款", "未回款", "逾期"}

// LedgerCells is a ledger row as exported cells, in LedgerHeaders' order.
func LedgerCells(r LedgerRow) []any {
	m := func(a int64) domain.Money { return domain.Money{Amount: a, Currency: r.Currency} }
	return []any{r.Number, r.Title, r.CustomerName, r.OwnerName, r.TypeName, r.Currency, m(r.Amount), Date(r.SignedOn),
		Date(r.StartDate), Date(r.EndDate), string(r.Status), m(r.Invoiced), m(r.Received), m(r.Outstanding), r.Overdue}
}

// LedgerTable exports the rows an iterator reads, one at a time.
func LedgerTable(it *RowIter[LedgerRow]) Table {
	return Table{Sheet: "合同台账", Headers: LedgerHeaders, Next: func() ([]any, bool) {
		if !it.Next() {
			return nil, false
		}
		return LedgerCells(it.Row()), true
	}, Err: it.Err}
}

// dimensionHeaders name each dimension's column.
var dimensionHeaders = map[string]string{
	DimMonth: "月份", DimCustomer: "客户", DimOwner: "负责人", DimProductLine: "产品线", DimStatus: "状态",
}

// totalLabel marks the per-currency total rows at the end of an export.
const totalLabel = "合计"

func figureCells(f Figures) []any {
	m := func(a int64) domain.Money { return domain.Money{Amount: a, Currency: f.Currency} }
	return []any{f.Currency, f.Count, m(f.Amount), m(f.Invoiced), m(f.Received), m(f.Outstanding)}
}

// Table exports the figures: a column per dimension (its label), then the
// figures; one total row per currency at the end.
func (s Summary) Table() Table {
	var headers []string
	for _, d := range s.GroupBy {
		headers = append(headers, dimensionHeaders[d])
	}
	headers = append(headers, "币种", "合同数", "合同金额", "已开票", "已回款", "未回款")
	var rows [][]any
	for _, r := range s.Rows {
		var row []any
		for _, g := range r.Groups {
			row = append(row, g.Label)
		}
		rows = append(rows, append(row, figureCells(r.Figures)...))
	}
	for _, t := range s.Totals {
		row := []any{totalLabel}
		for range len(s.GroupBy) - 1 {
			row = append(row, "")
		}
		rows = append(rows, append(row, figureCells(t)...))
	}
	return SliceTable("合同汇总", headers, rows)
}

func bucketCells(b Buckets) []any {
	m := func(a int64) domain.Money { return domain.Money{Amount: a, Currency: b.Currency} }
	return []any{b.Currency, m(b.NotDue), m(b.Days0To30), m(b.Days31To60), m(b.Days61To90), m(b.DaysOver90), m(b.Overdue), m(b.Outstanding)}
}

// Table exports the aging: one row per customer and currency, then one
// total row per currency.
func (a Aging) Table() Table {
	headers := []string{"客户", "币种", "未到期", "逾期0-30天", "逾期31-60天", "逾期61-90天", "逾期90天以上", "逾期合计", "未回款合计"}
	var rows [][]any
	for _, r := range a.Rows {
		rows = append(rows, append([]any{r.CustomerName}, bucketCells(r.Buckets)...))
	}
	for _, t := range a.Totals {
		rows = append(rows, append([]any{totalLabel}, bucketCells(t)...))
	}
	return SliceTable("应收账龄", headers, rows)
}

// Table exports the cycle times, in seconds.
func (c Cycle) Table() Table {
	headers := []string{"审批流程", "阶段", "阶段名称", "已审批", "待审批", "已升级", "P50（秒）", "P90（秒）"}
	var rows [][]any
	for _, r := range c.Rows {
		rows = append(rows, []any{r.PolicyID, int64(r.Stage), r.StageName, r.Decided, r.Open, r.Escalated, r.P50Seconds, r.P90Seconds})
	}
	return SliceTable("审批周期", headers, rows)
}

// Table exports the renewal pipeline.
func (r Renewals) Table() Table {
	headers := []string{"合同编号", "合同名称", "客户", "负责人", "币种", "合同金额", "结束日期", "剩余天数", "窗口（天）", "续签状态", "后续合同"}
	var rows [][]any
	for _, x := range r.Rows {
		rows = append(rows, []any{x.Number, x.Title, x.CustomerName, x.OwnerName, x.Currency,
			domain.Money{Amount: x.Amount, Currency: x.Currency}, Date(x.EndDate), int64(x.DaysLeft), int64(x.Window), x.RenewalStatus, x.Successor})
	}
	return SliceTable("续签管道", headers, rows)
}
