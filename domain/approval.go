package domain

// Approval v1 thresholds, in major units of the contract's currency.
const (
	FinanceThresholdMajor   int64 = 100_000
	ExecutiveThresholdMajor int64 = 1_000_000
)

// ApprovalStages returns the roles whose approval a contract needs, in the
// order they approve: a sales manager always, finance from 100,000.00 and an
// executive from 1,000,000.00. Each stage is approved by any one holder of
// its role. Rule-based policies replace this in the approval engine issue.
func ApprovalStages(m Money) []Role {
	stages := []Role{RoleSalesManager}
	if m.Amount >= MinorUnits(FinanceThresholdMajor, m.Currency) {
		stages = append(stages, RoleFinance)
	}
	if m.Amount >= MinorUnits(ExecutiveThresholdMajor, m.Currency) {
		stages = append(stages, RoleExecutive)
	}
	return stages
}
