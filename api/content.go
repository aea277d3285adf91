package api

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/catalog"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/customers"
	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
)

// withJSON makes a handler that binds the JSON body into In, calls fn as
// the caller and answers status with its result.
func withJSON[In, Out any](h *handlers, status int, fn func(ctx context.Context, u domain.User, c *gin.Context, in In) (Out, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in In
		if err := h.bindJSON(c, &in); err != nil {
			writeError(c, h.d.Logger, err)
			return
		}
		out, err := fn(c.Request.Context(), currentUser(c), c, in)
		h.respond(c, status, out, err)
	}
}

// withQuery is withJSON for query parameters, answering 200.
func withQuery[In, Out any](h *handlers, fn func(ctx context.Context, u domain.User, c *gin.Context, in In) (Out, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in In
		if err := h.bindQuery(c, &in); err != nil {
			writeError(c, h.d.Logger, err)
			return
		}
		out, err := fn(c.Request.Context(), currentUser(c), c, in)
		h.respond(c, http.StatusOK, out, err)
	}
}

// items wraps a list as {"items": [...]}.
type items[T any] struct {
	Items []T `json:"items"`
}

func (h *handlers) createCustomer(c *gin.Context) {
	withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, _ *gin.Context, in customers.CreateInput) (CustomerDetail, error) {
		return as(toCustomerDetail)(h.d.Customers.Create(ctx, u, in))
	})(c)
}

// putByExternal answers a create-or-update: 201 when it created, 200
// when it updated.
func putByExternal[In, S, Out any](h *handlers, conv func(S) Out, fn func(ctx context.Context, u domain.User, source, id string, in In) (S, bool, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in In
		if err := h.bindJSON(c, &in); err != nil {
			writeError(c, h.d.Logger, err)
			return
		}
		v, created, err := fn(c.Request.Context(), currentUser(c), c.Param("source"), c.Param("external_id"), in)
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		if err != nil {
			h.respond(c, status, nil, err)
			return
		}
		h.respond(c, status, conv(v), nil)
	}
}

func (h *handlers) putCustomerByExternal(c *gin.Context) {
	putByExternal(h, toCustomerDetail, h.d.Customers.PutByExternal)(c)
}

func (h *handlers) putProductByExternal(c *gin.Context) {
	putByExternal(h, toProduct, h.d.Catalog.PutByExternal)(c)
}

func (h *handlers) setContractExternalID(c *gin.Context) {
	withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in contracts.ExternalIDInput) (ContractExternalIDs, error) {
		number := c.Param("number")
		ids, err := h.d.Contracts.SetExternalID(ctx, u, number, c.Param("source"), in)
		return ContractExternalIDs{Number: number, ExternalIDs: toExternalIDs(ids)}, err
	})(c)
}

func (h *handlers) listCustomers(c *gin.Context) {
	withQuery(h, func(ctx context.Context, u domain.User, _ *gin.Context, in customers.ListInput) (CustomerPage, error) {
		return as(toCustomerPage)(h.d.Customers.List(ctx, u, in))
	})(c)
}

func (h *handlers) getCustomer(c *gin.Context) {
	d, err := as(toCustomerDetail)(h.d.Customers.Get(c.Request.Context(), currentUser(c), c.Param("id")))
	h.respond(c, http.StatusOK, d, err)
}

func (h *handlers) updateCustomer(c *gin.Context) {
	withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in customers.UpdateInput) (CustomerDetail, error) {
		return as(toCustomerDetail)(h.d.Customers.Update(ctx, u, c.Param("id"), in))
	})(c)
}

func (h *handlers) addContact(c *gin.Context) {
	withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, c *gin.Context, in customers.ContactInput) (Contact, error) {
		return as(toContact)(h.d.Customers.AddContact(ctx, u, c.Param("id"), in))
	})(c)
}

func (h *handlers) deactivateCustomer(c *gin.Context) {
	d, err := as(toCustomerDetail)(h.d.Customers.SetActive(c.Request.Context(), currentUser(c), c.Param("id"), false))
	h.respond(c, http.StatusOK, d, err)
}

func (h *handlers) reactivateCustomer(c *gin.Context) {
	d, err := as(toCustomerDetail)(h.d.Customers.SetActive(c.Request.Context(), currentUser(c), c.Param("id"), true))
	h.respond(c, http.StatusOK, d, err)
}

func (h *handlers) mergeCustomer(c *gin.Context) {
	withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in customers.MergeInput) (CustomerDetail, error) {
		return as(toCustomerDetail)(h.d.Customers.Merge(ctx, u, c.Param("id"), in))
	})(c)
}

func (h *handlers) updateContact(c *gin.Context) {
	withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in customers.ContactUpdate) (Contact, error) {
		return as(toContact)(h.d.Customers.UpdateContact(ctx, u, c.Param("id"), c.Param("contact_id"), in))
	})(c)
}

func (h *handlers) removeContact(c *gin.Context) {
	if _, err := h.d.Customers.RemoveContact(c.Request.Context(), currentUser(c), c.Param("id"), c.Param("contact_id")); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handlers) createLine(c *gin.Context) {
	withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, _ *gin.Context, in catalog.LineInput) (ProductLine, error) {
		return as(toProductLine)(h.d.Catalog.CreateLine(ctx, u, in))
	})(c)
}

func (h *handlers) lines(c *gin.Context) {
	list, err := listAs(toProductLine)(h.d.Catalog.Lines(c.Request.Context()))
	h.respond(c, http.StatusOK, list, err)
}

func (h *handlers) createProduct(c *gin.Context) {
	withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, _ *gin.Context, in catalog.ProductInput) (Product, error) {
		return as(toProduct)(h.d.Catalog.CreateProduct(ctx, u, in))
	})(c)
}

func (h *handlers) products(c *gin.Context) {
	withQuery(h, func(ctx context.Context, _ domain.User, _ *gin.Context, q catalog.ProductQuery) (items[Product], error) {
		return listAs(toProduct)(h.d.Catalog.Products(ctx, q))
	})(c)
}

func (h *handlers) updateProduct(c *gin.Context) {
	withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in catalog.ProductUpdate) (Product, error) {
		return as(toProduct)(h.d.Catalog.UpdateProduct(ctx, u, c.Param("id"), in))
	})(c)
}

func (h *handlers) saveTemplate(c *gin.Context) {
	withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, _ *gin.Context, t document.Template) (Template, error) {
		return as(toTemplate)(h.d.Catalog.SaveTemplate(ctx, u, t))
	})(c)
}

func (h *handlers) templates(c *gin.Context) {
	list, err := listAs(toTemplateSummary)(h.d.Catalog.Templates(c.Request.Context()))
	h.respond(c, http.StatusOK, list, err)
}

func (h *handlers) saveClause(c *gin.Context) {
	withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, _ *gin.Context, in document.LibraryClause) (LibraryClause, error) {
		return as(toLibraryClause)(h.d.Catalog.SaveClause(ctx, u, in))
	})(c)
}

func (h *handlers) clauses(c *gin.Context) {
	list, err := listAs(toLibraryClause)(h.d.Catalog.Clauses(c.Request.Context()))
	h.respond(c, http.StatusOK, list, err)
}

// queryVersion reads an optional ?version= (0 when absent: the newest).
func queryVersion(c *gin.Context) (int, error) {
	v := c.Query("version")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > domain.MaxVersion {
		return 0, fieldError("version", fmt.Sprintf("must be a whole number from 1 to %d", domain.MaxVersion))
	}
	return n, nil
}

func (h *handlers) getTemplate(c *gin.Context) {
	version, err := queryVersion(c)
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	t, r, err := h.d.Catalog.TemplateDetail(c.Request.Context(), c.Param("id"), version)
	h.respond(c, http.StatusOK, toRetiredTemplate(t, r), err)
}

// retireTemplate retires a template version from use (legal, admins).
func (h *handlers) retireTemplate(c *gin.Context) {
	v, err := strconv.Atoi(c.Param("version"))
	if err != nil || v < 1 || v > domain.MaxVersion {
		writeError(c, h.d.Logger, fieldError("version", fmt.Sprintf("must be a whole number from 1 to %d", domain.MaxVersion)))
		return
	}
	withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in catalog.RetireInput) (Template, error) {
		t, r, err := h.d.Catalog.RetireTemplate(ctx, u, c.Param("id"), v, in)
		return toRetiredTemplate(t, r), err
	})(c)
}

// contractDocument serves the rendered document as HTML or plain text,
// with its SHA-256 in a header so a reader can check what they hold.
func (h *handlers) contractDocument(c *gin.Context) {
	format := contracts.DocumentFormat(c.DefaultQuery("format", string(contracts.FormatHTML)))
	if format != contracts.FormatHTML && format != contracts.FormatText && format != contracts.FormatPDF {
		writeError(c, h.d.Logger, fieldError("format", "must be html, text or pdf"))
		return
	}
	if format == contracts.FormatPDF {
		file, sum, err := h.d.Contracts.DocumentPDF(c.Request.Context(), currentUser(c), c.Param("number"))
		if err != nil {
			writeError(c, h.d.Logger, err)
			return
		}
		c.Header("X-Document-SHA256", sum)
		c.Header("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": c.Param("number") + ".pdf"}))
		c.Data(http.StatusOK, "application/pdf", file)
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
