package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// RequestIDs records which client request IDs were used for what.
type RequestIDs interface {
	ClaimRequestID(ctx context.Context, c store.RequestClaim) (store.RequestClaim, error)
}

// errReusedRequestID is an X-Request-ID a client already sent for
// another operation, another target or as another caller.
var errReusedRequestID = &domain.Refusal{Kind: domain.RefusedConflict,
	Message: "this X-Request-ID was already used for a different request; send a new one (a retry repeats the same request with the same ID)"}

// onceRequestID holds a changing request's client-sent X-Request-ID to
// what it was first sent for. Request IDs become Update IDs, and Temporal
// answers a repeated Update ID with the first outcome: without this
// check, an ID reused for another operation, contract or caller would be
// taken silently for the earlier request.
func (h *handlers) onceRequestID(c *gin.Context) {
	id := c.GetHeader(RequestIDHeader)
	if h.d.RequestIDs == nil || c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead || !validClientID(id) {
		c.Next()
		return
	}
	caller := "public"
	if u, ok := c.Get(userKey); ok {
		caller = "user:" + u.(domain.User).ID
	}
	// Path parameters can be credentials (a signing link's token), so
	// only their hash is kept.
	var params []string
	for _, p := range c.Params {
		params = append(params, p.Key+"="+p.Value)
	}
	sum := sha256.Sum256([]byte(strings.Join(params, "\x00")))
	claim := store.RequestClaim{RequestID: id, Caller: caller, Operation: c.Request.Method + " " + c.FullPath(), Target: hex.EncodeToString(sum[:])}
	got, err := h.d.RequestIDs.ClaimRequestID(c.Request.Context(), claim)
	switch {
	case err != nil:
		writeError(c, h.d.Logger, errors.Join(domain.ErrUnavailable, err))
		return
	case got != claim:
		writeError(c, h.d.Logger, errReusedRequestID)
		return
	}
	c.Next()
}
