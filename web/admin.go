package web

import (
	"net/http"

	"github.com/s106monitor/s106/internal/users"
	"github.com/s106monitor/s106/templates"
)

// adminTasks are the settings and tools, each with the roles that may use
// it (the routes check the same roles).
var adminTasks = []struct {
	task  templates.Task
	roles []users.Role
}{
	{templates.Task{Label: "Index series", Href: "/admin/indices", Description: "RPI, CPI and BCIS values used to index-link contributions."}, []users.Role{users.RoleAdmin, users.RoleOfficer}},
	{templates.Task{Label: "Import and export", Href: "/imports", Description: "Bring in a spreadsheet register or the government data standard; export everything."}, []users.Role{users.RoleAdmin, users.RoleOfficer}},
	{templates.Task{Label: "Data standard", Href: "/data-standard", Description: "Download the developer-contributions data standard CSVs."}, nil},
	{templates.Task{Label: "Users", Href: "/admin/users", Description: "People, their roles, passwords and access."}, []users.Role{users.RoleAdmin}},
	{templates.Task{Label: "Single sign-on", Href: "/admin/sso", Description: "Signing in with the council's Microsoft or Google accounts, and which of their groups give which role."}, []users.Role{users.RoleAdmin}},
	{templates.Task{Label: "Purposes", Href: "/admin/purposes", Description: "Local contribution purposes and the national codes they report under."}, []users.Role{users.RoleAdmin}},
	{templates.Task{Label: "Tenure products", Href: "/admin/tenures", Description: "The affordable tenures homes are secured at; add the ones your council uses."}, []users.Role{users.RoleAdmin}},
	{templates.Task{Label: "Search documents", Href: "/documents/search", Description: "Find the deed or notice that mentions a school, a road or a clause."}, nil},
	{templates.Task{Label: "Discharge log", Href: "/discharges", Description: "Obligations discharged in a period, with their confirmation letters; download as CSV."}, nil},
	{templates.Task{Label: "Letters", Href: "/admin/letters", Description: "The letterhead and the wording of invoices, reminders and other letters."}, letterAdmins},
	{templates.Task{Label: "Alert rules", Href: "/admin/alert-rules", Description: "Which alerts are raised, at what thresholds, and when managers are told."}, []users.Role{users.RoleAdmin}},
	{templates.Task{Label: "Background jobs", Href: "/admin/jobs", Description: "When each job last ran and how it went; run one now."}, []users.Role{users.RoleAdmin}},
	{templates.Task{Label: "API tokens", Href: "/admin/api-tokens", Description: "Issue and revoke the tokens other systems use to read and record through the API."}, []users.Role{users.RoleAdmin}},
	{templates.Task{Label: "E-mail outbox", Href: "/admin/outbox", Description: "E-mails waiting, sent or failed; retry a failed one."}, []users.Role{users.RoleAdmin}},
}

func (app *Application) adminIndex(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	var tasks []templates.Task
	for _, t := range adminTasks {
		if t.roles == nil || u.HasRole(t.roles...) {
			tasks = append(tasks, t.task)
		}
	}
	app.render(w, r, http.StatusOK, templates.AdminPage(app.page(r, "Settings and tools"), tasks))
}
