package reports

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/domain"
)

// CycleQuery is GET /v1/reports/approval-cycle: tasks decided between
// from and to (calendar days in the configured time zone), optionally of
// one policy.
type CycleQuery struct {
	From   string `form:"from"`
	To     string `form:"to"`
	Policy string `form:"policy"`
	Format string `form:"format"`
}

// CycleRow is how long one approval stage of one policy takes: over the
// approval tasks (not the escalation tasks an escalation opens) of the
// contracts the caller sees, the median and 90th percentile of the time
// from a task's opening to its decision, in seconds. A row with stage 0
// is the whole policy, every stage's tasks together.
type CycleRow struct {
	PolicyID   string   `json:"policy_id"`
	Stage      int      `json:"stage"`
	StageName  string   `json:"stage_name"`
	Decided    int64    `json:"decided"`
	Open       int64    `json:"open"`
	Escalated  int64    `json:"escalated"`
	P50Seconds *float64 `json:"p50_seconds"`
	P90Seconds *float64 `json:"p90_seconds"`
}

// Cycle is the approval cycle times per stage and per policy.
type Cycle struct {
	Rows []CycleRow `json:"rows"`
}

// ApprovalCycle measures approval stages. Tasks of the foundation's inline
// approval have no policy and report policy "".
func (s *Service) ApprovalCycle(ctx context.Context, u domain.User, in CycleQuery) (Cycle, error) {
	v := &invalid{}
	q := &query{}
	from, to := v.dateRange("from", in.From, "to", in.To)
	if from != nil {
		q.where("t.decided_at >= %s", midnight(*from, s.loc))
	}
	if to != nil {
		q.where("t.decided_at < %s", midnight(to.AddDate(0, 0, 1), s.loc))
	}
	if v.text("policy", in.Policy, 100) != "" {
		q.where("coalesce(r.policy_id, '') = %s", in.Policy)
	}
	scope(q, u)
	if err := v.err(); err != nil {
		return Cycle{}, err
	}
	q.where("t.kind = %s", domain.TaskKindApproval)
	dur := "extract(epoch FROM t.decided_at - t.opened_at)::float8"
	decided := "t.decided_at IS NOT NULL AND t.opened_at IS NOT NULL"
	rows, _ := s.db.Query(ctx, `SELECT coalesce(r.policy_id, '') AS policy, coalesce(t.stage, 0), coalesce(max(t.stage_name), ''),
			count(*) FILTER (WHERE `+decided+`), count(*) FILTER (WHERE t.status = 'open'),
			count(*) FILTER (WHERE t.escalated_at IS NOT NULL),
			percentile_cont(0.5) WITHIN GROUP (ORDER BY `+dur+`) FILTER (WHERE `+decided+`),
			percentile_cont(0.9) WITHIN GROUP (ORDER BY `+dur+`) FILTER (WHERE `+decided+`)
		FROM approval_tasks t JOIN contracts c ON c.number = t.contract_number
		LEFT JOIN approval_rounds r ON r.contract_number = t.contract_number AND r.round = t.round`+q.clause()+`
		GROUP BY GROUPING SETS ((coalesce(r.policy_id, ''), t.stage), (coalesce(r.policy_id, '')))
		ORDER BY 1, 2`, q.args...)
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (CycleRow, error) {
		var r CycleRow
		return r, row.Scan(&r.PolicyID, &r.Stage, &r.StageName, &r.Decided, &r.Open, &r.Escalated, &r.P50Seconds, &r.P90Seconds)
	})
	if err != nil {
		return Cycle{}, unavailable("approval cycle", err)
	}
	out := Cycle{Rows: []CycleRow{}}
	for _, r := range list {
		if r.Stage == 0 {
			r.StageName = ""
		}
		out.Rows = append(out.Rows, r)
	}
	return out, nil
}
