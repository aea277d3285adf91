package esign

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// CaptureStore keeps a link signer's drawn signature.
type CaptureStore interface {
	SaveSignatureCapture(ctx context.Context, c store.SignatureCapture) error
	LinkSignedAt(ctx context.Context, linkID string) (time.Time, error)
}

// SignedPDFGrace is how long after signing a used link still downloads
// the contract's PDF: long enough for the done page's link, and for the
// signer to come back once the last party has signed, not a lasting key.
const SignedPDFGrace = 24 * time.Hour

// LinkPDF is the contract's PDF for a link's holder, the very file
// GET /v1/contracts/{n}/document?format=pdf serves (DocumentPDFOf): while
// the link works, or within SignedPDFGrace of the signature made through
// it. Any other link (declined, revoked, expired unsigned, or signed long
// ago) is gone (410); an unknown one 404.
func (s *Service) LinkPDF(ctx context.Context, token string) (file []byte, sha256, number string, err error) {
	l, err := s.link(ctx, token)
	if errors.Is(err, domain.ErrGone) && l.Status == "used" {
		at, serr := s.st.LinkSignedAt(ctx, l.ID)
		switch {
		case errors.Is(serr, domain.ErrNotFound):
		case serr != nil:
			return nil, "", "", serr
		case s.now().Before(at.Add(SignedPDFGrace)):
			err = nil
		}
	}
	if err != nil {
		return nil, "", "", err
	}
	file, sha256, err = s.DocumentPDFOf(ctx, l.ContractNumber)
	return file, sha256, l.ContractNumber, err
}

// Bounds of a drawn signature: a phone's canvas at three device pixels
// per point is some 1,100×450, and a hand-drawn line compresses well, so
// 256 KiB leaves room while keeping every PDF small.
const (
	SignatureImageMaxBytes  = 256 << 10
	SignatureImageMinWidth  = 60
	SignatureImageMinHeight = 20
	SignatureImageMaxSide   = 2000
	signatureImageField     = "signature_image"
	signatureImagePrefix    = "data:image/png;base64,"
)

// CheckSignatureImage decodes a drawn signature sent as a PNG data URL
// (what a canvas's toDataURL gives) and checks it: a PNG within the byte
// and pixel bounds with at least a few inked pixels. An empty value is no
// drawn signature (nil, nil). Every failure names signature_image.
func CheckSignatureImage(dataURL string) ([]byte, error) {
	dataURL = strings.TrimSpace(dataURL)
	if dataURL == "" {
		return nil, nil
	}
	bad := func(msg string) ([]byte, error) { return nil, domain.InvalidField(signatureImageField, msg) }
	if !strings.HasPrefix(dataURL, signatureImagePrefix) {
		return bad("must be a PNG image as a data URL (data:image/png;base64,…)")
	}
	enc := dataURL[len(signatureImagePrefix):]
	if base64.StdEncoding.DecodedLen(len(enc)) > SignatureImageMaxBytes+3 {
		return bad(fmt.Sprintf("is larger than %d KB", SignatureImageMaxBytes>>10))
	}
	data, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return bad("is not valid base64")
	}
	if len(data) > SignatureImageMaxBytes {
		return bad(fmt.Sprintf("is larger than %d KB", SignatureImageMaxBytes>>10))
	}
	if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		return bad("must be a PNG image")
	}
	// The header first: a small file may claim huge dimensions.
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return bad("is not a readable PNG image")
	}
	if cfg.Width < SignatureImageMinWidth || cfg.Height < SignatureImageMinHeight || cfg.Width > SignatureImageMaxSide || cfg.Height > SignatureImageMaxSide {
		return bad(fmt.Sprintf("must be %d to %d pixels wide and %d to %d high, not %d×%d",
			SignatureImageMinWidth, SignatureImageMaxSide, SignatureImageMinHeight, SignatureImageMaxSide, cfg.Width, cfg.Height))
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return bad("is not a readable PNG image")
	}
	// Ink is a pixel that is both visible and not near-white: a canvas
	// cleared to transparent or filled white is blank.
	inked, b := 0, img.Bounds()
	for y := b.Min.Y; y < b.Max.Y && inked < signatureMinInk; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			if a > 0x4000 && (r < 0xc000 || g < 0xc000 || bl < 0xc000) {
				if inked++; inked >= signatureMinInk {
					break
				}
			}
		}
	}
	if inked < signatureMinInk {
		return bad("is blank: draw your signature, or clear it to sign with your typed name")
	}
	return data, nil
}

// signatureMinInk is how many inked pixels make a drawing, not a stray tap.
const signatureMinInk = 30
