package api

import (
	"encoding/json"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/imports"
	"github.com/signet-clm/signet/internal/store"
)

// ImportProblem is one thing wrong with an imported file: a row's cell
// (Line is the file's line, 1 the header) or the header itself.
type ImportProblem struct {
	Line    int    `json:"line"`
	Column  string `json:"column"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// ImportReport is what checking a file found and, unless it was a dry
// run, the job that lands it.
type ImportReport struct {
	Kind     string          `json:"kind"`
	Mode     string          `json:"mode"`
	Encoding string          `json:"encoding"`
	Rows     int             `json:"rows"`
	Records  int             `json:"records"`
	Valid    int             `json:"valid"`
	Problems []ImportProblem `json:"problems"`
	Job      *ImportJob      `json:"job,omitempty"`
}

// ImportJob is a file being landed: its counters move while it runs.
type ImportJob struct {
	ID         string          `json:"id"`
	Kind       string          `json:"kind"`
	Source     string          `json:"source"`
	Mode       string          `json:"mode"`
	Filename   string          `json:"filename"`
	Encoding   string          `json:"encoding"`
	Status     string          `json:"status"`
	Total      int             `json:"total"`
	Processed  int             `json:"processed"`
	Created    int             `json:"created"`
	Updated    int             `json:"updated"`
	Unchanged  int             `json:"unchanged"`
	Failed     int             `json:"failed"`
	Problems   []ImportProblem `json:"problems"`
	Error      string          `json:"error,omitempty"`
	CreatedBy  string          `json:"created_by"`
	CreatedAt  time.Time       `json:"created_at"`
	FinishedAt *time.Time      `json:"finished_at,omitempty"`
}

func toImportProblem(p imports.Problem) ImportProblem {
	return ImportProblem{Line: p.Line, Column: p.Column, Field: p.Field, Message: p.Message}
}

func toImportJob(j store.ImportJob) ImportJob {
	var ps []imports.Problem
	_ = json.Unmarshal(j.Problems, &ps)
	return ImportJob{ID: j.ID, Kind: j.Kind, Source: j.Source, Mode: j.Mode, Filename: j.Filename, Encoding: j.Encoding,
		Status: j.Status, Total: j.Total, Processed: j.Processed, Created: j.Created, Updated: j.Updated,
		Unchanged: j.Unchanged, Failed: j.Failed, Problems: convList(ps, toImportProblem), Error: j.Error,
		CreatedBy: j.CreatedBy, CreatedAt: j.CreatedAt, FinishedAt: j.FinishedAt}
}

func toImportReport(r imports.Report) ImportReport {
	out := ImportReport{Kind: string(r.Kind), Mode: r.Mode, Encoding: r.Encoding, Rows: r.Rows, Records: r.Records,
		Valid: r.Valid, Problems: convList(r.Problems, toImportProblem)}
	if r.Job != nil {
		j := toImportJob(*r.Job)
		out.Job = &j
	}
	return out
}

// ImportReportOf is the API's view of a checked file, for the console.
func ImportReportOf(r imports.Report) ImportReport { return toImportReport(r) }

// ImportJobOf is the API's view of an import job, for the console.
func ImportJobOf(j store.ImportJob) ImportJob { return toImportJob(j) }

// importRequest reads an upload: the file, and kind, source and mode from
// the query or from form fields sent before the file.
func importRequest(c *gin.Context, mode string) (imports.Request, error) {
	req := imports.Request{Kind: c.Query("kind"), Source: c.Query("source"), Mode: mode}
	if mode != imports.ModeDryRun {
		req.Mode = c.Query("mode")
	}
	name, data, err := readFilePart(c, imports.MaxFileBytes, func(field, value string) {
		switch field {
		case "kind":
			req.Kind = value
		case "source":
			req.Source = value
		case "mode":
			if mode != imports.ModeDryRun {
				req.Mode = value
			}
		}
	})
	req.Filename, req.Data = name, data
	return req, err
}

// checkImport is the dry run: every row's problems by column, nothing
// written.
func (h *handlers) checkImport(c *gin.Context) {
	req, err := importRequest(c, imports.ModeDryRun)
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	rep, err := h.d.Imports.Submit(c.Request.Context(), currentUser(c), req)
	h.respond(c, http.StatusOK, toImportReport(rep), err)
}

// startImport queues a checked file's landing and answers with its job;
// in mode all a file with any problem is refused whole (400, each problem
// as rows[LINE].COLUMN).
func (h *handlers) startImport(c *gin.Context) {
	req, err := importRequest(c, "")
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	rep, err := h.d.Imports.Submit(c.Request.Context(), currentUser(c), req)
	if err == nil && rep.Job != nil {
		c.Header("Location", "/v1/imports/"+rep.Job.ID)
	}
	h.respond(c, http.StatusAccepted, toImportReport(rep), err)
}

func (h *handlers) listImports(c *gin.Context) {
	list, err := listAs(toImportJob)(h.d.Imports.Jobs(c.Request.Context(), currentUser(c)))
	h.respond(c, http.StatusOK, list, err)
}

func (h *handlers) getImport(c *gin.Context) {
	j, err := as(toImportJob)(h.d.Imports.Job(c.Request.Context(), currentUser(c), c.Param("id")))
	h.respond(c, http.StatusOK, j, err)
}

// importTemplate is a kind's file to fill in, CSV (UTF-8 with BOM) or,
// with format=xlsx, XLSX.
func (h *handlers) importTemplate(c *gin.Context) {
	kind, ok := imports.ParseKind(c.Param("kind"))
	if !ok {
		writeError(c, h.d.Logger, errNoRoute)
		return
	}
	xlsx := c.Query("format") == "xlsx"
	if f := c.Query("format"); f != "" && f != "xlsx" && f != "csv" {
		writeError(c, h.d.Logger, fieldError("format", "must be csv or xlsx"))
		return
	}
	name, ctype, data, err := imports.TemplateFile(kind, xlsx)
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Data(http.StatusOK, ctype, data)
}
