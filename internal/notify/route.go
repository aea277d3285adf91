package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"

	"github.com/signet-clm/signet/internal/domain"
)

// Preference is one place a user wants to hear about things. Kinds limits
// it to some notice kinds; empty means all. It is stored as JSON.
type Preference struct {
	Channel string   `json:"channel"`
	Address string   `json:"address"`
	Secret  string   `json:"secret,omitempty"`
	Kinds   []string `json:"kinds"`
}

// Recipient is a user as routing needs them: whether they are active, and
// where they chose to hear about things (Saved is false when they never
// chose).
type Recipient struct {
	ID      string
	Email   string
	Active  bool
	Targets []Preference
	Saved   bool
	// DingTalkUserID and WeComUserID are the user's identities on the
	// platforms (set by an admin), "" when none: where a card goes.
	DingTalkUserID string `db:"dingtalk_user_id"`
	WeComUserID    string `db:"wecom_user_id"`
}

// Routing is what routing needs of the configuration.
type Routing struct {
	// EmailByDefault: mail is configured, so who never chose hears by email.
	EmailByDefault bool
	// DingTalkCards and WeComCards: the platform's app is configured to
	// send approval cards (ChannelDingTalkCard, ChannelWeComCard).
	DingTalkCards, WeComCards bool
}

// Outgoing is one outbox row: one notice for one of its recipient's
// targets, or one mail to an address (a signer's).
type Outgoing struct {
	// Key makes the row idempotent: writing it again changes nothing.
	Key     string
	UserID  string
	Channel string
	Address string
	Secret  string
	Message Message
}

// Route decides the outbox rows for notices: one per notice and target of
// an active recipient whose preference takes its kind. A recipient who
// never chose hears by email at their address when r.EmailByDefault (mail
// is configured). A task notice that a card can carry (CardKind) goes to a
// recipient with an identity on a platform whose app is configured as an
// approval card to that identity, instead of a message from their robot on
// the same platform (see cards); other targets still take it. Each row's
// key is the notice's key, the channel and a hash of the address, so
// routing the same notice again yields the same keys.
func Route(notices []Notice, recipients []Recipient, r Routing, at time.Time) []Outgoing {
	byID := make(map[string]Recipient, len(recipients))
	for _, r := range recipients {
		byID[r.ID] = r
	}
	var out []Outgoing
	for _, n := range notices {
		rc, ok := byID[n.UserID]
		if !ok || !rc.Active {
			continue
		}
		msg := Message{Kind: n.Kind, Subject: n.Subject, Text: n.Text, Link: n.Link, At: at, Data: n.Data}
		var taken []Preference
		for _, p := range targets(rc, r.EmailByDefault) {
			if n.Kind == KindTaskClosed {
				break // a card update, for the card channels only
			}
			if len(p.Kinds) == 0 || slices.Contains(p.Kinds, n.Kind) {
				taken = append(taken, p)
			}
		}
		for _, p := range cards(n, rc, r, taken) {
			out = append(out, Outgoing{
				Key:    DeliveryKey(n.Key, p.Channel, p.Address),
				UserID: n.UserID, Channel: p.Channel, Address: p.Address, Secret: p.Secret, Message: msg,
			})
		}
	}
	return out
}

// DeliveryKey is the outbox key of notice key's delivery over channel to
// address: the notice's key, the channel and a hash of the address.
func DeliveryKey(key, channel, address string) string {
	sum := sha256.Sum256([]byte(channel + "\x00" + address))
	return key + "/" + channel + "/" + hex.EncodeToString(sum[:6])
}

// cards is where notice n goes for recipient rc, given the targets that
// take its kind: those, with a card to each platform identity whose app
// is configured when n is a task notice a card carries, in place of a
// robot target on that platform (one message in each app, and the card
// can decide). A recipient who chose targets and none takes the kind gets
// no card either: "tell me nothing" holds. A closed task's notice
// (KindTaskClosed) goes to the card channels only, which update the card
// if one was sent.
func cards(n Notice, rc Recipient, r Routing, taken []Preference) []Preference {
	if n.Data["task_id"] == nil || !(CardKind(n.Kind) || n.Kind == KindTaskClosed) || (CardKind(n.Kind) && rc.Saved && len(taken) == 0) {
		return taken
	}
	var out []Preference
	replaced := map[string]bool{}
	if r.DingTalkCards && rc.DingTalkUserID != "" {
		out = append(out, Preference{Channel: ChannelDingTalkCard, Address: rc.DingTalkUserID})
		replaced[ChannelDingTalk] = true
	}
	if r.WeComCards && rc.WeComUserID != "" {
		out = append(out, Preference{Channel: ChannelWeComCard, Address: rc.WeComUserID})
		replaced[ChannelWeCom] = true
	}
	for _, p := range taken {
		if !replaced[p.Channel] {
			out = append(out, p)
		}
	}
	return out
}

// CardKind reports whether a notice of kind announces a task an approval
// card can carry: a new task, or one escalated to a new approver (its own
// task). A reminder is of a task whose card was sent already, so it
// travels as any other notice.
func CardKind(kind string) bool { return kind == KindTaskOpen || kind == KindTaskEscalated }

// targets is where r hears about things: their choice, or by default
// their email address when mail is configured.
func targets(r Recipient, emailByDefault bool) []Preference {
	if r.Saved {
		return r.Targets
	}
	if emailByDefault && r.Email != "" {
		return []Preference{{Channel: ChannelEmail, Address: r.Email}}
	}
	return nil
}

// Announces reports whether any of tasks needs its assignee now, so that
// ForTasks has something to say (and the contract need not be read).
func Announces(tasks []domain.ApprovalTask) bool {
	return slices.ContainsFunc(tasks, func(t domain.ApprovalTask) bool { return t.Status == domain.TaskOpen && t.AssigneeID != "" })
}

// ForRecorded is every notice a recorded transition produces: the owner's
// news of its event and the announcements of the tasks it opens.
func ForRecorded(t domain.Transition) []Notice {
	out := ForTransition(t)
	if Announces(t.Tasks) {
		c := t.Contract
		out = append(out, ForTasks(ContractSummary{Number: c.Number, Title: c.Title, CustomerName: c.CustomerName,
			OwnerID: c.OwnerID, Amount: c.Amount, Currency: c.Currency}, t.Tasks)...)
	}
	return out
}

// Kept is a notice as its recipient's in-app list keeps it.
type Kept struct {
	UserID, Key, Kind, Subject, Text, Link string
	At                                     time.Time
}

// Keep is what the in-app lists keep of notices: each one for its active
// recipient, whatever channels they chose or silenced, since the list is
// where they can always look.
func Keep(notices []Notice, recipients []Recipient, at time.Time) []Kept {
	active := make(map[string]bool, len(recipients))
	for _, r := range recipients {
		active[r.ID] = r.Active
	}
	var out []Kept
	for _, n := range notices {
		if !active[n.UserID] || n.Kind == KindTaskClosed {
			continue
		}
		out = append(out, Kept{UserID: n.UserID, Key: n.Key, Kind: n.Kind, Subject: n.Subject, Text: n.Text, Link: n.Link, At: at})
	}
	return out
}
