package imports

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/signet-clm/signet/internal/domain"
)

const customerCSV = "外部编号(external_id)*,客户名称(name)*,统一社会信用代码(credit_code),客户等级(tier)*,联系人(contact_name),邮箱(contact_email)\n" +
	"C-1,上海星河科技有限公司,,A,王芳,wang@example.cn\n" +
	"C-1,,,,李雷,li@example.cn\n" +
	"\n" +
	"C-2,北京云杉,,D,张三,not-an-email\n"

func TestDecodeReadsEveryEncodingExcelWrites(t *testing.T) {
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(customerCSV)
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	for r, line := range strings.Split(strings.TrimSpace(customerCSV), "\n") {
		for c, v := range strings.Split(line, ",") {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			_ = f.SetCellStr("Sheet1", cell, v)
		}
	}
	var xlsx bytes.Buffer
	if err := f.Write(&xlsx); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, encoding string
		data           []byte
	}{
		{"utf-8", EncodingUTF8, []byte(customerCSV)},
		{"bom", EncodingUTF8BOM, append([]byte("\xef\xbb\xbf"), customerCSV...)},
		{"gb18030", EncodingGB18030, []byte(gb)},
		{"xlsx", EncodingXLSX, xlsx.Bytes()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := Decode(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if tab.Encoding != tc.encoding {
				t.Errorf("encoding %q, want %q", tab.Encoding, tc.encoding)
			}
			if len(tab.Rows) != 3 || tab.Rows[0].Cells[1] != "上海星河科技有限公司" || tab.Header[0] != "外部编号(external_id)*" {
				t.Fatalf("rows %v header %q", tab.Rows, tab.Header)
			}
			if tab.Rows[2].Line != 5 && tc.encoding != EncodingXLSX {
				t.Errorf("the third row is on line %d, want 5 (the blank line counts)", tab.Rows[2].Line)
			}
		})
	}
	if _, err := Decode(nil); !errors.Is(err, ErrUnreadable) {
		t.Errorf("an empty file: %v", err)
	}
}

func TestCustomersGroupContactsAndNameTheColumn(t *testing.T) {
	tab, err := Decode([]byte(customerCSV))
	if err != nil {
		t.Fatal(err)
	}
	var checked int
	cs, problems := Customers(tab, func(v any) error {
		checked++
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: "contacts[1].email", Message: "must be an email address"}}}
	})
	if len(cs) != 2 || len(cs[0].Input.Contacts) != 2 || cs[0].Input.Contacts[1].Name != "李雷" {
		t.Fatalf("customers %+v", cs)
	}
	if checked != 2 {
		t.Errorf("checked %d customers, want 2", checked)
	}
	// The second contact of C-1 came from line 3, so its error is there.
	found := false
	for _, p := range problems {
		if p.Line == 3 && p.Field == "contact_email" && p.Column == "邮箱(contact_email)" {
			found = true
		}
	}
	if !found {
		t.Errorf("no problem on line 3's contact_email: %v", problems)
	}
}

func TestAHeaderThatDoesNotFitStopsTheFile(t *testing.T) {
	tab, _ := Decode([]byte("name,颜色\nx,红\n"))
	_, problems := Customers(tab, func(any) error { return nil })
	var msgs []string
	for _, p := range problems {
		msgs = append(msgs, p.String())
	}
	got := strings.Join(msgs, "; ")
	for _, want := range []string{"颜色: unknown column", "外部编号(external_id)*: required column is missing", "客户等级(tier)*: required column is missing"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q lack %q", got, want)
		}
	}
}

func TestProductsParseMoneyAndRates(t *testing.T) {
	tab, _ := Decode([]byte("external_id,line,name,unit,list_price,currency,tax_rate\n" +
		"P1,软件,标准版,套,\"12,800.50\",CNY,13%\n" +
		"P2,软件,日元版,套,1000,JPY,6.5\n" +
		"P3,软件,坏,套,1.234,CNY,130%\n" +
		"P1,软件,重复,套,1,CNY,0\n"))
	ps, problems := Products(tab, func(any) error { return nil })
	if len(ps) != 3 || *ps[0].Input.ListPrice != 1280050 || *ps[0].Input.TaxRateBP != 1300 || *ps[1].Input.ListPrice != 1000 || *ps[1].Input.TaxRateBP != 650 {
		t.Fatalf("products %+v", ps)
	}
	want := map[string]bool{"4 list_price": false, "4 tax_rate": false, "5 external_id": false}
	for _, p := range problems {
		key := strings.Join([]string{string(rune('0' + p.Line)), p.Field}, " ")
		if _, ok := want[key]; ok {
			want[key] = true
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("no problem %s in %v", k, problems)
		}
	}
}

func TestParseAmountIsExactAndBounded(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1": 100, "¥1,234.5": 123450, "92233720368547758.07": 9223372036854775807} {
		if got, err := parseAmount(in, "CNY"); err != nil || got != want {
			t.Errorf("parseAmount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"92233720368547758.08", "-1", "1e5", "1.2.3", ""} {
		if got, err := parseAmount(in, "CNY"); err == nil {
			t.Errorf("parseAmount(%q) = %d, want an error", in, got)
		}
	}
}

func TestTemplatesReadBack(t *testing.T) {
	for _, k := range Kinds {
		for _, xlsx := range []bool{false, true} {
			data, err := Template(k, xlsx)
			if err != nil {
				t.Fatal(err)
			}
			tab, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if _, problems := newLayout(k, tab.Header); len(problems) > 0 {
				t.Errorf("%s template (xlsx %v): %v", k, xlsx, problems)
			}
		}
	}
}
