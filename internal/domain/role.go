package domain

import "slices"

// Role is what a user may do in Signet. A user holds one or more roles.
type Role string

// Roles, as stored in users.roles and named in approval stages.
const (
	RoleSales        Role = "sales"
	RoleSalesManager Role = "sales_manager"
	RoleLegal        Role = "legal"
	RoleFinance      Role = "finance"
	RoleExecutive    Role = "executive"
	RoleAdmin        Role = "admin"
	RoleAuditor      Role = "auditor"
)

// Roles lists every role.
var Roles = []Role{RoleSales, RoleSalesManager, RoleLegal, RoleFinance, RoleExecutive, RoleAdmin, RoleAuditor}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Actor is the person behind a request, as a workflow sees it: enough to
// authorize a decision and to record who made it.
type Actor struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Roles  []Role `json:"roles"`
}

// SystemActor is recorded for transitions that timers cause.
var SystemActor = Actor{UserID: "system", Name: "Signet"}

// Has reports whether the actor holds role r.
func (a Actor) Has(r Role) bool { return slices.Contains(a.Roles, r) }

// Approver is someone an approval task can be assigned to.
type Approver struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// DelegatedFrom is who the task was meant for, when a delegation moved it.
	DelegatedFrom string `json:"delegated_from,omitempty"`
}

// User is an account that can call the API.
type User struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Roles []Role `json:"roles"`
	// Team is whom a sales manager leads, directly or through other
	// managers: whose customers and contracts they see besides their own.
	Team []string `json:"team,omitempty" db:"-"`
}

// Actor returns the user as a workflow actor.
func (u User) Actor() Actor {
	return Actor{UserID: u.ID, Name: u.Name, Roles: u.Roles}
}

// SeesAll reports whether holders of r read every contract, rather than
// only their own and their team's (sales, sales managers).
func (r Role) SeesAll() bool {
	return r == RoleLegal || r == RoleFinance || r == RoleExecutive || r == RoleAdmin || r == RoleAuditor
}

// SeesAllContracts reports whether the user may read every contract rather
// than only their own and their team's.
func (u User) SeesAllContracts() bool {
	return slices.ContainsFunc(u.Roles, Role.SeesAll)
}

// Sees reports whether the user may read what ownerID owns.
func (u User) Sees(ownerID string) bool {
	return u.SeesAllContracts() || ownerID == u.ID || slices.Contains(u.Team, ownerID)
}

// Owners lists whose customers and contracts the user may read, or nil
// when they may read everyone's.
func (u User) Owners() []string {
	if u.SeesAllContracts() {
		return nil
	}
	return append([]string{u.ID}, u.Team...)
}
