package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
)

func TestMoneyString(t *testing.T) {
	assert.Equal(t, "CNY 1234.50", domain.Money{Amount: 123450, Currency: "CNY"}.String())
	assert.Equal(t, "CNY -0.05", domain.Money{Amount: -5, Currency: "CNY"}.String())
	assert.Equal(t, "JPY 1500", domain.Money{Amount: 1500, Currency: "JPY"}.String())
	assert.Equal(t, "BHD 1.005", domain.Money{Amount: 1005, Currency: "BHD"}.String())
}

func TestCurrencies(t *testing.T) {
	for _, c := range []string{"CNY", "USD", "EUR", "JPY", "HKD"} {
		assert.True(t, domain.ValidCurrency(c), c)
	}
	for _, c := range []string{"", "cny", "RMB", "XYZ", "CNYY"} {
		assert.False(t, domain.ValidCurrency(c), c)
	}
}

func TestContractNumbers(t *testing.T) {
	assert.Equal(t, "HT-2026-000123", domain.FormatContractNumber(2026, 123))
	assert.True(t, domain.ValidContractNumber("HT-2026-000123"))
	for _, s := range []string{"HT-2026-123", "ht-2026-000123", "HT-2026-000123x", "../HT-2026-000123", ""} {
		assert.False(t, domain.ValidContractNumber(s), s)
	}
}

func TestExpiryIsMidnightAfterTheEndDateInTheZone(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	at, err := domain.ExpiryInstant("2026-12-31", shanghai)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), at)
	at, err = domain.ExpiryInstant("2028-02-28", time.UTC)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC), at, "leap day")
	_, err = domain.ExpiryInstant("2026-02-30", time.UTC)
	assert.Error(t, err)
}

func TestStatuses(t *testing.T) {
	for _, s := range domain.Statuses {
		assert.True(t, s.Valid())
	}
	assert.False(t, domain.Status("paused").Valid())
	assert.True(t, domain.StatusApproved.Cancellable())
	assert.False(t, domain.StatusSigning.Cancellable())
	assert.True(t, domain.StatusExpired.Closed())
	assert.True(t, domain.StatusArchived.Closed())
	assert.False(t, domain.StatusActive.Closed())
	assert.False(t, domain.StatusCompleted.Closed(), "a completed contract can still be archived")
	for _, s := range []domain.Status{domain.StatusActive, domain.StatusExpired, domain.StatusRenewed} {
		assert.True(t, s.Signed(), s)
	}
	assert.False(t, domain.StatusTerminated.Signed(), "nothing is recorded on a terminated contract")
}

func TestMoneyDecimalUsesTheCurrencyDigits(t *testing.T) {
	for m, want := range map[domain.Money]string{
		{Amount: 12_345_67, Currency: "CNY"}: "12345.67",
		{Amount: 5, Currency: "USD"}:         "0.05",
		{Amount: 0, Currency: "CNY"}:         "0.00",
		{Amount: -1_50, Currency: "EUR"}:     "-1.50",
		{Amount: 1200, Currency: "JPY"}:      "1200",
		{Amount: 1_234, Currency: "KWD"}:     "1.234",
	} {
		assert.Equal(t, want, m.Decimal(), "%+v", m)
	}
	assert.Equal(t, 0, domain.Exponent("JPY"))
	assert.Equal(t, 3, domain.Exponent("BHD"))
}
