package store_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/store"
)

// claimCounter is the store as the dispatcher's queue, telling each claim.
type claimCounter struct {
	*store.Store
	claimed chan struct{}
}

func (q claimCounter) Claim(ctx context.Context, limit int, lease time.Duration) ([]notify.Delivery, error) {
	defer func() {
		select {
		case q.claimed <- struct{}{}:
		default:
		}
	}()
	return q.Store.Claim(ctx, limit, lease)
}

// sentTo is an email sender that hands each message to the test.
type sentTo chan notify.Message

func (s sentTo) Send(_ context.Context, _ notify.Target, m notify.Message) error {
	s <- m
	return nil
}

// A signing link written to the outbox is delivered as its transaction
// commits: the dispatcher, which would next poll in an hour, is woken by
// the commit's notification.
func TestAnOutboxRowWakesTheDispatcher(t *testing.T) {
	st := open(t)
	st.EmailByDefault = true
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	wake := make(chan struct{}, 1)
	go st.ListenOutbox(ctx, wake, 100*time.Millisecond, func(err error) { t.Logf("listener: %v", err) })
	<-wake // listening

	q := claimCounter{Store: st, claimed: make(chan struct{}, 1)}
	sent := make(sentTo, 1)
	d := notify.NewDispatcher(q, map[string]notify.Sender{notify.ChannelEmail: sent}, "https://signet.example", slog.New(slog.NewTextHandler(io.Discard, nil)))
	d.Poll, d.Wake = time.Hour, wake
	go d.Run(ctx)
	<-q.claimed // its first pass found nothing; it now waits

	c := contract("HT-2026-000311", "苏州河畔贸易有限公司")
	_, err := st.ApplyTransition(ctx, transition(c, 1, domain.EventCreated, domain.StatusDraft))
	require.NoError(t, err)
	step, invitations, token := linkStep(t, c, c.CreatedAt.Add(time.Hour), "李娜", "li.na@example.cn")
	require.NoError(t, st.ApplySigningStep(ctx, step, invitations, nil))

	select {
	case m := <-sent:
		require.Equal(t, "https://signet.example/sign/"+token, m.Link)
	case <-time.After(time.Minute):
		t.Fatal("the invitation waited for the dispatcher's next poll")
	}
}
