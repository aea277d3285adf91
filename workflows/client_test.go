package workflows_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/workflows"
)

// Every Temporal failure a service can meet becomes the domain error the
// API answers with, in this one place.
func TestErrorMapsTemporalFailuresToDomainErrors(t *testing.T) {
	assert.NoError(t, workflows.Error(nil))

	refused := workflows.Error(temporal.NewApplicationError("task T is already closed", string(domain.RefusedConflict)))
	var r *domain.Refusal
	require.True(t, errors.As(refused, &r))
	assert.Equal(t, domain.RefusedConflict, r.Kind)
	assert.Equal(t, "task T is already closed", r.Message)

	assert.ErrorIs(t, workflows.Error(serviceerror.NewNotFound("workflow not found")), domain.ErrNotFound)
	assert.ErrorIs(t, workflows.Error(serviceerror.NewWorkflowExecutionAlreadyStarted("started", "", "")), domain.ErrAlreadyExists)

	// An activity's own failure type is not a refusal: an outage to the caller.
	other := workflows.Error(temporal.NewApplicationError("boom", "SomethingElse"))
	assert.ErrorIs(t, other, domain.ErrUnavailable)
	assert.False(t, errors.As(other, &r))
	assert.ErrorIs(t, workflows.Error(errors.New("connection refused")), domain.ErrUnavailable)
}
