package api

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/imcallback"
	"github.com/signet-clm/signet/internal/imcard"
)

// CardStore is what the card callbacks need of PostgreSQL.
type CardStore interface {
	UserByPlatform(ctx context.Context, platform, id string) (domain.User, error)
	TakeCallback(ctx context.Context, platform, id string) (bool, error)
}

// CardCallbacks are the DingTalk and WeCom approval cards' callbacks.
type CardCallbacks struct {
	// DingTalk and WeCom verify and open each platform's callbacks; nil
	// leaves that platform's route answering 404.
	DingTalk, WeCom *imcallback.Crypter
	Store           CardStore
	// Window is how far a callback's signed timestamp may be from now.
	Window time.Duration
	// Wait bounds the decision before the answer says 处理中: both
	// platforms give up on an answer after 5 seconds.
	Wait time.Duration
	Now  func() time.Time
}

// Defaults of CardCallbacks.
const (
	DefaultCardWindow = 5 * time.Minute
	DefaultCardWait   = 3 * time.Second
)

// cardCallbacks builds the callbacks from the environment's secrets.
func cardCallbacks(cfg config.Config, st CardStore) CardCallbacks {
	cc := CardCallbacks{Store: st, Window: DefaultCardWindow, Wait: DefaultCardWait, Now: time.Now}
	// config.FromEnv checked both; a bad pair leaves the platform off.
	if c := cfg.DingTalkCallback; c.Token != "" {
		cc.DingTalk, _ = imcallback.New(c.Token, c.AESKey, c.Receiver)
	}
	if c := cfg.WeComCallback; c.Token != "" {
		cc.WeCom, _ = imcallback.New(c.Token, c.AESKey, c.Receiver)
	}
	return cc
}

// Platform names, as the replay table and users' columns name them.
const (
	platformDingTalk = "dingtalk"
	platformWeCom    = "wecom"
)

// errReplayedCallback refuses a callback whose ID was taken before.
var errReplayedCallback = &domain.Refusal{Kind: domain.RefusedConflict, Message: "this callback was received before; nothing was applied again"}

// DingTalkCallbackReply is DingTalk's encrypted answer: the platform
// checks its signature and decrypts encrypt to the card's new data.
type DingTalkCallbackReply struct {
	MsgSignature string `json:"msg_signature"`
	TimeStamp    string `json:"timeStamp"`
	Nonce        string `json:"nonce"`
	Encrypt      string `json:"encrypt"`
}

// fresh checks a signed timestamp (seconds, or DingTalk's milliseconds)
// against the window.
func (cc CardCallbacks) fresh(ts string, millis bool) bool {
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	at := time.Unix(n, 0)
	if millis {
		at = time.UnixMilli(n)
	}
	d := cc.Now().Sub(at)
	return d < cc.Window && d > -cc.Window
}

// dingTalkCallback is POST /v1/callbacks/dingtalk: a tap on a card.
func (h *handlers) dingTalkCallback(c *gin.Context) {
	cc := h.d.Cards
	if cc.DingTalk == nil {
		writeError(c, h.d.Logger, errNoRoute)
		return
	}
	sig := c.Query("msg_signature")
	if sig == "" {
		sig = c.Query("signature")
	}
	ts, nonce := c.Query("timestamp"), c.Query("nonce")
	var body struct {
		Encrypt string `json:"encrypt"`
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes))
	if err != nil {
		writeError(c, h.d.Logger, decodeError(err))
		return
	}
	if err := json.Unmarshal(raw, &body); err != nil || body.Encrypt == "" {
		writeError(c, h.d.Logger, errBadWebhookSignature)
		return
	}
	msg, err := cc.DingTalk.Open(sig, ts, nonce, body.Encrypt)
	if err != nil || !cc.fresh(ts, true) {
		h.d.Logger.Warn("dingtalk callback refused", "err", err, "timestamp", ts)
		writeError(c, h.d.Logger, errBadWebhookSignature)
		return
	}
	reply := []byte("success") // what DingTalk wants for events that are not taps
	tap, err := imcard.ParseDingTalk(msg, ts+"/"+nonce)
	if err == nil {
		answer, err := h.cardTap(c.Request.Context(), platformDingTalk, tap)
		if err != nil {
			writeError(c, h.d.Logger, err)
			return
		}
		reply = imcard.DingTalkReply(answer)
	}
	now := strconv.FormatInt(cc.Now().UnixMilli(), 10)
	enc, rsig, err := cc.DingTalk.Seal(reply, now, nonce, nil)
	h.respond(c, http.StatusOK, DingTalkCallbackReply{MsgSignature: rsig, TimeStamp: now, Nonce: nonce, Encrypt: enc}, err)
}

// weComVerify is GET /v1/callbacks/wecom: WeCom checks the URL by sending
// an encrypted echostr, answered with its plaintext.
func (h *handlers) weComVerify(c *gin.Context) {
	cc := h.d.Cards
	if cc.WeCom == nil {
		writeError(c, h.d.Logger, errNoRoute)
		return
	}
	ts := c.Query("timestamp")
	echo, err := cc.WeCom.Open(c.Query("msg_signature"), ts, c.Query("nonce"), c.Query("echostr"))
	if err != nil || !cc.fresh(ts, false) {
		h.d.Logger.Warn("wecom url check refused", "err", err, "timestamp", ts)
		writeError(c, h.d.Logger, errBadWebhookSignature)
		return
	}
	c.Data(http.StatusOK, "text/plain; charset=utf-8", echo)
}

// weComEnvelope is the POSTed XML around the ciphertext, and the reply's.
type weComEnvelope struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      string   `xml:"Encrypt"`
	MsgSignature string   `xml:"MsgSignature,omitempty"`
	TimeStamp    string   `xml:"TimeStamp,omitempty"`
	Nonce        string   `xml:"Nonce,omitempty"`
}

// weComCallback is POST /v1/callbacks/wecom: a tap on a card.
func (h *handlers) weComCallback(c *gin.Context) {
	cc := h.d.Cards
	if cc.WeCom == nil {
		writeError(c, h.d.Logger, errNoRoute)
		return
	}
	ts, nonce := c.Query("timestamp"), c.Query("nonce")
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes))
	if err != nil {
		writeError(c, h.d.Logger, decodeError(err))
		return
	}
	var env weComEnvelope
	if err := xml.Unmarshal(raw, &env); err != nil || env.Encrypt == "" {
		writeError(c, h.d.Logger, errBadWebhookSignature)
		return
	}
	msg, err := cc.WeCom.Open(c.Query("msg_signature"), ts, nonce, env.Encrypt)
	if err != nil || !cc.fresh(ts, false) {
		h.d.Logger.Warn("wecom callback refused", "err", err, "timestamp", ts)
		writeError(c, h.d.Logger, errBadWebhookSignature)
		return
	}
	tap, err := imcard.ParseWeCom(msg)
	if err != nil {
		c.String(http.StatusOK, "success") // WeCom's "received, nothing to say"
		return
	}
	answer, err := h.cardTap(c.Request.Context(), platformWeCom, tap)
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	now := strconv.FormatInt(cc.Now().Unix(), 10)
	enc, rsig, err := cc.WeCom.Seal(imcard.WeComReply(tap, answer, now), now, nonce, nil)
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	out, err := xml.Marshal(weComEnvelope{Encrypt: enc, MsgSignature: rsig, TimeStamp: now, Nonce: nonce})
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	c.Data(http.StatusOK, "application/xml; charset=utf-8", out)
}

// cardTap turns a verified tap into the decision the API's
// POST /v1/tasks/{id}/decision sends, as the user the platform ID is
// mapped to, with every usual control. The UpdateID is the card and the
// user, so a double tap, or the platform retrying, is one decision. A
// replayed callback is refused; a refused decision or a closed task
// answers with the task's state so the card shows it.
func (h *handlers) cardTap(ctx context.Context, platform string, tap imcard.Tap) (imcard.Answer, error) {
	cc := h.d.Cards
	fresh, err := cc.Store.TakeCallback(ctx, platform, tap.CallbackID)
	if err != nil {
		return imcard.Answer{}, err
	}
	if !fresh {
		return imcard.Answer{}, errReplayedCallback
	}
	u, err := cc.Store.UserByPlatform(ctx, platform, tap.UserID)
	if errors.Is(err, domain.ErrNotFound) {
		return imcard.Answer{Text: imcard.AnswerUnknownUser}, nil
	}
	if err != nil {
		return imcard.Answer{}, err
	}
	taskID, ok := imcard.TaskOf(tap.TrackID)
	if !ok {
		return imcard.Answer{Text: imcard.StateText("")}, nil
	}
	in := contracts.DecideInput{Decision: tap.Decision, Opinion: tap.Opinion}
	done := make(chan error, 1)
	// Once asked, the decision finishes even after the platform stopped
	// waiting for our answer: the request's context is not its bound.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), max(h.d.RequestTimeout, 10*time.Second))
	go func() {
		defer cancel()
		_, err := h.d.Contracts.Decide(dctx, u, taskID, "card/"+platform+"/"+tap.TrackID+"/"+tap.UserID, in)
		done <- err
	}()
	timer := time.NewTimer(cc.Wait)
	defer timer.Stop()
	select {
	case err = <-done:
	case <-timer.C:
		return imcard.Answer{Text: imcard.AnswerPending}, nil
	}
	if err == nil {
		s := tap.Decision.TaskStatus()
		return imcard.Answer{Done: true, Text: imcard.StateText(s), State: string(s)}, nil
	}
	h.d.Logger.Info("card decision refused", "platform", platform, "task", taskID, "user", u.ID, "err", err)
	// Refused: say where the task stands, when the tapper may see it.
	var verr *domain.ValidationError
	var refusal *domain.Refusal
	d, terr := h.d.Approvals.Task(ctx, u, taskID)
	switch {
	case terr == nil && d.Task.Status != domain.TaskOpen:
		return imcard.Answer{Done: true, Text: imcard.StateText(d.Task.Status), State: string(d.Task.Status)}, nil
	case errors.As(err, &verr):
		return imcard.Answer{Text: imcard.AnswerNeedOpinion, State: string(domain.TaskOpen)}, nil
	case errors.As(err, &refusal):
		return imcard.Answer{Text: fmt.Sprintf(imcard.AnswerRefused, refusal.Message)}, nil
	case errors.Is(err, domain.ErrNotFound), errors.Is(err, domain.ErrForbidden):
		return imcard.Answer{Text: imcard.AnswerNoTask}, nil
	}
	return imcard.Answer{}, err
}
