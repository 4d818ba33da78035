package users

// Role is what a user may do. A user holds one or more roles.
type Role string

// The roles, from DESIGN.md's users table.
const (
	RoleAdmin   Role = "admin"   // users, roles and reference data
	RoleOfficer Role = "officer" // monitoring officer: agreements, obligations, money
	RoleHousing Role = "housing" // housing officer: affordable homes
	RoleManager Role = "manager" // dashboards, reports, the IFS
	RoleViewer  Role = "viewer"  // read-only
	// RoleCouncillor is a ward councillor (issue 25): read-only, and only
	// their own ward's page with its non-public detail; held alone.
	RoleCouncillor Role = "councillor"
)

// AllRoles lists every role in the order forms show them.
var AllRoles = []Role{RoleAdmin, RoleOfficer, RoleHousing, RoleManager, RoleViewer, RoleCouncillor}

// Label is the role's name as people say it.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Administrator"
	case RoleOfficer:
		return "Monitoring officer"
	case RoleHousing:
		return "Housing officer"
	case RoleManager:
		return "Manager"
	case RoleViewer:
		return "Viewer"
	case RoleCouncillor:
		return "Ward councillor"
	}
	return string(r)
}

// Description says what the role allows, for the user admin form's hints.
func (r Role) Description() string {
	switch r {
	case RoleAdmin:
		return "Manages users, roles and reference data."
	case RoleOfficer:
		return "Records agreements, obligations, triggers, invoices, receipts, allocations and spend."
	case RoleHousing:
		return "Records affordable homes, their tenure and their life events."
	case RoleManager:
		return "Sees dashboards and reports, and publishes the Infrastructure Funding Statement."
	case RoleViewer:
		return "Reads everything, changes nothing."
	case RoleCouncillor:
		return "Reads their own ward's page, with deadlines at risk and breaches under investigation there; nothing else. Cannot be combined with other roles."
	}
	return ""
}

// ParseRole returns the role named s, and whether it is one.
func ParseRole(s string) (Role, bool) {
	for _, r := range AllRoles {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// OnlyCouncillor reports whether the user is a ward councillor, whose
// view is their ward and nothing else.
func (u User) OnlyCouncillor() bool {
	return len(u.Roles) == 1 && u.Roles[0] == RoleCouncillor
}
