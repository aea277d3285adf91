package imcard

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"

	"github.com/signet-clm/signet/internal/domain"
)

// Tap is a button pressed on a card, as the platform's callback reports it.
type Tap struct {
	// CallbackID identifies this push on its platform: what the replay
	// table is keyed by.
	CallbackID string
	// UserID is the platform's user ID of whoever tapped.
	UserID string
	// TrackID is the card's ID (TrackID of a task).
	TrackID  string
	Decision domain.Decision
	Opinion  string
	// WeCom's answer names who it goes to and from.
	To, From string
}

// ErrNotATap is a callback that is not a button on one of our cards (a
// URL check, another event): answered "success" and otherwise ignored.
var ErrNotATap = errors.New("not a card button")

func decision(action string) (domain.Decision, bool) {
	switch action {
	case ActionApprove:
		return domain.DecisionApprove, true
	case ActionReject:
		return domain.DecisionReject, true
	case ActionRequestChanges:
		return domain.DecisionRequestChanges, true
	}
	return "", false
}

// dingTalkCallback is the decrypted body of a DingTalk card callback: the
// card, the user, and in content the tapped action and the card's inputs.
type dingTalkCallback struct {
	Type       string `json:"type"`
	OutTrackID string `json:"outTrackId"`
	UserID     string `json:"userId"`
	CorpID     string `json:"corpId"`
	Content    string `json:"content"`
}

type dingTalkContent struct {
	CardPrivateData struct {
		ActionIDs []string          `json:"actionIds"`
		Params    map[string]string `json:"params"`
	} `json:"cardPrivateData"`
}

// ParseDingTalk reads a decrypted DingTalk card callback. DingTalk's card
// callback carries no message ID of its own, so callbackID is the signed
// timestamp and nonce of the push, which a replay repeats.
func ParseDingTalk(msg []byte, callbackID string) (Tap, error) {
	var cb dingTalkCallback
	if err := json.Unmarshal(msg, &cb); err != nil || cb.OutTrackID == "" {
		return Tap{}, ErrNotATap
	}
	var content dingTalkContent
	if err := json.Unmarshal([]byte(cb.Content), &content); err != nil || len(content.CardPrivateData.ActionIDs) == 0 {
		return Tap{}, ErrNotATap
	}
	d, ok := decision(content.CardPrivateData.ActionIDs[0])
	if !ok || cb.UserID == "" {
		return Tap{}, ErrNotATap
	}
	return Tap{CallbackID: callbackID, UserID: cb.UserID, TrackID: cb.OutTrackID, Decision: d,
		Opinion: strings.TrimSpace(content.CardPrivateData.Params[OpinionField])}, nil
}

// weComEvent is a decrypted WeCom template_card_event.
type weComEvent struct {
	ToUserName   string `xml:"ToUserName"`
	FromUserName string `xml:"FromUserName"`
	CreateTime   string `xml:"CreateTime"`
	MsgType      string `xml:"MsgType"`
	Event        string `xml:"Event"`
	EventKey     string `xml:"EventKey"`
	TaskID       string `xml:"TaskId"`
}

// ParseWeCom reads a decrypted WeCom event. WeCom's events carry no
// message ID; its documentation de-duplicates them by FromUserName and
// CreateTime, and the card's task_id makes that unique per card.
func ParseWeCom(msg []byte) (Tap, error) {
	var ev weComEvent
	if err := xml.Unmarshal(msg, &ev); err != nil || ev.MsgType != "event" || ev.Event != "template_card_event" {
		return Tap{}, ErrNotATap
	}
	d, ok := decision(ev.EventKey)
	if !ok || ev.FromUserName == "" || ev.TaskID == "" {
		return Tap{}, ErrNotATap
	}
	return Tap{CallbackID: ev.FromUserName + "/" + ev.CreateTime + "/" + ev.TaskID, UserID: ev.FromUserName, TrackID: ev.TaskID,
		Decision: d, To: ev.FromUserName, From: ev.ToUserName}, nil
}

// Answer is what a card shows after a tap: a short line, and the task's
// state when it is closed.
type Answer struct {
	// Done is true when the task is decided (by this tap or before).
	Done bool   `json:"done"`
	Text string `json:"text"`
	// State is the task's status (domain.TaskStatus) when known.
	State string `json:"state,omitempty"`
}

// Answer lines.
const (
	AnswerPending     = "处理中，请稍后在 Signet 查看结果"
	AnswerUnknownUser = "该账号未关联 Signet 用户"
	AnswerNoTask      = "任务不存在或不属于您"
	AnswerNeedOpinion = "拒绝或退回修改需填写审批意见"
	AnswerRefused     = "未能处理：%s"
)

var taskStates = map[domain.TaskStatus]string{
	domain.TaskApproved:         "已同意",
	domain.TaskRejected:         "已拒绝",
	domain.TaskChangesRequested: "已退回修改",
}

// StateText is a closed task's state in words, "任务已关闭" for other states.
func StateText(s domain.TaskStatus) string {
	if t, ok := taskStates[s]; ok {
		return t
	}
	if s == domain.TaskOpen {
		return "待审批"
	}
	return "任务已关闭"
}

// DingTalkReply is the JSON DingTalk's card callback is answered with,
// before encryption: the card's new text in its private data.
func DingTalkReply(a Answer) []byte {
	b, _ := json.Marshal(map[string]any{
		"cardUpdateOptions": map[string]any{"updateCardDataByKey": true, "updatePrivateDataByKey": true},
		"cardData":          map[string]any{"cardParamMap": map[string]string{"signet_result": a.Text, "signet_state": a.State}},
	})
	return b
}

// WeComReply is the passive reply to a template_card_event, before
// encryption: it replaces the tapped card's buttons with the answer.
func WeComReply(t Tap, a Answer, createTime string) []byte {
	var b strings.Builder
	b.WriteString("<xml><ToUserName><![CDATA[")
	b.WriteString(cdata(t.To))
	b.WriteString("]]></ToUserName><FromUserName><![CDATA[")
	b.WriteString(cdata(t.From))
	b.WriteString("]]></FromUserName><CreateTime>")
	b.WriteString(createTime)
	b.WriteString("</CreateTime><MsgType><![CDATA[update_button]]></MsgType><Button><ReplaceName><![CDATA[")
	b.WriteString(cdata(truncate(a.Text, 10)))
	b.WriteString("]]></ReplaceName></Button></xml>")
	return []byte(b.String())
}

// cdata keeps a value from closing its CDATA section.
func cdata(s string) string { return strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") }
