package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/signet-clm/signet/internal/feed"
)

// KindEvents is the change feed's kind: a webhook that names it receives
// every business event the feed holds, with the feed's IDs. Only a target
// that names it explicitly does (a target for every kind is a person's
// notices, not an integration's), and only a webhook.
const KindEvents = "events"

// eventNews says in a line what an event is, for a person reading a
// delivery log; integrations read the event itself.
var eventNews = map[string]string{
	feed.ContractCreated:             "合同已创建",
	feed.ContractSubmitted:           "合同已提交审批",
	feed.ContractWithdrawn:           "合同已撤回",
	feed.ContractChangesRequested:    "审批人要求修改",
	feed.ContractRejected:            "审批被驳回",
	feed.ContractApproved:            "审批通过",
	feed.ContractSentForSignature:    "合同已发起签署",
	feed.ContractSigningDeclined:     "签署被拒绝",
	feed.ContractSigningExpired:      "签署已过期",
	feed.ContractSigningVoided:       "签署已作废",
	feed.ContractPartySigned:         "一方已签署",
	feed.ContractSigned:              "合同已签署生效",
	feed.ContractCancelled:           "合同已取消",
	feed.ContractRevised:             "草稿已修改",
	feed.ContractAmendmentRequested:  "已申请合同变更",
	feed.ContractAmendmentApproved:   "合同变更已审批通过",
	feed.ContractAmendmentRejected:   "合同变更被驳回",
	feed.ContractAmended:             "合同变更已生效",
	feed.ContractTerminationAsked:    "已申请终止合同",
	feed.ContractTerminationRejected: "终止申请被驳回",
	feed.ContractTerminated:          "合同已终止",
	feed.ContractExpired:             "合同已到期",
	feed.ContractRenewed:             "合同已续签",
	feed.ContractRenewalActivated:    "续签合同已生效",
	feed.ContractCompleted:           "合同已履行完毕",
	feed.ContractArchived:            "合同已归档",
	feed.ContractImported:            "历史合同已导入",
	feed.InvoiceRecorded:             "已开票",
	feed.InvoiceReversed:             "发票已红冲",
	feed.PaymentRecorded:             "已回款",
	feed.PaymentReversed:             "回款已冲销",
	feed.ObligationCompleted:         "履约义务已完成",
}

// EventMessage is the webhook body of a feed event: its type in
// Data["type"], the event as the feed lists it in Data["event"] and
// its ID in Data["event_id"] (also the X-Signet-Event header).
func EventMessage(st feed.Stored, at time.Time) (Message, error) {
	e := st.Event
	raw, err := json.Marshal(st.Delivered())
	if err != nil {
		return Message{}, fmt.Errorf("encode event %s: %w", e.ID, err)
	}
	news := eventNews[e.Type]
	if news == "" {
		news = e.Type
	}
	return Message{
		Kind:    KindEvents,
		Subject: fmt.Sprintf("%s %s：%s", e.Contract.Number, e.Contract.Title, news),
		Text:    fmt.Sprintf("%s（%s）%s", e.Contract.Number, e.Type, news),
		Link:    "/contracts/" + e.Contract.Number,
		At:      at,
		Data:    map[string]any{"event_id": e.ID, "type": e.Type, "event": json.RawMessage(raw)},
	}, nil
}

// ForEvent is the outbox rows of a feed event: one per webhook target of
// an active subscriber that names KindEvents. The key is the event's ID,
// the user and the address's hash, so recording it again writes nothing.
func ForEvent(st feed.Stored, subscribers []Recipient, at time.Time) ([]Outgoing, error) {
	e := st.Event
	var out []Outgoing
	var msg Message
	for _, r := range subscribers {
		if !r.Active {
			continue
		}
		for _, p := range r.Targets {
			if p.Channel != ChannelWebhook || !slices.Contains(p.Kinds, KindEvents) {
				continue
			}
			if msg.Kind == "" {
				m, err := EventMessage(st, at)
				if err != nil {
					return nil, err
				}
				msg = m
			}
			sum := sha256.Sum256([]byte(p.Channel + "\x00" + p.Address))
			out = append(out, Outgoing{
				Key:    "event/" + e.ID + "/" + r.ID + "/" + p.Channel + "/" + hex.EncodeToString(sum[:6]),
				UserID: r.ID, Channel: p.Channel, Address: p.Address, Secret: p.Secret, Message: msg,
			})
		}
	}
	return out, nil
}
