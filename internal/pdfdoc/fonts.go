package pdfdoc

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/signintech/gopdf"
)

// The fonts are shipped in the repository (see fonts/NOTICE) so that a
// PDF renders the same on every machine with nothing installed. Droid Sans
// Fallback carries the CJK glyphs as TrueType outlines, which gopdf can
// subset (Noto CJK is CFF and several times larger); it has no Latin
// letters, so DejaVu Sans sets Latin letters, digits and symbols.
var (
	//go:embed fonts/DroidSansFallbackFull.ttf
	cjkTTF []byte
	//go:embed fonts/DejaVuSans.ttf
	latinTTF []byte
)

const (
	fontLatin = "dejavu"
	fontCJK   = "droid"
)

// shared holds the parsed fonts: parsing 4 MB of TrueType is most of the
// cost of a small document, so it is done once per process and each
// document takes its own subset of the parsed tables.
var shared struct {
	once      sync.Once
	err       error
	container gopdf.FontContainer
	latin     gopdf.SubsetFontObj // for asking which runes DejaVu has
	cjk       gopdf.SubsetFontObj // and which Droid Sans Fallback has
	// runes caches, per rune, which font sets it and its advance width
	// at 1 pt.
	runes sync.Map // rune → glyph
}

type glyph struct {
	font  string
	width float64
}

func loadFonts() error {
	shared.once.Do(func() {
		if err := shared.container.AddTTFFontData(fontLatin, latinTTF); err != nil {
			shared.err = fmt.Errorf("load DejaVu Sans: %w", err)
			return
		}
		if err := shared.container.AddTTFFontData(fontCJK, cjkTTF); err != nil {
			shared.err = fmt.Errorf("load Droid Sans Fallback: %w", err)
			return
		}
		if err := shared.latin.SetTTFData(latinTTF); err != nil {
			shared.err = fmt.Errorf("load DejaVu Sans: %w", err)
			return
		}
		if err := shared.cjk.SetTTFData(cjkTTF); err != nil {
			shared.err = fmt.Errorf("load Droid Sans Fallback: %w", err)
		}
	})
	return shared.err
}

// fontFor says which of the two fonts sets a rune: DejaVu where it has
// the glyph, Droid Sans Fallback otherwise.
func fontFor(r rune) string {
	if i, err := shared.latin.CharCodeToGlyphIndex(r); err == nil && i != 0 {
		return fontLatin
	}
	return fontCJK
}

// MissingGlyphsError is a document with characters neither font has.
// gopdf would draw them as spaces, and the PDF would no longer read as
// the text that was approved, so it is not rendered at all.
type MissingGlyphsError struct {
	Runes []rune
}

func (e *MissingGlyphsError) Error() string {
	quoted := make([]string, len(e.Runes))
	for i, r := range e.Runes {
		quoted[i] = fmt.Sprintf("%q (U+%04X)", r, r)
	}
	return "the document has characters the PDF's fonts cannot show: " + strings.Join(quoted, ", ")
}

// missingGlyphs lists, once each, the runes of s that neither font has.
func missingGlyphs(s string) []rune {
	var out []rune
	for _, r := range s {
		if r == '\n' || slices.Contains(out, r) {
			continue
		}
		if fontFor(r) == fontLatin {
			continue
		}
		if i, err := shared.cjk.CharCodeToGlyphIndex(r); err != nil || i == 0 {
			out = append(out, r)
		}
	}
	return out
}
