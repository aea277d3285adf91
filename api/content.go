package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/catalog"
	"github.com/signet-clm/signet/contracts"
	"github.com/signet-clm/signet/customers"
	"github.com/signet-clm/signet/document"
	"github.com/signet-clm/signet/workflows"
)

func (h *handlers) createCustomer(c *gin.Context) {
	var in customers.CreateInput
	if err := h.bindJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	d, err := h.d.Customers.Create(c.Request.Context(), currentUser(c), in)
	if err == nil {
		c.Header("Location", "/v1/customers/"+d.ID)
	}
	h.respond(c, http.StatusCreated, d, err)
}

func (h *handlers) listCustomers(c *gin.Context) {
	var in customers.ListInput
	if err := h.bindQuery(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	page, err := h.d.Customers.List(c.Request.Context(), currentUser(c), in)
	h.respond(c, http.StatusOK, page, err)
}

func (h *handlers) getCustomer(c *gin.Context) {
	d, err := h.d.Customers.Get(c.Request.Context(), currentUser(c), c.Param("id"))
	h.respond(c, http.StatusOK, d, err)
}

func (h *handlers) updateCustomer(c *gin.Context) {
	var in customers.UpdateInput
	if err := h.bindJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	d, err := h.d.Customers.Update(c.Request.Context(), currentUser(c), c.Param("id"), in)
	h.respond(c, http.StatusOK, d, err)
}

func (h *handlers) addContact(c *gin.Context) {
	var in customers.ContactInput
	if err := h.bindJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	contact, err := h.d.Customers.AddContact(c.Request.Context(), currentUser(c), c.Param("id"), in)
	h.respond(c, http.StatusCreated, contact, err)
}

func (h *handlers) createProductLine(c *gin.Context) {
	var in catalog.LineInput
	if err := h.bindJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	l, err := h.d.Catalog.CreateLine(c.Request.Context(), currentUser(c), in)
	h.respond(c, http.StatusCreated, l, err)
}

func (h *handlers) productLines(c *gin.Context) {
	lines, err := h.d.Catalog.Lines(c.Request.Context())
	h.respond(c, http.StatusOK, gin.H{"items": lines}, err)
}

func (h *handlers) createProduct(c *gin.Context) {
	var in catalog.ProductInput
	if err := h.bindJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	p, err := h.d.Catalog.CreateProduct(c.Request.Context(), currentUser(c), in)
	h.respond(c, http.StatusCreated, p, err)
}

func (h *handlers) updateProduct(c *gin.Context) {
	var in catalog.ProductUpdate
	if err := h.bindJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	p, err := h.d.Catalog.UpdateProduct(c.Request.Context(), currentUser(c), c.Param("id"), in)
	h.respond(c, http.StatusOK, p, err)
}

func (h *handlers) products(c *gin.Context) {
	var q catalog.ProductQuery
	if err := h.bindQuery(c, &q); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	ps, err := h.d.Catalog.Products(c.Request.Context(), q)
	h.respond(c, http.StatusOK, gin.H{"items": ps}, err)
}

func (h *handlers) saveTemplate(c *gin.Context) {
	var t document.Template
	if err := h.bindJSON(c, &t); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	saved, err := h.d.Catalog.SaveTemplate(c.Request.Context(), currentUser(c), t)
	h.respond(c, http.StatusCreated, saved, err)
}

func (h *handlers) templates(c *gin.Context) {
	ts, err := h.d.Catalog.Templates(c.Request.Context())
	h.respond(c, http.StatusOK, gin.H{"items": ts}, err)
}

func (h *handlers) getTemplate(c *gin.Context) {
	version := 0
	if v := c.Query("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(c, h.d.Logger, fieldError("version", "must be a positive whole number"))
			return
		}
		version = n
	}
	t, err := h.d.Catalog.Template(c.Request.Context(), c.Param("id"), version)
	h.respond(c, http.StatusOK, t, err)
}

// contractDocument serves the rendered document as HTML or plain text,
// with its SHA-256 in a header so a reader can check what they hold.
func (h *handlers) contractDocument(c *gin.Context) {
	format := contracts.DocumentFormat(c.DefaultQuery("format", string(contracts.FormatHTML)))
	if format != contracts.FormatHTML && format != contracts.FormatText {
		writeError(c, h.d.Logger, fieldError("format", "must be html or text"))
		return
	}
	d, err := h.d.Contracts.Document(c.Request.Context(), currentUser(c), c.Param("number"))
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	c.Header("X-Document-SHA256", d.SHA256)
	if format == contracts.FormatText {
		c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(d.Text))
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(d.HTML))
}

func (h *handlers) saveClause(c *gin.Context) {
	var in document.LibraryClause
	if err := h.bindJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	saved, err := h.d.Catalog.SaveClause(c.Request.Context(), currentUser(c), in)
	h.respond(c, http.StatusCreated, saved, err)
}

func (h *handlers) clauses(c *gin.Context) {
	cs, err := h.d.Catalog.Clauses(c.Request.Context())
	h.respond(c, http.StatusOK, gin.H{"items": cs}, err)
}

func (h *handlers) addNonStandardClauses(c *gin.Context) {
	var in contracts.NonStandardInput
	if err := h.bindJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	h.decision(c, func(ctx context.Context, rid string) (workflows.ContractState, error) {
		return h.d.Contracts.AddNonStandardClauses(ctx, currentUser(c), c.Param("number"), rid, in)
	})
}
