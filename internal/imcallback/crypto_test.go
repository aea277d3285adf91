package imcallback

import (
	"errors"
	"strings"
	"testing"
)

// DingTalk's published debugging example (开放平台 FAQ "回调接口本地调试方案",
// also the vector of its SDKs' tests): token 123456, the key and suiteKey
// below, the query signature=5a65ce…&timestamp=1445827045067&nonce=nEXhMP4r
// and the POST body's encrypt.
const (
	dingToken    = "123456"
	dingAESKey   = "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij"
	dingReceiver = "suite4xxxxxxxxxxxxxxx"
	dingSig      = "5a65ceeef9aab2d149439f82dc191dd6c5cbe2c0"
	dingTS       = "1445827045067"
	dingNonce    = "nEXhMP4r"
	dingEncrypt  = "1a3NBxmCFwkCJvfoQ7WhJHB+iX3qHPsc9JbaDznE1i03peOk1LaOQoRz3+nlyGNhwmwJ3vDMG+OzrHMeiZI7gTRWVdUBmfxjZ8Ej23JVYa9VrYeJ5as7XM/ZpulX8NEQis44w53h1qAgnC3PRzM7Zc/D6Ibr0rgUathB6zRHP8PYrfgnNOS9PhSBdHlegK+AGGanfwjXuQ9+0pZcy0w9lQ=="
	dingPlain    = `{"EventType":"check_create_suite_url","Random":"LPIdSnlF","TestSuiteKey":"suite4xxxxxxxxxxxxxxx"}`
	dingRandom   = "hU3bEfGZZewzhG5a"
)

// WeCom's published sample (WXBizMsgCrypt Sample, every language): token
// QDG6eK, corpid wx5823bf96d3bd56c7, the key below; the URL check's echostr
// and a POSTed message.
const (
	weToken     = "QDG6eK"
	weAESKey    = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	weReceiver  = "wx5823bf96d3bd56c7"
	weEchoSig   = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
	weEchoTS    = "1409659589"
	weEchoNonce = "263014780"
	weEcho      = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
	weEchoPlain = "1616140317555161061"
	weMsgSig    = "477715d11cdb4164915debcba66cb864d751f3e6"
	weMsgTS     = "1409659813"
	weMsgNonce  = "1372623149"
	weMsg       = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)

func TestDingTalkPublishedVector(t *testing.T) {
	c, err := New(dingToken, dingAESKey, dingReceiver)
	if err != nil {
		t.Fatal(err)
	}
	if got := Signature(dingToken, dingTS, dingNonce, dingEncrypt); got != dingSig {
		t.Fatalf("signature %s, published %s", got, dingSig)
	}
	msg, err := c.Open(dingSig, dingTS, dingNonce, dingEncrypt)
	if err != nil {
		t.Fatal(err)
	}
	if string(msg) != dingPlain {
		t.Fatalf("plaintext %q", msg)
	}
	// Encrypting the same message with the vector's random bytes gives the
	// published ciphertext: our padding and layout are the platform's.
	again, err := c.Encrypt([]byte(dingPlain), strings.NewReader(dingRandom))
	if err != nil {
		t.Fatal(err)
	}
	if again != dingEncrypt {
		t.Fatalf("encrypt gives %s", again)
	}
}

func TestWeComPublishedVectors(t *testing.T) {
	c, err := New(weToken, weAESKey, weReceiver)
	if err != nil {
		t.Fatal(err)
	}
	echo, err := c.Open(weEchoSig, weEchoTS, weEchoNonce, weEcho)
	if err != nil {
		t.Fatal(err)
	}
	if string(echo) != weEchoPlain {
		t.Fatalf("echo %q", echo)
	}
	msg, err := c.Open(weMsgSig, weMsgTS, weMsgNonce, weMsg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(msg), "<xml>") || !strings.Contains(string(msg), "wx5823bf96d3bd56c7") {
		t.Fatalf("message %q", msg)
	}
}

func TestRefusals(t *testing.T) {
	c, _ := New(weToken, weAESKey, weReceiver)
	if _, err := c.Open(weEchoSig, weEchoTS, "1", weEcho); !errors.Is(err, ErrSignature) {
		t.Fatalf("changed nonce: %v", err)
	}
	other, _ := New(weToken, weAESKey, "wwsomeoneelse")
	if _, err := other.Open(weEchoSig, weEchoTS, weEchoNonce, weEcho); !errors.Is(err, ErrReceiver) {
		t.Fatalf("other receiver: %v", err)
	}
	if _, err := c.Decrypt("bm90IGNpcGhlcnRleHQ="); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("garbage: %v", err)
	}
	if _, err := New(weToken, "short", weReceiver); err == nil {
		t.Fatal("short key accepted")
	}
}

func TestRoundTripChinese(t *testing.T) {
	c, _ := New(dingToken, dingAESKey, "dingcorp")
	for _, msg := range []string{"", "success", `{"value":"同意，金额无误"}`, strings.Repeat("审", 100)} {
		enc, sig, err := c.Seal([]byte(msg), "1700000000000", "abc", nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Open(sig, "1700000000000", "abc", enc)
		if err != nil || string(got) != msg {
			t.Fatalf("%q -> %q, %v", msg, got, err)
		}
	}
}
