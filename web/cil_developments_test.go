package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/cil"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

// cilDevelopmentsToday is the clock of the levy's page tests.
var cilDevelopmentsToday = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)

// cilScheduleWorld records, through the services, a council schedule of 2019 with
// a Town centre zone (postcode district GL50) charging residential at £150
// and retail at a nil rate, and the index figures for 2019 (330) and 2024
// (363), all illustrative.
func cilScheduleWorld(t *testing.T, app *Application) cil.Schedule {
	t.Helper()
	ctx := context.Background()
	actor := audit.Actor{Label: "test"}
	effect := time.Date(2019, 2, 1, 0, 0, 0, 0, time.UTC)
	s, err := cil.CreateSchedule(ctx, app.DB, actor, cil.ScheduleInput{Name: "Charging Schedule 2019", Authority: "council", TakesEffect: &effect})
	if err != nil {
		t.Fatal(err)
	}
	z, err := cil.SaveZone(ctx, app.DB, actor, s.ID, 0, 0, cil.ZoneInput{Name: "Town centre", Postcodes: "GL50"})
	if err != nil {
		t.Fatal(err)
	}
	for use, rate := range map[string]string{"Residential": "150", "Retail": "0"} {
		r := decimal.RequireFromString(rate)
		if _, err := cil.SetRate(ctx, app.DB, actor, s.ID, cil.RateInput{ZoneID: &z.ID, UseName: use, Rate: &r}); err != nil {
			t.Fatal(err)
		}
	}
	f := appFixture(t, app)
	f.CILIndex(2019, "330")
	f.CILIndex(2024, "363")
	return s
}

func cilDevelopmentsServer(t *testing.T) (*Application, *testServer) {
	t.Helper()
	app := newTestApp(t)
	app.Now = func() time.Time { return cilDevelopmentsToday }
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	return app, newTestServer(t, app)
}

// The officer records a development, its floor areas and a liability
// notice in a 320 px wide browser; every page is axe-clean and reflows,
// and the refused notice keeps what was typed. The notice states the
// amount worked out by hand: G = 1,000, E = 200, residential A = 900 −
// 900 × 200 / 1,000 = 720; 720 × £150 × 363 / 330 = £118,800.
func TestOfficerRecordsADevelopmentAndIssuesALiabilityNoticeInTheBrowser(t *testing.T) {
	t.Parallel()
	app, ts := cilDevelopmentsServer(t)
	cilScheduleWorld(t, app)
	ctx := officerTab(t, ts, "officer@test.example")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800)); err != nil {
		t.Fatal(err)
	}
	at320 := func(name string) {
		t.Helper()
		checkReflow(t, ctx, name+" at 320 px", false)
	}

	visitAndCheck(t, ctx, ts.URL+"/cil", "CIL page")
	at320("CIL page")
	visitAndCheck(t, ctx, ts.URL+"/cil/developments/new", "new chargeable development form")
	at320("new chargeable development form")
	fill(t, ctx, map[string]string{"reference": "CIL/24/0007", "planning_reference": "24/00123/FUL", "description": "Nine flats over a shop, replacing a garage",
		"postcode": "gl50 1xy", "permission_date": "1", "permission_date-month": "5", "permission_date-year": "2024"})
	areasURL, h1 := submitAndCheck(t, ctx, "floor areas page")
	if h1 != "Gross internal areas" || !strings.HasSuffix(areasURL, "/areas") {
		t.Fatalf("after adding: %s, heading %q", areasURL, h1)
	}
	at320("floor areas page")
	record := func(use, kind, gia string, values map[string]string) {
		t.Helper()
		fill(t, ctx, map[string]string{"use": use, "gia": gia})
		fill(t, ctx, values)
		click(t, ctx, kind)
		// The table's Remove buttons come first: submit the add form's.
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[action$="/areas"] button[type=submit]`))); err != nil {
			t.Fatal(err)
		}
		if summary, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(".govuk-error-summary")||{}).innerText||""`)); summary != "" {
			t.Fatalf("recording %s was refused:\n%s", gia, summary)
		}
		browsertest.CheckAccessibility(t, ctx, "floor areas page after recording "+gia)
	}
	record("residential", "kind", "900", nil)
	record("retail", "kind", "100", nil)
	record("retail", "kind-3", "200", map[string]string{"use_from": "1", "use_from-month": "1", "use_from-year": "2020",
		"use_until": "31", "use_until-month": "1", "use_until-year": "2024", "description": "The garage"})
	main, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(main, "In use (1 January 2020 to 31 January 2024)") {
		t.Errorf("the in-use test is not shown:\n%s", main)
	}
	at320("floor areas page with three areas")

	devURL := strings.TrimSuffix(areasURL, "/areas")
	visitAndCheck(t, ctx, devURL+"/liability-notices/new", "liability notice form")
	at320("liability notice form")
	main, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Town centre", "1000", "720", "£118,800.00", "RICS CIL Index published in November 2023", "363 (2024)", "330 (2019)"} {
		if !strings.Contains(main, want) {
			t.Fatalf("the calculation lacks %q:\n%s", want, main)
		}
	}
	fill(t, ctx, map[string]string{"issued_on": "30", "issued_on-month": "4", "issued_on-year": "2024", "reference": "LN-0007"})
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[method=post] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	summary, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-error-summary")))
	kept, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#reference")))
	if !strings.Contains(summary, "A liability notice is issued after the day planning permission first permits the development (1 May 2024)") || kept != "LN-0007" {
		t.Errorf("refused notice: summary %q, reference kept %q", summary, kept)
	}
	browsertest.CheckAccessibility(t, ctx, "liability notice form with an error")
	at320("liability notice form with an error")
	fill(t, ctx, map[string]string{"issued_on": "3", "issued_on-month": "6", "issued_on-year": "2024"})
	_, h1 = submitAndCheck(t, ctx, "liability notice")
	if h1 != "Liability notice LN-0007" {
		t.Fatalf("notice heading %q", h1)
	}
	at320("liability notice")
	main, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"3 June 2024", "Nine flats over a shop, replacing a garage", "£118,800.00", "Schedule 1, paragraph 1", "GL50 1XY"} {
		if !strings.Contains(main, want) {
			t.Errorf("the notice lacks %q", want)
		}
	}
	visitAndCheck(t, ctx, devURL, "chargeable development page")
	at320("chargeable development page")
	visitAndCheck(t, ctx, ts.URL+"/cil/developments", "chargeable developments list")
	at320("chargeable developments list")
}

// Schedules through the forms: a refused schedule keeps what was typed, an
// overlapping one names the schedule it overlaps, a stale edit is a
// conflict; a rate and a zone are added; the list and its CSV show what the
// filters select; a viewer reads but cannot change.
func TestOfficerKeepsSchedulesThroughTheForms(t *testing.T) {
	t.Parallel()
	app, ts := cilDevelopmentsServer(t)
	s := cilScheduleWorld(t, app)
	ts.login(t, "officer@test.example", testPassword)
	form := projMoneyForm("name", "", "authority", "council", "takes_effect-day", "1", "takes_effect-month", "4", "takes_effect-year", "2023", "notes", "Kept notes")
	res := projPost(t, ts, "/cil/schedules", form)
	page := htmltest.Parse(t, res.body)
	if res.status != http.StatusUnprocessableEntity || !page.HasText(".govuk-error-summary__list a[href='#name']", "Enter the name of the charging schedule") {
		t.Fatalf("refused schedule: %d\n%s", res.status, excerpt(res.body))
	}
	projKeeps(t, "refused schedule", page, map[string]string{"notes": "Kept notes", "takes_effect-year": "2023"})

	form.Set("name", "Charging Schedule 2018")
	form.Set("takes_effect-year", "2018")
	form.Set("ends-day", "31")
	form.Set("ends-month", "12")
	form.Set("ends-year", "2019")
	res = projPost(t, ts, "/cil/schedules", form)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "The dates overlap Charging Schedule 2019 (from 1 February 2019 with no end date)") {
		t.Fatalf("overlapping schedule: %d\n%s", res.status, excerpt(res.body))
	}
	form.Set("ends-month", "1")
	form.Set("ends-day", "31")
	form.Set("ends-year", "2019")
	if res = projPost(t, ts, "/cil/schedules", form); res.status != http.StatusSeeOther {
		t.Fatalf("schedule before: %d\n%s", res.status, excerpt(res.body))
	}

	path := "/cil/schedules/" + itoa64(s.ID)
	edit := projMoneyForm("version", itoa(s.Version), "name", "Charging Schedule 2019 (as adopted)", "authority", "council", "takes_effect-day", "1", "takes_effect-month", "2", "takes_effect-year", "2019")
	if res = projPost(t, ts, path, edit); res.status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", res.status, excerpt(res.body))
	}
	edit.Set("notes", "My stale notes")
	if res = projPost(t, ts, path, edit); res.status != http.StatusConflict || !strings.Contains(res.body, "My stale notes") {
		t.Errorf("stale edit: %d", res.status)
	}
	if res = projPost(t, ts, path+"/rates", projMoneyForm("zone", "", "use_name", "Offices", "rate", "-5")); res.status != http.StatusUnprocessableEntity {
		t.Errorf("negative rate: %d", res.status)
	}
	if res = projPost(t, ts, path+"/rates", projMoneyForm("zone", "", "use_name", "Offices (E(g))", "rate", "25")); res.status != http.StatusSeeOther {
		t.Errorf("rate: %d\n%s", res.status, excerpt(res.body))
	}
	if res = projPost(t, ts, path+"/zones", projMoneyForm("name", "Rest of borough", "postcodes", "GL51, XX")); res.status != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, "these are not: XX") {
		t.Errorf("bad postcode: %d", res.status)
	}
	if res = projPost(t, ts, path+"/zones", projMoneyForm("name", "Rest of borough", "postcodes", "GL51", "wards", "Park")); res.status != http.StatusSeeOther {
		t.Errorf("zone: %d\n%s", res.status, excerpt(res.body))
	}
	shown := htmltest.Parse(t, ts.get(t, path).body)
	pageSays(t, "schedule page", shown, "main", "Offices (E(g))", "£25.00 per m²", "Nil rate (£0)", "Rest of borough", "Set the Offices (E(g)) rate in all zones", "Changed charging schedule")

	list := htmltest.Parse(t, ts.get(t, "/cil/schedules?status=current").body)
	if !list.HasText("main table", "Charging Schedule 2019 (as adopted)") || list.HasText("main table", "Charging Schedule 2018") {
		t.Errorf("current schedules list:\n%s", list.Text("main table"))
	}
	rows, err := csv.NewReader(strings.NewReader(ts.get(t, "/cil/schedules.csv?status=past").body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][1] != "Charging Schedule 2018" || rows[1][4] != "2019-01-31" {
		t.Errorf("past schedules CSV: %v %v", rows, err)
	}

	viewer := newTestServer(t, app)
	viewer.login(t, "viewer@test.example", testPassword)
	if got := htmltest.Parse(t, viewer.get(t, path).body); got.Has("form[action$='/rates']") || got.Has("a[href$='/edit']") {
		t.Error("a viewer is offered changes")
	}
	if res := projPost(t, viewer, path+"/rates", projMoneyForm("use_name", "Hotels", "rate", "5")); res.status != http.StatusForbidden {
		t.Errorf("viewer's rate: %d", res.status)
	}
}

func itoa64(n int64) string { return decimal.NewFromInt(n).String() }

// The development's forms: a refused development keeps what was typed, a
// stale edit is a conflict, a floor area with half a period of use is
// refused; a second liability notice revises the first (whose page says
// so); the list's CSV holds the current notice's amount; the CIL index
// series page says which figure to enter for a year (Schedule 1 para
// 1(5)).
func TestOfficerKeepsDevelopmentsAndRevisesANoticeThroughTheForms(t *testing.T) {
	t.Parallel()
	app, ts := cilDevelopmentsServer(t)
	cilScheduleWorld(t, app)
	ts.login(t, "officer@test.example", testPassword)
	form := projMoneyForm("reference", "CIL/24/0001", "description", "", "postcode", "GL50 2AA", "permission_kind", "full",
		"permission_date-day", "1", "permission_date-month", "5", "permission_date-year", "2024")
	res := projPost(t, ts, "/cil/developments", form)
	page := htmltest.Parse(t, res.body)
	if res.status != http.StatusUnprocessableEntity || !page.HasText(".govuk-error-summary__list a[href='#description']", "Enter a description of the chargeable development") {
		t.Fatalf("refused development: %d\n%s", res.status, excerpt(res.body))
	}
	projKeeps(t, "refused development", page, map[string]string{"reference": "CIL/24/0001", "postcode": "GL50 2AA"})
	form.Set("description", "Ten houses")
	res = projPost(t, ts, "/cil/developments", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("development: %d\n%s", res.status, excerpt(res.body))
	}
	areas := res.header.Get("Location")
	dev := strings.TrimSuffix(areas, "/areas")
	if res = projPost(t, ts, areas, projMoneyForm("use", "residential", "kind", "retained", "gia", "50", "use_from-day", "1", "use_from-month", "1", "use_from-year", "2022")); res.status != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, "Enter both the first and the last day of the lawful use, or neither") {
		t.Errorf("half a period of use: %d", res.status)
	}
	if res = projPost(t, ts, areas, projMoneyForm("use", "residential", "kind", "proposed", "gia", "1,000")); res.status != http.StatusSeeOther {
		t.Fatalf("area: %d\n%s", res.status, excerpt(res.body))
	}
	edit := cloneValues(form)
	edit.Set("version", "1")
	edit.Set("notes", "Stale notes")
	if res = projPost(t, ts, dev, edit); res.status != http.StatusConflict || !strings.Contains(res.body, "Stale notes") {
		t.Errorf("stale edit (the area moved the version on): %d", res.status)
	}
	issue := projMoneyForm("authority", "council", "issued_on-day", "2", "issued_on-month", "5", "issued_on-year", "2024")
	if res = projPost(t, ts, dev+"/liability-notices", issue); res.status != http.StatusSeeOther {
		t.Fatalf("notice: %d\n%s", res.status, excerpt(res.body))
	}
	first := res.header.Get("Location")
	if res = projPost(t, ts, areas, projMoneyForm("use", "residential", "kind", "proposed", "gia", "100")); res.status != http.StatusSeeOther {
		t.Fatal(res.status)
	}
	issue.Set("issued_on-day", "10")
	if res = projPost(t, ts, dev+"/liability-notices", issue); res.status != http.StatusSeeOther {
		t.Fatalf("revised notice: %d\n%s", res.status, excerpt(res.body))
	}
	// 1,100 m² × £150 × 363 / 330 = £181,500.
	revised := htmltest.Parse(t, ts.get(t, res.header.Get("Location")).body)
	if revised.Text("h1") != "Revised liability notice LN/CIL/24/0001/2" || !revised.HasText("main", "£181,500.00") {
		t.Errorf("revised notice: %q", revised.Text("h1"))
	}
	old := htmltest.Parse(t, ts.get(t, first).body)
	pageSays(t, "first notice", old, "main", "A later notice supersedes this one", "£165,000.00")
	rows, err := csv.NewReader(strings.NewReader(ts.get(t, "/cil/developments.csv?notice=issued").body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][1] != "CIL/24/0001" || rows[1][13] != "181500.00" || rows[1][11] != "1100.00" {
		t.Errorf("developments CSV: %v %v", rows, err)
	}
	var zone int64
	if err := app.DB.Pool.QueryRow(context.Background(), `SELECT id FROM cil_zones WHERE name = 'Town centre'`).Scan(&zone); err != nil {
		t.Fatal(err)
	}
	inZone := htmltest.Parse(t, ts.get(t, "/cil/developments?zone="+itoa64(zone)).body)
	if !inZone.HasText("main table", "CIL/24/0001") || !inZone.Has("select[name='zone'] option[value='"+itoa64(zone)+"'][selected]") {
		t.Errorf("the zone filter: %q", inZone.Text("main"))
	}
	if other := htmltest.Parse(t, ts.get(t, "/cil/developments?zone="+itoa64(zone+1000)).body); other.Has("main table") {
		t.Error("another zone's filter shows the development")
	}
	index := htmltest.Parse(t, ts.get(t, "/cil").body)
	if !index.Has("a[href='/cil/developments']") || !index.Has(".govuk-service-navigation a[href='/cil']") {
		t.Error("the CIL page lacks its lists or the navigation its CIL item")
	}
	addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	admin := newTestServer(t, app)
	admin.login(t, "admin@test.example", testPassword)
	series := htmltest.Parse(t, admin.get(t, "/admin/indices/cil-index").body)
	pageSays(t, "CIL index series page", series, "main", "the RICS CIL Index published in November of the year before", "paragraph 1(5)(a)", "one value a calendar year")
}
