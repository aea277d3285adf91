package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// TestWithdrawSubmission: the owner takes a submission back while it
// waits on approval; the approver's task leaves their inbox and can no
// longer be decided, and the draft can be edited and submitted again.
func TestWithdrawSubmission(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	state := create(t, s, newContract(15_000_000, "2026-01-01", "2026-12-31"))
	n := state.Contract.Number
	path := "/v1/contracts/" + n + "/withdraw"

	// Only a contract waiting on approval can be withdrawn.
	body := expect[errorBody](t, call(t, s, http.MethodPost, path, "sales", nil), http.StatusConflict)
	assert.Contains(t, body.Message, "only a contract waiting on approval")

	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	task := waitTask(t, s, "sales_manager", n)

	// The wrong caller: another sales person does not see it, legal's
	// role may not call the route.
	expect[errorBody](t, call(t, s, http.MethodPost, path, "sales2", nil), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodPost, path, "legal", nil), http.StatusForbidden)
	assert.Equal(t, []string{"reason"}, fieldsOf(t, call(t, s, http.MethodPost, path, "sales", map[string]any{"reason": strings.Repeat("长", 2001)})))

	reason := "客户要求调整付款节点"
	state = expect[workflows.ContractState](t, call(t, s, http.MethodPost, path, "sales", map[string]any{"reason": reason}, api.RequestIDHeader, "withdraw-1"), http.StatusOK)
	assert.Equal(t, domain.StatusDraft, state.Status)
	assert.Empty(t, state.RoundWorkflowID)
	// The same request again is the same withdrawal, answered alike.
	again := expect[workflows.ContractState](t, call(t, s, http.MethodPost, path, "sales", map[string]any{"reason": reason}, api.RequestIDHeader, "withdraw-1"), http.StatusOK)
	assert.Equal(t, state.EventSeq, again.EventSeq)
	// A new request finds a draft.
	expect[errorBody](t, call(t, s, http.MethodPost, path, "sales", nil), http.StatusConflict)

	assert.Empty(t, inbox(t, s, "sales_manager", n), "a withdrawn task leaves the approver's inbox")
	refused := expect[errorBody](t, call(t, s, http.MethodPost, "/v1/tasks/"+task.ID+"/decision", "sales_manager",
		map[string]any{"decision": "approve", "opinion": "同意"}), http.StatusConflict)
	assert.Contains(t, refused.Message, "withdrawn")
	assert.Contains(t, refused.Message, reason)

	events := expect[struct{ Items []domain.Event }](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/events", "sales", nil), http.StatusOK)
	last := events.Items[len(events.Items)-1]
	assert.Equal(t, domain.EventWithdrawn, last.Kind)
	assert.Equal(t, reason, last.Opinion)
	assert.Equal(t, domain.StatusInReview, last.FromStatus)
	rounds, err := s.Store.Rounds(t.Context(), n)
	require.NoError(t, err)
	require.Len(t, rounds, 1)
	assert.Equal(t, string(workflows.OutcomeWithdrawn), rounds[0].Outcome)

	// The draft is editable again, and a new submission opens round 2.
	edited := newContract(14_000_000, "2026-01-01", "2026-12-31")
	expect[workflows.ContractState](t, call(t, s, http.MethodPut, "/v1/contracts/"+n+"/content", "sales", edited), http.StatusOK)
	state = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	assert.Equal(t, 2, state.Round)
	// A sales manager over the owner may withdraw too.
	waitTask(t, s, "sales_manager", n)
	state = expect[workflows.ContractState](t, call(t, s, http.MethodPost, path, "sales_manager", nil), http.StatusOK)
	assert.Equal(t, domain.StatusDraft, state.Status)
	state = expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	assert.Equal(t, domain.StatusApproved, approveAll(t, s, state).Status)
}

// TestVoidSigningRound: the owner voids a sent signing round; its links
// die (the revoked page), the signature made in it stops counting but is
// kept, and the contract goes out again and is signed.
func TestVoidSigningRound(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := approved(t, s)
	path := "/v1/contracts/" + n + "/signing/void"
	body := expect[errorBody](t, call(t, s, http.MethodPost, path, "sales", map[string]any{"reason": "客户签字人变更"}), http.StatusConflict)
	assert.Contains(t, body.Message, "no signing round open")

	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", nil), http.StatusOK)
	round := signingOf(t, s, n)
	require.Len(t, round.Signers, 2)
	// Our signatory signs first; the customer's link goes out then.
	signAs(t, s, n, round.Signers[0].ID, round.Signers[0].Name)
	link := mailedLink(t, s, n, round.Signers[1].ID)

	expect[errorBody](t, call(t, s, http.MethodPost, path, "sales2", map[string]any{"reason": "x"}), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodPost, path, "finance", map[string]any{"reason": "x"}), http.StatusForbidden)
	assert.Equal(t, []string{"reason"}, fieldsOf(t, call(t, s, http.MethodPost, path, "sales", map[string]any{})))

	reason := "客户签字人变更，需重新发起"
	state := expect[workflows.ContractState](t, call(t, s, http.MethodPost, path, "sales", map[string]any{"reason": reason}, api.RequestIDHeader, "void-1"), http.StatusOK)
	assert.Equal(t, domain.StatusApproved, state.Status)
	assert.Empty(t, state.SigningWorkflowID)
	again := expect[workflows.ContractState](t, call(t, s, http.MethodPost, path, "sales", map[string]any{"reason": reason}, api.RequestIDHeader, "void-1"), http.StatusOK)
	assert.Equal(t, state.EventSeq, again.EventSeq)
	expect[errorBody](t, call(t, s, http.MethodPost, path, "sales", map[string]any{"reason": reason}), http.StatusConflict)

	// The customer's link is revoked: gone, and the page says so.
	expect[errorBody](t, call(t, s, http.MethodGet, link, "", nil), http.StatusGone)
	expect[errorBody](t, call(t, s, http.MethodPost, link, "", signBody("王建国")), http.StatusGone)
	l, err := s.Store.LinkByHash(t.Context(), eseal.HashToken(strings.TrimPrefix(link[strings.LastIndex(link, "/sign/"):], "/sign/")))
	require.NoError(t, err)
	assert.Equal(t, "voided", l.Status)

	// The company's signature no longer stands; the round keeps it.
	sigs, err := s.Store.Signatures(t.Context(), n)
	require.NoError(t, err)
	assert.Empty(t, sigs)
	signers, err := s.Store.Signers(t.Context(), n, 1)
	require.NoError(t, err)
	assert.Equal(t, domain.SignerSigned, signers[0].Status)
	events := expect[struct{ Items []domain.Event }](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/events", "sales", nil), http.StatusOK)
	last := events.Items[len(events.Items)-1]
	assert.Equal(t, domain.EventSigningVoided, last.Kind)
	assert.Equal(t, reason, last.Opinion)

	// Sent again: a new round, signed by both.
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", nil), http.StatusOK)
	assert.Equal(t, 2, signingOf(t, s, n).Round)
	assert.Equal(t, domain.StatusActive, signAll(t, s, n).Status)
	view := expect[contracts.View](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK)
	assert.Len(t, view.Signatures, 2, "only the second round's signatures stand")
}
