package harness

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/workflows"
)

// Verdict is what the checks found after a batch: contracts that did not
// end where expected, disagreements between PostgreSQL and the workflows,
// and rows written more than once (or never).
type Verdict struct {
	Contracts  int
	Lost       []string // not in the expected state, in either place
	Disagree   []string // PostgreSQL and the workflow differ
	Duplicates []string // events, tasks, signatures or notifications written twice or missing
}

// OK reports whether nothing was lost, disputed or duplicated.
func (v Verdict) OK() bool { return len(v.Lost)+len(v.Disagree)+len(v.Duplicates) == 0 }

// expectedEvents are the events a contract driven to active records, by
// kind: the signing round records its own steps and the contract one
// signed event when the round closes.
var expectedEvents = map[string]int{
	domain.EventCreated: 1, domain.EventSubmitted: 1, domain.EventApproved: 1, domain.EventSent: 1, domain.EventSigned: 1,
}

// Verify checks contracts numbers, each driven to want (active, or draft
// for contracts only created).
func (s *Stack) Verify(ctx context.Context, numbers []string, want domain.Status) (Verdict, error) {
	v := Verdict{Contracts: len(numbers)}
	seqs := map[string]int{}
	for _, n := range numbers {
		row, err := s.Store.Contract(ctx, n)
		if err != nil {
			v.Lost = append(v.Lost, fmt.Sprintf("%s: no row: %v", n, err))
			continue
		}
		q, err := s.Temporal.QueryWorkflow(ctx, workflows.ContractWorkflowID(n), "", workflows.QueryState)
		if err != nil {
			v.Lost = append(v.Lost, fmt.Sprintf("%s: no workflow to query: %v", n, err))
			continue
		}
		var st workflows.ContractState
		if err := q.Get(&st); err != nil {
			return v, err
		}
		if st.Status != want || row.Status != want {
			v.Lost = append(v.Lost, fmt.Sprintf("%s: workflow %s, PostgreSQL %s, want %s", n, st.Status, row.Status, want))
		}
		if st.Status != row.Status || st.Version != row.Version {
			v.Disagree = append(v.Disagree, fmt.Sprintf("%s: workflow %s v%d, PostgreSQL %s v%d", n, st.Status, st.Version, row.Status, row.Version))
		}
		seqs[n] = st.EventSeq
	}
	if want != domain.StatusActive {
		return v, s.duplicates(ctx, numbers, seqs, &v, map[string]int{domain.EventCreated: 1}, 0)
	}
	return v, s.duplicates(ctx, numbers, seqs, &v, expectedEvents, Approvals)
}

// duplicates compares what PostgreSQL holds per contract with what one
// lifecycle writes: events by kind, one task per stage, one signature per
// party and one signing event per signer, and each notice once per
// recipient.
// seqs are the workflows' event counts, which PostgreSQL's must match.
func (s *Stack) duplicates(ctx context.Context, numbers []string, seqs map[string]int, v *Verdict, events map[string]int, stages int) error {
	db := s.Store.Pool()
	counts := func(sql string) (map[string]map[string]int, error) {
		rows, err := db.Query(ctx, sql, numbers)
		if err != nil {
			return nil, err
		}
		out := map[string]map[string]int{}
		defer rows.Close()
		for rows.Next() {
			var n, k string
			var c int
			if err := rows.Scan(&n, &k, &c); err != nil {
				return nil, err
			}
			if out[n] == nil {
				out[n] = map[string]int{}
			}
			out[n][k] = c
		}
		return out, rows.Err()
	}
	byKind, err := counts(`SELECT contract_number, kind, count(*)::int FROM contract_events WHERE contract_number = ANY($1) GROUP BY 1, 2`)
	if err != nil {
		return fmt.Errorf("count events: %w", err)
	}
	tasks, err := counts(`SELECT contract_number, stage::text || '/' || status, count(*)::int FROM approval_tasks WHERE contract_number = ANY($1) GROUP BY 1, 2`)
	if err != nil {
		return fmt.Errorf("count tasks: %w", err)
	}
	sigs, err := counts(`SELECT contract_number, party, count(*)::int FROM signatures WHERE contract_number = ANY($1) GROUP BY 1, 2`)
	if err != nil {
		return fmt.Errorf("count signatures: %w", err)
	}
	signed, err := counts(`SELECT contract_number, kind, count(*)::int FROM signing_events WHERE contract_number = ANY($1) AND kind = 'signed' GROUP BY 1, 2`)
	if err != nil {
		return fmt.Errorf("count signing events: %w", err)
	}
	wantTasks := map[string]int{}
	for i := 1; i <= stages; i++ {
		wantTasks[fmt.Sprintf("%d/%s", i, domain.TaskApproved)] = 1
	}
	wantSigs, wantSigned := map[string]int{}, map[string]int{}
	if stages > 0 {
		wantSigs = map[string]int{string(domain.PartyCompany): 1, string(domain.PartyCustomer): 1}
		wantSigned = map[string]int{"signed": Signers}
	}
	for _, n := range numbers {
		total := 0
		for _, c := range byKind[n] {
			total += c
		}
		if seq, ok := seqs[n]; ok && seq != total {
			v.Disagree = append(v.Disagree, fmt.Sprintf("%s: workflow recorded %d events, PostgreSQL holds %d", n, seq, total))
		}
		for what, pair := range map[string][2]map[string]int{
			"events": {byKind[n], events}, "tasks": {tasks[n], wantTasks}, "signatures": {sigs[n], wantSigs},
			"signing events": {signed[n], wantSigned},
		} {
			got := pair[0]
			if got == nil {
				got = map[string]int{}
			}
			if !maps.Equal(got, pair[1]) {
				v.Duplicates = append(v.Duplicates, fmt.Sprintf("%s %s: %v, want %v", n, what, got, pair[1]))
			}
		}
	}
	// A signer's mail (a link, a code, their turn) names no user; it is
	// keyed by its link and request, which the outbox's unique key holds
	// once.
	rows, err := db.Query(ctx, `SELECT coalesce(user_id, key) || ' ' || kind || ' ' || channel || ' ' || coalesce(message->>'link', ''), count(*)::int
		FROM notification_outbox GROUP BY 1 HAVING count(*) > 1`)
	if err != nil {
		return fmt.Errorf("count notifications: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var c int
		if err := rows.Scan(&key, &c); err != nil {
			return err
		}
		v.Duplicates = append(v.Duplicates, fmt.Sprintf("notification %s written %d times", key, c))
	}
	slices.Sort(v.Duplicates)
	return rows.Err()
}
