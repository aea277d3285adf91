package document

import (
	"encoding/json"

	"github.com/signet-clm/signet/internal/domain"
)

// Sample renders t as a drafter would see it filled in with sample
// values: each field given a value of its type within its bounds, every
// optional clause included, one line item, so an editor previews the
// whole text before saving a version. The values are only illustrative.
func Sample(t Template) (Document, []FieldError, error) {
	zh := t.Language == "zh"
	pick := func(z, e string) string {
		if zh {
			return z
		}
		return e
	}
	given := map[string]json.RawMessage{}
	for _, f := range t.Fields {
		if f.Source != "" {
			continue
		}
		var v any
		switch f.Type {
		case FieldMoney:
			v = int64(10_000_00)
		case FieldDate:
			v = "2027-01-15"
		case FieldInteger:
			n := int64(30)
			if f.Min != nil && n < *f.Min {
				n = *f.Min
			}
			if f.Max != nil && n > *f.Max {
				n = *f.Max
			}
			v = n
		case FieldChoice:
			if len(f.Choices) > 0 {
				v = f.Choices[0]
			}
		default:
			s := pick("示例", "Sample ") + f.Label
			if f.MaxLength > 0 && len([]rune(s)) > f.MaxLength {
				s = string([]rune(s)[:f.MaxLength])
			}
			v = s
		}
		if v == nil {
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return Document{}, nil, err
		}
		given[f.Name] = raw
	}
	amounts, err := domain.PriceLine(10_000_00, 1000, 0, 0)
	if err != nil {
		return Document{}, nil, err
	}
	line := domain.LineItem{Description: pick("示例产品", "Sample product"), Unit: pick("套", "set"), QuantityMilli: 1000,
		ListPrice: 10_000_00, UnitPrice: 10_000_00, LineAmounts: amounts}
	totals, err := domain.SumTotals([]domain.LineAmounts{amounts})
	if err != nil {
		return Document{}, nil, err
	}
	company := Party{Name: pick("示例科技有限公司", "Example Technology Co., Ltd."), CreditCode: "91350100M000100Y43"}
	customer := Party{Name: pick("示例客户有限公司", "Sample Customer Ltd."), CreditCode: "91110000600037341L", Contact: pick("王建国", "Wang Jianguo")}
	auto := map[string]string{SourceCustomerName: customer.Name, SourceCustomerCreditCode: customer.CreditCode, SourceContactName: customer.Contact,
		SourceOwnerName: pick("张伟", "Zhang Wei"), SourceCompanyName: company.Name,
		SourceContractTotal: FormatMoney(domain.Money{Amount: totals.Total, Currency: "CNY"}, t.Language)}
	values, errs := ResolveFields(t, given, auto, "CNY")
	var optional []string
	for _, c := range t.Clauses {
		if c.Optional {
			optional = append(optional, c.ID)
		}
	}
	in := Input{Number: "HT-2027-000001", Title: pick("示例合同", "Sample contract"), Currency: "CNY", StartDate: "2027-01-01", EndDate: "2027-12-31",
		Company: company, Customer: customer, Owner: auto[SourceOwnerName], Values: values, Fields: given, Optional: optional,
		Lines: []Line{line}, Totals: totals,
		PaymentPlan: []Payment{{Title: pick("首付款", "Down payment"), Amount: totals.Total, DueDate: "2027-02-01"}}}
	d, err := Render(t, in)
	return d, errs, err
}
