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

	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

// seedAgreement records a development and a live agreement and returns
// the agreement's id.
func seedAgreement(t *testing.T, app *Application, ref, site, ward string) int64 {
	t.Helper()
	return appFixture(t, app).Agreement(fixture.Agreement{Reference: ref, Site: site, Ward: ward, Postcode: "WV1 1AA", Signed: "2024-05-01"}).ID
}

func obligationFormValues() url.Values {
	return url.Values{
		"kind": {"financial"}, "purpose": {"education"}, "clause_ref": {"Sch 2 para 1"},
		"description":  {"Pay £287,500 towards primary school places"},
		"trigger_type": {"occupation-count"}, "trigger_quantity": {"50"},
		"base_amount": {"287,500.00"}, "index": {"bcis-tpi"},
		"base_date-day": {"1"}, "base_date-month": {"4"}, "base_date-year": {"2023"},
		"spend_by_months": {"120"}, "return_unspent": {"yes"}, "maintenance_sum": {"no"},
		"service_area": {"Education"}, "contact_name": {"Schools capital team"}, "contact_email": {"schools@wessexvale.example"},
	}
}

func officerServer(t *testing.T) (*Application, *testServer) {
	t.Helper()
	app := newTestApp(t)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	ts := newTestServer(t, app)
	ts.login(t, "officer@test.example", testPassword)
	return app, ts
}

func TestOfficerAddsAnObligationThroughTheForm(t *testing.T) {
	t.Parallel()
	app, ts := officerServer(t)
	agreementID := seedAgreement(t, app, "24/S106/001", "Mill Lane", "North Ward")
	path := fmt.Sprintf("/agreements/%d/obligations", agreementID)

	form := obligationFormValues()
	form.Set("csrf_token", ts.csrf(t, path+"/new"))
	res := ts.post(t, path, form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("status %d\n%s", res.status, excerpt(res.body))
	}
	page := htmltest.Parse(t, ts.get(t, res.header.Get("Location")).body)
	for key, want := range map[string]string{
		"Base amount":     "£287,500.00",
		"Trigger":         "Occupation of 50 dwellings",
		"Index-linked to": "BCIS All-in Tender Price Index",
		"Spend-by period": "10 years from receipt of each payment",
	} {
		if got := page.SummaryValue(key); !strings.HasPrefix(got, want) {
			t.Errorf("obligation %s = %q, want it to start %q", key, got, want)
		}
	}
	if status := page.Text("main h1 + p .govuk-tag"); status != "Pending" {
		t.Errorf("status %q, want Pending", status)
	}
	if !page.HasText("main table.app-history tbody td:nth-child(3)", "Recorded obligation clause Sch 2 para 1") {
		t.Errorf("history lacks the recording: %q", page.Texts("main table.app-history tbody td:nth-child(3)"))
	}
}

func TestObligationFormShowsEveryErrorAndKeepsInput(t *testing.T) {
	t.Parallel()
	app, ts := officerServer(t)
	agreementID := seedAgreement(t, app, "24/S106/001", "Mill Lane", "North Ward")
	path := fmt.Sprintf("/agreements/%d/obligations", agreementID)

	form := obligationFormValues()
	form.Set("base_amount", "-500")
	form.Set("spend_by_months", "0")
	form.Set("purpose", "schools")
	form.Set("base_date-month", "13")
	form.Set("description", "Kept description text")
	form.Set("csrf_token", ts.csrf(t, path+"/new"))
	res := ts.post(t, path, form)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.status)
	}
	refused := htmltest.Parse(t, res.body)
	errs := refused.ErrorSummary()
	for _, want := range []string{
		"Base amount must be more than £0",
		"Spend-by period must be between 1 and 600",
		"Select a purpose from the list",
		"Base date for indexation must be a real date",
	} {
		if !slices.ContainsFunc(errs, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("error summary %q lacks %q", errs, want)
		}
	}
	if refused.Text("textarea#description") != "Kept description text" || refused.Attr("input#base_amount", "value") != "-500" ||
		refused.Text(`.govuk-error-summary__list a[href="#base_amount"]`) == "" {
		t.Errorf("the form lost what was typed or the error does not lead to the base amount")
	}
	var n int
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM obligations`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d obligations saved despite errors", n)
	}
}

func TestRecordingTriggerAndReversalThroughPagesChangesStatus(t *testing.T) {
	t.Parallel()
	app, ts := officerServer(t)
	agreementID := seedAgreement(t, app, "24/S106/001", "Mill Lane", "North Ward")
	form := obligationFormValues()
	form.Set("csrf_token", ts.csrf(t, "/"))
	res := ts.post(t, fmt.Sprintf("/agreements/%d/obligations", agreementID), form)
	obPath := res.header.Get("Location")

	tok := ts.csrf(t, obPath+"/events/new?kind=trigger-met")
	res = ts.post(t, obPath+"/events", url.Values{"csrf_token": {tok}, "kind": {"trigger-met"}, "date-day": {"2"}, "date-month": {"6"}, "date-year": {"2025"}, "evidence": {"Occupation notice"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("record trigger: %d\n%s", res.status, excerpt(res.body))
	}
	page := htmltest.Parse(t, ts.get(t, obPath).body)
	if page.Text("main h1 + p .govuk-tag") != "Triggered" || page.SummaryValue("Trigger met") != "2 June 2025" {
		t.Fatalf("status not triggered after recording the trigger: %q, met %q", page.Text("main h1 + p .govuk-tag"), page.SummaryValue("Trigger met"))
	}
	if actions := page.Texts("main .govuk-button-group a.govuk-button"); page.HasText("html", "Record trigger met") || !slices.Contains(actions, "Record discharged") {
		t.Error("once the trigger is met, only discharge should be offered")
	}
	var eventID int64
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT id FROM obligation_events`).Scan(&eventID)
	rev := fmt.Sprintf("%s/events/%d/reverse", obPath, eventID)
	res = ts.post(t, rev, url.Values{"csrf_token": {ts.csrf(t, rev)}, "reason": {""}})
	if res.status != http.StatusUnprocessableEntity || !slices.Equal(htmltest.Parse(t, res.body).ErrorSummary(), []string{"Enter why this entry is being reversed"}) {
		t.Fatalf("reversal without reason: %d", res.status)
	}
	res = ts.post(t, rev, url.Values{"csrf_token": {ts.csrf(t, rev)}, "reason": {"Wrong phase"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("reverse: %d", res.status)
	}
	page = htmltest.Parse(t, ts.get(t, obPath).body)
	if page.Text("main h1 + p .govuk-tag") != "Pending" || !slices.Contains(page.Texts("main tbody tr.app-reversed del"), "Trigger met") ||
		!page.HasText("main tbody tr td", "Wrong phase") {
		t.Fatalf("after reversal the status should be pending with the event struck through: %q", page.Texts("main tbody tr.app-reversed"))
	}
	if !slices.Contains(page.Texts("main .govuk-button-group a.govuk-button"), "Record trigger met") {
		t.Error("after the reversal the trigger can be recorded again")
	}
}

func TestStaleObligationEditKeepsTheSecondOfficersInput(t *testing.T) {
	t.Parallel()
	app, ts := officerServer(t)
	addUser(t, app.DB, "officer2@test.example", users.RoleOfficer)
	agreementID := seedAgreement(t, app, "24/S106/001", "Mill Lane", "North Ward")
	form := obligationFormValues()
	form.Set("csrf_token", ts.csrf(t, "/"))
	obPath := ts.post(t, fmt.Sprintf("/agreements/%d/obligations", agreementID), form).header.Get("Location")

	second := &testServer{Server: ts.Server, app: app, client: newClient()}
	second.login(t, "officer2@test.example", testPassword)

	first := obligationFormValues()
	first.Set("version", "1")
	first.Set("description", "First officer's wording")
	first.Set("csrf_token", ts.csrf(t, obPath+"/edit"))
	if res := ts.post(t, obPath, first); res.status != http.StatusSeeOther {
		t.Fatalf("first save: %d\n%s", res.status, excerpt(res.body))
	}
	stale := obligationFormValues()
	stale.Set("version", "1")
	stale.Set("description", "Second officer's wording")
	stale.Set("csrf_token", second.csrf(t, obPath+"/edit"))
	res := second.post(t, obPath, stale)
	conflict := htmltest.Parse(t, res.body)
	if res.status != http.StatusConflict || !conflict.HasText(".govuk-error-summary .govuk-body", "Someone else changed this record") || conflict.Text("textarea#description") != "Second officer's wording" {
		t.Fatalf("stale save: %d\n%s", res.status, excerpt(res.body))
	}
	if conflict.Attr(`form input[name="version"]`, "value") != "2" {
		t.Error("the conflict page should carry the current version")
	}
}

func TestViewerSeesObligationsButCannotChangeThem(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	agreementID := seedAgreement(t, app, "24/S106/001", "Mill Lane", "North Ward")
	officer := newTestServer(t, app)
	officer.login(t, "officer@test.example", testPassword)
	form := obligationFormValues()
	form.Set("csrf_token", officer.csrf(t, "/"))
	obPath := officer.post(t, fmt.Sprintf("/agreements/%d/obligations", agreementID), form).header.Get("Location")

	viewer := &testServer{Server: officer.Server, app: app, client: newClient()}
	viewer.login(t, "viewer@test.example", testPassword)
	page := viewer.get(t, obPath)
	if page.status != http.StatusOK {
		t.Fatalf("viewer reading obligation: %d", page.status)
	}
	if viewer := htmltest.Parse(t, page.body); viewer.HasText("html", "Change the terms") || viewer.HasText("html", "Record trigger met") {
		t.Error("a viewer must not be offered edit actions")
	}
	edit := obligationFormValues()
	edit.Set("version", "1")
	edit.Set("csrf_token", viewer.csrf(t, obPath))
	if res := viewer.post(t, obPath, edit); res.status != http.StatusForbidden {
		t.Fatalf("viewer editing: %d, want 403", res.status)
	}
}

func TestObligationsListFiltersAndCSVMatch(t *testing.T) {
	t.Parallel()
	app, ts := officerServer(t)
	a1 := seedAgreement(t, app, "24/S106/001", "Mill Lane", "North Ward")
	a2 := seedAgreement(t, app, "23/S106/900", "Station Yard", "South Ward")
	post := func(agreement int64, mutate func(url.Values)) {
		f := obligationFormValues()
		mutate(f)
		f.Set("csrf_token", ts.csrf(t, "/"))
		if res := ts.post(t, fmt.Sprintf("/agreements/%d/obligations", agreement), f); res.status != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", res.status, excerpt(res.body))
		}
	}
	post(a1, func(url.Values) {})
	post(a1, func(f url.Values) {
		f.Set("purpose", "highways")
		f.Set("description", "=HYPERLINK(\"evil\") crossing")
	})
	post(a2, func(f url.Values) { f.Set("purpose", "health"); f.Set("description", "GP surgery contribution") })

	list := htmltest.Parse(t, ts.get(t, "/obligations?ward=South+Ward").body)
	if !list.HasText("main table tbody td", "GP surgery contribution") || list.HasText("html", "primary school places") {
		t.Fatalf("ward filter wrong: %q", list.Rows("main table tbody tr"))
	}
	if !list.Has(`main a[href="/obligations.csv?ward=South+Ward"]`) {
		t.Fatal("the CSV link must carry the filters")
	}
	res := ts.get(t, "/obligations.csv?purpose=highways")
	rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][0] != "id" || rows[1][5] != "highways" || rows[1][10] != "287500.00" {
		t.Fatalf("CSV rows %v", rows)
	}
	if !strings.HasPrefix(rows[1][7], "'=") {
		t.Errorf("formula-like description not neutralised: %q", rows[1][7])
	}
	if res := ts.get(t, "/obligations?signed-from=yesterday"); res.status != http.StatusUnprocessableEntity || !slices.ContainsFunc(htmltest.Parse(t, res.body).ErrorSummary(), func(s string) bool { return strings.HasPrefix(s, "Signed from must be a real date") }) {
		t.Fatalf("bad date filter: %d", res.status)
	}
}

func TestAdminAddsALocalPurpose(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	ts := newTestServer(t, app)
	ts.login(t, "admin@test.example", testPassword)
	res := ts.post(t, "/admin/purposes", url.Values{"csrf_token": {ts.csrf(t, "/admin/purposes")}, "name": {""}, "parent": {""}})
	if res.status != http.StatusUnprocessableEntity || !slices.ContainsFunc(htmltest.Parse(t, res.body).ErrorSummary(), func(s string) bool { return strings.HasPrefix(s, "Enter the name of the local purpose") }) {
		t.Fatalf("empty purpose: %d", res.status)
	}
	res = ts.post(t, "/admin/purposes", url.Values{"csrf_token": {ts.csrf(t, "/admin/purposes")}, "name": {"Primary school expansion"}, "parent": {"education"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("add purpose: %d\n%s", res.status, excerpt(res.body))
	}
	if page := ts.get(t, "/admin/purposes"); !slices.Contains(htmltest.Parse(t, page.body).Texts("main table tbody td code"), "education-primary-school-expansion") {

		t.Fatal("new purpose not listed")
	}
}
