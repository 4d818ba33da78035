package web

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/users"
	"github.com/s106monitor/s106/templates"
)

func (app *Application) home(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	activity, err := audit.ByActor(r.Context(), app.DB.Pool, u.ID, 10)
	if err != nil {
		app.serverError(w, r, err)
		return
	}
	v := templates.HomeView{Tasks: tasksFor(u), Activity: activity}
	app.render(w, r, http.StatusOK, templates.HomePage(app.page(r, "Home"), v))
}

// tasksFor lists what a user's roles let them do, linking to each.
func tasksFor(u *users.User) []templates.Task {
	var tasks []templates.Task
	if u.HasRole(users.RoleOfficer) {
		tasks = append(tasks,
			templates.Task{Label: "Record a development", Href: "/developments/new", Description: "Add a site and its planning applications before recording its agreement."},
			templates.Task{Label: "Record an agreement", Href: "/agreements/new", Description: "Register a signed S106 agreement, unilateral undertaking or deed of variation, then its obligations."})
	}
	tasks = append(tasks,
		templates.Task{Label: "Find an agreement", Href: "/agreements", Description: "Search agreements by reference, address or developer; filter by status, ward and officer."},
		templates.Task{Label: "Track obligations", Href: "/obligations", Description: "Every obligation with its trigger and status; filter by purpose, kind and whether the trigger is met."})
	if u.HasRole(users.RoleAdmin) {
		tasks = append(tasks, templates.Task{Label: "Manage contribution purposes", Href: "/admin/purposes", Description: "Add local sub-purposes mapped to the government's contribution-purpose codes."})
	}
	if u.HasRole(users.RoleAdmin) {
		tasks = append(tasks, templates.Task{Label: "Manage users", Href: "/admin/users", Description: "Add people, give them roles, disable accounts and reset passwords."})
	}
	tasks = append(tasks, templates.Task{Label: "Change your password", Href: "/account/password", Description: "Choose a new password for your account."})
	return tasks
}

func (app *Application) accessibility(w http.ResponseWriter, r *http.Request) {
	app.render(w, r, http.StatusOK, templates.AccessibilityPage(app.page(r, "Accessibility statement")))
}

// healthz reports whether the service can reach its database, for load
// balancers and monitoring.
func (app *Application) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status, code := map[string]string{"status": "ok", "database": "ok"}, http.StatusOK
	if err := app.DB.Pool.Ping(ctx); err != nil {
		app.Logger.Error("health check: database unreachable", "err", err)
		status, code = map[string]string{"status": "unavailable", "database": "unreachable"}, http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(status)
}
