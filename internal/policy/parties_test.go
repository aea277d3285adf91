package policy_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/policy"
)

func person(id string, roles ...domain.Role) policy.Person {
	return policy.Person{ID: id, Name: id, Roles: roles}
}

func cand(id string, roles ...domain.Role) policy.Candidate {
	return policy.Candidate{Person: person(id, roles...)}
}

func delegating(c policy.Candidate, d policy.Person) policy.Candidate {
	c.Delegate = &d
	return c
}

func ids(as []domain.Approver) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

const sm, sales, legal, exec = domain.RoleSalesManager, domain.RoleSales, domain.RoleLegal, domain.RoleExecutive

func TestAssignNeverPicksTheOwnerOrDrafter(t *testing.T) {
	parties := policy.Parties{Owner: "owner", Drafter: "drafter"}
	got := policy.Assign(legal, []policy.Candidate{
		cand("owner", legal), cand("drafter", legal), cand("a", legal),
		delegating(cand("b", legal), person("owner", legal)), // falls through, not back to b
		delegating(cand("c", legal), person("d", legal)),
		delegating(cand("e", legal), person("d", legal)), // d once
		delegating(cand("f", legal), person("g", sales)), // g lacks the role: f keeps it
	}, parties)
	assert.Equal(t, []string{"a", "d", "f"}, ids(got))
	assert.Equal(t, "c", got[1].DelegatedFrom)
	assert.Empty(t, got[2].DelegatedFrom)
}

func TestDelegateQualifiesWithinTheRole(t *testing.T) {
	assert.True(t, policy.DelegateQualifies(legal, []domain.Role{legal}, []domain.Role{legal, sales}))
	assert.False(t, policy.DelegateQualifies(legal, []domain.Role{legal}, []domain.Role{domain.RoleAdmin}))
	// Named users' stages: every role of the delegator.
	assert.True(t, policy.DelegateQualifies("", []domain.Role{sales}, []domain.Role{sales}))
	assert.False(t, policy.DelegateQualifies("", []domain.Role{sales, legal}, []domain.Role{sales}))
}

func TestSalesManagerStageGoesUpTheOwnersChain(t *testing.T) {
	st := policy.Stage{Name: "销售经理审批", Role: sm, Quorum: policy.QuorumAny, EscalateTo: policy.Escalation{Role: exec}}
	chain := []policy.Candidate{cand("m1", sm), cand("dir", sm, exec), cand("ceo", exec)}
	// Someone else's chain is never consulted: only the owner's.
	assert.Equal(t, []string{"m1"}, ids(policy.StageApprovers(st, policy.Parties{Owner: "s1", Drafter: "s1"}, policy.Pool{Chain: chain})))
	all := st
	all.Quorum = policy.QuorumAll
	assert.Equal(t, []string{"m1", "dir"}, ids(policy.StageApprovers(all, policy.Parties{Owner: "s1"}, policy.Pool{Chain: chain})))
	// The manager's own contract: their manager.
	assert.Equal(t, []string{"dir"}, ids(policy.StageApprovers(st, policy.Parties{Owner: "m1", Drafter: "m1"}, policy.Pool{Chain: chain[1:]})))
	// No sales manager above: the next manager up, whatever their role.
	assert.Equal(t, []string{"ceo"}, ids(policy.StageApprovers(st, policy.Parties{Owner: "dir"}, policy.Pool{Chain: chain[2:]})))
	// Nobody above (executives elsewhere do not count): nobody, so refused.
	assert.Empty(t, policy.StageApprovers(st, policy.Parties{Owner: "m2"}, policy.Pool{Holders: []policy.Candidate{cand("ceo", exec)}}))
	// A drafter above the owner is passed over too.
	assert.Equal(t, []string{"dir"}, ids(policy.StageApprovers(st, policy.Parties{Owner: "s1", Drafter: "m1"}, policy.Pool{Chain: chain})))
}

func TestCompanyRoleStageFallsToItsEscalation(t *testing.T) {
	st := policy.Stage{Name: "法务审批", Role: legal, Quorum: policy.QuorumAny, EscalateTo: policy.Escalation{Role: exec}}
	parties := policy.Parties{Owner: "lee"}
	pool := policy.Pool{Holders: []policy.Candidate{cand("lee", legal, sales)}, Escalation: []policy.Candidate{cand("ceo", exec)}}
	assert.Equal(t, []string{"ceo"}, ids(policy.StageApprovers(st, parties, pool)))
	pool.Escalation = []policy.Candidate{cand("lee", exec)}
	assert.Empty(t, policy.StageApprovers(st, parties, pool))
	named := policy.Stage{Name: "指定审批", Users: []string{"x", "owner"}, Quorum: policy.QuorumAll}
	assert.Equal(t, []string{"x"}, ids(policy.StageApprovers(named, policy.Parties{Owner: "owner"},
		policy.Pool{Holders: []policy.Candidate{cand("owner", sales), cand("x", sales)}})))
}
