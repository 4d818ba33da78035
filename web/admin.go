package web

import (
	"net/http"

	"github.com/s106monitor/s106/templates"
)

// adminTasks are the settings and tools, each with the permission its
// route checks.
var adminTasks = []struct {
	task    templates.Task
	allowed permission // nil: everyone signed in
}{
	{templates.Task{Label: "Index series", Href: "/admin/indices", Description: "RPI, CPI and BCIS values used to index-link contributions."}, useTools},
	{templates.Task{Label: "Import and export", Href: "/imports", Description: "Bring in a spreadsheet register or the government data standard; export everything."}, useTools},
	{templates.Task{Label: "Data standard", Href: "/data-standard", Description: "Download the developer-contributions data standard CSVs."}, nil},
	{templates.Task{Label: "Users", Href: "/admin/users", Description: "People, their roles, passwords and access."}, administer},
	{templates.Task{Label: "Single sign-on", Href: "/admin/sso", Description: "Signing in with the council's Microsoft or Google accounts, and which of their groups give which role."}, administer},
	{templates.Task{Label: "Purposes", Href: "/admin/purposes", Description: "Local contribution purposes and the national codes they report under."}, administer},
	{templates.Task{Label: "Tenure products", Href: "/admin/tenures", Description: "The affordable tenures homes are secured at; add the ones your council uses."}, administer},
	{templates.Task{Label: "Search documents", Href: "/documents/search", Description: "Find the deed or notice that mentions a school, a road or a clause."}, nil},
	{templates.Task{Label: "Discharge log", Href: "/discharges", Description: "Obligations discharged in a period, with their confirmation letters; download as CSV."}, nil},
	{templates.Task{Label: "Letters", Href: "/admin/letters", Description: "The letterhead and the wording of invoices, reminders and other letters."}, administer},
	{templates.Task{Label: "Alert rules", Href: "/admin/alert-rules", Description: "Which alerts are raised, at what thresholds, and when managers are told."}, administer},
	{templates.Task{Label: "Background jobs", Href: "/admin/jobs", Description: "When each job last ran and how it went; run one now."}, administer},
	{templates.Task{Label: "API tokens", Href: "/admin/api-tokens", Description: "Issue and revoke the tokens other systems use to read and record through the API."}, administer},
	{templates.Task{Label: "E-mail outbox", Href: "/admin/outbox", Description: "E-mails waiting, sent or failed; retry a failed one."}, administer},
}

func (app *Application) adminIndex(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	var tasks []templates.Task
	for _, t := range adminTasks {
		if t.allowed == nil || t.allowed.allows(u) {
			tasks = append(tasks, t.task)
		}
	}
	app.render(w, r, http.StatusOK, templates.AdminPage(app.page(r, "Settings and tools"), tasks))
}
