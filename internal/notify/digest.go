package notify

import (
	"fmt"
	"strings"
	"time"

	"github.com/signet-clm/signet/internal/domain"
)

// DigestLine is one item of someone's daily digest, as the store reads it.
type DigestLine struct {
	UserID         string `db:"user_id"`
	Section        string `db:"section"`
	ContractNumber string `db:"contract_number"`
	Title          string `db:"title"`
	// Detail is a task's stage, a payment's due date or a contract's end
	// date.
	Detail string     `db:"detail"`
	Due    *time.Time `db:"due"`
	// Seq, Outstanding and Currency are a payment line's.
	Seq         int    `db:"seq"`
	Outstanding int64  `db:"outstanding"`
	Currency    string `db:"currency"`
}

// Digest sections.
const (
	DigestTasks    = "tasks"
	DigestPayments = "payments"
	DigestExpiring = "expiring"
)

// What is the line's detail as the digest says it: the stage, "第2期
// 2026-05-01 到期", or the end date.
func (l DigestLine) What() string {
	if l.Section == DigestPayments {
		return fmt.Sprintf("第%d期 %s 到期", l.Seq, l.Detail)
	}
	return l.Detail
}

// ForDigests groups lines (ordered by user) into one notice per person and
// day; horizonDays is how far ahead the lines look.
func ForDigests(day string, horizonDays int, lines []DigestLine) []Notice {
	var out []Notice
	for i := 0; i < len(lines); {
		user := lines[i].UserID
		var tasks, payments, ending []string
		for ; i < len(lines) && lines[i].UserID == user; i++ {
			l := lines[i]
			switch l.Section {
			case DigestTasks:
				item := "· " + l.ContractNumber + " " + l.Title + "（" + l.What() + "）"
				if l.Due != nil {
					item += " 截止 " + l.Due.UTC().Format(time.RFC3339)
				}
				tasks = append(tasks, item)
			case DigestPayments:
				payments = append(payments, "· "+l.ContractNumber+" "+l.Title+" "+l.What()+" 未收 "+domain.Money{Amount: l.Outstanding, Currency: l.Currency}.String())
			case DigestExpiring:
				ending = append(ending, "· "+l.ContractNumber+" "+l.Title+" 到期日 "+l.What())
			}
		}
		var b strings.Builder
		if len(tasks) > 0 {
			fmt.Fprintf(&b, "待您审批（%d）：\n%s\n", len(tasks), strings.Join(tasks, "\n"))
		}
		if len(payments) > 0 {
			fmt.Fprintf(&b, "%d 天内到期或已逾期的回款（%d）：\n%s\n", horizonDays, len(payments), strings.Join(payments, "\n"))
		}
		if len(ending) > 0 {
			fmt.Fprintf(&b, "%d 天内到期的合同（%d）：\n%s\n", horizonDays, len(ending), strings.Join(ending, "\n"))
		}
		out = append(out, Notice{
			Key:     "digest/" + user + "/" + day,
			UserID:  user,
			Kind:    KindDigest,
			Subject: fmt.Sprintf("Signet 每日摘要 %s：%d 项待审批，%d 笔回款待收，%d 份合同即将到期", day, len(tasks), len(payments), len(ending)),
			Text:    strings.TrimRight(b.String(), "\n"),
			Link:    "/inbox",
			Data:    map[string]any{"day": day, "tasks": len(tasks), "payments": len(payments), "expiring": len(ending)},
		})
	}
	return out
}
