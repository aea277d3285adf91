package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/store"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// TestNotificationTargetsCannotReachInside: a user may not save a webhook
// aimed at the server's own network, a receiver cannot redirect a delivery
// there, and what a receiver answers never comes back to the user: the
// delivery's last error is a status and a category.
func TestNotificationTargetsCannotReachInside(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	save := func(address string) response {
		return call(t, s, http.MethodPut, "/v1/me/notification-settings", "sales_manager", map[string]any{
			"targets": []map[string]any{{"channel": "webhook", "address": address, "secret": hookSecret}}})
	}
	for _, address := range []string{
		"https://169.254.169.254/latest/meta-data/", "https://10.0.0.8/hook", "https://[fd00:ec2::254]/", "https://100.64.1.1/",
		"https://[::ffff:192.168.1.1]/", "http://example.com/hook", "ftp://example.com/", "https://user:pw@example.com/hook",
	} {
		assert.Equal(t, []string{"targets[0].address"}, fieldsOf(t, save(address)), address)
	}

	var inside atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		inside.Add(1)
		fmt.Fprint(w, `{"errcode":0,"secret":"INTERNAL-ONLY-DATA"}`)
	}))
	t.Cleanup(internal.Close)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL+"/admin", http.StatusFound)
	}))
	t.Cleanup(redirector.Close)
	chatty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, "stack trace: db password=hunter2")
	}))
	t.Cleanup(chatty.Close)

	for _, tc := range []struct {
		url, want, hidden string
	}{
		{redirector.URL, "redirects are not followed", "INTERNAL-ONLY-DATA"},
		{chatty.URL, "receiver answered 400", "hunter2"},
	} {
		expect[identity.Settings](t, save(tc.url), http.StatusOK)
		n := create(t, s, newContract(8_000_00, "2026-01-01", "2026-12-31")).Contract.Number
		expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/submit", "sales", nil), http.StatusOK)
		waitTask(t, s, "sales_manager", n)
		drain(t, dispatcher(s, nil))
		mine := expect[struct{ Items []store.OutboxEntry }](t, call(t, s, http.MethodGet, "/v1/notifications", "sales_manager", nil), http.StatusOK)
		var entry *store.OutboxEntry
		for i, e := range mine.Items {
			if e.Address == tc.url {
				entry = &mine.Items[i]
			}
		}
		require.NotNil(t, entry, "a delivery to %s", tc.url)
		assert.Equal(t, "dead", entry.Status, "a refusal retrying cannot mend is not retried")
		assert.Contains(t, entry.LastError, tc.want)
		assert.False(t, strings.Contains(entry.LastError, tc.hidden), "the receiver's answer is not echoed: %q", entry.LastError)
	}
	assert.Zero(t, inside.Load(), "the redirect was not followed")
}
