package document

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"slices"
	"strings"

	"github.com/signet-clm/signet/internal/domain"
)

// Party is one side of a contract as the document names it.
type Party struct {
	Name       string `json:"name"`
	CreditCode string `json:"credit_code,omitempty"`
	Contact    string `json:"contact,omitempty"`
}

// Line is one priced line item.
type Line = domain.LineItem

// ExtraClause is a non-standard clause added outside the template.
type ExtraClause struct {
	Title string `json:"title" validate:"required,max=200,singleline"`
	Body  string `json:"body" validate:"required,max=20000,clause_text"`
}

// Input is everything a document is rendered from.
type Input struct {
	Number    string            `json:"number"`
	Title     string            `json:"title"`
	Currency  string            `json:"currency"`
	StartDate string            `json:"start_date"`
	EndDate   string            `json:"end_date"`
	Company   Party             `json:"company"`
	Customer  Party             `json:"customer"`
	Owner     string            `json:"owner"`
	Values    map[string]string `json:"values"` // display text per field, from ResolveFields
	// Fields are the drafter's raw values, kept for the risk checks.
	Fields   map[string]json.RawMessage `json:"fields,omitempty"`
	Optional []string                   `json:"optional_clauses"`
	Extra    []ExtraClause              `json:"non_standard_clauses"`
	Lines    []Line                     `json:"lines"`
	Totals   domain.LineAmounts         `json:"totals"`
	// The payment plan, obligations and renewal terms are part of the
	// deal, so they are rendered into the text whose hash is approved and
	// signed. Documents rendered before they were carried lack them.
	PaymentPlan []Payment       `json:"payment_plan,omitempty"`
	Obligations []Deliverable   `json:"obligations,omitempty"`
	Renewal     *domain.Renewal `json:"renewal,omitempty"`
}

// Payment is one milestone of the payment plan as the document states it.
type Payment struct {
	Title   string `json:"title"`
	Amount  int64  `json:"amount"`
	DueDate string `json:"due_date"`
}

// Deliverable is one obligation as the document states it: what is owed
// by when. Who tracks it inside the company is not part of the deal.
type Deliverable struct {
	Title   string `json:"title"`
	DueDate string `json:"due_date"`
}

// RenderedClause is one numbered clause with its placeholders filled.
type RenderedClause struct {
	No          int    `json:"no"`
	ID          string `json:"id,omitempty"`
	Title       string `json:"title"`
	Text        string `json:"text"`
	NonStandard bool   `json:"non_standard,omitempty"`
}

// Document is a rendered contract. SHA256 is the hash of Text, the
// canonical form; HTML shows the same content.
type Document struct {
	TemplateID      string           `json:"template_id"`
	TemplateVersion int              `json:"template_version"`
	Input           Input            `json:"input"`
	Clauses         []RenderedClause `json:"clauses"`
	Text            string           `json:"-"`
	HTML            string           `json:"-"`
	SHA256          string           `json:"sha256"`
}

type labels struct {
	number, company, customer, creditCode, contact, term, to, items, total, net, tax, clause, nonStandard, sep string
	columns                                                                                                    []string
	plan, obligations, renewal                                                                                 string
	planColumns, obligationColumns                                                                             []string
	autoRenew, noAutoRenew, throughApproval, notices, noNotices, daysJoin                                      string
}

var languages = map[string]labels{
	"zh": {
		number: "合同编号", company: "甲方", customer: "乙方", creditCode: "统一社会信用代码", contact: "联系人",
		term: "合同期限", to: "至", items: "产品清单", total: "合同总金额", net: "不含税金额", tax: "税额",
		clause: "第%d条", nonStandard: "（非标准条款）", sep: "：",
		columns: []string{"序号", "产品", "单位", "数量", "单价", "折扣", "税率", "金额（含税）"},
		plan:    "回款计划", obligations: "履约事项", renewal: "续期条款",
		planColumns: []string{"序号", "款项", "金额", "到期日"}, obligationColumns: []string{"序号", "事项", "完成期限"},
		autoRenew: "本合同期满自动续期一期，续期期限与本期相同", noAutoRenew: "本合同期满不自动续期",
		throughApproval: "续期须经甲方审批", notices: "到期前%s日提示续期", noNotices: "到期前不作续期提示", daysJoin: "、",
	},
	"en": {
		number: "Contract No.", company: "Party A", customer: "Party B", creditCode: "Unified Social Credit Code", contact: "Contact",
		term: "Term", to: "to", items: "Line items", total: "Contract total", net: "Net of tax", tax: "Tax",
		clause: "Clause %d", nonStandard: " (non-standard)", sep: ": ",
		columns: []string{"No.", "Product", "Unit", "Quantity", "Unit price", "Discount", "Tax rate", "Amount (incl. tax)"},
		plan:    "Payment plan", obligations: "Obligations", renewal: "Renewal",
		planColumns: []string{"No.", "Instalment", "Amount", "Due date"}, obligationColumns: []string{"No.", "Deliverable", "Due by"},
		autoRenew: "This contract renews automatically at the end of its term for a further term of the same length", noAutoRenew: "This contract does not renew automatically",
		throughApproval: "renewal is subject to Party A's approval", notices: "renewal notice %s days before the end date", noNotices: "no renewal notice before the end date", daysJoin: ", ",
	},
}

// Render makes the canonical document of a contract from a template version
// and its inputs. It is a pure function: the same inputs give the same bytes
// and hash. Optional clauses not named in in.Optional are left out.
func Render(t Template, in Input) (Document, error) {
	l, ok := languages[t.Language]
	if !ok {
		return Document{}, fmt.Errorf("template %s has unknown language %q", t.ID, t.Language)
	}
	values := map[string]string{
		PlaceholderNumber:        in.Number,
		PlaceholderTitle:         in.Title,
		PlaceholderStartDate:     FormatDate(in.StartDate, t.Language),
		PlaceholderEndDate:       FormatDate(in.EndDate, t.Language),
		SourceCustomerName:       in.Customer.Name,
		SourceCustomerCreditCode: in.Customer.CreditCode,
		SourceContactName:        in.Customer.Contact,
		SourceOwnerName:          in.Owner,
		SourceCompanyName:        in.Company.Name,
		SourceContractTotal:      FormatMoney(domain.Money{Amount: in.Totals.Total, Currency: in.Currency}, t.Language),
	}
	for k, v := range in.Values {
		values[k] = v
	}
	fill := func(s string) string {
		return placeholderPattern.ReplaceAllStringFunc(s, func(m string) string {
			return values[placeholderPattern.FindStringSubmatch(m)[1]]
		})
	}
	doc := Document{TemplateID: t.ID, TemplateVersion: t.Version, Input: in}
	for _, c := range t.Clauses {
		if c.Optional && !slices.Contains(in.Optional, c.ID) {
			continue
		}
		doc.Clauses = append(doc.Clauses, RenderedClause{No: len(doc.Clauses) + 1, ID: c.ID, Title: fill(c.Title), Text: fill(c.Body)})
	}
	for _, x := range in.Extra {
		doc.Clauses = append(doc.Clauses, RenderedClause{No: len(doc.Clauses) + 1, Title: x.Title, Text: x.Body, NonStandard: true})
	}
	doc.Text = renderText(doc, l, t.Language)
	doc.HTML = renderHTML(doc, l, t.Language)
	sum := sha256.Sum256([]byte(doc.Text))
	doc.SHA256 = hex.EncodeToString(sum[:])
	return doc, nil
}

// lineCells are a line's table cells in column order.
func lineCells(i int, ln Line, currency, lang string) []string {
	return []string{
		fmt.Sprint(i + 1), ln.Description, ln.Unit, formatQuantity(ln.QuantityMilli),
		FormatMoney(domain.Money{Amount: ln.UnitPrice, Currency: currency}, "en"),
		formatPercent(ln.DiscountBP), formatPercent(ln.TaxRateBP),
		FormatMoney(domain.Money{Amount: ln.Total, Currency: currency}, "en"),
	}
}

// planCells are a milestone's table cells in column order.
func planCells(i int, p Payment, currency, lang string) []string {
	return []string{fmt.Sprint(i + 1), p.Title, FormatMoney(domain.Money{Amount: p.Amount, Currency: currency}, "en"), FormatDate(p.DueDate, lang)}
}

func obligationCells(i int, o Deliverable, lang string) []string {
	return []string{fmt.Sprint(i + 1), o.Title, FormatDate(o.DueDate, lang)}
}

// renewalText states the renewal terms as one sentence.
func renewalText(r domain.Renewal, l labels, lang string) string {
	parts := []string{l.noAutoRenew}
	if r.AutoRenew {
		parts = []string{l.autoRenew}
		if r.ThroughApproval {
			parts = append(parts, l.throughApproval)
		}
	}
	days := make([]string, len(r.NoticeDays))
	for i, d := range r.NoticeDays {
		days[i] = fmt.Sprint(d)
	}
	notice := l.noNotices
	if len(days) > 0 {
		notice = fmt.Sprintf(l.notices, strings.Join(days, l.daysJoin))
	}
	if lang == "zh" {
		return strings.Join(parts, "，") + "；" + notice + "。"
	}
	return strings.Join(parts, ", ") + "; " + notice + "."
}

// schedules are the plan, obligations and renewal as titled tables, in
// the order both renderings show them.
type schedule struct {
	title   string
	columns []string
	rows    [][]string
	text    string
}

func schedules(in Input, l labels, lang string) []schedule {
	var out []schedule
	if len(in.PaymentPlan) > 0 {
		s := schedule{title: l.plan, columns: l.planColumns}
		for i, p := range in.PaymentPlan {
			s.rows = append(s.rows, planCells(i, p, in.Currency, lang))
		}
		out = append(out, s)
	}
	if len(in.Obligations) > 0 {
		s := schedule{title: l.obligations, columns: l.obligationColumns}
		for i, o := range in.Obligations {
			s.rows = append(s.rows, obligationCells(i, o, lang))
		}
		out = append(out, s)
	}
	if in.Renewal != nil {
		out = append(out, schedule{title: l.renewal, text: renewalText(*in.Renewal, l, lang)})
	}
	return out
}

// itemsTable is the line items as a titled table.
func itemsTable(in Input, l labels, lang string) schedule {
	t := schedule{title: l.items, columns: l.columns}
	for i, ln := range in.Lines {
		t.rows = append(t.rows, lineCells(i, ln, in.Currency, lang))
	}
	return t
}

// htmlTable writes a titled table as the HTML rendering has it.
func htmlTable(b *strings.Builder, t schedule, class string) {
	attr := ""
	if class != "" {
		attr = fmt.Sprintf(" class=%q", class)
	}
	fmt.Fprintf(b, "<h2>%s</h2>\n<table%s>\n<tr>", html.EscapeString(t.title), attr)
	for _, c := range t.columns {
		fmt.Fprintf(b, "<th>%s</th>", html.EscapeString(c))
	}
	b.WriteString("</tr>\n")
	for _, r := range t.rows {
		b.WriteString("<tr>")
		for _, c := range r {
			fmt.Fprintf(b, "<td>%s</td>", html.EscapeString(c))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>\n")
}

func partyLines(label string, p Party, l labels) []string {
	lines := []string{label + l.sep + p.Name}
	if p.CreditCode != "" {
		lines = append(lines, "  "+l.creditCode+l.sep+p.CreditCode)
	}
	if p.Contact != "" {
		lines = append(lines, "  "+l.contact+l.sep+p.Contact)
	}
	return lines
}

func renderText(d Document, l labels, lang string) string {
	var b strings.Builder
	for _, p := range buildParts(d, l, lang) {
		b.WriteString(p.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

func renderHTML(d Document, l labels, lang string) string {
	in := d.Input
	esc := html.EscapeString
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head><meta charset=\"utf-8\"><title>%s</title></head>\n<body>\n", lang, esc(in.Title))
	fmt.Fprintf(&b, "<h1>%s</h1>\n<p class=\"number\">%s%s%s</p>\n<dl class=\"parties\">\n", esc(in.Title), esc(l.number), l.sep, esc(in.Number))
	for _, p := range []struct {
		label string
		party Party
	}{{l.company, in.Company}, {l.customer, in.Customer}} {
		fmt.Fprintf(&b, "<dt>%s</dt><dd>%s", esc(p.label), esc(p.party.Name))
		if p.party.CreditCode != "" {
			fmt.Fprintf(&b, "<br>%s%s%s", esc(l.creditCode), l.sep, esc(p.party.CreditCode))
		}
		if p.party.Contact != "" {
			fmt.Fprintf(&b, "<br>%s%s%s", esc(l.contact), l.sep, esc(p.party.Contact))
		}
		b.WriteString("</dd>\n")
	}
	fmt.Fprintf(&b, "</dl>\n<p class=\"term\">%s%s%s %s %s</p>\n", esc(l.term), l.sep, esc(FormatDate(in.StartDate, lang)), esc(l.to), esc(FormatDate(in.EndDate, lang)))
	if len(in.Lines) > 0 {
		htmlTable(&b, itemsTable(in, l, lang), "")
		fmt.Fprintf(&b, "<p class=\"net\">%s%s%s</p>\n<p class=\"tax\">%s%s%s</p>\n",
			esc(l.net), l.sep, esc(FormatMoney(domain.Money{Amount: in.Totals.Net, Currency: in.Currency}, "en")),
			esc(l.tax), l.sep, esc(FormatMoney(domain.Money{Amount: in.Totals.Tax, Currency: in.Currency}, "en")))
	}
	fmt.Fprintf(&b, "<p class=\"total\">%s%s%s</p>\n", esc(l.total), l.sep, esc(FormatMoney(domain.Money{Amount: in.Totals.Total, Currency: in.Currency}, lang)))
	for _, s := range schedules(in, l, lang) {
		if s.text != "" {
			fmt.Fprintf(&b, "<p class=\"renewal\">%s%s%s</p>\n", esc(s.title), l.sep, esc(s.text))
			continue
		}
		htmlTable(&b, s, "schedule")
	}
	for _, c := range d.Clauses {
		class := "clause"
		title := fmt.Sprintf(l.clause, c.No) + " " + c.Title
		if c.NonStandard {
			class += " non-standard"
			title += l.nonStandard
		}
		fmt.Fprintf(&b, "<section class=\"%s\">\n<h3>%s</h3>\n", class, esc(title))
		for _, p := range strings.Split(c.Text, "\n") {
			fmt.Fprintf(&b, "<p>%s</p>\n", esc(p))
		}
		b.WriteString("</section>\n")
	}
	b.WriteString("</body>\n</html>\n")
	return b.String()
}
