package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

func TestAdminAddsAUserWithAOneTimePasswordAndItIsAudited(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	ts := newTestServer(t, app)
	ts.login(t, "admin@test.example", testPassword)

	token := ts.csrf(t, "/admin/users/new")
	res := ts.post(t, "/admin/users", url.Values{"csrf_token": {token}, "name": {"Dana Officer"}, "email": {"Dana@Test.example"}, "roles": {"officer", "manager"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("create: status %d\n%s", res.status, excerpt(res.body))
	}
	page := ts.get(t, res.header.Get("Location"))
	doc := htmltest.Parse(t, page.body)
	otp := doc.Text(".govuk-panel--confirmation .app-one-time-password")
	if otp == "" {
		t.Fatal("the one-time password is not shown after adding a user")
	}
	// The secret must not appear anywhere on the page the second time, not
	// merely outside its panel, so this asks the whole body.
	if again := ts.get(t, res.header.Get("Location")); strings.Contains(again.body, otp) || htmltest.Parse(t, again.body).Has(".app-one-time-password") {
		t.Error("the one-time password must be shown only once")
	}
	// The new user can sign in with it, and must then change it.
	other := &testServer{Server: ts.Server, app: app, client: newClient()}
	r := other.post(t, "/login", url.Values{"email": {"dana@test.example"}, "password": {otp}})
	if r.header.Get("Location") != "/account/password" {
		t.Fatalf("new user's login went to %q", r.header.Get("Location"))
	}
	// The change is in the user's History, with who made it.
	history := doc.Rows(".app-history tbody tr")
	if len(history) != 1 || len(history[0]) != 3 || history[0][1] != "Test admin@test.example" ||
		!strings.HasPrefix(history[0][2], "Added user Dana Officer") {
		t.Fatalf("user page history rows %q, want one row: Added user Dana Officer by Test admin@test.example", history)
	}
	if roles := doc.Texts(".app-history tbody tr .app-history__changes ins"); !slices.Contains(roles, "officer, manager") {
		t.Errorf("user page history changes %q lack the roles officer, manager", roles)
	}
}

func TestAddUserValidationKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	ts := newTestServer(t, app)
	ts.login(t, "admin@test.example", testPassword)

	cases := []struct {
		name   string
		form   url.Values
		errors []string
	}{
		{"everything missing", url.Values{}, []string{"Enter the person's full name", "Enter an e-mail address", "Select at least one role"}},
		{"bad e-mail", url.Values{"name": {"Kept Name"}, "email": {"not-an-address"}, "roles": {"viewer"}}, []string{"Enter an e-mail address in the correct format, like name@example.gov.uk"}},
		{"unknown role", url.Values{"name": {"Kept Name"}, "email": {"k@test.example"}, "roles": {"superuser"}}, []string{"Choose roles from the list"}},
		{"duplicate e-mail", url.Values{"name": {"Kept Name"}, "email": {"ADMIN@test.example"}, "roles": {"viewer"}}, []string{"A user with this e-mail address already exists"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.form.Set("csrf_token", ts.csrf(t, "/admin/users/new"))
			res := ts.post(t, "/admin/users", c.form)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.status)
			}
			page := htmltest.Parse(t, res.body)
			if page.Text(".govuk-error-summary__title") != "There is a problem" || !strings.HasPrefix(page.Text("title"), "Error: ") {
				t.Error("no GOV.UK error summary / error title")
			}
			if got := page.ErrorSummary(); !slices.Equal(got, c.errors) {
				t.Errorf("error summary %q, want %q", got, c.errors)
			}
			if name := c.form.Get("name"); name != "" && page.Value("name") != name {
				t.Errorf("the name typed was lost: the field holds %q", page.Value("name"))
			}
		})
	}
}

func TestStaleUserEditIsRefusedAndKeepsTheSecondOfficersInput(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	addUser(t, app.DB, "admin2@test.example", users.RoleAdmin)
	target := addUser(t, app.DB, "target@test.example", users.RoleViewer)
	path := fmt.Sprintf("/admin/users/%d", target.ID)

	first := newTestServer(t, app)
	first.login(t, "admin@test.example", testPassword)
	second := &testServer{Server: first.Server, app: app, client: newClient()}
	second.login(t, "admin2@test.example", testPassword)

	// Both open the edit page at version 1.
	tok1, tok2 := first.csrf(t, path), second.csrf(t, path)
	version := fmt.Sprint(target.Version)

	res := first.post(t, path, url.Values{"csrf_token": {tok1}, "version": {version}, "name": {"First Edit"}, "email": {"target@test.example"}, "roles": {"viewer"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("first save: status %d\n%s", res.status, excerpt(res.body))
	}
	res = second.post(t, path, url.Values{"csrf_token": {tok2}, "version": {version}, "name": {"Second Edit"}, "email": {"target@test.example"}, "roles": {"manager"}})
	if res.status != http.StatusConflict {
		t.Fatalf("second (stale) save: status %d, want 409", res.status)
	}
	conflict := htmltest.Parse(t, res.body)
	if !conflict.HasText(".govuk-error-summary__body", "Someone else changed this record") || conflict.Value("name") != "Second Edit" {
		t.Error("conflict page must explain and keep the second officer's input")
	}
	u, _ := app.Users.Get(context.Background(), target.ID)
	if u.Name != "First Edit" {
		t.Fatalf("stored name %q, want the first save to stand", u.Name)
	}
	// The conflict page carries the new version, so saving again applies.
	if conflict.Value("version") != fmt.Sprint(u.Version) {
		t.Fatal("conflict page should carry the latest version")
	}
	res = second.post(t, path, url.Values{"csrf_token": {tok2}, "version": {fmt.Sprint(u.Version)}, "name": {"Second Edit"}, "email": {"target@test.example"}, "roles": {"manager"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("deliberate re-save: status %d", res.status)
	}
}

func TestAdminDisablesAndReRolesUsersButNotThemselves(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	target := addUser(t, app.DB, "target@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	ts.login(t, "admin@test.example", testPassword)

	path := fmt.Sprintf("/admin/users/%d", target.ID)
	res := ts.post(t, path+"/disabled", url.Values{"csrf_token": {ts.csrf(t, path)}, "version": {fmt.Sprint(target.Version)}, "disabled": {"true"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("disable: status %d\n%s", res.status, excerpt(res.body))
	}
	u, _ := app.Users.Get(context.Background(), target.ID)
	if !u.Disabled() {
		t.Fatal("user not disabled")
	}
	// Re-role.
	res = ts.post(t, path, url.Values{"csrf_token": {ts.csrf(t, path)}, "version": {fmt.Sprint(u.Version)}, "name": {u.Name}, "email": {u.Email}, "roles": {"officer", "housing"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("re-role: status %d\n%s", res.status, excerpt(res.body))
	}
	u, _ = app.Users.Get(context.Background(), target.ID)
	if !u.HasRole(users.RoleOfficer) || !u.HasRole(users.RoleHousing) || u.HasRole(users.RoleViewer) {
		t.Fatalf("roles now %v", u.Roles)
	}
	events, _ := audit.ForEntity(context.Background(), app.DB.Pool, "user", fmt.Sprint(target.ID), 10)
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ",") != "user.update,user.disable,user.create" {
		t.Fatalf("audit actions %v", actions)
	}
	if ch := events[0].Changes(); len(ch) != 1 || ch[0].Field != "roles" || ch[0].Before != "viewer" || ch[0].After != "officer, housing" {
		t.Fatalf("role change recorded as %+v", ch)
	}

	// An administrator cannot lock themselves out.
	self := fmt.Sprintf("/admin/users/%d", admin.ID)
	res = ts.post(t, self, url.Values{"csrf_token": {ts.csrf(t, self)}, "version": {fmt.Sprint(admin.Version)}, "name": {admin.Name}, "email": {admin.Email}, "roles": {"viewer"}})
	if res.status != http.StatusUnprocessableEntity || !slices.Equal(htmltest.Parse(t, res.body).ErrorSummary(), []string{"You cannot remove the administrator role from yourself"}) {
		t.Fatalf("self-demotion: status %d", res.status)
	}
	res = ts.post(t, self+"/disabled", url.Values{"csrf_token": {ts.csrf(t, self)}, "version": {fmt.Sprint(admin.Version)}, "disabled": {"true"}})
	if res.status != http.StatusUnprocessableEntity || !slices.Equal(htmltest.Parse(t, res.body).ErrorSummary(), []string{"You cannot disable your own account"}) {
		t.Fatalf("self-disable: status %d", res.status)
	}
}

func TestUsersCSVListsEveryUser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	addUser(t, app.DB, "h@test.example", users.RoleHousing, users.RoleManager)
	ts := newTestServer(t, app)
	ts.login(t, "admin@test.example", testPassword)
	res := ts.get(t, "/admin/users.csv")
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("status %d type %q", res.status, res.header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != "name,email,roles,status,last_signed_in" {
		t.Fatalf("rows %v", rows)
	}
	found := false
	for _, r := range rows[1:] {
		if r[1] == "h@test.example" && r[2] == "housing;manager" && r[3] == "active" {
			found = true
		}
	}
	if !found {
		t.Fatalf("housing/manager user missing or wrong: %v", rows)
	}
}

func TestLoginsAreAudited(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	u := addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	ts.post(t, "/login", url.Values{"email": {"viewer@test.example"}, "password": {"wrong password"}})
	ts.login(t, "viewer@test.example", testPassword)
	// Sign-ins are security events, kept apart from the audit trail of
	// data changes (issue 17, item 18).
	events, _ := audit.ListSecurity(context.Background(), app.DB.Pool, audit.SecurityFilter{UserID: u.ID})
	if len(events) != 2 || events[0].Event != audit.SecLoginSuccess || events[1].Event != audit.SecLoginFailure ||
		events[1].Email != "viewer@test.example" || events[0].RemoteAddr != "127.0.0.1" {
		t.Fatalf("sign-ins not in the security log: %+v", events)
	}
	if trail, _ := audit.ForEntity(context.Background(), app.DB.Pool, "login", "viewer@test.example", 10); len(trail) != 0 {
		t.Errorf("a failed sign-in is in the audit trail of data changes: %+v", trail)
	}
}
