// Package pdftext reads a PDF's text back for tests, so every test that
// checks what a rendered or signed PDF says compares it the same way.
package pdftext

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/ledongthuc/pdf"
	"github.com/stretchr/testify/require"
)

// Pages extracts each page's text with a Go PDF reader.
func Pages(t testing.TB, file []byte) []string {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(file), int64(len(file)))
	require.NoError(t, err)
	var out []string
	for i := 1; i <= r.NumPage(); i++ {
		s, err := r.Page(i).GetPlainText(nil)
		require.NoError(t, err)
		out = append(out, s)
	}
	return out
}

// Squeeze drops all white space: a PDF has line breaks where the text
// wrapped (between any two CJK characters too) and gaps between runs, so
// extracted text is compared character by character, ignoring spacing.
func Squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// Canonical is a document's canonical text as its PDF must read back:
// every character in order, except the " | " that joins table cells in
// the text form, which the PDF draws as the table's rules.
func Canonical(text string) string {
	return Squeeze(strings.ReplaceAll(text, " | ", " "))
}

// Image is one image XObject a page draws, as the PDF's objects say: its
// page (from 1), pixel size and whether it has a soft mask (transparency).
type Image struct {
	Page          int
	Width, Height int
	SMask         bool
}

var xobjectUse = regexp.MustCompile(`/(\w+) Do`)

// Images lists the images each page draws, in order, read from the
// page's resources and content stream.
func Images(t testing.TB, file []byte) []Image {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(file), int64(len(file)))
	require.NoError(t, err)
	var out []Image
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		xobjects := p.Resources().Key("XObject")
		var content bytes.Buffer
		rd := p.V.Key("Contents").Reader()
		_, err := content.ReadFrom(rd)
		require.NoError(t, err)
		require.NoError(t, rd.Close())
		for _, m := range xobjectUse.FindAllStringSubmatch(content.String(), -1) {
			x := xobjects.Key(m[1])
			if x.Key("Subtype").Name() != "Image" {
				continue
			}
			out = append(out, Image{Page: i, Width: int(x.Key("Width").Int64()), Height: int(x.Key("Height").Int64()),
				SMask: !x.Key("SMask").IsNull()})
		}
	}
	return out
}
