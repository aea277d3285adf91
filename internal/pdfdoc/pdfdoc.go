// Package pdfdoc renders a contract's canonical document as an A4 PDF: the
// canonical text line for line (so extracting the PDF's text gives back
// what was approved and signed), the signature blocks with the company
// seal and each signer's signature, and a certificate page. It only
// renders: the digital signature and where the images come from belong to
// its callers. Rendering is pure and needs no browser.
package pdfdoc

import (
	"bytes"
	"compress/flate"
	"fmt"
	"image"
	_ "image/png" // signature and seal images are PNG
	"strings"
	"time"

	"github.com/signintech/gopdf"

	"github.com/signet-clm/signet/internal/document"
)

// Party is the side a signer signs for.
type Party string

// Parties.
const (
	PartyCompany  Party = "company"  // 甲方, our side
	PartyCustomer Party = "customer" // 乙方
)

// Signer is one person who signed, as the signature block and the
// certificate page show them. A signer without SignaturePNG is shown by
// TypedName, or by Name when that is empty too.
type Signer struct {
	Name         string
	Party        Party
	Role         string // e.g. 授权签字人 / Authorised signatory
	Identity     string // how they were identified: account, email or phone
	SignedAt     time.Time
	IP           string
	UserAgent    string
	CodeVerified bool   // entered the one-time code sent to them
	SignaturePNG []byte // drawn signature, PNG (transparency kept)
	TypedName    string
}

// Seal is the company seal (电子印章) stamped beside the company's signature.
type Seal struct {
	PNG            []byte // PNG with transparency
	Name           string
	ImageSHA256    string // names the image, as the seal register keeps it
	KeyFingerprint string // of the key that seals the signed file
	AppliedBy      string
	AppliedAt      time.Time
}

// Approval is one decision of the approval chain, shown on the
// certificate page.
type Approval struct {
	Stage     string
	Approver  string
	Decision  string // approved, rejected, changes_requested (shown in the document's language) or any text
	Opinion   string
	DecidedAt time.Time
}

// Event is one step of the signing trail on the certificate page: a link
// sent or opened, a code sent, a signature, a decline.
type Event struct {
	Kind   string // sent, resent, opened, code_sent, signed, declined, reminded, expired, voided (shown in the document's language) or any text
	Signer string
	At     time.Time
	IP     string
	Detail string
}

// Input is everything a PDF is rendered from. Document must carry its
// canonical Text and SHA256. The certificate page is appended once
// anyone has signed.
type Input struct {
	Document  document.Document
	Signers   []Signer
	Seal      *Seal
	Approvals []Approval
	// Events are the signing trail, oldest first.
	Events []Event
}

// Page geometry in points (A4, 20 mm margins).
const (
	pageW     = 595.28
	pageH     = 841.89
	margin    = 56.69
	contentW  = pageW - 2*margin
	bodyLimit = pageH - 64 // the footer lives below this
	footerY   = pageH - 40
)

// Type sizes in points.
const (
	sizeTitle   = 16.0
	sizeHeading = 11.5
	sizeBody    = 10.5
	sizeTable   = 8.5
	sizeFooter  = 6.5
	pagesHolder = "pages"
)

// Render makes the PDF.
func Render(in Input) ([]byte, error) {
	if err := loadFonts(); err != nil {
		return nil, err
	}
	d := in.Document
	if d.Text == "" || d.SHA256 == "" {
		return nil, fmt.Errorf("render PDF of %s: the document has no canonical text or hash", d.Input.Number)
	}
	if missing := missingGlyphs(d.Text); len(missing) > 0 {
		return nil, &MissingGlyphsError{Runes: missing}
	}
	lang, parts := document.Layout(d)
	w := &writer{gp: &gopdf.GoPdf{}, l: wording[lang], number: d.Input.Number, hash: d.SHA256}
	w.gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	// Page content streams at the fastest deflate: some 15% less time per
	// document for some 3% more bytes (the font subsets keep gopdf's level).
	w.gp.SetCompressLevel(flate.BestSpeed)
	w.gp.SetInfo(gopdf.PdfInfo{Title: d.Input.Title, Subject: d.Input.Number + " SHA-256 " + d.SHA256, Creator: "Signet",
		Producer: "Signet", CreationDate: creationDate(in)})
	for _, f := range []string{fontLatin, fontCJK} {
		if err := w.gp.AddTTFFontFromFontContainer(f, &shared.container); err != nil {
			return nil, fmt.Errorf("render PDF: add font %s: %w", f, err)
		}
	}
	w.newPage()
	w.body(parts)
	if err := w.signatures(in); err != nil {
		return nil, err
	}
	if len(in.Signers) > 0 {
		w.certificate(in)
	}
	if w.err != nil {
		return nil, fmt.Errorf("render PDF of %s: %w", d.Input.Number, w.err)
	}
	if err := w.gp.FillInPlaceHoldText(pagesHolder, fmt.Sprint(w.page), gopdf.Center); err != nil {
		return nil, fmt.Errorf("render PDF of %s: page count: %w", d.Input.Number, err)
	}
	var buf bytes.Buffer
	if _, err := w.gp.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("render PDF of %s: %w", d.Input.Number, err)
	}
	return buf.Bytes(), nil
}

// creationDate is the latest signature's time, so the same input gives
// the same bytes (never the clock).
func creationDate(in Input) time.Time {
	var t time.Time
	for _, s := range in.Signers {
		if s.SignedAt.After(t) {
			t = s.SignedAt
		}
	}
	if t.IsZero() {
		t = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return t.UTC()
}

// writer lays text out top to bottom, page by page. The first error
// sticks and stops further drawing.
type writer struct {
	gp     *gopdf.GoPdf
	l      labels
	number string
	hash   string
	page   int
	y      float64
	font   string
	size   float64
	err    error
}

func (w *writer) fail(err error) {
	if w.err == nil && err != nil {
		w.err = err
	}
}

// newPage starts a page with its footer first, so each page's text begins
// with the contract number, hash and page number.
func (w *writer) newPage() {
	w.gp.AddPage()
	w.page++
	w.font = ""
	w.gp.SetStrokeColor(160, 160, 160)
	w.gp.SetLineWidth(0.5)
	w.gp.Line(margin, footerY-10, pageW-margin, footerY-10)
	w.gp.SetTextColor(90, 90, 90)
	w.draw(margin, footerY, footerText(w.l, w.number, w.hash), sizeFooter)
	// The page count is a placeholder filled in once the last page is
	// known, so the document is laid out once.
	before, after := pageLabel(w.l, w.page)
	const count = 12.0
	x := pageW - margin - w.width(before, sizeFooter) - count - w.width(after, sizeFooter)
	x = w.draw(x, footerY, before, sizeFooter)
	w.setFont(fontLatin, sizeFooter)
	w.gp.SetXY(x, footerY+sizeFooter*0.9)
	w.fail(w.gp.PlaceHolderText(pagesHolder, count))
	w.draw(x+count, footerY, after, sizeFooter)
	w.gp.SetTextColor(0, 0, 0)
	w.y = margin
}

// footerText is what every page's footer says besides its page number.
func footerText(l labels, number, hash string) string {
	return fmt.Sprintf(l.footer, number, hash)
}

// pageLabel is the page number's words before and after the page count.
func pageLabel(l labels, page int) (string, string) {
	return fmt.Sprintf(l.pageBefore, page), l.pageAfter
}

// ensure starts a new page unless h more points fit on this one.
func (w *writer) ensure(h float64) {
	if w.y+h > bodyLimit {
		w.newPage()
	}
}

func (w *writer) setFont(f string, size float64) {
	if w.font == f && w.size == size {
		return
	}
	w.fail(w.gp.SetFont(f, "", size))
	w.font, w.size = f, size
}

// run is a stretch of text set in one font.
type run struct {
	font string
	text string
}

func runs(s string) []run {
	var out []run
	start, cur := 0, ""
	for i, r := range s {
		f := fontFor(r)
		if f != cur && i > start {
			out = append(out, run{cur, s[start:i]})
			start = i
		}
		cur = f
	}
	if start < len(s) {
		out = append(out, run{cur, s[start:]})
	}
	return out
}

// width of a rune at 1 pt, measured once per process.
func (w *writer) glyph(r rune) glyph {
	if g, ok := shared.runes.Load(r); ok {
		return g.(glyph)
	}
	g := glyph{font: fontFor(r)}
	font, size := w.font, w.size
	w.setFont(g.font, 100)
	m, err := w.gp.MeasureTextWidth(string(r))
	w.fail(err)
	g.width = m / 100
	if font != "" {
		w.setFont(font, size)
	}
	shared.runes.Store(r, g)
	return g
}

func (w *writer) width(s string, size float64) float64 {
	var t float64
	for _, r := range s {
		t += w.glyph(r).width
	}
	return t * size
}

// draw sets one line of text with its top at y, font by font on one
// baseline, and returns where it ended.
func (w *writer) draw(x, y float64, s string, size float64) float64 {
	base := y + size*0.9
	for _, r := range runs(s) {
		w.setFont(r.font, size)
		w.gp.SetXY(x, base)
		w.fail(w.gp.Text(r.text))
		x += w.width(r.text, size)
	}
	return x
}

// wrap breaks s into lines no wider than max: after a space, or between
// any two CJK characters; a word wider than a line is cut.
func (w *writer) wrap(s string, size, max float64) []string {
	if s == "" {
		return []string{""}
	}
	rs := []rune(s)
	var out []string
	start, brk := 0, -1
	var width float64
	for i := 0; i < len(rs); i++ {
		g := w.glyph(rs[i])
		width += g.width * size
		if width > max && i > start {
			cut := i
			if brk > start {
				cut = brk
			}
			out = append(out, strings.TrimRight(string(rs[start:cut]), " "))
			for cut < len(rs) && rs[cut] == ' ' {
				cut++
			}
			start, brk, width = cut, -1, 0
			i = cut - 1
			continue
		}
		if rs[i] == ' ' || g.font == fontCJK || (i+1 < len(rs) && fontFor(rs[i+1]) == fontCJK) {
			brk = i + 1
		}
	}
	if start < len(rs) {
		out = append(out, string(rs[start:]))
	}
	return out
}

// paragraph sets wrapped text at x, breaking pages between lines.
func (w *writer) paragraph(s string, x, size, lineH float64) {
	for _, ln := range w.wrap(s, size, pageW-margin-x) {
		w.ensure(lineH)
		w.draw(x, w.y, ln, size)
		w.y += lineH
	}
}

// body sets the canonical text part by part.
func (w *writer) body(parts []document.Part) {
	for i := 0; i < len(parts); i++ {
		p := parts[i]
		switch p.Kind {
		case document.PartTitle:
			for _, ln := range w.wrap(p.Text, sizeTitle, contentW) {
				w.ensure(sizeTitle * 1.6)
				w.draw(margin+(contentW-w.width(ln, sizeTitle))/2, w.y, ln, sizeTitle)
				w.y += sizeTitle * 1.6
			}
			w.y += 4
		case document.PartBlank:
			w.y += 8
		case document.PartHeading:
			// Keep a heading with at least two lines of what follows.
			w.ensure(sizeHeading*1.6 + 2*sizeBody*1.6)
			w.paragraph(p.Text, margin, sizeHeading, sizeHeading*1.7)
		case document.PartTableHeader:
			j := i + 1
			for j < len(parts) && parts[j].Kind == document.PartTableRow {
				j++
			}
			w.table(parts[i:j])
			i = j - 1
			w.y += 4
		case document.PartTableRow:
			w.table(parts[i : i+1])
		case document.PartParagraph:
			w.paragraph(p.Text, margin, sizeBody, sizeBody*1.65)
		default:
			w.paragraph(p.Text, margin, sizeBody, sizeBody*1.65)
		}
	}
}

// table sets a header and its rows as a ruled table. Columns take their
// natural width when they fit; otherwise narrow columns keep theirs and
// the wide ones share the rest and wrap. Cells are written row by row,
// left to right, so the text reads in the canonical order.
func (w *writer) table(rows []document.Part) {
	const pad = 3.0
	n := len(rows[0].Cells)
	natural := make([]float64, n)
	for _, r := range rows {
		for c := 0; c < n && c < len(r.Cells); c++ {
			natural[c] = max(natural[c], w.width(r.Cells[c], sizeTable)+2*pad+0.5)
		}
	}
	widths := fitColumns(natural, contentW)
	lineH := sizeTable * 1.5
	for ri, r := range rows {
		cells := make([][]string, n)
		lines := 1
		for c := range n {
			text := ""
			if c < len(r.Cells) {
				text = r.Cells[c]
			}
			cells[c] = w.wrap(text, sizeTable, widths[c]-2*pad)
			lines = max(lines, len(cells[c]))
		}
		h := float64(lines)*lineH + 2*pad
		w.ensure(h)
		x := margin
		if ri == 0 && r.Kind == document.PartTableHeader {
			w.gp.SetFillColor(235, 235, 235)
			w.gp.RectFromUpperLeftWithStyle(margin, w.y, contentW, h, "F")
		}
		w.gp.SetStrokeColor(150, 150, 150)
		w.gp.SetLineWidth(0.5)
		for c := range n {
			w.gp.RectFromUpperLeftWithStyle(x, w.y, widths[c], h, "D")
			for li, ln := range cells[c] {
				w.draw(x+pad, w.y+pad+float64(li)*lineH, ln, sizeTable)
			}
			x += widths[c]
		}
		w.y += h
	}
}

// fitColumns shares total among columns: all at their natural width plus
// an even share of what is left when they fit; otherwise columns under an
// equal share keep their width and the rest divide what remains.
func fitColumns(natural []float64, total float64) []float64 {
	out := make([]float64, len(natural))
	sum := 0.0
	for _, v := range natural {
		sum += v
	}
	if sum <= total {
		for i, v := range natural {
			out[i] = v + (total-sum)/float64(len(natural))
		}
		return out
	}
	fixed := make([]bool, len(natural))
	left, open := total, len(natural)
	for changed := true; changed && open > 0; {
		changed = false
		share := left / float64(open)
		for i, v := range natural {
			if !fixed[i] && v <= share {
				fixed[i], out[i] = true, v
				left -= v
				open--
				changed = true
			}
		}
	}
	for i := range natural {
		if !fixed[i] {
			out[i] = left / float64(open)
		}
	}
	return out
}

// imageBox draws a PNG scaled to fit a box, keeping its proportions.
func (w *writer) imageBox(png []byte, x, y, bw, bh float64, what string) error {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(png))
	if err != nil {
		return fmt.Errorf("%s is not a PNG image: %w", what, err)
	}
	if cfg.Width == 0 || cfg.Height == 0 {
		return fmt.Errorf("%s is an empty image", what)
	}
	scale := min(bw/float64(cfg.Width), bh/float64(cfg.Height))
	iw, ih := float64(cfg.Width)*scale, float64(cfg.Height)*scale
	holder, err := gopdf.ImageHolderByBytes(png)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := w.gp.ImageByHolder(holder, x+(bw-iw)/2, y+(bh-ih)/2, &gopdf.Rect{W: iw, H: ih}); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
