package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/domain"
	"github.com/signet-clm/signet/store"
	"github.com/signet-clm/signet/users"
)

// tokenRoutes: callers issue, list and revoke their own tokens; admins
// anyone's (?user_id=).
func (h *handlers) tokenRoutes(v1 *gin.RouterGroup) {
	us := h.d.Users
	v1.POST("/tokens", withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, _ *gin.Context, in users.TokenInput) (users.IssuedToken, error) {
		return us.Issue(ctx, u, in)
	}))
	v1.GET("/tokens", func(c *gin.Context) {
		list, err := listOf(us.List(c.Request.Context(), currentUser(c), c.Query("user_id")))
		h.respond(c, http.StatusOK, list, err)
	})
	v1.DELETE("/tokens/:id", func(c *gin.Context) {
		if err := us.Revoke(c.Request.Context(), currentUser(c), c.Query("user_id"), c.Param("id")); err != nil {
			writeError(c, h.d.Logger, err)
			return
		}
		c.Status(http.StatusNoContent)
	})
}

// notificationRoutes: each user chooses where they hear about things and
// reads what was sent them; admins read and retry the dead letters.
func (h *handlers) notificationRoutes(v1 *gin.RouterGroup) {
	us := h.d.Users
	v1.GET("/me/notification-settings", func(c *gin.Context) {
		s, err := us.NotificationSettings(c.Request.Context(), currentUser(c))
		h.respond(c, http.StatusOK, s, err)
	})
	v1.PUT("/me/notification-settings", withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, _ *gin.Context, in users.SettingsInput) (users.Settings, error) {
		return us.SaveNotificationSettings(ctx, u, in)
	}))
	v1.GET("/notifications", func(c *gin.Context) {
		list, err := listOf(us.Notifications(c.Request.Context(), currentUser(c)))
		h.respond(c, http.StatusOK, list, err)
	})
	v1.GET("/notifications/dead-letters", func(c *gin.Context) {
		list, err := listOf(us.DeadLetters(c.Request.Context(), currentUser(c)))
		h.respond(c, http.StatusOK, list, err)
	})
	v1.POST("/notifications/:id/retry", func(c *gin.Context) {
		e, err := us.RetryDelivery(c.Request.Context(), currentUser(c), c.Param("id"))
		h.respond(c, http.StatusOK, e, err)
	})
}

// userRoutes: admins manage accounts, roles, managers and OIDC links;
// auditors read them.
func (h *handlers) userRoutes(v1 *gin.RouterGroup) {
	us := h.d.Users
	v1.GET("/users", func(c *gin.Context) {
		list, err := listOf(us.Users(c.Request.Context()))
		h.respond(c, http.StatusOK, list, err)
	})
	v1.GET("/users/:id", func(c *gin.Context) {
		a, err := us.User(c.Request.Context(), c.Param("id"))
		h.respond(c, http.StatusOK, a, err)
	})
	v1.POST("/users", withJSON(h, http.StatusCreated, func(ctx context.Context, _ domain.User, c *gin.Context, in users.CreateUserInput) (store.Account, error) {
		a, err := us.CreateUser(ctx, in)
		if err == nil {
			c.Header("Location", "/v1/users/"+a.ID)
		}
		return a, err
	}))
	v1.PATCH("/users/:id", withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in users.UpdateUserInput) (store.Account, error) {
		return us.UpdateUser(ctx, u, c.Param("id"), in)
	}))
}
