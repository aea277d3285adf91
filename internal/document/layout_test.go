package document_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/document"
)

func joined(parts []document.Part) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text + "\n")
	}
	return b.String()
}

func TestLayoutIsTheCanonicalTextLineByLine(t *testing.T) {
	zh := demo(t, "sales-zh")
	doc, err := document.Render(zh, input(t, zh, map[string]any{"delivery_date": "2026-02-15", "delivery_place": "上海",
		"payment_terms_days": 30, "payment_method": "银行转账"}, nil, priced(t, "许可", "套", 100_00, 1000, 0, 1300)))
	require.NoError(t, err)
	lang, parts := document.Layout(doc)
	assert.Equal(t, "zh", lang)
	assert.Equal(t, doc.Text, joined(parts))
	kinds := map[document.PartKind][]string{}
	for _, p := range parts {
		kinds[p.Kind] = append(kinds[p.Kind], p.Text)
		if p.Kind == document.PartTableHeader || p.Kind == document.PartTableRow {
			assert.Equal(t, p.Text, strings.Join(p.Cells, " | "))
		}
	}
	assert.Equal(t, []string{doc.Input.Title}, kinds[document.PartTitle])
	assert.Equal(t, "序号 | 产品 | 单位 | 数量 | 单价 | 折扣 | 税率 | 金额（含税）", kinds[document.PartTableHeader][0])
	assert.Contains(t, kinds[document.PartHeading], "产品清单")
	assert.Contains(t, kinds[document.PartHeading], "第1条 合同标的")

	en := demo(t, "service-en")
	enDoc, err := document.Render(en, input(t, en, map[string]any{"service_scope": "Monitoring", "service_level": "Premium",
		"payment_terms_days": 45, "liability_cap": 100}, nil))
	require.NoError(t, err)
	lang, parts = document.Layout(enDoc)
	assert.Equal(t, "en", lang)
	assert.Equal(t, enDoc.Text, joined(parts))
}

func TestLayoutOfTextItCannotRebuildKeepsEveryLine(t *testing.T) {
	tpl := demo(t, "sales-zh")
	doc, err := document.Render(tpl, input(t, tpl, map[string]any{"delivery_date": "2026-02-15", "delivery_place": "上海",
		"payment_terms_days": 30, "payment_method": "银行转账"}, nil))
	require.NoError(t, err)
	doc.Text = strings.Replace(doc.Text, "合同标的", "合同标的（旧版措辞）", 1) // as rendered by older code
	lang, parts := document.Layout(doc)
	assert.Equal(t, "zh", lang)
	assert.Equal(t, doc.Text, joined(parts), "the stored text, not today's rendering, is what a PDF shows")
	assert.Equal(t, document.PartTitle, parts[0].Kind)
	for _, p := range parts[1:] {
		assert.Contains(t, []document.PartKind{document.PartLine, document.PartBlank}, p.Kind)
	}
}
