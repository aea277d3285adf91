package console

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/notify"
)

// 通知设置 (/account/notifications): where the visitor hears about things,
// as GET and PUT /v1/me/notification-settings, through the same identity
// service. Secrets are never shown, so a webhook or DingTalk row is saved
// with its secret typed again.

// notifyRows is how many rows the form offers beyond the saved ones.
const notifyRows = 2

type notifyPage struct {
	Default  bool
	Rows     []notifyRow
	Channels []string
	Kinds    []string
	Errors   map[string]string
	Other    []api.FieldError
	Done     bool
}

type notifyRow struct {
	Index            int
	Channel, Address string
	Kinds            []string
	Saved            bool
}

// HasKind reports whether the row takes kind.
func (r notifyRow) HasKind(kind string) bool {
	for _, k := range r.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

func (p *pages) notificationSettings(c *gin.Context) {
	set, err := p.d.Users.NotificationSettings(c.Request.Context(), currentUser(c))
	if err != nil {
		p.serviceError(c, err)
		return
	}
	np := notifyPage{Default: set.Default, Done: c.Query("done") == "saved"}
	for i, t := range set.Targets {
		np.Rows = append(np.Rows, notifyRow{Index: i, Channel: t.Channel, Address: t.Address, Kinds: t.Kinds, Saved: true})
	}
	p.showNotify(c, http.StatusOK, np)
}

func (p *pages) showNotify(c *gin.Context, status int, np notifyPage) {
	for range notifyRows {
		np.Rows = append(np.Rows, notifyRow{Index: len(np.Rows), Channel: notify.ChannelEmail})
	}
	np.Channels = []string{notify.ChannelEmail, notify.ChannelWebhook, notify.ChannelWeCom, notify.ChannelDingTalk}
	np.Kinds = notify.UserKinds()
	v := p.view(c, "account", np)
	v.Title = v.T("notify.title")
	p.render(c, status, "notifysettings", v)
}

// saveNotificationSettings replaces the visitor's targets with the rows
// that have an address (none: hear nothing but the in-app list).
func (p *pages) saveNotificationSettings(c *gin.Context) {
	var in identity.SettingsInput
	in.Targets = []identity.TargetInput{}
	// Rows without an address are left out; the rest are the targets, in
	// order, so target i's errors belong to row i.
	var rows []notifyRow
	for i := 0; i < 20; i++ {
		prefix := "t" + strconv.Itoa(i) + "."
		channel, ok := c.GetPostForm(prefix + "channel")
		if !ok {
			break
		}
		row := notifyRow{Index: len(rows), Channel: channel, Address: strings.TrimSpace(c.PostForm(prefix + "address")), Kinds: c.PostFormArray(prefix + "kinds")}
		if row.Address == "" {
			continue
		}
		rows = append(rows, row)
		in.Targets = append(in.Targets, identity.TargetInput{Channel: channel, Address: row.Address, Secret: c.PostForm(prefix + "secret"), Kinds: row.Kinds})
	}
	err := api.Validate(&in)
	if err == nil {
		_, err = p.d.Users.SaveNotificationSettings(c.Request.Context(), currentUser(c), in)
	}
	if err == nil {
		p.redirect(c, "/account/notifications?done=saved")
		return
	}
	status, body := api.ErrorStatus(err)
	if status >= 500 || status == http.StatusNotFound || status == http.StatusForbidden {
		p.serviceError(c, err)
		return
	}
	np := notifyPage{Rows: rows, Errors: map[string]string{}}
	for _, fe := range body.Fields {
		// targets[2].kinds[0] → row 2's kinds.
		var t int
		var rest string
		if n, _ := fmt.Sscanf(fe.Field, "targets[%d]%s", &t, &rest); n == 2 && t < len(rows) {
			field, _, _ := strings.Cut(strings.TrimPrefix(rest, "."), "[")
			np.Errors[fmt.Sprintf("t%d.%s", t, field)] = fe.Message
			continue
		}
		np.Other = append(np.Other, api.FieldError{Field: fe.Field, Message: fe.Message})
	}
	if len(body.Fields) == 0 {
		np.Other = []api.FieldError{{Message: body.Message}}
	}
	p.showNotify(c, status, np)
}
