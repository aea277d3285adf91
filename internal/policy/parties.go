package policy

import (
	"slices"

	"github.com/signet-clm/signet/internal/domain"
)

// Parties are the people who never approve a contract's rounds: its owner
// and its drafter. Nobody approves their own contract, directly, by
// delegation or by escalation (DESIGN.md, Controls).
type Parties struct {
	Owner   string `json:"owner"`
	Drafter string `json:"drafter"`
}

// Include reports whether id is the owner or the drafter.
func (p Parties) Include(id string) bool {
	return id != "" && (id == p.Owner || id == p.Drafter)
}

// Person is someone a task may go to, with the roles they hold.
type Person struct {
	ID    string        `json:"id"`
	Name  string        `json:"name"`
	Roles []domain.Role `json:"roles"`
}

// Candidate is an active user a stage could go to and, when a delegation
// covers the day, the active delegate it names.
type Candidate struct {
	Person
	Delegate *Person `json:"delegate,omitempty"`
}

// ChainRole reports whether a stage asking for role r goes up the owner's
// manager chain rather than to every holder of r: holders of such a role
// read only their own team's contracts (sales managers), so only those
// above the owner may see, and approve, the contract.
func ChainRole(r domain.Role) bool { return r != "" && !r.SeesAll() }

// DelegateQualifies reports whether a delegate may take a task meant for
// the delegator: they hold the role the stage asks for or, for a stage
// without one (named users, a manager), every role the delegator holds.
// A delegation is the delegator's role lent within that role, never a way
// to hand a decision to someone who could not take it themselves.
func DelegateQualifies(stageRole domain.Role, delegator, delegate []domain.Role) bool {
	if stageRole != "" {
		return slices.Contains(delegate, stageRole)
	}
	for _, r := range delegator {
		if !slices.Contains(delegate, r) {
			return false
		}
	}
	return true
}

// Assign picks who gets a stage's tasks from candidates, in their order:
// each candidate, or their delegate when the delegation qualifies for
// stageRole (otherwise the candidate keeps the task). A candidate who is
// one of the parties is passed over, and so is one whose delegate is: the
// task falls through to the next candidate, never to the owner or the
// drafter. Nobody gets two tasks.
func Assign(stageRole domain.Role, candidates []Candidate, parties Parties) []domain.Approver {
	out := []domain.Approver{}
	seen := map[string]bool{}
	for _, c := range candidates {
		if parties.Include(c.ID) {
			continue
		}
		a := domain.Approver{ID: c.ID, Name: c.Name}
		if d := c.Delegate; d != nil && d.ID != c.ID && DelegateQualifies(stageRole, c.Roles, d.Roles) {
			if parties.Include(d.ID) {
				continue
			}
			a = domain.Approver{ID: d.ID, Name: d.Name, DelegatedFrom: c.ID}
		}
		if seen[a.ID] {
			continue
		}
		seen[a.ID] = true
		out = append(out, a)
	}
	return out
}

// Pool is who a stage could go to, as the directory has them on the day.
type Pool struct {
	// Chain is the contract owner's managers, nearest first, active ones
	// only (the walk goes on through inactive managers).
	Chain []Candidate
	// Holders are the active holders of the stage's role, or its named
	// users; unused for a chain role.
	Holders []Candidate
	// Escalation is the stage's escalation target: the holders of its
	// escalation role or the managers of its holders; used when no holder
	// may take the stage.
	Escalation []Candidate
}

// StageApprovers returns who decides a stage of a contract with these
// parties:
//
//   - a chain role (the sales manager): the nearest holder of the role up
//     the owner's manager chain, or with quorum "all" every holder up the
//     chain; when none may, the nearest manager up the chain whatever
//     their role (the stage escalates);
//   - any other role, or named users: every holder who may; when none may,
//     the stage's escalation target.
//
// The parties are never among them. Empty means nobody may decide the
// stage, and the submission is refused.
func StageApprovers(s Stage, parties Parties, pool Pool) []domain.Approver {
	if ChainRole(s.Role) && len(s.Users) == 0 {
		var holders []Candidate
		for _, c := range pool.Chain {
			if slices.Contains(c.Roles, s.Role) {
				holders = append(holders, c)
			}
		}
		approvers := Assign(s.Role, holders, parties)
		if len(approvers) > 0 && s.Quorum != QuorumAll {
			approvers = approvers[:1]
		}
		if len(approvers) == 0 {
			approvers = NearestManager(pool.Chain, parties)
		}
		return approvers
	}
	if approvers := Assign(s.Role, pool.Holders, parties); len(approvers) > 0 {
		return approvers
	}
	return Assign(s.EscalateTo.Role, pool.Escalation, parties)
}

// NearestManager is the first manager of chain (nearest first) who may
// take a task, or nobody.
func NearestManager(chain []Candidate, parties Parties) []domain.Approver {
	approvers := Assign("", chain, parties)
	if len(approvers) > 1 {
		approvers = approvers[:1]
	}
	return approvers
}
