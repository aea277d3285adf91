package notify_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/notify"
)

var summary = notify.ContractSummary{Number: "HT-2026-000123", Title: "年度软件服务合同", CustomerName: "上海星辰科技有限公司", OwnerID: "u-sales", Amount: 12_345_600, Currency: "CNY"}

func TestTasksAnnounceTheirAssigneeOnly(t *testing.T) {
	due := time.Date(2026, 3, 4, 1, 0, 0, 0, time.UTC)
	reminded := due.Add(-time.Hour)
	tasks := []domain.ApprovalTask{
		{ID: "T1", Status: domain.TaskOpen, AssigneeID: "u-mgr", StageName: "销售经理审批", DueAt: &due},
		{ID: "T2", Status: domain.TaskPending, AssigneeID: "u-fin"},
		{ID: "T3", Status: domain.TaskOpen, Role: domain.RoleLegal},
		{ID: "T4", Status: domain.TaskApproved, AssigneeID: "u-mgr"},
		{ID: "T5", Status: domain.TaskOpen, AssigneeID: "u-exec", Kind: domain.TaskKindEscalation, Role: domain.RoleExecutive},
		{ID: "T6", Status: domain.TaskOpen, AssigneeID: "u-mgr", RemindedAt: &reminded},
	}
	got := notify.ForTasks(summary, tasks)
	require.Len(t, got, 3, "open tasks with an assignee")
	assert.Equal(t, notify.Notice{
		Key: "task/T1/open", UserID: "u-mgr", Kind: notify.KindTaskOpen,
		Subject: "待审批：HT-2026-000123 年度软件服务合同",
		Text:    "合同 HT-2026-000123 年度软件服务合同（上海星辰科技有限公司，CNY 123456.00）\n环节：销售经理审批\n截止：2026-03-04T01:00:00Z",
		Link:    "/tasks/T1",
		Data:    map[string]any{"task_id": "T1", "contract_number": "HT-2026-000123", "stage": "销售经理审批"},
	}, got[0])
	assert.Equal(t, notify.KindTaskEscalated, got[1].Kind)
	assert.Contains(t, got[1].Text, "环节：executive")
	assert.Equal(t, notify.KindTaskReminder, got[2].Kind)
	assert.Equal(t, "task/T6/reminder/"+strconv.FormatInt(reminded.Unix(), 10), got[2].Key, "each reminder is its own notice")
}

func TestOwnersHearTheirContractsNewsFromOthers(t *testing.T) {
	c := domain.Contract{Number: summary.Number, Title: summary.Title, CustomerName: summary.CustomerName, OwnerID: "u-sales", Amount: summary.Amount, Currency: "CNY"}
	tr := func(kind string, actor string, to domain.Status) domain.Transition {
		return domain.Transition{Contract: c, Status: to, Event: domain.Event{ID: summary.Number + "/4", Kind: kind, ActorID: actor, ActorName: "李娜", Opinion: "价格过高"}}
	}
	rejected := notify.ForTransition(tr(domain.EventRejected, "u-mgr", domain.StatusDraft))
	require.Len(t, rejected, 1)
	assert.Equal(t, "event/HT-2026-000123/4/owner", rejected[0].Key)
	assert.Equal(t, "u-sales", rejected[0].UserID)
	assert.Equal(t, "contract.rejected", rejected[0].Kind)
	assert.Equal(t, "合同审批被驳回：HT-2026-000123 年度软件服务合同", rejected[0].Subject)
	assert.Contains(t, rejected[0].Text, "审批被驳回（李娜）\n意见：价格过高")

	assert.Empty(t, notify.ForTransition(tr(domain.EventCancelled, "u-sales", domain.StatusCancelled)), "the owner did it")
	assert.Empty(t, notify.ForTransition(tr(domain.EventSubmitted, "u-mgr", domain.StatusInReview)), "not news to the owner")
	assert.Empty(t, notify.ForTransition(tr(domain.EventSigned, "u-exec", domain.StatusSigning)), "one signature of two")
	active := notify.ForTransition(tr(domain.EventSigned, "u-exec", domain.StatusActive))
	require.Len(t, active, 1)
	assert.Equal(t, "contract.signed", active[0].Kind)
	expired := notify.ForTransition(tr(domain.EventExpired, domain.SystemActor.UserID, domain.StatusExpired))
	require.Len(t, expired, 1)
	assert.NotContains(t, expired[0].Text, "（李娜）", "the system is nobody to name")
}
