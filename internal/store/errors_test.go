package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// Every store failure comes back classified, from real PostgreSQL errors:
// callers only add context, and the API maps the kind to one status.
func TestStoreErrorsAreClassifiedAtTheSource(t *testing.T) {
	st := open(t)
	ctx := context.Background()

	t.Run("no row is not found", func(t *testing.T) {
		_, err := st.Contract(ctx, "HT-2099-999999")
		require.ErrorIs(t, err, domain.ErrNotFound)
		assert.NotErrorIs(t, err, domain.ErrUnavailable)
		assert.Contains(t, err.Error(), "contract HT-2099-999999")
	})

	t.Run("a taken unique key already exists", func(t *testing.T) {
		require.NoError(t, st.CreateProductLine(ctx, store.ProductLine{ID: "11111111-1111-1111-1111-111111111111", Name: "软件服务"}))
		err := st.CreateProductLine(ctx, store.ProductLine{ID: "22222222-2222-2222-2222-222222222222", Name: "软件服务"})
		require.ErrorIs(t, err, domain.ErrAlreadyExists)
		assert.ErrorIs(t, err, store.ErrDuplicate)
		assert.NotErrorIs(t, err, domain.ErrUnavailable)
		var pg *pgconn.PgError
		require.ErrorAs(t, err, &pg, "the driver's error stays in the chain")
		assert.Equal(t, "23505", pg.Code)
		assert.Equal(t, pg.ConstraintName, store.TakenKey(err), "which key is taken, for the caller to name the field")
		assert.NotEmpty(t, store.TakenKey(err))
	})

	t.Run("bad data is a client error", func(t *testing.T) {
		err := st.AddDelegation(ctx, store.Delegation{ID: "33333333-3333-3333-3333-333333333333", UserID: owner.ID,
			DelegateID: owner.ID, StartsOn: "2026-02-30", EndsOn: "2026-03-01"})
		var verr *domain.ValidationError
		require.ErrorAs(t, err, &verr)
		require.Len(t, verr.Fields, 1)
		assert.Equal(t, "is not a valid date or time", verr.Fields[0].Message)
		var pg *pgconn.PgError
		require.ErrorAs(t, err, &pg)
		assert.Equal(t, "22008", pg.Code, "a date out of range")
		assert.NotErrorIs(t, err, domain.ErrUnavailable)
	})

	t.Run("a reason the store gives keeps its meaning", func(t *testing.T) {
		err := st.RevokeToken(ctx, owner.ID, "no-such-token")
		require.ErrorIs(t, err, domain.ErrNotFound)
		assert.NotErrorIs(t, err, domain.ErrUnavailable)
	})

	t.Run("a cancelled request is unavailable", func(t *testing.T) {
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		_, err := st.Contract(cancelled, "HT-2026-000001")
		require.ErrorIs(t, err, domain.ErrUnavailable)
		assert.ErrorIs(t, err, context.Canceled)
	})

	t.Run("a database that does not answer is unavailable", func(t *testing.T) {
		away, err := store.Open(ctx, "postgres://signet@127.0.0.1:1/signet?connect_timeout=1")
		require.NoError(t, err)
		defer away.Close()
		_, err = away.Contract(ctx, "HT-2026-000001")
		require.ErrorIs(t, err, domain.ErrUnavailable)
		assert.NotErrorIs(t, err, domain.ErrNotFound)
		var connect *pgconn.ConnectError
		assert.True(t, errors.As(err, &connect), "%v", err)
	})
}

func TestClassifyKeepsWhatIsAlreadyClassified(t *testing.T) {
	assert.NoError(t, store.Classify(nil))
	refusal := &domain.Refusal{Kind: domain.RefusedConflict, Message: "only a dead letter can be retried"}
	var got *domain.Refusal
	require.ErrorAs(t, store.Classify(refusal), &got)
	assert.Same(t, refusal, got)
	assert.NotErrorIs(t, store.Classify(refusal), domain.ErrUnavailable)
	assert.ErrorIs(t, store.Classify(store.ErrCodeLocked), store.ErrCodeLocked)
	assert.NotErrorIs(t, store.Classify(store.ErrCodeLocked), domain.ErrUnavailable)
	assert.ErrorIs(t, store.Classify(errors.New("connection reset by peer")), domain.ErrUnavailable, "what the store cannot name is an outage")
	assert.ErrorIs(t, store.Classify(context.DeadlineExceeded), domain.ErrUnavailable)
	assert.Empty(t, store.TakenKey(store.Classify(errors.New("x"))))
}
