package identity

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/google/uuid"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/feed"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/store"
)

// Outbox is the notification store the service reads and writes.
type Outbox interface {
	NotificationSettings(ctx context.Context, userID string) ([]store.Preference, bool, error)
	SaveNotificationSettings(ctx context.Context, userID string, prefs []store.Preference) error
	Outbox(ctx context.Context, f store.OutboxFilter) ([]store.OutboxEntry, error)
	RetryDelivery(ctx context.Context, id string) (store.OutboxEntry, error)
	UserNotices(ctx context.Context, f store.NoticeFilter) ([]store.UserNotice, int, error)
	MarkNoticesRead(ctx context.Context, userID string, ids []int64, through int64) (int, error)
}

// TargetInput is one place to hear about things.
type TargetInput struct {
	Channel string `json:"channel" validate:"required,oneof=email webhook wecom dingtalk"`
	// Address is an email address for email, an http(s) URL otherwise.
	Address string `json:"address" validate:"required,max=500"`
	// Secret signs webhook bodies (HMAC-SHA256) and DingTalk robot URLs.
	Secret string `json:"secret" validate:"max=200"`
	// Kinds limits the target to these notice kinds (notify.UserKinds);
	// empty: every kind.
	Kinds []string `json:"kinds" validate:"max=40"`
}

// SettingsInput replaces the caller's notification settings. An empty list
// silences every notice.
type SettingsInput struct {
	Targets []TargetInput `json:"targets" validate:"required,max=10,dive"`
}

// Settings is where a user hears about things. Secrets are never shown.
type Settings struct {
	// Default is true while the user has not chosen: notices go by email
	// to their address when the server has SMTP configured.
	Default bool               `json:"default"`
	Targets []store.Preference `json:"targets"`
}

// NotificationSettings returns the caller's settings.
func (s *Service) NotificationSettings(ctx context.Context, u domain.User) (Settings, error) {
	prefs, saved, err := s.store.NotificationSettings(ctx, u.ID)
	if err != nil {
		return Settings{}, err
	}
	return Settings{Default: !saved, Targets: redact(prefs)}, nil
}

// SaveNotificationSettings replaces the caller's settings.
func (s *Service) SaveNotificationSettings(ctx context.Context, u domain.User, in SettingsInput) (Settings, error) {
	bad := &domain.ValidationError{}
	prefs := make([]store.Preference, len(in.Targets))
	for i, t := range in.Targets {
		if err := s.checkAddress(t.Channel, t.Address); err != nil {
			bad.Add(fmt.Sprintf("targets[%d].address", i), err.Error())
		}
		if t.Channel == notify.ChannelWebhook && t.Secret == "" {
			bad.Add(fmt.Sprintf("targets[%d].secret", i), "is required for a webhook: receivers check the signature")
		}
		for j, k := range t.Kinds {
			switch {
			case !notify.IsUserKind(k):
				bad.Add(fmt.Sprintf("targets[%d].kinds[%d]", i, j), "is not a notice kind; one of "+strings.Join(notify.UserKinds(), ", "))
			case k == notify.KindEvents && t.Channel != notify.ChannelWebhook:
				bad.Add(fmt.Sprintf("targets[%d].kinds[%d]", i, j), "the change feed's events go to a webhook only")
			case k == notify.KindEvents && !feed.MayRead(u):
				bad.Add(fmt.Sprintf("targets[%d].kinds[%d]", i, j), "the change feed's events are for finance, executives, admins and auditors")
			}
		}
		kinds := t.Kinds
		if kinds == nil {
			kinds = []string{}
		}
		prefs[i] = store.Preference{Channel: t.Channel, Address: t.Address, Secret: t.Secret, Kinds: kinds}
	}
	if len(bad.Fields) > 0 {
		return Settings{}, bad
	}
	if err := s.store.SaveNotificationSettings(ctx, u.ID, prefs); err != nil {
		return Settings{}, err
	}
	return Settings{Targets: redact(prefs)}, nil
}

func (s *Service) checkAddress(channel, address string) error {
	if channel == notify.ChannelEmail {
		a, err := mail.ParseAddress(address)
		if err != nil || a.Name != "" || a.Address != address {
			return fmt.Errorf("must be a plain email address")
		}
		return nil
	}
	return s.guard.CheckURL(address)
}

func redact(prefs []store.Preference) []store.Preference {
	out := make([]store.Preference, len(prefs))
	for i, p := range prefs {
		p.Secret = ""
		out[i] = p
	}
	return out
}

// Notifications lists the caller's latest deliveries.
func (s *Service) Notifications(ctx context.Context, u domain.User) ([]store.OutboxEntry, error) {
	list, err := s.store.Outbox(ctx, store.OutboxFilter{UserID: u.ID, Limit: 100})
	return list, err
}

// NoticesInput pages the caller's in-app notices, newest first.
type NoticesInput struct {
	// Before is the ID of the last notice of the previous page.
	Before int64 `form:"before" validate:"min=0"`
	Unread bool  `form:"unread"`
	Limit  int   `form:"limit" validate:"min=0,max=200"`
}

// Notices is a page of the caller's in-app notices and how many of all
// theirs are unread.
type Notices struct {
	Items  []store.UserNotice
	Unread int
	// Next is the Before of the next page, 0 at the end.
	Next int64
}

// DefaultNoticeLimit is a page's size unless asked.
const DefaultNoticeLimit = 50

// Notices returns a page of the caller's in-app notices: every notice
// they were sent, whatever channels they chose.
func (s *Service) Notices(ctx context.Context, u domain.User, in NoticesInput) (Notices, error) {
	limit := in.Limit
	if limit == 0 {
		limit = DefaultNoticeLimit
	}
	list, unread, err := s.store.UserNotices(ctx, store.NoticeFilter{UserID: u.ID, Before: in.Before, Unread: in.Unread, Limit: limit + 1})
	if err != nil {
		return Notices{}, err
	}
	out := Notices{Items: list, Unread: unread}
	if len(list) > limit {
		out.Items = list[:limit]
		out.Next = list[limit-1].ID
	}
	return out, nil
}

// ReadInput marks notices read: the listed IDs, or with All every notice
// up to Through (the newest the caller has seen, so one that arrived
// since stays unread).
type ReadInput struct {
	IDs     []int64 `json:"ids" validate:"max=500,dive,min=1"`
	All     bool    `json:"all"`
	Through int64   `json:"through" validate:"min=0"`
}

// MarkRead marks the caller's notices read and returns how many stay
// unread. Another user's notice IDs change nothing.
func (s *Service) MarkRead(ctx context.Context, u domain.User, in ReadInput) (int, error) {
	bad := &domain.ValidationError{}
	switch {
	case in.All && len(in.IDs) > 0:
		bad.Add("ids", "give either ids or all, not both")
	case in.All && in.Through == 0:
		bad.Add("through", "is required with all: the newest notice ID you have seen")
	case !in.All && len(in.IDs) == 0:
		bad.Add("ids", "is required unless all is true")
	}
	if len(bad.Fields) > 0 {
		return 0, bad
	}
	return s.store.MarkNoticesRead(ctx, u.ID, in.IDs, in.Through)
}

// DeadLetters lists deliveries that gave up, for admins.
func (s *Service) DeadLetters(ctx context.Context, u domain.User) ([]store.OutboxEntry, error) {
	if !u.Actor().Has(domain.RoleAdmin) {
		return nil, domain.ErrForbidden
	}
	list, err := s.store.Outbox(ctx, store.OutboxFilter{Status: "dead", Limit: 500})
	return list, err
}

// RetryDelivery queues a dead letter again, for admins.
func (s *Service) RetryDelivery(ctx context.Context, u domain.User, id string) (store.OutboxEntry, error) {
	if !u.Actor().Has(domain.RoleAdmin) {
		return store.OutboxEntry{}, domain.ErrForbidden
	}
	if uuid.Validate(id) != nil {
		return store.OutboxEntry{}, domain.ErrNotFound
	}
	e, err := s.store.RetryDelivery(ctx, id)
	var refusal *domain.Refusal
	if errors.As(err, &refusal) {
		return store.OutboxEntry{}, refusal
	}
	return e, err
}
