package notifytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Platform is a local fake of DingTalk's or WeCom's open API, enough to
// send cards to: it hands out access tokens, takes cards with a valid one,
// keeps them, and can be told to fail. No live platform is reachable from
// tests; this answers as their documentation says they do.
type Platform struct {
	URL string
	mu  sync.Mutex
	// Cards are the bodies of the cards accepted, in order; updates those
	// of the card updates.
	cards   [][]byte
	updates [][]byte
	tokens  int
	valid   map[string]bool
	fail    []failure
	// codes are WeCom's response_codes handed out and not spent.
	codes map[string]bool
}

type failure struct {
	status int
	body   string
}

// Cards returns the bodies of the cards accepted so far.
func (p *Platform) Cards() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.cards...)
}

// Updates returns the bodies of the card updates accepted so far.
func (p *Platform) Updates() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.updates...)
}

// Tokens is how many access tokens were handed out.
func (p *Platform) Tokens() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokens
}

// FailNext answers the next card with status and body instead of taking it.
func (p *Platform) FailNext(status int, body string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail = append(p.fail, failure{status, body})
}

// Revoke makes every token handed out so far invalid, as the platform
// does when a token expires early.
func (p *Platform) Revoke() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.valid = map[string]bool{}
}

func (p *Platform) issue() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tokens++
	tok := fmt.Sprintf("tok-%d", p.tokens)
	p.valid[tok] = true
	return tok
}

// take answers a card sent with tok: a failure asked for, a refused
// token, or the card kept.
func (p *Platform) take(w http.ResponseWriter, tok string, body []byte, badToken failure, ok string) {
	p.keep(w, tok, body, badToken, ok, &p.cards)
}

func (p *Platform) keep(w http.ResponseWriter, tok string, body []byte, badToken failure, ok string, into *[][]byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var f *failure
	switch {
	case !p.valid[tok]:
		f = &badToken
	case len(p.fail) > 0:
		f = &p.fail[0]
		p.fail = p.fail[1:]
	}
	w.Header().Set("Content-Type", "application/json")
	if f != nil {
		w.WriteHeader(f.status)
		_, _ = io.WriteString(w, f.body)
		return
	}
	*into = append(*into, body)
	_, _ = io.WriteString(w, ok)
}

func newPlatform(t testing.TB, mux func(p *Platform) http.Handler) *Platform {
	p := &Platform{valid: map[string]bool{}, codes: map[string]bool{}}
	srv := httptest.NewServer(mux(p))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// NewDingTalk fakes api.dingtalk.com for an app with appKey and appSecret:
// POST /v1.0/oauth2/accessToken, POST /v1.0/im/interactiveCards/send and
// PUT /v1.0/im/interactiveCards (an update of a card it was sent; token in
// x-acs-dingtalk-access-token, a bad one is 401 InvalidAuthentication).
func NewDingTalk(t testing.TB, appKey, appSecret string) *Platform {
	return newPlatform(t, func(p *Platform) http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("POST /v1.0/oauth2/accessToken", func(w http.ResponseWriter, r *http.Request) {
			var in struct{ AppKey, AppSecret string }
			if json.NewDecoder(r.Body).Decode(&in) != nil || in.AppKey != appKey || in.AppSecret != appSecret {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"code":"invalidClientIdOrSecret","message":"无效的clientId或者clientSecret"}`)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"accessToken": p.issue(), "expireIn": 7200})
		})
		mux.HandleFunc("POST /v1.0/im/interactiveCards/send", func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			p.take(w, r.Header.Get("x-acs-dingtalk-access-token"), body,
				failure{http.StatusUnauthorized, `{"code":"InvalidAuthentication","message":"不合法的access_token"}`},
				`{"result":{"processQueryKey":"pqk-1"}}`)
		})
		mux.HandleFunc("PUT /v1.0/im/interactiveCards", func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			var in struct{ OutTrackID string }
			_ = json.Unmarshal(body, &in)
			if !p.sent(in.OutTrackID) {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"code":"card.notFound","message":"卡片不存在"}`)
				return
			}
			p.keep(w, r.Header.Get("x-acs-dingtalk-access-token"), body,
				failure{http.StatusUnauthorized, `{"code":"InvalidAuthentication","message":"不合法的access_token"}`},
				`{"success":true,"result":true}`, &p.updates)
		})
		return mux
	})
}

// sent reports whether a card with outTrackId track was taken.
func (p *Platform) sent(track string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.cards {
		var in struct{ OutTrackID string }
		if json.Unmarshal(c, &in) == nil && in.OutTrackID == track && track != "" {
			return true
		}
	}
	return false
}

// NewWeCom fakes qyapi.weixin.qq.com for corpID and secret: GET
// /cgi-bin/gettoken and POST /cgi-bin/message/send?access_token= (a bad
// token is errcode 40014); each card's answer carries a response_code
// ("rc-1", …) that POST /cgi-bin/message/update_template_card spends once.
func NewWeCom(t testing.TB, corpID, secret string) *Platform {
	return newPlatform(t, func(p *Platform) http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /cgi-bin/gettoken", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("corpid") != corpID || r.URL.Query().Get("corpsecret") != secret {
				_, _ = io.WriteString(w, `{"errcode":40001,"errmsg":"invalid credential"}`)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"errcode": 0, "errmsg": "ok", "access_token": p.issue(), "expires_in": 7200})
		})
		mux.HandleFunc("POST /cgi-bin/message/send", func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			p.mu.Lock()
			code := fmt.Sprintf("rc-%d", len(p.cards)+1)
			p.codes[code] = true
			p.mu.Unlock()
			p.take(w, r.URL.Query().Get("access_token"), body,
				failure{http.StatusOK, `{"errcode":40014,"errmsg":"invalid access_token"}`},
				`{"errcode":0,"errmsg":"ok","invaliduser":"","msgid":"m-1","response_code":"`+code+`"}`)
		})
		mux.HandleFunc("POST /cgi-bin/message/update_template_card", func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			var in struct {
				ResponseCode string `json:"response_code"`
			}
			_ = json.Unmarshal(body, &in)
			p.mu.Lock()
			fresh := p.codes[in.ResponseCode]
			delete(p.codes, in.ResponseCode)
			p.mu.Unlock()
			if !fresh {
				// 40058 is WeCom's "parameter not valid"; which code a spent
				// response_code gets is not documented at hand.
				_, _ = io.WriteString(w, `{"errcode":40058,"errmsg":"invalid response_code"}`)
				return
			}
			p.keep(w, r.URL.Query().Get("access_token"), body,
				failure{http.StatusOK, `{"errcode":40014,"errmsg":"invalid access_token"}`},
				`{"errcode":0,"errmsg":"ok","invaliduser":[]}`, &p.updates)
		})
		return mux
	})
}
