package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

var newTokenPattern = regexp.MustCompile(`id="new-token"[^>]*value="([^"]+)"`)

// TestAdminIssuesATokenShownOnceAndRevokesIt: the admin page issues a
// token, shows it once, lists it without its secret, and revokes it; both
// are in the audit trail.
func TestAdminIssuesATokenShownOnceAndRevokesIt(t *testing.T) {
	f := newAPIFixture(t)
	admin := &testServer{Server: f.ts.Server, app: f.app, client: newClient()}
	admin.login(t, "api-admin@test.example", testPassword)
	officer := f.users[users.RoleOfficer]

	// Bad input: each field named, nothing issued.
	res := admin.post(t, "/admin/api-tokens", url.Values{"csrf_token": {admin.csrf(t, "/admin/api-tokens")},
		"expires_on-day": {"1"}, "expires_on-month": {"13"}, "expires_on-year": {"2025"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad form: %d", res.status)
	}
	errs := htmltest.Parse(t, res.body).ErrorLinks()
	for _, field := range []string{"#name", "#user", "#scope", "#expires_on"} {
		if errs[field] == "" {
			t.Errorf("the error summary does not link to %s", field)
		}
	}

	form := url.Values{"csrf_token": {admin.csrf(t, "/admin/api-tokens")}, "name": {"Olu's finance scripts"}, "user": {strconv.FormatInt(officer.ID, 10)},
		"scope": {"write"}, "expires_on-day": {"1"}, "expires_on-month": {"9"}, "expires_on-year": {"2025"}}
	res = admin.post(t, "/admin/api-tokens", form)
	m := newTokenPattern.FindStringSubmatch(res.body)
	if res.status != http.StatusOK || m == nil {
		t.Fatalf("issue: %d\n%s", res.status, excerpt(res.body))
	}
	secret := html.UnescapeString(m[1])
	if r := f.call(t, secret, "GET", "/api/v1/agreements", ""); r.status != http.StatusOK {
		t.Fatalf("the issued token: %d", r.status)
	}
	page := admin.get(t, "/admin/api-tokens")
	// The secret must be nowhere in the page's bytes (text, attributes or
	// scripts), so this looks at the raw body rather than one element.
	if strings.Contains(page.body, secret) {
		t.Errorf("the list shows the secret:\n%s", excerpt(page.body))
	}
	listed := false
	for _, row := range htmltest.Parse(t, page.body).Rows("table tbody tr") {
		listed = listed || len(row) > 4 && strings.HasPrefix(row[0], "Olu's finance scripts") && row[3] == "write" && strings.HasPrefix(row[4], "Live until")
	}
	if !listed {
		t.Errorf("the list has no row for the write token:\n%s", excerpt(page.body))
	}
	var id int64
	if err := f.app.DB.Pool.QueryRow(context.Background(), `SELECT id FROM api_tokens WHERE name = $1`, "Olu's finance scripts").Scan(&id); err != nil {
		t.Fatal(err)
	}
	res = admin.post(t, "/admin/api-tokens/"+strconv.FormatInt(id, 10)+"/revoke", url.Values{"csrf_token": {admin.csrf(t, "/admin/api-tokens")}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.status)
	}
	if r := f.call(t, secret, "GET", "/api/v1/agreements", ""); r.status != http.StatusUnauthorized {
		t.Errorf("the revoked token: %d", r.status)
	}
	if labels := f.auditLabels(t, "api_token", id); len(labels) != 2 || !strings.Contains(labels[0], "api_token.issue") || !strings.Contains(labels[1], "api_token.revoke") {
		t.Errorf("audit trail: %v", labels)
	}
	// Only admins reach the page.
	viewer := &testServer{Server: f.ts.Server, app: f.app, client: newClient()}
	viewer.login(t, "viewer@test.example", testPassword)
	if r := viewer.get(t, "/admin/api-tokens"); r.status != http.StatusForbidden {
		t.Errorf("a viewer: %d", r.status)
	}
}
