package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/store"
)

// A retried signing step makes new tokens, but the store keeps the first
// attempt's link and mails the signer once: only the hash it is given is
// stored, and the invitation goes with a new link only.
// linkStep is round 1 of c opened at at with one customer signer and
// their first link, its invitation keyed by the link, and the link's token
// (new each call).
func linkStep(t testing.TB, c domain.Contract, at time.Time, name, email string) (domain.SigningStep, map[string]notify.Outgoing, string) {
	t.Helper()
	s := domain.SigningStep{
		Round:   domain.SigningRound{ContractNumber: c.Number, Title: c.Title, Round: 1, Version: 1, Status: "open", DeadlineAt: at.Add(72 * time.Hour), At: at},
		Signers: []domain.Signer{{ID: c.Number + "/SR1/S1", Seq: 1, Group: 1, Party: domain.PartyCustomer, Name: name, Email: email, Status: domain.SignerOpen}},
		Links:   []domain.SigningLink{{ID: c.Number + "/SR1/S1/L1", SignerID: c.Number + "/SR1/S1", Name: name, Email: email, ExpiresAt: at.Add(72 * time.Hour)}},
	}
	tokens, err := eseal.IssueTokens(s.Links)
	require.NoError(t, err)
	token := tokens[s.Links[0].ID]
	return s, map[string]notify.Outgoing{s.Links[0].ID: notify.SigningInvitation(s.Round, s.Links[0], token)}, token
}

func TestARetriedSigningStepMailsTheLinkOnce(t *testing.T) {
	st := open(t)
	st.EmailByDefault = true
	ctx := context.Background()
	c := contract("HT-2026-000301", "杭州云栖科技有限公司")
	_, err := st.ApplyTransition(ctx, transition(c, 1, domain.EventCreated, domain.StatusDraft))
	require.NoError(t, err)

	at := c.CreatedAt.Add(time.Hour)
	step := func() (domain.SigningStep, map[string]notify.Outgoing, string) {
		return linkStep(t, c, at, "王芳", "wang@example.cn")
	}
	first, invitations, token := step()
	require.NoError(t, st.ApplySigningStep(ctx, first, invitations, nil))
	retry, again, otherToken := step()
	require.NotEqual(t, token, otherToken)
	require.NoError(t, st.ApplySigningStep(ctx, retry, again, nil))

	l, err := st.LinkByHash(ctx, eseal.HashToken(token))
	require.NoError(t, err, "the first attempt's token opens the link")
	assert.Equal(t, first.Links[0].ID, l.ID)
	_, err = st.LinkByHash(ctx, eseal.HashToken(otherToken))
	assert.ErrorIs(t, err, domain.ErrNotFound, "the retry's token was never stored")

	mails, err := st.Outbox(ctx, store.OutboxFilter{Limit: 10})
	require.NoError(t, err)
	require.Len(t, mails, 1, "one invitation")
	assert.Equal(t, "signing-link/"+first.Links[0].ID, mails[0].Key)
	assert.Equal(t, "wang@example.cn", mails[0].Address)
	assert.Equal(t, "/sign/"+token, mails[0].Message.Link)

	noHash := first
	noHash.Links = []domain.SigningLink{{ID: c.Number + "/SR1/S1/L2", SignerID: c.Number + "/SR1/S1", ExpiresAt: at.Add(time.Hour)}}
	assert.Error(t, st.ApplySigningStep(ctx, noHash, nil, nil), "the store makes no tokens")
}
