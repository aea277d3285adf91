package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/internal/store"
)

// CompanySeal is a company seal (电子印章): its name, the image's SHA-256 and
// size (the image itself is GET /v1/seals/{id}/image), whether it may
// still be applied, and who may apply it.
type CompanySeal struct {
	ID            string               `json:"id"`
	Name          string               `json:"name"`
	SHA256        string               `json:"sha256"`
	Width         int                  `json:"width"`
	Height        int                  `json:"height"`
	Active        bool                 `json:"active"`
	CreatedBy     string               `json:"created_by"`
	CreatedAt     time.Time            `json:"created_at"`
	DeactivatedBy string               `json:"deactivated_by,omitempty"`
	DeactivatedAt *time.Time           `json:"deactivated_at,omitempty"`
	Appliers      []CompanySealApplier `json:"appliers"`
}

// CompanySealApplier is a user an admin named to apply a seal.
type CompanySealApplier struct {
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	GrantedBy string    `json:"granted_by"`
	GrantedAt time.Time `json:"granted_at"`
}

// SealOf is the API's view of a stored seal (the console shows the same).
func SealOf(v store.Seal) CompanySeal {
	out := CompanySeal{ID: v.ID, Name: v.Name, SHA256: v.SHA256, Width: v.Width, Height: v.Height, Active: v.Active,
		CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt, Appliers: []CompanySealApplier{}}
	if v.DeactivatedBy != nil {
		out.DeactivatedBy = *v.DeactivatedBy
	}
	if v.DeactivatedAt != nil {
		at := *v.DeactivatedAt
		out.DeactivatedAt = &at
	}
	for _, a := range v.Appliers {
		out.Appliers = append(out.Appliers, CompanySealApplier{UserID: a.UserID, Name: a.Name, GrantedBy: a.GrantedBy, GrantedAt: a.GrantedAt})
	}
	return out
}

// uploadSeal reads a multipart body with the parts "name" and "image"
// (a PNG with transparency) and stores the seal.
func (h *handlers) uploadSeal(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, esign.SealMaxBytes+multipartSlack)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		writeError(c, h.d.Logger, fieldError("body", "must be multipart/form-data with the parts name and image"))
		return
	}
	var name string
	var image []byte
	seen := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			writeError(c, h.d.Logger, uploadError(err))
			return
		}
		switch part.FormName() {
		case "name":
			b, err := io.ReadAll(io.LimitReader(part, 1<<10))
			if err != nil {
				writeError(c, h.d.Logger, uploadError(err))
				return
			}
			name = string(b)
		case "image":
			// One byte past the limit is enough to refuse it by name.
			image, err = io.ReadAll(io.LimitReader(part, esign.SealMaxBytes+1))
			if err != nil {
				writeError(c, h.d.Logger, uploadError(err))
				return
			}
			seen = true
		}
	}
	if !seen {
		writeError(c, h.d.Logger, fieldError("image", "is required"))
		return
	}
	s, err := as(SealOf)(h.d.Signing.UploadSeal(c.Request.Context(), currentUser(c), name, image))
	h.respond(c, http.StatusCreated, s, err)
}

func (h *handlers) seals(c *gin.Context) {
	list, err := listAs(SealOf)(h.d.Signing.Seals(c.Request.Context()))
	h.respond(c, http.StatusOK, list, err)
}

func (h *handlers) mySeals(c *gin.Context) {
	list, err := listAs(SealOf)(h.d.Signing.MySeals(c.Request.Context(), currentUser(c)))
	h.respond(c, http.StatusOK, list, err)
}

// sealImage serves a seal's PNG, never rendered as anything else.
func (h *handlers) sealImage(c *gin.Context) {
	s, err := h.d.Signing.Seal(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="seal-%s.png"`, s.ID))
	c.Data(http.StatusOK, "image/png", s.PNG)
}

func (h *handlers) setSealAppliers(c *gin.Context) {
	withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in esign.SealAppliersInput) (CompanySeal, error) {
		return as(SealOf)(h.d.Signing.SetSealAppliers(ctx, u, c.Param("id"), in))
	})(c)
}

func (h *handlers) deactivateSeal(c *gin.Context) {
	s, err := as(SealOf)(h.d.Signing.DeactivateSeal(c.Request.Context(), currentUser(c), c.Param("id")))
	h.respond(c, http.StatusOK, s, err)
}
