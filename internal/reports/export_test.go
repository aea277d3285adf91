package reports_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/reports"
)

func TestExportsKeepTypesAndText(t *testing.T) {
	p50 := 90.5
	table := func() reports.Table {
		return reports.SliceTable("汇总", []string{"名称", "金额", "日期", "数", "P50", "逾期"}, [][]any{
			{"上海星辰科技有限公司", domain.Money{Amount: 12_345_67, Currency: "CNY"}, reports.Date("2026-03-15"), int64(3), &p50, true},
			{"=1+1", domain.Money{Amount: 1200, Currency: "JPY"}, reports.Date(""), int64(0), (*float64)(nil), false},
		})
	}
	var csvOut bytes.Buffer
	require.NoError(t, reports.WriteCSV(&csvOut, table()))
	require.True(t, strings.HasPrefix(csvOut.String(), "\ufeff"))
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvOut.String(), "\ufeff"))).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, [][]string{
		{"名称", "金额", "日期", "数", "P50", "逾期"},
		{"上海星辰科技有限公司", "12345.67", "2026-03-15", "3", "90.5", "是"},
		{"'=1+1", "1200", "", "0", "", "否"},
	}, records)

	var xlsxOut bytes.Buffer
	require.NoError(t, reports.WriteXLSX(&xlsxOut, table()))
	f, err := excelize.OpenReader(&xlsxOut)
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("汇总")
	require.NoError(t, err)
	assert.Equal(t, []string{"上海星辰科技有限公司", "12,345.67", "2026-03-15", "3", "90.5", "是"}, rows[1], "as Excel shows them")
	assert.Equal(t, []string{"=1+1", "1,200"}, rows[2][:2], "yen have no decimals; text stays text")
	typ, err := f.GetCellType("汇总", "B2")
	require.NoError(t, err)
	assert.NotEqual(t, excelize.CellTypeSharedString, typ)
	assert.NotEqual(t, excelize.CellTypeInlineString, typ, "money is a number")
}
