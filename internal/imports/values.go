package imports

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/signet-clm/signet/internal/domain"
)

// parseBool reads the yes/no cells spreadsheets hold; blank is def.
func parseBool(s string, def bool) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return def, nil
	case "是", "y", "yes", "true", "1", "√", "✓":
		return true, nil
	case "否", "n", "no", "false", "0", "×":
		return false, nil
	}
	return false, errors.New("must be 是 or 否 (yes or no)")
}

// parseAmount reads an amount in major units ("12,800.00", "¥12800",
// "12800") into minor units of currency, exactly and overflow-checked: no
// float is involved.
func parseAmount(s, currency string) (int64, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "¥￥$€£")
	s = strings.ReplaceAll(strings.ReplaceAll(s, ",", ""), "，", "")
	if s == "" {
		return 0, errors.New("is required")
	}
	whole, frac, _ := strings.Cut(s, ".")
	exp := domain.Exponent(currency)
	if len(frac) > exp {
		return 0, errors.New("has more decimal places than " + currency + " allows")
	}
	if whole == "" || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return 0, errors.New("must be an amount such as 12800.00")
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, errors.New("is too large")
	}
	frac += strings.Repeat("0", exp-len(frac))
	var f int64
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
	}
	unit := domain.MinorUnits(1, currency)
	if w > (math.MaxInt64-f)/unit {
		return 0, errors.New("is too large")
	}
	return w*unit + f, nil
}

// parseRate reads a tax rate ("13%", "13", "6.5%") into basis points.
func parseRate(s string) (int, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	s = strings.TrimSuffix(s, "％")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" || len(whole) > 3 {
		return 0, errors.New("must be a rate such as 13%")
	}
	w, _ := strconv.Atoi(whole)
	frac += strings.Repeat("0", 2-len(frac))
	f, _ := strconv.Atoi(frac)
	bp := w*100 + f
	if bp > 10000 {
		return 0, errors.New("must be at most 100%")
	}
	return bp, nil
}

// parseDate reads YYYY-MM-DD, or the YYYY/MM/DD and YYYY.MM.DD that
// spreadsheets show, into YYYY-MM-DD.
func parseDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	for _, sep := range []string{"/", "."} {
		if strings.Count(s, sep) == 2 {
			p := strings.Split(s, sep)
			if len(p[1]) == 1 {
				p[1] = "0" + p[1]
			}
			if len(p[2]) == 1 {
				p[2] = "0" + p[2]
			}
			s = strings.Join(p, "-")
		}
	}
	if _, err := domain.ParseDate(s); err != nil {
		return "", errors.New("must be a date such as 2024-01-31")
	}
	return s, nil
}
