package api

import (
	"context"
	"io/fs"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"

	"github.com/signet-clm/signet/contracts"
	"github.com/signet-clm/signet/document"
	"github.com/signet-clm/signet/domain"
	"github.com/signet-clm/signet/store"
	"github.com/signet-clm/signet/workflows"
)

type handlers struct {
	d        Deps
	validate *validator.Validate
	// inflight holds one token per /v1 request being served; nil when
	// MaxInFlight is zero.
	inflight chan struct{}
}

// respond writes v with status, or the error in its place.
func (h *handlers) respond(c *gin.Context, status int, v any, err error) {
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	c.JSON(status, v)
}

func (h *handlers) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (h *handlers) readyz(c *gin.Context) {
	results := gin.H{}
	ready := true
	for _, chk := range h.d.Checks {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		err := chk.Check(ctx)
		cancel()
		if err != nil {
			ready = false
			results[chk.Name] = "unavailable"
			h.d.Logger.Warn("readiness check failed", "check", chk.Name, "err", err)
			continue
		}
		results[chk.Name] = "ok"
	}
	if !ready {
		c.Header("Retry-After", "5")
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "checks": results})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "checks": results})
}

func (h *handlers) openapi(c *gin.Context) {
	doc, err := fs.ReadFile(openapiDoc, "openapi.json")
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	c.Data(http.StatusOK, "application/json", doc)
}

func (h *handlers) me(c *gin.Context) {
	c.JSON(http.StatusOK, currentUser(c))
}

// contractRoutes registers the contract lifecycle routes. Decisions answer
// with the contract's new state; the request ID is their Update ID.
func (h *handlers) contractRoutes(v1 *gin.RouterGroup) {
	cs := h.d.Contracts
	type state = workflows.ContractState
	v1.POST("/contracts", withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, c *gin.Context, in contracts.CreateInput) (state, error) {
		key := c.GetHeader(IdempotencyKeyHeader)
		if key != "" && !validClientID(key) {
			return state{}, fieldError(IdempotencyKeyHeader, "must be 1 to 128 printable ASCII characters")
		}
		st, err := cs.Create(ctx, u, key, in)
		if err == nil {
			c.Header("Location", "/v1/contracts/"+st.Contract.Number)
		}
		return st, err
	}))
	v1.GET("/contracts", withQuery(h, func(ctx context.Context, u domain.User, _ *gin.Context, in contracts.ListInput) (contracts.Page[store.ContractRow], error) {
		return cs.List(ctx, u, in)
	}))
	v1.GET("/contracts/:number", func(c *gin.Context) {
		var in contracts.GetInput
		if err := h.bindQuery(c, &in); err != nil {
			writeError(c, h.d.Logger, err)
			return
		}
		if in.AsOf != "" {
			past, err := cs.ContractAsOf(c.Request.Context(), currentUser(c), c.Param("number"), in.AsOf)
			h.respond(c, http.StatusOK, past, err)
			return
		}
		view, err := cs.Get(c.Request.Context(), currentUser(c), c.Param("number"))
		h.respond(c, http.StatusOK, view, err)
	})
	v1.GET("/contracts/:number/events", func(c *gin.Context) {
		list, err := listOf(cs.Events(c.Request.Context(), currentUser(c), c.Param("number")))
		h.respond(c, http.StatusOK, list, err)
	})
	v1.PUT("/contracts/:number/content", withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in contracts.CreateInput) (state, error) {
		return cs.ReviseDraft(ctx, u, c.Param("number"), c.GetString(requestIDKey), in)
	}))
	v1.POST("/contracts/:number/submit", func(c *gin.Context) {
		st, err := cs.Submit(c.Request.Context(), currentUser(c), c.Param("number"), c.GetString(requestIDKey))
		h.respond(c, http.StatusOK, st, err)
	})
	v1.POST("/contracts/:number/sign", withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in contracts.SignInput) (state, error) {
		from := contracts.Client{IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
		return cs.Sign(ctx, u, c.Param("number"), c.GetString(requestIDKey), in, from)
	}))
	v1.POST("/contracts/:number/cancel", withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in contracts.CancelInput) (state, error) {
		return cs.Cancel(ctx, u, c.Param("number"), c.GetString(requestIDKey), in)
	}))
	v1.POST("/contracts/:number/invoices", withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in contracts.InvoiceInput) (state, error) {
		return cs.RecordInvoice(ctx, u, c.Param("number"), c.GetString(requestIDKey), in)
	}))
	v1.POST("/contracts/:number/payments", withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in contracts.PaymentInput) (state, error) {
		return cs.RecordPayment(ctx, u, c.Param("number"), c.GetString(requestIDKey), in)
	}))
	v1.PATCH("/contracts/:number/obligations/:id", withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in contracts.ObligationUpdateInput) (state, error) {
		return cs.UpdateObligation(ctx, u, c.Param("number"), c.Param("id"), c.GetString(requestIDKey), in)
	}))
	v1.POST("/contracts/:number/terminate", withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in contracts.TerminateInput) (state, error) {
		return cs.Terminate(ctx, u, c.Param("number"), c.GetString(requestIDKey), in)
	}))
	v1.POST("/contracts/:number/amendments", withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in contracts.AmendInput) (state, error) {
		return cs.Amend(ctx, u, c.Param("number"), c.GetString(requestIDKey), in)
	}))
	v1.GET("/contracts/:number/versions", func(c *gin.Context) {
		list, err := listOf(cs.Versions(c.Request.Context(), currentUser(c), c.Param("number")))
		h.respond(c, http.StatusOK, list, err)
	})
	v1.GET("/contracts/:number/versions/:version", func(c *gin.Context) {
		v, err := strconv.Atoi(c.Param("version"))
		if err != nil || v < 1 {
			writeError(c, h.d.Logger, domain.ErrNotFound)
			return
		}
		view, err := cs.Version(c.Request.Context(), currentUser(c), c.Param("number"), v)
		h.respond(c, http.StatusOK, view, err)
	})
	v1.GET("/contracts/:number/diff", withQuery(h, func(ctx context.Context, u domain.User, c *gin.Context, in contracts.DiffInput) (document.Comparison, error) {
		return cs.Diff(ctx, u, c.Param("number"), in)
	}))
	v1.POST("/contracts/:number/archive", func(c *gin.Context) {
		st, err := cs.Archive(c.Request.Context(), currentUser(c), c.Param("number"), c.GetString(requestIDKey))
		h.respond(c, http.StatusOK, st, err)
	})
	v1.POST("/tasks/:id/decision", withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in contracts.DecideInput) (state, error) {
		return cs.Decide(ctx, u, c.Param("id"), c.GetString(requestIDKey), in)
	}))
}
