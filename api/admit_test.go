package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/testkit/testenv"
)

// gatedUsers holds every token lookup until release is closed, so a test
// can keep requests in flight for as long as it likes.
type gatedUsers struct {
	entered chan struct{}
	release chan struct{}
}

func (g gatedUsers) UserByToken(ctx context.Context, _ string) (domain.User, error) {
	g.entered <- struct{}{}
	<-g.release
	return domain.User{ID: "demo-admin", Roles: []domain.Role{domain.RoleAdmin}}, nil
}

func (g gatedUsers) UserBySubject(context.Context, string) (domain.User, error) {
	return domain.User{}, domain.ErrNotFound
}

// With SIGNET_MAX_INFLIGHT requests in flight the next is refused at once
// with 429 and Retry-After, health checks still answer, and a slot frees
// as soon as a request ends.
func TestInFlightLimitAnswers429(t *testing.T) {
	g := gatedUsers{entered: make(chan struct{}, 2), release: make(chan struct{})}
	srv := httptest.NewServer(api.NewRouter(api.Deps{Auth: g, MaxInFlight: 2, Logger: testenv.Logger()}))
	defer srv.Close()
	get := func(path string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer sgt_x")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	done := make(chan int, 2)
	for range 2 {
		go func() { done <- get("/v1/me").StatusCode }()
	}
	<-g.entered
	<-g.entered

	refused := get("/v1/me")
	assert.Equal(t, http.StatusTooManyRequests, refused.StatusCode)
	assert.Equal(t, "1", refused.Header.Get("Retry-After"))
	assert.Equal(t, http.StatusOK, get("/healthz").StatusCode, "health checks are never refused")

	close(g.release)
	for range 2 {
		assert.Equal(t, http.StatusOK, <-done)
	}
	assert.Equal(t, http.StatusOK, get("/v1/me").StatusCode, "slots are given back")
}
