package web

import (
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/users"
)

// The settings page offers each role what it may use, and nothing else.
func TestAdminPageListsTheToolsOfTheUsersRoles(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	adminOnly := []string{`href="/admin/users"`, `href="/admin/purposes"`, `href="/admin/alert-rules"`, `href="/admin/jobs"`, `href="/admin/outbox"`}
	shared := []string{`href="/admin/indices"`, `href="/imports"`, `href="/data-standard"`}

	admin := newTestServer(t, app)
	admin.login(t, "admin@test.example", testPassword)
	res := admin.get(t, "/admin")
	for _, link := range append(adminOnly, shared...) {
		if !strings.Contains(res.body, link) {
			t.Errorf("an administrator's settings page lacks %s", link)
		}
	}
	officer := newTestServer(t, app)
	officer.login(t, "officer@test.example", testPassword)
	res = officer.get(t, "/admin")
	for _, link := range shared {
		if !strings.Contains(res.body, link) {
			t.Errorf("an officer's settings page lacks %s", link)
		}
	}
	for _, link := range adminOnly {
		if strings.Contains(res.body, link) {
			t.Errorf("an officer's settings page offers the administrators' %s", link)
		}
	}
	if !strings.Contains(res.body, `href="/admin"`) {
		t.Error("the navigation does not link the settings page")
	}
}
