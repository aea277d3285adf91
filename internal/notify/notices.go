package notify

import (
	"fmt"
	"time"

	"github.com/signet-clm/signet/internal/domain"
)

// Notice kinds. Contract notices are "contract." and the event kind.
const (
	KindTaskOpen      = "task.open"
	KindTaskReminder  = "task.reminder"
	KindTaskEscalated = "task.escalated"
	KindDigest        = "digest"
	// KindTaskClosed updates a closed task's approval cards; it goes to
	// the card channels only, and is in nobody's notice list.
	KindTaskClosed = "task.closed"
	kindContract   = "contract."
)

// Notice is something one person should hear about. Key is unique per
// event and person: writing the same notice twice delivers it once.
type Notice struct {
	Key     string
	UserID  string
	Kind    string
	Subject string
	Text    string
	// Link is a path under the API's public URL.
	Link string
	Data map[string]any
}

// ContractSummary is what a notice says about its contract.
type ContractSummary struct {
	Number       string
	Title        string
	CustomerName string
	OwnerID      string
	Amount       int64
	Currency     string
}

func (c ContractSummary) line() string {
	return fmt.Sprintf("%s %s（%s，%s）", c.Number, c.Title, c.CustomerName, domain.Money{Amount: c.Amount, Currency: c.Currency})
}

// ForTasks announces the tasks that need their assignee now: newly open,
// escalated or reminded. A task without an assignee waits in its role's
// inbox and is announced by the digest instead.
func ForTasks(c ContractSummary, tasks []domain.ApprovalTask) []Notice {
	var out []Notice
	for _, t := range tasks {
		if t.Status != domain.TaskOpen || t.AssigneeID == "" {
			continue
		}
		n := Notice{
			UserID: t.AssigneeID,
			Link:   "/tasks/" + t.ID,
			Data:   map[string]any{"task_id": t.ID, "contract_number": c.Number, "stage": t.StageName},
		}
		switch {
		case t.RemindedAt != nil:
			n.Kind, n.Key = KindTaskReminder, fmt.Sprintf("task/%s/reminder/%d", t.ID, t.RemindedAt.Unix())
			n.Subject = "审批提醒：" + c.Number + " 仍在等待您的审批"
		case t.Kind == domain.TaskKindEscalation:
			n.Kind, n.Key = KindTaskEscalated, "task/"+t.ID+"/open"
			n.Subject = "升级审批：" + c.Number + " 需要您处理"
		default:
			n.Kind, n.Key = KindTaskOpen, "task/"+t.ID+"/open"
			n.Subject = "待审批：" + c.Number + " " + c.Title
		}
		n.Text = "合同 " + c.line() + "\n环节：" + stageName(t) + due(t.DueAt)
		out = append(out, n)
	}
	return out
}

// ForClosedTasks are the card updates of tasks that were open and are
// closed now (decided, cancelled with their round, withdrawn): each
// assignee's cards, if they were sent one, then show how it closed.
func ForClosedTasks(tasks []domain.ApprovalTask) []Notice {
	var out []Notice
	for _, t := range tasks {
		if t.AssigneeID == "" || t.OpenedAt == nil || t.Status == domain.TaskOpen || t.Status == domain.TaskPending {
			continue
		}
		out = append(out, Notice{Key: "task/" + t.ID + "/closed", UserID: t.AssigneeID, Kind: KindTaskClosed,
			Subject: "审批已结束：" + t.ContractNumber, Link: "/tasks/" + t.ID,
			Data: map[string]any{"task_id": t.ID, "contract_number": t.ContractNumber, "status": string(t.Status)}})
	}
	return out
}

func stageName(t domain.ApprovalTask) string {
	if t.StageName != "" {
		return t.StageName
	}
	return string(t.Role)
}

func due(at *time.Time) string {
	if at == nil {
		return ""
	}
	return "\n截止：" + at.UTC().Format(time.RFC3339)
}

// contractNews is what an owner hears about their contract, by event kind.
var contractNews = map[string]string{
	domain.EventApproved:         "审批通过",
	domain.EventRejected:         "审批被驳回",
	domain.EventChangesRequested: "审批人要求修改",
	domain.EventCancelled:        "已取消",
	domain.EventExpired:          "已到期",
	domain.EventSigningDeclined:  "签署被拒绝",
	domain.EventSigningExpired:   "签署已过期",
	domain.EventWithdrawn:        "提交已撤回",
	domain.EventSigningVoided:    "签署已作废",
	domain.EventPaymentRecorded:  "已登记回款",
	domain.EventPaymentReversed:  "回款已冲销",
	domain.EventRenewed:          "已自动续约",
	domain.EventCompleted:        "已履约完成",
	domain.EventTerminated:       "已终止",
	// The requester hears their request was refused.
	domain.EventTerminationRejected: "终止申请被驳回",
}

// ForTransition tells a contract's owner what happened to it, unless they
// did it themselves.
func ForTransition(t domain.Transition) []Notice {
	e, c := t.Event, t.Contract
	news, ok := contractNews[e.Kind]
	if e.Kind == domain.EventSigned && t.Status == domain.StatusActive {
		news, ok = "双方签署完成，合同已生效", true
	}
	if !ok || c.OwnerID == "" || e.ActorID == c.OwnerID {
		return nil
	}
	sum := ContractSummary{Number: c.Number, Title: c.Title, CustomerName: c.CustomerName, Amount: c.Amount, Currency: c.Currency}
	text := "合同 " + sum.line() + "\n" + news
	if e.ActorName != "" && e.ActorID != domain.SystemActor.UserID {
		text += "（" + e.ActorName + "）"
	}
	if e.Opinion != "" {
		text += "\n意见：" + e.Opinion
	}
	return []Notice{{
		Key:     "event/" + e.ID + "/owner",
		UserID:  c.OwnerID,
		Kind:    kindContract + e.Kind,
		Subject: "合同" + news + "：" + c.Number + " " + c.Title,
		Text:    text,
		Link:    "/contracts/" + c.Number,
		Data:    map[string]any{"contract_number": c.Number, "event": e.Kind, "status": string(t.Status)},
	}}
}
