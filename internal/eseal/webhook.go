package eseal

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Errors returned (wrapped with detail) by VerifyWebhook.
var (
	ErrWebhookSignature = errors.New("signing: webhook signature invalid")
	ErrWebhookStale     = errors.New("signing: webhook timestamp outside allowed window")
)

const webhookSigPrefix = "sha256="

// SignWebhook returns the signature header value "sha256=<hex>" of
// HMAC-SHA256 over "<unix seconds>.<delivery id>.<body>".
func SignWebhook(secret []byte, ts time.Time, deliveryID string, body []byte) string {
	return webhookSigPrefix + hex.EncodeToString(webhookMAC(secret, strconv.FormatInt(ts.Unix(), 10), deliveryID, body))
}

func webhookMAC(secret []byte, ts, deliveryID string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts + "." + deliveryID + "."))
	m.Write(body)
	return m.Sum(nil)
}

// VerifyWebhook checks sig (the header value) in constant time and that ts
// (unix seconds as a decimal string, from a header) is within maxSkew of now,
// either way. Replay protection is the caller's: it must remember delivery IDs.
//
// A malformed timestamp gives ErrWebhookStale. A delivery ID that is empty or
// contains '.' gives ErrWebhookSignature: with a '.' in it, bytes could move
// between the ID and the body under the same MAC.
func VerifyWebhook(secret []byte, sig, ts, deliveryID string, body []byte, now time.Time, maxSkew time.Duration) error {
	if len(secret) == 0 {
		return fmt.Errorf("%w: no secret configured", ErrWebhookSignature)
	}
	sent, err := parseUnix(ts)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrWebhookStale, err)
	}
	if deliveryID == "" || strings.Contains(deliveryID, ".") {
		return fmt.Errorf("%w: malformed delivery id", ErrWebhookSignature)
	}
	hexSig, ok := strings.CutPrefix(sig, webhookSigPrefix)
	got, err := hex.DecodeString(hexSig)
	if !ok || err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%w: malformed signature header", ErrWebhookSignature)
	}
	if !hmac.Equal(got, webhookMAC(secret, ts, deliveryID, body)) {
		return fmt.Errorf("%w: signature does not match", ErrWebhookSignature)
	}
	// Checked after the signature, so "stale" means authentic but old. Both
	// bounds are compared instead of taking |d|: Sub saturates for far-off
	// times, and negating the minimum Duration overflows.
	if d := now.Sub(sent); d > maxSkew || d < -maxSkew {
		return fmt.Errorf("%w: sent %s, now %s, allowed skew %s", ErrWebhookStale,
			sent.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339), maxSkew)
	}
	return nil
}

// parseUnix accepts only plain decimal digits: ParseInt alone would also take
// a sign.
func parseUnix(s string) (time.Time, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return time.Time{}, errors.New("malformed timestamp header")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, errors.New("malformed timestamp header")
	}
	return time.Unix(n, 0), nil
}
