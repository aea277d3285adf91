package api_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/imcallback"
	"github.com/signet-clm/signet/internal/imcard"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/notify/notifytest"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// The fake platforms' secrets: what an admin copies from each console.
var (
	dingCallback = config.IMCallback{Token: "ding-token-123", AESKey: "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij", Receiver: "dingcorp8f2a"}
	weCallback   = config.IMCallback{Token: "QDG6eK", AESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", Receiver: "ww5823bf96d3bd56c7"}
)

// fakePlatform signs and encrypts callbacks as DingTalk or WeCom does.
type fakePlatform struct {
	t     *testing.T
	s     *testenv.Stack
	c     *imcallback.Crypter
	nonce int
}

func newFake(t *testing.T, s *testenv.Stack, cb config.IMCallback) *fakePlatform {
	c, err := imcallback.New(cb.Token, cb.AESKey, cb.Receiver)
	require.NoError(t, err)
	return &fakePlatform{t: t, s: s, c: c}
}

// signed is one callback as sent, so a test can send it again.
type signed struct {
	path, query string
	body        string
}

func (f *fakePlatform) sign(path string, msg []byte, ts string) signed {
	f.nonce++
	nonce := fmt.Sprintf("n%06d", f.nonce)
	enc, sig, err := f.c.Seal(msg, ts, nonce, nil)
	require.NoError(f.t, err)
	q := url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}}
	if path == "/v1/callbacks/dingtalk" {
		b, _ := json.Marshal(map[string]string{"encrypt": enc})
		return signed{path: path, query: q.Encode(), body: string(b)}
	}
	return signed{path: path, query: q.Encode(), body: "<xml><ToUserName><![CDATA[" + weCallback.Receiver + "]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>"}
}

func (f *fakePlatform) send(s signed) response {
	return call(f.t, f.s, http.MethodPost, s.path+"?"+s.query, "", s.body)
}

// dingTap is a tap on a DingTalk card, as DingTalk posts it.
func (f *fakePlatform) dingTap(taskID, userID, action, opinion string) signed {
	content, _ := json.Marshal(map[string]any{"cardPrivateData": map[string]any{"actionIds": []string{action}, "params": map[string]string{"opinion": opinion}}})
	msg, _ := json.Marshal(map[string]string{"type": "actionCallback", "outTrackId": imcard.TrackID(taskID), "userId": userID,
		"corpId": dingCallback.Receiver, "content": string(content)})
	return f.sign("/v1/callbacks/dingtalk", msg, strconv.FormatInt(time.Now().UnixMilli(), 10))
}

// dingAnswer decrypts Signet's answer and returns the card's new result line.
func (f *fakePlatform) dingAnswer(r response) string {
	reply := expect[api.DingTalkCallbackReply](f.t, r, http.StatusOK)
	msg, err := f.c.Open(reply.MsgSignature, reply.TimeStamp, reply.Nonce, reply.Encrypt)
	require.NoError(f.t, err, "the answer is signed and encrypted for DingTalk")
	var out struct {
		CardData struct {
			CardParamMap map[string]string `json:"cardParamMap"`
		} `json:"cardData"`
	}
	require.NoError(f.t, json.Unmarshal(msg, &out))
	return out.CardData.CardParamMap["signet_result"]
}

func (f *fakePlatform) weTap(taskID, userID, action string, at time.Time) signed {
	msg := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime>"+
		"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[%s]]></EventKey>"+
		"<TaskId><![CDATA[%s]]></TaskId><CardType><![CDATA[button_interaction]]></CardType><AgentID>1000002</AgentID></xml>",
		weCallback.Receiver, userID, at.Unix(), action, imcard.TrackID(taskID))
	return f.sign("/v1/callbacks/wecom", []byte(msg), strconv.FormatInt(time.Now().Unix(), 10))
}

func (f *fakePlatform) weAnswer(r response) string {
	require.Equal(f.t, http.StatusOK, r.Status, "%s", r.Body)
	var env struct {
		Encrypt, MsgSignature, TimeStamp, Nonce string
	}
	require.NoError(f.t, xml.Unmarshal(r.Body, &env))
	msg, err := f.c.Open(env.MsgSignature, env.TimeStamp, env.Nonce, env.Encrypt)
	require.NoError(f.t, err, "the answer is signed and encrypted for WeCom")
	var reply struct {
		MsgType string `xml:"MsgType"`
		Button  struct {
			ReplaceName string `xml:"ReplaceName"`
		} `xml:"Button"`
	}
	require.NoError(f.t, xml.Unmarshal(msg, &reply))
	assert.Equal(f.t, "update_button", reply.MsgType)
	return reply.Button.ReplaceName
}

func taskStatus(t *testing.T, s *testenv.Stack, role, id string) string {
	d := expect[struct {
		Task store.InboxTask `json:"task"`
	}](t, call(t, s, http.MethodGet, "/v1/tasks/"+id, role, nil), http.StatusOK)
	return string(d.Task.Status)
}

func TestCardCallbacksDecideOnceAndRefuseReplaysAndForgeries(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithConfig(func(c *config.Config) {
		c.DingTalkCallback, c.WeComCallback = dingCallback, weCallback
	}))
	expect[store.Account](t, call(t, s, http.MethodPatch, "/v1/users/demo-sales-manager", "admin",
		map[string]any{"dingtalk_user_id": "manager4220", "wecom_user_id": "LiJingli"}), http.StatusOK)
	expect[store.Account](t, call(t, s, http.MethodPatch, "/v1/users/demo-sales", "admin",
		map[string]any{"dingtalk_user_id": "sales0001"}), http.StatusOK)
	ding, we := newFake(t, s, dingCallback), newFake(t, s, weCallback)

	a := create(t, s, newContract(8_000_00, "2026-01-01", "2026-12-31")).Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+a+"/submit", "sales", nil), http.StatusOK)
	task := waitTask(t, s, "sales_manager", a)

	// A forged or stale callback changes nothing.
	forged := ding.dingTap(task.ID, "manager4220", "approve", "")
	q, _ := url.ParseQuery(forged.query)
	q.Set("nonce", "other")
	expect[errorBody](t, ding.send(signed{forged.path, q.Encode(), forged.body}), http.StatusUnauthorized)
	old := ding.sign("/v1/callbacks/dingtalk", []byte(`{}`), strconv.FormatInt(time.Now().Add(-time.Hour).UnixMilli(), 10))
	expect[errorBody](t, ding.send(old), http.StatusUnauthorized)
	// Someone who may not decide it (the owner) is told so on the card.
	assert.Contains(t, ding.dingAnswer(ding.send(ding.dingTap(task.ID, "sales0001", "approve", ""))), "未能处理")
	// Rejecting needs an opinion, as in the console.
	assert.Equal(t, imcard.AnswerNeedOpinion, ding.dingAnswer(ding.send(ding.dingTap(task.ID, "manager4220", "reject", ""))))
	assert.Equal(t, "open", taskStatus(t, s, "sales_manager", task.ID))

	// The manager taps 同意 in DingTalk: the task is decided, once.
	tap := ding.dingTap(task.ID, "manager4220", "approve", "")
	assert.Equal(t, "已同意", ding.dingAnswer(ding.send(tap)))
	assert.Equal(t, "approved", taskStatus(t, s, "sales_manager", task.ID))
	// The same callback again is a replay: refused.
	expect[errorBody](t, ding.send(tap), http.StatusConflict)
	// A double tap (a new push for the same card) is the same decision.
	assert.Equal(t, "已同意", ding.dingAnswer(ding.send(ding.dingTap(task.ID, "manager4220", "approve", ""))))
	decided := 0
	for _, o := range expect[struct {
		Opinions []struct{ Status string } `json:"opinions"`
	}](t, call(t, s, http.MethodGet, "/v1/tasks/"+task.ID, "sales_manager", nil), http.StatusOK).Opinions {
		if o.Status == "approved" {
			decided++
		}
	}
	assert.Equal(t, 1, decided, "one decision")

	// WeCom: the URL check echoes, and a stale card answers with the state.
	echoEnc, echoSig, err := we.c.Seal([]byte("1616140317555161061"), strconv.FormatInt(time.Now().Unix(), 10), "263014780", nil)
	require.NoError(t, err)
	vq := url.Values{"msg_signature": {echoSig}, "timestamp": {strconv.FormatInt(time.Now().Unix(), 10)}, "nonce": {"263014780"}, "echostr": {echoEnc}}
	echo := call(t, s, http.MethodGet, "/v1/callbacks/wecom?"+vq.Encode(), "", nil)
	require.Equal(t, http.StatusOK, echo.Status, "%s", echo.Body)
	assert.Equal(t, "1616140317555161061", string(echo.Body))
	vq.Set("echostr", "bm90IGl0")
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/callbacks/wecom?"+vq.Encode(), "", nil), http.StatusUnauthorized)

	assert.Equal(t, "已同意", we.weAnswer(we.send(we.weTap(task.ID, "LiJingli", "approve", time.Now()))), "the task closed: the card shows how")

	b := create(t, s, newContract(9_000_00, "2026-01-01", "2026-12-31")).Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+b+"/submit", "sales", nil), http.StatusOK)
	bt := waitTask(t, s, "sales_manager", b)
	weTap := we.weTap(bt.ID, "LiJingli", "approve", time.Now())
	assert.Equal(t, "已同意", we.weAnswer(we.send(weTap)))
	assert.Equal(t, "approved", taskStatus(t, s, "sales_manager", bt.ID))
	expect[errorBody](t, we.send(weTap), http.StatusConflict)
	bad := we.weTap(bt.ID, "LiJingli", "approve", time.Now())
	bad.body = bad.body[:len(bad.body)-40] + "AAAA" + bad.body[len(bad.body)-36:]
	expect[errorBody](t, we.send(bad), http.StatusUnauthorized)
}

// The fake platforms' app credentials.
const (
	dingAppKey, dingAppSecret = "dingapp8f2a", "ding-app-secret-0123"
	weSecret                  = "wecom-app-secret-0123"
	weAgent                   = 1000002
)

// cardStack is a stack whose DingTalk and WeCom apps send cards to local
// fakes of their APIs (through the guarded client, loopback allowed as in
// every test stack), with the callbacks configured.
func cardStack(t *testing.T) (*testenv.Stack, *notifytest.Platform, *notifytest.Platform) {
	ding := notifytest.NewDingTalk(t, dingAppKey, dingAppSecret)
	we := notifytest.NewWeCom(t, weCallback.Receiver, weSecret)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithConfig(func(c *config.Config) {
		c.DingTalkCallback, c.WeComCallback = dingCallback, weCallback
		c.DingTalkCards = notify.DingTalkApp{BaseURL: ding.URL, AppKey: dingAppKey, AppSecret: dingAppSecret, RobotCode: "dingrobot01", CallbackRouteKey: "signet"}
		c.WeComCards = notify.WeComApp{BaseURL: we.URL, CorpID: weCallback.Receiver, CorpSecret: weSecret, AgentID: weAgent}
	}))
	return s, ding, we
}

// outboxOf is every delivery to the user, by channel and status.
func outboxOf(t *testing.T, s *testenv.Stack, userID string) map[string][]string {
	list, err := s.Store.Outbox(context.Background(), store.OutboxFilter{UserID: userID, Limit: 500})
	require.NoError(t, err)
	out := map[string][]string{}
	for _, e := range list {
		out[e.Channel] = append(out[e.Channel], e.Status)
	}
	return out
}

// dingCard is a DingTalk card as the fake received it.
type dingCard struct {
	OutTrackID, RobotCode, SingleChatReceiver string
	CardData                                  struct{ CardParamMap map[string]string }
}

type weCard struct {
	ToUser       string `json:"touser"`
	AgentID      int64  `json:"agentid"`
	TemplateCard struct {
		TaskID     string                            `json:"task_id"`
		Horizontal []struct{ Keyname, Value string } `json:"horizontal_content_list"`
		Buttons    []struct{ Text, Key, URL string } `json:"button_list"`
	} `json:"template_card"`
}

// A task for an approver with a DingTalk and a WeCom identity goes to
// each as a card (one token each, reused; a platform failure retried
// until it is delivered), a tap on the card decides it once, and an
// approver without an identity gets no card.
func TestTaskNoticesGoAsCardsAndATapDecidesOnce(t *testing.T) {
	testenv.RequireIntegration(t)
	s, dingAPI, weAPI := cardStack(t)
	ding, we := newFake(t, s, dingCallback), newFake(t, s, weCallback)

	// No identity yet: the manager's task notice goes as before, no card.
	a := create(t, s, newContract(8_000_00, "2026-01-01", "2026-12-31")).Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+a+"/submit", "sales", nil), http.StatusOK)
	waitTask(t, s, "sales_manager", a)
	s.Deliver(t)
	assert.Empty(t, dingAPI.Cards(), "no identity, no card")
	assert.Empty(t, weAPI.Cards())
	before := outboxOf(t, s, "demo-sales-manager")
	assert.Empty(t, before[notify.ChannelDingTalkCard])
	assert.Empty(t, before[notify.ChannelWeComCard])

	expect[store.Account](t, call(t, s, http.MethodPatch, "/v1/users/demo-sales-manager", "admin",
		map[string]any{"dingtalk_user_id": "manager4220", "wecom_user_id": "LiJingli"}), http.StatusOK)
	b := create(t, s, newContract(9_000_00, "2026-01-01", "2026-12-31")).Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+b+"/submit", "sales", nil), http.StatusOK)
	task := waitTask(t, s, "sales_manager", b)
	// Both platforms are busy once: the delivery is retried and goes.
	dingAPI.FailNext(http.StatusServiceUnavailable, `{"code":"ServiceUnavailable","message":"busy"}`)
	weAPI.FailNext(http.StatusOK, `{"errcode":-1,"errmsg":"system busy"}`)
	s.Deliver(t)

	require.Len(t, dingAPI.Cards(), 1, "one card to DingTalk")
	var dc dingCard
	require.NoError(t, json.Unmarshal(dingAPI.Cards()[0], &dc))
	assert.Equal(t, imcard.TrackID(task.ID), dc.OutTrackID)
	assert.Equal(t, "dingrobot01", dc.RobotCode)
	assert.JSONEq(t, `{"userId":"manager4220"}`, dc.SingleChatReceiver)
	body := dc.CardData.CardParamMap["sys_full_json_obj"]
	for _, want := range []string{b, "CNY 9000.00", "上海", "**风险等级**：", "/tasks/" + task.ID,
		`"id":"approve"`, `"id":"reject"`, `"id":"request_changes"`, `"id":"opinion"`} {
		assert.Contains(t, body, want)
	}
	require.Len(t, weAPI.Cards(), 1, "one card to WeCom")
	var wc weCard
	require.NoError(t, json.Unmarshal(weAPI.Cards()[0], &wc))
	assert.Equal(t, "LiJingli", wc.ToUser)
	assert.Equal(t, int64(weAgent), wc.AgentID)
	assert.Equal(t, imcard.TrackID(task.ID), wc.TemplateCard.TaskID)
	facts := map[string]string{}
	for _, h := range wc.TemplateCard.Horizontal {
		facts[h.Keyname] = h.Value
	}
	assert.Equal(t, b, facts["合同编号"])
	assert.Equal(t, "CNY 9000.00", facts["金额"])
	assert.NotEmpty(t, facts["客户"])
	assert.NotEmpty(t, facts["风险等级"])
	var texts []string
	for _, btn := range wc.TemplateCard.Buttons {
		texts = append(texts, btn.Text)
	}
	assert.Equal(t, []string{"同意", "拒绝", "退回修改", "打开任务"}, texts)
	assert.Equal(t, 1, dingAPI.Tokens(), "one DingTalk token for the failed try and the retry")
	assert.Equal(t, 1, weAPI.Tokens())
	after := outboxOf(t, s, "demo-sales-manager")
	assert.Equal(t, []string{"sent"}, after[notify.ChannelDingTalkCard])
	assert.Equal(t, []string{"sent"}, after[notify.ChannelWeComCard])

	// The manager taps 同意 on the DingTalk card: DingTalk sends the signed
	// callback for the card it was given, and the task is decided once.
	taskID, ok := imcard.TaskOf(dc.OutTrackID)
	require.True(t, ok)
	var receiver struct{ UserID string }
	require.NoError(t, json.Unmarshal([]byte(dc.SingleChatReceiver), &receiver))
	assert.Equal(t, "已同意", ding.dingAnswer(ding.send(ding.dingTap(taskID, receiver.UserID, "approve", "同意"))))
	assert.Equal(t, "approved", taskStatus(t, s, "sales_manager", task.ID))
	// The WeCom card, tapped after, shows how the task closed.
	wTask, _ := imcard.TaskOf(wc.TemplateCard.TaskID)
	assert.Equal(t, "已同意", we.weAnswer(we.send(we.weTap(wTask, wc.ToUser, wc.TemplateCard.Buttons[0].Key, time.Now()))))
	decided := 0
	for _, o := range expect[struct {
		Opinions []struct{ Status string } `json:"opinions"`
	}](t, call(t, s, http.MethodGet, "/v1/tasks/"+task.ID, "sales_manager", nil), http.StatusOK).Opinions {
		if o.Status == "approved" {
			decided++
		}
	}
	assert.Equal(t, 1, decided, "one decision")

	// A third task: the cached tokens serve it.
	c := create(t, s, newContract(7_000_00, "2026-01-01", "2026-12-31")).Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+c+"/submit", "sales", nil), http.StatusOK)
	waitTask(t, s, "sales_manager", c)
	s.Deliver(t)
	assert.Len(t, dingAPI.Cards(), 2)
	assert.Len(t, weAPI.Cards(), 2)
	assert.Equal(t, 1, dingAPI.Tokens(), "the token is fetched once and reused")
	assert.Equal(t, 1, weAPI.Tokens())

	// Decided elsewhere (the API, as the console does): the DingTalk card
	// is updated to show how the task closed; the tapped one too. The task
	// of contract a, opened before the manager had an identity, had no
	// card, so none is updated.
	ct := waitTask(t, s, "sales_manager", c)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/tasks/"+ct.ID+"/decision", "sales_manager",
		map[string]any{"decision": "reject", "opinion": "价格需重新评估"}), http.StatusOK)
	at := waitTask(t, s, "sales_manager", a)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/tasks/"+at.ID+"/decision", "sales_manager",
		map[string]any{"decision": "approve"}), http.StatusOK)
	require.Eventually(t, func() bool {
		s.Deliver(t)
		return len(dingAPI.Updates()) >= 2
	}, 10*time.Second, 50*time.Millisecond, "the closed tasks' cards are updated")
	s.Deliver(t)
	shown := map[string]string{}
	for _, u := range dingAPI.Updates() {
		var upd dingCard
		require.NoError(t, json.Unmarshal(u, &upd))
		shown[upd.OutTrackID] = upd.CardData.CardParamMap["sys_full_json_obj"]
	}
	require.Len(t, shown, 2, "the two carded tasks, not the one without a card")
	assert.Contains(t, shown[imcard.TrackID(ct.ID)], "已拒绝")
	assert.NotContains(t, shown[imcard.TrackID(ct.ID)], `"id":"approve"`)
	assert.Contains(t, shown[imcard.TrackID(task.ID)], "已同意")
	// WeCom's cards are updated with the response_code each send answered.
	require.Len(t, weAPI.Updates(), 2)
	replaced := map[string]string{}
	for _, u := range weAPI.Updates() {
		var upd struct {
			UserIDs      []string `json:"userids"`
			ResponseCode string   `json:"response_code"`
			Button       struct {
				ReplaceName string `json:"replace_name"`
			} `json:"button"`
		}
		require.NoError(t, json.Unmarshal(u, &upd))
		assert.Equal(t, []string{"LiJingli"}, upd.UserIDs)
		replaced[upd.ResponseCode] = upd.Button.ReplaceName
	}
	assert.Equal(t, map[string]string{"rc-1": "已同意", "rc-2": "已拒绝"}, replaced)
	final := outboxOf(t, s, "demo-sales-manager")
	five := []string{"sent", "sent", "sent", "sent", "sent"}
	assert.Equal(t, five, final[notify.ChannelDingTalkCard], "two cards and three closed tasks' updates (one with no card to update), none dead")
	assert.Equal(t, five, final[notify.ChannelWeComCard])
}
