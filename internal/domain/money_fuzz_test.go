package domain_test

import (
	"encoding/binary"
	"math"
	"math/big"
	"testing"

	"github.com/signet-clm/signet/internal/domain"
)

// plan reads a payment plan's amounts from fuzz bytes, eight per amount.
func plan(raw []byte) []int64 {
	var out []int64
	for len(raw) >= 8 {
		out = append(out, int64(binary.LittleEndian.Uint64(raw)))
		raw = raw[8:]
	}
	return out
}

func amounts(vs ...int64) []byte {
	var raw []byte
	for _, v := range vs {
		raw = binary.LittleEndian.AppendUint64(raw, uint64(v))
	}
	return raw
}

// FuzzSumAmounts: whatever amounts a plan holds, SumAmounts either
// refuses them or returns their exact sum, which is a valid amount; it
// never wraps. AddAmounts is exact or refuses.
func FuzzSumAmounts(f *testing.F) {
	// The plan issue 15 found: two MaxInt64 milestones wrap to -2, and a
	// third then brings the "sum" back to the contract total.
	f.Add(amounts(math.MaxInt64, math.MaxInt64, 100_000_00+2))
	f.Add(amounts(50_000_00, 50_000_00))
	f.Add(amounts(domain.MaxAmount, 1))
	f.Add(amounts(domain.MaxAmount/2, domain.MaxAmount/2, 1))
	f.Add(amounts(-1, 2))
	f.Add(amounts(math.MinInt64, -1))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p := plan(raw)
		exact := new(big.Int)
		valid := true
		for _, a := range p {
			exact.Add(exact, big.NewInt(a))
			valid = valid && a >= 0 && a <= domain.MaxAmount
		}
		sum, err := domain.SumAmounts(p...)
		fits := valid && exact.Cmp(big.NewInt(domain.MaxAmount)) <= 0
		if fits != (err == nil) {
			t.Fatalf("SumAmounts(%v) = %d, %v; exact sum %s, all valid %v", p, sum, err, exact, valid)
		}
		if err == nil && (big.NewInt(sum).Cmp(exact) != 0 || !domain.ValidAmount(sum)) {
			t.Fatalf("SumAmounts(%v) = %d, exact sum %s", p, sum, exact)
		}
		if len(p) >= 2 {
			s, err := domain.AddAmounts(p[0], p[1])
			want := new(big.Int).Add(big.NewInt(p[0]), big.NewInt(p[1]))
			if want.IsInt64() != (err == nil) || (err == nil && s != want.Int64()) {
				t.Fatalf("AddAmounts(%d, %d) = %d, %v; exact %s", p[0], p[1], s, err, want)
			}
		}
		lines := make([]domain.LineAmounts, len(p))
		for i, a := range p {
			lines[i] = domain.LineAmounts{Gross: a, Net: a, Total: a}
		}
		if tot, err := domain.SumTotals(lines); (err == nil) != fits || (err == nil && tot.Total != sum) {
			t.Fatalf("SumTotals over %v = %+v, %v; SumAmounts %d", p, tot, err, sum)
		}
	})
}
