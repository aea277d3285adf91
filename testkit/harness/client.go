package harness

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signet-clm/signet/internal/devstack"
)

// Recorder keeps every API answer: latency per operation and a tally of
// statuses, with the ones a client must never see (anything 5xx but a 503
// carrying Retry-After, and requests that hung or failed in transport).
type Recorder struct {
	mu        sync.Mutex
	latencies map[string][]time.Duration
	statuses  map[int]int
	bad       []string
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder {
	return &Recorder{latencies: map[string][]time.Duration{}, statuses: map[int]int{}}
}

func (r *Recorder) record(op string, d time.Duration, status int, header http.Header, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil:
		r.statuses[0]++
		r.bad = append(r.bad, fmt.Sprintf("%s: no answer: %v", op, err))
		return
	case status >= 500 && !(status == http.StatusServiceUnavailable && header.Get("Retry-After") != ""):
		r.bad = append(r.bad, fmt.Sprintf("%s: %d (Retry-After %q)", op, status, header.Get("Retry-After")))
	}
	r.statuses[status]++
	if status < 300 {
		r.latencies[op] = append(r.latencies[op], d)
	}
}

// Latencies returns the successful calls' latencies of op, sorted.
func (r *Recorder) Latencies(op string) []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := slices.Clone(r.latencies[op])
	slices.Sort(l)
	return l
}

// Ops lists the operations seen, sorted.
func (r *Recorder) Ops() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ops []string
	for op := range r.latencies {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	return ops
}

// Statuses returns how many answers had each status (0: none came).
func (r *Recorder) Statuses() map[int]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := make(map[int]int, len(r.statuses))
	for k, v := range r.statuses {
		m[k] = v
	}
	return m
}

// Bad returns the answers no client should ever get.
func (r *Recorder) Bad() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.bad)
}

// Quantile returns the q-quantile of sorted latencies.
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(q*float64(len(sorted)-1))]
}

// Client calls the API as the demo users, recording every answer, and
// reads signers' mail. With several API processes it spreads its requests
// over them round-robin, request by request (a retry too may land on
// another), as a load balancer in front of replicas would.
type Client struct {
	bases  []string
	next   atomic.Uint64
	tokens map[string]string
	http   *http.Client
	mail   *devstack.MailCatcher
	Rec    *Recorder
	// Patience bounds how long one call keeps retrying 503s and 429s.
	Patience time.Duration
}

// NewClient calls s's API processes running now. timeout is the most one
// request may take before it counts as hung; keep it above the API's own
// request timeout.
func (s *Stack) NewClient(timeout time.Duration) *Client {
	return &Client{
		bases:    s.runningAPIs(),
		tokens:   s.Tokens,
		http:     &http.Client{Timeout: timeout, Transport: &http.Transport{MaxIdleConnsPerHost: 256}},
		mail:     s.Mail,
		Rec:      NewRecorder(),
		Patience: 5 * time.Minute,
	}
}

// base picks the next API process, round-robin.
func (c *Client) base() string {
	return c.bases[(c.next.Add(1)-1)%uint64(len(c.bases))]
}

// APIs is how many API processes c spreads its requests over.
func (c *Client) APIs() int { return len(c.bases) }

// ErrRefused is an answer the lifecycle did not expect (a 4xx other than
// 429); the caller decides whether it is a failure.
var ErrRefused = errors.New("refused")

// Once sends one request as role ("" for none) and records its answer under op.
func (c *Client) Once(ctx context.Context, op, method, path, role string, body any, headers map[string]string) (int, http.Header, []byte, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base()+path, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if role != "" { // the public signing routes take no token
		req.Header.Set("Authorization", "Bearer "+c.tokens[role])
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			c.Rec.record(op, time.Since(start), 0, nil, err)
		}
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	c.Rec.record(op, time.Since(start), resp.StatusCode, resp.Header, err)
	return resp.StatusCode, resp.Header, raw, err
}

// Call sends a request and retries it, with the same X-Request-ID (the
// Update ID of a decision) and Idempotency-Key, while the API answers 503
// or 429, waiting as Retry-After says. It returns a 2xx answer's body.
func (c *Client) Call(ctx context.Context, op, method, path, role string, body any) ([]byte, error) {
	id := newID()
	headers := map[string]string{"X-Request-ID": id, "Idempotency-Key": id}
	deadline := time.Now().Add(c.Patience)
	for {
		status, header, raw, err := c.Once(ctx, op, method, path, role, body, headers)
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case err == nil && status < 300:
			return raw, nil
		case err == nil && status != http.StatusServiceUnavailable && status != http.StatusTooManyRequests:
			return raw, fmt.Errorf("%s %s: %w: %d %s", method, path, ErrRefused, status, raw)
		case time.Now().After(deadline):
			return nil, fmt.Errorf("%s %s: still failing after %s: status %d, err %v", method, path, c.Patience, status, err)
		}
		wait := time.Second
		if header != nil {
			if s, perr := strconv.Atoi(header.Get("Retry-After")); perr == nil && s > 0 {
				wait = time.Duration(s) * time.Second
			}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
