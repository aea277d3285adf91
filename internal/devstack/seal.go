package devstack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"time"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// The demo seal: the demo company's 合同专用章, applied by the demo
// executive (the company signatory).
const (
	DemoSealID   = "01960000-0000-7000-8000-0000000000c1"
	DemoSealName = "合同专用章"
)

// SealPNG draws a red round seal of size×size pixels on a transparent
// background: a double ring and a five-pointed star, the shape of a
// Chinese company seal, drawn rather than shipped so no binary file lives
// in the repository.
func SealPNG(size int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	red := color.NRGBA{R: 0xd4, G: 0x1f, B: 0x26, A: 0xe6}
	c := float64(size) / 2
	outer, ring := c*0.96, c*0.07
	star := starPolygon(c, c, c*0.36)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			dx, dy := float64(x)+0.5-c, float64(y)+0.5-c
			r := math.Hypot(dx, dy)
			on := (r <= outer && r >= outer-ring) || (r <= outer-2.2*ring && r >= outer-2.7*ring) ||
				inPolygon(float64(x)+0.5, float64(y)+0.5, star)
			if on {
				img.SetNRGBA(x, y, red)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // encoding an in-memory image does not fail
	}
	return buf.Bytes()
}

// starPolygon is a five-pointed star's ten corners around (cx, cy).
func starPolygon(cx, cy, r float64) [][2]float64 {
	pts := make([][2]float64, 10)
	for i := range pts {
		rr := r
		if i%2 == 1 {
			rr = r * 0.382
		}
		a := -math.Pi/2 + float64(i)*math.Pi/5
		pts[i] = [2]float64{cx + rr*math.Cos(a), cy + rr*math.Sin(a)}
	}
	return pts
}

// inPolygon is the even-odd rule.
func inPolygon(x, y float64, pts [][2]float64) bool {
	in := false
	for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
		xi, yi, xj, yj := pts[i][0], pts[i][1], pts[j][0], pts[j][1]
		if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// SealWriter stores seals: the store.
type SealWriter interface {
	Seal(ctx context.Context, id string) (store.Seal, error)
	AddSeal(ctx context.Context, seal store.Seal) error
	SetSealAppliers(ctx context.Context, sealID string, userIDs []string, by string, at time.Time) error
}

// SeedDemoSeal adds the demo seal, as the demo admin, and names the demo
// executive to apply it; a database that has it already is left as it is.
func SeedDemoSeal(ctx context.Context, st SealWriter) error {
	ctx = audit.WithActor(ctx, audit.Actor{UserID: "demo-admin", RequestID: "signet-dev-seed"})
	if _, err := st.Seal(ctx, DemoSealID); err == nil {
		return nil
	} else if !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	data := SealPNG(320)
	sum := sha256.Sum256(data)
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := st.AddSeal(ctx, store.Seal{ID: DemoSealID, Name: DemoSealName, PNG: data, SHA256: hex.EncodeToString(sum[:]),
		Width: 320, Height: 320, Active: true, CreatedBy: "demo-admin", CreatedAt: now}); err != nil {
		return fmt.Errorf("demo seal: %w", err)
	}
	return st.SetSealAppliers(ctx, DemoSealID, []string{"demo-executive"}, "demo-admin", now)
}
