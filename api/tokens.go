package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/identity"
)

// Callers issue, list and revoke their own tokens; admins anyone's
// (?user_id=).
func (h *handlers) issueToken(c *gin.Context) {
	withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, _ *gin.Context, in identity.TokenInput) (IssuedToken, error) {
		return as(toIssuedToken)(h.d.Users.Issue(ctx, u, in))
	})(c)
}

func (h *handlers) tokens(c *gin.Context) {
	list, err := listAs(toTokenInfo)(h.d.Users.List(c.Request.Context(), currentUser(c), c.Query("user_id")))
	h.respond(c, http.StatusOK, list, err)
}

func (h *handlers) revokeToken(c *gin.Context) {
	if err := h.d.Users.Revoke(c.Request.Context(), currentUser(c), c.Query("user_id"), c.Param("id")); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// Each user chooses where they hear about things and reads what was sent
// them; admins read and retry the dead letters.
func (h *handlers) notificationSettings(c *gin.Context) {
	s, err := as(toNotificationSettings)(h.d.Users.NotificationSettings(c.Request.Context(), currentUser(c)))
	h.respond(c, http.StatusOK, s, err)
}

func (h *handlers) saveNotificationSettings(c *gin.Context) {
	withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, _ *gin.Context, in identity.SettingsInput) (NotificationSettings, error) {
		return as(toNotificationSettings)(h.d.Users.SaveNotificationSettings(ctx, u, in))
	})(c)
}

func (h *handlers) notifications(c *gin.Context) {
	list, err := listAs(toOutboxEntry)(h.d.Users.Notifications(c.Request.Context(), currentUser(c)))
	h.respond(c, http.StatusOK, list, err)
}

// Every notice a user is sent is also in their in-app list.
func (h *handlers) notices(c *gin.Context) {
	withQuery(h, func(ctx context.Context, u domain.User, _ *gin.Context, in identity.NoticesInput) (NoticePage, error) {
		return as(toNoticePage)(h.d.Users.Notices(ctx, u, in))
	})(c)
}

func (h *handlers) readNotices(c *gin.Context) {
	withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, _ *gin.Context, in identity.ReadInput) (NoticesRead, error) {
		n, err := h.d.Users.MarkRead(ctx, u, in)
		return NoticesRead{Unread: n}, err
	})(c)
}

func (h *handlers) deadLetters(c *gin.Context) {
	list, err := listAs(toOutboxEntry)(h.d.Users.DeadLetters(c.Request.Context(), currentUser(c)))
	h.respond(c, http.StatusOK, list, err)
}

func (h *handlers) retryDelivery(c *gin.Context) {
	e, err := as(toOutboxEntry)(h.d.Users.RetryDelivery(c.Request.Context(), currentUser(c), c.Param("id")))
	h.respond(c, http.StatusOK, e, err)
}

// Admins manage accounts, roles, managers and OIDC links; auditors read
// them.
func (h *handlers) users(c *gin.Context) {
	list, err := listAs(toAccount)(h.d.Users.Users(c.Request.Context()))
	h.respond(c, http.StatusOK, list, err)
}

func (h *handlers) user(c *gin.Context) {
	a, err := as(toAccount)(h.d.Users.User(c.Request.Context(), c.Param("id")))
	h.respond(c, http.StatusOK, a, err)
}

func (h *handlers) createUser(c *gin.Context) {
	withJSON(h, http.StatusCreated, func(ctx context.Context, _ domain.User, c *gin.Context, in identity.CreateUserInput) (Account, error) {
		a, err := as(toAccount)(h.d.Users.CreateUser(ctx, in))
		if err == nil {
			c.Header("Location", "/v1/users/"+a.ID)
		}
		return a, err
	})(c)
}

func (h *handlers) signingAuthority(c *gin.Context) {
	a, err := as(toSigningAuthority)(h.d.Users.SigningAuthority(c.Request.Context(), c.Param("id")))
	h.respond(c, http.StatusOK, a, err)
}

func (h *handlers) setSigningAuthority(c *gin.Context) {
	withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in identity.SigningAuthorityInput) (SigningAuthority, error) {
		return as(toSigningAuthority)(h.d.Users.SetSigningAuthority(ctx, u, c.Param("id"), in))
	})(c)
}

func (h *handlers) clearSigningAuthority(c *gin.Context) {
	a, err := as(toSigningAuthority)(h.d.Users.ClearSigningAuthority(c.Request.Context(), c.Param("id")))
	h.respond(c, http.StatusOK, a, err)
}

func (h *handlers) signatories(c *gin.Context) {
	list, err := listAs(toSigningAuthority)(h.d.Users.AuthorisedSignatories(c.Request.Context()))
	h.respond(c, http.StatusOK, list, err)
}

func (h *handlers) updateUser(c *gin.Context) {
	withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in identity.UpdateUserInput) (Account, error) {
		return as(toAccount)(h.d.Users.UpdateUser(ctx, u, c.Param("id"), in))
	})(c)
}

// setPassword sets a user's initial (or a reset) console password; their
// sessions end.
func (h *handlers) setPassword(c *gin.Context) {
	var in identity.PasswordInput
	if err := h.bindJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	if err := h.d.Users.SetPassword(c.Request.Context(), currentUser(c), c.Param("id"), in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// changePassword changes the caller's own password, given the current
// one; their console sessions end.
func (h *handlers) changePassword(c *gin.Context) {
	var in identity.PasswordChange
	if err := h.bindJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	if err := h.d.Users.ChangePassword(c.Request.Context(), currentUser(c), in, ""); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	c.Status(http.StatusNoContent)
}
