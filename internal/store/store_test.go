package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/feed"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopPostgres()
	os.Exit(code)
}

var owner = domain.User{ID: "u-zhang", Name: "张伟 Zhang Wei", Email: "zhang@example.cn", Roles: []domain.Role{domain.RoleSales}}

func open(t testing.TB) *store.Store {
	t.Helper()
	testenv.RequireIntegration(t)
	return openURL(t, testenv.NewDatabase(t))
}

// openURL opens the store on a database the test made.
func openURL(t testing.TB, url string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(st.Close)
	st.AuditKeys = testenv.AuditKeys()
	require.NoError(t, st.UpsertUser(context.Background(), owner))
	return st
}

func contract(number, customer string) domain.Contract {
	return domain.Contract{
		Number: number, Title: "技术服务协议", CustomerName: customer, OwnerID: owner.ID, OwnerName: owner.Name,
		Amount: 12_345_67, Currency: "CNY", StartDate: "2026-01-01", EndDate: "2026-12-31",
		ExpiresAt: time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), CreatedAt: time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC),
	}
}

func transition(c domain.Contract, seq int, kind string, to domain.Status) domain.Transition {
	at := c.CreatedAt.Add(time.Duration(seq) * time.Minute)
	return domain.Transition{
		Contract: c, Status: to, Version: 1,
		Event: domain.Event{ID: fmt.Sprintf("%s/%d", c.Number, seq), ContractNumber: c.Number, Seq: seq, Kind: kind,
			ToStatus: to, ActorID: owner.ID, ActorName: owner.Name, At: at},
	}
}

func TestApplyTransitionIsIdempotentAndMovesForwardOnly(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	c := contract("HT-2026-000001", "深圳市前海微众科技有限公司")

	created := transition(c, 1, domain.EventCreated, domain.StatusDraft)
	applied, err := st.ApplyTransition(ctx, created)
	require.NoError(t, err)
	assert.True(t, applied)

	opened := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
	submitted := transition(c, 2, domain.EventSubmitted, domain.StatusInReview)
	submitted.Tasks = []domain.ApprovalTask{{ID: "HT-2026-000001-R1-S1", ContractNumber: c.Number, Round: 1, Stage: 1,
		Role: domain.RoleSalesManager, Status: domain.TaskOpen, OpenedAt: &opened}}
	for range 3 { // a retried activity
		_, err := st.ApplyTransition(ctx, submitted)
		require.NoError(t, err)
	}
	applied, err = st.ApplyTransition(ctx, submitted)
	require.NoError(t, err)
	assert.False(t, applied, "a repeated event is not applied again")

	// A stale retry of an older event must not move the row backwards.
	_, err = st.ApplyTransition(ctx, created)
	require.NoError(t, err)

	row, err := st.Contract(ctx, c.Number)
	require.NoError(t, err)
	assert.Equal(t, domain.StatusInReview, row.Status)
	assert.Equal(t, "深圳市前海微众科技有限公司", row.CustomerName)
	assert.Equal(t, "技术服务协议", row.Title)
	assert.Equal(t, int64(12_345_67), row.Amount)
	assert.Equal(t, "2026-12-31", row.EndDate)

	events, err := st.Events(ctx, c.Number)
	require.NoError(t, err)
	require.Len(t, events, 2)
	assert.Equal(t, domain.EventSubmitted, events[1].Kind)

	inbox := func(role domain.Role) ([]store.InboxTask, error) {
		return st.Inbox(ctx, store.InboxFilter{UserID: "u-mgr", Roles: []domain.Role{role}, Status: domain.TaskOpen, Now: time.Now(), Limit: 10})
	}
	tasks, err := inbox(domain.RoleSalesManager)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, "深圳市前海微众科技有限公司", tasks[0].CustomerName)
	none, err := inbox(domain.RoleFinance)
	require.NoError(t, err)
	assert.Empty(t, none)

	signedAt := opened.Add(time.Hour)
	signed := transition(c, 3, domain.EventSigned, domain.StatusSigning)
	signed.Signature = &domain.Signature{ID: "HT-2026-000001-V1-company", ContractNumber: c.Number, Version: 1,
		Party: domain.PartyCompany, Order: 1, SignerName: "陈静", RecordedByID: "u-exec", SignedAt: &signedAt}
	for range 2 {
		_, err := st.ApplyTransition(ctx, signed)
		require.NoError(t, err)
	}
	sigs, err := st.Signatures(ctx, c.Number)
	require.NoError(t, err)
	require.Len(t, sigs, 1)
	assert.Equal(t, "陈静", sigs[0].SignerName)
}

// draft creates a draft for owner with the given key, its start input
// naming the number.
func draft(t *testing.T, st *store.Store, year int, ownerID, key string) store.Reservation {
	t.Helper()
	res, err := st.CreateDraft(context.Background(), year, ownerID, key,
		func(number string) (store.Draft, error) {
			c := contract(number, "上海星辰科技有限公司")
			c.OwnerID = ownerID
			return store.Draft{Contract: c, Created: transition(c, 1, domain.EventCreated, domain.StatusDraft)}, nil
		},
		func(d store.Draft) (json.RawMessage, error) {
			return json.Marshal(map[string]string{"number": d.Contract.Number})
		})
	require.NoError(t, err)
	return res
}

// A draft is stored as created: its first event and its terms are written
// with it, so its creator reads it at once; its feed entry waits for its
// run's first record, so a number voided before its run never reaches the
// feed; voiding removes the draft with all of it.
func TestCreateDraftRecordsTheCreation(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	created := func(number string) domain.Transition {
		c := contract(number, "上海星辰科技有限公司")
		c.Plan = []domain.Milestone{{ID: uuid.NewSHA1(uuid.NameSpaceURL, []byte(number)).String(), Seq: 1, Title: "首付款",
			Amount: c.Amount, DueDate: "2026-03-31"}}
		c.Obligations = []domain.Obligation{{ID: number + "-V1-O1", Seq: 1, Title: "上线交付", OwnerID: owner.ID, DueDate: "2026-06-30"}}
		return transition(c, 1, domain.EventCreated, domain.StatusDraft)
	}
	create := func(key string) store.Reservation {
		res, err := st.CreateDraft(ctx, 2026, owner.ID, key, func(number string) (store.Draft, error) {
			t := created(number)
			return store.Draft{Contract: t.Contract, Created: t}, nil
		}, func(store.Draft) (json.RawMessage, error) { return json.RawMessage(`{}`), nil })
		require.NoError(t, err)
		return res
	}
	feedOf := func(number string) []string {
		all, err := st.FeedEvents(ctx, feed.Cursor{}, nil, 100)
		require.NoError(t, err)
		var ids []string
		for _, e := range all {
			if e.Event.Contract.Number == number {
				ids = append(ids, e.Event.ID)
			}
		}
		return ids
	}

	kept := create("keep")
	events, err := st.Events(ctx, kept.Number)
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, domain.EventCreated, events[0].Kind)
	assert.Equal(t, owner.ID, events[0].ActorID)
	plan, err := st.Milestones(ctx, kept.Number, 1)
	require.NoError(t, err)
	require.Len(t, plan, 1)
	assert.Equal(t, "首付款", plan[0].Title)
	assert.Empty(t, feedOf(kept.Number), "the feed waits for the run")

	// The run's first record finds the creation written: only its feed
	// entry is new, and a retry of it adds nothing.
	for range 2 {
		applied, err := st.ApplyTransition(ctx, created(kept.Number))
		require.NoError(t, err)
		assert.False(t, applied)
	}
	assert.Equal(t, []string{kept.Number + "/1"}, feedOf(kept.Number))
	events, err = st.Events(ctx, kept.Number)
	require.NoError(t, err)
	assert.Len(t, events, 1)
	pending, err := st.PendingStarts(ctx, time.Now().Add(time.Minute), 10)
	require.NoError(t, err)
	assert.NotContains(t, pending, kept.Number, "the run's first record confirms its start")

	void := create("void")
	voided, err := st.VoidNumber(ctx, void.Number, "工作流未能启动")
	require.NoError(t, err)
	require.True(t, voided)
	events, err = st.Events(ctx, void.Number)
	require.NoError(t, err)
	assert.Empty(t, events)
	plan, err = st.Milestones(ctx, void.Number, 1)
	require.NoError(t, err)
	assert.Empty(t, plan)
	_, err = st.ApplyTransition(ctx, created(void.Number))
	require.ErrorIs(t, err, store.ErrVoidNumber, "a run started unseen records nothing")
	assert.Empty(t, feedOf(void.Number))
}

// Numbers are taken in their own transaction, the workflow started after
// it: a number whose start failed is void (listed, audited, never given
// out again), its request key released; a key's retry finds its number,
// still pending with its start input until the start is confirmed.
func TestContractNumbersAreKeyedAndEveryOneAccountedFor(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	other := domain.User{ID: "u-li", Name: "李娜", Email: "li@example.cn", Roles: []domain.Role{domain.RoleSales}}
	require.NoError(t, st.UpsertUser(ctx, other))

	first := draft(t, st, 2026, owner.ID, "")
	assert.Equal(t, store.Reservation{Number: "HT-2026-000001", Pending: true, Start: json.RawMessage(`{"number":"HT-2026-000001"}`)}, first)
	require.NoError(t, st.StartConfirmed(ctx, first.Number))

	failed := draft(t, st, 2026, owner.ID, "key-0")
	assert.Equal(t, "HT-2026-000002", failed.Number)
	pending, err := st.PendingStarts(ctx, time.Now().Add(time.Minute), 10)
	require.NoError(t, err)
	assert.Equal(t, []string{failed.Number}, pending, "only the unconfirmed start is pending")
	voided, err := st.VoidNumber(ctx, failed.Number, "工作流未能启动")
	require.NoError(t, err)
	assert.True(t, voided)
	voided, err = st.VoidNumber(ctx, failed.Number, "again")
	require.NoError(t, err)
	assert.False(t, voided, "voiding twice changes nothing")
	_, err = st.Contract(ctx, failed.Number)
	assert.ErrorIs(t, err, domain.ErrNotFound, "a void number leaves no draft behind")
	voids, err := st.VoidedNumbers(ctx, 10)
	require.NoError(t, err)
	require.Len(t, voids, 1)
	assert.Equal(t, failed.Number, voids[0].Number)
	assert.Equal(t, "工作流未能启动", voids[0].Reason)
	assert.Equal(t, owner.ID, voids[0].OwnerID)
	retried := draft(t, st, 2026, owner.ID, "key-0")
	assert.False(t, retried.Reused, "the void number's key was released")
	assert.Equal(t, "HT-2026-000003", retried.Number, "a void number is never given out again")

	keyed := draft(t, st, 2026, owner.ID, "key-1")
	again := draft(t, st, 2026, owner.ID, "key-1")
	assert.True(t, again.Reused)
	assert.True(t, again.Pending, "its start was never confirmed")
	assert.Equal(t, keyed.Number, again.Number)
	assert.JSONEq(t, string(keyed.Start), string(again.Start))
	require.NoError(t, st.StartConfirmed(ctx, keyed.Number))
	again = draft(t, st, 2026, owner.ID, "key-1")
	assert.False(t, again.Pending)
	voided, err = st.VoidNumber(ctx, keyed.Number, "too late")
	require.NoError(t, err)
	assert.False(t, voided)
	_, err = st.Contract(ctx, keyed.Number)
	assert.NoError(t, err, "a started contract's number is never voided")

	theirs := draft(t, st, 2026, other.ID, "key-1")
	assert.False(t, theirs.Reused, "keys belong to their owner")
	assert.Equal(t, "HT-2026-000005", theirs.Number)
	assert.Equal(t, "HT-2027-000001", draft(t, st, 2027, owner.ID, "").Number)

	row, err := st.Contract(ctx, keyed.Number)
	require.NoError(t, err)
	assert.Equal(t, domain.StatusDraft, row.Status)
	var audited int
	require.NoError(t, st.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'contract.number_voided' AND object_id = $1`,
		failed.Number).Scan(&audited))
	assert.Equal(t, 1, audited)
}

// A run's first record and the voiding of its number race when the start's
// answer was lost: whichever commits first wins, and the other changes
// nothing, so no number is both void and running.
func TestFirstRecordAndVoidingCannotBothWin(t *testing.T) {
	st := open(t)
	ctx := context.Background()

	recorded := draft(t, st, 2026, owner.ID, "")
	c, err := st.Contract(ctx, recorded.Number)
	require.NoError(t, err)
	applied, err := st.ApplyTransition(ctx, transition(c.Contract, 1, domain.EventCreated, domain.StatusDraft))
	require.NoError(t, err)
	require.False(t, applied, "the creation was recorded with the draft")
	voided, err := st.VoidNumber(ctx, recorded.Number, "too late")
	require.NoError(t, err)
	assert.False(t, voided, "the run's first record confirmed its start")
	pending, err := st.PendingStarts(ctx, time.Now().Add(time.Minute), 10)
	require.NoError(t, err)
	assert.Empty(t, pending)
	_, err = st.Contract(ctx, recorded.Number)
	assert.NoError(t, err)

	void := draft(t, st, 2026, owner.ID, "")
	c, err = st.Contract(ctx, void.Number)
	require.NoError(t, err)
	voided, err = st.VoidNumber(ctx, void.Number, "工作流未能启动")
	require.NoError(t, err)
	assert.True(t, voided)
	_, err = st.ApplyTransition(ctx, transition(c.Contract, 1, domain.EventCreated, domain.StatusDraft))
	assert.ErrorIs(t, err, store.ErrVoidNumber)
	_, err = st.Contract(ctx, void.Number)
	assert.ErrorIs(t, err, domain.ErrNotFound, "the void number's run brings no draft back")
}

func TestListContractsFiltersAndPages(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	customers := []string{"上海星辰科技有限公司", "北京天和有限公司", "上海浦江100%物流", "杭州西湖软件", "上海星辰科技有限公司"}
	for i, cust := range customers {
		c := contract(domain.FormatContractNumber(2026, i+1), cust)
		status := domain.StatusDraft
		if i%2 == 1 {
			status = domain.StatusActive
		}
		_, err := st.ApplyTransition(ctx, transition(c, 1, domain.EventCreated, status))
		require.NoError(t, err)
	}

	var seen []string
	cursor := ""
	for {
		page, err := st.ListContracts(ctx, store.ContractFilter{Limit: 2, After: cursor})
		require.NoError(t, err)
		for _, r := range page {
			seen = append(seen, r.Number)
		}
		if len(page) < 2 {
			break
		}
		cursor = page[len(page)-1].Number
		// A contract created between pages does not shift what follows.
		if len(seen) == 2 {
			_, err := st.ApplyTransition(ctx, transition(contract("HT-2026-000099", "新客户"), 1, domain.EventCreated, domain.StatusDraft))
			require.NoError(t, err)
		}
	}
	assert.Equal(t, []string{"HT-2026-000005", "HT-2026-000004", "HT-2026-000003", "HT-2026-000002", "HT-2026-000001"}, seen)

	byCustomer, err := st.ListContracts(ctx, store.ContractFilter{Customer: "星辰", Limit: 50})
	require.NoError(t, err)
	assert.Len(t, byCustomer, 2)
	literal, err := st.ListContracts(ctx, store.ContractFilter{Customer: "100%", Limit: 50})
	require.NoError(t, err)
	require.Len(t, literal, 1, "%% matches literally")
	assert.Equal(t, "上海浦江100%物流", literal[0].CustomerName)
	active, err := st.ListContracts(ctx, store.ContractFilter{Status: domain.StatusActive, Limit: 50})
	require.NoError(t, err)
	assert.Len(t, active, 2)
	mine, err := st.ListContracts(ctx, store.ContractFilter{OwnerID: "nobody", Limit: 50})
	require.NoError(t, err)
	assert.Empty(t, mine)
}

func TestTokensResolveOnlyWhileLive(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	_, err := st.AddToken(ctx, owner.ID, "sgt_live", "test", time.Time{})
	require.NoError(t, err)
	_, err = st.AddToken(ctx, owner.ID, "sgt_expired", "test", time.Now().Add(-time.Minute))
	require.NoError(t, err)
	revoked, err := st.AddToken(ctx, owner.ID, "sgt_revoked", "test", time.Time{})
	require.NoError(t, err)
	require.NoError(t, st.RevokeToken(ctx, owner.ID, revoked))
	require.NoError(t, st.RevokeToken(ctx, owner.ID, revoked), "revoking twice is a no-op")
	assert.ErrorIs(t, st.RevokeToken(ctx, "someone-else", revoked), domain.ErrNotFound, "only the holder's own tokens")
	tokens, err := st.Tokens(ctx, owner.ID)
	require.NoError(t, err)
	require.Len(t, tokens, 3)

	u, err := st.UserByToken(ctx, "sgt_live")
	require.NoError(t, err)
	assert.Equal(t, owner, u)
	for _, tok := range []string{"sgt_expired", "sgt_revoked", "sgt_unknown"} {
		_, err := st.UserByToken(ctx, tok)
		assert.True(t, errors.Is(err, domain.ErrNotFound), "%s: %v", tok, err)
	}
}
