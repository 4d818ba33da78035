package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/listing"
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
	if v.Work, v.SignOffs, err = app.startWork(r, u); err != nil {
		app.serverError(w, r, err)
		return
	}
	app.render(w, r, http.StatusOK, templates.HomePage(app.page(r, "Home"), v))
}

// startWork is each of the user's roles' work waiting, with counts: what a
// housing officer, a monitoring officer or a manager looks at first. Each
// count is the total of the list its link opens (the same filters, the
// same query), so the two never disagree.
func (app *Application) startWork(r *http.Request, u *users.User) ([]templates.WorkSection, []homes.SignOffDue, error) {
	ctx := r.Context()
	var sections []templates.WorkSection
	var signOffs []homes.SignOffDue
	housing, officer, manager := u.HasRole(users.RoleHousing), u.HasRole(users.RoleOfficer), u.HasRole(users.RoleManager)
	if !housing && !officer && !manager {
		return nil, nil, nil
	}
	d, err := cachedRead(app, ctx, app.dashboardRead())
	if err != nil {
		return nil, nil, err
	}
	homesIn := func(state string) (int, error) {
		page, err := app.Homes.ListHomes(ctx, listing.Params{Values: url.Values{"state": {state}}, Page: 1, PerPage: 1})
		return page.Total, err
	}
	if housing {
		started, err := homesIn(string(homes.StateStarted))
		if err != nil {
			return nil, nil, err
		}
		completed, err := homesIn(string(homes.StateCompleted))
		if err != nil {
			return nil, nil, err
		}
		if signOffs, err = app.Homes.SignOffsDue(ctx); err != nil {
			return nil, nil, err
		}
		breaches, err := cachedRead(app, ctx, app.breachesRead())
		if err != nil {
			return nil, nil, err
		}
		inbox, err := app.Homes.HousingInbox(ctx)
		if err != nil {
			return nil, nil, err
		}
		sections = append(sections, templates.WorkSection{ID: "housing-work", Heading: "Affordable homes", Items: []templates.WorkItem{
			{Label: "Awaiting completion", Figure: templates.Int(started), Href: "/homes?state=started", Description: "Started on site, not yet recorded as completed."},
			{Label: "Awaiting transfer", Figure: templates.Int(completed), Href: "/homes?state=completed", Description: "Completed, not yet transferred to a registered provider."},
			{Label: "Awaiting sign-off", Figure: templates.Int(len(signOffs)), Href: "#sign-offs", Description: "Obligations whose completed homes you have not signed off, or that changed since."},
			{Label: "Delivery-trigger breaches", Figure: templates.Int(len(breaches)), Href: "/breaches", Description: "Market homes occupied beyond what the agreement allows before the affordable homes are delivered."},
			{Label: "Lost stock this year", Figure: templates.Int(d.Homes.Lost), Href: "/lost-stock", Description: "Homes that left the affordable stock in " + d.Year.Label() + ": right to buy, right to acquire, staircasing, sales."},
			{Label: "Submissions to decide", Figure: templates.Int(inbox.Pending), Href: "/pending", Description: "What developers and registered providers sent through their links, waiting for you to accept or reject it."},
			providerReturnsItem(inbox),
		}})
	}
	if officer {
		counts, err := app.Register.CountObligationsByStatus(ctx, agreements.ObPending, agreements.ObTriggered, agreements.ObInvoiced, agreements.ObPartPaid)
		if err != nil {
			return nil, nil, err
		}
		sections = append(sections, templates.WorkSection{ID: "officer-work", Heading: "Monitoring", Items: []templates.WorkItem{
			{Label: "Triggers to check", Figure: templates.Int(counts[agreements.ObPending]), Href: "/obligations?status=pending", Description: "Obligations whose trigger is not yet recorded as met: check whether it has happened."},
			{Label: "Invoices to send", Figure: templates.Int(counts[agreements.ObTriggered]), Href: "/obligations?status=triggered", Description: "Triggered, not yet invoiced."},
			{Label: "Payments to record", Figure: templates.Int(counts[agreements.ObInvoiced]), Href: "/obligations?status=invoiced", Description: "Invoiced, with no payment recorded yet."},
			{Label: "Part paid", Figure: templates.Int(counts[agreements.ObPartPaid]), Href: "/obligations?status=part-paid", Description: "Invoiced and paid in part: record the rest when it arrives."},
			{Label: "Past the spend-by deadline", Figure: templates.Int(d.Bands.Band(ledger.RAGOverdue).Count), Href: "/deadlines?rag=overdue", Description: "Receipt shares with money unspent after the deadline: the developer may claw it back."},
			{Label: "Deadlines within 12 months", Figure: templates.Int(d.Bands.Band(ledger.RAGRed).Count), Href: "/deadlines?rag=red", Description: "Receipt shares with money unspent whose spend-by deadline is less than a year away."},
		}})
	}
	if manager {
		sections = append(sections, templates.WorkSection{ID: "manager-work", Heading: "Money at risk", Items: []templates.WorkItem{
			{Label: "Past its spend-by deadline", Figure: templates.Money(d.PastDue), Href: "/deadlines?rag=overdue", Description: "Unspent money the developer may claw back."},
			{Label: "Due within 12 months", Figure: templates.Money(d.Bands.Band(ledger.RAGRed).Unspent), Href: "/deadlines?rag=red", Description: "Unspent money whose spend-by deadline is less than a year away."},
			{Label: "Delivery-trigger breaches", Figure: templates.Int(d.Breaches), Href: "/breaches", Description: "Affordable-housing obligations in breach of their delivery trigger."},
			{Label: "Dashboard", Figure: "", Href: "/dashboard", Description: "Money held and at risk, the deadline timeline and affordable homes this year."},
		}})
	}
	return sections, signOffs, nil
}

// tasksFor lists what a user's roles let them do, linking to each.
func tasksFor(u *users.User) []templates.Task {
	var tasks []templates.Task
	if editRegister.allows(u) {
		tasks = append(tasks,
			templates.Task{Label: "Record a development", Href: "/developments/new", Description: "Add a site and its planning applications before recording its agreement."},
			templates.Task{Label: "Record an agreement", Href: "/agreements/new", Description: "Register a signed S106 agreement, unilateral undertaking or deed of variation, then its obligations."})
	}
	tasks = append(tasks,
		templates.Task{Label: "Find an agreement", Href: "/agreements", Description: "Search agreements by reference, address or developer; filter by status, ward and officer."},
		templates.Task{Label: "Track obligations", Href: "/obligations", Description: "Every obligation with its trigger and status; filter by purpose, kind and whether the trigger is met."})
	if administer.allows(u) {
		tasks = append(tasks, templates.Task{Label: "Manage contribution purposes", Href: "/admin/purposes", Description: "Add local sub-purposes mapped to the government's contribution-purpose codes."})
		tasks = append(tasks, templates.Task{Label: "Manage users", Href: "/admin/users", Description: "Add people, give them roles, disable accounts and reset passwords."})
	}
	tasks = append(tasks, templates.Task{Label: "Change your password", Href: "/account/password", Description: "Choose a new password for your account."})
	return tasks
}

func (app *Application) accessibility(w http.ResponseWriter, r *http.Request) {
	app.render(w, r, http.StatusOK, templates.AccessibilityPage(app.page(r, "Accessibility statement")))
}

// providerReturnsItem is the housing officer's tile for the newest annual
// provider return: how many providers have yet to complete it, linking to
// its tracker; or, with none opened, a link to open one.
func providerReturnsItem(in homes.Inbox) templates.WorkItem {
	if in.ReturnYear == 0 {
		return templates.WorkItem{Label: "Provider returns", Href: "/returns", Description: "No annual return is open: open one to ask each registered provider to confirm its homes."}
	}
	return templates.WorkItem{Label: "Provider returns outstanding", Figure: templates.Int(in.Outstanding), Href: "/returns/" + strconv.Itoa(in.ReturnYear),
		Description: "Registered providers yet to complete the " + in.YearLabel() + " annual return."}
}
