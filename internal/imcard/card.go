// Package imcard builds the approval cards Signet sends to DingTalk (互动卡片)
// and WeCom (模板卡片, button_interaction): the contract, its amount,
// customer, risk level and a link to the task, with 同意 / 拒绝 / 退回修改 —
// or, above the configured amount, only 打开任务. Pure code: the payloads
// are golden-tested, sending is the notify package's.
package imcard

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/signet-clm/signet/internal/domain"
)

// Button keys: what a tap reports back in the callback.
const (
	ActionApprove        = "approve"
	ActionReject         = "reject"
	ActionRequestChanges = "request_changes"
	// OpinionField is the DingTalk card input whose value is the opinion.
	OpinionField = "opinion"
)

// Wording shown on the cards (zh-CN: the platforms' users read Chinese).
const (
	labelTitle    = "待审批：%s"
	labelClosedT  = "审批已结束：%s"
	labelNumber   = "合同编号"
	labelAmount   = "金额"
	labelCustomer = "客户"
	labelRisk     = "风险等级"
	labelApprove  = "同意"
	labelReject   = "拒绝"
	labelChanges  = "退回修改"
	labelOpen     = "打开任务"
	labelOpinion  = "审批意见（拒绝或退回修改时必填）"
	labelTooLarge = "金额超过卡片审批上限，请打开任务阅读合同后审批"
	labelNoInput  = "拒绝或退回修改需填写意见，请在任务页面操作"
)

var riskLabels = map[string]string{"none": "无", "low": "低", "medium": "中", "high": "高"}

// Card is what a task card shows.
type Card struct {
	TaskID         string
	ContractNumber string
	Title          string
	Amount         domain.Money
	Customer       string
	Risk           string
	// Link is the task page.
	Link string
	// OpenOnly leaves only the 打开任务 button (Limits.OpenOnly).
	OpenOnly bool
	// Closed, when set, is the closed task's state in words (ClosedText):
	// the card shows it and only 打开任务 (DingTalkUpdate).
	Closed string
}

// ClosedText is what a closed task's card says: its state and, when
// known, who decided it.
func ClosedText(s domain.TaskStatus, decidedBy string) string {
	if decidedBy == "" {
		return StateText(s)
	}
	return StateText(s) + "（" + decidedBy + "）"
}

// Limits are the largest amounts, in minor units per currency, a card may
// decide; "*" applies to currencies not named. Empty: no limit.
type Limits map[string]int64

// ParseLimits reads SIGNET_CARD_DECIDE_MAX_MINOR: a bare number of minor
// units for every currency ("100000000") or CUR=minor pairs
// ("CNY=100000000,USD=15000000"); a currency not named there may not be
// decided from a card at all.
func ParseLimits(s string) (Limits, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return nil, errors.New("must not be negative")
		}
		return Limits{"*": n}, nil
	}
	out := Limits{}
	for _, part := range strings.Split(s, ",") {
		cur, num, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
		cur = strings.ToUpper(strings.TrimSpace(cur))
		if !ok || err != nil || n < 0 || len(cur) != 3 {
			return nil, fmt.Errorf("%q is not CUR=minor-units", part)
		}
		out[cur] = n
	}
	out["*"] = -1
	return out, nil
}

// OpenOnly reports whether a card for this amount offers only 打开任务.
func (l Limits) OpenOnly(m domain.Money) bool {
	if len(l) == 0 {
		return false
	}
	max, ok := l[m.Currency]
	if !ok {
		max = l["*"]
	}
	return max < 0 || m.Amount > max
}

func (c Card) risk() string {
	if l, ok := riskLabels[c.Risk]; ok {
		return l
	}
	if c.Risk == "" {
		return "—"
	}
	return c.Risk
}

// lines are the card's facts, label and value.
func (c Card) lines() [][2]string {
	return [][2]string{
		{labelNumber, c.ContractNumber},
		{labelAmount, c.Amount.String()},
		{labelCustomer, c.Customer},
		{labelRisk, c.risk()},
	}
}

// DingTalk is the body of DingTalk's 发送互动卡片 call
// (POST /v1.0/im/interactiveCards/send) to one user in a single chat, on
// the StandardCard template: header, facts, an opinion input and buttons
// whose taps come back to the callback route with their ID.
func DingTalk(c Card, userID, robotCode, callbackRouteKey string) ([]byte, error) {
	cardJSON, err := dingTalkCard(c)
	if err != nil {
		return nil, err
	}
	receiver, _ := json.Marshal(map[string]string{"userId": userID})
	return json.Marshal(map[string]any{
		"cardTemplateId":     "StandardCard",
		"outTrackId":         TrackID(c.TaskID),
		"robotCode":          robotCode,
		"conversationType":   0,
		"singleChatReceiver": string(receiver),
		"callbackRouteKey":   callbackRouteKey,
		"cardData":           map[string]any{"cardParamMap": map[string]string{"sys_full_json_obj": cardJSON}},
	})
}

// DingTalkUpdate is the body of DingTalk's 更新互动卡片 call
// (PUT /v1.0/im/interactiveCards) that turns a task's card into its closed
// form: the same facts, c.Closed in place of the input and the decision
// buttons, and 打开任务.
func DingTalkUpdate(c Card) ([]byte, error) {
	cardJSON, err := dingTalkCard(c)
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"outTrackId":  TrackID(c.TaskID),
		"cardData":    map[string]any{"cardParamMap": map[string]string{"sys_full_json_obj": cardJSON}},
		"cardOptions": map[string]any{"updateCardDataByKey": false, "updatePrivateDataByKey": false},
	})
}

// dingTalkCard is the StandardCard's JSON: what the card shows.
func dingTalkCard(c Card) (string, error) {
	var md strings.Builder
	for _, l := range c.lines() {
		fmt.Fprintf(&md, "**%s**：%s  \n", l[0], escape(l[1]))
	}
	contents := []any{map[string]any{"type": "markdown", "text": md.String(), "id": "facts"}}
	var actions []any
	switch {
	case c.Closed != "":
		contents = append(contents, map[string]any{"type": "text", "text": c.Closed, "id": "closed"})
	case c.OpenOnly:
		contents = append(contents, map[string]any{"type": "text", "text": labelTooLarge, "id": "limit"})
	default:
		contents = append(contents, map[string]any{"type": "input", "id": OpinionField, "placeholder": labelOpinion})
		actions = append(actions,
			button(ActionApprove, labelApprove, "primary"),
			button(ActionReject, labelReject, "danger"),
			button(ActionRequestChanges, labelChanges, "normal"))
	}
	actions = append(actions, map[string]any{
		"type": "button", "id": "open", "label": map[string]any{"type": "text", "text": labelOpen},
		"actionType": "openLink", "url": map[string]any{"all": c.Link}, "status": "normal",
	})
	contents = append(contents, map[string]any{"type": "action", "actions": actions, "id": "actions"})
	title := labelTitle
	if c.Closed != "" {
		title = labelClosedT
	}
	card := map[string]any{
		"config":   map[string]any{"autoLayout": true, "enableForward": false},
		"header":   map[string]any{"title": map[string]any{"type": "text", "text": fmt.Sprintf(title, c.Title)}},
		"contents": contents,
	}
	cardJSON, err := json.Marshal(card)
	return string(cardJSON), err
}

func button(id, label, status string) map[string]any {
	return map[string]any{
		"type": "button", "id": id, "label": map[string]any{"type": "text", "text": label},
		"actionType": "request", "status": status,
	}
}

// escape keeps a title or name from becoming markdown.
var escape = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "#", `\#`, "<", "&lt;", ">", "&gt;", "`", "\\`", "\n", " ").Replace

// TrackID is a card's ID on the platform (DingTalk's outTrackId, WeCom's
// task_id): one card per task, so a second notice updates the same card.
func TrackID(taskID string) string { return "signet-task-" + taskID }

// TaskOf returns the task a card's ID names.
func TaskOf(trackID string) (string, bool) {
	return strings.CutPrefix(trackID, "signet-task-")
}

// WeCom is the body of WeCom's 发送应用消息 (POST /cgi-bin/message/send)
// with a button_interaction 模板卡片. WeCom's cards take no text input, so
// only 同意 is a callback button; 拒绝 and 退回修改, which need an opinion,
// open the task page (as 打开任务 does).
func WeCom(c Card, userID string, agentID int64) ([]byte, error) {
	var rows []any
	for _, l := range c.lines() {
		rows = append(rows, map[string]any{"keyname": l[0], "value": truncate(l[1], 30)})
	}
	var buttons []any
	desc := labelNoInput
	if c.OpenOnly {
		desc = labelTooLarge
	} else {
		buttons = append(buttons,
			map[string]any{"type": 0, "text": labelApprove, "style": 1, "key": ActionApprove},
			map[string]any{"type": 1, "text": labelReject, "style": 3, "url": c.Link},
			map[string]any{"type": 1, "text": labelChanges, "style": 2, "url": c.Link})
	}
	buttons = append(buttons, map[string]any{"type": 1, "text": labelOpen, "style": 2, "url": c.Link})
	return json.Marshal(map[string]any{
		"touser":  userID,
		"msgtype": "template_card",
		"agentid": agentID,
		"template_card": map[string]any{
			"card_type":               "button_interaction",
			"main_title":              map[string]any{"title": truncate(fmt.Sprintf(labelTitle, c.Title), 26), "desc": desc},
			"horizontal_content_list": rows,
			"card_action":             map[string]any{"type": 1, "url": c.Link},
			"task_id":                 TrackID(c.TaskID),
			"button_list":             buttons,
		},
		"enable_id_trans":          0,
		"enable_duplicate_check":   1,
		"duplicate_check_interval": 1800,
	})
}

// truncate cuts s to n characters (not bytes): WeCom refuses longer fields.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// WeComUpdate is the body of WeCom's 更新模版卡片消息 call
// (POST /cgi-bin/message/update_template_card) that turns a sent card's
// buttons into one that cannot be tapped, labelled with the closed task's
// state (StateText: a button holds 10 characters, no name fits):
// responseCode is the one message/send answered with, valid 72 hours and
// once.
func WeComUpdate(userID string, agentID int64, responseCode string, s domain.TaskStatus) ([]byte, error) {
	return json.Marshal(map[string]any{
		"userids":       []string{userID},
		"agentid":       agentID,
		"response_code": responseCode,
		"button":        map[string]any{"replace_name": truncate(StateText(s), 10)},
	})
}
