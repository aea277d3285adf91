package document

import (
	"fmt"
	"strings"

	"github.com/signet-clm/signet/internal/domain"
)

// FormatMoney writes an amount for a document: figures with thousands
// separators and, in Chinese documents in CNY, the capital amount too.
func FormatMoney(m domain.Money, lang string) string {
	s := m.String()
	code, figures, _ := strings.Cut(s, " ")
	figures = groupThousands(figures)
	if lang == "zh" && m.Currency == "CNY" {
		return fmt.Sprintf("人民币 %s 元（大写：%s）", figures, domain.CapitalCNY(m.Amount))
	}
	return code + " " + figures
}

// groupThousands puts commas into the whole part of a decimal number.
func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}

var englishMonths = []string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

// FormatDate writes a YYYY-MM-DD date as its language writes dates.
func FormatDate(date, lang string) string {
	d, err := domain.ParseDate(date)
	if err != nil {
		return date
	}
	if lang == "zh" {
		return fmt.Sprintf("%d年%d月%d日", d.Year(), int(d.Month()), d.Day())
	}
	return fmt.Sprintf("%d %s %d", d.Day(), englishMonths[d.Month()-1], d.Year())
}

// formatQuantity writes milli-units as a decimal without trailing zeros.
func formatQuantity(milli int64) string {
	s := fmt.Sprintf("%d.%03d", milli/domain.QuantityScale, milli%domain.QuantityScale)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// formatPercent writes basis points as a percentage: 1250 → 12.5%.
func formatPercent(bp int) string {
	s := fmt.Sprintf("%d.%02d", bp/100, bp%100)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".") + "%"
}
