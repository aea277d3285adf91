package imports

import (
	"bytes"
	"encoding/csv"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// TemplateFile is Template with the file's name and content type.
func TemplateFile(kind Kind, xlsx bool) (name, contentType string, data []byte, err error) {
	data, err = Template(kind, xlsx)
	if xlsx {
		return string(kind) + "-template.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data, err
	}
	return string(kind) + "-template.csv", "text/csv; charset=utf-8", data, err
}

// Template is a kind's file to fill in: the header and one sample row, as
// CSV (UTF-8 with a BOM, so Excel in China opens it without garbling) or
// XLSX.
func Template(kind Kind, xlsx bool) ([]byte, error) {
	cols := Columns[kind]
	header := make([]string, len(cols))
	sample := make([]string, len(cols))
	for i, c := range cols {
		header[i], sample[i] = c.Header(), c.Example
	}
	if !xlsx {
		var b bytes.Buffer
		b.WriteString("\xef\xbb\xbf")
		w := csv.NewWriter(&b)
		_ = w.Write(header)
		_ = w.Write(sample)
		w.Flush()
		return b.Bytes(), w.Error()
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i := range cols {
		for r, v := range [][]string{header, sample} {
			cell, err := excelize.CoordinatesToCellName(i+1, r+1)
			if err != nil {
				return nil, err
			}
			// Text cells: a credit code or an ID must not turn into a number.
			if err := f.SetCellStr(sheet, cell, v[i]); err != nil {
				return nil, fmt.Errorf("template cell %s: %w", cell, err)
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, fmt.Errorf("write template: %w", err)
	}
	return b.Bytes(), nil
}
