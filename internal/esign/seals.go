package esign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/png"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/store"
)

// SealStore is what company seals (电子印章) need of PostgreSQL.
type SealStore interface {
	AddSeal(ctx context.Context, seal store.Seal) error
	Seals(ctx context.Context) ([]store.Seal, error)
	Seal(ctx context.Context, id string) (store.Seal, error)
	SetSealAppliers(ctx context.Context, sealID string, userIDs []string, by string, at time.Time) error
	DeactivateSeal(ctx context.Context, sealID, by string, at time.Time) error
	SealsOf(ctx context.Context, userID string) ([]store.Seal, error)
}

// Bounds of a seal image: a seal is a stamp some 4 cm across, so a few
// hundred pixels square is plenty; the byte limit keeps every PDF small.
const (
	SealMaxBytes     = 512 << 10
	SealMinDimension = 64
	SealMaxDimension = 1024
	sealMaxName      = 100
	sealMaxAppliers  = 50
)

// CheckSealImage checks data is a PNG with transparency within the
// bounds and returns its size. Every failure names the field "image".
func CheckSealImage(data []byte) (width, height int, err error) {
	bad := func(msg string) (int, int, error) { return 0, 0, domain.InvalidField("image", msg) }
	switch {
	case len(data) == 0:
		return bad("is required")
	case len(data) > SealMaxBytes:
		return bad(fmt.Sprintf("is larger than %d KB", SealMaxBytes>>10))
	case !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return bad("must be a PNG image")
	}
	// The header first: a small file may claim huge dimensions.
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return bad("is not a readable PNG image")
	}
	if cfg.Width < SealMinDimension || cfg.Height < SealMinDimension || cfg.Width > SealMaxDimension || cfg.Height > SealMaxDimension {
		return bad(fmt.Sprintf("must be %d to %d pixels wide and high, not %d×%d", SealMinDimension, SealMaxDimension, cfg.Width, cfg.Height))
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return bad("is not a readable PNG image")
	}
	if !transparent(img) {
		return bad("must have a transparent background (a PNG with an alpha channel that is used), so the seal does not hide the text under it")
	}
	return cfg.Width, cfg.Height, nil
}

// transparent is whether some pixel of img is not fully opaque.
func transparent(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return !o.Opaque()
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a < 0xffff {
				return true
			}
		}
	}
	return false
}

func mayAdminSeals(u domain.User) error {
	if !u.Actor().Has(domain.RoleAdmin) {
		return &domain.Refusal{Kind: domain.RefusedForbidden, Message: "only an admin manages company seals"}
	}
	return nil
}

// UploadSeal stores a new company seal uploaded by admin u: name (e.g.
// 合同专用章) and the PNG image. Nobody may apply it until named.
func (s *Service) UploadSeal(ctx context.Context, u domain.User, name string, image []byte) (store.Seal, error) {
	if err := mayAdminSeals(u); err != nil {
		return store.Seal{}, err
	}
	bad := &domain.ValidationError{}
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		bad.Add("name", "is required")
	case !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return r < ' ' }):
		bad.Add("name", "must be plain text")
	case utf8.RuneCountInString(name) > sealMaxName:
		bad.Add("name", fmt.Sprintf("must be at most %d characters", sealMaxName))
	}
	w, h, err := CheckSealImage(image)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		bad.Fields = append(bad.Fields, ve.Fields...)
	} else if err != nil {
		return store.Seal{}, err
	}
	if err := bad.OrNil(); err != nil {
		return store.Seal{}, err
	}
	sum := sha256.Sum256(image)
	seal := store.Seal{ID: uuid.NewString(), Name: name, SHA256: hex.EncodeToString(sum[:]), Width: w, Height: h,
		Active: true, CreatedBy: u.ID, CreatedAt: s.now().UTC().Truncate(time.Microsecond), PNG: image, Appliers: []store.SealApplier{}}
	if err := s.sealStore().AddSeal(ctx, seal); err != nil {
		return store.Seal{}, err
	}
	return seal, nil
}

// Seals lists every company seal with who may apply it.
func (s *Service) Seals(ctx context.Context) ([]store.Seal, error) {
	return s.sealStore().Seals(ctx)
}

// Seal returns one seal with its image; an unknown one is
// domain.ErrNotFound.
func (s *Service) Seal(ctx context.Context, id string) (store.Seal, error) {
	if !domain.PlausibleKey(id) {
		return store.Seal{}, domain.ErrNotFound
	}
	return s.sealStore().Seal(ctx, id)
}

// SealAppliersInput names everyone who may apply a seal (replacing the
// list): each must hold signing authority for the company.
type SealAppliersInput struct {
	UserIDs []string `json:"user_ids" validate:"max=50,dive,required,max=64"`
}

// SetSealAppliers replaces who may apply seal id, as admin u decides.
// Naming anyone without signing authority is refused (400 on user_ids).
func (s *Service) SetSealAppliers(ctx context.Context, u domain.User, id string, in SealAppliersInput) (store.Seal, error) {
	if err := mayAdminSeals(u); err != nil {
		return store.Seal{}, err
	}
	seal, err := s.Seal(ctx, id)
	if err != nil {
		return store.Seal{}, err
	}
	if !seal.Active {
		return store.Seal{}, &domain.Refusal{Kind: domain.RefusedConflict, Message: "the seal is deactivated"}
	}
	ids := []string{}
	for _, uid := range in.UserIDs {
		uid = strings.TrimSpace(uid)
		if uid != "" && !slices.Contains(ids, uid) {
			ids = append(ids, uid)
		}
	}
	if len(ids) > sealMaxAppliers {
		return store.Seal{}, domain.InvalidField("user_ids", fmt.Sprintf("names at most %d users", sealMaxAppliers))
	}
	for _, uid := range ids {
		if !domain.PlausibleKey(uid) {
			return store.Seal{}, domain.InvalidField("user_ids", "no such user")
		}
		sg, err := s.st.Signatory(ctx, uid)
		if errors.Is(err, domain.ErrNotFound) {
			return store.Seal{}, domain.InvalidField("user_ids", fmt.Sprintf("no such user: %s", uid))
		} else if err != nil {
			return store.Seal{}, err
		}
		if !identity.AuthorityOf(sg).Authorised {
			return store.Seal{}, domain.InvalidField("user_ids", fmt.Sprintf("%s has no signing authority for the company, so may not apply its seal", uid))
		}
	}
	if err := s.sealStore().SetSealAppliers(ctx, seal.ID, ids, u.ID, s.now().UTC().Truncate(time.Microsecond)); err != nil {
		return store.Seal{}, err
	}
	return s.Seal(ctx, seal.ID)
}

// DeactivateSeal retires seal id: nobody may apply it from now on; the
// PDFs that carry it keep it.
func (s *Service) DeactivateSeal(ctx context.Context, u domain.User, id string) (store.Seal, error) {
	if err := mayAdminSeals(u); err != nil {
		return store.Seal{}, err
	}
	seal, err := s.Seal(ctx, id)
	if err != nil || !seal.Active {
		return seal, err // deactivated already: nothing to change or audit
	}
	if err := s.sealStore().DeactivateSeal(ctx, seal.ID, u.ID, s.now().UTC().Truncate(time.Microsecond)); err != nil {
		return store.Seal{}, err
	}
	return s.Seal(ctx, seal.ID)
}

// MySeals lists the active seals u may apply when they sign for the
// company.
func (s *Service) MySeals(ctx context.Context, u domain.User) ([]store.Seal, error) {
	return s.sealStore().SealsOf(ctx, u.ID)
}

// sealToApply checks u may apply seal id (empty: none) and returns it.
func (s *Service) sealToApply(ctx context.Context, u domain.User, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	mine, err := s.MySeals(ctx, u)
	if err != nil {
		return "", err
	}
	if !slices.ContainsFunc(mine, func(m store.Seal) bool { return m.ID == id }) {
		return "", domain.InvalidField("seal_id", "you may not apply this seal: an admin names who may apply each seal")
	}
	return id, nil
}

// sealStore is the store's seal half (the same PostgreSQL store).
func (s *Service) sealStore() SealStore { return s.st }
