package workflows_test

import (
	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/policy"
)

// openStages is the suites' OpenStages: each stage's approvers from
// approvers, their tasks as the activity builds them, appended to saved.
func openStages(in activities.OpenStagesInput, approvers func(policy.Stage) []domain.Approver, saved *[]domain.ApprovalTask) activities.OpenStagesResult {
	var out activities.OpenStagesResult
	for _, st := range in.Stages {
		out.Tasks = append(out.Tasks, activities.StageTasks(in.ContractNumber, in.Round, st.Index, st.Stage, approvers(st.Stage), in.At)...)
	}
	if saved != nil {
		*saved = append(*saved, out.Tasks...)
	}
	return out
}
