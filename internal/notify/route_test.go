package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/notify"
)

var at = time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)

func TestRouteSendsEachNoticeToItsRecipientsChosenTargets(t *testing.T) {
	notices := []notify.Notice{
		{Key: "task/T1/open", UserID: "u-mgr", Kind: notify.KindTaskOpen, Subject: "待审批", Text: "正文", Link: "/v1/tasks/T1"},
		{Key: "task/T2/open", UserID: "u-new", Kind: notify.KindTaskOpen, Subject: "待审批"},
		{Key: "task/T3/open", UserID: "u-gone", Kind: notify.KindTaskOpen},
		{Key: "task/T4/open", UserID: "u-unknown", Kind: notify.KindTaskOpen},
		{Key: "digest/u-mgr/2026-03-04", UserID: "u-mgr", Kind: notify.KindDigest},
	}
	recipients := []notify.Recipient{
		{ID: "u-mgr", Email: "mgr@example.cn", Active: true, Saved: true, Targets: []notify.Preference{
			{Channel: notify.ChannelWebhook, Address: "https://hooks.example.cn/a", Secret: "s3cret"},
			{Channel: notify.ChannelWeCom, Address: "https://qyapi.example.cn/k", Kinds: []string{notify.KindDigest}},
		}},
		{ID: "u-new", Email: "new@example.cn", Active: true},
		{ID: "u-gone", Email: "gone@example.cn", Active: false, Saved: true, Targets: []notify.Preference{{Channel: notify.ChannelEmail, Address: "gone@example.cn"}}},
	}

	got := notify.Route(notices, recipients, notify.Routing{EmailByDefault: true}, at)
	require.Len(t, got, 4, "two targets of u-mgr for the digest, one for the task; u-new by email; nobody inactive or unknown")
	assert.Equal(t, notify.Outgoing{
		Key: "task/T1/open/webhook/" + got[0].Key[len("task/T1/open/webhook/"):], UserID: "u-mgr",
		Channel: notify.ChannelWebhook, Address: "https://hooks.example.cn/a", Secret: "s3cret",
		Message: notify.Message{Kind: notify.KindTaskOpen, Subject: "待审批", Text: "正文", Link: "/v1/tasks/T1", At: at},
	}, got[0])
	assert.Regexp(t, `^task/T1/open/webhook/[0-9a-f]{12}$`, got[0].Key, "the notice's key, the channel and a hash of the address")
	assert.Equal(t, notify.ChannelEmail, got[1].Channel, "who never chose hears by email")
	assert.Equal(t, "new@example.cn", got[1].Address)
	assert.Equal(t, []string{notify.ChannelWebhook, notify.ChannelWeCom}, []string{got[2].Channel, got[3].Channel}, "the digest goes wherever its kind is taken")

	again := notify.Route(notices, recipients, notify.Routing{EmailByDefault: true}, at.Add(time.Hour))
	for i := range got {
		assert.Equal(t, got[i].Key, again[i].Key, "routing again yields the same keys, so the outbox writes nothing new")
	}

	withoutMail := notify.Route(notices, recipients, notify.Routing{}, at)
	assert.Len(t, withoutMail, 3, "without mail configured, who never chose hears nothing")
}

func TestARecordedTransitionTellsTheOwnerAndAnnouncesItsTasks(t *testing.T) {
	c := domain.Contract{Number: summary.Number, Title: summary.Title, CustomerName: summary.CustomerName, OwnerID: "u-sales", Amount: summary.Amount, Currency: "CNY"}
	tr := domain.Transition{Contract: c, Status: domain.StatusDraft,
		Event: domain.Event{ID: summary.Number + "/4", Kind: domain.EventRejected, ActorID: "u-mgr", ActorName: "李娜"},
		Tasks: []domain.ApprovalTask{
			{ID: "T1", Status: domain.TaskOpen, AssigneeID: "u-legal", StageName: "法务审批"},
			{ID: "T2", Status: domain.TaskRejected, AssigneeID: "u-mgr"},
		}}
	got := notify.ForRecorded(tr)
	require.Len(t, got, 2)
	assert.Equal(t, []string{"event/HT-2026-000123/4/owner", "task/T1/open"}, []string{got[0].Key, got[1].Key})
	assert.Equal(t, []string{"u-sales", "u-legal"}, []string{got[0].UserID, got[1].UserID})
	assert.Equal(t, "待审批：HT-2026-000123 年度软件服务合同", got[1].Subject)
	assert.Equal(t, notify.ForTasks(summary, tr.Tasks), got[1:], "the task notice says what ForTasks says of the contract")

	tr.Event.ActorID, tr.Tasks = "u-sales", nil
	assert.Empty(t, notify.ForRecorded(tr), "the owner's own step, and no task to announce")
	assert.False(t, notify.Announces([]domain.ApprovalTask{{ID: "T3", Status: domain.TaskOpen, Role: domain.RoleLegal}}), "a role's task waits for the digest")
}

func TestSignersMailsCarryTheirSecretOnceByKey(t *testing.T) {
	expires := time.Date(2026, 3, 18, 16, 0, 0, 0, time.UTC)
	r := domain.SigningRound{ContractNumber: summary.Number, Title: summary.Title, Round: 2, At: at}
	l := domain.SigningLink{ID: "L1", SignerID: "S1", Name: "王芳", Email: "wang@example.cn", ExpiresAt: expires}
	inv := notify.SigningInvitation(r, l, "tok3n")
	assert.Equal(t, "signing-link/L1", inv.Key, "one mail per link, however often the step is retried")
	assert.Equal(t, notify.ChannelEmail, inv.Channel)
	assert.Equal(t, "wang@example.cn", inv.Address)
	assert.Empty(t, inv.UserID, "a signer is no user")
	assert.Equal(t, notify.KindSigningLink, inv.Message.Kind)
	assert.Equal(t, "/sign/tok3n", inv.Message.Link)
	assert.Equal(t, "请签署合同 / Please sign: HT-2026-000123 年度软件服务合同", inv.Message.Subject)
	assert.Contains(t, inv.Message.Text, "王芳，您好")
	assert.Contains(t, inv.Message.Text, "2026-03-18 前有效")

	code := notify.SigningCode("L1", "req-7", summary.Number, "482913", 10*time.Minute, at)
	assert.Equal(t, "signing-code/L1/req-7", code.Key, "one code mail per link and request")
	assert.Equal(t, notify.KindSigningCode, code.Message.Kind)
	assert.Equal(t, "签署验证码 / Your signing code: 482913", code.Message.Subject)
	assert.Contains(t, code.Message.Text, "10 分钟内有效")
}

func TestDigestGroupsLinesByPerson(t *testing.T) {
	due := time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC)
	lines := []notify.DigestLine{
		{UserID: "u-mgr", Section: notify.DigestTasks, ContractNumber: "HT-2026-000001", Title: "服务合同", Detail: "经理审批", Due: &due},
		{UserID: "u-sales", Section: notify.DigestPayments, ContractNumber: "HT-2026-000002", Title: "采购合同", Detail: "2026-03-20", Seq: 2, Outstanding: 50_000_00, Currency: "CNY"},
		{UserID: "u-sales", Section: notify.DigestExpiring, ContractNumber: "HT-2026-000003", Title: "租赁合同", Detail: "2026-03-31"},
	}
	got := notify.ForDigests("2026-03-04", 30, lines)
	require.Len(t, got, 2)
	assert.Equal(t, "digest/u-mgr/2026-03-04", got[0].Key)
	assert.Equal(t, "待您审批（1）：\n· HT-2026-000001 服务合同（经理审批） 截止 2026-03-05T01:00:00Z", got[0].Text)
	assert.Equal(t, "digest/u-sales/2026-03-04", got[1].Key)
	assert.Equal(t, "Signet 每日摘要 2026-03-04：0 项待审批，1 笔回款待收，1 份合同即将到期", got[1].Subject)
	assert.Contains(t, got[1].Text, "· HT-2026-000002 采购合同 第2期 2026-03-20 到期 未收 CNY 50000.00")
	assert.Contains(t, got[1].Text, "30 天内到期的合同（1）：\n· HT-2026-000003 租赁合同 到期日 2026-03-31")
}

// A new task's notice goes as a card to each platform identity whose app
// is configured, instead of the robot on that platform; a reminder, a
// user without an identity, or an app not configured keep the targets.
func TestTaskNoticesGoAsCardsToPlatformIdentities(t *testing.T) {
	data := map[string]any{"task_id": "T1"}
	notices := []notify.Notice{
		{Key: "task/T1/open", UserID: "u-mgr", Kind: notify.KindTaskOpen, Data: data},
		{Key: "task/T1/reminder/1", UserID: "u-mgr", Kind: notify.KindTaskReminder, Data: data},
		{Key: "task/T2/open", UserID: "u-plain", Kind: notify.KindTaskOpen, Data: map[string]any{"task_id": "T2"}},
		{Key: "task/T3/open", UserID: "u-quiet", Kind: notify.KindTaskOpen, Data: map[string]any{"task_id": "T3"}},
	}
	recipients := []notify.Recipient{
		{ID: "u-mgr", Active: true, Saved: true, DingTalkUserID: "manager4220", WeComUserID: "LiJingli", Targets: []notify.Preference{
			{Channel: notify.ChannelDingTalk, Address: "https://oapi.example.cn/robot"},
			{Channel: notify.ChannelEmail, Address: "mgr@example.cn"},
		}},
		{ID: "u-plain", Email: "plain@example.cn", Active: true},
		{ID: "u-quiet", Active: true, Saved: true, DingTalkUserID: "quiet01"},
	}
	byNotice := func(out []notify.Outgoing) map[string][]string {
		m := map[string][]string{}
		for _, n := range notices {
			for _, o := range out {
				if strings.HasPrefix(o.Key, n.Key+"/") {
					m[n.Key] = append(m[n.Key], o.Channel+":"+o.Address)
				}
			}
		}
		return m
	}
	all := notify.Routing{EmailByDefault: true, DingTalkCards: true, WeComCards: true}
	assert.Equal(t, map[string][]string{
		"task/T1/open":       {"dingtalk_card:manager4220", "wecom_card:LiJingli", "email:mgr@example.cn"},
		"task/T1/reminder/1": {"dingtalk:https://oapi.example.cn/robot", "email:mgr@example.cn"},
		"task/T2/open":       {"email:plain@example.cn"},
	}, byNotice(notify.Route(notices, recipients, all, at)), "the card replaces the DingTalk robot; who chose nothing at all hears nothing")
	assert.Equal(t, map[string][]string{
		"task/T1/open":       {"wecom_card:LiJingli", "dingtalk:https://oapi.example.cn/robot", "email:mgr@example.cn"},
		"task/T1/reminder/1": {"dingtalk:https://oapi.example.cn/robot", "email:mgr@example.cn"},
		"task/T2/open":       {"email:plain@example.cn"},
	}, byNotice(notify.Route(notices, recipients, notify.Routing{EmailByDefault: true, WeComCards: true}, at)), "DingTalk's app not configured: its robot as before")
	out := notify.Route(notices, recipients, all, at)
	assert.Regexp(t, `^task/T1/open/dingtalk_card/[0-9a-f]{12}$`, out[0].Key)

	// A closed task's card update goes to the card channels only, and is in
	// nobody's notice list.
	closed := notify.ForClosedTasks([]domain.ApprovalTask{{ID: "T1", ContractNumber: "HT-1", AssigneeID: "u-mgr", Status: domain.TaskApproved, OpenedAt: &at},
		{ID: "T5", AssigneeID: "u-mgr", Status: domain.TaskCancelled}, {ID: "T6", AssigneeID: "u-mgr", Status: domain.TaskOpen, OpenedAt: &at}})
	require.Len(t, closed, 1, "only a task that was open and is closed")
	var got []string
	for _, o := range notify.Route(closed, recipients, all, at) {
		got = append(got, o.Channel)
	}
	assert.Equal(t, []string{notify.ChannelDingTalkCard, notify.ChannelWeComCard}, got)
	assert.Empty(t, notify.Route(closed, recipients, notify.Routing{EmailByDefault: true}, at), "no card apps, nothing to update")
	assert.Empty(t, notify.Keep(closed, recipients, at))
	assert.Equal(t, out[0].Key, notify.Route(notices, recipients, all, at.Add(time.Hour))[0].Key, "the same key again: the outbox writes it once")
}
