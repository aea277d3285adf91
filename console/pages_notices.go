package console

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/identity"
)

// noticesPage is the caller's in-app notices (GET /notices), as
// GET /v1/me/notices gives them.
type noticesPage struct {
	Page   identity.Notices
	Unread bool
	// Newest is the newest notice shown, which "mark all read" goes up to.
	Newest int64
}

// notices lists the visitor's notices, newest first, all or unread only.
func (p *pages) notices(c *gin.Context) {
	in := identity.NoticesInput{Unread: c.Query("unread") == "1"}
	if b := c.Query("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 0 {
			p.notFound(c)
			return
		}
		in.Before = n
	}
	page, err := p.d.Users.Notices(c.Request.Context(), currentUser(c), in)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	data := noticesPage{Page: page, Unread: in.Unread}
	if len(page.Items) > 0 && in.Before == 0 {
		data.Newest = page.Items[0].ID
	}
	v := p.view(c, "notices", data)
	v.Title = v.T("notices.title")
	p.render(c, http.StatusOK, "notices", v)
}

// readNotices marks one notice read (id) or every one up to through, as
// POST /v1/me/notices/read does, and goes back to the list.
func (p *pages) readNotices(c *gin.Context) {
	var in identity.ReadInput
	if id, err := strconv.ParseInt(c.PostForm("id"), 10, 64); err == nil && id > 0 {
		in.IDs = []int64{id}
	} else if through, err := strconv.ParseInt(c.PostForm("through"), 10, 64); err == nil && through > 0 {
		in.All, in.Through = true, through
	}
	err := api.Validate(&in)
	if err == nil {
		_, err = p.d.Users.MarkRead(c.Request.Context(), currentUser(c), in)
	}
	if err != nil {
		p.serviceError(c, err)
		return
	}
	back := "/notices"
	if c.PostForm("unread") == "1" {
		back += "?unread=1"
	}
	p.redirect(c, back)
}
