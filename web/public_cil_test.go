package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

// cilPublicToday is the day the levy's dashboard and public tests look from:
// financial year 2026 to 2027.
var cilPublicToday = time.Date(2026, 11, 16, 12, 0, 0, 0, time.UTC)

// seedCILMoney records the levy's money over two financial years, beside
// one section 106 receipt of £1,000 on 1 May 2026. Every figure the tests
// expect is worked out here by hand.
//
// Parishes: Upper Quarry (development D1) and Lower Mill (D2).
//
//	2025-26  receipt D1 10 Jun 2025  £20,000    admin 30 Jun 2025  £1,000
//	         paid to Upper Quarry 20 Oct 2025 £3,000
//	         allocated 1 Aug 2025 £2,000, spent 1 Sep 2025 £2,000
//	2026-27  receipt D1 1 May 2026 £10,000 (payer "Jane Payer": personal data, never public)
//	         receipt D2 1 Jul 2026 £5,000   admin 30 Jun 2026 £750
//	         Mayoral CIL D2 1 Jul 2026 £7,000 (the Mayor's, not counted)
//	         receipt D2 10 Sep 2026 £999, reversed 11 Sep 2026 (not counted)
//	         paid to Upper Quarry 20 Oct 2026 £1,500, to Lower Mill £750
//	         allocated 15 Jul 2026 £6,000, spent 1 Aug 2026 £4,000
//	         repaid to D1 1 Sep 2026 £500
//	Upper Quarry's council reported spending £1,200 in 2025-26.
//
// 2025-26: collected 20,000; passed 3,000; spent 2,000; admin 1,000.
// 2026-27: collected 10,000 + 5,000 = 15,000; passed 1,500 + 750 = 2,250;
// spent 4,000; admin 750; repaid 500.
// To date: collected 35,000; passed 5,250; spent 6,000; admin 1,750;
// repaid 500; held 35,000 − 500 − 5,250 − 6,000 − 1,750 = 21,500.
func seedCILMoney(t *testing.T, app *Application) {
	t.Helper()
	app.Now = func() time.Time { return cilPublicToday }
	f := appFixture(t, app)
	_, obs := f.AgreementWithObligations(fixture.Agreement{}, fixture.Money("1000"))
	f.Receive("2026-05-01", fixture.Share{ObligationID: obs[0].ID, Amount: "1000"})

	f.CILSchedule(fixture.CILSchedule{Rates: map[string]string{"residential": "100"}})
	upper := f.CILParish(fixture.CILParish{Name: "Upper Quarry"})
	lower := f.CILParish(fixture.CILParish{Name: "Lower Mill"})
	d1 := f.CILDevelopment(fixture.CILDevelopment{Parish: upper, Permission: "2025-01-10"})
	d2 := f.CILDevelopment(fixture.CILDevelopment{Parish: lower, Permission: "2025-01-10"})
	project := f.Project(fixture.Project{}).ID

	f.CILReceive(fixture.CILReceipt{Development: d1, On: "2025-06-10", Amount: "20000", Parish: upper})
	f.CILRecord(fixture.CILEntry{Kind: "admin", On: "2025-06-30", Amount: "1000"})
	f.CILRecord(fixture.CILEntry{Kind: "allocation", On: "2025-08-01", Amount: "2000", Project: project})
	f.CILRecord(fixture.CILEntry{Kind: "spend", On: "2025-09-01", Amount: "2000", Project: project})
	f.CILRecord(fixture.CILEntry{Kind: "parish-payment", On: "2025-10-20", Amount: "3000", Parish: upper})

	// The receipt whose payer is a person, as an import would record it.
	ctx := context.Background()
	if err := pgx.BeginFunc(ctx, app.DB.Pool, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO cil_ledger_entries (kind, entry_date, amount, cil_development_id, method, payer)
			VALUES ('receipt', '2026-05-01', 10000, $1, 'money', 'Jane Payer') RETURNING id`, d1).Scan(&id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO cil_receipt_portions (receipt_id, portion, parish_code, amount)
			VALUES ($1, 'admin', NULL, 500), ($1, 'neighbourhood', $2, 1500), ($1, 'strategic', NULL, 8000)`, id, upper)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.CILReceive(fixture.CILReceipt{Development: d2, On: "2026-07-01", Amount: "5000", Parish: lower})
	f.CILReceive(fixture.CILReceipt{Development: d2, On: "2026-07-01", Amount: "7000", Authority: "mayor"})
	mistake := f.CILReceive(fixture.CILReceipt{Development: d2, On: "2026-09-10", Amount: "999", Parish: lower})
	f.Exec(`INSERT INTO cil_ledger_entries (kind, entry_date, amount, reverses_id, note) VALUES ('reversal', '2026-09-11', 999, $1, 'Recorded twice')`, mistake)
	f.CILRecord(fixture.CILEntry{Kind: "admin", On: "2026-06-30", Amount: "750"})
	f.CILRecord(fixture.CILEntry{Kind: "allocation", On: "2026-07-15", Amount: "6000", Project: project})
	f.CILRecord(fixture.CILEntry{Kind: "spend", On: "2026-08-01", Amount: "4000", Project: project})
	f.CILRecord(fixture.CILEntry{Kind: "repayment", On: "2026-09-01", Amount: "500", Development: d1})
	f.CILRecord(fixture.CILEntry{Kind: "parish-payment", On: "2026-10-20", Amount: "1500", Parish: upper})
	f.CILRecord(fixture.CILEntry{Kind: "parish-payment", On: "2026-10-20", Amount: "750", Parish: lower})
	f.CILParishReport(upper, 2025, "3000", "1200")
	// Upper Quarry's boundary is loaded, so it has a public page.
	f.Exec(`INSERT INTO areas (kind, code, name, geometry, min_lat, min_lon, max_lat, max_lon)
		VALUES ('parish', 'E04009999', 'Upper Quarry', '{"type": "Polygon", "coordinates": [[[-1.3, 51.0], [-1.2, 51.0], [-1.2, 51.1], [-1.3, 51.0]]]}', 51.0, -1.3, 51.1, -1.2)`)
}

func TestDashboardShowsTheLevyBesideSection106(t *testing.T) {
	t.Parallel()
	app, ts := managerServer(t)
	seedCILMoney(t, app)
	page := htmltest.Parse(t, ts.get(t, "/dashboard").body)
	want := [][]string{
		{"Received this year", "£1,000.00", "£15,000.00"},
		{"Passed to parishes this year", "–Not applicable", "£2,250.00"},
		{"Spent this year", "£0.00", "£4,000.00"},
		{"Administrative expenses this year", "–Not applicable", "£750.00"},
		{"Returned or repaid to developers this year", "£0.00", "£500.00"},
		{"Received to date", "£1,000.00", "£35,000.00"},
		{"Passed to parishes to date", "–Not applicable", "£5,250.00"},
		{"Recovered from parishes to date", "–Not applicable", "£0.00"},
		{"Spent to date", "£0.00", "£6,000.00"},
		{"Administrative expenses to date", "–Not applicable", "£1,750.00"},
		{"Returned or repaid to developers to date", "£0.00", "£500.00"},
		{"Held now", "£1,000.00", "£21,500.00"},
	}
	if got := page.Rows("#cil-money tbody tr, #cil-money tfoot tr"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("the levy beside section 106:\n got %q\nwant %q", got, want)
	}
}

func TestPublicLevyPageByYearAndParishWithoutPersonalData(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	seedCILMoney(t, app)
	ts := newTestServer(t, app)
	res := ts.get(t, "/public/cil")
	if res.status != http.StatusOK {
		t.Fatalf("/public/cil: %d", res.status)
	}
	page := htmltest.Parse(t, res.body)
	if want := [][]string{
		{"Received from developers", "£1,000.00", "£35,000.00"},
		{"Returned or repaid to developers", "£0.00", "£500.00"},
		{"Passed to parish and town councils", "Not applicable", "£5,250.00"},
		{"Spent on infrastructure", "£0.00", "£6,000.00"},
		{"Spent on administering the levy", "Not applicable", "£1,750.00"},
		{"Held, not yet spent", "£1,000.00", "£21,500.00"},
	}; !slices.EqualFunc(page.Rows("#cil-to-date tbody tr"), want, slices.Equal) {
		t.Errorf("to date:\n got %q\nwant %q", page.Rows("#cil-to-date tbody tr"), want)
	}
	if want := [][]string{
		{"2025 to 2026", "£0.00", "£0.00", "£20,000.00", "£3,000.00", "£2,000.00", "£1,000.00"},
		{"2026 to 2027", "£1,000.00", "£0.00", "£15,000.00", "£2,250.00", "£4,000.00", "£750.00"},
	}; !slices.EqualFunc(page.Rows("#cil-by-year tbody tr"), want, slices.Equal) {
		t.Errorf("by year:\n got %q\nwant %q", page.Rows("#cil-by-year tbody tr"), want)
	}
	if want := [][]string{
		{"Lower Mill", "2026 to 2027", "£5,000.00", "£750.00", "Not reported"},
		{"Upper Quarry", "2025 to 2026", "£20,000.00", "£3,000.00", "£1,200.00"},
		{"Upper Quarry", "2026 to 2027", "£10,000.00", "£1,500.00", "Not reported"},
	}; !slices.EqualFunc(page.Rows("#cil-by-parish tbody tr"), want, slices.Equal) {
		t.Errorf("by parish:\n got %q\nwant %q", page.Rows("#cil-by-parish tbody tr"), want)
	}
	for _, private := range []string{"Jane Payer", "CIL/", "Development "} {
		if strings.Contains(res.body, private) {
			t.Errorf("the public page shows %q", private)
		}
	}
	csvRes := ts.get(t, "/public/cil.csv")
	rows, err := csv.NewReader(strings.NewReader(csvRes.body)).ReadAll()
	if err != nil || csvRes.status != http.StatusOK {
		t.Fatalf("/public/cil.csv: %d %v", csvRes.status, err)
	}
	if want := [][]string{
		{"section", "financial_year", "parish", "levy_collected", "levy_passed_to_parishes", "levy_spent", "levy_spent_on_administration", "s106_received", "s106_spent", "parish_council_spent"},
		{"year", "2025 to 2026", "", "20000.00", "3000.00", "2000.00", "1000.00", "0.00", "0.00", ""},
		{"year", "2026 to 2027", "", "15000.00", "2250.00", "4000.00", "750.00", "1000.00", "0.00", ""},
		{"parish", "2026 to 2027", "Lower Mill", "5000.00", "750.00", "", "", "", "", ""},
		{"parish", "2025 to 2026", "Upper Quarry", "20000.00", "3000.00", "", "", "", "", "1200.00"},
		{"parish", "2026 to 2027", "Upper Quarry", "10000.00", "1500.00", "", "", "", "", ""},
	}; !slices.EqualFunc(rows, want, slices.Equal) || strings.Contains(csvRes.body, "Jane Payer") {
		t.Errorf("CSV:\n got %q\nwant %q", rows, want)
	}
	// The parish's own page shows its levy.
	parishPage := htmltest.Parse(t, ts.get(t, "/public/parishes/upper-quarry").body)
	if want := [][]string{
		{"2025 to 2026", "£20,000.00", "£3,000.00", "£1,200.00"},
		{"2026 to 2027", "£10,000.00", "£1,500.00", "Not reported"},
	}; !slices.EqualFunc(parishPage.Rows("#parish-cil tbody tr"), want, slices.Equal) {
		t.Errorf("the parish page's levy:\n got %q\nwant %q", parishPage.Rows("#parish-cil tbody tr"), want)
	}
	overview := htmltest.Parse(t, ts.get(t, "/public").body)
	if !overview.Has("#cil") || overview.Attr(`main a[href="/public/cil"]`, "href") == "" {
		t.Errorf("the overview has no levy section linking to /public/cil")
	}
	if got := overview.Texts(".app-figures__value"); !slices.Contains(got, "£35,000.00") || !slices.Contains(got, "£21,500.00") {
		t.Errorf("overview figures %q lack the levy collected and held", got)
	}
}

func TestWithoutTheLevyItsDashboardAndPublicSectionsAreAbsent(t *testing.T) {
	t.Parallel()
	_, ts := managerServer(t)
	if res := ts.get(t, "/public/cil"); res.status != http.StatusNotFound {
		t.Errorf("/public/cil without the levy: %d, want 404", res.status)
	}
	if htmltest.Parse(t, ts.get(t, "/public").body).Has("#cil") {
		t.Errorf("the overview has a levy section")
	}
	if htmltest.Parse(t, ts.get(t, "/dashboard").body).Has("#cil-money") {
		t.Errorf("the dashboard has a levy table")
	}
	if res := ts.get(t, "/public/cil.csv"); res.status != http.StatusNotFound {
		t.Errorf("/public/cil.csv without the levy: %d, want 404", res.status)
	}
}

func TestPublicLevyPagesOnAPhone(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	seedCILMoney(t, app)
	ts := newTestServer(t, app)
	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800)); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"/public/cil", "/public", "/public/parishes/upper-quarry"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+page)); err != nil {
			t.Fatal(err)
		}
		checkNarrow(t, ctx, page)
		if text := mainText(t, ctx); !strings.Contains(text, "Community Infrastructure Levy") {
			t.Errorf("%s does not show the levy", page)
		}
	}
}

// The officer records what a parish reported (regulation 121B): a bad
// amount keeps what was typed and names the field; a second report for
// the same parish and year is refused; a correction saved on an old
// version is refused with a conflict that keeps the typed values; each
// save is audited.
func TestOfficerRecordsAndCorrectsAParishReport(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "olive@test.example", users.RoleOfficer)
	f := appFixture(t, app)
	parish := f.CILParish(fixture.CILParish{Name: "Upper Quarry"})
	ts := newTestServer(t, app)
	ts.login(t, "olive@test.example", testPassword)

	form := url.Values{"csrf_token": {ts.csrf(t, "/cil/parish-reports/new")}, "parish": {parish}, "financial-year": {"2025"},
		"received": {"3,000"}, "spent": {"twelve hundred"}}
	res := ts.post(t, "/cil/parish-reports", form)
	page := htmltest.Parse(t, res.body)
	if res.status != http.StatusUnprocessableEntity || !page.ErrorSummaryHas("CIL spent in the year") || page.Value("spent") != "twelve hundred" {
		t.Fatalf("bad amount: %d %q, spent %q", res.status, page.ErrorSummary(), page.Value("spent"))
	}
	form.Set("spent", "1200")
	if res := ts.post(t, "/cil/parish-reports", form); res.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.status, excerpt(res.body))
	}
	list := htmltest.Parse(t, ts.get(t, "/cil/parish-reports").body)
	if got := list.Rows("#parish-reports tbody tr"); len(got) != 1 || !slices.Equal(got[0][:6], []string{"Upper Quarry", "2025 to 2026", "£3,000.00", "£1,200.00", "Not given", "Not given"}) {
		t.Fatalf("list: %q", got)
	}
	if res := ts.get(t, "/cil/parish-reports.csv"); res.status != http.StatusOK ||
		!strings.Contains(res.body, parish+",Upper Quarry,2025,3000.00,1200.00,,,") {
		t.Errorf("CSV: %d\n%s", res.status, res.body)
	}
	if res := ts.post(t, "/cil/parish-reports", form); res.status != http.StatusUnprocessableEntity ||
		!htmltest.Parse(t, res.body).ErrorSummaryHas("A report for this parish and financial year is already recorded") {
		t.Errorf("duplicate year: %d", res.status)
	}
	var id int64
	if err := app.DB.Pool.QueryRow(context.Background(), `SELECT id FROM cil_parish_reports`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	edit := "/cil/parish-reports/" + strconv.FormatInt(id, 10)
	correct := url.Values{"csrf_token": {ts.csrf(t, edit+"/edit")}, "parish": {parish}, "financial-year": {"2025"},
		"received": {"3000"}, "spent": {"1500"}, "version": {"1"}}
	if res := ts.post(t, edit, correct); res.status != http.StatusSeeOther {
		t.Fatalf("correction: %d\n%s", res.status, excerpt(res.body))
	}
	correct.Set("spent", "1600") // still at version 1: someone else saved first
	res = ts.post(t, edit, correct)
	if page := htmltest.Parse(t, res.body); res.status != http.StatusConflict || page.Value("spent") != "1600" || page.Value("version") != "2" {
		t.Errorf("stale correction: %d, spent %q, version %q", res.status, page.Value("spent"), page.Value("version"))
	}
	var spent string
	var audits int
	if err := app.DB.Pool.QueryRow(context.Background(), `SELECT spent::text, (SELECT count(*) FROM audit_events WHERE entity_type = 'cil_parish_report')
		FROM cil_parish_reports`).Scan(&spent, &audits); err != nil || spent != "1500.00" || audits != 2 {
		t.Errorf("stored spent %s with %d audit events (%v), want 1500.00 and 2", spent, audits, err)
	}
}

// The officer records a parish's report on a phone, through an error; the
// form, the error, the list and the dashboard with the levy are accessible
// and reflow at 320 px.
func TestOfficerRecordsAParishReportOnAPhone(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "olive@test.example", users.RoleOfficer)
	seedCILMoney(t, app)
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "olive@test.example")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800), chromedp.Navigate(ts.URL+"/cil/parish-reports/new")); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "parish report form")
	var lower string
	if err := app.DB.Pool.QueryRow(context.Background(), `SELECT code FROM cil_parishes WHERE name = 'Lower Mill'`).Scan(&lower); err != nil {
		t.Fatal(err)
	}
	fill(t, ctx, map[string]string{"parish": lower, "financial-year": "2026", "received": "750", "spent": "-5"})
	clickTo(t, ctx, `main form[method=post] button[type=submit]`)
	checkNarrow(t, ctx, "parish report form with an error")
	if text := mainText(t, ctx); !strings.Contains(text, "CIL spent in the year must be £0 or more") {
		t.Fatalf("no message for the negative amount:\n%s", text)
	}
	fill(t, ctx, map[string]string{"spent": "0"})
	clickTo(t, ctx, `main form[method=post] button[type=submit]`)
	checkNarrow(t, ctx, "parish reports")
	if text := mainText(t, ctx); !strings.Contains(text, "Lower Mill") || !strings.Contains(text, "2026 to 2027") {
		t.Fatalf("the list lacks the new report:\n%s", text)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/dashboard")); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "dashboard with the levy")
}

// The levy's alerts reach an officer's inbox and link to the levy's pages:
// on 16 November 2026 the demand notice's instalment due on 1 November is
// overdue, and the development's commencement is not notified 12 months
// after its permission.
func TestOfficerSeesTheLevyAlertsInTheInbox(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "olive@test.example", users.RoleOfficer)
	seedCILMoney(t, app)
	f := appFixture(t, app)
	dev := f.CILDevelopment(fixture.CILDevelopment{Permission: "2025-06-01"})
	ln := f.CILLiability(dev, "2025-06-10", "10000")
	dn := f.CILDemand(dev, ln, fixture.CILDemand{Reference: "DN 2026/7", Instalments: []fixture.CILInstalment{{Due: "2026-11-01", Amount: "10000"}}})
	other := f.CILDevelopment(fixture.CILDevelopment{Permission: "2025-06-01"})
	f.CILLiability(other, "2025-06-10", "5000")
	if _, err := app.Alerts.Evaluate(context.Background(), cilPublicToday); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, app)
	ts.login(t, "olive@test.example", testPassword)
	page := htmltest.Parse(t, ts.get(t, "/alerts").body)
	for _, href := range []string{"/cil/demand-notices/" + strconv.FormatInt(dn.ID, 10), "/cil/developments/" + strconv.FormatInt(other, 10) + "/notices"} {
		if !page.Has(`main a[href="` + href + `"]`) {
			t.Errorf("the inbox has no alert linking to %s: %q", href, page.Texts("main a"))
		}
	}
	if !page.HasText("main", "CIL instalment overdue") || !page.HasText("main", "CIL commencement not notified 12 months after permission") {
		t.Errorf("the inbox lacks the levy's alert titles")
	}
}
