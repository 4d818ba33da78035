package web

import (
	"net/http"

	"github.com/s106monitor/s106/internal/users"
)

// A permission is a named set of roles that may do something. This file is
// the one place where role sets are written: routes.go checks them with
// app.require, and every page shows a button or link only when the
// permission of the route it leads to allows the user (p.allowed(r)).
// permissions_test.go visits the pages as each role and holds every
// button to its route, so a button never leads to "You do not have
// permission" and an allowed action is never hidden.
type permission []users.Role

var (
	// editRegister: monitoring officers change the register (developments,
	// applications, agreements, obligations and their events) and record
	// money (invoices, receipts, suspense, projects, allocations, spend,
	// returns, reversals, the finance reconciliation).
	editRegister = permission{users.RoleOfficer}

	// editHomes: housing officers, and monitoring officers, record the
	// homes, their events, providers, links, returns and the agreed mix.
	editHomes = permission{users.RoleHousing, users.RoleOfficer}

	// signOffHomes: only housing officers sign off an obligation's delivery
	// and accept or reject what developers and providers sent.
	signOffHomes = permission{users.RoleHousing}

	// useTools: the settings and tools page, index series and imports.
	useTools = permission{users.RoleAdmin, users.RoleOfficer}

	// administer: users, purposes, tenure products, alert rules, jobs, the
	// outbox and the security log.
	administer = permission{users.RoleAdmin}

	// publishIFS: managers and admins publish a statement and keep the
	// infrastructure list.
	publishIFS = permission{users.RoleManager, users.RoleAdmin}

	// markBorrowing: the roles that manage projects or the statement say a
	// project repays borrowing.
	markBorrowing = permission{users.RoleOfficer, users.RoleManager, users.RoleAdmin}

	// councillorWard: a ward councillor's page of their own ward, with
	// its non-public detail (the councillor's boundary is also checked by
	// councillorBoundary for every other page).
	councillorWard = permission{users.RoleCouncillor}
)

// allows reports whether the user holds one of the permission's roles.
func (p permission) allows(u *users.User) bool {
	return u != nil && u.HasRole(p...)
}

// allowed reports whether the request's user may: the flag a page sets to
// show or hide the button that leads to a route checked with p.
func (p permission) allowed(r *http.Request) bool {
	return p.allows(currentUser(r))
}

// require is the route middleware that refuses users p does not allow.
func (app *Application) require(p permission) func(http.Handler) http.Handler {
	return app.requireRole(p...)
}
