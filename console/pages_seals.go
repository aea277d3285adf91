package console

import (
	"encoding/base64"
	"html/template"
	"io"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/store"
)

// sealAdmins manage company seals: the API's /v1/seals write roles.
var sealAdmins = []domain.Role{domain.RoleAdmin}

// sealsPage is /admin/seals: the upload form and every seal with its
// image and who may apply it.
type sealsPage struct {
	Seals []sealRow
	// Signatories are who may be named to apply a seal: the company's
	// authorised signatories now.
	Signatories []identity.SigningAuthority
	// Name is the upload form's name as posted; Errors its field errors
	// by field (name, image).
	Name   string
	Errors map[string]string
	// Refusal is a refusal that names no field.
	Refusal string
}

// sealRow is one seal as the page shows it.
type sealRow struct {
	api.CompanySeal
	// Image is the PNG as a data: URL (the page's policy allows data:
	// images); the bytes were checked to be a PNG on upload.
	Image template.URL
	// Candidates are who the appliers form offers, each marked whether
	// they may apply it now.
	Candidates []sealCandidate
	// Errors are the appliers form's field errors (user_ids) after a
	// refused save of this seal.
	Errors map[string]string
}

type sealCandidate struct {
	UserID, Name string
	Checked      bool
}

func (p *pages) sealsPage(c *gin.Context) {
	page, err := p.loadSeals(c, "", nil)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	p.showSeals(c, http.StatusOK, page)
}

// loadSeals reads every seal with its image; errors are a refused
// appliers save of seal failed.
func (p *pages) loadSeals(c *gin.Context, failed string, errors map[string]string) (sealsPage, error) {
	ctx := c.Request.Context()
	list, err := p.d.Signing.Seals(ctx)
	if err != nil {
		return sealsPage{}, err
	}
	signatories, err := p.d.Users.AuthorisedSignatories(ctx)
	if err != nil {
		return sealsPage{}, err
	}
	page := sealsPage{Signatories: signatories, Errors: map[string]string{}}
	for _, s := range list {
		full, err := p.d.Signing.Seal(ctx, s.ID)
		if err != nil {
			return sealsPage{}, err
		}
		row := sealRow{CompanySeal: api.SealOf(s), Image: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(full.PNG))}
		for _, a := range signatories {
			row.Candidates = append(row.Candidates, sealCandidate{UserID: a.UserID, Name: a.Name,
				Checked: slices.ContainsFunc(s.Appliers, func(x store.SealApplier) bool { return x.UserID == a.UserID })})
		}
		// An applier who has since lost signing authority still shows,
		// checked, so the admin sees them and may take them off.
		for _, a := range s.Appliers {
			if !slices.ContainsFunc(row.Candidates, func(x sealCandidate) bool { return x.UserID == a.UserID }) {
				row.Candidates = append(row.Candidates, sealCandidate{UserID: a.UserID, Name: a.Name, Checked: true})
			}
		}
		if s.ID == failed {
			row.Errors = errors
		}
		page.Seals = append(page.Seals, row)
	}
	return page, nil
}

func (p *pages) showSeals(c *gin.Context, status int, page sealsPage) {
	v := p.view(c, "seals", page)
	v.Title = v.T("seals.title")
	switch c.Query("done") {
	case "uploaded":
		v.Flash = "seals.uploaded"
	case "appliers":
		v.Flash = "seals.appliers_saved"
	case "deactivated":
		v.Flash = "seals.deactivated_flash"
	}
	p.render(c, status, "seals", v)
}

// sealFieldMap is a refusal's field errors by field (the first of each),
// its message and its status.
func sealFieldMap(err error) (map[string]string, string, int) {
	status, body := api.ErrorStatus(err)
	out := map[string]string{}
	for _, f := range body.Fields {
		if out[f.Field] == "" {
			out[f.Field] = f.Message
		}
	}
	return out, body.Message, status
}

// uploadSeal is POST /v1/seals from the page's form: name and image.
func (p *pages) uploadSeal(c *gin.Context) {
	name := c.PostForm("name")
	err := func() error {
		fh, err := c.FormFile("image")
		if err != nil {
			return domain.InvalidField("image", p.view(c, "", nil).T("seals.image_required"))
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, esign.SealMaxBytes+1))
		if err != nil {
			return err
		}
		_, err = p.d.Signing.UploadSeal(c.Request.Context(), currentUser(c), name, data)
		return err
	}()
	if err == nil {
		p.redirect(c, "/admin/seals?done=uploaded")
		return
	}
	p.sealRefused(c, err, "", func(page *sealsPage, fields map[string]string) {
		page.Name, page.Errors = name, fields
	})
}

// setSealAppliers is PUT /v1/seals/{id}/appliers: the checked users.
func (p *pages) setSealAppliers(c *gin.Context) {
	in := esign.SealAppliersInput{UserIDs: c.PostFormArray("user_ids")}
	err := api.Validate(&in)
	if err == nil {
		_, err = p.d.Signing.SetSealAppliers(c.Request.Context(), currentUser(c), c.Param("id"), in)
	}
	if err == nil {
		p.redirect(c, "/admin/seals?done=appliers#seal-"+c.Param("id"))
		return
	}
	p.sealRefused(c, err, c.Param("id"), nil)
}

// deactivateSeal is POST /v1/seals/{id}/deactivate.
func (p *pages) deactivateSeal(c *gin.Context) {
	if _, err := p.d.Signing.DeactivateSeal(c.Request.Context(), currentUser(c), c.Param("id")); err != nil {
		p.sealRefused(c, err, c.Param("id"), nil)
		return
	}
	p.redirect(c, "/admin/seals?done=deactivated")
}

// sealRefused shows the page again with a refusal beside its fields (bad
// input, 400; a deactivated seal, 409); anything else is the error page.
func (p *pages) sealRefused(c *gin.Context, err error, sealID string, upload func(*sealsPage, map[string]string)) {
	fields, message, status := sealFieldMap(err)
	if status != http.StatusBadRequest && status != http.StatusConflict {
		p.serviceError(c, err)
		return
	}
	page, lerr := p.loadSeals(c, sealID, fields)
	if lerr != nil {
		p.serviceError(c, lerr)
		return
	}
	if upload != nil {
		upload(&page, fields)
	}
	if len(fields) == 0 {
		page.Refusal = message
	}
	p.showSeals(c, status, page)
}

func sealViews(list []store.Seal) []api.CompanySeal {
	out := make([]api.CompanySeal, 0, len(list))
	for _, s := range list {
		out = append(out, api.SealOf(s))
	}
	return out
}
