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
	"github.com/signet-clm/signet/domain"
	"github.com/signet-clm/signet/store"
	"github.com/signet-clm/signet/workflows"
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

func listOf[T any](list []T, err error) (items[T], error) {
	if list == nil {
		list = []T{}
	}
	return items[T]{Items: list}, err
}

// contentRoutes registers the customer book, catalogue and template routes.
func (h *handlers) contentRoutes(v1 *gin.RouterGroup) {
	cu, ca := h.d.Customers, h.d.Catalog
	v1.POST("/customers", withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, _ *gin.Context, in customers.CreateInput) (customers.Detail, error) {
		return cu.Create(ctx, u, in)
	}))
	v1.GET("/customers", withQuery(h, func(ctx context.Context, u domain.User, _ *gin.Context, in customers.ListInput) (customers.Page, error) {
		return cu.List(ctx, u, in)
	}))
	v1.GET("/customers/:id", func(c *gin.Context) {
		d, err := cu.Get(c.Request.Context(), currentUser(c), c.Param("id"))
		h.respond(c, http.StatusOK, d, err)
	})
	v1.PATCH("/customers/:id", withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in customers.UpdateInput) (customers.Detail, error) {
		return cu.Update(ctx, u, c.Param("id"), in)
	}))
	v1.POST("/customers/:id/contacts", withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, c *gin.Context, in customers.ContactInput) (store.Contact, error) {
		return cu.AddContact(ctx, u, c.Param("id"), in)
	}))
	v1.POST("/product-lines", withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, _ *gin.Context, in catalog.LineInput) (store.ProductLine, error) {
		return ca.CreateLine(ctx, u, in)
	}))
	v1.GET("/product-lines", func(c *gin.Context) {
		list, err := listOf(ca.Lines(c.Request.Context()))
		h.respond(c, http.StatusOK, list, err)
	})
	v1.POST("/products", withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, _ *gin.Context, in catalog.ProductInput) (store.Product, error) {
		return ca.CreateProduct(ctx, u, in)
	}))
	v1.GET("/products", withQuery(h, func(ctx context.Context, _ domain.User, _ *gin.Context, q catalog.ProductQuery) (items[store.Product], error) {
		return listOf(ca.Products(ctx, q))
	}))
	v1.PATCH("/products/:id", withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in catalog.ProductUpdate) (store.Product, error) {
		return ca.UpdateProduct(ctx, u, c.Param("id"), in)
	}))
	v1.POST("/templates", withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, _ *gin.Context, t document.Template) (document.Template, error) {
		return ca.SaveTemplate(ctx, u, t)
	}))
	v1.GET("/templates", func(c *gin.Context) {
		list, err := listOf(ca.Templates(c.Request.Context()))
		h.respond(c, http.StatusOK, list, err)
	})
	v1.GET("/templates/:id", h.getTemplate)
	v1.POST("/clauses", withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, _ *gin.Context, in document.LibraryClause) (document.LibraryClause, error) {
		return ca.SaveClause(ctx, u, in)
	}))
	v1.GET("/clauses", func(c *gin.Context) {
		list, err := listOf(ca.Clauses(c.Request.Context()))
		h.respond(c, http.StatusOK, list, err)
	})
	v1.POST("/contracts/:number/non-standard-clauses", withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in contracts.NonStandardInput) (workflows.ContractState, error) {
		return h.d.Contracts.AddNonStandardClauses(ctx, u, c.Param("number"), c.GetString(requestIDKey), in)
	}))
}

// queryVersion reads an optional ?version= (0 when absent: the newest).
func queryVersion(c *gin.Context) (int, error) {
	v := c.Query("version")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fieldError("version", "must be a positive whole number")
	}
	return n, nil
}

func (h *handlers) getTemplate(c *gin.Context) {
	version, err := queryVersion(c)
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
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
