package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
)

// updateIDKey holds, in the context of an Update handler, the Update's ID:
// the client's X-Request-ID, which the services send as the Update ID.
type updateIDKey struct{}

// inUpdate wraps an Update handler so that what it writes can name the
// request that caused it (acting). Reading the Update's ID issues no
// command, so recorded histories replay unchanged.
func inUpdate[Req, Res any](h func(workflow.Context, Req) (Res, error)) func(workflow.Context, Req) (Res, error) {
	return func(ctx workflow.Context, req Req) (Res, error) {
		return h(workflow.WithValue(ctx, updateIDKey{}, workflow.GetCurrentUpdateInfo(ctx).ID), req)
	}
}

// outsideUpdate is ctx for work an Update starts but that ends later on
// its own (a round's outcome): it no longer speaks for that request.
func outsideUpdate(ctx workflow.Context) workflow.Context {
	return workflow.WithValue(ctx, updateIDKey{}, "")
}

// acting is who the audit trail names for what an Update handler writes:
// its actor and the Update's (the client's request) ID. Outside an Update
// (timers, system jobs, a round's outcome) it names nobody, and the trail
// names the event's own actor or the system.
func acting(ctx workflow.Context, a domain.Actor) audit.Actor {
	id, _ := ctx.Value(updateIDKey{}).(string)
	if id == "" {
		return audit.Actor{}
	}
	return audit.Actor{UserID: a.UserID, RequestID: id}
}
