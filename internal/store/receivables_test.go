package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

func TestReceivablesAreIdempotentAndRefuseOverpayment(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	c := contract("HT-2026-000009", "成都天府软件园有限公司")
	_, err := st.ApplyTransition(ctx, transition(c, 1, domain.EventCreated, domain.StatusDraft))
	require.NoError(t, err)
	m1, m2 := uuid.NewString(), uuid.NewString()
	plan := []store.Milestone{
		{ID: m1, Seq: 1, Title: "预付款", Amount: 4_000_00, Currency: "CNY", DueDate: "2026-02-01"},
		{ID: m2, Seq: 2, Title: "验收款", Amount: 8_345_67, Currency: "CNY", DueDate: "2026-06-30"},
	}
	require.NoError(t, st.ReplaceMilestonePlan(ctx, c.Number, 1, plan))
	audits := func() int {
		entries, err := st.Audit(ctx, store.AuditFilter{ObjectType: "contract", ObjectID: c.Number, Limit: 100})
		require.NoError(t, err)
		return len(entries)
	}
	n := audits()
	require.NoError(t, st.ReplaceMilestonePlan(ctx, c.Number, 1, plan), "the same plan again")
	assert.Equal(t, n, audits(), "an unchanged plan records nothing")

	bad := []store.Milestone{{ID: uuid.NewString(), Seq: 1, Title: "x", Amount: 1, Currency: "USD", DueDate: "2026-02-01"}}
	assert.ErrorIs(t, st.ReplaceMilestonePlan(ctx, c.Number, 1, bad), store.ErrBadPlan, "currency other than the contract's")
	assert.ErrorIs(t, st.ReplaceMilestonePlan(ctx, "HT-2026-999999", 1, plan), domain.ErrNotFound)

	inv := store.Invoice{ID: "evt-inv-1", ContractNumber: c.Number, MilestoneID: m1, InvoiceNumber: "No.00012345",
		Amount: 4_000_00, IssuedOn: "2026-01-20", RecordedAt: time.Now()}
	recorded, err := st.RecordInvoice(ctx, inv)
	require.NoError(t, err)
	assert.True(t, recorded)
	recorded, err = st.RecordInvoice(ctx, inv)
	require.NoError(t, err)
	assert.False(t, recorded, "a retried activity writes nothing")

	pay := store.Payment{ID: "evt-pay-1", ContractNumber: c.Number, MilestoneID: m1, Amount: 2_500_00,
		ReceivedOn: "2026-02-03", Method: "银行转账", Reference: "工行回单 0001", RecordedAt: time.Now()}
	recorded, err = st.RecordPayment(ctx, pay)
	require.NoError(t, err)
	assert.True(t, recorded)
	recorded, err = st.RecordPayment(ctx, pay)
	require.NoError(t, err)
	assert.False(t, recorded)

	over := pay
	over.ID, over.Amount = "evt-pay-2", 1_500_01
	_, err = st.RecordPayment(ctx, over)
	var op *store.OverpaymentError
	require.True(t, errors.As(err, &op), "%v", err)
	assert.Equal(t, int64(1_500_00), op.Outstanding)
	assert.Equal(t, "CNY", op.Currency)

	over.Amount = 1_500_00
	_, err = st.RecordPayment(ctx, over)
	require.NoError(t, err)
	ms, err := st.Milestones(ctx, c.Number, 1)
	require.NoError(t, err)
	require.Len(t, ms, 2)
	assert.Equal(t, []int64{4_000_00, 4_000_00}, []int64{ms[0].Invoiced, ms[0].Received})
	assert.NotNil(t, ms[0].PaidAt, "paid in full")
	assert.Nil(t, ms[1].PaidAt)

	// A milestone with money against it cannot be dropped or shrunk below
	// what was received; swapping the others' seqs is fine.
	assert.ErrorIs(t, st.ReplaceMilestonePlan(ctx, c.Number, 1, plan[1:]), store.ErrMilestoneInUse)
	shrunk := []store.Milestone{plan[0], plan[1]}
	shrunk[0].Amount = 3_000_00
	assert.ErrorIs(t, st.ReplaceMilestonePlan(ctx, c.Number, 1, shrunk), store.ErrMilestoneInUse)
	swapped := []store.Milestone{plan[1], plan[0]}
	swapped[0].Seq, swapped[1].Seq = 1, 2
	require.NoError(t, st.ReplaceMilestonePlan(ctx, c.Number, 1, swapped))
	ms, err = st.Milestones(ctx, c.Number, 1)
	require.NoError(t, err)
	assert.Equal(t, []string{m2, m1}, []string{ms[0].ID, ms[1].ID})
	assert.Equal(t, int64(4_000_00), ms[1].Received, "kept milestones keep their totals")

	// A payment to a milestone of another contract is not found and stores nothing.
	stray := pay
	stray.ID, stray.ContractNumber = "evt-pay-3", "HT-2026-000010"
	_, err = st.RecordPayment(ctx, stray)
	assert.Error(t, err)
	var payments int
	require.NoError(t, st.Pool().QueryRow(ctx, `SELECT count(*) FROM payments`).Scan(&payments))
	assert.Equal(t, 2, payments)
}
