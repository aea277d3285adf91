package pdfdoc

import (
	"testing"
	"time"

	"github.com/signintech/gopdf"

	"github.com/signet-clm/signet/internal/pdfsig"
)

// BenchmarkRenderPDF30Clauses50Lines renders a 30-clause contract with 50
// line items, signed by two signers (one drawn signature), sealed, with
// its certificate page. Run on one core (make bench passes -cpu 1), the
// docs/s it reports is what one core renders.
func BenchmarkRenderPDF30Clauses50Lines(b *testing.B) {
	in := signedInput(b, bigDocument(b))
	if _, err := Render(in); err != nil { // parse the fonts outside the loop
		b.Fatal(err)
	}
	b.ReportAllocs()
	size := 0
	for b.Loop() {
		file, err := Render(in)
		if err != nil {
			b.Fatal(err)
		}
		size = len(file)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(float64(size), "pdf-bytes")
}

// BenchmarkParseFonts is the one-off cost a process pays before its first
// PDF: parsing both embedded fonts.
func BenchmarkParseFonts(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var c gopdf.FontContainer
		if err := c.AddTTFFontData(fontLatin, latinTTF); err != nil {
			b.Fatal(err)
		}
		if err := c.AddTTFFontData(fontCJK, cjkTTF); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignPDF30Clauses50Lines applies Signet's PDF signature (RSA
// 2048, SHA-256, an incremental update) to the rendered 30-clause,
// 50-line contract: the cost the round's completion adds to the render.
func BenchmarkSignPDF30Clauses50Lines(b *testing.B) {
	file, err := Render(signedInput(b, bigDocument(b)))
	if err != nil {
		b.Fatal(err)
	}
	key, cert, ca, err := pdfsig.DevCertificate("示例科技有限公司", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	k, err := pdfsig.NewKey(key, cert, ca)
	if err != nil {
		b.Fatal(err)
	}
	info := pdfsig.Info{Name: "示例科技有限公司", Reason: "签署完成", Date: time.Now()}
	b.ReportAllocs()
	size := 0
	for b.Loop() {
		signed, err := pdfsig.Sign(file, k, info)
		if err != nil {
			b.Fatal(err)
		}
		size = len(signed)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(float64(size-len(file)), "added-bytes")
}
