package document_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/document"
)

// A template previews with sample values of every field's type, every
// optional clause in, and no field refused.
func TestSamplePreviewsEveryClauseAndField(t *testing.T) {
	tpls, err := document.DemoTemplates()
	require.NoError(t, err)
	for _, tpl := range tpls {
		d, errs, err := document.Sample(tpl)
		require.NoError(t, err, tpl.ID)
		assert.Empty(t, errs, tpl.ID)
		for _, c := range tpl.Clauses {
			if c.Title != "" {
				assert.Contains(t, d.Text, c.Title, "%s: clause %s", tpl.ID, c.ID)
			}
		}
		assert.NotContains(t, d.Text, "{{", "%s: every placeholder filled", tpl.ID)
	}
	zh := tpls[0]
	d, _, err := document.Sample(zh)
	require.NoError(t, err)
	assert.True(t, strings.Contains(d.Text, "示例客户有限公司") || strings.Contains(d.Text, "Sample Customer"))
}
