package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/notify/notifytest"
	"github.com/signet-clm/signet/internal/outbound"
)

// oneTask is a task as the store would read it for its card.
type oneTask struct {
	mu sync.Mutex
	t  notify.CardTask
	// delivered are the outbox keys delivered, with their receipts.
	delivered map[string]string
}

func (o *oneTask) SentCard(_ context.Context, key string) (notify.SentCard, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, ok := o.delivered[key]
	return notify.SentCard{Sent: ok, SentAt: time.Now(), Receipt: r}, nil
}

func (o *oneTask) KeepReceipt(_ context.Context, key, receipt string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.delivered == nil {
		o.delivered = map[string]string{}
	}
	o.delivered[key] = receipt
	return nil
}

func (o *oneTask) CardTask(_ context.Context, id string) (notify.CardTask, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if id != o.t.ID {
		return notify.CardTask{}, domain.ErrNotFound
	}
	return o.t, nil
}

func (o *oneTask) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.t.Status, o.t.DecidedBy = domain.TaskApproved, "李经理"
}

func newTask() *oneTask {
	return &oneTask{t: notify.CardTask{ID: "T1", ContractNumber: "HT-2026-000123", Title: "年度软件服务合同",
		Customer: "上海星辰科技有限公司", Amount: domain.Money{Amount: 12_345_600, Currency: "CNY"}, Risk: "medium", Status: domain.TaskOpen}}
}

var taskMsg = notify.Message{ID: "task/T1/open/dingtalk_card/0a1b", Kind: notify.KindTaskOpen, Subject: "待审批：HT-2026-000123 年度软件服务合同",
	Link: "https://signet.example/tasks/T1", Data: map[string]any{"task_id": "T1", "contract_number": "HT-2026-000123"}}

// clock is a settable now.
type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.at }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
}

var loopback = outbound.Guard{AllowLoopback: true}.Client(5 * time.Second)

func TestDingTalkCardsSendTheCardWithOneTokenAndClassifyFailures(t *testing.T) {
	fake := notifytest.NewDingTalk(t, "dingapp01", "app-secret")
	clk := &clock{at: time.Now()}
	task := newTask()
	send := notify.NewDingTalkCards(notify.DingTalkApp{BaseURL: fake.URL, AppKey: "dingapp01", AppSecret: "app-secret", CallbackRouteKey: "signet"},
		loopback, task, nil, clk.now)
	target := notify.Target{Channel: notify.ChannelDingTalkCard, Address: "manager4220"}
	ctx := context.Background()

	require.NoError(t, send.Send(ctx, target, taskMsg))
	require.NoError(t, send.Send(ctx, target, taskMsg))
	assert.Equal(t, 1, fake.Tokens(), "one token serves both sends")
	cards := fake.Cards()
	require.Len(t, cards, 2)
	var body struct {
		CardTemplateID, OutTrackID, RobotCode, SingleChatReceiver, CallbackRouteKey string
		CardData                                                                    struct {
			CardParamMap map[string]string
		}
	}
	require.NoError(t, json.Unmarshal(cards[0], &body))
	assert.Equal(t, "StandardCard", body.CardTemplateID)
	assert.Equal(t, "signet-task-T1", body.OutTrackID)
	assert.Equal(t, "dingapp01", body.RobotCode, "the robot is the app's own unless named")
	assert.Equal(t, "signet", body.CallbackRouteKey)
	assert.JSONEq(t, `{"userId":"manager4220"}`, body.SingleChatReceiver)
	card := body.CardData.CardParamMap["sys_full_json_obj"]
	for _, want := range []string{"HT-2026-000123", "CNY 123456.00", "上海星辰科技有限公司", "风险等级**：中", "https://signet.example/tasks/T1",
		`"id":"approve"`, `"id":"reject"`, `"id":"request_changes"`, `"id":"opinion"`} {
		assert.Contains(t, card, want)
	}

	// The token expires: the next send fetches another.
	clk.advance(2 * time.Hour)
	require.NoError(t, send.Send(ctx, target, taskMsg))
	assert.Equal(t, 2, fake.Tokens())
	// The platform revokes it early: that send fails to be retried, and
	// the retry fetches a new token.
	fake.Revoke()
	err := send.Send(ctx, target, taskMsg)
	require.Error(t, err)
	assert.False(t, errors.Is(err, notify.ErrPermanent), "%v", err)
	require.NoError(t, send.Send(ctx, target, taskMsg))
	assert.Equal(t, 3, fake.Tokens())

	fake.FailNext(http.StatusServiceUnavailable, `{"code":"ServiceUnavailable","message":"internal detail 10.0.0.7"}`)
	err = send.Send(ctx, target, taskMsg)
	require.Error(t, err)
	assert.False(t, errors.Is(err, notify.ErrPermanent), "a busy platform is retried: %v", err)
	assert.Contains(t, err.Error(), "ServiceUnavailable")
	assert.NotContains(t, err.Error(), "10.0.0.7", "the answer's text is not echoed")
	fake.FailNext(http.StatusBadRequest, `{"code":"param.invalid","message":"robotCode 无效"}`)
	err = send.Send(ctx, target, taskMsg)
	assert.ErrorIs(t, err, notify.ErrPermanent)
	assert.Contains(t, err.Error(), "param.invalid")
	assert.NotContains(t, err.Error(), "robotCode 无效")
	n := len(fake.Cards())

	// A task decided before its card left gets no card.
	task.close()
	require.NoError(t, send.Send(ctx, target, taskMsg))
	assert.Len(t, fake.Cards(), n)
	gone := taskMsg
	gone.Data = map[string]any{"task_id": "T9"}
	assert.ErrorIs(t, send.Send(ctx, target, gone), notify.ErrPermanent)

	// The task closed: the card sent is turned into its closed form, once
	// the outbox says it was delivered; else there is nothing to update.
	closed := notify.Message{ID: "task/T1/closed/dingtalk_card/0a1b", Kind: notify.KindTaskClosed, Link: taskMsg.Link, Data: map[string]any{"task_id": "T1"}}
	require.NoError(t, send.Send(ctx, target, closed))
	assert.Empty(t, fake.Updates(), "no card delivered, none updated")
	task.delivered = map[string]string{notify.DeliveryKey("task/T1/open", notify.ChannelDingTalkCard, "manager4220"): ""}
	require.NoError(t, send.Send(ctx, target, closed))
	require.Len(t, fake.Updates(), 1)
	var upd struct {
		OutTrackID string
		CardData   struct{ CardParamMap map[string]string }
	}
	require.NoError(t, json.Unmarshal(fake.Updates()[0], &upd))
	assert.Equal(t, "signet-task-T1", upd.OutTrackID)
	shown := upd.CardData.CardParamMap["sys_full_json_obj"]
	assert.Contains(t, shown, "已同意（李经理）")
	assert.Contains(t, shown, "HT-2026-000123")
	assert.NotContains(t, shown, `"id":"approve"`, "no decision buttons on a closed card")
}

func TestWeComCardsSendTheCardWithOneTokenAndCheckErrcode(t *testing.T) {
	fake := notifytest.NewWeCom(t, "ww5823bf96d3bd56c7", "corp-secret")
	send := notify.NewWeComCards(notify.WeComApp{BaseURL: fake.URL, CorpID: "ww5823bf96d3bd56c7", CorpSecret: "corp-secret", AgentID: 1000002},
		loopback, newTask(), nil, time.Now)
	target := notify.Target{Channel: notify.ChannelWeComCard, Address: "LiJingli"}
	ctx := context.Background()

	require.NoError(t, send.Send(ctx, target, taskMsg))
	fake.FailNext(http.StatusOK, `{"errcode":-1,"errmsg":"system busy"}`)
	err := send.Send(ctx, target, taskMsg)
	require.Error(t, err)
	assert.False(t, errors.Is(err, notify.ErrPermanent), "errcode -1 is retried: %v", err)
	assert.Contains(t, err.Error(), "errcode -1")
	assert.NotContains(t, err.Error(), "system busy")
	require.NoError(t, send.Send(ctx, target, taskMsg), "the retry goes through")
	assert.Equal(t, 1, fake.Tokens(), "one token for all three")

	fake.FailNext(http.StatusOK, `{"errcode":81013,"errmsg":"user & party & tag all invalid"}`)
	err = send.Send(ctx, target, taskMsg)
	assert.ErrorIs(t, err, notify.ErrPermanent)
	assert.Contains(t, err.Error(), "errcode 81013")
	fake.FailNext(http.StatusOK, `{"errcode":0,"errmsg":"ok","invaliduser":"LiJingli"}`)
	assert.ErrorIs(t, send.Send(ctx, target, taskMsg), notify.ErrPermanent, "a recipient WeCom does not know is not reached")

	fake.Revoke()
	require.Error(t, send.Send(ctx, target, taskMsg))
	require.NoError(t, send.Send(ctx, target, taskMsg))
	assert.Equal(t, 2, fake.Tokens(), "a refused token is fetched anew")

	cards := fake.Cards()
	require.Len(t, cards, 3)
	var body struct {
		ToUser       string `json:"touser"`
		MsgType      string `json:"msgtype"`
		AgentID      int64  `json:"agentid"`
		TemplateCard struct {
			CardType   string `json:"card_type"`
			TaskID     string `json:"task_id"`
			Horizontal []struct {
				Keyname, Value string
			} `json:"horizontal_content_list"`
			Buttons []struct {
				Text, Key, URL string
			} `json:"button_list"`
		} `json:"template_card"`
	}
	require.NoError(t, json.Unmarshal(cards[0], &body))
	assert.Equal(t, "LiJingli", body.ToUser)
	assert.Equal(t, "template_card", body.MsgType)
	assert.Equal(t, int64(1000002), body.AgentID)
	assert.Equal(t, "button_interaction", body.TemplateCard.CardType)
	assert.Equal(t, "signet-task-T1", body.TemplateCard.TaskID)
	facts := map[string]string{}
	for _, h := range body.TemplateCard.Horizontal {
		facts[h.Keyname] = h.Value
	}
	assert.Equal(t, map[string]string{"合同编号": "HT-2026-000123", "金额": "CNY 123456.00", "客户": "上海星辰科技有限公司", "风险等级": "中"}, facts)
	var texts []string
	for _, b := range body.TemplateCard.Buttons {
		texts = append(texts, b.Text)
	}
	assert.Equal(t, []string{"同意", "拒绝", "退回修改", "打开任务"}, texts)
	assert.Equal(t, "approve", body.TemplateCard.Buttons[0].Key)
	assert.Equal(t, "https://signet.example/tasks/T1", body.TemplateCard.Buttons[3].URL)
}

// A WeCom card's response_code is kept with its delivery and spent on
// update_template_card when the task closes.
func TestWeComCardIsUpdatedWithItsResponseCode(t *testing.T) {
	fake := notifytest.NewWeCom(t, "corp", "secret")
	task := newTask()
	clk := &clock{at: time.Now()}
	send := notify.NewWeComCards(notify.WeComApp{BaseURL: fake.URL, CorpID: "corp", CorpSecret: "secret", AgentID: 7}, loopback, task, nil, clk.now)
	target := notify.Target{Channel: notify.ChannelWeComCard, Address: "LiJingli"}
	open := taskMsg
	open.ID = notify.DeliveryKey("task/T1/open", notify.ChannelWeComCard, "LiJingli")
	closed := notify.Message{ID: "task/T1/closed/x", Kind: notify.KindTaskClosed, Data: map[string]any{"task_id": "T1"}}
	ctx := context.Background()

	require.NoError(t, send.Send(ctx, target, open))
	require.Equal(t, "rc-1", task.delivered[open.ID], "the send's response_code is kept with its delivery")
	task.close()
	clk.advance(73 * time.Hour)
	require.NoError(t, send.Send(ctx, target, closed))
	assert.Empty(t, fake.Updates(), "a code past 72 hours is not spent")
	clk.advance(-72 * time.Hour)
	require.NoError(t, send.Send(ctx, target, closed))
	require.Len(t, fake.Updates(), 1)
	assert.JSONEq(t, `{"userids":["LiJingli"],"agentid":7,"response_code":"rc-1","button":{"replace_name":"已同意"}}`, string(fake.Updates()[0]))
	err := send.Send(ctx, target, closed)
	assert.ErrorIs(t, err, notify.ErrPermanent, "a code is spent once: %v", err)
}

// The card senders call through the guarded client: the platform's
// address configured to a loopback one is refused outright in production.
func TestCardSendersGoThroughTheGuard(t *testing.T) {
	fake := notifytest.NewWeCom(t, "corp", "secret")
	send := notify.NewWeComCards(notify.WeComApp{BaseURL: fake.URL, CorpID: "corp", CorpSecret: "secret", AgentID: 1},
		outbound.Guard{}.Client(5*time.Second), newTask(), nil, time.Now)
	err := send.Send(context.Background(), notify.Target{Address: "LiJingli"}, taskMsg)
	assert.ErrorIs(t, err, notify.ErrPermanent)
	assert.Contains(t, err.Error(), "address not allowed")
	assert.Zero(t, fake.Tokens())
}
