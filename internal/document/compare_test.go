package document_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
)

func TestCompareListsTermsAndClauses(t *testing.T) {
	a := document.Document{
		Input: document.Input{Title: "年度服务合同", Currency: "CNY", StartDate: "2026-01-01", EndDate: "2026-12-31",
			Values: map[string]string{"payment_terms_days": "30", "delivery_place": "上海"},
			Lines:  []document.Line{{Description: "许可", QuantityMilli: 1000, LineAmounts: domain.LineAmounts{Total: 100_00}}},
			Totals: domain.LineAmounts{Total: 100_00}},
		Clauses: []document.RenderedClause{{No: 1, ID: "scope", Title: "标的", Text: "旧文"}, {No: 2, ID: "dispute", Title: "争议", Text: "诉讼"},
			{No: 3, Title: "特别约定", Text: "甲", NonStandard: true}},
	}
	b := a
	b.Input.EndDate, b.Input.Totals = "2027-06-30", domain.LineAmounts{Total: 150_00}
	b.Input.Values = map[string]string{"payment_terms_days": "60", "delivery_place": "上海", "warranty": "一年"}
	b.Input.Lines = []document.Line{a.Input.Lines[0], {Description: "实施", QuantityMilli: 2500, LineAmounts: domain.LineAmounts{Total: 50_00}}}
	b.Clauses = []document.RenderedClause{{No: 1, ID: "scope", Title: "标的", Text: "新文"}, {No: 2, Title: "特别约定", Text: "甲", NonStandard: true},
		{No: 3, ID: "sla", Title: "服务水平", Text: "99.9%"}}

	c := document.Compare(a, b)
	assert.Equal(t, []document.FieldChange{
		{Field: "end_date", From: "2026-12-31", To: "2027-06-30"},
		{Field: "total", From: "CNY 100.00", To: "CNY 150.00"},
		{Field: "fields.payment_terms_days", From: "30", To: "60"},
		{Field: "fields.warranty", From: "", To: "一年"},
		{Field: "line_items[1]", From: "", To: "实施 × 2.5 = CNY 50.00"},
	}, c.Fields)
	assert.Equal(t, []document.ClauseChange{
		{Key: "scope", Title: "标的", Change: "changed", From: "旧文", To: "新文"},
		{Key: "sla", Title: "服务水平", Change: "added", To: "99.9%"},
		{Key: "dispute", Title: "争议", Change: "removed", From: "诉讼"},
	}, c.Clauses, "a non-standard clause that moved but did not change is no change")
	assert.Empty(t, document.Compare(a, a).Fields)
}
