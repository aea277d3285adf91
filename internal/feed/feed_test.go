package feed_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/feed"
)

func step(kind string, to domain.Status) domain.Transition {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))
	return domain.Transition{
		Contract: domain.Contract{Number: "HT-2026-000001", Title: "软件许可协议", CustomerID: "c-1", CustomerName: "北京字节跳动科技有限公司",
			OwnerID: "u-sales", OwnerName: "王芳", Amount: 100_000_00, Currency: "CNY", StartDate: "2026-03-01", EndDate: "2027-02-28"},
		Status: to, Version: 1,
		Event: domain.Event{ID: "HT-2026-000001/7", Kind: kind, FromStatus: domain.StatusSigning, ToStatus: to,
			ActorID: "u-fin", ActorName: "李娜", At: at},
	}
}

func TestEachTransitionIsTheEventItIsNewsAs(t *testing.T) {
	partly, ok := feed.FromTransition(step(domain.EventSigned, domain.StatusSigning))
	require.True(t, ok)
	assert.Equal(t, feed.ContractPartySigned, partly.Type, "one party of two")
	assert.Empty(t, partly.Contract.PreviousStatus, "no status change")

	whole, ok := feed.FromTransition(step(domain.EventSigned, domain.StatusActive))
	require.True(t, ok)
	assert.Equal(t, feed.ContractSigned, whole.Type)
	assert.Equal(t, "signing", whole.Contract.PreviousStatus)
	assert.Equal(t, time.UTC, whole.OccurredAt.Location())
	assert.Equal(t, "北京字节跳动科技有限公司", whole.Contract.CustomerName)

	_, ok = feed.FromTransition(step(domain.EventTaskApproved, domain.StatusInReview))
	assert.False(t, ok, "a stage inside a round is not news")

	inv := step(domain.EventInvoiceReversed, domain.StatusActive)
	inv.Invoice = &domain.Invoice{ID: "inv-2", MilestoneID: "m-1", Number: "FP-0002", Amount: -30_000_00, IssuedOn: "2026-04-01", Reverses: "inv-1", Reason: "开错抬头"}
	e, ok := feed.FromTransition(inv)
	require.True(t, ok)
	assert.Equal(t, feed.InvoiceReversed, e.Type)
	require.NotNil(t, e.Invoice)
	assert.Equal(t, feed.Invoice{ID: "inv-2", MilestoneID: "m-1", InvoiceNumber: "FP-0002", Amount: -30_000_00, Currency: "CNY",
		IssuedOn: "2026-04-01", Reverses: "inv-1", Reason: "开错抬头"}, *e.Invoice)

	progress := step(domain.EventObligationUpdated, domain.StatusActive)
	progress.Obligations = []domain.Obligation{{ID: "o-1", Seq: 1, Title: "上线验收", Progress: 60}}
	_, ok = feed.FromTransition(progress)
	assert.False(t, ok, "progress short of done is not news")
	done := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	progress.Obligations[0].Progress, progress.Obligations[0].CompletedAt, progress.Obligations[0].EvidenceID = 100, &done, "att-9"
	e, ok = feed.FromTransition(progress)
	require.True(t, ok)
	assert.Equal(t, feed.ObligationCompleted, e.Type)
	assert.Equal(t, "att-9", e.Obligation.EvidenceID)

	imported, ok := feed.FromTransition(step(domain.EventMigrated, domain.StatusActive))
	require.True(t, ok)
	assert.Equal(t, feed.ContractImported, imported.Type)

	for _, typ := range feed.Types() {
		assert.True(t, feed.IsType(typ), typ)
	}
	assert.False(t, feed.IsType("contract.task_approved"))
}

func TestCursorsReadBackAndStrangersAreRefused(t *testing.T) {
	c := feed.Cursor{XID: 123456789, Seq: 42}
	back, err := feed.ParseCursor(c.String())
	require.NoError(t, err)
	assert.Equal(t, c, back)
	start, err := feed.ParseCursor("")
	require.NoError(t, err)
	assert.Equal(t, feed.Cursor{}, start)
	for _, bad := range []string{"x", "12", "12-", "-3", "0-1", "12-0", "12-3-4", "１２-３", "99999999999999999999-1"} {
		_, err := feed.ParseCursor(bad)
		assert.ErrorIs(t, err, feed.ErrCursor, bad)
	}
}

type reader struct {
	got   feed.Cursor
	types []string
	items []feed.Stored
}

func (r *reader) FeedEvents(_ context.Context, after feed.Cursor, types []string, limit int) ([]feed.Stored, error) {
	r.got, r.types = after, types
	return r.items[:min(limit, len(r.items))], nil
}

func TestAPageSaysWhereToReadOnAndRefusesWhatItCannotRead(t *testing.T) {
	r := &reader{items: []feed.Stored{{Cursor: feed.Cursor{XID: 5, Seq: 1}}, {Cursor: feed.Cursor{XID: 5, Seq: 2}}, {Cursor: feed.Cursor{XID: 7, Seq: 3}}}}
	s := feed.New(r)
	finance := domain.User{ID: "u-fin", Roles: []domain.Role{domain.RoleFinance}}

	p, err := s.Page(context.Background(), finance, feed.PageInput{After: "4-9", Limit: 2, Type: "payment.recorded,invoice.recorded"})
	require.NoError(t, err)
	assert.Equal(t, feed.Cursor{XID: 4, Seq: 9}, r.got)
	assert.Equal(t, []string{feed.PaymentRecorded, feed.InvoiceRecorded}, r.types)
	assert.Len(t, p.Items, 2)
	assert.True(t, p.More)
	assert.Equal(t, "5-2", p.Next.String())

	r.items = nil
	p, err = s.Page(context.Background(), finance, feed.PageInput{After: "7-3"})
	require.NoError(t, err)
	assert.Empty(t, p.Items)
	assert.False(t, p.More)
	assert.Equal(t, "7-3", p.Next.String(), "nothing new: read on from the same place")

	_, err = s.Page(context.Background(), finance, feed.PageInput{After: "yesterday", Type: feed.PaymentRecorded + ",payment.made"})
	var bad *domain.ValidationError
	require.True(t, errors.As(err, &bad))
	var fields []string
	for _, f := range bad.Fields {
		fields = append(fields, f.Field)
	}
	assert.Equal(t, []string{"after", "type"}, fields)

	_, err = s.Page(context.Background(), domain.User{ID: "u-sales", Roles: []domain.Role{domain.RoleSales}}, feed.PageInput{})
	var refused *domain.Refusal
	require.True(t, errors.As(err, &refused))
	assert.Equal(t, domain.RefusedForbidden, refused.Kind)
}
