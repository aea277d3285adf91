// Package notify tells people what needs them: an outbox written in the
// same transaction as the event, a dispatcher that delivers each entry once,
// and the channels it delivers over (email, webhook, WeCom, DingTalk).
package notify

import (
	"context"
	"errors"
	"time"
)

// Channel names, as stored in preferences and the outbox.
const (
	ChannelEmail    = "email"
	ChannelWebhook  = "webhook"
	ChannelWeCom    = "wecom"
	ChannelDingTalk = "dingtalk"
	// ChannelDingTalkCard and ChannelWeComCard are approval cards sent by
	// the platform's app to a user's identity there (cards.go); no user
	// chooses them, an admin's identity mapping does.
	ChannelDingTalkCard = "dingtalk_card"
	ChannelWeComCard    = "wecom_card"
)

// Message is one notification to deliver.
type Message struct {
	// ID is the delivery's stable ID: receivers deduplicate on it, so a
	// delivery retried after a crash is still seen once.
	ID      string         `json:"id"`
	Kind    string         `json:"kind"`
	Subject string         `json:"subject"`
	Text    string         `json:"text"`
	Link    string         `json:"link,omitempty"`
	At      time.Time      `json:"at"`
	Data    map[string]any `json:"data,omitempty"`
}

// Target is where a preference says to deliver.
type Target struct {
	Channel string `json:"channel"`
	// Address is an email address, a URL, or a platform user ID (cards).
	Address string `json:"address"`
	// Secret signs webhooks (HMAC) and DingTalk robot URLs.
	Secret string `json:"-"`
}

// Sender delivers over one channel.
type Sender interface {
	Send(ctx context.Context, t Target, m Message) error
}

// ErrPermanent marks a failure retrying cannot mend (a refused address, a
// 4xx answer): the delivery goes straight to the dead letters.
var ErrPermanent = errors.New("permanent delivery failure")
