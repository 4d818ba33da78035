package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

// TestWardCouncillorSeesOnlyTheirWardsNonPublicDetail: an administrator
// gives a councillor North Ward; the councillor sees North Ward's
// deadlines at risk and breach, never South Ward's, and no other page.
func TestWardCouncillorSeesOnlyTheirWardsNonPublicDetail(t *testing.T) {
	app := newTestApp(t)
	f := seedPublicFixture(t, app)
	ctx := context.Background()
	// Money at risk in both wards: Mill Lane's education money (North)
	// and Quarry Road's withheld open-space money (South) must be spent
	// within two years of receipt, so both deadlines have passed.
	for _, ob := range []int64{f.Education, f.Open} {
		if _, err := app.DB.Pool.Exec(ctx, `UPDATE obligations SET spend_by_months = 24, version = version + 1 WHERE id = $1`, ob); err != nil {
			t.Fatal(err)
		}
	}
	// Mill Lane's delivery trigger is breached: 8 of 10 market homes
	// occupied against a limit of 50% while four affordable homes are not
	// handed over.
	if _, err := app.DB.Pool.Exec(ctx, `UPDATE affordable_mixes SET market_occupation_limit = 50 WHERE obligation_id = $1`, f.Affordable); err != nil {
		t.Fatal(err)
	}
	if _, err := app.DB.Pool.Exec(ctx, `INSERT INTO market_occupation_counts (development_id, counted_on, market_homes, occupied, source) VALUES ($1, '2025-09-01', 10, 8, 'council-tax')`, f.MillLane); err != nil {
		t.Fatal(err)
	}
	addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	councillor := addUser(t, app.DB, "cllr@test.example", users.RoleCouncillor)
	ts := newTestServer(t, app)

	// Without a ward, the councillor is told to ask for one.
	c := &testServer{Server: ts.Server, app: app, client: newClient()}
	c.login(t, "cllr@test.example", testPassword)
	res := c.get(t, "/councillor")
	containsAll(t, "no ward", pageText(res.body), "No ward has been given to your account yet")

	// The administrator gives the ward (from the list of wards), audited.
	admin := &testServer{Server: ts.Server, app: app, client: newClient()}
	admin.login(t, "admin@test.example", testPassword)
	page := admin.get(t, fmt.Sprintf("/admin/users/%d", councillor.ID))
	if up := htmltest.Parse(t, page.body); !up.HasExactText("select option[value='North Ward']", "North Ward") || !up.HasExactText("select option[value='Bramley and Downs']", "Bramley and Downs") {
		t.Errorf("the user page does not offer the wards: %q", up.Texts("select option"))
	}
	res = admin.post(t, fmt.Sprintf("/admin/users/%d/ward", councillor.ID), url.Values{"csrf_token": {admin.csrf(t, "/")}, "version": {"1"}, "ward": {"Atlantis"}})
	if res.status != http.StatusUnprocessableEntity || !htmltest.Parse(t, res.body).HasText(".govuk-error-summary__list a[href='#ward']", "Choose a ward from the list") {
		t.Fatalf("unknown ward: status %d", res.status)
	}
	res = admin.post(t, fmt.Sprintf("/admin/users/%d/ward", councillor.ID), url.Values{"csrf_token": {admin.csrf(t, "/")}, "version": {"1"}, "ward": {"North Ward"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("set ward: status %d\n%s", res.status, excerpt(res.body))
	}
	var audited int
	if err := app.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'user.ward' AND entity_id = $1`, fmt.Sprint(councillor.ID)).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("ward change audited %d times (%v)", audited, err)
	}
	// Another role cannot hold a ward.
	viewer := addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	res = admin.post(t, fmt.Sprintf("/admin/users/%d/ward", viewer.ID), url.Values{"csrf_token": {admin.csrf(t, "/")}, "version": {"1"}, "ward": {"North Ward"}})
	if res.status != http.StatusUnprocessableEntity || !htmltest.Parse(t, res.body).HasText(".govuk-error-summary__list a", "Only a ward councillor has a ward") {
		t.Errorf("a viewer given a ward: status %d", res.status)
	}

	// The councillor's start page is their ward.
	res = c.get(t, "/")
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/councillor" {
		t.Errorf("/: status %d to %q", res.status, res.header.Get("Location"))
	}
	res = c.get(t, "/councillor")
	text := pageText(res.body)
	if ward := htmltest.Parse(t, res.body); ward.Has("a[href='/developments']") || !ward.Has(".govuk-service-navigation__list a[href='/councillor']") ||
		!ward.HasExactText("#councillor-detail h2", "For councillors only") {
		t.Error("a councillor's navigation should be their ward only, and the page should have the councillors' part")
	}
	containsAll(t, "councillor's ward", text, "North Ward ward", "For councillors only",
		"Mill Lane Pay £287,500 towards primary school places 3 June 2026 £80,000.00 At risk of clawback",
		"Mill Lane : Affordable housing obligation. 8 of 10 market homes are occupied, over the 50% allowed before every affordable home is handed to its provider (3 of 5 are).",
		"Received £300,000.00")
	// Nothing of South Ward's: not its deadline, not its withheld clause.
	// A leak can be anywhere in the bytes, so the raw body is searched.
	for _, other := range []string{"WITHHELD-CLAUSE-text", "Quarry Road", "£50,000"} {
		if strings.Contains(res.body, other) {
			t.Errorf("the North Ward councillor sees %q", other)
		}
	}
	// Every officer page is refused, including reading lists of other wards.
	for _, path := range []string{"/developments", "/deadlines", "/breaches", fmt.Sprintf("/developments/%d", f.Quarry), "/dashboard", "/agreements.csv", "/account/calendar"} {
		if res := c.get(t, path); res.status != http.StatusForbidden {
			t.Errorf("councillor %s: status %d, want 403", path, res.status)
		}
	}
	if res := c.get(t, "/account/password"); res.status != http.StatusOK {
		t.Errorf("the councillor's own password page: %d", res.status)
	}
	// The public ward page shows the figures, never the councillor's part.
	pub := anonymous(ts).get(t, "/public/wards/north-ward")
	// Searched in the raw body too: the detail must be nowhere on the page.
	if htmltest.Parse(t, pub.body).Has("#councillor-detail") || strings.Contains(pub.body, "For councillors only") || strings.Contains(pub.body, "At risk of clawback") {
		t.Error("the public ward page shows the councillor's detail")
	}
	// A councillor role cannot be combined with another.
	res = admin.post(t, fmt.Sprintf("/admin/users/%d", councillor.ID), url.Values{"csrf_token": {admin.csrf(t, "/")}, "version": {"2"},
		"name": {councillor.Name}, "email": {councillor.Email}, "roles": {"councillor", "viewer"}})
	if res.status != http.StatusUnprocessableEntity || !htmltest.Parse(t, res.body).HasText(".govuk-error-summary__list a", "A ward councillor cannot hold other roles") {
		t.Errorf("councillor and viewer: status %d", res.status)
	}
}
