package reports_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/reports"
)

// A chart labelled with characters XML cannot hold (a customer named with
// a control character or a stray byte) is still a document viewers open.
func TestChartIsWellFormedXMLWhateverTheLabels(t *testing.T) {
	ch := reports.Chart{Title: "回款\x01汇总", Kind: "bar", Unit: "CNY",
		Categories: []string{"星辰\x00科技", "bad\xff\xfebytes", "<script>&", "\uFFFE"},
		Series:     []reports.Series{{Name: "张\x1b伟", Values: []float64{1, 2, 3, 4}}}}
	var buf bytes.Buffer
	require.NoError(t, ch.WriteSVG(&buf))
	dec := xml.NewDecoder(&buf)
	var text bytes.Buffer
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "the SVG parses as XML")
		if cd, ok := tok.(xml.CharData); ok {
			text.Write(cd)
		}
	}
	assert.Contains(t, text.String(), "星辰\uFFFD科技")
	assert.Contains(t, text.String(), "<script>&", "markup in a label is text")
}
