package reports

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/signet-clm/signet/internal/domain"
)

// Date is a calendar date YYYY-MM-DD ("" for none) in an exported cell.
type Date string

// Cells an exported row may hold: string, int64, Date, domain.Money,
// *float64 (nil is empty) and bool (是/否).

// Table is a report as rows to export, read one at a time.
type Table struct {
	// Sheet names the XLSX sheet.
	Sheet   string
	Headers []string
	// Next returns the next row's cells, or false at the end.
	Next func() ([]any, bool)
	// Err reports what ended the rows early, if anything.
	Err func() error
}

// SliceTable is a Table over rows already in memory (the figures, which
// are small: one row per group).
func SliceTable(sheet string, headers []string, rows [][]any) Table {
	i := 0
	return Table{Sheet: sheet, Headers: headers, Next: func() ([]any, bool) {
		if i == len(rows) {
			return nil, false
		}
		i++
		return rows[i-1], true
	}, Err: func() error { return nil }}
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// csvText is a cell as CSV text: money as a plain decimal in major units
// with the currency's digits, from integer arithmetic.
func csvText(v any) string {
	switch v := v.(type) {
	case string:
		return defuse(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case Date:
		return string(v)
	case domain.Money:
		return v.Decimal()
	case *float64:
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 1, 64)
	case bool:
		return yesNo(v)
	default:
		return fmt.Sprint(v)
	}
}

// defuse keeps a spreadsheet from running text as a formula: a cell that
// starts with = + - @ or a tab or carriage return gets a leading
// apostrophe, which Excel shows as text. (XLSX cells are typed strings and
// need none.)
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteCSV writes t as UTF-8 CSV with a byte order mark, which is what
// makes Excel read Chinese text as UTF-8. Rows go out as they are read.
func WriteCSV(w io.Writer, t Table) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	if err := cw.Write(t.Headers); err != nil {
		return err
	}
	rec := make([]string, len(t.Headers))
	for {
		row, ok := t.Next()
		if !ok {
			break
		}
		for i, v := range row {
			rec[i] = csvText(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	if err := t.Err(); err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// xlsxStyles are the cell styles of an export, made once per file.
type xlsxStyles struct {
	f      *excelize.File
	header int
	date   int
	number int
	money  map[int]int // by the currency's number of digits
}

func (s *xlsxStyles) moneyStyle(exp int) (int, error) {
	if id, ok := s.money[exp]; ok {
		return id, nil
	}
	format := "#,##0"
	if exp > 0 {
		format += "." + fmt.Sprintf("%0*d", exp, 0)
	}
	id, err := s.f.NewStyle(&excelize.Style{CustomNumFmt: &format})
	if err != nil {
		return 0, err
	}
	s.money[exp] = id
	return id, nil
}

// xlsxCell is a cell as a typed XLSX value: money a number in major units
// shown with the currency's digits, dates real dates.
func (s *xlsxStyles) xlsxCell(v any) (excelize.Cell, error) {
	switch v := v.(type) {
	case int64, int:
		return excelize.Cell{Value: v}, nil
	case Date:
		if v == "" {
			return excelize.Cell{}, nil
		}
		d, err := time.Parse(time.DateOnly, string(v))
		if err != nil {
			return excelize.Cell{}, fmt.Errorf("export date %q: %w", v, err)
		}
		return excelize.Cell{StyleID: s.date, Value: d}, nil
	case domain.Money:
		exp := domain.Exponent(v.Currency)
		id, err := s.moneyStyle(exp)
		// The only float in Signet: the cell's number. An int64 of minor
		// units below 2^53 converts exactly before the division.
		return excelize.Cell{StyleID: id, Value: float64(v.Amount) / math.Pow10(exp)}, err
	case *float64:
		if v == nil {
			return excelize.Cell{}, nil
		}
		return excelize.Cell{StyleID: s.number, Value: *v}, nil
	case string:
		return excelize.Cell{Value: v}, nil
	default:
		return excelize.Cell{Value: csvText(v)}, nil
	}
}

// WriteXLSX writes t as one XLSX sheet: a bold header row frozen above the
// data, typed cells. excelize's StreamWriter spills rows to a temporary
// file as they come, so memory stays flat however many there are; the
// workbook is zipped onto w once the last row is in (a sheet must be
// complete before its zip entry can be written).
func WriteXLSX(w io.Writer, t Table) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if err := f.SetSheetName("Sheet1", t.Sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(t.Sheet)
	if err != nil {
		return err
	}
	st := &xlsxStyles{f: f, money: map[int]int{}}
	if st.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return err
	}
	dateFmt, numFmt := "yyyy-mm-dd", "0.0"
	if st.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return err
	}
	if st.number, err = f.NewStyle(&excelize.Style{CustomNumFmt: &numFmt}); err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetColWidth(1, len(t.Headers), 16); err != nil {
		return err
	}
	header := make([]any, len(t.Headers))
	for i, h := range t.Headers {
		header[i] = excelize.Cell{StyleID: st.header, Value: h}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	cells := make([]any, len(t.Headers))
	for n := 2; ; n++ {
		row, ok := t.Next()
		if !ok {
			break
		}
		for i, v := range row {
			if cells[i], err = st.xlsxCell(v); err != nil {
				return err
			}
		}
		ref, _ := excelize.CoordinatesToCellName(1, n)
		if err := sw.SetRow(ref, cells); err != nil {
			return err
		}
	}
	if err := t.Err(); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	// File.WriteTo would zip the whole workbook into a bytes.Buffer first;
	// a zip writer of our own onto w streams it instead, and the (empty)
	// buffer excelize then copies out is discarded.
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	return f.Write(io.Discard)
}
