package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// robotAnswer is what WeCom's and DingTalk's group robots answer.
type robotAnswer struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// sendRobot posts a robot message; errcode retryable is a rate limit, any
// other non-zero code a permanent refusal.
func sendRobot(ctx context.Context, client *http.Client, address string, payload any, retryable int) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("%w: encode message: %w", ErrPermanent, err)
	}
	raw, err := post(ctx, client, address, body, nil)
	if err != nil {
		return err
	}
	var a robotAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return errors.New("robot answer is not JSON")
	}
	switch a.ErrCode {
	case 0:
		return nil
	case retryable:
		return fmt.Errorf("robot rate limit (errcode %d)", a.ErrCode)
	default:
		return fmt.Errorf("%w: robot refused the message (errcode %d)", ErrPermanent, a.ErrCode)
	}
}

// markdown is a message's text for a robot's markdown body. The text is
// plain and carries what users typed (titles, customer names), so every
// character markdown gives a meaning to is escaped: a title cannot turn
// into a link, a mention or a heading in a group chat.
func markdown(m Message) string {
	text := escapeMarkdown(m.Text)
	if m.Link != "" {
		text += "\n[" + escapeMarkdown(m.Link) + "](" + m.Link + ")"
	}
	return text
}

// markdownSpecial are the characters that make links, emphasis, code,
// headings, quotes, tables, HTML (WeCom's <font>) and mentions. Titles and
// names are one line (domain.SingleLine), so line-start lists cannot come
// from them; dates and numbers keep their hyphens and dots.
var markdownSpecial = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "(", `\(`, ")", `\)`,
	"#", `\#`, "|", `\|`, ">", "&gt;", "<", "&lt;", "~", `\~`, "@", "＠", "\r", "",
)

func escapeMarkdown(s string) string { return markdownSpecial.Replace(s) }

type weCom struct{ client *http.Client }

// NewWeCom delivers to a WeCom (企业微信) group robot's webhook URL.
func NewWeCom(client *http.Client) Sender { return weCom{client: client} }

// weComRateLimited is WeCom's "too many messages" code.
const weComRateLimited = 45009

func (w weCom) Send(ctx context.Context, t Target, m Message) error {
	payload := map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": "**" + escapeMarkdown(m.Subject) + "**\n" + markdown(m)}}
	return sendRobot(ctx, w.client, t.Address, payload, weComRateLimited)
}

// SignDingTalk is DingTalk's robot signature: base64 HMAC-SHA256, keyed by
// the secret, of "timestamp\nsecret" (timestamp in milliseconds).
func SignDingTalk(secret string, tsMillis int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d\n%s", tsMillis, secret)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

type dingTalk struct {
	client *http.Client
	now    func() time.Time
}

// NewDingTalk delivers to a DingTalk (钉钉) group robot, signing its URL
// when the target has a secret.
func NewDingTalk(client *http.Client, now func() time.Time) Sender {
	return dingTalk{client: client, now: now}
}

// dingTalkRateLimited is DingTalk's "sending too fast" code.
const dingTalkRateLimited = 130101

func (d dingTalk) Send(ctx context.Context, t Target, m Message) error {
	address := t.Address
	if t.Secret != "" {
		ts := d.now().UnixMilli()
		sep := "?"
		if strings.Contains(address, "?") {
			sep = "&"
		}
		address += sep + "timestamp=" + strconv.FormatInt(ts, 10) + "&sign=" + url.QueryEscape(SignDingTalk(t.Secret, ts))
	}
	payload := map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": m.Subject, "text": "### " + escapeMarkdown(m.Subject) + "\n" + markdown(m)}}
	return sendRobot(ctx, d.client, address, payload, dingTalkRateLimited)
}
