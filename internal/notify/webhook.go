package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/signet-clm/signet/internal/outbound"
)

// SignWebhook is the X-Signet-Signature of body sent at timestamp (Unix
// seconds): "sha256=" and the hex HMAC-SHA256 of "timestamp.body". Signing
// the timestamp lets receivers refuse old replays.
func SignWebhook(secret string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", timestamp)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

type webhook struct{ client *http.Client }

// NewWebhook delivers messages as signed JSON POSTs.
func NewWebhook(client *http.Client) Sender { return webhook{client: client} }

func (w webhook) Send(ctx context.Context, t Target, m Message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("%w: encode message: %w", ErrPermanent, err)
	}
	ts := time.Now().Unix()
	headers := map[string]string{"X-Signet-Delivery": m.ID, "X-Signet-Timestamp": strconv.FormatInt(ts, 10)}
	if id, ok := m.Data["event_id"].(string); ok && m.Kind == KindEvents {
		// The feed event's own ID: the same one GET /v1/events gives it.
		headers["X-Signet-Event"] = id
	}
	if t.Secret != "" {
		headers["X-Signet-Signature"] = SignWebhook(t.Secret, ts, body)
	}
	_, err = post(ctx, w.client, t.Address, body, headers)
	return err
}

// post sends a JSON body and reads the answer; statuses retrying cannot
// mend (4xx but 408 and 429), refused addresses and redirects wrap
// ErrPermanent. Errors say a status or a category, never what the
// receiver sent back nor where a refused address pointed: they are shown
// to the user who chose the address.
func post(ctx context.Context, client *http.Client, url string, body []byte, headers map[string]string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: not a valid URL", ErrPermanent)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Signet-Notifications/1")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, outbound.ErrBlocked) || errors.Is(err, outbound.ErrRedirect) {
			return nil, fmt.Errorf("%w: %s", ErrPermanent, outbound.Describe(err))
		}
		return nil, errors.New(outbound.Describe(err))
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return answer, nil
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return nil, fmt.Errorf("%w: receiver answered %d; redirects are not followed", ErrPermanent, resp.StatusCode)
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return nil, fmt.Errorf("receiver answered %d", resp.StatusCode)
	default:
		return nil, fmt.Errorf("%w: receiver answered %d", ErrPermanent, resp.StatusCode)
	}
}
