package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/signet-clm/signet/internal/domain"
)

// DefaultTaskQueue is the task queue contract workflows and their activities
// run on unless SIGNET_TASK_QUEUE says otherwise.
const DefaultTaskQueue = "signet-contracts"

// ContractWorkflowID is the workflow ID of the contract with this number,
// e.g. contract/HT-2026-000123, readable in the Temporal UI.
func ContractWorkflowID(number string) string {
	return "contract/" + number
}

// Update names of the contract workflow. Each carries a domain.Actor so the
// validator can refuse the wrong person.
const (
	// UpdateCreate returns the contract's state once its creation is
	// recorded: a creation retried under the same key (the first answers
	// as soon as the workflow starts, the draft stored as created).
	UpdateCreate = "create"
	// UpdateSubmit moves a draft into review and opens the first approval stage.
	UpdateSubmit = "submit"
	// UpdateDecide approves, rejects or requests changes on an approval task.
	UpdateDecide = "decide"
	// UpdateSend sends an approved contract for signature.
	UpdateSend = "send"
	// UpdateSign records one party's signature.
	UpdateSign = "sign"
	// UpdateCancel cancels a contract nobody has signed yet.
	UpdateCancel = "cancel"
	// UpdateRevise replaces a draft's rendered document; legal use it to add
	// non-standard clauses.
	UpdateRevise = "revise"
	// UpdateWithdraw takes a submission back: the open review round closes
	// (its open tasks withdrawn) and the contract is a draft again.
	UpdateWithdraw = "withdraw"
	// UpdateVoidSigning voids the open signing round: its links die, its
	// signatures stop counting and the contract is approved again.
	UpdateVoidSigning = "void_signing"
	// UpdateAwaitRound answers with the contract's state once it has
	// applied the outcome of the round named (AwaitRoundRequest): sent by
	// the service after a round started under changeDirectClose answered
	// the Update that closed it. It changes nothing.
	UpdateAwaitRound = "await_round"
)

// Signals between a contract and its review rounds: a round started
// before changeDirectClose reports its outcome (its ApprovalState) before
// it completes and waits for the contract to answer with its
// ContractState once it has recorded it (rounds.go). Rounds started since
// send none of these; the recall signals below are still sent to them.
const (
	SignalRoundClosed   = "round_closed"
	SignalRoundRecorded = "round_recorded"
	// The same between a contract and its signing rounds, which also say
	// when their first links are out (SigningOpened).
	SignalSigningOpened   = "signing_opened"
	SignalSigningClosed   = "signing_closed"
	SignalSigningRecorded = "signing_recorded"
	// The contract asks its open round to close itself: a review round
	// withdrawn with its submission, a signing round voided (a Recall).
	SignalRoundWithdraw = "round_withdraw"
	SignalSigningVoid   = "signing_void"
)

// QueryState returns the contract's live ContractState.
const QueryState = "state"

// Search attributes set on every contract workflow so ops can filter in the
// Temporal UI and with `temporal workflow list --query`.
var (
	SearchContractNumber  = temporal.NewSearchAttributeKeyKeyword("ContractNumber")
	SearchContractStatus  = temporal.NewSearchAttributeKeyKeyword("ContractStatus")
	SearchCustomerID      = temporal.NewSearchAttributeKeyKeyword("CustomerID")
	SearchOwnerID         = temporal.NewSearchAttributeKeyKeyword("OwnerID")
	SearchContractAmount  = temporal.NewSearchAttributeKeyInt64("ContractAmount")
	SearchContractEndDate = temporal.NewSearchAttributeKeyTime("ContractEndDate")
)

// SearchAttributeTypes lists the custom search attributes and their types as
// `temporal server start-dev --search-attribute` and the operator API name them.
var SearchAttributeTypes = []struct{ Name, Type string }{
	{"ContractNumber", "Keyword"},
	{"ContractStatus", "Keyword"},
	{"CustomerID", "Keyword"},
	{"OwnerID", "Keyword"},
	{"ContractAmount", "Int"},
	{"ContractEndDate", "Datetime"},
}

// StartOptions starts a contract's workflow under its readable ID with the
// search attributes ops filter by. A contract number is used once, ever.
func StartOptions(c domain.Contract, taskQueue string) client.StartWorkflowOptions {
	endDate, _ := domain.ParseDate(c.EndDate)
	return client.StartWorkflowOptions{
		ID:                       ContractWorkflowID(c.Number),
		TaskQueue:                taskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			SearchContractNumber.ValueSet(c.Number),
			SearchContractStatus.ValueSet(string(domain.StatusDraft)),
			SearchCustomerID.ValueSet(c.CustomerID),
			SearchOwnerID.ValueSet(c.OwnerID),
			SearchContractAmount.ValueSet(c.Amount),
			SearchContractEndDate.ValueSet(endDate),
		),
	}
}

// ImportWorkflowType lands one bulk import's checked records; its
// activity is ActivityLandImport (imports.Service.Land, via the worker).
const (
	ImportWorkflowType = "Import"
	ActivityLandImport = "LandImport"
)

// ImportWorkflowID is an import job's workflow, e.g. import/0190…, readable
// in the Temporal UI.
func ImportWorkflowID(id string) string { return "import/" + id }
