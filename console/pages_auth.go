package console

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/identity"
)

// loginPage is the sign-in form's data.
type loginPage struct {
	Login string
	Next  string
	// Error is a message of the catalogue; Wait how many minutes a locked
	// account waits.
	Error string
	Wait  int
	// SSO offers signing in with the OIDC issuer.
	SSO bool
}

func (p *pages) loginForm(c *gin.Context) {
	v := p.view(c, "", nil)
	v.Title = v.T("login.title")
	lp := loginPage{Next: localPath(c.Query("next")), SSO: p.d.OIDCLogin != nil}
	if c.Query("expired") != "" {
		lp.Error = "login.expired"
	}
	if c.Query("signed_out") != "" {
		v.Flash = "login.signed_out"
	}
	v.Data = lp
	p.render(c, http.StatusOK, "login", v)
}

// login checks the form and opens a session; a wrong login or password
// says only that, a locked account how long it waits.
func (p *pages) login(c *gin.Context) {
	login, password := c.PostForm("login"), c.PostForm("password")
	next := localPath(c.PostForm("next"))
	s, err := p.d.Users.SignIn(c.Request.Context(), login, password)
	if err == nil {
		// A browser signing in again leaves none of its earlier sessions behind.
		if old, _ := c.Cookie(p.cookieName); old != "" {
			if err := p.d.Users.SignOut(c.Request.Context(), old); err != nil {
				p.d.Logger.Warn("end the earlier session", "err", err)
			}
		}
		p.setCookie(c, s)
		p.redirect(c, next)
		return
	}
	v := p.view(c, "", nil)
	v.Title = v.T("login.title")
	lp := loginPage{Login: login, Next: next, SSO: p.d.OIDCLogin != nil}
	var throttled *domain.Throttled
	status := http.StatusUnauthorized
	switch {
	case errors.Is(err, identity.ErrBadCredentials):
		lp.Error = "login.bad"
	case errors.As(err, &throttled):
		secs := api.RetryAfterSeconds(throttled)
		c.Header("Retry-After", itoa(secs))
		lp.Error, lp.Wait, status = "login.locked", (secs+59)/60, http.StatusTooManyRequests
	default:
		p.serviceError(c, err)
		return
	}
	v.Data = lp
	p.render(c, status, "login", v)
}

func (p *pages) logout(c *gin.Context) {
	if err := p.d.Users.SignOut(c.Request.Context(), c.GetString(sessionKey)); err != nil {
		p.serviceError(c, err)
		return
	}
	p.clearCookie(c)
	p.redirect(c, "/login?signed_out=1")
}

// accountPage is the account settings' data.
type accountPage struct {
	Language string
	Errors   []api.FieldError
}

func (p *pages) account(c *gin.Context) {
	v := p.view(c, "account", accountPage{})
	v.Title = v.T("account.title")
	switch c.Query("done") {
	case "password":
		v.Flash = "account.password_changed"
	case "language":
		v.Flash = "account.language_changed"
	}
	p.render(c, http.StatusOK, "account", v)
}

// changePassword changes the visitor's own password with the current one,
// as POST /v1/me/password does; their other sessions end, this one stays.
func (p *pages) changePassword(c *gin.Context) {
	in := identity.PasswordChange{CurrentPassword: c.PostForm("current_password"), NewPassword: c.PostForm("new_password")}
	err := api.Validate(&in)
	if err == nil && c.PostForm("confirm_password") != in.NewPassword {
		err = domain.InvalidField("confirm_password", p.view(c, "", nil).T("account.mismatch"))
	}
	if err == nil {
		err = p.d.Users.ChangePassword(c.Request.Context(), currentUser(c), in, c.GetString(sessionKey))
	}
	if err == nil {
		p.redirect(c, "/account?done=password")
		return
	}
	status, body := api.ErrorStatus(err)
	if status != http.StatusBadRequest && status != http.StatusTooManyRequests {
		p.serviceError(c, err)
		return
	}
	v := p.view(c, "account", nil)
	v.Title = v.T("account.title")
	page := accountPage{Errors: body.Fields}
	if status == http.StatusTooManyRequests {
		page.Errors = []api.FieldError{{Field: "current_password", Message: v.T("account.locked")}}
	}
	v.Data = page
	p.render(c, status, "account", v)
}

// setLanguage records the language the visitor reads the console in and
// goes back to the page the switch was on.
func (p *pages) setLanguage(c *gin.Context) {
	if err := p.d.Users.SetLanguage(c.Request.Context(), currentUser(c), c.PostForm("language")); err != nil {
		p.serviceError(c, err)
		return
	}
	p.redirect(c, localPath(c.DefaultPostForm("next", "/account?done=language")))
}
