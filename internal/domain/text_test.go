package domain_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/signet-clm/signet/internal/domain"
)

func TestTypedTextStaysOnItsLine(t *testing.T) {
	for s, want := range map[string]bool{
		"星辰数据平台采购合同": true, "A & B <c>": true, "": true,
		"标题\n合同编号：HT-2026-999999": false, "a\rb": false, "a\tb": false, "nul\x00": false,
		"sep\u2028x": false, "rlo\u202eevil": false, "bom\ufeff": false,
	} {
		assert.Equal(t, want, domain.SingleLine(s), "%q", s)
	}
	for in, want := range map[string]string{
		"Monitoring\n\nClause 9 Extra": "Monitoring Clause 9 Extra",
		"a \r\n  b\tc":                 "a b c",
		" x\u2028y ":                   "x y",
	} {
		got, ok := domain.Paragraph(in)
		assert.True(t, ok, "%q", in)
		assert.Equal(t, want, got, "%q", in)
	}
	_, ok := domain.Paragraph("bell\a")
	assert.False(t, ok)
	for s, want := range map[string]bool{
		"第9条 附加条款": true, "正文\n 第 12 条 付款": true, "第十条 违约": true, "Clause 3 Fees": true, "clause 3": true,
		"合同编号：HT-2026-000001": true, "Contract No. X": true,
		"依第3条约定": false, "see Clause 3": false, "普通文本": false,
	} {
		assert.Equal(t, want, domain.LooksLikeHeading(s), "%q", s)
	}
}

func TestEffectiveDiscountReadsTheListPrice(t *testing.T) {
	line := func(list, price, qty int64, discount int) domain.LineItem {
		a, err := domain.PriceLine(price, qty, discount, 1300)
		assert.NoError(t, err)
		return domain.LineItem{ListPrice: list, UnitPrice: price, QuantityMilli: qty, DiscountBP: discount, LineAmounts: a}
	}
	assert.Equal(t, 9999, line(98_000_00, 1, 1000, 0).EffectiveDiscountBP(), "1 fen for a 98,000.00 licence is not 0%")
	assert.Equal(t, 2000, line(100_00, 80_00, 1000, 0).EffectiveDiscountBP(), "a negotiated price is a discount")
	assert.Equal(t, 2800, line(100_00, 90_00, 3000, 2000).EffectiveDiscountBP(), "price and stated discount compound")
	assert.Equal(t, 0, line(100_00, 120_00, 1000, 0).EffectiveDiscountBP(), "above list is no discount")
	assert.Equal(t, 500, line(0, 100_00, 1000, 500).EffectiveDiscountBP(), "without a list price the stated discount counts")
	assert.Equal(t, 10000, line(100_00, 0, 1000, 0).EffectiveDiscountBP(), "free is the whole discount")
	assert.Equal(t, 1, line(100_000_00, 99_999_99, 1000, 0).EffectiveDiscountBP(), "rounded up, so a threshold is never slipped under")
}
