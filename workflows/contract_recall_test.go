package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/workflows"
)

func withdrawBy(a domain.Actor, reason string) step {
	return step{name: workflows.UpdateWithdraw, arg: workflows.WithdrawRequest{Actor: a, Reason: reason}}
}

func voidBy(a domain.Actor, reason string) step {
	return step{name: workflows.UpdateVoidSigning, arg: workflows.VoidSigningRequest{Actor: a, Reason: reason}}
}

// A withdrawn submission is a draft again, its round closed with its open
// task withdrawn (and no longer decidable), and it can be submitted anew.
func (s *contractSuite) TestWithdrawThenResubmit() {
	final := s.run(s.contract(10_000_000, "CNY", 365*24*time.Hour), []step{
		refused(withdrawBy(owner, ""), domain.RefusedConflict),
		submit(owner),
		refused(withdrawBy(otherRep, ""), domain.RefusedForbidden),
		refused(withdrawBy(finance, ""), domain.RefusedForbidden),
		then(withdrawBy(owner, "客户要求调整报价"), func(t *testing.T, st workflows.ContractState) {
			assert.Equal(t, domain.StatusDraft, st.Status, "recorded a draft before the withdrawal answered")
			assert.Empty(t, st.RoundWorkflowID)
			if assert.Len(t, st.Tasks, 1) {
				assert.Equal(t, domain.TaskWithdrawn, st.Tasks[0].Status)
			}
		}),
		refused(withdrawBy(owner, ""), domain.RefusedConflict),
		refused(decide(manager, 1, domain.DecisionApprove, ""), domain.RefusedConflict),
		then(submit(owner), func(t *testing.T, st workflows.ContractState) {
			assert.Equal(t, 2, st.Round)
		}),
		// A sales manager may withdraw for the owner.
		withdrawBy(manager, ""),
		submit(owner),
		decideIn(3, manager, 1, domain.DecisionApprove, ""),
		decideIn(3, finance, 2, domain.DecisionApprove, ""),
	})
	s.Equal(domain.StatusApproved, final.Status)
	s.Equal([]string{domain.EventCreated, domain.EventSubmitted, domain.EventWithdrawn, domain.EventSubmitted,
		domain.EventWithdrawn, domain.EventSubmitted, domain.EventApproved}, s.kinds())
	withdrawn := s.recorded[2]
	s.Equal(domain.StatusDraft, withdrawn.Status)
	s.Equal(domain.StatusInReview, withdrawn.Event.FromStatus)
	s.Equal(owner.UserID, withdrawn.Event.ActorID)
	s.Equal("客户要求调整报价", withdrawn.Event.Opinion)
	s.Equal(manager.UserID, s.recorded[4].Event.ActorID)
}

// A voided signing round returns the contract to approved with the
// reason; its links no longer sign, and it can be sent again.
func (s *contractSuite) TestVoidSigningThenResend() {
	c := s.contract(5_000_000, "CNY", 30*24*time.Hour)
	c.DocumentSHA256 = docHash
	final := s.run(c, []step{
		submit(owner),
		decide(manager, 1, domain.DecisionApprove, ""),
		refused(voidBy(owner, "签字人变更"), domain.RefusedConflict),
		send(owner),
		signThrough(1, 1, "陈静"),
		refused(voidBy(otherRep, "签字人变更"), domain.RefusedForbidden),
		refused(voidBy(owner, " "), domain.RefusedInvalid),
		then(voidBy(owner, "签字人变更"), func(t *testing.T, st workflows.ContractState) {
			assert.Equal(t, domain.StatusApproved, st.Status, "recorded approved before the void answered")
			assert.Empty(t, st.SigningWorkflowID)
		}),
		refused(voidBy(owner, "签字人变更"), domain.RefusedConflict),
		refused(signThrough(1, 2, "王建国"), domain.RefusedConflict),
		then(send(owner), func(t *testing.T, st workflows.ContractState) {
			assert.Equal(t, 2, st.SigningRound)
		}),
		signThrough(2, 1, "陈静"),
		signThrough(2, 2, "王建国"),
	})
	s.Equal(domain.StatusActive, final.Status)
	var voided *domain.Transition
	for i := range s.recorded {
		if s.recorded[i].Event.Kind == domain.EventSigningVoided {
			voided = &s.recorded[i]
		}
	}
	if s.NotNil(voided) {
		s.Equal(domain.StatusApproved, voided.Status)
		s.Equal(domain.StatusSigning, voided.Event.FromStatus)
		s.Equal(owner.UserID, voided.Event.ActorID)
		s.Equal("签字人变更", voided.Event.Opinion)
	}
	s.Len(final.Signatures, 2, "the resent round's signatures")
}
