package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/notify/notifytest"
	"github.com/signet-clm/signet/internal/outbound"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/worker"
	"github.com/signet-clm/signet/workflows"
)

const hookSecret = "s3cr3t-签名"

// receiver is a webhook endpoint that checks each delivery's signature and
// keeps what arrived. fail answers that status instead while it is set;
// hold, while set, blocks a request until its sender gives up.
type receiver struct {
	t      *testing.T
	mu     sync.Mutex
	got    []notify.Message
	ids    []string
	events []string // X-Signet-Event of each delivery that arrived
	fail   int
	hold   bool
	server *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t}
	r.server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.server.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return
	}
	ts, _ := strconv.ParseInt(req.Header.Get("X-Signet-Timestamp"), 10, 64)
	assert.Equal(r.t, notify.SignWebhook(hookSecret, ts, body), req.Header.Get("X-Signet-Signature"), "signature")
	r.mu.Lock()
	hold, fail := r.hold, r.fail
	r.ids = append(r.ids, req.Header.Get("X-Signet-Delivery"))
	r.mu.Unlock()
	if hold {
		<-req.Context().Done()
		return
	}
	if fail != 0 {
		w.WriteHeader(fail)
		return
	}
	var m notify.Message
	require.NoError(r.t, json.Unmarshal(body, &m))
	r.mu.Lock()
	r.got = append(r.got, m)
	r.events = append(r.events, req.Header.Get("X-Signet-Event"))
	r.mu.Unlock()
}

func (r *receiver) set(fail int, hold bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail, r.hold = fail, hold
}

func (r *receiver) messages() []notify.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]notify.Message(nil), r.got...)
}

func dispatcher(s *testenv.Stack, smtp *notifytest.SMTPServer) *notify.Dispatcher {
	// The guarded client the worker uses, under the development setting
	// that lets it reach these tests' loopback receivers.
	senders := map[string]notify.Sender{notify.ChannelWebhook: notify.NewWebhook(outbound.Guard{AllowLoopback: true}.Client(5 * time.Second))}
	if smtp != nil {
		senders[notify.ChannelEmail] = notify.NewEmail(notify.SMTPConfig{Addr: smtp.Addr(), From: "signet@test.local"})
	}
	d := notify.NewDispatcher(s.Store, senders, "https://signet.example", slog.New(slog.NewTextHandler(io.Discard, nil)))
	d.Backoff = []time.Duration{0, 0}
	d.Lease = 300 * time.Millisecond
	d.SendTimeout = 5 * time.Second
	return d
}

// taskForHook has the sales manager hear kinds (all when none) on hook,
// then submits a contract that opens a task for them; it returns the
// contract's number.
func taskForHook(t *testing.T, s *testenv.Stack, hook *receiver, kinds ...string) string {
	t.Helper()
	target := map[string]any{"channel": "webhook", "address": hook.server.URL, "secret": hookSecret, "kinds": kinds}
	expect[identity.Settings](t, call(t, s, http.MethodPut, "/v1/me/notification-settings", "sales_manager",
		map[string]any{"targets": []any{target}}), http.StatusOK)
	n := create(t, s, newContract(8_000_00, "2026-01-01", "2026-12-31")).Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	waitTask(t, s, "sales_manager", n)
	return n
}

// drain runs the dispatcher until the outbox has nothing due.
func drain(t *testing.T, d *notify.Dispatcher) {
	t.Helper()
	for {
		n, err := d.Drain(context.Background())
		require.NoError(t, err)
		if n == 0 {
			return
		}
	}
}

// A task that opens reaches its approver by webhook and by email, once,
// signed, in Chinese, with a link; a contract's news reaches its owner.
func TestNotificationsReachPeopleOnce(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	hook := newReceiver(t)
	smtp := notifytest.NewSMTPServer(t)
	settings := expect[identity.Settings](t, call(t, s, http.MethodPut, "/v1/me/notification-settings", "sales_manager", map[string]any{
		"targets": []map[string]any{
			{"channel": "webhook", "address": hook.server.URL, "secret": hookSecret},
			{"channel": "email", "address": "li.na@demo.signet.local", "kinds": []string{"task.open"}},
		},
	}), http.StatusOK)
	assert.Empty(t, settings.Targets[0].Secret, "secrets are never shown")
	got := expect[identity.Settings](t, call(t, s, http.MethodGet, "/v1/me/notification-settings", "sales_manager", nil), http.StatusOK)
	assert.False(t, got.Default)
	assert.Len(t, got.Targets, 2)
	expect[identity.Settings](t, call(t, s, http.MethodPut, "/v1/me/notification-settings", "sales", map[string]any{
		"targets": []map[string]any{{"channel": "webhook", "address": hook.server.URL, "secret": hookSecret}},
	}), http.StatusOK)

	state := create(t, s, newContract(8_000_00, "2026-01-01", "2026-12-31"))
	n := state.Contract.Number
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
	task := waitTask(t, s, "sales_manager", n)

	d := dispatcher(s, smtp)
	drain(t, d)
	drain(t, d)
	msgs := hook.messages()
	require.Len(t, msgs, 1, "one task, one webhook delivery")
	assert.Equal(t, notify.KindTaskOpen, msgs[0].Kind)
	assert.Contains(t, msgs[0].Subject, "待审批："+n)
	assert.Contains(t, msgs[0].Text, "上海")
	assert.Equal(t, "https://signet.example/tasks/"+task.ID, msgs[0].Link, "the console's task page")
	mails := smtp.Messages()
	require.Len(t, mails, 1)
	assert.Equal(t, []string{"li.na@demo.signet.local"}, mails[0].To)
	assert.Contains(t, mails[0].Subject, "待审批："+n)
	assert.Contains(t, mails[0].Body, task.ID)

	// The owner hears of the approval; the approver, who acted, does not.
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/tasks/"+task.ID+"/decision", "sales_manager",
		map[string]any{"decision": "approve", "opinion": "同意"}), http.StatusOK)
	require.Eventually(t, func() bool {
		drain(t, d)
		return len(hook.messages()) == 2
	}, 10*time.Second, 50*time.Millisecond)
	news := hook.messages()[1]
	assert.Equal(t, "contract.approved", news.Kind)
	assert.Contains(t, news.Text, "审批通过")
	assert.Len(t, smtp.Messages(), 1, "the email target takes task.open only")

	mine := expect[struct{ Items []store.OutboxEntry }](t, call(t, s, http.MethodGet, "/v1/notifications", "sales_manager", nil), http.StatusOK)
	require.Len(t, mine.Items, 2)
	for _, e := range mine.Items {
		assert.Equal(t, "sent", e.Status, e.Key)
	}
}

// A dispatcher that dies mid-send leaves its lease to run out; the next one
// delivers the same delivery ID, so the receiver keeps exactly one.
func TestNotificationSurvivesADispatcherDyingMidSend(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	hook := newReceiver(t)
	taskForHook(t, s, hook)

	hook.set(0, true)
	ctx, kill := context.WithCancel(context.Background())
	first := dispatcher(s, nil)
	done := make(chan error, 1)
	go func() { _, err := first.Drain(ctx); done <- err }()
	require.Eventually(t, func() bool { hook.mu.Lock(); defer hook.mu.Unlock(); return len(hook.ids) == 1 }, 10*time.Second, 10*time.Millisecond)
	kill()
	require.ErrorIs(t, <-done, context.Canceled)
	hook.set(0, false)

	second := dispatcher(s, nil)
	n2, err := second.Drain(context.Background())
	require.NoError(t, err)
	assert.Zero(t, n2, "the dead dispatcher's lease still holds the delivery")
	time.Sleep(400 * time.Millisecond)
	drain(t, second)
	drain(t, second)
	require.Len(t, hook.messages(), 1)
	hook.mu.Lock()
	assert.Equal(t, []string{hook.ids[0], hook.ids[0]}, hook.ids, "the retry carries the first attempt's delivery ID")
	hook.mu.Unlock()
}

// A receiver that keeps failing turns the delivery into a dead letter an
// admin reads and retries; bad settings are refused field by field.
func TestDeadLettersAndBadSettings(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	hook := newReceiver(t)
	for _, tc := range []struct {
		target map[string]any
		field  string
	}{
		{map[string]any{"channel": "sms", "address": "13800000000"}, "targets[0].channel"},
		{map[string]any{"channel": "webhook", "address": hook.server.URL}, "targets[0].secret"},
		{map[string]any{"channel": "email", "address": "张伟 <zhang@example.com>"}, "targets[0].address"},
		{map[string]any{"channel": "wecom", "address": "javascript:alert(1)"}, "targets[0].address"},
		{map[string]any{"channel": "email", "address": "a@b.c", "kinds": []string{"everything"}}, "targets[0].kinds[0]"},
		{map[string]any{"channel": "email", "address": strings.Repeat("x", 600) + "@b.c"}, "targets[0].address"},
	} {
		r := call(t, s, http.MethodPut, "/v1/me/notification-settings", "sales_manager", map[string]any{"targets": []any{tc.target}})
		assert.Equal(t, []string{tc.field}, fieldsOf(t, r), "%v", tc.target)
	}
	assert.True(t, expect[identity.Settings](t, call(t, s, http.MethodGet, "/v1/me/notification-settings", "sales_manager", nil), http.StatusOK).Default,
		"nothing was saved")

	taskForHook(t, s, hook)

	hook.set(http.StatusServiceUnavailable, false)
	d := dispatcher(s, nil)
	drain(t, d) // first attempt and both retries (no backoff in tests)
	dead := expect[struct{ Items []store.OutboxEntry }](t, call(t, s, http.MethodGet, "/v1/notifications/dead-letters", "admin", nil), http.StatusOK)
	require.Len(t, dead.Items, 1)
	assert.Equal(t, 3, dead.Items[0].Attempts)
	assert.Contains(t, dead.Items[0].LastError, "503")
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/notifications/dead-letters", "sales_manager", nil), http.StatusForbidden)
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/notifications/"+dead.Items[0].ID+"/retry", "sales_manager", nil), http.StatusForbidden)
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/notifications/01960000-0000-7000-8000-0000000000ee/retry", "admin", nil), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/notifications/'%3B%20DROP%20TABLE%20users--/retry", "admin", nil), http.StatusNotFound)

	hook.set(0, false)
	retried := expect[store.OutboxEntry](t, call(t, s, http.MethodPost, "/v1/notifications/"+dead.Items[0].ID+"/retry", "admin", nil), http.StatusOK)
	assert.Equal(t, "pending", retried.Status)
	drain(t, d)
	require.Len(t, hook.messages(), 1)
	assert.Equal(t, dead.Items[0].Key, hook.messages()[0].ID)
	expect[errorBody](t, call(t, s, http.MethodPost, "/v1/notifications/"+dead.Items[0].ID+"/retry", "admin", nil), http.StatusConflict)
}

// Two workers running the morning digest at once send each person one.
func TestDailyDigestOncePerPersonAndDay(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	hook := newReceiver(t)
	n := taskForHook(t, s, hook, "digest")

	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dig := &worker.Digester{Store: s.Store, Location: s.Loc, Logger: logger}
			_, err := dig.Run(context.Background(), time.Now())
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	drain(t, dispatcher(s, nil))
	msgs := hook.messages()
	require.Len(t, msgs, 1, "one digest, however many workers ran it")
	assert.Equal(t, notify.KindDigest, msgs[0].Kind)
	assert.Contains(t, msgs[0].Subject, "1 项待审批")
	assert.Contains(t, msgs[0].Text, n)
}
