package api

import (
	"context"
	"io/fs"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"

	"github.com/signet-clm/signet/contracts"
	"github.com/signet-clm/signet/workflows"
)

type handlers struct {
	d        Deps
	validate *validator.Validate
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

func (h *handlers) createContract(c *gin.Context) {
	var in contracts.CreateInput
	if err := h.bindJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	key := c.GetHeader(IdempotencyKeyHeader)
	if key != "" && !validClientID(key) {
		writeError(c, h.d.Logger, fieldError(IdempotencyKeyHeader, "must be 1 to 128 printable ASCII characters"))
		return
	}
	state, err := h.d.Contracts.Create(c.Request.Context(), currentUser(c), key, in)
	if err == nil {
		c.Header("Location", "/v1/contracts/"+state.Contract.Number)
	}
	h.respond(c, http.StatusCreated, state, err)
}

func (h *handlers) listContracts(c *gin.Context) {
	var in contracts.ListInput
	if err := h.bindQuery(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	page, err := h.d.Contracts.List(c.Request.Context(), currentUser(c), in)
	h.respond(c, http.StatusOK, page, err)
}

func (h *handlers) getContract(c *gin.Context) {
	view, err := h.d.Contracts.Get(c.Request.Context(), currentUser(c), c.Param("number"))
	h.respond(c, http.StatusOK, view, err)
}

func (h *handlers) contractEvents(c *gin.Context) {
	events, err := h.d.Contracts.Events(c.Request.Context(), currentUser(c), c.Param("number"))
	h.respond(c, http.StatusOK, gin.H{"items": events}, err)
}

// decision runs one Update-backed action and answers with the new state.
func (h *handlers) decision(c *gin.Context, act func(ctx context.Context, requestID string) (workflows.ContractState, error)) {
	state, err := act(c.Request.Context(), c.GetString(requestIDKey))
	h.respond(c, http.StatusOK, state, err)
}

func (h *handlers) submit(c *gin.Context) {
	h.decision(c, func(ctx context.Context, rid string) (workflows.ContractState, error) {
		return h.d.Contracts.Submit(ctx, currentUser(c), c.Param("number"), rid)
	})
}

func (h *handlers) send(c *gin.Context) {
	h.decision(c, func(ctx context.Context, rid string) (workflows.ContractState, error) {
		return h.d.Contracts.Send(ctx, currentUser(c), c.Param("number"), rid)
	})
}

func (h *handlers) sign(c *gin.Context) {
	var in contracts.SignInput
	if err := h.bindJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	from := contracts.Client{IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
	h.decision(c, func(ctx context.Context, rid string) (workflows.ContractState, error) {
		return h.d.Contracts.Sign(ctx, currentUser(c), c.Param("number"), rid, in, from)
	})
}

func (h *handlers) cancel(c *gin.Context) {
	var in contracts.CancelInput
	if err := h.bindJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	h.decision(c, func(ctx context.Context, rid string) (workflows.ContractState, error) {
		return h.d.Contracts.Cancel(ctx, currentUser(c), c.Param("number"), rid, in)
	})
}

func (h *handlers) tasks(c *gin.Context) {
	tasks, err := h.d.Contracts.Inbox(c.Request.Context(), currentUser(c))
	h.respond(c, http.StatusOK, gin.H{"items": tasks}, err)
}

func (h *handlers) decide(c *gin.Context) {
	var in contracts.DecideInput
	if err := h.bindJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	h.decision(c, func(ctx context.Context, rid string) (workflows.ContractState, error) {
		return h.d.Contracts.Decide(ctx, currentUser(c), c.Param("id"), rid, in)
	})
}
