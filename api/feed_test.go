package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// newsKinds are the contract event kinds the feed carries for the
// contracts this test drives (a stage approved inside a round is not news).
var newsKinds = map[string]string{
	"created": "contract.created", "submitted": "contract.submitted", "approved": "contract.approved",
	"sent_for_signature": "contract.sent_for_signature", "invoice_recorded": "invoice.recorded",
	"payment_recorded": "payment.recorded", "cancelled": "contract.cancelled",
}

// consumer reads the feed in small pages and keeps only its cursor across
// a restart, as an integration that stores it with what it did would.
type consumer struct {
	t      *testing.T
	s      *testenv.Stack
	cursor string
	seen   []api.FeedEvent
}

func (c *consumer) page() int {
	q := url.Values{"limit": {"3"}}
	if c.cursor != "" {
		q.Set("after", c.cursor)
	}
	p := expect[api.EventPage](c.t, call(c.t, c.s, http.MethodGet, "/v1/events?"+q.Encode(), "finance", nil), http.StatusOK)
	c.seen = append(c.seen, p.Items...)
	if len(p.Items) == 0 {
		assert.Equal(c.t, c.cursor, p.NextCursor, "an empty page gives the cursor back")
	}
	c.cursor = p.NextCursor
	return len(p.Items)
}

// A consumer reading the feed in pages while contracts move concurrently,
// restarting halfway from its last cursor, sees each event once, each
// contract's in its order; a webhook subscribed to the feed gets the same
// events with the same IDs and payloads.
func TestTheChangeFeedGivesEveryEventOnceAcrossARestart(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	hook := newReceiver(t)
	expect[identity.Settings](t, call(t, s, http.MethodPut, "/v1/me/notification-settings", "finance", map[string]any{
		"targets": []any{map[string]any{"channel": "webhook", "address": hook.server.URL, "secret": hookSecret, "kinds": []string{notify.KindEvents}}},
	}), http.StatusOK)

	today := time.Now().In(s.Loc)
	d := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	var (
		mu      sync.Mutex
		numbers []string
		wg      sync.WaitGroup
	)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 3 { // one that never gets far
				n := create(t, s, newContract(3_000_00, d(0), d(200))).Contract.Number
				expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/cancel", "sales",
					map[string]any{"reason": "客户取消采购"}), http.StatusOK)
				mu.Lock()
				numbers = append(numbers, n)
				mu.Unlock()
				return
			}
			live := driveToActive(t, s, withPlan(d(0), d(365), d(30), d(300), d(60)))
			n := live.Contract.Number
			first := live.Contract.Plan[0]
			expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/invoices", "finance",
				map[string]any{"milestone_id": first.ID, "invoice_number": "FP-" + strconv.Itoa(i), "amount": 50_000_00, "issued_on": d(0)}), http.StatusOK)
			expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/payments", "finance",
				map[string]any{"milestone_id": first.ID, "amount": 20_000_00, "received_on": d(0), "method": "银行转账", "reference": "回单 " + strconv.Itoa(i)}), http.StatusOK)
			mu.Lock()
			numbers = append(numbers, n)
			mu.Unlock()
		}()
	}

	// The consumer reads while they move, restarts (a new one from the
	// stored cursor, nothing else kept), and reads on.
	first := &consumer{t: t, s: s}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for moving := true; moving && len(first.seen) < 12; {
		select {
		case <-done:
			moving = false
		default:
			if first.page() == 0 {
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
	second := &consumer{t: t, s: s, cursor: first.cursor}
	<-done

	// What each contract's own history says the feed must hold.
	want := map[string][]string{}
	total := 0
	for _, n := range numbers {
		events := expect[struct{ Items []api.Event }](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/events", "sales", nil), http.StatusOK)
		for _, e := range events.Items {
			if typ, ok := newsKinds[e.Kind]; ok {
				want[n] = append(want[n], e.ID+" "+typ)
				total++
			} else if e.Kind != "task_approved" && e.Kind != "signed" {
				t.Errorf("%s: event kind %s not expected by this test", n, e.Kind)
			}
			if e.Kind == "signed" {
				want[n] = append(want[n], e.ID+" signed")
				total++
			}
		}
	}
	require.Eventually(t, func() bool {
		second.page()
		return len(first.seen)+len(second.seen) >= total
	}, 30*time.Second, 20*time.Millisecond, "the feed holds every event")
	assert.Zero(t, second.page(), "and nothing more")

	seen := append(append([]api.FeedEvent{}, first.seen...), second.seen...)
	got := map[string][]string{}
	ids := map[string]bool{}
	for _, e := range seen {
		assert.False(t, ids[e.ID], "%s seen twice", e.ID)
		ids[e.ID] = true
		typ := string(e.Type)
		if typ == "contract.party_signed" || typ == "contract.signed" {
			typ = "signed"
		}
		got[e.Contract.Number] = append(got[e.Contract.Number], e.ID+" "+typ)
	}
	assert.Equal(t, want, got, "every contract's events, once, in its order")
	assert.NotEmpty(t, first.seen, "the first consumer read while the contracts moved")

	// A contract's payloads: the whole deal as it stood, in Chinese.
	var paid *api.FeedEvent
	for i, e := range seen {
		if e.Type == "payment.recorded" {
			paid = &seen[i]
		}
	}
	require.NotNil(t, paid)
	require.NotNil(t, paid.Payment)
	assert.Equal(t, int64(20_000_00), paid.Payment.Amount)
	assert.Equal(t, "CNY", paid.Payment.Currency)
	assert.Equal(t, "银行转账", paid.Payment.Method)
	assert.Equal(t, "active", string(paid.Contract.Status))
	assert.Equal(t, "finance", roleOf(paid.Actor.ID))

	// The webhook: the same events, the same IDs, the same objects.
	dispatch := dispatcher(s, nil)
	require.Eventually(t, func() bool {
		drain(t, dispatch)
		return len(hook.messages()) >= total
	}, 30*time.Second, 50*time.Millisecond)
	drain(t, dispatch)
	msgs := hook.messages()
	require.Len(t, msgs, total, "one delivery per event")
	byID := map[string]api.FeedEvent{}
	for _, e := range seen {
		byID[e.ID] = e
	}
	hook.mu.Lock()
	headers := append([]string(nil), hook.events...)
	hook.mu.Unlock()
	for i, m := range msgs {
		assert.Equal(t, notify.KindEvents, m.Kind)
		id, _ := m.Data["event_id"].(string)
		assert.Equal(t, id, headers[i], "X-Signet-Event")
		e, ok := byID[id]
		require.True(t, ok, "delivered %s, which the feed does not list", id)
		raw, err := json.Marshal(m.Data["event"])
		require.NoError(t, err)
		var delivered, listed map[string]any
		require.NoError(t, json.Unmarshal(raw, &delivered))
		raw, err = json.Marshal(e)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, &listed))
		assert.Equal(t, listed, delivered, id)
		assert.Contains(t, m.Subject, e.Contract.Number)
	}

	// Filters: payments only, from the start.
	pays := expect[api.EventPage](t, call(t, s, http.MethodGet, "/v1/events?type=payment.recorded,invoice.recorded", "auditor", nil), http.StatusOK)
	assert.Len(t, pays.Items, 6)
	for _, e := range pays.Items {
		assert.True(t, strings.HasPrefix(string(e.Type), "payment.") || strings.HasPrefix(string(e.Type), "invoice."), e.Type)
	}
}

// Who may read the feed, and what it refuses, naming the field.
func TestTheChangeFeedRefusesStrangersAndNonsense(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/events", "sales", nil), http.StatusForbidden)
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/events", "legal", nil), http.StatusForbidden)
	assert.Equal(t, []string{"after"}, fieldsOf(t, call(t, s, http.MethodGet, "/v1/events?after=yesterday", "finance", nil)))
	assert.Equal(t, []string{"type"}, fieldsOf(t, call(t, s, http.MethodGet, "/v1/events?type=payment.recorded,payment.made", "finance", nil)))
	assert.Equal(t, []string{"limit"}, fieldsOf(t, call(t, s, http.MethodGet, "/v1/events?limit=5000", "finance", nil)))
	empty := expect[api.EventPage](t, call(t, s, http.MethodGet, "/v1/events", "executive", nil), http.StatusOK)
	assert.Empty(t, empty.Items)
	assert.Equal(t, "", empty.NextCursor)

	hook := newReceiver(t)
	target := func(channel, address string) map[string]any {
		return map[string]any{"targets": []any{map[string]any{"channel": channel, "address": address, "secret": hookSecret, "kinds": []string{"events"}}}}
	}
	assert.Equal(t, []string{"targets[0].kinds[0]"}, fieldsOf(t, call(t, s, http.MethodPut, "/v1/me/notification-settings", "sales", target("webhook", hook.server.URL))),
		"sales may not subscribe to every contract's events")
	assert.Equal(t, []string{"targets[0].kinds[0]"}, fieldsOf(t, call(t, s, http.MethodPut, "/v1/me/notification-settings", "finance", target("email", "li.na@demo.signet.local"))),
		"the feed goes to webhooks only")
}
