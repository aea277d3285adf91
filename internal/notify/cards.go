package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/imcard"
	"github.com/signet-clm/signet/internal/outbound"
)

// CardTask is what a task's approval card shows, read when the card
// leaves, so it shows the task as it stands then.
type CardTask struct {
	ID             string
	ContractNumber string
	Title          string
	Customer       string
	Amount         domain.Money
	// Risk is the review round's risk level (policy.Severity), "" unknown.
	Risk   string
	Status domain.TaskStatus
	// DecidedBy names who decided a closed task, "" when nobody did.
	DecidedBy string
}

// SentCard is what the outbox knows of a card's delivery: whether it was
// sent, when, and the receipt kept with it (WeCom's response_code).
type SentCard struct {
	Sent    bool
	SentAt  time.Time
	Receipt string
}

// CardTasks reads a task for its card (the store); domain.ErrNotFound for
// an unknown one. SentCard reads the outbox row of a card's delivery key,
// so a closed task's card is updated only if it was sent; KeepReceipt
// keeps with a delivery what its answer said that an update needs.
type CardTasks interface {
	CardTask(ctx context.Context, id string) (CardTask, error)
	SentCard(ctx context.Context, key string) (SentCard, error)
	KeepReceipt(ctx context.Context, key, receipt string) error
}

// DingTalkApp is the DingTalk internal app that sends approval cards: its
// AppKey and AppSecret (SIGNET_DINGTALK_APP_KEY, _APP_SECRET), the robot
// that sends them (SIGNET_DINGTALK_ROBOT_CODE, the AppKey by default), the
// callbackRouteKey registered for the card callback URL
// (SIGNET_DINGTALK_CALLBACK_ROUTE_KEY) and the API's address
// (SIGNET_DINGTALK_API_URL). From the environment only.
type DingTalkApp struct {
	BaseURL, AppKey, AppSecret, RobotCode, CallbackRouteKey string
}

// Configured reports whether cards can be sent through the app.
func (a DingTalkApp) Configured() bool { return a.AppKey != "" && a.AppSecret != "" }

// WeComApp is the WeCom self-built app that sends approval cards: the
// corp (SIGNET_WECOM_CORP_ID), the app's Secret and AgentId
// (SIGNET_WECOM_CORP_SECRET, _AGENT_ID) and the API's address
// (SIGNET_WECOM_API_URL). From the environment only.
type WeComApp struct {
	BaseURL, CorpID, CorpSecret string
	AgentID                     int64
}

// Configured reports whether cards can be sent through the app.
func (a WeComApp) Configured() bool { return a.CorpID != "" && a.CorpSecret != "" && a.AgentID != 0 }

// Default API addresses.
const (
	DefaultDingTalkAPI = "https://api.dingtalk.com"
	DefaultWeComAPI    = "https://qyapi.weixin.qq.com"
)

// cardOf is the card for m, a task notice, and whether the task is still
// open: a card for a task decided before it left would only mislead, so
// none is sent.
func cardOf(ctx context.Context, tasks CardTasks, limits imcard.Limits, m Message) (imcard.Card, bool, error) {
	id, _ := m.Data["task_id"].(string)
	if id == "" {
		return imcard.Card{}, false, fmt.Errorf("%w: the notice names no task", ErrPermanent)
	}
	t, err := tasks.CardTask(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		return imcard.Card{}, false, fmt.Errorf("%w: task %s not found", ErrPermanent, id)
	}
	if err != nil {
		return imcard.Card{}, false, fmt.Errorf("read task %s: %w", id, err)
	}
	return imcard.Card{
		TaskID: t.ID, ContractNumber: t.ContractNumber, Title: t.Title, Amount: t.Amount,
		Customer: t.Customer, Risk: t.Risk, Link: m.Link, OpenOnly: limits.OpenOnly(t.Amount),
	}, t.Status == domain.TaskOpen, nil
}

// closedCardOf is the closed form of the card m (a KindTaskClosed notice)
// updates, and whether there is a card to update: the task's card was
// delivered to this address on this channel, and the task is closed. A
// card still on its way when the task closed finds it closed and is never
// sent, so nothing is left to update.
func closedCardOf(ctx context.Context, tasks CardTasks, t Target, m Message) (closedCard, error) {
	id, _ := m.Data["task_id"].(string)
	if id == "" {
		return closedCard{}, fmt.Errorf("%w: the notice names no task", ErrPermanent)
	}
	sent, err := tasks.SentCard(ctx, DeliveryKey("task/"+id+"/open", t.Channel, t.Address))
	if err != nil || !sent.Sent {
		return closedCard{}, err
	}
	task, err := tasks.CardTask(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		return closedCard{}, nil
	}
	if err != nil || task.Status == domain.TaskOpen {
		return closedCard{}, err
	}
	return closedCard{card: imcard.Card{
		TaskID: task.ID, ContractNumber: task.ContractNumber, Title: task.Title, Amount: task.Amount,
		Customer: task.Customer, Risk: task.Risk, Link: m.Link, Closed: imcard.ClosedText(task.Status, task.DecidedBy),
	}, status: task.Status, sent: sent}, nil
}

// closedCard is a closed task's card, its state, and the delivery of the
// card sent (sent.Sent false: there is none to update).
type closedCard struct {
	card   imcard.Card
	status domain.TaskStatus
	sent   SentCard
}

// tokenCache keeps a platform access token in memory until shortly before
// it expires: one fetch serves every send meanwhile, across goroutines.
// It is never written anywhere else.
type tokenCache struct {
	mu      sync.Mutex
	token   string
	expires time.Time
	now     func() time.Time
	fetch   func(ctx context.Context) (string, time.Duration, error)
}

func (c *tokenCache) get(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.now().Before(c.expires) {
		return c.token, nil
	}
	tok, ttl, err := c.fetch(ctx)
	if err != nil {
		return "", err
	}
	if tok == "" || ttl <= 0 {
		return "", errors.New("the access token answer carries no token")
	}
	// Refresh a little early, so a token never expires in flight.
	c.token, c.expires = tok, c.now().Add(ttl-min(5*time.Minute, ttl/10))
	return tok, nil
}

// drop forgets tok after the platform refused it (revoked, expired early).
func (c *tokenCache) drop(tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == tok {
		c.token = ""
	}
}

// apiCall sends one JSON request to a platform API and decodes its JSON
// answer into out, returning the HTTP status. Transport errors say a
// category only (never the URL, which may carry an access token); a
// refused address or a redirect is permanent.
func apiCall(ctx context.Context, client *http.Client, method, address string, header map[string]string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, ok := body.([]byte)
		if !ok {
			var err error
			if b, err = json.Marshal(body); err != nil {
				return 0, fmt.Errorf("%w: encode request: %w", ErrPermanent, err)
			}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, address, rd)
	if err != nil {
		return 0, fmt.Errorf("%w: not a valid URL", ErrPermanent)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "Signet-Notifications/1")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, outbound.ErrBlocked) || errors.Is(err, outbound.ErrRedirect) {
			return 0, fmt.Errorf("%w: %s", ErrPermanent, outbound.Describe(err))
		}
		return 0, errors.New(outbound.Describe(err))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return resp.StatusCode, fmt.Errorf("%w: answered %d; redirects are not followed", ErrPermanent, resp.StatusCode)
	}
	if out != nil && len(raw) > 0 {
		_ = json.Unmarshal(raw, out) // a body that is no JSON leaves out empty
	}
	return resp.StatusCode, nil
}

// safeCode is a platform's error code fit for an error message: a short
// identifier, never free text from the answer.
func safeCode(code string) string {
	if len(code) > 64 {
		code = code[:64]
	}
	ok := code != ""
	for _, r := range code {
		if !(r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			ok = false
		}
	}
	if !ok {
		return "unknown"
	}
	return code
}

// dingTalkAnswer is what api.dingtalk.com answers: the token call's fields,
// or on failure an error code (with a non-2xx status).
type dingTalkAnswer struct {
	AccessToken string `json:"accessToken"`
	ExpireIn    int64  `json:"expireIn"`
	Code        string `json:"code"`
}

type dingTalkCards struct {
	app    DingTalkApp
	client *http.Client
	tasks  CardTasks
	limits imcard.Limits
	token  *tokenCache
}

// NewDingTalkCards sends task notices as DingTalk 互动卡片 to a user ID
// (ChannelDingTalkCard): an access token from /v1.0/oauth2/accessToken,
// kept in memory until it expires, then POST
// /v1.0/im/interactiveCards/send with imcard.DingTalk's body. Above limits
// the card only opens the task.
func NewDingTalkCards(app DingTalkApp, client *http.Client, tasks CardTasks, limits imcard.Limits, now func() time.Time) Sender {
	d := &dingTalkCards{app: app, client: client, tasks: tasks, limits: limits}
	if d.app.BaseURL == "" {
		d.app.BaseURL = DefaultDingTalkAPI
	}
	d.app.BaseURL = strings.TrimRight(d.app.BaseURL, "/")
	if d.app.RobotCode == "" {
		d.app.RobotCode = app.AppKey
	}
	d.token = &tokenCache{now: now, fetch: d.fetchToken}
	return d
}

func (d *dingTalkCards) fetchToken(ctx context.Context) (string, time.Duration, error) {
	var a dingTalkAnswer
	status, err := apiCall(ctx, d.client, http.MethodPost, d.app.BaseURL+"/v1.0/oauth2/accessToken", nil,
		map[string]string{"appKey": d.app.AppKey, "appSecret": d.app.AppSecret}, &a)
	if err != nil {
		return "", 0, fmt.Errorf("DingTalk access token: %w", err)
	}
	if status != http.StatusOK {
		// A wrong key or secret is the operator's to mend; retrying after
		// they do is what the backoff is for.
		return "", 0, fmt.Errorf("DingTalk access token: answered %d (code %s)", status, safeCode(a.Code))
	}
	return a.AccessToken, time.Duration(a.ExpireIn) * time.Second, nil
}

// Send sends a task's card, or for KindTaskClosed turns the card sent
// before into its closed form (PUT /v1.0/im/interactiveCards, the card
// named by its outTrackId).
func (d *dingTalkCards) Send(ctx context.Context, t Target, m Message) error {
	method, path := http.MethodPost, "/v1.0/im/interactiveCards/send"
	var body []byte
	if m.Kind == KindTaskClosed {
		c, err := closedCardOf(ctx, d.tasks, t, m)
		if err != nil || !c.sent.Sent {
			return err
		}
		if body, err = imcard.DingTalkUpdate(c.card); err != nil {
			return fmt.Errorf("%w: build card: %w", ErrPermanent, err)
		}
		method, path = http.MethodPut, "/v1.0/im/interactiveCards"
	} else {
		card, open, err := cardOf(ctx, d.tasks, d.limits, m)
		if err != nil || !open {
			return err
		}
		if body, err = imcard.DingTalk(card, t.Address, d.app.RobotCode, d.app.CallbackRouteKey); err != nil {
			return fmt.Errorf("%w: build card: %w", ErrPermanent, err)
		}
	}
	tok, err := d.token.get(ctx)
	if err != nil {
		return err
	}
	var a dingTalkAnswer
	status, err := apiCall(ctx, d.client, method, d.app.BaseURL+path,
		map[string]string{"x-acs-dingtalk-access-token": tok}, body, &a)
	if err != nil {
		return fmt.Errorf("DingTalk card: %w", err)
	}
	code := safeCode(a.Code)
	switch {
	case status >= 200 && status < 300:
		return nil
	case status == http.StatusUnauthorized || strings.HasPrefix(code, "InvalidAuthentication"):
		d.token.drop(tok)
		return fmt.Errorf("DingTalk card: the access token was refused (%d, code %s); a new one is fetched", status, code)
	case status == http.StatusTooManyRequests || status >= 500 || strings.Contains(code, "QpsLimit") || strings.Contains(code, "Throttling"):
		return fmt.Errorf("DingTalk card: answered %d (code %s)", status, code)
	default:
		return fmt.Errorf("%w: DingTalk refused the card (%d, code %s)", ErrPermanent, status, code)
	}
}

// weComAnswer is what qyapi.weixin.qq.com answers, errcode first.
// invaliduser is a string from message/send, a list from
// update_template_card.
type weComAnswer struct {
	ErrCode      int             `json:"errcode"`
	AccessToken  string          `json:"access_token"`
	ExpiresIn    int64           `json:"expires_in"`
	InvalidUser  json.RawMessage `json:"invaliduser"`
	ResponseCode string          `json:"response_code"`
}

// invalid reports whether the answer names recipients it did not reach.
func (a weComAnswer) invalid() bool {
	v := strings.TrimSpace(string(a.InvalidUser))
	return v != "" && v != `""` && v != "[]" && v != "null"
}

// weComCodeLife is how long a response_code can update its card.
const weComCodeLife = 72 * time.Hour

// WeCom error codes the card sender acts on.
const (
	weComBusy         = -1
	weComInvalidToken = 40014
	weComTokenExpired = 42001
	weComTooOften     = 45033
)

type weComCards struct {
	app    WeComApp
	client *http.Client
	tasks  CardTasks
	limits imcard.Limits
	token  *tokenCache
	now    func() time.Time
}

// NewWeComCards sends task notices as WeCom button_interaction 模板卡片 to
// a user ID (ChannelWeComCard): an access token from /cgi-bin/gettoken,
// kept in memory until it expires, then POST /cgi-bin/message/send with
// imcard.WeCom's body; a closed task's card is updated with
// /cgi-bin/message/update_template_card (see Send).
func NewWeComCards(app WeComApp, client *http.Client, tasks CardTasks, limits imcard.Limits, now func() time.Time) Sender {
	w := &weComCards{app: app, client: client, tasks: tasks, limits: limits, now: now}
	if w.app.BaseURL == "" {
		w.app.BaseURL = DefaultWeComAPI
	}
	w.app.BaseURL = strings.TrimRight(w.app.BaseURL, "/")
	w.token = &tokenCache{now: now, fetch: w.fetchToken}
	return w
}

func (w *weComCards) fetchToken(ctx context.Context) (string, time.Duration, error) {
	var a weComAnswer
	q := url.Values{"corpid": {w.app.CorpID}, "corpsecret": {w.app.CorpSecret}}
	status, err := apiCall(ctx, w.client, http.MethodGet, w.app.BaseURL+"/cgi-bin/gettoken?"+q.Encode(), nil, nil, &a)
	if err != nil {
		return "", 0, fmt.Errorf("WeCom access token: %w", err)
	}
	if status != http.StatusOK || a.ErrCode != 0 {
		return "", 0, fmt.Errorf("WeCom access token: answered %d (errcode %d)", status, a.ErrCode)
	}
	return a.AccessToken, time.Duration(a.ExpiresIn) * time.Second, nil
}

// Send sends a task's card and keeps the response_code it is answered
// with; for KindTaskClosed it spends that code on update_template_card,
// turning the card's buttons into one that says how the task closed. A
// card sent more than 72 hours before, or without a code, is left as it
// is: a tap on it is answered with the task's state by the callback.
func (w *weComCards) Send(ctx context.Context, t Target, m Message) error {
	path := "/cgi-bin/message/send"
	var body []byte
	if m.Kind == KindTaskClosed {
		c, err := closedCardOf(ctx, w.tasks, t, m)
		if err != nil || !c.sent.Sent || c.sent.Receipt == "" || w.now().Sub(c.sent.SentAt) > weComCodeLife {
			return err
		}
		if body, err = imcard.WeComUpdate(t.Address, w.app.AgentID, c.sent.Receipt, c.status); err != nil {
			return fmt.Errorf("%w: build card update: %w", ErrPermanent, err)
		}
		path = "/cgi-bin/message/update_template_card"
	} else {
		card, open, err := cardOf(ctx, w.tasks, w.limits, m)
		if err != nil || !open {
			return err
		}
		if body, err = imcard.WeCom(card, t.Address, w.app.AgentID); err != nil {
			return fmt.Errorf("%w: build card: %w", ErrPermanent, err)
		}
	}
	tok, err := w.token.get(ctx)
	if err != nil {
		return err
	}
	var a weComAnswer
	status, err := apiCall(ctx, w.client, http.MethodPost, w.app.BaseURL+path+"?access_token="+url.QueryEscape(tok), nil, body, &a)
	if err != nil {
		return fmt.Errorf("WeCom card: %w", err)
	}
	switch {
	case status == http.StatusTooManyRequests || status >= 500:
		return fmt.Errorf("WeCom card: answered %d", status)
	case status != http.StatusOK:
		return fmt.Errorf("%w: WeCom card: answered %d", ErrPermanent, status)
	case a.ErrCode == 0 && a.invalid():
		return fmt.Errorf("%w: WeCom does not know the recipient, or the app may not reach them", ErrPermanent)
	case a.ErrCode == 0:
		if a.ResponseCode != "" && m.Kind != KindTaskClosed {
			// The card is sent whatever happens here; without its code it
			// is only not updated when the task closes.
			_ = w.tasks.KeepReceipt(ctx, m.ID, a.ResponseCode)
		}
		return nil
	case a.ErrCode == weComInvalidToken || a.ErrCode == weComTokenExpired:
		w.token.drop(tok)
		return fmt.Errorf("WeCom card: the access token was refused (errcode %d); a new one is fetched", a.ErrCode)
	case a.ErrCode == weComBusy || a.ErrCode == weComRateLimited || a.ErrCode == weComTooOften:
		return fmt.Errorf("WeCom card: busy or rate limited (errcode %d)", a.ErrCode)
	default:
		return fmt.Errorf("%w: WeCom refused the card (errcode %d)", ErrPermanent, a.ErrCode)
	}
}
