package workflows_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/signet-clm/signet/activities"
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

	// The planner's refusal (a blocking finding, a stage nobody but the
	// owner or drafter could decide) passed on as is, by a termination
	// request: 422, not an outage.
	blocked := workflows.Error(temporal.NewNonRetryableApplicationError(`nobody may approve stage "销售经理审批"`, activities.ErrTypeBlocked, nil))
	require.True(t, errors.As(blocked, &r))
	assert.Equal(t, domain.RefusedInvalid, r.Kind)
	assert.Contains(t, r.Message, "销售经理审批")

	// An activity's own failure type is not a refusal: an outage to the caller.
	other := workflows.Error(temporal.NewApplicationError("boom", "SomethingElse"))
	assert.ErrorIs(t, other, domain.ErrUnavailable)
	assert.False(t, errors.As(other, &r))
	assert.ErrorIs(t, workflows.Error(errors.New("connection refused")), domain.ErrUnavailable)
}
