package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/signet-clm/signet/workflows"
)

// A job's run does the time its schedule started it for, so a run that
// waited in the queue overnight (no worker was up) still does yesterday's
// digest; a run started by hand does now.
func TestScheduledJobRunsForItsScheduledTime(t *testing.T) {
	scheduled := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC) // 08:00 in Shanghai
	for name, c := range map[string]struct {
		attrs temporal.SearchAttributes
		want  func(started time.Time) time.Time
	}{
		"from its schedule": {temporal.NewSearchAttributes(temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime").ValueSet(scheduled)),
			func(time.Time) time.Time { return scheduled }},
		"by hand": {temporal.NewSearchAttributes(), func(started time.Time) time.Time { return started }},
	} {
		t.Run(name, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestWorkflowEnvironment()
			started := time.Date(2026, 12, 3, 1, 30, 0, 0, time.UTC)
			env.SetStartTime(started)
			require.NoError(t, env.SetTypedSearchAttributesOnStart(c.attrs))
			var ran []workflows.JobRun
			workflows.RegisterWorkflows(env)
			env.RegisterActivityWithOptions(func(_ context.Context, in workflows.JobRun) (workflows.JobResult, error) {
				ran = append(ran, in)
				return workflows.JobResult{Job: in.Job, ScheduledAt: in.ScheduledAt, Count: 3}, nil
			}, activity.RegisterOptions{Name: workflows.ActivityRunJob})
			env.ExecuteWorkflow(workflows.ScheduledJobWorkflow, workflows.JobInput{Job: workflows.JobDailyDigest})
			require.NoError(t, env.GetWorkflowError())
			var res workflows.JobResult
			require.NoError(t, env.GetWorkflowResult(&res))
			require.Len(t, ran, 1)
			assert.Equal(t, workflows.JobDailyDigest, ran[0].Job)
			assert.True(t, c.want(started).Equal(ran[0].ScheduledAt), "ran for %s", ran[0].ScheduledAt)
			assert.Equal(t, 3, res.Count)
		})
	}
}
