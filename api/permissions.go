package api

import (
	"errors"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/domain"
)

// errRouteForbidden is the route table's refusal.
var errRouteForbidden = errors.New("your role may not call this route")

// authorize refuses a caller holding none of a route's roles (the Roles of
// its entry in the route table); no roles means any signed-in user.
func (h *handlers) authorize(allowed []domain.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if len(allowed) > 0 && !slices.ContainsFunc(allowed, currentUser(c).Actor().Has) {
			writeError(c, h.d.Logger, errRouteForbidden)
			return
		}
		c.Next()
	}
}
