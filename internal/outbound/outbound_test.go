package outbound_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/outbound"
)

func TestGuardRefusesInternalRanges(t *testing.T) {
	prod := outbound.Guard{}
	for ip, want := range map[string]bool{
		"93.184.216.34": true, "2606:4700::6810:85e5": true, "8.8.8.8": true,
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "fd00:ec2::254": false, "fe80::1": false, "100.64.0.1": false,
		"0.0.0.0": false, "::": false, "224.0.0.1": false, "255.255.255.255": false, "::ffff:127.0.0.1": false,
		"::ffff:10.0.0.1": false, "64:ff9b::a00:1": false, "198.18.0.1": false,
	} {
		assert.Equal(t, want, prod.Permits(netip.MustParseAddr(ip)), ip)
	}
	dev := outbound.Guard{AllowLoopback: true}
	assert.True(t, dev.Permits(netip.MustParseAddr("127.0.0.1")))
	assert.False(t, dev.Permits(netip.MustParseAddr("10.1.2.3")), "the development setting opens loopback only")
	op := outbound.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}}
	assert.True(t, op.Permits(netip.MustParseAddr("10.1.2.3")), "an operator may name a private network")
	assert.False(t, op.Permits(netip.MustParseAddr("10.2.0.1")))
}

func TestCheckURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://hooks.example.com/x": true, "https://93.184.216.34/x": true,
		"http://hooks.example.com/x": false, "https://127.0.0.1/x": false, "http://127.0.0.1:8080/x": false,
		"https://localhost/x": false, "https://169.254.169.254/": false, "https://u:p@example.com/": false,
		"ftp://example.com/": false, "not a url": false, "https:///x": false,
	} {
		assert.Equal(t, ok, outbound.Guard{}.CheckURL(raw) == nil, raw)
	}
	dev := outbound.Guard{AllowLoopback: true}
	assert.NoError(t, dev.CheckURL("http://127.0.0.1:8080/x"))
	assert.NoError(t, dev.CheckURL("http://localhost:8080/x"))
	assert.Error(t, dev.CheckURL("http://example.com/x"), "plain http only to loopback")
}

// The check is on the address dialled: a name that resolves to loopback
// is refused as the IP itself is, so DNS cannot smuggle a call inside.
func TestClientChecksTheDialledAddress(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits++ }))
	t.Cleanup(srv.Close)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	prod := outbound.Guard{}.Client(5 * time.Second)
	for _, u := range []string{srv.URL, "http://localhost:" + port, "https://localhost:" + port} {
		_, err := prod.Get(u)
		require.Error(t, err, u)
		assert.ErrorIs(t, err, outbound.ErrBlocked, u)
		assert.Equal(t, "address not allowed", outbound.Describe(err))
	}
	assert.Zero(t, hits)

	dev := outbound.Guard{AllowLoopback: true}.Client(5 * time.Second)
	resp, err := dev.Get("http://localhost:" + port)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 1, hits)
}

func TestClientFollowsNoRedirect(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "inside") }))
	t.Cleanup(target.Close)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirect.Close)
	_, err := outbound.Guard{AllowLoopback: true}.Client(5 * time.Second).Get(redirect.URL)
	assert.ErrorIs(t, err, outbound.ErrRedirect)
	assert.NotContains(t, outbound.Describe(err), "127.0.0.1")
}
