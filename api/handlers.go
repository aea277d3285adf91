package api

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"

	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/workflows"
)

type handlers struct {
	d Deps
	// metricsHandler serves /metrics.
	metricsHandler http.Handler
	validate       *validator.Validate
	// inflight holds one token per /v1 request being served; nil when
	// MaxInFlight is zero.
	inflight chan struct{}
	// uploads are the slots of streamed uploads, apart from inflight.
	uploads chan struct{}
}

// respond writes v with status, or the error in its place.
func (h *handlers) respond(c *gin.Context, status int, v any, err error) {
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	c.JSON(status, v)
}

// Liveness is /healthz's answer.
type Liveness struct {
	Status string `json:"status"`
}

// Readiness is /readyz's answer: each dependency's check.
type Readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// WebhookReceipt acknowledges a provider callback.
type WebhookReceipt struct {
	DeliveryID string `json:"delivery_id"`
	Duplicate  bool   `json:"duplicate"`
}

// as lifts a converter over a service call's (value, error) result.
func as[S, T any](f func(S) T) func(S, error) (T, error) {
	return func(v S, err error) (T, error) {
		if err != nil {
			var zero T
			return zero, err
		}
		return f(v), nil
	}
}

// listAs is as for a list, answered as {"items": [...]}.
func listAs[S, T any](f func(S) T) func([]S, error) (items[T], error) {
	return func(list []S, err error) (items[T], error) {
		out := items[T]{Items: convList(list, f)}
		if out.Items == nil {
			out.Items = []T{}
		}
		return out, err
	}
}

func (h *handlers) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, Liveness{Status: "ok"})
}

func (h *handlers) readyz(c *gin.Context) {
	results := map[string]string{}
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
		c.JSON(http.StatusServiceUnavailable, Readiness{Status: "unavailable", Checks: results})
		return
	}
	c.JSON(http.StatusOK, Readiness{Status: "ready", Checks: results})
}

func (h *handlers) openapi(c *gin.Context) {
	doc, err := fs.ReadFile(openapiDoc, "openapi.json")
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	// The same bytes for everyone until the server is upgraded.
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/json", doc)
}

func (h *handlers) me(c *gin.Context) {
	c.JSON(http.StatusOK, toUser(currentUser(c)))
}

// state is what every decision on a contract answers.
var state = as(toContractState)

func (h *handlers) createContract(c *gin.Context) {
	withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, c *gin.Context, in contracts.CreateInput) (ContractState, error) {
		key := c.GetHeader(IdempotencyKeyHeader)
		if key != "" && !validClientID(key) {
			return ContractState{}, fieldError(IdempotencyKeyHeader, "must be 1 to 128 printable ASCII characters")
		}
		st, err := state(h.d.Contracts.Create(ctx, u, key, in))
		if err == nil {
			c.Header("Location", "/v1/contracts/"+st.Contract.Number)
		}
		return st, err
	})(c)
}

func (h *handlers) listContracts(c *gin.Context) {
	withQuery(h, func(ctx context.Context, u domain.User, _ *gin.Context, in contracts.ListInput) (ContractPage, error) {
		return as(toContractPage)(h.d.Contracts.List(ctx, u, in))
	})(c)
}

func (h *handlers) getContract(c *gin.Context) {
	var in contracts.GetInput
	if err := h.bindQuery(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	cs := h.d.Contracts
	if in.AsOf != "" {
		past, err := as(toContractAsOf)(cs.ContractAsOf(c.Request.Context(), currentUser(c), c.Param("number"), in.AsOf))
		h.respond(c, http.StatusOK, past, err)
		return
	}
	view, err := as(toContractView)(cs.Get(c.Request.Context(), currentUser(c), c.Param("number")))
	h.respond(c, http.StatusOK, view, err)
}

func (h *handlers) contractEvents(c *gin.Context) {
	list, err := listAs(toEvent)(h.d.Contracts.Events(c.Request.Context(), currentUser(c), c.Param("number")))
	h.respond(c, http.StatusOK, list, err)
}

// decision makes a handler for a decision on a contract: the JSON body
// bound into In, the request ID as the Update ID, the new state answered.
func decision[In any](h *handlers, fn func(ctx context.Context, u domain.User, number, requestID string, c *gin.Context, in In) (workflows.ContractState, error)) gin.HandlerFunc {
	return withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in In) (ContractState, error) {
		return state(fn(ctx, u, c.Param("number"), c.GetString(requestIDKey), c, in))
	})
}

func (h *handlers) reviseDraft(c *gin.Context) {
	decision(h, func(ctx context.Context, u domain.User, n, id string, _ *gin.Context, in contracts.CreateInput) (workflows.ContractState, error) {
		return h.d.Contracts.ReviseDraft(ctx, u, n, id, in)
	})(c)
}

func (h *handlers) submit(c *gin.Context) {
	st, err := state(h.d.Contracts.Submit(c.Request.Context(), currentUser(c), c.Param("number"), c.GetString(requestIDKey)))
	h.respond(c, http.StatusOK, st, err)
}

// withdraw takes its reason from an optional body.
func (h *handlers) withdraw(c *gin.Context) {
	var in contracts.WithdrawInput
	if err := h.bindOptionalJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	st, err := state(h.d.Contracts.Withdraw(c.Request.Context(), currentUser(c), c.Param("number"), c.GetString(requestIDKey), in))
	h.respond(c, http.StatusOK, st, err)
}

func (h *handlers) cancel(c *gin.Context) {
	decision(h, func(ctx context.Context, u domain.User, n, id string, _ *gin.Context, in contracts.CancelInput) (workflows.ContractState, error) {
		return h.d.Contracts.Cancel(ctx, u, n, id, in)
	})(c)
}

func (h *handlers) recordInvoice(c *gin.Context) {
	decision(h, func(ctx context.Context, u domain.User, n, id string, _ *gin.Context, in contracts.InvoiceInput) (workflows.ContractState, error) {
		return h.d.Contracts.RecordInvoice(ctx, u, n, id, in)
	})(c)
}

func (h *handlers) recordPayment(c *gin.Context) {
	decision(h, func(ctx context.Context, u domain.User, n, id string, _ *gin.Context, in contracts.PaymentInput) (workflows.ContractState, error) {
		return h.d.Contracts.RecordPayment(ctx, u, n, id, in)
	})(c)
}

func (h *handlers) updateObligation(c *gin.Context) {
	decision(h, func(ctx context.Context, u domain.User, n, id string, c *gin.Context, in contracts.ObligationUpdateInput) (workflows.ContractState, error) {
		return h.d.Contracts.UpdateObligation(ctx, u, n, c.Param("id"), id, in)
	})(c)
}

func (h *handlers) terminate(c *gin.Context) {
	decision(h, func(ctx context.Context, u domain.User, n, id string, _ *gin.Context, in contracts.TerminateInput) (workflows.ContractState, error) {
		return h.d.Contracts.Terminate(ctx, u, n, id, in)
	})(c)
}

func (h *handlers) amend(c *gin.Context) {
	decision(h, func(ctx context.Context, u domain.User, n, id string, _ *gin.Context, in contracts.AmendInput) (workflows.ContractState, error) {
		return h.d.Contracts.Amend(ctx, u, n, id, in)
	})(c)
}

func (h *handlers) addNonStandardClauses(c *gin.Context) {
	decision(h, func(ctx context.Context, u domain.User, n, id string, _ *gin.Context, in contracts.NonStandardInput) (workflows.ContractState, error) {
		return h.d.Contracts.AddNonStandardClauses(ctx, u, n, id, in)
	})(c)
}

func (h *handlers) versions(c *gin.Context) {
	list, err := listAs(toVersionInfo)(h.d.Contracts.Versions(c.Request.Context(), currentUser(c), c.Param("number")))
	h.respond(c, http.StatusOK, list, err)
}

func (h *handlers) version(c *gin.Context) {
	v, err := strconv.Atoi(c.Param("version"))
	if err != nil || v < 1 || v > domain.MaxVersion {
		writeError(c, h.d.Logger, fieldError("version", fmt.Sprintf("must be a whole number from 1 to %d", domain.MaxVersion)))
		return
	}
	view, err := as(toVersionView)(h.d.Contracts.Version(c.Request.Context(), currentUser(c), c.Param("number"), v))
	h.respond(c, http.StatusOK, view, err)
}

func (h *handlers) diff(c *gin.Context) {
	withQuery(h, func(ctx context.Context, u domain.User, c *gin.Context, in contracts.DiffInput) (Comparison, error) {
		return as(toComparison)(h.d.Contracts.Diff(ctx, u, c.Param("number"), in))
	})(c)
}

func (h *handlers) archive(c *gin.Context) {
	st, err := state(h.d.Contracts.Archive(c.Request.Context(), currentUser(c), c.Param("number"), c.GetString(requestIDKey)))
	h.respond(c, http.StatusOK, st, err)
}

func (h *handlers) decide(c *gin.Context) {
	withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in contracts.DecideInput) (ContractState, error) {
		return state(h.d.Contracts.Decide(ctx, u, c.Param("id"), c.GetString(requestIDKey), in))
	})(c)
}
