package domain

import (
	"errors"
	"fmt"
)

// DefaultCurrency is used when a request names none.
const DefaultCurrency = "CNY"

// MaxAmount bounds every amount Signet takes or stores, in minor units:
// 10^15, ten trillion yuan. A unit price, a line, a contract total, a
// milestone, an invoice and a payment are each at most this (PostgreSQL's
// CHECK constraints hold the same bound), so a payment plan of at most a
// few hundred of them sums far below int64's 9.2×10^18, and a sum over
// contracts (reports) is taken in numeric, not bigint.
const MaxAmount int64 = 1_000_000_000_000_000

// ErrAmountOverflow refuses a sum whose exact value does not fit in int64.
var ErrAmountOverflow = errors.New("sum of amounts overflows")

// ValidAmount reports whether a is an amount Signet takes: 0 to MaxAmount
// minor units.
func ValidAmount(a int64) bool { return a >= 0 && a <= MaxAmount }

// AddAmounts returns a + b exactly, or ErrAmountOverflow when the sum
// does not fit in int64 (it would wrap). It is the one way Signet adds
// amounts whose origin a client controls.
func AddAmounts(a, b int64) (int64, error) {
	if (b > 0 && a > maxInt64-b) || (b < 0 && a < minInt64-b) {
		return 0, ErrAmountOverflow
	}
	return a + b, nil
}

const (
	maxInt64 = int64(^uint64(0) >> 1)
	minInt64 = -maxInt64 - 1
)

// SumAmounts adds amounts, each of which must be a valid amount, and
// refuses a total above MaxAmount (ErrAmountTooLarge) as well as any
// amount outside 0..MaxAmount. No input makes it wrap.
func SumAmounts(amounts ...int64) (int64, error) {
	var sum int64
	for _, a := range amounts {
		if !ValidAmount(a) {
			return 0, ErrAmountTooLarge
		}
		var err error
		if sum, err = AddAmounts(sum, a); err != nil {
			return 0, err
		}
		if sum > MaxAmount {
			return 0, ErrAmountTooLarge
		}
	}
	return sum, nil
}

// currencyExponents maps every active ISO 4217 currency code to the number of
// digits after its decimal point. Codes missing here are refused.
var currencyExponents = map[string]int{
	"AED": 2, "AFN": 2, "ALL": 2, "AMD": 2, "ANG": 2, "AOA": 2, "ARS": 2, "AUD": 2, "AWG": 2, "AZN": 2,
	"BAM": 2, "BBD": 2, "BDT": 2, "BGN": 2, "BHD": 3, "BIF": 0, "BMD": 2, "BND": 2, "BOB": 2, "BRL": 2,
	"BSD": 2, "BTN": 2, "BWP": 2, "BYN": 2, "BZD": 2, "CAD": 2, "CDF": 2, "CHF": 2, "CLP": 0, "CNY": 2,
	"COP": 2, "CRC": 2, "CUP": 2, "CVE": 2, "CZK": 2, "DJF": 0, "DKK": 2, "DOP": 2, "DZD": 2, "EGP": 2,
	"ERN": 2, "ETB": 2, "EUR": 2, "FJD": 2, "FKP": 2, "GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2, "GMD": 2,
	"GNF": 0, "GTQ": 2, "GYD": 2, "HKD": 2, "HNL": 2, "HTG": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2,
	"IQD": 3, "IRR": 2, "ISK": 0, "JMD": 2, "JOD": 3, "JPY": 0, "KES": 2, "KGS": 2, "KHR": 2, "KMF": 0,
	"KPW": 2, "KRW": 0, "KWD": 3, "KYD": 2, "KZT": 2, "LAK": 2, "LBP": 2, "LKR": 2, "LRD": 2, "LSL": 2,
	"LYD": 3, "MAD": 2, "MDL": 2, "MGA": 2, "MKD": 2, "MMK": 2, "MNT": 2, "MOP": 2, "MRU": 2, "MUR": 2,
	"MVR": 2, "MWK": 2, "MXN": 2, "MYR": 2, "MZN": 2, "NAD": 2, "NGN": 2, "NIO": 2, "NOK": 2, "NPR": 2,
	"NZD": 2, "OMR": 3, "PAB": 2, "PEN": 2, "PGK": 2, "PHP": 2, "PKR": 2, "PLN": 2, "PYG": 0, "QAR": 2,
	"RON": 2, "RSD": 2, "RUB": 2, "RWF": 0, "SAR": 2, "SBD": 2, "SCR": 2, "SDG": 2, "SEK": 2, "SGD": 2,
	"SHP": 2, "SLE": 2, "SOS": 2, "SRD": 2, "SSP": 2, "STN": 2, "SYP": 2, "SZL": 2, "THB": 2, "TJS": 2,
	"TMT": 2, "TND": 3, "TOP": 2, "TRY": 2, "TTD": 2, "TWD": 2, "TZS": 2, "UAH": 2, "UGX": 0, "USD": 2,
	"UYU": 2, "UZS": 2, "VES": 2, "VND": 0, "VUV": 0, "WST": 2, "XAF": 0, "XCD": 2, "XOF": 0, "XPF": 0,
	"YER": 2, "ZAR": 2, "ZMW": 2, "ZWG": 2,
}

// ValidCurrency reports whether code is an active ISO 4217 currency code.
func ValidCurrency(code string) bool {
	_, ok := currencyExponents[code]
	return ok
}

// MinorUnits converts a whole number of major units (yuan, dollars) of the
// given currency to minor units (fen, cents). The currency must be valid.
func MinorUnits(major int64, currency string) int64 {
	v := major
	for range currencyExponents[currency] {
		v *= 10
	}
	return v
}

// Money is an amount in integer minor units with its ISO 4217 currency.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// String formats money for people, e.g. "CNY 1234.50".
func (m Money) String() string {
	exp := currencyExponents[m.Currency]
	if exp == 0 {
		return fmt.Sprintf("%s %d", m.Currency, m.Amount)
	}
	div := MinorUnits(1, m.Currency)
	sign := ""
	a := m.Amount
	if a < 0 {
		sign, a = "-", -a
	}
	return fmt.Sprintf("%s %s%d.%0*d", m.Currency, sign, a/div, exp, a%div)
}

// Exponent is the number of digits after the currency's decimal point (2
// for CNY, 0 for JPY, 3 for KWD); an unknown code counts as 2.
func Exponent(currency string) int {
	if exp, ok := currencyExponents[currency]; ok {
		return exp
	}
	return 2
}

// Decimal formats the amount as a plain decimal number in major units with
// the currency's digits, e.g. "1234.50", for exports. No float is involved.
func (m Money) Decimal() string {
	exp := Exponent(m.Currency)
	a, sign := m.Amount, ""
	if a < 0 {
		sign, a = "-", -a
	}
	if exp == 0 {
		return fmt.Sprintf("%s%d", sign, a)
	}
	div := int64(1)
	for range exp {
		div *= 10
	}
	return fmt.Sprintf("%s%d.%0*d", sign, a/div, exp, a%div)
}
