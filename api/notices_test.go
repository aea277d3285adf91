package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// Every notice a user is sent stays in their in-app list, whatever
// channels they chose (none here: they silenced everything), in Chinese,
// newest first, paged; they mark notices read one by one or all they have
// seen, and another user's notices are out of their reach.
func TestEveryNoticeIsInTheInAppList(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	for _, role := range []string{"sales_manager", "sales"} {
		expect[identity.Settings](t, call(t, s, http.MethodPut, "/v1/me/notification-settings", role,
			map[string]any{"targets": []any{}}), http.StatusOK)
	}
	var numbers []string
	for range 3 {
		n := create(t, s, newContract(8_000_00, "2026-01-01", "2026-12-31")).Contract.Number
		expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
		waitTask(t, s, "sales_manager", n)
		numbers = append(numbers, n)
	}
	task := waitTask(t, s, "sales_manager", numbers[0])
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/tasks/"+task.ID+"/decision", "sales_manager",
		map[string]any{"decision": "approve", "opinion": "同意"}), http.StatusOK)

	page := expect[api.NoticePage](t, call(t, s, http.MethodGet, "/v1/me/notices", "sales_manager", nil), http.StatusOK)
	require.Len(t, page.Items, 3, "one notice per task opened, though every channel is silenced")
	assert.Equal(t, 3, page.Unread)
	for i, n := range page.Items {
		assert.Equal(t, notify.KindTaskOpen, n.Kind)
		assert.Contains(t, n.Subject, "待审批："+numbers[2-i], "newest first")
		assert.Contains(t, n.Text, "上海")
		assert.Nil(t, n.ReadAt)
	}
	assert.Zero(t, page.NextBefore)

	// The owner hears of the approval in their list too.
	var owner api.NoticePage
	require.Eventually(t, func() bool {
		owner = expect[api.NoticePage](t, call(t, s, http.MethodGet, "/v1/me/notices", "sales", nil), http.StatusOK)
		return len(owner.Items) > 0
	}, 10*time.Second, 50*time.Millisecond)
	assert.Equal(t, "contract.approved", owner.Items[0].Kind)
	assert.Contains(t, owner.Items[0].Text, "审批通过")
	assert.Equal(t, "/contracts/"+numbers[0], owner.Items[0].Link)

	// Pages of two.
	first := expect[api.NoticePage](t, call(t, s, http.MethodGet, "/v1/me/notices?limit=2", "sales_manager", nil), http.StatusOK)
	require.Len(t, first.Items, 2)
	require.NotZero(t, first.NextBefore)
	rest := expect[api.NoticePage](t, call(t, s, http.MethodGet, "/v1/me/notices?limit=2&before="+strconv.FormatInt(first.NextBefore, 10), "sales_manager", nil), http.StatusOK)
	require.Len(t, rest.Items, 1)
	assert.Equal(t, page.Items[2].ID, rest.Items[0].ID)

	// Read one; another user's ID changes nothing.
	read := expect[api.NoticesRead](t, call(t, s, http.MethodPost, "/v1/me/notices/read", "sales_manager",
		map[string]any{"ids": []int64{page.Items[1].ID}}), http.StatusOK)
	assert.Equal(t, 2, read.Unread)
	theirs := expect[api.NoticesRead](t, call(t, s, http.MethodPost, "/v1/me/notices/read", "sales",
		map[string]any{"ids": []int64{page.Items[0].ID}}), http.StatusOK)
	assert.Equal(t, 1, theirs.Unread, "the owner's own notice stays unread")
	unread := expect[api.NoticePage](t, call(t, s, http.MethodGet, "/v1/me/notices?unread=true", "sales_manager", nil), http.StatusOK)
	require.Len(t, unread.Items, 2)
	assert.Equal(t, page.Items[0].ID, unread.Items[0].ID)
	assert.Equal(t, page.Items[2].ID, unread.Items[1].ID)

	// All read up to what was seen.
	read = expect[api.NoticesRead](t, call(t, s, http.MethodPost, "/v1/me/notices/read", "sales_manager",
		map[string]any{"all": true, "through": page.Items[0].ID}), http.StatusOK)
	assert.Zero(t, read.Unread)
	after := expect[api.NoticePage](t, call(t, s, http.MethodGet, "/v1/me/notices", "sales_manager", nil), http.StatusOK)
	for _, n := range after.Items {
		assert.NotNil(t, n.ReadAt)
	}

	// Bad input names its field.
	assert.Equal(t, []string{"limit"}, fieldsOf(t, call(t, s, http.MethodGet, "/v1/me/notices?limit=1000", "sales_manager", nil)))
	assert.Equal(t, []string{"before"}, fieldsOf(t, call(t, s, http.MethodGet, "/v1/me/notices?before=x", "sales_manager", nil)))
	assert.Equal(t, []string{"ids"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/me/notices/read", "sales_manager", map[string]any{})))
	assert.Equal(t, []string{"through"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/me/notices/read", "sales_manager", map[string]any{"all": true})))
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/me/notices", "", nil), http.StatusUnauthorized)
}

// A target may take any kind of notice alone, payments and obligations
// and renewals included; a kind that does not exist is refused by name.
func TestATargetMayTakeAnyNoticeKindAlone(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	for _, kind := range notify.UserKinds() {
		if kind == notify.KindEvents {
			continue // the change feed's: webhooks only (TestTheChangeFeedRefusesStrangersAndNonsense)
		}
		got := expect[identity.Settings](t, call(t, s, http.MethodPut, "/v1/me/notification-settings", "finance", map[string]any{
			"targets": []any{map[string]any{"channel": "email", "address": "cw@demo.signet.local", "kinds": []string{kind}}},
		}), http.StatusOK)
		require.Len(t, got.Targets, 1, kind)
		assert.Equal(t, []string{kind}, got.Targets[0].Kinds)
	}
	for _, kind := range []string{notify.KindPaymentDue, notify.KindPaymentOverdue, notify.KindObligationDue, notify.KindObligationOverdue, notify.KindRenewalNotice} {
		assert.Contains(t, notify.UserKinds(), kind)
	}
	assert.Equal(t, []string{"targets[0].kinds[1]"}, fieldsOf(t, call(t, s, http.MethodPut, "/v1/me/notification-settings", "finance", map[string]any{
		"targets": []any{map[string]any{"channel": "email", "address": "cw@demo.signet.local", "kinds": []string{"payment.due", "payment.<b>"}}},
	})))
}
