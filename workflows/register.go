package workflows

import "go.temporal.io/sdk/workflow"

// WorkflowRegistry is what RegisterWorkflows needs: a worker, a replayer or
// the SDK's test environment.
type WorkflowRegistry interface {
	RegisterWorkflow(w any)
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}

// RegisterWorkflows registers every workflow type Signet runs, under the
// names recorded histories use. The worker, the replay tests and the
// harness all call it, so the list is written once.
func RegisterWorkflows(r WorkflowRegistry) {
	r.RegisterWorkflow(ContractWorkflow)
	r.RegisterWorkflow(ApprovalWorkflow)
	r.RegisterWorkflow(SigningWorkflow)
	r.RegisterWorkflowWithOptions(ScheduledJob, workflow.RegisterOptions{Name: ScheduledJobWorkflow})
	r.RegisterWorkflowWithOptions(Import, workflow.RegisterOptions{Name: ImportWorkflowType})
}
