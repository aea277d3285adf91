package console

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/catalog"
	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
)

// 合同模板 (/admin/templates): legal and admins edit templates online, as
// POST /v1/templates does: fixed and optional clauses (or clauses taken
// from the library), typed fields, a preview with sample values, and a
// new version on every save; a version is retired from use here too.

// templateEditors may save templates: the API's POST /v1/templates roles.
var templateEditors = []domain.Role{domain.RoleLegal, domain.RoleAdmin}

// blankRows is how many empty clause and field rows the editor offers.
const blankRows = 2

type templatesPage struct {
	Items []api.TemplateSummary
}

func (p *pages) templatesList(c *gin.Context) {
	list, err := p.d.Catalog.Templates(c.Request.Context())
	if err != nil {
		p.serviceError(c, err)
		return
	}
	var tp templatesPage
	for _, t := range list {
		tp.Items = append(tp.Items, api.TemplateSummaryOf(t))
	}
	v := p.view(c, "templates", tp)
	v.Title = v.T("templates.title")
	p.render(c, http.StatusOK, "templates", v)
}

// templateEditor is the editor's page: the template as typed, its
// version and retirement when it is a saved one, the preview, and the
// refusals by input name (c3.body, f0.choices, name).
type templateEditor struct {
	New      bool
	ID       string
	Version  int
	Retired  *api.TemplateRetirement
	Name     string
	Language string
	Clauses  []clauseRow
	Fields   []fieldRow
	Types    []document.FieldType
	Sources  []string
	Preview  string
	Errors   map[string]string
	Other    []api.FieldError
	Done     string
}

type clauseRow struct {
	Index                    int
	ID, Title, Body, Library string
	Optional                 bool
}

type fieldRow struct {
	Index                              int
	Name, Label, Type, Choices, Source string
	Min, Max, MaxLength                string
	Required, Multiline                bool
}

func editorOf(t document.Template) templateEditor {
	e := templateEditor{ID: t.ID, Version: t.Version, Name: t.Name, Language: t.Language}
	for i, c := range t.Clauses {
		e.Clauses = append(e.Clauses, clauseRow{Index: i, ID: c.ID, Title: c.Title, Body: c.Body, Library: c.Library, Optional: c.Optional})
	}
	for i, f := range t.Fields {
		r := fieldRow{Index: i, Name: f.Name, Label: f.Label, Type: string(f.Type), Choices: strings.Join(f.Choices, "\n"), Source: f.Source,
			Required: f.Required, Multiline: f.Multiline}
		if f.Min != nil {
			r.Min = strconv.FormatInt(*f.Min, 10)
		}
		if f.Max != nil {
			r.Max = strconv.FormatInt(*f.Max, 10)
		}
		if f.MaxLength > 0 {
			r.MaxLength = strconv.Itoa(f.MaxLength)
		}
		e.Fields = append(e.Fields, r)
	}
	return e
}

func (p *pages) templateEditor(c *gin.Context) {
	id := c.Param("id")
	if id == "" {
		p.showEditor(c, http.StatusOK, templateEditor{New: true, Language: "zh"})
		return
	}
	version := 0
	if v := c.Query("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > domain.MaxVersion {
			p.serviceError(c, domain.InvalidField("version", fmt.Sprintf("must be a whole number from 1 to %d", domain.MaxVersion)))
			return
		}
		version = n
	}
	t, r, err := p.d.Catalog.TemplateDetail(c.Request.Context(), id, version)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	e := editorOf(t)
	e.Retired = api.TemplateOf(t, r).Retired
	e.Done = c.Query("done")
	p.showEditor(c, http.StatusOK, e)
}

func (p *pages) showEditor(c *gin.Context, status int, e templateEditor) {
	for range blankRows {
		e.Clauses = append(e.Clauses, clauseRow{Index: len(e.Clauses)})
		e.Fields = append(e.Fields, fieldRow{Index: len(e.Fields), Type: string(document.FieldText)})
	}
	e.Types = []document.FieldType{document.FieldText, document.FieldMoney, document.FieldDate, document.FieldInteger, document.FieldChoice, document.FieldParty}
	e.Sources = []string{"", document.SourceCustomerName, document.SourceCustomerCreditCode, document.SourceContactName,
		document.SourceOwnerName, document.SourceCompanyName, document.SourceContractTotal}
	v := p.view(c, "templates", e)
	v.Title = v.T("templates.title")
	if e.Name != "" {
		v.Title = e.Name
	}
	p.render(c, status, "template", v)
}

// postedTemplate reads the editor's rows: a clause row without an ID, or
// a field row without a name, is left out, as is one ticked for removal.
// Template index i of each list is kept row Index i, so the service's
// refusals (clauses[i].body) land beside their inputs.
func postedTemplate(c *gin.Context, id string) (document.Template, templateEditor, []string) {
	e := templateEditor{ID: id, Name: c.PostForm("name"), Language: c.PostForm("language")}
	if id == "" {
		e.New, e.ID = true, strings.TrimSpace(c.PostForm("id"))
	}
	t := document.Template{ID: e.ID, Name: e.Name, Language: e.Language, Clauses: []document.Clause{}, Fields: []document.Field{}}
	var bad []string
	for i := 0; i < 200; i++ {
		pre := "c" + strconv.Itoa(i) + "."
		if _, ok := c.GetPostForm(pre + "id"); !ok {
			break
		}
		r := clauseRow{Index: len(e.Clauses), ID: strings.TrimSpace(c.PostForm(pre + "id")), Title: c.PostForm(pre + "title"),
			Body: strings.ReplaceAll(c.PostForm(pre+"body"), "\r\n", "\n"), Library: strings.TrimSpace(c.PostForm(pre + "library")), Optional: c.PostForm(pre+"optional") == "1"}
		if r.ID == "" || c.PostForm(pre+"remove") == "1" {
			continue
		}
		e.Clauses = append(e.Clauses, r)
		t.Clauses = append(t.Clauses, document.Clause{ID: r.ID, Title: r.Title, Body: r.Body, Library: r.Library, Optional: r.Optional})
	}
	for i := 0; i < 200; i++ {
		pre := "f" + strconv.Itoa(i) + "."
		if _, ok := c.GetPostForm(pre + "name"); !ok {
			break
		}
		r := fieldRow{Index: len(e.Fields), Name: strings.TrimSpace(c.PostForm(pre + "name")), Label: c.PostForm(pre + "label"), Type: c.PostForm(pre + "type"),
			Choices: c.PostForm(pre + "choices"), Source: c.PostForm(pre + "source"), Min: strings.TrimSpace(c.PostForm(pre + "min")),
			Max: strings.TrimSpace(c.PostForm(pre + "max")), MaxLength: strings.TrimSpace(c.PostForm(pre + "max_length")),
			Required: c.PostForm(pre+"required") == "1", Multiline: c.PostForm(pre+"multiline") == "1"}
		if r.Name == "" || c.PostForm(pre+"remove") == "1" {
			continue
		}
		f := document.Field{Name: r.Name, Label: r.Label, Type: document.FieldType(r.Type), Required: r.Required, Multiline: r.Multiline, Source: r.Source}
		for _, line := range strings.Split(r.Choices, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				f.Choices = append(f.Choices, line)
			}
		}
		num := func(name, s string) *int64 {
			if s == "" {
				return nil
			}
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				bad = append(bad, fmt.Sprintf("f%d.%s", r.Index, name))
				return nil
			}
			return &n
		}
		f.Min, f.Max = num("min", r.Min), num("max", r.Max)
		if ml := num("max_length", r.MaxLength); ml != nil {
			f.MaxLength = int(*ml)
		}
		e.Fields = append(e.Fields, r)
		t.Fields = append(t.Fields, f)
	}
	return t, e, bad
}

// saveTemplate previews (action=preview) or saves a new version of the
// template as typed; the new template form posts here without an ID.
func (p *pages) saveTemplate(c *gin.Context) {
	t, e, bad := postedTemplate(c, c.Param("id"))
	if len(bad) > 0 {
		e.Errors = map[string]string{}
		for _, name := range bad {
			e.Errors[name] = "must be a whole number"
		}
		p.showEditor(c, http.StatusBadRequest, e)
		return
	}
	var err error
	if c.PostForm("action") == "preview" {
		var d document.Document
		if err = api.Validate(&t); err == nil {
			d, err = p.d.Catalog.PreviewTemplate(c.Request.Context(), currentUser(c), t)
		}
		if err == nil {
			e.Preview = d.Text
			p.showEditor(c, http.StatusOK, e)
			return
		}
	} else {
		var saved document.Template
		if err = api.Validate(&t); err == nil {
			saved, err = p.d.Catalog.SaveTemplate(c.Request.Context(), currentUser(c), t)
		}
		if err == nil {
			p.redirect(c, fmt.Sprintf("/admin/templates/%s?done=saved&version=%d", saved.ID, saved.Version))
			return
		}
	}
	status, body := api.ErrorStatus(err)
	if status >= 500 || status == http.StatusForbidden {
		p.serviceError(c, err)
		return
	}
	e.Errors = map[string]string{}
	for _, fe := range body.Fields {
		name := editorField(fe.Field)
		if name == "" {
			e.Other = append(e.Other, api.FieldError{Field: fe.Field, Message: fe.Message})
			continue
		}
		e.Errors[name] = fe.Message
	}
	if len(body.Fields) == 0 {
		e.Other = []api.FieldError{{Message: body.Message}}
	}
	p.showEditor(c, status, e)
}

// editorField is the editor's input for a template's field path:
// clauses[3].body → c3.body, fields[0].choices[1] → f0.choices, name →
// name; "" for a path no input shows.
func editorField(path string) string {
	switch path {
	case "id", "name", "language":
		return path
	}
	for prefix, short := range map[string]string{"clauses[": "c", "fields[": "f"} {
		rest, ok := strings.CutPrefix(path, prefix)
		if !ok {
			continue
		}
		idx, after, ok := strings.Cut(rest, "]")
		if _, err := strconv.Atoi(idx); !ok || err != nil {
			return ""
		}
		field, _, _ := strings.Cut(strings.TrimPrefix(after, "."), "[")
		if field == "" {
			field = "id"
		}
		return short + idx + "." + field
	}
	return ""
}

// retireTemplateVersion retires the version shown, as
// POST /v1/templates/{id}/versions/{v}/retire does.
func (p *pages) retireTemplateVersion(c *gin.Context) {
	v, err := strconv.Atoi(c.Param("version"))
	if err != nil || v < 1 || v > domain.MaxVersion {
		p.notFound(c)
		return
	}
	in := catalog.RetireInput{Reason: c.PostForm("reason")}
	err = api.Validate(&in)
	if err == nil {
		_, _, err = p.d.Catalog.RetireTemplate(c.Request.Context(), currentUser(c), c.Param("id"), v, in)
	}
	if err != nil {
		p.serviceError(c, err)
		return
	}
	p.redirect(c, fmt.Sprintf("/admin/templates/%s?done=retired&version=%d", c.Param("id"), v))
}
