package esign_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/esign"
)

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// fieldOf is the one field a refusal names.
func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var ve *domain.ValidationError
	require.True(t, errors.As(err, &ve), "a field error, not %v", err)
	require.Len(t, ve.Fields, 1)
	return ve.Fields[0].Field
}

// TestCheckSealImage: the demo seal (drawn at seed time) is a PNG whose
// transparency is used; an opaque PNG, even one with an alpha channel,
// a GIF, a tiny or a huge one are refused, each naming "image".
func TestCheckSealImage(t *testing.T) {
	w, h, err := esign.CheckSealImage(devstack.SealPNG(320))
	require.NoError(t, err)
	assert.Equal(t, [2]int{320, 320}, [2]int{w, h})

	opaque := image.NewNRGBA(image.Rect(0, 0, 200, 200))
	for i := range opaque.Pix {
		opaque.Pix[i] = 0xff // white, alpha 255: an alpha channel nobody used
	}
	gray := image.NewGray(image.Rect(0, 0, 200, 200))
	var gifData bytes.Buffer
	require.NoError(t, gif.Encode(&gifData, image.NewPaletted(image.Rect(0, 0, 200, 200), []color.Color{color.Transparent, color.Black}), nil))
	for name, data := range map[string][]byte{
		"an opaque RGBA PNG":     encodePNG(t, opaque),
		"a grey PNG":             encodePNG(t, gray),
		"a GIF":                  gifData.Bytes(),
		"nothing":                nil,
		"a truncated PNG":        devstack.SealPNG(320)[:200],
		"a PNG 16 pixels wide":   devstack.SealPNG(16),
		"a PNG 2000 pixels wide": devstack.SealPNG(2000),
		"a file over 512 KB":     append(devstack.SealPNG(320), make([]byte, esign.SealMaxBytes)...),
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := esign.CheckSealImage(data)
			assert.Equal(t, "image", fieldOf(t, err))
		})
	}
}
