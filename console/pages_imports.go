package console

import (
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/imports"
)

// importers may open the import page: the API's /v1/imports roles.
var importers = []domain.Role{domain.RoleSalesManager, domain.RoleFinance, domain.RoleAdmin}

// importsPage is /admin/imports: the upload form, the report of a file
// just checked, and the newest jobs.
type importsPage struct {
	Kinds  []imports.Kind
	Modes  []string
	Kind   string
	Source string
	Mode   string
	// Errors are the form's field errors by field (kind, source, mode,
	// file); Report what checking the file found, row by row.
	Errors  map[string]string
	Report  *api.ImportReport
	Refusal string
	Jobs    []api.ImportJob
	// Job, when set, makes this a job's own page.
	Job *api.ImportJob
}

func (p *pages) importsPage(c *gin.Context) {
	page := importsPage{Source: "crm", Mode: imports.ModeDryRun, Kind: string(imports.KindCustomers)}
	p.showImports(c, http.StatusOK, page)
}

func (p *pages) showImports(c *gin.Context, status int, page importsPage) {
	jobs, err := p.d.Imports.Jobs(c.Request.Context(), currentUser(c))
	if err != nil {
		p.serviceError(c, err)
		return
	}
	page.Jobs = make([]api.ImportJob, len(jobs))
	for i, j := range jobs {
		page.Jobs[i] = api.ImportJobOf(j)
	}
	page.Kinds, page.Modes = imports.Kinds, []string{imports.ModeDryRun, imports.ModeAll, imports.ModeRows}
	if page.Errors == nil {
		page.Errors = map[string]string{}
	}
	v := p.view(c, "imports", page)
	v.Title = v.T("imports.title")
	p.render(c, status, "imports", v)
}

// submitImport is POST /v1/imports/check (a dry run) or /v1/imports from
// the page's form: the file is checked and its report shown in place, or
// its job queued and its page opened.
func (p *pages) submitImport(c *gin.Context) {
	page := importsPage{Kind: c.PostForm("kind"), Source: c.PostForm("source"), Mode: c.PostForm("mode")}
	req := imports.Request{Kind: page.Kind, Source: page.Source, Mode: page.Mode}
	if fh, err := c.FormFile("file"); err == nil {
		f, err := fh.Open()
		if err != nil {
			p.serviceError(c, err)
			return
		}
		req.Data, err = io.ReadAll(io.LimitReader(f, imports.MaxFileBytes+1))
		f.Close()
		if err != nil {
			p.serviceError(c, err)
			return
		}
		req.Filename = api.CleanFilename(fh.Filename)
	}
	rep, err := p.d.Imports.Submit(c.Request.Context(), currentUser(c), req)
	if err == nil && rep.Job != nil {
		p.redirect(c, "/admin/imports/"+rep.Job.ID)
		return
	}
	status := http.StatusOK
	if err != nil {
		fields, message, code := sealFieldMap(err)
		if code != http.StatusBadRequest {
			p.serviceError(c, err)
			return
		}
		status = code
		page.Errors = map[string]string{}
		for f, m := range fields {
			// A row's problem is in the report's table, not beside a field.
			if !strings.HasPrefix(f, "rows[") {
				page.Errors[f] = m
			}
		}
		if len(fields) == 0 {
			page.Refusal = message
		}
	}
	if rep.Kind != "" {
		r := api.ImportReportOf(rep)
		page.Report = &r
	}
	p.showImports(c, status, page)
}

// importTemplate is GET /v1/imports/templates/{kind} for the page's links.
func (p *pages) importTemplate(c *gin.Context) {
	kind, ok := imports.ParseKind(c.Param("kind"))
	if !ok {
		p.fail(c, http.StatusNotFound, "error.not_found")
		return
	}
	xlsx := c.Query("format") == "xlsx"
	name, ctype, data, err := imports.TemplateFile(kind, xlsx)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Data(http.StatusOK, ctype, data)
}

// importJob is GET /v1/imports/{id}: the job's counters, which the page
// refreshes (htmx, the progress fragment) until it finishes.
func (p *pages) importJob(c *gin.Context) {
	j, err := p.d.Imports.Job(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		p.serviceError(c, err)
		return
	}
	job := api.ImportJobOf(j)
	v := p.view(c, "imports", importsPage{Job: &job})
	v.Title = v.T("imports.job_title")
	p.render(c, http.StatusOK, "imports", v)
}

// problemList is an import's problems with the view that labels them,
// for the problems table both the report and the job show.
type problemList struct {
	*view
	Problems []api.ImportProblem
}

// ProblemList pairs problems with the view, for the problems template.
func (v *view) ProblemList(ps []api.ImportProblem) problemList { return problemList{v, ps} }
