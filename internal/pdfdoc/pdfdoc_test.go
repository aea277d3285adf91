package pdfdoc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/testkit/pdftext"
)

// popplerPages extracts each page's text with poppler's pdftotext in
// content order, or returns nil where poppler-utils is not installed.
func popplerPages(t *testing.T, file []byte) []string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Log("pdftotext not installed (apt-get install poppler-utils): compared with the Go reader only")
		return nil
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	require.NoError(t, os.WriteFile(path, file, 0o600))
	out, err := exec.Command(bin, "-raw", "-enc", "UTF-8", path, "-").Output()
	require.NoError(t, err)
	pages := strings.Split(string(out), "\f")
	return pages[:len(pages)-1] // the text ends with a form feed
}

// body checks that every page starts with its footer (number, hash and
// "page n of N") and returns the pages' text without the footers.
func body(t *testing.T, pages []string, lang string, d document.Document) []string {
	t.Helper()
	l := wording[lang]
	var out []string
	for i, p := range pages {
		before, after := pageLabel(l, i+1)
		footer := pdftext.Squeeze(footerText(l, d.Input.Number, d.SHA256) + before + strconv.Itoa(len(pages)) + after)
		p = pdftext.Squeeze(p)
		require.True(t, strings.HasPrefix(p, footer), "page %d's footer: want %q, page reads %q", i+1, footer, p[:min(len(p), 300)])
		out = append(out, strings.TrimPrefix(p, footer))
	}
	return out
}

func TestPDFTextIsTheCanonicalText(t *testing.T) {
	for name, d := range demoDocuments(t) {
		t.Run(name, func(t *testing.T) {
			lang, _ := document.Layout(d)
			assert.Equal(t, map[string]string{"sales-zh": "zh", "service-en": "en"}[name], lang)
			in := signedInput(t, d)
			file, err := Render(in)
			require.NoError(t, err)
			for extractor, pages := range map[string][]string{"go": pdftext.Pages(t, file), "pdftotext": popplerPages(t, file)} {
				if pages == nil {
					continue
				}
				require.GreaterOrEqual(t, len(pages), 2, extractor)
				text := body(t, pages, lang, d)
				contract := strings.Join(text[:len(text)-1], "")
				want := pdftext.Canonical(d.Text)
				require.True(t, strings.HasPrefix(contract, want), "%s: the PDF's text before the signatures is not the canonical text:\nwant %s\ngot  %s", extractor, want, contract)
				signatures := strings.TrimPrefix(contract, want)
				l := wording[lang]
				assert.True(t, strings.HasPrefix(signatures, pdftext.Squeeze(l.signatures)), "%s: the signature blocks follow the text: %s", extractor, signatures)
				for _, s := range []string{d.Input.Company.Name, d.Input.Customer.Name, "张伟"} {
					assert.Contains(t, signatures, pdftext.Squeeze(s), extractor)
				}
				cert := text[len(text)-1]
				assert.True(t, strings.HasPrefix(cert, pdftext.Squeeze(l.certificate)), "%s: the last page is the certificate: %s", extractor, cert)
				for _, s := range []string{d.SHA256, "203.0.113.7", "198.51.100.23", in.Signers[1].UserAgent, "zhangwei@example.com",
					"价格在授权范围内。", "付款条件可接受。", l.decisions["approved"], "SHA256:3f9a0c1d2e", "5e1f0c", l.sealImage, "示例科技有限公司合同专用章", l.trailHead, l.events["opened"], l.events["code_sent"], "2026-01-1009:31:00UTC", l.codeYes, l.codeNo, l.drawn, l.typed, "2026-01-1010:30:00UTC"} {
					assert.Contains(t, cert, pdftext.Squeeze(s), "%s: certificate page", extractor)
				}
			}
		})
	}
}

func TestPDFWithoutSignersHasBlankBlocksAndNoCertificate(t *testing.T) {
	d := demoDocuments(t)["sales-zh"]
	file, err := Render(Input{Document: d})
	require.NoError(t, err)
	pages := body(t, pdftext.Pages(t, file), "zh", d)
	all := strings.Join(pages, "")
	require.True(t, strings.HasPrefix(all, pdftext.Canonical(d.Text)))
	rest := strings.TrimPrefix(all, pdftext.Canonical(d.Text))
	assert.Equal(t, pdftext.Squeeze("签署 甲方（盖章）：示例科技有限公司 签字：________________ 日期：________________ 乙方（盖章）：上海星辰科技有限公司 签字：________________ 日期：________________"), rest)
	assert.Empty(t, pdftext.Images(t, file), "no seal or signature before anyone signed")
}

func TestSealAndSignatureImagesAreOnTheSignaturePage(t *testing.T) {
	d := demoDocuments(t)["sales-zh"]
	file, err := Render(signedInput(t, d))
	require.NoError(t, err)
	pages := pdftext.Pages(t, file)
	sigPage := 0
	for i, p := range pages {
		if strings.Contains(pdftext.Squeeze(p), pdftext.Squeeze("甲方（盖章）：示例科技有限公司签字人")) {
			sigPage = i + 1
		}
	}
	require.NotZero(t, sigPage, "a page has the signature blocks")
	assert.Equal(t, []pdftext.Image{
		{Page: sigPage, Width: 200, Height: 200, SMask: true}, // the company seal, Party A's block
		{Page: sigPage, Width: 300, Height: 100, SMask: true}, // 王建国's drawn signature, Party B's
	}, pdftext.Images(t, file), "the drawn signature and the seal, with their transparency, on the signature page and nowhere else")

	if bin, err := exec.LookPath("pdfimages"); err == nil {
		path := filepath.Join(t.TempDir(), "doc.pdf")
		require.NoError(t, os.WriteFile(path, file, 0o600))
		out, err := exec.Command(bin, "-list", path).Output()
		require.NoError(t, err)
		var listed []string
		for _, ln := range strings.Split(string(out), "\n")[2:] {
			if f := strings.Fields(ln); len(f) > 4 { // page num type width height …
				listed = append(listed, fmt.Sprintf("p%s %s", f[0], strings.Join(f[2:5], " ")))
			}
		}
		assert.ElementsMatch(t, []string{
			fmt.Sprintf("p%d image 300 100", sigPage), fmt.Sprintf("p%d smask 300 100", sigPage),
			fmt.Sprintf("p%d image 200 200", sigPage), fmt.Sprintf("p%d smask 200 200", sigPage),
		}, listed, "pdfimages -list")
	}
}

func TestBadSignatureImageIsRefused(t *testing.T) {
	in := signedInput(t, demoDocuments(t)["sales-zh"])
	in.Signers[1].SignaturePNG = []byte("not a png")
	_, err := Render(in)
	assert.ErrorContains(t, err, "signature of 王建国 is not a PNG image")
}

func TestLongContractWrapsTablesAndBreaksPages(t *testing.T) {
	d := bigDocument(t)
	file, err := Render(Input{Document: d})
	require.NoError(t, err)
	for extractor, pages := range map[string][]string{"go": pdftext.Pages(t, file), "pdftotext": popplerPages(t, file)} {
		if pages == nil {
			continue
		}
		assert.Greater(t, len(pages), 3, extractor)
		text := strings.Join(body(t, pages, "zh", d), "")
		assert.True(t, strings.HasPrefix(text, pdftext.Canonical(d.Text)), "%s: a long contract reads back as its canonical text", extractor)
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	in := signedInput(t, demoDocuments(t)["service-en"])
	a, err := Render(in)
	require.NoError(t, err)
	b, err := Render(in)
	require.NoError(t, err)
	assert.Equal(t, a, b, "the same input gives the same bytes")
}

func TestCharactersNoFontHasAreRefusedNotDrawnAsSpaces(t *testing.T) {
	d := demoDocuments(t)["sales-zh"]
	d.Text = strings.Replace(d.Text, "特别约定", "特别约定🙂", 1)
	_, err := Render(Input{Document: d})
	var missing *MissingGlyphsError
	require.ErrorAs(t, err, &missing)
	assert.Equal(t, []rune{'🙂'}, missing.Runes)
	assert.ErrorContains(t, err, "U+1F642")
}
