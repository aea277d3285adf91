package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/reports"
)

// Export formats: every report answers JSON, or with ?format=csv or
// ?format=xlsx a download of the same rows.
const (
	formatJSON = "json"
	formatCSV  = "csv"
	formatXLSX = "xlsx"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// reportFormat reads ?format.
func reportFormat(f string) (string, error) {
	switch f {
	case "", formatJSON:
		return formatJSON, nil
	case formatCSV, formatXLSX:
		return f, nil
	}
	return "", fieldError("format", "must be one of: json, csv, xlsx")
}

// exportContext is the context an export runs under: the client's own
// (cancelled when it goes away), bounded by ExportTimeout rather than the
// request timeout, since a million rows take longer than a page.
func (h *handlers) exportContext(c *gin.Context) (context.Context, context.CancelFunc) {
	base, ok := c.Get(untimedKey)
	ctx, _ := base.(context.Context)
	if !ok || ctx == nil {
		ctx = c.Request.Context()
	}
	limit := h.d.ExportTimeout
	if limit <= 0 {
		limit = 30 * time.Minute
	}
	extendWrite(c, limit+30*time.Second)
	return context.WithTimeout(ctx, limit)
}

// sendTable streams t as a download. Once the first byte is out the status
// cannot change, so a failure after it aborts the connection: the client
// sees a broken download, never a short file that looks complete.
func (h *handlers) sendTable(c *gin.Context, name, format string, t reports.Table) {
	day := time.Now().Format("20060102")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.%s"`, name, day, format))
	c.Header("X-Content-Type-Options", "nosniff")
	var err error
	if format == formatCSV {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Status(http.StatusOK)
		err = reports.WriteCSV(c.Writer, t)
	} else {
		c.Header("Content-Type", xlsxType)
		c.Status(http.StatusOK)
		err = reports.WriteXLSX(c.Writer, t)
	}
	if err == nil {
		return
	}
	if !c.Writer.Written() {
		// Nothing sent yet (an XLSX goes out only once complete): answer
		// with the error instead.
		c.Writer.Header().Del("Content-Disposition")
		writeError(c, h.d.Logger, err)
		return
	}
	h.d.Logger.Error("export failed midway", "report", name, "format", format, "request_id", c.GetString(requestIDKey), "err", err)
	panic(http.ErrAbortHandler)
}

// figures makes a handler for a report computed whole (the figures): JSON
// (the report converted by toAPI), or its table as CSV or XLSX.
func figures[In any, Out interface{ Table() reports.Table }, API any](h *handlers, name string, format func(In) string,
	fn func(ctx context.Context, u domain.User, in In) (Out, error), toAPI func(Out) API) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in In
		if err := h.bindQuery(c, &in); err != nil {
			writeError(c, h.d.Logger, err)
			return
		}
		f, err := reportFormat(format(in))
		if err != nil {
			writeError(c, h.d.Logger, err)
			return
		}
		ctx := c.Request.Context()
		if f != formatJSON {
			var cancel context.CancelFunc
			ctx, cancel = h.exportContext(c)
			defer cancel()
		}
		out, err := fn(ctx, currentUser(c), in)
		if err != nil || f == formatJSON {
			h.respond(c, http.StatusOK, toAPI(out), err)
			return
		}
		h.sendTable(c, name, f, out.Table())
	}
}

func (h *handlers) summary(c *gin.Context) {
	figures(h, "summary", func(q reports.SummaryQuery) string { return q.Format },
		func(ctx context.Context, u domain.User, q reports.SummaryQuery) (reports.Summary, error) {
			return h.d.Reports.Summary(ctx, u, q)
		}, toSummary)(c)
}

func (h *handlers) summaryChart(c *gin.Context) {
	var q reports.ChartQuery
	if err := h.bindQuery(c, &q); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	ch, err := h.d.Reports.SummaryChart(c.Request.Context(), currentUser(c), q)
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	c.Header("Content-Type", "image/svg+xml; charset=utf-8")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Status(http.StatusOK)
	if err := ch.WriteSVG(c.Writer); err != nil {
		h.d.Logger.Warn("chart not sent", "err", err)
	}
}

func (h *handlers) aging(c *gin.Context) {
	figures(h, "aging", func(q reports.AgingQuery) string { return q.Format },
		func(ctx context.Context, u domain.User, q reports.AgingQuery) (reports.Aging, error) {
			return h.d.Reports.Aging(ctx, u, q)
		}, toAging)(c)
}

func (h *handlers) approvalCycle(c *gin.Context) {
	figures(h, "approval-cycle", func(q reports.CycleQuery) string { return q.Format },
		func(ctx context.Context, u domain.User, q reports.CycleQuery) (reports.Cycle, error) {
			return h.d.Reports.ApprovalCycle(ctx, u, q)
		}, toCycle)(c)
}

func (h *handlers) renewals(c *gin.Context) {
	figures(h, "renewals", func(q reports.RenewalQuery) string { return q.Format },
		func(ctx context.Context, u domain.User, q reports.RenewalQuery) (reports.Renewals, error) {
			return h.d.Reports.Renewals(ctx, u, q)
		}, toRenewals)(c)
}

// ledger answers a page of the ledger as JSON, or streams every row the
// filters select, in the same order, as CSV or XLSX.
func (h *handlers) ledger(c *gin.Context) {
	var q reports.LedgerQuery
	if err := h.bindQuery(c, &q); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	f, err := reportFormat(q.Format)
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	if f == formatJSON {
		page, err := as(toLedgerPage)(h.d.Reports.Ledger(c.Request.Context(), currentUser(c), q))
		h.respond(c, http.StatusOK, page, err)
		return
	}
	ctx, cancel := h.exportContext(c)
	defer cancel()
	it, err := h.d.Reports.LedgerRows(ctx, currentUser(c), q)
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	defer it.Close()
	// Read the first row before the status goes out, so an outage still
	// answers 503.
	if err := it.Start(); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	h.sendTable(c, "ledger", f, reports.LedgerTable(it))
}
