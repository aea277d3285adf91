package domain_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
)

func TestPriceLine(t *testing.T) {
	cases := []struct {
		name          string
		price, qty    int64
		discount, tax int
		want          domain.LineAmounts
	}{
		{"whole units, no discount, 13% VAT", 100_00, 3000, 0, 1300, domain.LineAmounts{Gross: 300_00, Net: 300_00, Tax: 39_00, Total: 339_00}},
		{"fractional quantity rounds half up", 333, 1500, 0, 0, domain.LineAmounts{Gross: 500, Net: 500, Total: 500}}, // 4.995 → 5.00
		{"just under a half rounds down", 333, 1501, 0, 0, domain.LineAmounts{Gross: 500, Net: 500, Total: 500}},      // 4.99833
		{"discount rounds before tax", 999, 1000, 1250, 600, domain.LineAmounts{Gross: 999, Discount: 125, Net: 874, Tax: 52, Total: 926}},
		{"tax half rounds away from zero", 50, 1000, 0, 100, domain.LineAmounts{Gross: 50, Net: 50, Tax: 1, Total: 51}}, // 0.5 → 1
		{"full discount", 100_00, 1000, 10000, 1300, domain.LineAmounts{Gross: 100_00, Discount: 100_00}},
		{"free line", 0, 1000, 0, 1300, domain.LineAmounts{}},
	}
	for _, tc := range cases {
		got, err := domain.PriceLine(tc.price, tc.qty, tc.discount, tc.tax)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want, got, tc.name)
		assert.Equal(t, got.Gross-got.Discount, got.Net, tc.name)
		assert.Equal(t, got.Net+got.Tax, got.Total, tc.name)
	}
	for name, args := range map[string][4]int64{
		"discount over 100%": {100, 1000, 10001, 0},
		"negative discount":  {100, 1000, -1, 0},
		"zero quantity":      {100, 0, 0, 0},
		"negative price":     {-1, 1000, 0, 0},
		"overflowing line":   {domain.MaxAmount, domain.MaxQuantity, 0, 0},
	} {
		_, err := domain.PriceLine(args[0], args[1], int(args[2]), int(args[3]))
		assert.Error(t, err, name)
	}
}

func TestSumTotals(t *testing.T) {
	sum, err := domain.SumTotals([]domain.LineAmounts{{Gross: 100, Net: 100, Total: 113, Tax: 13}, {Gross: 200, Discount: 20, Net: 180, Total: 180}})
	require.NoError(t, err)
	assert.Equal(t, domain.LineAmounts{Gross: 300, Discount: 20, Net: 280, Tax: 13, Total: 293}, sum)
	_, err = domain.SumTotals([]domain.LineAmounts{{Total: domain.MaxAmount}, {Total: 1}})
	assert.ErrorIs(t, err, domain.ErrAmountTooLarge)
}

func TestParseQuantity(t *testing.T) {
	for in, want := range map[string]int64{"1": 1000, "1.5": 1500, "0.125": 125, "12.30": 12300, "1000000000": domain.MaxQuantity} {
		got, err := domain.ParseQuantity(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "0", "-1", "1.2345", "1e3", "abc", ".5", "1.", "+1", "1000000000.001"} {
		_, err := domain.ParseQuantity(in)
		assert.Error(t, err, in)
	}
}
