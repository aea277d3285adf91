// Package imports brings a company's existing records into Signet in bulk:
// customers with their contacts, products, and contracts signed before
// Signet, from the CSV and XLSX files CRMs, ERPs and spreadsheets export.
// A file is checked row by row first (a dry run writes nothing) and then
// landed all at once or row by row, idempotent by each row's external ID.
package imports

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// MaxFileBytes bounds an uploaded file; MaxRows the rows one file may hold.
const (
	MaxFileBytes = 32 << 20
	MaxRows      = 100_000
)

// Encoding names how a CSV file's text was written.
const (
	EncodingUTF8    = "utf-8"
	EncodingUTF8BOM = "utf-8-bom"
	// EncodingGB18030 is what Excel in China writes when it saves CSV.
	EncodingGB18030 = "gb18030"
	EncodingXLSX    = "xlsx"
)

// Table is a file's header and rows, each row with its line (1 is the
// header) so a report points at the line a person sees in their editor.
type Table struct {
	Encoding string
	Header   []string
	Rows     []Row
}

// Row is one data row.
type Row struct {
	Line  int
	Cells []string
}

// ErrUnreadable is a file that is neither CSV nor XLSX, or is empty.
var ErrUnreadable = errors.New("the file is neither CSV nor XLSX, or has no header row")

// zipMagic opens every XLSX file (it is a zip archive).
var zipMagic = []byte("PK\x03\x04")

// Decode reads a CSV (UTF-8 with or without BOM, or GB18030) or an XLSX
// file's first sheet. Blank rows are dropped; cells are trimmed.
func Decode(data []byte) (Table, error) {
	if len(data) > MaxFileBytes {
		return Table{}, fmt.Errorf("the file is larger than %d MiB", MaxFileBytes>>20)
	}
	if bytes.HasPrefix(data, zipMagic) {
		return decodeXLSX(data)
	}
	enc := EncodingUTF8
	switch {
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		data, enc = data[3:], EncodingUTF8BOM
	case !utf8.Valid(data):
		// Not UTF-8: GB18030 is a superset of GBK and GB2312, so it reads
		// every file a Chinese Windows Excel saves as "CSV".
		decoded, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
		if err != nil {
			return Table{}, ErrUnreadable
		}
		data, enc = decoded, EncodingGB18030
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	t := Table{Encoding: enc}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return Table{}, fmt.Errorf("line %d: %w", pe.Line, pe.Err)
			}
			return Table{}, ErrUnreadable
		}
		line, _ := r.FieldPos(0)
		if err := t.add(line, rec); err != nil {
			return Table{}, err
		}
	}
	if t.Header == nil {
		return Table{}, ErrUnreadable
	}
	return t, nil
}

func decodeXLSX(data []byte) (Table, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return Table{}, ErrUnreadable
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return Table{}, ErrUnreadable
	}
	// Rows streams the sheet rather than loading it whole.
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return Table{}, ErrUnreadable
	}
	defer rows.Close()
	t := Table{Encoding: EncodingXLSX}
	for line := 1; rows.Next(); line++ {
		cols, err := rows.Columns()
		if err != nil {
			return Table{}, fmt.Errorf("row %d: %w", line, err)
		}
		if err := t.add(line, cols); err != nil {
			return Table{}, err
		}
	}
	if t.Header == nil {
		return Table{}, ErrUnreadable
	}
	return t, nil
}

func (t *Table) add(line int, cells []string) error {
	blank := true
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
		if cells[i] != "" {
			blank = false
		}
	}
	if blank {
		return nil
	}
	if t.Header == nil {
		t.Header = cells
		return nil
	}
	if len(t.Rows) >= MaxRows {
		return fmt.Errorf("the file has more than %d rows; split it", MaxRows)
	}
	t.Rows = append(t.Rows, Row{Line: line, Cells: cells})
	return nil
}
