package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

// devOfficer starts an application with a signed-in monitoring officer.
// Its clock is fixed at 15 June 2025 so "not in the future" is testable.
func devOfficer(t *testing.T) (*Application, *testServer, users.User) {
	t.Helper()
	app := newTestApp(t)
	app.Now = func() time.Time { return time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC) }
	officer := addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	ts := newTestServer(t, app)
	ts.login(t, "officer@test.example", testPassword)
	return app, ts, officer
}

// devRecord adds a development through the service.
func devRecord(t *testing.T, app *Application, in agreements.DevelopmentInput) agreements.Development {
	t.Helper()
	d, err := app.Register.RecordDevelopment(context.Background(), actorFor(users.User{Name: "Fixture"}), in)
	if err != nil {
		t.Fatalf("record development %q: %v", in.Name, err)
	}
	return d
}

func devApplication(t *testing.T, app *Application, devID int64, ref string) agreements.PlanningApplication {
	t.Helper()
	date := time.Date(2024, 3, 27, 0, 0, 0, 0, time.UTC)
	a, err := app.Register.RecordApplication(context.Background(), actorFor(users.User{Name: "Fixture"}), devID,
		agreements.ApplicationInput{Reference: ref, Description: "Redevelopment for homes", DecisionDate: &date})
	if err != nil {
		t.Fatalf("record application %s: %v", ref, err)
	}
	return a
}

// devAgreement records an agreement with n highways obligations.
func devAgreement(t *testing.T, app *Application, devID int64, ref, typ, status string, n int) int64 {
	t.Helper()
	fx := appFixture(t, app)
	a := fx.Agreement(fixture.Agreement{Reference: ref, DevelopmentID: devID, Type: typ, Status: status, Signed: "2024-04-30"})
	for i := 0; i < n; i++ {
		fx.Obligation(a.ID, fixture.Obligation{Purpose: "highways", Description: "Highways contribution"})
	}
	return a.ID
}

func devInt(n int) *int { return &n }

func devForm(pairs ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return v
}

func TestOfficerAddsADevelopmentAndSeesItsPage(t *testing.T) {
	t.Parallel()
	app, ts, _ := devOfficer(t)
	form := devForm("name", "Riverside Wharf", "address", "1 River Road\nTestville", "postcode", "se1 9sg", "ward", "Riverside",
		"easting", "532,000", "northing", "180000", "homes_proposed", "250", "notes", "Three phases")
	form.Set("csrf_token", ts.csrf(t, "/developments/new"))
	res := ts.post(t, "/developments", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("create: status %d\n%s", res.status, excerpt(res.body))
	}
	loc := res.header.Get("Location")
	if !regexp.MustCompile(`^/developments/\d+$`).MatchString(loc) {
		t.Fatalf("redirected to %q", loc)
	}
	page := ts.get(t, loc)
	doc := htmltest.Parse(t, page.body)
	for _, c := range [][2]string{
		{doc.Text(".govuk-notification-banner__heading"), "Added development Riverside Wharf."},
		{doc.Text("h1"), "Riverside Wharf"},
		{doc.SummaryValue("Postcode"), "SE1 9SG"},
		{doc.SummaryValue("Ward"), "Riverside"},
		{doc.SummaryValue("Location"), "Easting 532000, northing 180000 (British National Grid)"},
		{doc.SummaryValue("Homes proposed"), "250"},
		{doc.SummaryValue("Address"), "1 River Road Testville"},
		{doc.SummaryValue("Notes"), "Three phases"},
		{doc.Text("h2#applications + p"), "No planning applications have been recorded for this development."},
		{doc.Text("h2#agreements + p"), "No agreements have been recorded for this development."},
		{doc.Text(fmt.Sprintf("a.govuk-button[href='%s/applications/new']", loc)), "Add a planning application"},
		{doc.Text("form[action='" + loc + "/archive'] button"), "Archive development"},
		{doc.Text(".app-history tbody tr td:nth-child(2)"), "Test officer@test.example"},
	} {
		if c[0] != c[1] {
			t.Errorf("development page shows %q, want %q", c[0], c[1])
		}
	}
	if n := doc.Count(".govuk-summary-list__row:has(.govuk-summary-list__key:containsOwn('Address')) .govuk-summary-list__value br"); n != 1 {
		t.Errorf("the address shows %d line breaks, want 1", n)
	}
	list := ts.get(t, "/developments")
	if got := htmltest.Parse(t, list.body).Text(devListRows + " a[href='" + loc + "']"); got != "Riverside Wharf" {
		t.Error("the new development is not in the list")
	}
	_ = app
}

func TestDevelopmentFormValidationKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	_, ts, _ := devOfficer(t)
	cases := []struct {
		name string
		form url.Values
		msgs []string
	}{
		{"missing name", devForm("name", "", "ward", "Kept Ward"), []string{"Enter the development name"}},
		{"bad postcode", devForm("name", "Kept Name", "postcode", "XYZ"), []string{"Enter a real postcode, like SW1A 1AA"}},
		{"easting without northing", devForm("name", "Kept Name", "easting", "532000"), []string{"Enter the northing as well as the easting"}},
		{"northing without easting", devForm("name", "Kept Name", "northing", "180000"), []string{"Enter the easting as well as the northing"}},
		{"easting off the grid", devForm("name", "Kept Name", "easting", "800000", "northing", "180000"), []string{"Easting must be between 0 and 700000"}},
		{"northing off the grid", devForm("name", "Kept Name", "easting", "500000", "northing", "1300001"), []string{"Northing must be between 0 and 1300000"}},
		{"latitude without longitude", devForm("name", "Kept Name", "latitude", "51.5"), []string{"Enter the longitude as well as the latitude"}},
		{"longitude without latitude", devForm("name", "Kept Name", "longitude", "-0.12"), []string{"Enter the latitude as well as the longitude"}},
		{"latitude outside the UK", devForm("name", "Kept Name", "latitude", "40.1", "longitude", "-0.12"), []string{"Latitude must be between 49 and 61"}},
		{"longitude outside the UK", devForm("name", "Kept Name", "latitude", "51.5", "longitude", "-10"), []string{"Longitude must be between -9 and 2"}},
		{"negative homes", devForm("name", "Kept Name", "homes_proposed", "-5"), []string{"Homes proposed must be 0 or more"}},
		{"homes not a number", devForm("name", "Kept Name", "homes_proposed", "lots"), []string{"Homes proposed must be a whole number"}},
		{"every problem at once, in page order", devForm("name", "", "postcode", "XYZ", "easting", "abc", "northing", "180000", "homes_proposed", "-1"),
			[]string{"Enter the development name", "Enter a real postcode", "Easting must be a whole number", "Homes proposed must be 0 or more"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.form.Set("csrf_token", ts.csrf(t, "/developments/new"))
			res := ts.post(t, "/developments", c.form)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", res.status, excerpt(res.body))
			}
			page := htmltest.Parse(t, res.body)
			if page.Text(".govuk-error-summary__title") != "There is a problem" || !strings.HasPrefix(page.Text("title"), "Error: ") {
				t.Error("no GOV.UK error summary / error title")
			}
			// The summary holds these messages and no others, in page order.
			got := page.ErrorSummary()
			if len(got) != len(c.msgs) {
				t.Fatalf("error summary %q, want %q", got, c.msgs)
			}
			for i, m := range c.msgs {
				if !strings.HasPrefix(got[i], m) {
					t.Errorf("error summary item %d is %q, want %q", i+1, got[i], m)
				}
			}
			for field, vals := range c.form {
				if field != "csrf_token" && vals[0] != "" && page.Value(field) != vals[0] {
					t.Errorf("the %s typed (%q) was lost: the field holds %q", field, vals[0], page.Value(field))
				}
			}
		})
	}
	if n := devCountRows(t, ts.app, "developments"); n != 0 {
		t.Fatalf("%d invalid developments were saved", n)
	}
}

func devCountRows(t *testing.T, app *Application, table string) int {
	t.Helper()
	var n int
	if err := app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPlanningApplicationsAreAddedFromTheDevelopmentPageWithValidation(t *testing.T) {
	t.Parallel()
	app, ts, _ := devOfficer(t)
	wharf := devRecord(t, app, agreements.DevelopmentInput{Name: "Riverside Wharf"})
	mill := devRecord(t, app, agreements.DevelopmentInput{Name: "Old Mill"})
	devApplication(t, app, wharf.ID, "21/AP/1234")
	newPath := fmt.Sprintf("/developments/%d/applications/new", mill.ID)
	postPath := fmt.Sprintf("/developments/%d/applications", mill.ID)

	cases := []struct {
		name string
		form url.Values
		msg  string
	}{
		{"missing reference", devForm("description", "Kept description"), "Enter the planning application reference"},
		{"not a real date", devForm("reference", "24/AP/0001", "decision_date-day", "31", "decision_date-month", "2", "decision_date-year", "2024"), "Decision date must be a real date"},
		{"part of a date", devForm("reference", "24/AP/0001", "decision_date-day", "3", "decision_date-year", "2024"), "Decision date must include a month"},
		{"decided in the future", devForm("reference", "24/AP/0001", "decision_date-day", "16", "decision_date-month", "6", "decision_date-year", "2025"), "Decision date must be today or in the past"},
		{"reference already used", devForm("reference", "21/ap/1234"), "Planning application 21/AP/1234 is already recorded for the development Riverside Wharf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.form.Set("csrf_token", ts.csrf(t, newPath))
			res := ts.post(t, postPath, c.form)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", res.status, excerpt(res.body))
			}
			page := htmltest.Parse(t, res.body)
			if got := page.ErrorSummary(); !slices.Equal(got, []string{c.msg}) || page.Text(".govuk-error-summary__title") != "There is a problem" {
				t.Fatalf("error summary %q, want %q\n%s", got, c.msg, excerpt(res.body))
			}
			for field, vals := range c.form {
				if field != "csrf_token" && vals[0] != "" && page.Value(field) != vals[0] {
					t.Errorf("the %s typed (%q) was lost: the field holds %q", field, vals[0], page.Value(field))
				}
			}
		})
	}

	form := devForm("reference", "24/AP/0456", "description", "Conversion to flats", "decision_date-day", "15", "decision_date-month", "6", "decision_date-year", "2025")
	form.Set("csrf_token", ts.csrf(t, newPath))
	res := ts.post(t, postPath, form)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != fmt.Sprintf("/developments/%d#applications", mill.ID) {
		t.Fatalf("add: status %d to %q\n%s", res.status, res.header.Get("Location"), excerpt(res.body))
	}
	page := ts.get(t, fmt.Sprintf("/developments/%d", mill.ID))
	doc := htmltest.Parse(t, page.body)
	// Planning applications: reference, description, decision date.
	if got := doc.Rows(devApplicationRows); len(got) != 1 || len(got[0]) < 3 || !slices.Equal(got[0][:3], []string{"24/AP/0456", "Conversion to flats", "15 June 2025"}) {
		t.Errorf("planning applications %q", got)
	}
	if !doc.HasText(devHistoryWhat, "Added planning application 24/AP/0456 to Old Mill") {
		t.Errorf("history %q lacks the added application", doc.Texts(devHistoryWhat))
	}
	// Absent from the whole page, not only from the table.
	if strings.Contains(page.body, "21/AP/1234") {
		t.Error("another development's application is shown")
	}
}

func TestStaleDevelopmentEditIsRefusedAndKeepsTheSecondOfficersInput(t *testing.T) {
	t.Parallel()
	app, first, _ := devOfficer(t)
	addUser(t, app.DB, "officer2@test.example", users.RoleOfficer)
	second := &testServer{Server: first.Server, app: app, client: newClient()}
	second.login(t, "officer2@test.example", testPassword)
	d := devRecord(t, app, agreements.DevelopmentInput{Name: "Gasworks", Ward: "Central"})
	path := fmt.Sprintf("/developments/%d", d.ID)
	edit := path + "/edit"
	edited := first.get(t, edit)
	if doc := htmltest.Parse(t, edited.body); doc.Value("name") != "Gasworks" || doc.Value("version") != fmt.Sprint(d.Version) {
		t.Fatal("edit form is not pre-filled with the development and its version")
	}

	version := fmt.Sprint(d.Version)
	res := first.post(t, path, devForm("csrf_token", first.csrf(t, edit), "version", version, "name", "Gasworks North", "ward", "Central"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("first save: status %d\n%s", res.status, excerpt(res.body))
	}
	res = second.post(t, path, devForm("csrf_token", second.csrf(t, edit), "version", version, "name", "Gasworks South", "ward", "Harbour", "homes_proposed", "40"))
	if res.status != http.StatusConflict {
		t.Fatalf("stale save: status %d, want 409", res.status)
	}
	conflict := htmltest.Parse(t, res.body)
	if !conflict.HasText(".govuk-error-summary__body", "Someone else changed this record") {
		t.Error("the conflict page does not explain the conflict in its error summary")
	}
	for field, want := range map[string]string{"name": "Gasworks South", "ward": "Harbour", "homes_proposed": "40"} {
		if got := conflict.Value(field); got != want {
			t.Errorf("conflict page's %s holds %q, want %q", field, got, want)
		}
	}
	current, _ := app.Register.GetDevelopment(context.Background(), d.ID)
	if current.Name != "Gasworks North" {
		t.Fatalf("stored name %q; the first save must stand", current.Name)
	}
	if conflict.Value("version") != fmt.Sprint(current.Version) {
		t.Fatal("the conflict page must carry the latest version")
	}
	res = second.post(t, path, devForm("csrf_token", second.csrf(t, edit), "version", fmt.Sprint(current.Version), "name", "Gasworks South", "ward", "Harbour"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("deliberate re-save: status %d", res.status)
	}
	page := second.get(t, path)
	if doc := htmltest.Parse(t, page.body); !doc.HasText(devHistoryWhat, "Changed development Gasworks South") || !doc.HasText(devHistoryWhat, "Changed development Gasworks North") {
		t.Error("both saves should be in the History")
	}
}

func TestStalePlanningApplicationEditIsRefused(t *testing.T) {
	t.Parallel()
	app, ts, _ := devOfficer(t)
	d := devRecord(t, app, agreements.DevelopmentInput{Name: "Dockside"})
	a := devApplication(t, app, d.ID, "22/AP/0001")
	path := fmt.Sprintf("/applications/%d", a.ID)
	edit := path + "/edit"
	form := ts.get(t, edit)
	doc := htmltest.Parse(t, form.body)
	if doc.Value("reference") != "22/AP/0001" || doc.Attr("input[name='decision_date-day'][type='text'][inputmode='numeric']", "value") != "27" || doc.Text(".govuk-caption-l") != "Dockside" {
		t.Errorf("edit form shows reference %q, day %q, development %q", doc.Value("reference"), doc.Value("decision_date-day"), doc.Text(".govuk-caption-l"))
	}
	res := ts.post(t, path, devForm("csrf_token", ts.csrf(t, edit), "version", fmt.Sprint(a.Version), "reference", "22/AP/0001A"))
	if res.status != http.StatusSeeOther || res.header.Get("Location") != fmt.Sprintf("/developments/%d#applications", d.ID) {
		t.Fatalf("save: status %d to %q", res.status, res.header.Get("Location"))
	}
	res = ts.post(t, path, devForm("csrf_token", ts.csrf(t, edit), "version", fmt.Sprint(a.Version), "reference", "22/AP/0001B", "description", "Stale description"))
	if doc := htmltest.Parse(t, res.body); res.status != http.StatusConflict || doc.Value("reference") != "22/AP/0001B" || doc.Value("description") != "Stale description" {
		t.Fatalf("stale save: status %d\n%s", res.status, excerpt(res.body))
	}
	got, _ := app.Register.GetApplication(context.Background(), a.ID)
	if got.Reference != "22/AP/0001A" {
		t.Fatalf("stored reference %q", got.Reference)
	}
}

func TestArchivingADevelopmentHidesItFromTheListAndIsAudited(t *testing.T) {
	t.Parallel()
	app, ts, _ := devOfficer(t)
	d := devRecord(t, app, agreements.DevelopmentInput{Name: "Brewery Yard", Ward: "Old Town"})
	devAgreement(t, app, d.ID, "S106/BY/1", "section-106", "live", 2) // agreements do not stop archiving
	path := fmt.Sprintf("/developments/%d", d.ID)

	res := ts.post(t, path+"/archive", devForm("csrf_token", ts.csrf(t, path), "version", fmt.Sprint(d.Version), "archived", "true"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("archive: status %d\n%s", res.status, excerpt(res.body))
	}
	page := ts.get(t, path)
	doc := htmltest.Parse(t, page.body)
	if !doc.HasText(devHistoryWhat, "Archived development Brewery Yard") || doc.Text("h1 .govuk-tag.govuk-tag--grey") != "Archived" ||
		doc.Text("form[action='"+path+"/archive'] button") != "Restore development" {
		t.Errorf("archived development page: history %q, h1 %q, button %q", doc.Texts(devHistoryWhat), doc.Text("h1"), doc.Text("form[action='"+path+"/archive'] button"))
	}
	if list := ts.get(t, "/developments"); slices.Contains(devListed(t, list.body), "Brewery Yard") {
		t.Error("an archived development is listed by default")
	}
	if list := ts.get(t, "/developments?archived=include"); !slices.Contains(devListed(t, list.body), "Brewery Yard") {
		t.Error("Include archived does not show the archived development")
	}

	// A stale archive form is refused.
	res = ts.post(t, path+"/archive", devForm("csrf_token", ts.csrf(t, path), "version", fmt.Sprint(d.Version), "archived", "false"))
	if res.status != http.StatusConflict || !htmltest.Parse(t, res.body).HasText(".govuk-error-summary__body", "Someone else changed this development") {
		t.Fatalf("stale restore: status %d", res.status)
	}
	current, _ := app.Register.GetDevelopment(context.Background(), d.ID)
	res = ts.post(t, path+"/archive", devForm("csrf_token", ts.csrf(t, path), "version", fmt.Sprint(current.Version), "archived", "false"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("restore: status %d", res.status)
	}
	page = ts.get(t, path)
	if doc := htmltest.Parse(t, page.body); !doc.HasText(devHistoryWhat, "Restored development Brewery Yard") || doc.Text("form[action='"+path+"/archive'] button") != "Archive development" {
		t.Error("restore is not shown in the History")
	}
	if list := ts.get(t, "/developments"); !slices.Contains(devListed(t, list.body), "Brewery Yard") {
		t.Error("a restored development is not listed")
	}
}

func TestDevelopmentsListSearchesFiltersSortsAndPages(t *testing.T) {
	t.Parallel()
	app, ts, _ := devOfficer(t)
	for i := 1; i <= 60; i++ {
		devRecord(t, app, agreements.DevelopmentInput{Name: fmt.Sprintf("Plot %02d", i), Ward: "Northfield", HomesProposed: devInt(i * 10)})
	}
	quay := devRecord(t, app, agreements.DevelopmentInput{Name: "Quay Street", Ward: "Harbour", Postcode: "BS1 4DJ", HomesProposed: devInt(5)})
	devApplication(t, app, quay.ID, "23/AP/9001")
	devAgreement(t, app, quay.ID, "S106/Q/1", "section-106", "live", 0)

	first := ts.get(t, "/developments")
	firstPage := htmltest.Parse(t, first.body)
	if got := firstPage.Text(devListStatus); got != "Showing 1 to 50 of 61 developments" {
		t.Fatalf("first page summary %q\n%s", got, excerpt(first.body))
	}
	var plots []string
	for i := 1; i <= 60; i++ {
		plots = append(plots, fmt.Sprintf("Plot %02d", i))
	}
	if got := devListed(t, first.body); !slices.Equal(got, plots[:50]) {
		t.Errorf("sorted by name, the first page should hold Plot 01 to Plot 50, not %q", got)
	}
	second := ts.get(t, "/developments?page=2")
	if got, names := htmltest.Parse(t, second.body).Text(devListStatus), devListed(t, second.body); got != "Showing 51 to 61 of 61 developments" || !slices.Equal(names, append(plots[50:], "Quay Street")) {
		t.Fatalf("second page %q lists %q\n%s", got, names, excerpt(second.body))
	}
	if !firstPage.Has("nav.govuk-pagination a[href='?page=2']") {
		t.Error("no link to page 2")
	}
	// Wards come from the data.
	if got := firstPage.Texts("select[name='ward'] option[value='Harbour'], select[name='ward'] option[value='Northfield']"); !slices.Equal(got, []string{"Harbour", "Northfield"}) {
		t.Errorf("ward filter options %q", got)
	}
	byWard := htmltest.Parse(t, ts.get(t, "/developments?ward=Harbour").body)
	// Name, postcode, ward, planning applications, homes, agreements, updated.
	if row := byWard.RowWith(devListRows, "Quay Street"); byWard.Text(devListStatus) != "Showing 1 to 1 of 1 developments" || byWard.Count(devListRows) != 1 || row == nil || row[3] != "23/AP/9001" {
		t.Errorf("ward filter wrong: %q %q", byWard.Text(devListStatus), row)
	}
	byRef := ts.get(t, "/developments?q=9001")
	if got := devListed(t, byRef.body); !slices.Equal(got, []string{"Quay Street"}) {
		t.Errorf("search by planning application reference lists %q", got)
	}
	byPostcode := ts.get(t, "/developments?q=bs14dj")
	if got := devListed(t, byPostcode.body); !slices.Equal(got, []string{"Quay Street"}) {
		t.Errorf("search by postcode lists %q", got)
	}
	sorted := ts.get(t, "/developments?sort=homes&dir=desc")
	if got := devListed(t, sorted.body); len(got) < 2 || got[0] != "Plot 60" || got[1] != "Plot 59" {
		t.Errorf("sort by homes proposed, most first, lists %q", got)
	}
	if got := htmltest.Parse(t, sorted.body).Texts("th[aria-sort='descending']"); len(got) != 1 || !strings.HasPrefix(got[0], "Homes proposed") {
		t.Errorf("sorted column not marked for assistive technology: %q", got)
	}
	byAgreements := ts.get(t, "/developments?sort=agreements&dir=desc")
	if got := devListed(t, byAgreements.body); len(got) == 0 || got[0] != "Quay Street" {
		t.Errorf("sort by agreements lists %q", got)
	}
	none := htmltest.Parse(t, ts.get(t, "/developments?q=nothing-like-this").body)
	if none.Text(devListStatus) != "No developments match." || none.Text("main a.govuk-link[href='/developments']:containsOwn('clear the filters')") != "clear the filters" || none.Has(devListRows) {
		t.Error("empty state for a search with no results missing")
	}
}

func TestDevelopmentsCSVHoldsExactlyWhatTheFiltersShow(t *testing.T) {
	t.Parallel()
	app, ts, _ := devOfficer(t)
	lat, long := decimal.RequireFromString("51.4545"), decimal.RequireFromString("-2.5879")
	a := devRecord(t, app, agreements.DevelopmentInput{Name: "Harbourside", Address: "2 Quay Road\nBristol", Postcode: "bs1 5dj", Ward: "Harbour",
		Latitude: &lat, Longitude: &long, HomesProposed: devInt(300)})
	devApplication(t, app, a.ID, "21/AP/0002")
	devApplication(t, app, a.ID, "21/AP/0001")
	devAgreement(t, app, a.ID, "S106/H/1", "section-106", "live", 1)
	devAgreement(t, app, a.ID, "S106/H/2", "unilateral-undertaking", "draft", 0)
	b := devRecord(t, app, agreements.DevelopmentInput{Name: "=HYPERLINK(\"x\")", Ward: "Harbour", Easting: devInt(358000), Northing: devInt(172000)})
	devRecord(t, app, agreements.DevelopmentInput{Name: "Elsewhere", Ward: "Hilltop"})
	gone := devRecord(t, app, agreements.DevelopmentInput{Name: "Archived Shed", Ward: "Harbour"})
	if _, err := app.Register.SetDevelopmentArchived(context.Background(), actorFor(users.User{Name: "x"}), gone.ID, gone.Version, true); err != nil {
		t.Fatal(err)
	}

	res := ts.get(t, "/developments.csv?ward=Harbour&sort=name")
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("status %d type %q", res.status, res.header.Get("Content-Type"))
	}
	want := "id,name,address,postcode,ward,easting,northing,latitude,longitude,homes_proposed,planning_applications,agreements,archived\n" +
		fmt.Sprintf("%d,\"'=HYPERLINK(\"\"x\"\")\",,,Harbour,358000,172000,,,,,0,no\n", b.ID) +
		fmt.Sprintf("%d,Harbourside,\"2 Quay Road\nBristol\",BS1 5DJ,Harbour,,,51.4545,-2.5879,300,21/AP/0001;21/AP/0002,2,no\n", a.ID)
	if res.body != want {
		t.Fatalf("CSV\n%s\nwant\n%s", res.body, want)
	}

	// The list page links to the CSV of the same filters.
	list := ts.get(t, "/developments?ward=Harbour&sort=name&page=1")
	if !htmltest.Parse(t, list.body).Has(".app-list-summary a[href='/developments.csv?sort=name&ward=Harbour']") {
		t.Errorf("list does not link to the filtered CSV\n%s", excerpt(list.body))
	}
	// Archived ones only when asked, and the CSV ignores pagination.
	res = ts.get(t, "/developments.csv?archived=only&page=3")
	if !strings.Contains(res.body, fmt.Sprintf("%d,Archived Shed,,,Harbour,,,,,,,0,yes\n", gone.ID)) || strings.Count(res.body, "\n") != 2 {
		t.Fatalf("archived CSV\n%s", res.body)
	}
}

func TestDevelopmentPageShowsItsApplicationsAndAgreements(t *testing.T) {
	t.Parallel()
	app, ts, _ := devOfficer(t)
	d := devRecord(t, app, agreements.DevelopmentInput{Name: "Station Quarter", Ward: "Central", HomesProposed: devInt(420)})
	other := devRecord(t, app, agreements.DevelopmentInput{Name: "Other Site"})
	pa := devApplication(t, app, d.ID, "20/AP/3141")
	agID := devAgreement(t, app, d.ID, "S106/SQ/1", "section-106", "live", 3)
	devAgreement(t, app, other.ID, "S106/OS/1", "section-106", "live", 1)

	page := ts.get(t, fmt.Sprintf("/developments/%d", d.ID))
	if page.status != http.StatusOK {
		t.Fatalf("status %d", page.status)
	}
	doc := htmltest.Parse(t, page.body)
	if row := doc.RowWith(devApplicationRows, "20/AP/3141"); row == nil || row[2] != "27 March 2024" ||
		!doc.Has(fmt.Sprintf("%s a[href='/applications/%d/edit']", devApplicationRows, pa.ID)) {
		t.Errorf("planning application row %q", row)
	}
	// Agreements: reference, type, status, date signed, obligations.
	if got := doc.Rows(devAgreementRows); len(got) != 1 || !slices.Equal(got[0], []string{"S106/SQ/1", "Section 106 agreement", "Live (being monitored)", "30 April 2024", "3"}) ||
		doc.Text(fmt.Sprintf("%s a[href='/agreements/%d']", devAgreementRows, agID)) != "S106/SQ/1" {
		t.Errorf("agreements %q", got)
	}
	if doc.Text(fmt.Sprintf("a.govuk-button[href='/agreements/new?development=%d']", d.ID)) != "Add an agreement" ||
		!doc.Has(fmt.Sprintf(".govuk-summary-list__actions a[href='/developments/%d/edit#name']", d.ID)) ||
		!doc.HasText(devHistoryWhat, "Added planning application 20/AP/3141") {
		t.Error("development page lacks Add an agreement, the Change link for the name, or the application in its History")
	}
	// Absent from the whole page, not only from the table.
	if strings.Contains(page.body, "S106/OS/1") {
		t.Error("another development's agreement is shown")
	}
	list := ts.get(t, "/developments?ward=Central")
	if row := htmltest.Parse(t, list.body).RowWith(devListRows, "Station Quarter"); row == nil || row[5] != "1" {
		t.Error("the list does not count the development's agreements")
	}

	// A viewer sees the same facts but no way to change them.
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	viewer := &testServer{Server: ts.Server, app: app, client: newClient()}
	viewer.login(t, "viewer@test.example", testPassword)
	seen := viewer.get(t, fmt.Sprintf("/developments/%d", d.ID))
	if doc := htmltest.Parse(t, seen.body); doc.RowWith(devAgreementRows, "S106/SQ/1") == nil || doc.RowWith(devApplicationRows, "20/AP/3141") == nil {
		t.Error("a viewer cannot see the development's agreements and applications")
	}
	// Absent from the whole page, not only from where they would be.
	for _, hidden := range []string{"Add an agreement", "Add a planning application", "Archive development", "/edit"} {
		if strings.Contains(seen.body, hidden) {
			t.Errorf("a viewer is offered %q", hidden)
		}
	}
	if strings.Contains(viewer.get(t, "/developments").body, "Add a development") {
		t.Error("a viewer is offered Add a development")
	}
}

func TestViewerCannotChangeDevelopments(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	d := devRecord(t, app, agreements.DevelopmentInput{Name: "Locked Site"})
	a := devApplication(t, app, d.ID, "19/AP/0001")
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)

	token := ts.csrf(t, "/developments")
	res := ts.post(t, "/developments", devForm("csrf_token", token, "name", "Sneaky Site"))
	if res.status != http.StatusForbidden {
		t.Fatalf("viewer POST /developments: status %d, want 403", res.status)
	}
	for _, path := range []string{fmt.Sprintf("/developments/%d", d.ID), fmt.Sprintf("/developments/%d/archive", d.ID),
		fmt.Sprintf("/developments/%d/applications", d.ID), fmt.Sprintf("/applications/%d", a.ID)} {
		if res := ts.post(t, path, devForm("csrf_token", token, "version", "1", "name", "Changed", "reference", "X/1", "archived", "true")); res.status != http.StatusForbidden {
			t.Errorf("viewer POST %s: status %d, want 403", path, res.status)
		}
	}
	for _, path := range []string{"/developments/new", fmt.Sprintf("/developments/%d/edit", d.ID)} {
		if res := ts.get(t, path); res.status != http.StatusForbidden {
			t.Errorf("viewer GET %s: status %d, want 403", path, res.status)
		}
	}
	if n := devCountRows(t, app, "developments"); n != 1 {
		t.Fatalf("%d developments; the viewer's must not be saved", n)
	}
	got, _ := app.Register.GetDevelopment(context.Background(), d.ID)
	if got.Name != "Locked Site" || got.Archived() {
		t.Fatalf("the viewer changed the development: %+v", got)
	}
}

func TestUnknownDevelopmentsAndApplicationsAreNotFound(t *testing.T) {
	t.Parallel()
	_, ts, _ := devOfficer(t)
	for _, path := range []string{"/developments/999999", "/developments/999999/edit", "/developments/999999/applications/new", "/applications/999999/edit", "/developments/abc"} {
		if res := ts.get(t, path); res.status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, res.status)
		}
	}
	res := ts.post(t, "/developments/999999/applications", devForm("csrf_token", ts.csrf(t, "/developments"), "reference", "X/1"))
	if res.status != http.StatusNotFound {
		t.Errorf("add an application to a missing development: status %d", res.status)
	}
}

// The developments list and a development's page, asked by element.
const (
	devListRows        = "table:has(caption:containsOwn('Developments matching the filters')) tbody tr"
	devListStatus      = ".app-list-summary p[role='status']"
	devApplicationRows = "table:has(caption:containsOwn('Planning applications for')) tbody tr"
	devAgreementRows   = "table:has(caption:containsOwn('Agreements for')) tbody tr"
	devHistoryWhat     = ".app-history tbody td:nth-child(3)"
)

// devListed is the name of each development the list links to, in order.
func devListed(t *testing.T, body string) []string {
	t.Helper()
	return htmltest.Parse(t, body).Texts(devListRows + " td:first-child a")
}
