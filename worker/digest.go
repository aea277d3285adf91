package worker

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/signet-clm/signet/domain"
	"github.com/signet-clm/signet/notify"
	"github.com/signet-clm/signet/store"
)

// DigestLockKey keeps one digest run at a time across worker replicas; the
// outbox key (one digest per person and day) makes a second run a no-op
// even without it.
const DigestLockKey int64 = 0x5167_6e65_7402

// DigestHorizonDays is how far ahead the digest looks for payments due and
// contracts ending.
const DigestHorizonDays = 30

// Digester sends each person one morning summary of what waits for them.
type Digester struct {
	Store    *store.Store
	Location *time.Location
	Logger   *slog.Logger
}

// Run enqueues today's digests, unless another replica is at it. It
// returns how many people have one.
func (d *Digester) Run(ctx context.Context, now time.Time) (int, error) {
	sent := 0
	ran, err := d.Store.WithAdvisoryLock(ctx, DigestLockKey, func(ctx context.Context) error {
		day := now.In(d.Location)
		lines, err := d.Store.DigestLines(ctx, day, DigestHorizonDays)
		if err != nil {
			return err
		}
		notices := digests(day.Format(time.DateOnly), lines)
		sent = len(notices)
		return d.Store.EnqueueNotices(ctx, notices, now)
	})
	if err != nil {
		return 0, fmt.Errorf("daily digest: %w", err)
	}
	if !ran {
		d.Logger.Info("daily digest skipped: another worker holds the lock")
	}
	return sent, nil
}

// digests groups lines (ordered by user) into one notice per person.
func digests(day string, lines []store.DigestLine) []notify.Notice {
	var out []notify.Notice
	for i := 0; i < len(lines); {
		user := lines[i].UserID
		var tasks, payments, ending []string
		for ; i < len(lines) && lines[i].UserID == user; i++ {
			l := lines[i]
			switch l.Section {
			case store.DigestTasks:
				item := "· " + l.ContractNumber + " " + l.Title + "（" + l.Detail + "）"
				if l.Due != nil {
					item += " 截止 " + l.Due.UTC().Format(time.RFC3339)
				}
				tasks = append(tasks, item)
			case store.DigestPayments:
				payments = append(payments, "· "+l.ContractNumber+" "+l.Title+" "+l.Detail+" 未收 "+domain.Money{Amount: l.Outstanding, Currency: l.Currency}.String())
			case store.DigestExpiring:
				ending = append(ending, "· "+l.ContractNumber+" "+l.Title+" 到期日 "+l.Detail)
			}
		}
		var b strings.Builder
		if len(tasks) > 0 {
			fmt.Fprintf(&b, "待您审批（%d）：\n%s\n", len(tasks), strings.Join(tasks, "\n"))
		}
		if len(payments) > 0 {
			fmt.Fprintf(&b, "%d 天内到期或已逾期的回款（%d）：\n%s\n", DigestHorizonDays, len(payments), strings.Join(payments, "\n"))
		}
		if len(ending) > 0 {
			fmt.Fprintf(&b, "%d 天内到期的合同（%d）：\n%s\n", DigestHorizonDays, len(ending), strings.Join(ending, "\n"))
		}
		out = append(out, notify.Notice{
			Key:     "digest/" + user + "/" + day,
			UserID:  user,
			Kind:    notify.KindDigest,
			Subject: fmt.Sprintf("Signet 每日摘要 %s：%d 项待审批，%d 笔回款待收，%d 份合同即将到期", day, len(tasks), len(payments), len(ending)),
			Text:    strings.TrimRight(b.String(), "\n"),
			Link:    "/v1/tasks",
			Data:    map[string]any{"day": day, "tasks": len(tasks), "payments": len(payments), "expiring": len(ending)},
		})
	}
	return out
}
