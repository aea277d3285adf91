package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
)

// BenchmarkAuditedWrites is the audit trail's ceiling: audited writes/s
// (a user saved and its entry chained, one transaction each) with 1, 4
// and 16 writers, each write about an object of its own —
//   - chained: as Signet writes them, each on its object's chain;
//   - one chain: objects picked so that all go on one chain, which is
//     what every write did when the trail was a single chain;
//   - unchained: the same user row and an entry of the same size in a
//     plain table, without chaining, lock or head read;
//   - chained_hold and one_chain_hold: an entry whose transaction stays
//     open 2 ms after it (the rest of a real write's work), so the chain's
//     lock is held that long: how far the chains let writers overlap when
//     the lock, not the CPU, is what they wait for.
func BenchmarkAuditedWrites(b *testing.B) {
	st := open(b)
	ctx := context.Background()
	_, err := st.Pool().Exec(ctx, `CREATE TABLE bench_plain_audit (seq bigserial PRIMARY KEY, content text NOT NULL)`)
	require.NoError(b, err)
	run := 0
	oneChain := func(kind string, n int) []string { // object IDs whose entries all go on chain 0
		ids := make([]string, 0, n)
		for i := 0; len(ids) < n; i++ {
			if id := fmt.Sprintf("one-%d-%d", run, i); audit.ChainOf(kind, id) == 0 {
				ids = append(ids, id)
			}
		}
		return ids
	}
	write := map[string]func(id string) error{
		"chained":        func(id string) error { return st.UpsertUser(ctx, benchUser(id)) },
		"one_chain":      func(id string) error { return st.UpsertUser(ctx, benchUser(id)) },
		"chained_hold":   func(id string) error { return st.AuditedWithHold(ctx, id, 2*time.Millisecond) },
		"one_chain_hold": func(id string) error { return st.AuditedWithHold(ctx, id, 2*time.Millisecond) },
		"unchained": func(id string) error {
			u := benchUser(id)
			content, _ := json.Marshal(audit.Entry{ActorID: "system", Action: "user.saved", ObjectType: "user", ObjectID: id, At: time.Now()})
			return pgx.BeginFunc(ctx, st.Pool(), func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `INSERT INTO users (id, name, email, roles) VALUES ($1, $2, $3, $4)
					ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, roles = EXCLUDED.roles`,
					u.ID, u.Name, u.Email, u.Roles); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, `INSERT INTO bench_plain_audit (content) VALUES ($1)`, string(content))
				return err
			})
		},
	}
	for _, mode := range []string{"chained", "one_chain", "unchained", "chained_hold", "one_chain_hold"} {
		for _, writers := range []int{1, 4, 16} {
			b.Run(fmt.Sprintf("%s/writers=%d", mode, writers), func(b *testing.B) {
				run++
				ids := make([]string, b.N)
				switch mode {
				case "one_chain":
					ids = oneChain("user", b.N)
				case "one_chain_hold":
					ids = oneChain("bench", b.N)
				default:
					for i := range ids {
						ids[i] = fmt.Sprintf("%s-%d-%d", mode, run, i)
					}
				}
				var wg sync.WaitGroup
				errs := make(chan error, writers)
				b.ResetTimer()
				start := time.Now()
				for w := range writers {
					wg.Go(func() {
						for i := w; i < len(ids); i += writers {
							if err := write[mode](ids[i]); err != nil {
								errs <- err
								return
							}
						}
					})
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				close(errs)
				for err := range errs {
					b.Fatal(err)
				}
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "writes/s")
			})
		}
	}
}

func benchUser(id string) domain.User {
	return domain.User{ID: id, Name: "压测用户 " + id, Email: id + "@example.cn", Roles: []domain.Role{domain.RoleSales}}
}
