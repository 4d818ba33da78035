package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/fixture"
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
	for _, want := range []string{"Added development Riverside Wharf.", "<h1 class=\"govuk-heading-l\">Riverside Wharf", "SE1 9SG", "Riverside",
		"Easting 532000, northing 180000", "250", "1 River Road<br> Testville", "Three phases",
		"No planning applications have been recorded for this development.", "No agreements have been recorded for this development.",
		"Add a planning application", "Archive development", "Test officer@test.example"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("development page lacks %q", want)
		}
	}
	list := ts.get(t, "/developments")
	if !strings.Contains(list.body, `href="`+loc+`">Riverside Wharf</a>`) {
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
			if !strings.Contains(res.body, "There is a problem") || !strings.Contains(res.body, "<title>Error: ") {
				t.Error("no GOV.UK error summary / error title")
			}
			last := -1
			for _, m := range c.msgs {
				i := strings.Index(res.body, m)
				if i < 0 {
					t.Fatalf("missing message %q", m)
				}
				if i < last {
					t.Errorf("message %q is out of page order in the summary", m)
				}
				last = i
			}
			for field, vals := range c.form {
				if field != "csrf_token" && vals[0] != "" && !strings.Contains(res.body, `value="`+vals[0]+`"`) {
					t.Errorf("the %s typed (%q) was lost", field, vals[0])
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
			if !strings.Contains(res.body, c.msg) || !strings.Contains(res.body, "There is a problem") {
				t.Fatalf("missing message %q\n%s", c.msg, excerpt(res.body))
			}
			for field, vals := range c.form {
				if field != "csrf_token" && vals[0] != "" && !strings.Contains(res.body, vals[0]) {
					t.Errorf("the %s typed (%q) was lost", field, vals[0])
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
	for _, want := range []string{"24/AP/0456", "Conversion to flats", "15 June 2025", "Added planning application 24/AP/0456 to Old Mill"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("development page lacks %q", want)
		}
	}
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
	if !strings.Contains(edited.body, `value="Gasworks"`) || !strings.Contains(edited.body, fmt.Sprintf(`name="version" value="%d"`, d.Version)) {
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
	for _, want := range []string{"Someone else changed this record", `value="Gasworks South"`, `value="Harbour"`, `value="40"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("conflict page lacks %q", want)
		}
	}
	current, _ := app.Register.GetDevelopment(context.Background(), d.ID)
	if current.Name != "Gasworks North" {
		t.Fatalf("stored name %q; the first save must stand", current.Name)
	}
	if !strings.Contains(res.body, fmt.Sprintf(`name="version" value="%d"`, current.Version)) {
		t.Fatal("the conflict page must carry the latest version")
	}
	res = second.post(t, path, devForm("csrf_token", second.csrf(t, edit), "version", fmt.Sprint(current.Version), "name", "Gasworks South", "ward", "Harbour"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("deliberate re-save: status %d", res.status)
	}
	page := second.get(t, path)
	if !strings.Contains(page.body, "Changed development Gasworks South") || !strings.Contains(page.body, "Changed development Gasworks North") {
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
	for _, want := range []string{`value="22/AP/0001"`, `name="decision_date-day" type="text" inputmode="numeric" value="27"`, "Dockside"} {
		if !strings.Contains(form.body, want) {
			t.Errorf("edit form lacks %q", want)
		}
	}
	res := ts.post(t, path, devForm("csrf_token", ts.csrf(t, edit), "version", fmt.Sprint(a.Version), "reference", "22/AP/0001A"))
	if res.status != http.StatusSeeOther || res.header.Get("Location") != fmt.Sprintf("/developments/%d#applications", d.ID) {
		t.Fatalf("save: status %d to %q", res.status, res.header.Get("Location"))
	}
	res = ts.post(t, path, devForm("csrf_token", ts.csrf(t, edit), "version", fmt.Sprint(a.Version), "reference", "22/AP/0001B", "description", "Stale description"))
	if res.status != http.StatusConflict || !strings.Contains(res.body, `value="22/AP/0001B"`) || !strings.Contains(res.body, "Stale description") {
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
	for _, want := range []string{"Archived development Brewery Yard", `govuk-tag govuk-tag--grey">Archived`, "Restore development"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("archived development page lacks %q", want)
		}
	}
	if list := ts.get(t, "/developments"); strings.Contains(list.body, "Brewery Yard") {
		t.Error("an archived development is listed by default")
	}
	if list := ts.get(t, "/developments?archived=include"); !strings.Contains(list.body, "Brewery Yard") {
		t.Error("Include archived does not show the archived development")
	}

	// A stale archive form is refused.
	res = ts.post(t, path+"/archive", devForm("csrf_token", ts.csrf(t, path), "version", fmt.Sprint(d.Version), "archived", "false"))
	if res.status != http.StatusConflict || !strings.Contains(res.body, "Someone else changed this development") {
		t.Fatalf("stale restore: status %d", res.status)
	}
	current, _ := app.Register.GetDevelopment(context.Background(), d.ID)
	res = ts.post(t, path+"/archive", devForm("csrf_token", ts.csrf(t, path), "version", fmt.Sprint(current.Version), "archived", "false"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("restore: status %d", res.status)
	}
	page = ts.get(t, path)
	if !strings.Contains(page.body, "Restored development Brewery Yard") || !strings.Contains(page.body, "Archive development") {
		t.Error("restore is not shown in the History")
	}
	if list := ts.get(t, "/developments"); !strings.Contains(list.body, "Brewery Yard") {
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
	if !strings.Contains(first.body, "Showing <strong>1</strong> to <strong>50</strong> of <strong>61</strong> developments") {
		t.Fatalf("first page summary wrong\n%s", excerpt(first.body))
	}
	if strings.Contains(first.body, "Quay Street") || !strings.Contains(first.body, "Plot 50") || strings.Contains(first.body, "Plot 51") {
		t.Error("sorted by name, the first page should hold Plot 01 to Plot 50")
	}
	second := ts.get(t, "/developments?page=2")
	if !strings.Contains(second.body, "Showing <strong>51</strong> to <strong>61</strong> of <strong>61</strong>") || !strings.Contains(second.body, "Quay Street") || !strings.Contains(second.body, "Plot 51") || strings.Contains(second.body, "Plot 50") {
		t.Fatalf("second page wrong\n%s", excerpt(second.body))
	}
	if !strings.Contains(first.body, `href="?page=2"`) {
		t.Error("no link to page 2")
	}
	// Wards come from the data.
	if !strings.Contains(first.body, `<option value="Harbour">Harbour</option>`) || !strings.Contains(first.body, `<option value="Northfield">Northfield</option>`) {
		t.Error("ward filter options missing")
	}
	byWard := ts.get(t, "/developments?ward=Harbour")
	if !strings.Contains(byWard.body, "of <strong>1</strong> developments") || !strings.Contains(byWard.body, "Quay Street") || !strings.Contains(byWard.body, "23/AP/9001") {
		t.Error("ward filter wrong")
	}
	byRef := ts.get(t, "/developments?q=9001")
	if !strings.Contains(byRef.body, "Quay Street") || strings.Contains(byRef.body, "Plot 01") {
		t.Error("search by planning application reference wrong")
	}
	byPostcode := ts.get(t, "/developments?q=bs14dj")
	if !strings.Contains(byPostcode.body, "Quay Street") || strings.Contains(byPostcode.body, "Plot 01") {
		t.Error("search by postcode wrong")
	}
	sorted := ts.get(t, "/developments?sort=homes&dir=desc")
	if i, j := strings.Index(sorted.body, "Plot 60"), strings.Index(sorted.body, "Plot 59"); i < 0 || j < 0 || i > j {
		t.Error("sort by homes proposed, most first, wrong")
	}
	if !strings.Contains(sorted.body, `aria-sort="descending"`) {
		t.Error("sorted column not marked for assistive technology")
	}
	byAgreements := ts.get(t, "/developments?sort=agreements&dir=desc")
	if i, j := strings.Index(byAgreements.body, "Quay Street"), strings.Index(byAgreements.body, "Plot 60"); i < 0 || j < 0 || i > j {
		t.Error("sort by agreements wrong")
	}
	none := ts.get(t, "/developments?q=nothing-like-this")
	if !strings.Contains(none.body, "No developments match.") || !strings.Contains(none.body, "clear the filters") {
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
	if !strings.Contains(list.body, `href="/developments.csv?sort=name&amp;ward=Harbour"`) {
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
	for _, want := range []string{
		"20/AP/3141", "27 March 2024", fmt.Sprintf(`href="/applications/%d/edit"`, pa.ID),
		fmt.Sprintf(`href="/agreements/%d">S106/SQ/1</a>`, agID), "Section 106 agreement", "Live (being monitored)", "30 April 2024",
		`govuk-table__cell--numeric">3</td>`,
		fmt.Sprintf(`href="/agreements/new?development=%d"`, d.ID), "Add an agreement",
		fmt.Sprintf(`href="/developments/%d/edit#name"`, d.ID), "Added planning application 20/AP/3141",
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("development page lacks %q", want)
		}
	}
	if strings.Contains(page.body, "S106/OS/1") {
		t.Error("another development's agreement is shown")
	}
	list := ts.get(t, "/developments?ward=Central")
	if !strings.Contains(list.body, `govuk-table__cell--numeric">1</td>`) {
		t.Error("the list does not count the development's agreements")
	}

	// A viewer sees the same facts but no way to change them.
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	viewer := &testServer{Server: ts.Server, app: app, client: newClient()}
	viewer.login(t, "viewer@test.example", testPassword)
	seen := viewer.get(t, fmt.Sprintf("/developments/%d", d.ID))
	if !strings.Contains(seen.body, "S106/SQ/1") || !strings.Contains(seen.body, "20/AP/3141") {
		t.Error("a viewer cannot see the development's agreements and applications")
	}
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
