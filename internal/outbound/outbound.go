// Package outbound is the one HTTP client Signet calls other servers with
// when a user chose the address (webhooks, WeCom and DingTalk robots) or an
// operator did (the OIDC issuer). A user-chosen address must not turn the
// server into a way into its own network, so the client
//   - speaks https, and plain http only to loopback when a development
//     setting allows it;
//   - checks the IP address it actually dials, after DNS, so a name that
//     resolves (or re-resolves) to an internal address is refused;
//   - follows no redirects and uses no proxy from the environment;
//   - never hands a remote body back in an error: only a status and a
//     category reach the user.
package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrBlocked is an address the guard refuses to reach.
var ErrBlocked = errors.New("address not allowed")

// Guard says what outbound calls may reach.
type Guard struct {
	// AllowLoopback lets calls reach loopback addresses, over http or
	// https: for development and tests only (SIGNET_OUTBOUND_ALLOW_LOOPBACK).
	AllowLoopback bool
	// Allow are networks an operator names as reachable although they are
	// private, such as an on-premises identity provider
	// (SIGNET_OUTBOUND_ALLOW, comma-separated CIDRs).
	Allow []netip.Prefix
}

// special are ranges no user-chosen address may reach besides loopback,
// private (RFC 1918, ULA) and link-local, which netip reports itself.
var special = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",       // "this network"
		"100.64.0.0/10",   // carrier-grade NAT
		"192.0.0.0/24",    // IETF protocol assignments
		"192.0.2.0/24",    // documentation
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // documentation
		"203.0.113.0/24",  // documentation
		"240.0.0.0/4",     // reserved, broadcast
		"64:ff9b::/96",    // NAT64: embeds an IPv4 address
		"64:ff9b:1::/48",  // local-use NAT64
		"100::/64",        // discard
		"2001:db8::/32",   // documentation
		"2002::/16",       // 6to4: embeds an IPv4 address
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// Permits reports whether the guard lets a call reach ip.
func (g Guard) Permits(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range g.Allow {
		if p.Contains(ip) {
			return true
		}
	}
	if ip.IsLoopback() {
		return g.AllowLoopback
	}
	if !ip.IsGlobalUnicast() || ip.IsPrivate() {
		return false // link-local (cloud metadata), multicast, unspecified, RFC 1918, ULA
	}
	for _, p := range special {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// CheckURL says what is wrong with an address a user wants called, as a
// message for the field: it must be https (http only to loopback under
// the development setting), name a host, carry no credentials, and not be
// an address the guard refuses. A host name is checked again on every
// call, at the address it then resolves to.
func (g Guard) CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return errors.New("must be an https URL")
	}
	if u.User != nil {
		return errors.New("must not carry a user name or password")
	}
	host := u.Hostname()
	ip, literal := parseHost(host)
	switch u.Scheme {
	case "https":
	case "http":
		if !g.AllowLoopback || !(host == "localhost" || (literal && ip.IsLoopback())) {
			return errors.New("must be an https URL")
		}
	default:
		return errors.New("must be an https URL")
	}
	if literal && !g.Permits(ip) {
		return errors.New("must not point at a loopback, private, link-local or reserved address")
	}
	if !literal && (host == "localhost" || strings.HasSuffix(host, ".localhost")) && !g.AllowLoopback {
		return errors.New("must not point at a loopback, private, link-local or reserved address")
	}
	return nil
}

func parseHost(host string) (netip.Addr, bool) {
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return ip, err == nil
}

type plainKey struct{}

// Client is an HTTP client that only dials what the guard permits. timeout
// bounds each call from dial to the last byte of the answer.
func (g Guard) Client(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: min(timeout, 10*time.Second), KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy: nil, // a proxy would dial for us, past the check
		DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
			plain, _ := ctx.Value(plainKey{}).(bool)
			d := *dialer
			d.Control = func(_, address string, _ syscall.RawConn) error {
				host, _, err := net.SplitHostPort(address)
				if err != nil {
					return err
				}
				ip, ok := parseHost(host)
				switch {
				case !ok:
					return fmt.Errorf("%w: %s", ErrBlocked, host)
				case plain && !ip.IsLoopback():
					return fmt.Errorf("%w: plain http only to loopback", ErrBlocked)
				case !g.Permits(ip):
					return fmt.Errorf("%w: %s", ErrBlocked, ip)
				}
				return nil
			}
			return d.DialContext(ctx, network, address)
		},
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
		MaxIdleConns:          50,
		IdleConnTimeout:       90 * time.Second,
	}
	return &http.Client{
		Timeout:   timeout,
		Transport: schemeCheck{g: g, next: transport},
		// A redirect is how an allowed host points a call at a refused one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return ErrRedirect },
	}
}

// ErrRedirect is an answer that tried to send the call elsewhere.
var ErrRedirect = errors.New("redirects are not followed")

// schemeCheck refuses plain http unless loopback is allowed, and marks
// plain requests so the dialer accepts only loopback for them.
type schemeCheck struct {
	g    Guard
	next http.RoundTripper
}

func (s schemeCheck) RoundTrip(r *http.Request) (*http.Response, error) {
	switch r.URL.Scheme {
	case "https":
		return s.next.RoundTrip(r)
	case "http":
		if !s.g.AllowLoopback {
			return nil, fmt.Errorf("%w: plain http", ErrBlocked)
		}
		return s.next.RoundTrip(r.WithContext(context.WithValue(r.Context(), plainKey{}, true)))
	default:
		return nil, fmt.Errorf("%w: scheme %q", ErrBlocked, r.URL.Scheme)
	}
}

// Describe is what a failed call may tell the user: a category, never
// what the remote end sent or which internal address was refused.
func Describe(err error) string {
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrBlocked):
		return "address not allowed"
	case errors.Is(err, ErrRedirect):
		return "receiver redirected; redirects are not followed"
	case errors.As(err, &dnsErr):
		return "host not found"
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return "timed out"
	case strings.Contains(err.Error(), "tls:") || strings.Contains(err.Error(), "x509:"):
		return "TLS handshake failed"
	default:
		return "connection failed"
	}
}
