package domain

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// Quantities are held in thousandths (milli-units) so 1.5 hours is 1500;
// rates and discounts in basis points, so 13% VAT is 1300.
const (
	QuantityScale  = 1000
	BasisPoints    = 10000
	MaxQuantity    = 1_000_000_000 * QuantityScale // a billion units
	MaxRateBasisPt = BasisPoints
)

// ErrAmountTooLarge is returned when a line or total exceeds MaxAmount.
var ErrAmountTooLarge = fmt.Errorf("amount exceeds %d minor units", MaxAmount)

// ParseQuantity reads a decimal quantity with at most three decimals
// ("2", "1.5", "0.125") into milli-units, exactly: no floating point.
func ParseQuantity(s string) (int64, error) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || strings.ContainsAny(s, "+-eE") || (hasFrac && (frac == "" || len(frac) > 3)) {
		return 0, errors.New("must be a positive decimal number with at most three decimals")
	}
	frac += strings.Repeat("0", 3-len(frac))
	var q big.Int
	if _, ok := q.SetString(whole+frac, 10); !ok {
		return 0, errors.New("must be a positive decimal number with at most three decimals")
	}
	if q.Sign() <= 0 || q.Cmp(big.NewInt(MaxQuantity)) > 0 {
		return 0, fmt.Errorf("must be greater than 0 and at most %d", MaxQuantity/QuantityScale)
	}
	return q.Int64(), nil
}

// LineItem is one priced line of a contract: a catalogue product with its
// quantity, price, discount and tax, and the amounts computed from them.
type LineItem struct {
	ProductID     string `json:"product_id"`
	Description   string `json:"description"`
	Unit          string `json:"unit"`
	QuantityMilli int64  `json:"quantity_milli"`
	// ListPrice is the catalogue's price when the line was priced;
	// UnitPrice is what is charged before DiscountBP. Lines priced before
	// it was kept have 0.
	ListPrice  int64 `json:"list_price,omitempty"`
	UnitPrice  int64 `json:"unit_price"`
	DiscountBP int   `json:"discount_bp"`
	TaxRateBP  int   `json:"tax_rate_bp"`
	LineAmounts
}

// EffectiveDiscountBP is how far below the list price the line is
// charged, in basis points rounded up, whatever mix of a negotiated unit
// price and a stated discount got it there: a licence listed at 98,000.00
// sold at 1.00 is a 99.99…% discount, not 0%. A line charged at or above
// list is 0; a line without a list price falls back to its stated
// discount.
func (l LineItem) EffectiveDiscountBP() int {
	if l.ListPrice <= 0 {
		return l.DiscountBP
	}
	var listGross, shortfall, q, r big.Int
	listGross.Mul(big.NewInt(l.ListPrice), big.NewInt(l.QuantityMilli))
	listGross.Quo(&listGross, big.NewInt(QuantityScale))
	if listGross.Sign() <= 0 {
		return l.DiscountBP
	}
	shortfall.Sub(&listGross, big.NewInt(l.Net))
	if shortfall.Sign() <= 0 {
		return 0
	}
	q.QuoRem(shortfall.Mul(&shortfall, big.NewInt(BasisPoints)), &listGross, &r)
	if r.Sign() > 0 {
		q.Add(&q, big.NewInt(1))
	}
	if l.Net > 0 { // charged something: short of a whole discount
		return int(min(q.Int64(), BasisPoints-1))
	}
	return BasisPoints
}

// LineAmounts are one line's computed amounts, all in minor units.
type LineAmounts struct {
	Gross    int64 `json:"gross"`    // unit price × quantity
	Discount int64 `json:"discount"` // gross × discount rate
	Net      int64 `json:"net"`      // gross − discount
	Tax      int64 `json:"tax"`      // net × tax rate
	Total    int64 `json:"total"`    // net + tax
}

// PriceLine computes a line's amounts. The rounding rule: each step (gross,
// discount, tax) is rounded to the nearest minor unit, halves away from
// zero, before the next step uses it; totals are exact sums of rounded
// lines. Unit prices exclude tax.
func PriceLine(unitPrice, quantityMilli int64, discountBP, taxBP int) (LineAmounts, error) {
	if unitPrice < 0 || quantityMilli <= 0 || discountBP < 0 || discountBP > BasisPoints || taxBP < 0 || taxBP > MaxRateBasisPt {
		return LineAmounts{}, errors.New("price, quantity and rates must be within range")
	}
	gross, err := mulDivRound(unitPrice, quantityMilli, QuantityScale)
	if err != nil {
		return LineAmounts{}, err
	}
	discount, err := mulDivRound(gross, int64(discountBP), BasisPoints)
	if err != nil {
		return LineAmounts{}, err
	}
	net := gross - discount
	tax, err := mulDivRound(net, int64(taxBP), BasisPoints)
	if err != nil {
		return LineAmounts{}, err
	}
	total := net + tax
	if total > MaxAmount {
		return LineAmounts{}, ErrAmountTooLarge
	}
	return LineAmounts{Gross: gross, Discount: discount, Net: net, Tax: tax, Total: total}, nil
}

// mulDivRound returns a×b/d rounded half away from zero, for a, b ≥ 0.
func mulDivRound(a, b, d int64) (int64, error) {
	var p, q, r big.Int
	p.Mul(big.NewInt(a), big.NewInt(b))
	q.QuoRem(&p, big.NewInt(d), &r)
	if r.Mul(&r, big.NewInt(2)).Cmp(big.NewInt(d)) >= 0 {
		q.Add(&q, big.NewInt(1))
	}
	if !q.IsInt64() || q.Int64() > MaxAmount {
		return 0, ErrAmountTooLarge
	}
	return q.Int64(), nil
}

// SumTotals adds line totals, refusing a line or a sum above MaxAmount
// (or below zero); every addition is checked, so no input wraps.
func SumTotals(lines []LineAmounts) (LineAmounts, error) {
	var sum LineAmounts
	for _, l := range lines {
		for _, f := range []struct {
			dst *int64
			v   int64
		}{
			{&sum.Gross, l.Gross}, {&sum.Discount, l.Discount}, {&sum.Net, l.Net}, {&sum.Tax, l.Tax}, {&sum.Total, l.Total},
		} {
			v, err := SumAmounts(*f.dst, f.v)
			if err != nil {
				return LineAmounts{}, ErrAmountTooLarge
			}
			*f.dst = v
		}
	}
	return sum, nil
}
