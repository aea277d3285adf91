package api_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/testkit/testenv"
)

type anyUser struct{}

func (anyUser) UserByToken(ctx context.Context, _ string) (domain.User, error) {
	return domain.User{ID: "demo-admin", Name: "管理员", Roles: []domain.Role{domain.RoleAdmin}}, nil
}

func (anyUser) UserBySubject(context.Context, string) (domain.User, error) {
	return domain.User{}, domain.ErrNotFound
}

// stall opens a connection, sends a request's headers promising a body,
// and sends only its first byte.
func stall(t *testing.T, addr, path string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sgt_x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", path)
	return conn
}

// Clients that send headers and stall their bodies hold connections, not
// admission slots: with twice MaxInFlight of them stalled, a normal
// request is served, and each stalled one ends with 408 once its bound
// passes.
func TestStalledBodiesDoNotLockEveryoneOut(t *testing.T) {
	srv := httptest.NewServer(api.NewRouter(api.Deps{Auth: anyUser{}, MaxInFlight: 2, BodyTimeout: 500 * time.Millisecond, Logger: testenv.Logger()}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	var stalled []net.Conn
	for range 4 {
		stalled = append(stalled, stall(t, addr, "/v1/tokens"))
	}
	stalled = append(stalled, stall(t, addr, "/sign/abc"))

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/me", nil)
	req.Header.Set("Authorization", "Bearer sgt_x")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "a normal request is served while bodies stall")

	for _, conn := range stalled {
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second)))
		answer, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err)
		answer.Body.Close()
		assert.Equal(t, http.StatusRequestTimeout, answer.StatusCode)
	}
}
