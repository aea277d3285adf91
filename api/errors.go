package api

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/signet-clm/signet/internal/domain"
)

// ErrorBody is every error response: a stable code, a sentence for people
// and, for bad input, the fields at fault.
type ErrorBody struct {
	Error     string       `json:"error"`
	Message   string       `json:"message"`
	Fields    []FieldError `json:"fields,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
}

// FieldError names one field at fault and why.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func fieldErrors(fields []domain.FieldError) []FieldError {
	return convList(fields, func(f domain.FieldError) FieldError { return FieldError{Field: f.Field, Message: f.Message} })
}

var (
	errNoRoute  = errors.New("no such route")
	errNoMethod = errors.New("method not allowed")
	// errOverloaded refuses a request when SIGNET_MAX_INFLIGHT are in flight.
	errOverloaded = errors.New("too many requests in flight")
	// errBadWebhookSignature refuses a provider callback whose HMAC or
	// timestamp does not check out.
	errBadWebhookSignature = errors.New("bad or stale webhook signature")
)

// writeError maps any error from a handler to its status and body. Raw
// error text never reaches the client except a refusal's own reason.
func writeError(c *gin.Context, logger *slog.Logger, err error) {
	status, body := classify(err)
	body.RequestID = c.GetString(requestIDKey)
	var later *domain.RetryLater
	var throttled *domain.Throttled
	switch {
	case errors.As(err, &later):
		// Whole seconds, rounded up: asking sooner is refused again.
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(later.After.Seconds()))))
	case errors.As(err, &throttled):
		c.Header("Retry-After", strconv.Itoa(RetryAfterSeconds(throttled)))
	case status == http.StatusServiceUnavailable:
		c.Header("Retry-After", "5")
	case status == http.StatusTooManyRequests:
		// Requests last tens of milliseconds; a slot frees up quickly.
		c.Header("Retry-After", "1")
	}
	if status >= 500 {
		logger.Error("request failed", "method", c.Request.Method, "path", c.FullPath(), "status", status,
			"request_id", body.RequestID, "err", err)
	}
	c.AbortWithStatusJSON(status, body)
}

func classify(err error) (int, ErrorBody) {
	var verr *domain.ValidationError
	var refusal *domain.Refusal
	var later *domain.RetryLater
	switch {
	case errors.As(err, &later):
		return http.StatusTooManyRequests, ErrorBody{Error: "too_soon", Message: later.Message}
	case errors.As(err, &verr) && verr.NotFound:
		return http.StatusNotFound, ErrorBody{Error: "not_found", Message: "the request names something that does not exist", Fields: fieldErrors(verr.Fields)}
	case errors.As(err, &verr):
		return http.StatusBadRequest, ErrorBody{Error: "invalid_request", Message: "the request has invalid fields", Fields: fieldErrors(verr.Fields)}
	case errors.As(err, &refusal):
		switch refusal.Kind {
		case domain.RefusedForbidden:
			return http.StatusForbidden, ErrorBody{Error: "forbidden", Message: refusal.Message}
		case domain.RefusedNotFound:
			return http.StatusNotFound, ErrorBody{Error: "not_found", Message: refusal.Message}
		case domain.RefusedInvalid:
			return http.StatusUnprocessableEntity, ErrorBody{Error: "unprocessable", Message: refusal.Message}
		default:
			return http.StatusConflict, ErrorBody{Error: "conflict", Message: refusal.Message}
		}
	case errors.As(err, new(*domain.Throttled)):
		return http.StatusTooManyRequests, ErrorBody{Error: "too_many_attempts", Message: "too many wrong passwords in a row; wait for Retry-After seconds"}
	case errors.Is(err, errBadWebhookSignature):
		return http.StatusUnauthorized, ErrorBody{Error: "unauthorized", Message: "bad or stale webhook signature; nothing was applied"}
	case errors.Is(err, domain.ErrUnauthorized):
		return http.StatusUnauthorized, ErrorBody{Error: "unauthorized", Message: "a valid bearer token is required"}
	case errors.Is(err, errRouteForbidden):
		return http.StatusForbidden, ErrorBody{Error: "forbidden", Message: errRouteForbidden.Error()}
	case errors.Is(err, domain.ErrForbidden):
		return http.StatusForbidden, ErrorBody{Error: "forbidden", Message: "your role may not do this"}
	case errors.Is(err, domain.ErrNotFound), errors.Is(err, errNoRoute):
		return http.StatusNotFound, ErrorBody{Error: "not_found", Message: "no such resource"}
	case errors.Is(err, errNoMethod):
		return http.StatusMethodNotAllowed, ErrorBody{Error: "method_not_allowed", Message: "this route does not take that method"}
	case errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge, ErrorBody{Error: "too_large", Message: "the upload is larger than the limit; nothing was stored"}
	case errors.Is(err, domain.ErrGone):
		return http.StatusGone, ErrorBody{Error: "gone", Message: "this signing link was used, voided or has expired; ask the sender for a new one"}
	case errors.Is(err, domain.ErrAlreadyExists):
		return http.StatusConflict, ErrorBody{Error: "conflict", Message: "it already exists"}
	case errors.Is(err, errSlowBody):
		return http.StatusRequestTimeout, ErrorBody{Error: "request_timeout", Message: "the request body did not arrive in time; nothing was applied"}
	case errors.Is(err, errOverloaded):
		return http.StatusTooManyRequests, ErrorBody{Error: "overloaded", Message: "the API is at its limit of requests in flight; retry after the Retry-After delay"}
	case errors.Is(err, domain.ErrUnavailable), postgresAway(err):
		return http.StatusServiceUnavailable, ErrorBody{Error: "unavailable", Message: "a backing service is unavailable; retry shortly"}
	default:
		return http.StatusInternalServerError, ErrorBody{Error: "internal", Message: "internal error"}
	}
}

// RetryAfterSeconds is how long a throttled caller waits, in whole
// seconds, at least one.
func RetryAfterSeconds(t *domain.Throttled) int {
	return max(1, int(math.Ceil(time.Until(t.Until).Seconds())))
}

// postgresAway reports PostgreSQL being unreachable, shutting down or
// restarting, or the connection dropping (SQLSTATE classes 08 and 57P):
// an outage, so 503, even from a path that did not mark its error
// unavailable. The fault suite's PostgreSQL restart found two such paths.
func postgresAway(err error) bool {
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) {
		return true
	}
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (strings.HasPrefix(pg.Code, "08") || strings.HasPrefix(pg.Code, "57P"))
}
