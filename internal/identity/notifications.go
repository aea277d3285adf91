package identity

import (
	"context"
	"errors"
	"fmt"
	"net/mail"

	"github.com/google/uuid"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/notify"
	"github.com/signet-clm/signet/internal/store"
)

// Outbox is the notification store the service reads and writes.
type Outbox interface {
	NotificationSettings(ctx context.Context, userID string) ([]store.Preference, bool, error)
	SaveNotificationSettings(ctx context.Context, userID string, prefs []store.Preference) error
	Outbox(ctx context.Context, f store.OutboxFilter) ([]store.OutboxEntry, error)
	RetryDelivery(ctx context.Context, id string) (store.OutboxEntry, error)
}

// TargetInput is one place to hear about things.
type TargetInput struct {
	Channel string `json:"channel" validate:"required,oneof=email webhook wecom dingtalk"`
	// Address is an email address for email, an http(s) URL otherwise.
	Address string `json:"address" validate:"required,max=500"`
	// Secret signs webhook bodies (HMAC-SHA256) and DingTalk robot URLs.
	Secret string   `json:"secret" validate:"max=200"`
	Kinds  []string `json:"kinds" validate:"max=20,dive,oneof=task.open task.reminder task.escalated digest contract.approved contract.rejected contract.changes_requested contract.cancelled contract.expired contract.signed"`
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
