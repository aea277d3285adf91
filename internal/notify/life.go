package notify

import (
	"fmt"

	"github.com/signet-clm/signet/internal/domain"
)

// Notice kinds of a signed contract's life.
const (
	KindPaymentDue        = "payment.due"
	KindPaymentOverdue    = "payment.overdue"
	KindObligationDue     = "obligation.due"
	KindObligationOverdue = "obligation.overdue"
	KindRenewalNotice     = "contract.renewal_notice"
)

// ForMilestone tells the owner a milestone falls due soon or, the n-th
// time (from 1), that it is overdue.
func ForMilestone(c ContractSummary, m domain.Milestone, overdue int) Notice {
	left := domain.Money{Amount: m.Outstanding(), Currency: c.Currency}
	n := Notice{UserID: c.OwnerID, Link: "/contracts/" + c.Number,
		Data: map[string]any{"contract_number": c.Number, "milestone_id": m.ID, "outstanding": m.Outstanding(), "due_date": m.DueDate}}
	if overdue == 0 {
		n.Key, n.Kind = "milestone/"+m.ID+"/due", KindPaymentDue
		n.Subject = fmt.Sprintf("回款提醒：%s 第%d期 %s 将于 %s 到期", c.Number, m.Seq, left, m.DueDate)
	} else {
		n.Key, n.Kind = fmt.Sprintf("milestone/%s/overdue/%d", m.ID, overdue), KindPaymentOverdue
		n.Subject = fmt.Sprintf("回款逾期：%s 第%d期 %s 已于 %s 到期未付", c.Number, m.Seq, left, m.DueDate)
	}
	n.Text = "合同 " + c.line() + fmt.Sprintf("\n回款节点：%s（第%d期）\n未收金额：%s\n到期日：%s", m.Title, m.Seq, left, m.DueDate)
	return n
}

// ForObligation tells an obligation's owner, and the contract's owner if
// someone else, that it falls due soon or, the n-th time, is overdue.
func ForObligation(c ContractSummary, o domain.Obligation, overdue int) []Notice {
	kind, what := KindObligationDue, "履约提醒"
	key := "obligation/" + o.ID + "/due"
	if overdue > 0 {
		kind, what = KindObligationOverdue, "履约逾期"
		key = fmt.Sprintf("obligation/%s/overdue/%d", o.ID, overdue)
	}
	text := "合同 " + c.line() + fmt.Sprintf("\n履约事项：%s\n负责人：%s\n完成进度：%d%%\n到期日：%s", o.Title, o.OwnerName, o.Progress, o.DueDate)
	var out []Notice
	for _, who := range []string{o.OwnerID, c.OwnerID} {
		if who == "" || (len(out) > 0 && who == o.OwnerID) {
			continue
		}
		out = append(out, Notice{Key: key + "/" + who, UserID: who, Kind: kind, Link: "/contracts/" + c.Number,
			Subject: fmt.Sprintf("%s：%s「%s」%s 到期", what, c.Number, o.Title, o.DueDate), Text: text,
			Data: map[string]any{"contract_number": c.Number, "obligation_id": o.ID, "due_date": o.DueDate}})
	}
	return out
}

// ForRenewal tells the owner the term ends in days days, and whether the
// contract renews itself.
func ForRenewal(c ContractSummary, version, days int, endDate string, auto bool) Notice {
	next := "到期后合同终止，如需续约请及时起草续约合同"
	if auto {
		next = "合同约定自动续约，到期后将生成续约合同"
	}
	return Notice{
		Key: fmt.Sprintf("renewal/%s/v%d/%d", c.Number, version, days), UserID: c.OwnerID, Kind: KindRenewalNotice,
		Subject: fmt.Sprintf("合同到期提醒：%s 将于 %s 到期（还有 %d 天）", c.Number, endDate, days),
		Text:    "合同 " + c.line() + "\n到期日：" + endDate + "\n" + next,
		Link:    "/contracts/" + c.Number,
		Data:    map[string]any{"contract_number": c.Number, "days_left": days, "auto_renew": auto},
	}
}

// Due is one dated notice a signed contract's life calls for. The
// workflow says what is due; the words are chosen here, by the activity,
// so no message text passes through workflow histories.
type Due struct {
	Milestone  *domain.Milestone  `json:"milestone,omitempty"`
	Obligation *domain.Obligation `json:"obligation,omitempty"`
	// Overdue counts the overdue alerts so far; 0 is the reminder before.
	Overdue int         `json:"overdue,omitempty"`
	Renewal *RenewalDue `json:"renewal,omitempty"`
}

// RenewalDue is a renewal notice: the term ends in DaysLeft days.
type RenewalDue struct {
	Version   int    `json:"version"`
	DaysLeft  int    `json:"days_left"`
	EndDate   string `json:"end_date"`
	AutoRenew bool   `json:"auto_renew"`
}

// Notices words what d says is due for contract c.
func (d Due) Notices(c ContractSummary) []Notice {
	switch {
	case d.Milestone != nil:
		return []Notice{ForMilestone(c, *d.Milestone, d.Overdue)}
	case d.Obligation != nil:
		return ForObligation(c, *d.Obligation, d.Overdue)
	case d.Renewal != nil:
		r := d.Renewal
		return []Notice{ForRenewal(c, r.Version, r.DaysLeft, r.EndDate, r.AutoRenew)}
	}
	return nil
}
