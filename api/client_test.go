package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/signet-clm/signet/testkit/testenv"
)

// response is what a client saw.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// call sends one request as the holder of role's token ("" for none). body
// is JSON-encoded unless it is a string, which is sent as is.
func call(t testing.TB, s *testenv.Stack, method, path, role string, body any, headers ...string) response {
	t.Helper()
	r, err := send(s, method, path, role, body, headers...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// send is call without a test to fail, for benchmark goroutines.
func send(s *testenv.Stack, method, path, role string, body any, headers ...string) (response, error) {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return response{}, err
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "signet-integration-test/1.0")
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+s.Tokens[role])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: raw}, nil
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

// expect fails t unless the response has the wanted status, then decodes
// the body into a T.
func expect[T any](t testing.TB, r response, status int) T {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, r.Body, err)
	}
	return v
}
