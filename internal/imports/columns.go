package imports

import (
	"fmt"
	"strings"
)

// Kind is what a file holds.
type Kind string

const (
	KindCustomers Kind = "customers"
	KindProducts  Kind = "products"
	KindContracts Kind = "contracts"
)

// Kinds lists every kind, in the order the console offers them.
var Kinds = []Kind{KindCustomers, KindProducts, KindContracts}

// Column is one column a kind's file may carry. A header cell names it by
// its key, its Chinese label, or both as the template writes them
// ("客户名称(name)"), so a person may retitle either half.
type Column struct {
	Key      string
	Label    string
	Required bool
	// Example is the template's sample value.
	Example string
}

// Header is how the template titles the column.
func (c Column) Header() string {
	if c.Required {
		return c.Label + "(" + c.Key + ")*"
	}
	return c.Label + "(" + c.Key + ")"
}

// Columns are each kind's columns, in template order.
var Columns = map[Kind][]Column{
	KindCustomers: {
		{Key: "external_id", Label: "外部编号", Required: true, Example: "CRM-0001"},
		{Key: "name", Label: "客户名称", Required: true, Example: "上海星河科技有限公司"},
		{Key: "credit_code", Label: "统一社会信用代码", Example: "91310000MA1FL0000X"},
		{Key: "industry", Label: "行业", Example: "制造业"},
		{Key: "region", Label: "地区", Example: "华东"},
		{Key: "tier", Label: "客户等级", Required: true, Example: "A"},
		{Key: "owner", Label: "负责人账号", Example: "sales"},
		{Key: "contact_name", Label: "联系人", Example: "王芳"},
		{Key: "contact_title", Label: "职务", Example: "采购经理"},
		{Key: "contact_phone", Label: "电话", Example: "13800000000"},
		{Key: "contact_email", Label: "邮箱", Example: "wang.fang@example.cn"},
		{Key: "contact_may_sign", Label: "可签约", Example: "是"},
	},
	KindProducts: {
		{Key: "external_id", Label: "外部编号", Required: true, Example: "ERP-SKU-01"},
		{Key: "line", Label: "产品线", Required: true, Example: "软件订阅"},
		{Key: "name", Label: "产品名称", Required: true, Example: "标准版(年)"},
		{Key: "unit", Label: "单位", Required: true, Example: "套"},
		{Key: "list_price", Label: "单价(不含税)", Required: true, Example: "12800.00"},
		{Key: "currency", Label: "币种", Example: "CNY"},
		{Key: "tax_rate", Label: "税率", Required: true, Example: "13%"},
		{Key: "active", Label: "在售", Example: "是"},
	},
	KindContracts: {
		{Key: "external_id", Label: "原合同编号", Required: true, Example: "HT-2024-0001"},
		{Key: "title", Label: "合同名称", Required: true, Example: "2024年度软件服务合同"},
		{Key: "customer_external_id", Label: "客户外部编号", Required: true, Example: "CRM-0001"},
		{Key: "owner", Label: "负责人账号", Example: "sales"},
		{Key: "amount", Label: "合同金额(含税)", Required: true, Example: "144640.00"},
		{Key: "currency", Label: "币种", Example: "CNY"},
		{Key: "signed_date", Label: "签订日期", Required: true, Example: "2024-01-10"},
		{Key: "start_date", Label: "开始日期", Required: true, Example: "2024-01-15"},
		{Key: "end_date", Label: "结束日期", Required: true, Example: "2025-01-14"},
		{Key: "payment_plan", Label: "付款计划", Example: "首付款:50%:2024-01-31;尾款:50%:2024-07-31"},
		{Key: "invoiced", Label: "已开票金额", Example: "144640.00"},
		{Key: "received", Label: "已收款金额", Example: "72320.00"},
		{Key: "obligations", Label: "履约事项", Example: "上线验收:2024-03-31"},
		{Key: "auto_renew", Label: "自动续约", Example: "否"},
		{Key: "notice_days", Label: "续约提醒天数", Example: "30"},
	},
}

// columnTitle is how the template titles kind's column key.
func columnTitle(kind Kind, key string) string {
	return layout{kind: kind}.title(key)
}

// ParseKind checks a kind's name.
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

// headerKey is the column key a header cell names, or "".
func headerKey(kind Kind, cell string) string {
	cell = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(cell), "*"))
	inner := ""
	// "客户名称(name)" or "客户名称（name）": either half names the column.
	for _, open := range []string{"(", "（"} {
		if i := strings.LastIndex(cell, open); i > 0 {
			inner = strings.Trim(cell[i+len(open):], " )）")
			cell = strings.TrimSpace(cell[:i])
			break
		}
	}
	for _, c := range Columns[kind] {
		if strings.EqualFold(cell, c.Key) || cell == c.Label || strings.EqualFold(inner, c.Key) {
			return c.Key
		}
	}
	return ""
}

// layout maps a file's header to the kind's columns: each key's index, or
// the header's problems (an unknown or repeated column, a required one
// missing), which stop the file before any row is read.
type layout struct {
	kind   Kind
	index  map[string]int
	titles map[string]string
}

func newLayout(kind Kind, header []string) (layout, []Problem) {
	l := layout{kind: kind, index: map[string]int{}, titles: map[string]string{}}
	var problems []Problem
	for i, cell := range header {
		key := headerKey(kind, cell)
		switch {
		case key == "":
			problems = append(problems, Problem{Line: 1, Column: cell, Message: "unknown column"})
		case l.has(key):
			problems = append(problems, Problem{Line: 1, Column: cell, Message: "repeats column " + l.titles[key]})
		default:
			l.index[key], l.titles[key] = i, cell
		}
	}
	for _, c := range Columns[kind] {
		if c.Required && !l.has(c.Key) {
			problems = append(problems, Problem{Line: 1, Column: c.Header(), Message: "required column is missing"})
		}
	}
	return l, problems
}

func (l layout) has(key string) bool { _, ok := l.index[key]; return ok }

// cell is the row's value in key's column ("" when absent).
func (l layout) cell(r Row, key string) string {
	i, ok := l.index[key]
	if !ok || i >= len(r.Cells) {
		return ""
	}
	return r.Cells[i]
}

// title is how the file titles key's column, for reports.
func (l layout) title(key string) string {
	if t, ok := l.titles[key]; ok {
		return t
	}
	for _, c := range Columns[l.kind] {
		if c.Key == key {
			return c.Header()
		}
	}
	return key
}

// Problem is one thing wrong with a file: a row's cell, or the header.
type Problem struct {
	Line int `json:"line"`
	// Column is the column as the file titles it; Field its key.
	Column  string `json:"column"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string { return fmt.Sprintf("line %d, %s: %s", p.Line, p.Column, p.Message) }
