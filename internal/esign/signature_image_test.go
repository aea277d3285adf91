package esign_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/esign"
)

func pngURL(t *testing.T, w, h int, ink color.Color) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := 0; ink != nil && x < w; x++ {
		img.Set(x, h/2, ink)
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())
}

// TestCheckSignatureImage: a drawn line passes; nothing drawn is no
// image; anything else is refused naming signature_image.
func TestCheckSignatureImage(t *testing.T) {
	got, err := esign.CheckSignatureImage(pngURL(t, 400, 120, color.NRGBA{0, 0, 100, 255}))
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(got, []byte("\x89PNG")))
	got, err = esign.CheckSignatureImage("  ")
	assert.NoError(t, err)
	assert.Nil(t, got)
	for name, in := range map[string]string{
		"jpeg":        "data:image/jpeg;base64,/9j/4AAQ",
		"no data URL": "iVBORw0KGgo=",
		"base64":      "data:image/png;base64,@@@",
		"not png":     "data:image/png;base64," + base64.StdEncoding.EncodeToString([]byte("GIF89a")),
		"transparent": pngURL(t, 400, 120, nil),
		"white":       pngURL(t, 400, 120, color.White),
		"small":       pngURL(t, 30, 10, color.Black),
		"huge":        pngURL(t, 2500, 100, color.Black),
		"too large":   "data:image/png;base64," + strings.Repeat("A", 400_000),
	} {
		_, err := esign.CheckSignatureImage(in)
		var bad *domain.ValidationError
		require.True(t, errors.As(err, &bad), name)
		assert.Equal(t, "signature_image", bad.Fields[0].Field, name)
	}
}
