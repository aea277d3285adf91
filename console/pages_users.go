package console

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/identity"
)

// Users (用户管理): admins create accounts, change roles, managers and OIDC
// links, deactivate and set an initial password; auditors read. The
// API's /v1/users routes and roles, through the same identity service.
var (
	userReaders = []domain.Role{domain.RoleAdmin, domain.RoleAuditor}
	userAdmins  = []domain.Role{domain.RoleAdmin}
)

// usersPage is the list, or one account's form (Account nil: a new one).
type usersPage struct {
	Users   []api.Account
	Account *api.Account
	Form    userForm
	Roles   []domain.Role
	Errors  map[string]string
	Other   []api.FieldError
	MayEdit bool
	// Flash names what was just done (saved, password).
	Done string
}

type userForm struct {
	ID, Name, Email, ManagerID, OIDCSubject string
	DingTalkUserID, WeComUserID             string
	Roles                                   []string
	Active                                  bool
}

// HasRole reports whether the form has role r ticked.
func (f userForm) HasRole(r domain.Role) bool {
	for _, x := range f.Roles {
		if x == string(r) {
			return true
		}
	}
	return false
}

func (p *pages) usersList(c *gin.Context) {
	list, err := p.d.Users.Users(c.Request.Context())
	if err != nil {
		p.serviceError(c, err)
		return
	}
	up := usersPage{MayEdit: currentUser(c).Actor().Has(domain.RoleAdmin)}
	for _, a := range list {
		up.Users = append(up.Users, api.AccountOf(a))
	}
	v := p.view(c, "users", up)
	v.Title = v.T("users.title")
	p.render(c, http.StatusOK, "users", v)
}

// userPage shows an account's form (GET /admin/users/:id, or /new).
func (p *pages) userPage(c *gin.Context) {
	up := usersPage{Roles: domain.Roles, MayEdit: currentUser(c).Actor().Has(domain.RoleAdmin), Done: c.Query("done")}
	if id := c.Param("id"); id != "" {
		a, err := p.d.Users.User(c.Request.Context(), id)
		if err != nil {
			p.serviceError(c, err)
			return
		}
		acct := api.AccountOf(a)
		up.Account, up.Form = &acct, formOf(acct)
	} else {
		up.Form.Active = true
	}
	p.showUser(c, http.StatusOK, up)
}

func formOf(a api.Account) userForm {
	f := userForm{ID: a.ID, Name: a.Name, Email: a.Email, Active: a.Active}
	for _, r := range a.Roles {
		f.Roles = append(f.Roles, string(r))
	}
	if a.ManagerID != nil {
		f.ManagerID = *a.ManagerID
	}
	if a.OIDCSubject != nil {
		f.OIDCSubject = *a.OIDCSubject
	}
	if a.DingTalkUserID != nil {
		f.DingTalkUserID = *a.DingTalkUserID
	}
	if a.WeComUserID != nil {
		f.WeComUserID = *a.WeComUserID
	}
	return f
}

func (p *pages) showUser(c *gin.Context, status int, up usersPage) {
	list, err := p.d.Users.Users(c.Request.Context())
	if err != nil {
		p.serviceError(c, err)
		return
	}
	for _, a := range list {
		up.Users = append(up.Users, api.AccountOf(a))
	}
	up.Roles = domain.Roles
	v := p.view(c, "users", up)
	v.Title = v.T("users.new")
	if up.Account != nil {
		v.Title = up.Account.Name
	}
	p.render(c, status, "user", v)
}

func postedUser(c *gin.Context) userForm {
	return userForm{ID: strings.TrimSpace(c.PostForm("id")), Name: c.PostForm("name"), Email: strings.TrimSpace(c.PostForm("email")),
		ManagerID: c.PostForm("manager_id"), OIDCSubject: strings.TrimSpace(c.PostForm("oidc_subject")),
		DingTalkUserID: strings.TrimSpace(c.PostForm("dingtalk_user_id")), WeComUserID: strings.TrimSpace(c.PostForm("wecom_user_id")),
		Roles: c.PostFormArray("roles"), Active: c.PostForm("active") == "1"}
}

func roles(names []string) []domain.Role {
	out := make([]domain.Role, 0, len(names))
	for _, n := range names {
		out = append(out, domain.Role(n))
	}
	return out
}

// createUser is POST /v1/users from the form.
func (p *pages) createUser(c *gin.Context) {
	f := postedUser(c)
	in := identity.CreateUserInput{ID: f.ID, Name: f.Name, Email: f.Email, Roles: roles(f.Roles), ManagerID: f.ManagerID, OIDCSubject: f.OIDCSubject,
		DingTalkUserID: f.DingTalkUserID, WeComUserID: f.WeComUserID}
	err := api.Validate(&in)
	if err == nil {
		_, err = p.d.Users.CreateUser(c.Request.Context(), in)
	}
	if err == nil {
		p.redirect(c, "/admin/users/"+f.ID+"?done=saved")
		return
	}
	p.userRefused(c, err, usersPage{Form: f, MayEdit: true})
}

// updateUser is PATCH /v1/users/{id} from the form: every field as shown.
func (p *pages) updateUser(c *gin.Context) {
	id := c.Param("id")
	a, err := p.d.Users.User(c.Request.Context(), id)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	acct := api.AccountOf(a)
	f := postedUser(c)
	f.ID = id
	rs := roles(f.Roles)
	in := identity.UpdateUserInput{Name: &f.Name, Email: &f.Email, Roles: &rs, ManagerID: &f.ManagerID, Active: &f.Active, OIDCSubject: &f.OIDCSubject,
		DingTalkUserID: &f.DingTalkUserID, WeComUserID: &f.WeComUserID}
	err = api.Validate(&in)
	if err == nil {
		_, err = p.d.Users.UpdateUser(c.Request.Context(), currentUser(c), id, in)
	}
	if err == nil {
		p.redirect(c, "/admin/users/"+id+"?done=saved")
		return
	}
	p.userRefused(c, err, usersPage{Account: &acct, Form: f, MayEdit: true})
}

// setUserPassword is PUT /v1/users/{id}/password from the form.
func (p *pages) setUserPassword(c *gin.Context) {
	id := c.Param("id")
	a, err := p.d.Users.User(c.Request.Context(), id)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	in := identity.PasswordInput{Password: c.PostForm("password")}
	err = api.Validate(&in)
	if err == nil {
		err = p.d.Users.SetPassword(c.Request.Context(), currentUser(c), id, in)
	}
	if err == nil {
		p.redirect(c, "/admin/users/"+id+"?done=password")
		return
	}
	acct := api.AccountOf(a)
	p.userRefused(c, err, usersPage{Account: &acct, Form: formOf(acct), MayEdit: true})
}

// userRefused shows the form again with the service's field errors
// beside their inputs, or the refusal's reason above it.
func (p *pages) userRefused(c *gin.Context, err error, up usersPage) {
	status, body := api.ErrorStatus(err)
	if status >= 500 || status == http.StatusNotFound || status == http.StatusForbidden {
		p.serviceError(c, err)
		return
	}
	up.Errors = map[string]string{}
	for _, fe := range body.Fields {
		name := fe.Field
		if strings.HasPrefix(name, "roles[") {
			name = "roles"
		}
		up.Errors[name] = fe.Message
	}
	if len(body.Fields) == 0 {
		up.Other = []api.FieldError{{Message: body.Message}}
	}
	p.showUser(c, status, up)
}
