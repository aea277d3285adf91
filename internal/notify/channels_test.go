package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/notify/notifytest"
)

var msg = notify.Message{ID: "task/HT-2026-000123-R1-S1-1/open/email/0a1b", Kind: notify.KindTaskOpen,
	Subject: "待审批：HT-2026-000123 年度软件服务合同", Text: "合同 HT-2026-000123（上海星辰科技有限公司）\n环节：销售经理审批",
	Link: "https://signet.example/v1/tasks/T1", At: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}

func TestEmailArrivesIntactAndClassifiesRefusals(t *testing.T) {
	srv := notifytest.NewSMTPServer(t)
	send := notify.NewEmail(notify.SMTPConfig{Addr: srv.Addr(), From: "signet@test.local"})
	target := notify.Target{Channel: notify.ChannelEmail, Address: "zhang.wei@example.com"}
	require.NoError(t, send.Send(context.Background(), target, msg))
	mails := srv.Messages()
	require.Len(t, mails, 1)
	assert.Equal(t, "signet@test.local", mails[0].From)
	assert.Equal(t, []string{"zhang.wei@example.com"}, mails[0].To)
	assert.Equal(t, msg.Subject, mails[0].Subject, "a Chinese subject survives")
	assert.Equal(t, "<"+msg.ID+"@signet>", mails[0].MessageID)
	assert.Equal(t, msg.Text+"\n\n"+msg.Link, mails[0].Body)

	srv.FailNext(1, 451)
	err := send.Send(context.Background(), target, msg)
	require.Error(t, err)
	assert.False(t, errors.Is(err, notify.ErrPermanent), "451 is worth retrying: %v", err)
	srv.FailNext(1, 550)
	assert.ErrorIs(t, send.Send(context.Background(), target, msg), notify.ErrPermanent)
	bad := msg
	bad.Subject = "x\r\nBcc: everyone@example.com"
	assert.ErrorIs(t, send.Send(context.Background(), target, bad), notify.ErrPermanent)
	assert.Len(t, srv.Messages(), 1, "nothing else was accepted")
}

// robot answers each request with status and the JSON answer, and keeps
// the request.
func robot(t *testing.T, status int, answer string) (*httptest.Server, *[]*http.Request, *[][]byte) {
	var reqs []*http.Request
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		reqs, bodies = append(reqs, r), append(bodies, b)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv, &reqs, &bodies
}

func TestWebhookSignsAndClassifies(t *testing.T) {
	srv, reqs, bodies := robot(t, http.StatusOK, "")
	send := notify.NewWebhook(http.DefaultClient)
	require.NoError(t, send.Send(context.Background(), notify.Target{Address: srv.URL, Secret: "k"}, msg))
	r, body := (*reqs)[0], (*bodies)[0]
	assert.Equal(t, msg.ID, r.Header.Get("X-Signet-Delivery"))
	mac := hmac.New(sha256.New, []byte("k"))
	mac.Write([]byte(r.Header.Get("X-Signet-Timestamp") + "."))
	mac.Write(body)
	assert.Equal(t, fmt.Sprintf("sha256=%x", mac.Sum(nil)), r.Header.Get("X-Signet-Signature"))
	var got notify.Message
	require.NoError(t, json.Unmarshal(body, &got))
	assert.Equal(t, msg, got)

	require.NoError(t, send.Send(context.Background(), notify.Target{Address: srv.URL}, msg))
	assert.Empty(t, (*reqs)[1].Header.Get("X-Signet-Signature"), "no secret, no signature")

	for status, permanent := range map[int]bool{500: false, 503: false, 429: false, 408: false, 400: true, 404: true, 410: true} {
		srv, _, _ := robot(t, status, "nope")
		err := send.Send(context.Background(), notify.Target{Address: srv.URL}, msg)
		require.Error(t, err, "%d", status)
		assert.Equal(t, permanent, errors.Is(err, notify.ErrPermanent), "%d: %v", status, err)
	}
}

func TestWeComRobot(t *testing.T) {
	srv, _, bodies := robot(t, http.StatusOK, `{"errcode":0,"errmsg":"ok"}`)
	require.NoError(t, notify.NewWeCom(http.DefaultClient).Send(context.Background(), notify.Target{Address: srv.URL + "/cgi-bin/webhook/send?key=abc"}, msg))
	assert.JSONEq(t, `{"msgtype":"markdown","markdown":{"content":"**待审批：HT-2026-000123 年度软件服务合同**\n合同 HT-2026-000123（上海星辰科技有限公司）\n环节：销售经理审批\n[https://signet.example/v1/tasks/T1](https://signet.example/v1/tasks/T1)"}}`, string((*bodies)[0]))

	limited, _, _ := robot(t, http.StatusOK, `{"errcode":45009,"errmsg":"api freq out of limit"}`)
	err := notify.NewWeCom(http.DefaultClient).Send(context.Background(), notify.Target{Address: limited.URL}, msg)
	require.Error(t, err)
	assert.False(t, errors.Is(err, notify.ErrPermanent))
	badKey, _, _ := robot(t, http.StatusOK, `{"errcode":93000,"errmsg":"invalid webhook url"}`)
	assert.ErrorIs(t, notify.NewWeCom(http.DefaultClient).Send(context.Background(), notify.Target{Address: badKey.URL}, msg), notify.ErrPermanent)
}

func TestDingTalkRobotSignsItsURL(t *testing.T) {
	srv, reqs, bodies := robot(t, http.StatusOK, `{"errcode":0,"errmsg":"ok"}`)
	at := time.UnixMilli(1_772_413_200_123)
	send := notify.NewDingTalk(http.DefaultClient, func() time.Time { return at })
	require.NoError(t, send.Send(context.Background(), notify.Target{Address: srv.URL + "/robot/send?access_token=tok", Secret: "SEC123"}, msg))
	q := (*reqs)[0].URL.Query()
	assert.Equal(t, "tok", q.Get("access_token"))
	assert.Equal(t, "1772413200123", q.Get("timestamp"))
	mac := hmac.New(sha256.New, []byte("SEC123"))
	mac.Write([]byte("1772413200123\nSEC123"))
	assert.Equal(t, base64.StdEncoding.EncodeToString(mac.Sum(nil)), q.Get("sign"))
	assert.JSONEq(t, `{"msgtype":"markdown","markdown":{"title":"待审批：HT-2026-000123 年度软件服务合同","text":"### 待审批：HT-2026-000123 年度软件服务合同\n合同 HT-2026-000123（上海星辰科技有限公司）\n环节：销售经理审批\n[https://signet.example/v1/tasks/T1](https://signet.example/v1/tasks/T1)"}}`, string((*bodies)[0]))

	limited, _, _ := robot(t, http.StatusOK, `{"errcode":130101,"errmsg":"send too fast"}`)
	err := send.Send(context.Background(), notify.Target{Address: limited.URL}, msg)
	require.Error(t, err)
	assert.False(t, errors.Is(err, notify.ErrPermanent))
	badSign, _, _ := robot(t, http.StatusOK, `{"errcode":310000,"errmsg":"sign not match"}`)
	assert.ErrorIs(t, send.Send(context.Background(), notify.Target{Address: badSign.URL}, msg), notify.ErrPermanent)
}

// Robot messages are markdown; what users typed in them is text, so it
// cannot make links, emphasis, mentions or HTML in a group chat.
func TestRobotMarkdownEscapesWhatUsersTyped(t *testing.T) {
	srv, _, bodies := robot(t, http.StatusOK, `{"errcode":0,"errmsg":"ok"}`)
	typed := notify.Message{ID: "x", Kind: notify.KindTaskOpen, Subject: "待审批：[点我](http://evil.example) **急** @all",
		Text: "客户 <font color=\"red\">星辰</font> `code` #1 | _x_", Link: "https://signet.example/v1/tasks/T1"}
	require.NoError(t, notify.NewWeCom(http.DefaultClient).Send(context.Background(), notify.Target{Address: srv.URL}, typed))
	var body struct{ Markdown struct{ Content string } }
	require.NoError(t, json.Unmarshal((*bodies)[0], &body))
	content := body.Markdown.Content
	assert.Contains(t, content, `\[点我\]\(http://evil.example\)`)
	assert.NotContains(t, content, "](http://evil.example)")
	assert.Contains(t, content, `\*\*急\*\*`)
	assert.Contains(t, content, "＠all")
	assert.Contains(t, content, "&lt;font color=\"red\"&gt;")
	assert.Contains(t, content, "\\`code\\`")
	assert.Contains(t, content, "[https://signet.example/v1/tasks/T1](https://signet.example/v1/tasks/T1)", "our own link stays a link")
}
