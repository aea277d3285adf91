package pdfsig

import (
	"bytes"
	"context"
	"crypto"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/digitorus/timestamp"
)

// Timestamps is an RFC 3161 time-stamping authority (SIGNET_PDF_TSA_URL):
// each signature then carries the authority's token over it, so when it
// was made rests on the authority, not on Signet's clock.
type Timestamps struct {
	URL string
	// Client is the guarded outbound client (internal/outbound): the
	// authority is reached through it like every other server.
	Client *http.Client
}

// NewTimestamps is the authority at url reached through client, the
// guarded one; nil when url is empty (no time-stamps).
func NewTimestamps(url string, client *http.Client) *Timestamps {
	if url == "" {
		return nil
	}
	return &Timestamps{URL: url, Client: client}
}

// ErrTimestamp: the authority gave no token; signing can be retried.
var ErrTimestamp = errors.New("the time-stamping authority gave no token")

// The most a time-stamp request or reply may be; real ones are a few KB.
const maxTimestampBytes = 64 << 10

// relay serves pdfsign's time-stamp request on a loopback address for the
// length of one signing and passes it on through ts.Client: the library
// dials the URL it is given with a plain client of its own, which would
// step around the outbound guard. The authority's failures reach nobody
// but the log (no body is echoed); ErrTimestamp is what Sign returns.
func (ts *Timestamps) relay() (url string, failed func() error, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, nil, fmt.Errorf("time-stamp relay: %w", err)
	}
	var mu sync.Mutex
	var last error
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxTimestampBytes))
		if err == nil {
			body, err = ts.ask(r.Context(), body)
		}
		if err != nil {
			mu.Lock()
			last = err
			mu.Unlock()
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		_, _ = w.Write(body)
	})}
	go func() { _ = srv.Serve(ln) }()
	failed = func() error {
		mu.Lock()
		defer mu.Unlock()
		return last
	}
	return "http://" + ln.Addr().String() + "/", failed, func() { _ = srv.Close() }, nil
}

// ask sends one time-stamp request to the authority.
func (ts *Timestamps) ask(ctx context.Context, query []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL, bytes.NewReader(query))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/timestamp-query")
	resp, err := ts.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("the authority answered %d", resp.StatusCode)
	}
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxTimestampBytes+1))
	if err != nil {
		return nil, err
	}
	if len(reply) > maxTimestampBytes {
		return nil, errors.New("the authority's reply is too large")
	}
	if _, err := timestamp.ParseResponse(reply); err != nil {
		return nil, fmt.Errorf("the authority's reply is no time-stamp: %w", err)
	}
	return reply, nil
}

// oidTimeStampToken is id-aa-timeStampToken (RFC 3161 appendix A), the
// unsigned attribute of a signer info that holds its token.
var oidTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}

// Stamp is a signature's time-stamp as Verify found it.
type Stamp struct {
	At        time.Time
	Authority string // the authority's certificate's common name, if it sent one
	// Valid: the token is signed and its imprint is this signature's.
	Valid   bool
	Problem string
}

// stampOf checks the time-stamp token over the signature value sig.
func stampOf(token, sig []byte) *Stamp {
	ts, err := timestamp.Parse(token)
	if err != nil {
		return &Stamp{Problem: "its time-stamp token does not verify: " + err.Error()}
	}
	st := &Stamp{At: ts.Time.UTC()}
	if len(ts.Certificates) > 0 {
		st.Authority = ts.Certificates[0].Subject.CommonName
	}
	if ts.HashAlgorithm == crypto.Hash(0) || !ts.HashAlgorithm.Available() {
		st.Problem = "its time-stamp uses an unknown digest"
		return st
	}
	h := ts.HashAlgorithm.New()
	h.Write(sig)
	if !bytes.Equal(h.Sum(nil), ts.HashedMessage) {
		st.Problem = "its time-stamp is over another signature"
		return st
	}
	st.Valid = true
	return st
}
