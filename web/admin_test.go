package web

import (
	"testing"

	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

// The settings page offers each role what it may use, and nothing else.
func TestAdminPageListsTheToolsOfTheUsersRoles(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	adminOnly := []string{"/admin/users", "/admin/purposes", "/admin/alert-rules", "/admin/jobs", "/admin/outbox"}
	shared := []string{"/admin/indices", "/imports", "/data-standard"}
	// tool is the link to a tool in the page's list, not the navigation.
	tool := func(href string) string { return "main a[href='" + href + "']" }

	admin := newTestServer(t, app)
	admin.login(t, "admin@test.example", testPassword)
	page := htmltest.Parse(t, admin.get(t, "/admin").body)
	for _, link := range append(adminOnly, shared...) {
		if !page.Has(tool(link)) {
			t.Errorf("an administrator's settings page lacks %s", link)
		}
	}
	officer := newTestServer(t, app)
	officer.login(t, "officer@test.example", testPassword)
	page = htmltest.Parse(t, officer.get(t, "/admin").body)
	for _, link := range shared {
		if !page.Has(tool(link)) {
			t.Errorf("an officer's settings page lacks %s", link)
		}
	}
	for _, link := range adminOnly {
		if page.Has("a[href='" + link + "']") {
			t.Errorf("an officer's settings page offers the administrators' %s", link)
		}
	}
	if !page.Has(".govuk-service-navigation__list a[href='/admin']") {
		t.Error("the navigation does not link the settings page")
	}
}
