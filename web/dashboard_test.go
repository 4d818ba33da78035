package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

// dashToday is the day the dashboard tests look from: financial year
// 2026–27 (1 April 2026 to 31 March 2027), quarter 2026-Q1 (April to June
// 2026); the quarter just ended is 2025-Q4 (January to March 2026).
var dashToday = time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC)

// dashFixture is money and homes with every figure worked out by hand in
// the comments of TestDashboardFiguresMatchTheHandComputedFixture.
type dashFixture struct {
	m                                      *dlMoney
	health, highways, open, community, edu int64 // obligations
	none                                   int64
	r2, r3, r4, r5, r6, r8, r9             int64 // receipts
	agreementA, agreementB                 int64
}

func seedDashboard(t *testing.T, app *Application) *dashFixture {
	t.Helper()
	m := newDLMoney(t, app)
	app.Now = func() time.Time { return dashToday }
	f := &dashFixture{m: m}
	f.agreementA = m.agreement("22/S106/010", "Mill Lane", nil)
	f.agreementB = m.agreement("19/S106/020", "Riverside Wharf", nil)

	// Health, 60 months to spend: two receipts, one allocation reversed.
	f.health = m.obligation(f.agreementA, "health", "Health", "4.1", 60)
	f.r2 = m.receive(f.health, "2021-06-10", "20000.00", "FIN-2") // deadline 10 June 2026
	f.r9 = m.receive(f.health, "2021-06-20", "1000.00", "FIN-9")  // deadline 20 June 2026
	m.allocate(f.health, "2026-01-15", "5000.00")
	mistake := m.allocate(f.health, "2026-02-01", "1000.00")
	m.fx.At("2026-02-02").Reverse(f.health, mistake, "Wrong project")
	m.spend(f.health, "2026-02-20", "2000.00")

	// Highways, 60 months: past its deadline; part clawed back this year.
	f.highways = m.obligation(f.agreementB, "highways", "Highways", "5.1", 60)
	f.r3 = m.receive(f.highways, "2021-05-01", "12000.00", "FIN-3") // deadline 1 May 2026
	m.fx.Return(f.highways, "2026-05-05", fixture.Refund{Amount: "2000.00", Interest: "150.00", Reference: "CB-1"})

	// Open space, 36 months, nothing allocated.
	f.open = m.obligation(f.agreementB, "open-space-and-leisure", "Parks", "5.2", 36)
	f.r4 = m.receive(f.open, "2024-12-31", "7500.00", "FIN-4") // deadline 31 December 2027

	// Community, 36 months: received on the first day of the year.
	f.community = m.obligation(f.agreementA, "community-facilities", "Libraries", "4.2", 36)
	f.r5 = m.receive(f.community, "2026-04-01", "3000.00", "FIN-5") // deadline 1 April 2029
	m.allocate(f.community, "2026-04-02", "3000.00")
	m.spend(f.community, "2026-04-30", "500.00")

	// Education, 120 months: received, allocated and part spent on the
	// last day of last year; a mistaken receipt this year, reversed.
	f.edu = m.obligation(f.agreementA, "education", "Education", "4.3", 120)
	f.r6 = m.receive(f.edu, "2026-03-31", "10000.00", "FIN-6") // deadline 31 March 2036
	m.allocate(f.edu, "2026-03-31", "2000.00")
	m.spend(f.edu, "2026-03-31", "1000.00")
	m.receive(f.edu, "2026-04-03", "999.99", "FIN-7")
	var r7Entry int64
	m.must(app.DB.Pool.QueryRow(context.Background(), `SELECT id FROM ledger_entries WHERE obligation_id = $1 AND kind = 'receipt' AND amount = 999.99`, f.edu).Scan(&r7Entry))
	m.fx.At("2026-04-04").Reverse(f.edu, r7Entry, "Recorded twice")

	// No spend-by period; an overpayment returned last year (not clawback).
	f.none = m.obligation(f.agreementB, "highways", "", "5.3", 0)
	f.r8 = m.receive(f.none, "2025-09-01", "5000.00", "FIN-8")
	m.fx.Return(f.none, "2025-10-01", fixture.Refund{Amount: "500.00", Reason: "Overpayment"})
	return f
}

// seedDashboardHomes adds affordable homes around the year boundary and
// one breached delivery trigger.
func (f *dashFixture) seedDashboardHomes() {
	fx := f.m.fx
	quay, dock := fx.Development(fixture.Development{Name: "Quay Street"}).ID, fx.Development(fixture.Development{Name: "Dock Road"}).ID
	obligation := func(ref string, devID int64, signed string) int64 {
		ag := fx.Agreement(fixture.Agreement{Reference: ref, DevelopmentID: devID, Signed: signed})
		return fx.Obligation(ag.ID, fixture.Obligation{Kind: "affordable-housing", Clause: "Sch 1", Description: "Affordable homes"}).ID
	}
	home := func(devID, obligationID int64, plot, tenure, uprn string) int64 {
		return fx.Home(devID, fixture.Home{ObligationID: obligationID, Plot: plot, Tenure: tenure, UPRN: uprn}).ID
	}
	event := func(homeID int64, kind homes.EventKind, on string) { fx.HomeEvent(homeID, kind, on) }
	signedThisYear := obligation("26/S106/001", quay, "2026-04-01")
	signedLastYear := obligation("25/S106/099", quay, "2026-03-31")
	old := obligation("19/S106/005", dock, "2019-01-01")
	home(quay, signedThisYear, "Q1", "social-rent", "")
	home(quay, signedThisYear, "Q2", "shared-ownership", "")
	home(quay, signedLastYear, "Q3", "social-rent", "")

	h1 := home(dock, old, "D1", "social-rent", "100000000001")
	event(h1, homes.EventCompleted, "2026-04-01") // delivered this year
	h2 := home(dock, old, "D2", "shared-ownership", "100000000002")
	event(h2, homes.EventCompleted, "2026-03-31") // last year
	h4 := home(dock, old, "D4", "affordable-rent", "100000000004")
	event(h4, homes.EventCompleted, "2025-06-01")
	event(h4, homes.EventRightToBuy, "2026-04-15") // lost this year
	h5 := home(dock, old, "D5", "social-rent", "100000000005")
	event(h5, homes.EventCompleted, "2025-01-01")
	event(h5, homes.EventSold, "2026-03-31") // lost last year
	market := home(dock, 0, "M1", "market", "100000000009")
	event(market, homes.EventCompleted, "2026-04-20") // a market home is not affordable delivery
	event(market, homes.EventOccupied, "2026-05-01")
	// 1 of 1 market home occupied (100% > 50%) while D1 and D2 are not
	// transferred: the delivery trigger is breached.
	fx.Mix(old, fixture.Mix{AffordableHomes: 4, MarketOccupationLimit: 50})
}

func managerServer(t *testing.T) (*Application, *testServer) {
	t.Helper()
	app := newTestApp(t)
	addUser(t, app.DB, "manager@test.example", users.RoleManager)
	ts := newTestServer(t, app)
	ts.login(t, "manager@test.example", testPassword)
	return app, ts
}

// dashFigures reads the dashboard's headline figures by their ids.
func dashFigures(t *testing.T, body string) map[string]string {
	t.Helper()
	out := map[string]string{}
	htmltest.Parse(t, body).Find(".app-figures__item[id^='figure-']").Each(func(_ int, item *goquery.Selection) {
		id, _ := item.Attr("id")
		out[strings.TrimPrefix(id, "figure-")] = htmltest.Clean(item.Find(".app-figures__value").Text())
	})
	return out
}

// rowCells returns the data cells (td) of the table row selector matches.
func rowCells(t *testing.T, page *htmltest.Page, selector string) []string {
	t.Helper()
	if !page.Has(selector) {
		t.Fatalf("no row %q", selector)
	}
	return page.Texts(selector + " td")
}

func TestDashboardFiguresMatchTheHandComputedFixture(t *testing.T) {
	t.Parallel()
	app, ts := managerServer(t)
	f := seedDashboard(t, app)
	f.seedDashboardHomes()

	res := ts.get(t, "/dashboard")
	if res.status != http.StatusOK {
		t.Fatalf("dashboard: %d\n%s", res.status, excerpt(res.body))
	}
	got := dashFigures(t, res.body)
	page := htmltest.Parse(t, res.body)
	want := map[string]string{
		// Received (standing entries; the reversed £999.99 does not count):
		// 20,000 + 1,000 + 12,000 + 7,500 + 3,000 + 10,000 + 5,000 = 58,500.
		// Spent: 2,000 + 500 + 1,000 = 3,500. Returned: 2,000 + 500 = 2,500.
		// Held: 58,500 - 3,500 - 2,500 = 52,500.
		"held": "£52,500.00",
		// This year (from 1 April 2026): only the 1 April receipt of 3,000;
		// the 31 March 10,000 was last year and the 999.99 was reversed.
		"received-year": "£3,000.00",
		// The 500 of 30 April; the 1,000 of 31 March and 2,000 of February
		// were last year.
		"spent-year": "£500.00",
		// The 2,000 clawback of 5 May (plus 150 interest); the 500
		// overpayment of October 2025 was last year.
		"returned-year": "£2,000.00",
		// Highways: 12,000 received, 2,000 returned (oldest money first),
		// deadline 1 May 2026 passed.
		"past-due": "£10,000.00",
		// Homes: Q1 and Q2 belong to an agreement signed 1 April 2026; Q3's
		// was signed 31 March 2026. D1 completed 1 April 2026 (D2 on 31
		// March; the market home does not count). D4 left by right to buy
		// on 15 April 2026 (D5 was sold on 31 March).
		"homes-secured":   "2",
		"homes-delivered": "1",
		"homes-lost":      "1",
		"breaches":        "1",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("figure %s = %q, want %q", k, got[k], v)
		}
	}
	// The dashboard counts breaches in one aggregate; the breaches page
	// (homes.Service.Breaches) must agree.
	if bs, err := app.Homes.Breaches(context.Background()); err != nil || len(bs) != 1 {
		t.Errorf("homes.Breaches: %d, %v", len(bs), err)
	}
	if got := htmltest.Parse(t, res.body).Text("#figure-returned-year .app-figures__hint"); got != "Plus £150.00 interest" {
		t.Errorf("the interest paid on the clawback is not shown")
	}

	// Ratings on 15 May 2026 (red: deadline by 15 May 2027; amber: by 15
	// May 2028 with money unallocated):
	//   overdue  highways 12,000 - 2,000 returned = 10,000 unspent, all unallocated
	//   red      health 10 June: unspent 20,000 - 2,000 spent = 18,000, unallocated 20,000 - 5,000 = 15,000;
	//            health 20 June: 1,000 unspent and unallocated            → 2 shares, 16,000 / 19,000
	//   amber    open space 31 Dec 2027: 7,500 unallocated and unspent
	//   green    community 1 Apr 2029: 3,000 all allocated, 500 spent → 0 / 2,500;
	//            education 2036: 10,000 - 2,000 allocated = 8,000 / 10,000 - 1,000 spent = 9,000
	//                                                                        → 2 shares, 8,000 / 11,500
	//   none     no period: 5,000 - 500 returned = 4,500 / 4,500
	//   total    7 shares, 46,000 unallocated, 52,500 unspent (= held)
	for rag, cells := range map[string][]string{
		"overdue": {"1", "£10,000.00", "£10,000.00"},
		"red":     {"2", "£16,000.00", "£19,000.00"},
		"amber":   {"1", "£7,500.00", "£7,500.00"},
		"green":   {"2", "£8,000.00", "£11,500.00"},
		"none":    {"1", "£4,500.00", "£4,500.00"},
	} {
		if c := rowCells(t, page, "#rag-"+rag); strings.Join(c, "|") != strings.Join(cells, "|") {
			t.Errorf("band %s = %v, want %v", rag, c, cells)
		}
	}
	if c := rowCells(t, page, "#rag-total"); strings.Join(c, "|") != "7|£46,000.00|£52,500.00" {
		t.Errorf("band totals = %v", c)
	}

	// The timeline runs May 2026 to April 2029: 10,000 overdue in May 2026,
	// 19,000 red in June 2026, 7,500 amber in December 2027 and 2,500
	// green in April 2029 (its last month); education's 2036 deadline and
	// the share without a period are not on it. Columns: overdue, red,
	// amber, green, total.
	if n := page.Count("#deadline-timeline-table tbody th[scope=row]"); n != 36 {
		t.Errorf("timeline has %d months, want 36", n)
	}
	zero := "£0.00"
	for month, cells := range map[string][]string{
		"May 2026": {"£10,000.00", zero, zero, zero, "£10,000.00"},
		"Jun 2026": {zero, "£19,000.00", zero, zero, "£19,000.00"},
		"Jul 2026": {zero, zero, zero, zero, zero},
		"Dec 2027": {zero, zero, "£7,500.00", zero, "£7,500.00"},
		"Apr 2029": {zero, zero, zero, "£2,500.00", "£2,500.00"},
	} {
		if c := rowCells(t, page, "#deadline-timeline-table tbody tr:has(th:containsOwn('"+month+"'))"); strings.Join(c, "|") != strings.Join(cells, "|") {
			t.Errorf("timeline %s = %v, want %v", month, c, cells)
		}
	}
	if c := rowCells(t, page, "#deadline-timeline-table tfoot tr"); strings.Join(c, "|") != "£10,000.00|£19,000.00|£7,500.00|£2,500.00|£39,000.00" {
		t.Errorf("timeline totals = %v", c)
	}
	// The chart is an image named by its title and described by its summary.
	chart := "svg[role='img'][aria-labelledby='deadline-timeline-title deadline-timeline-desc']"
	if got := page.Text(chart + " title#deadline-timeline-title"); got != "Unspent money by spend-by deadline, May 2026 to April 2029" {
		t.Errorf("chart title %q", got)
	}
	if got := page.Text(chart + " desc#deadline-timeline-desc"); !strings.HasPrefix(got, "£39,000.00 of unspent money falls due in the next 36 months") {
		t.Errorf("chart description %q", got)
	}
	if !page.HasExactText(chart+" rect.app-chart__bar title", "Red, Jun 2026: £19,000.00") || !page.Has(chart+" rect.app-chart__bar.app-chart__bar--amber") {
		t.Errorf("chart bars lack the red June segment or an amber one")
	}
	if !page.HasExactText("main a[href='/reports/at-risk']", "Quarterly at-risk report") || !page.HasExactText("main a[href='/breaches']", "See open breaches") {
		t.Errorf("dashboard does not link to the report and the breaches")
	}

	// Top at-risk: overdue highways, the two red health shares, amber open
	// space; green and no-deadline money is not at risk.
	var ids []string
	for _, href := range page.Attrs("table#at-risk a[href^='/receipts/']", "href") {
		ids = append(ids, strings.TrimPrefix(href, "/receipts/"))
	}
	if want := fmt.Sprint(f.r3, f.r2, f.r9, f.r4); strings.Join(ids, " ") != want {
		t.Errorf("at-risk receipts %v, want %s", ids, want)
	}
	if !page.Has(fmt.Sprintf("table#at-risk a[href='/obligations/%d']", f.highways)) {
		t.Errorf("at-risk items do not link to their obligation")
	}
}

func TestDashboardHasEmptyStatesWithoutMoney(t *testing.T) {
	t.Parallel()
	app, ts := managerServer(t)
	app.Now = func() time.Time { return dashToday }
	res := ts.get(t, "/dashboard")
	page := htmltest.Parse(t, res.body)
	for _, want := range []string{
		"No money has been received yet.",
		"No unspent money falls due in the next 36 months.",
		"No money is overdue, rated red or rated amber.",
	} {
		if !page.HasText("main p.govuk-body[role='status']", want) {
			t.Errorf("empty dashboard lacks the status %q", want)
		}
	}
	if page.Has("svg") {
		t.Errorf("an empty chart is drawn")
	}
	if got := dashFigures(t, res.body); got["held"] != "£0.00" || got["homes-delivered"] != "0" {
		t.Errorf("empty figures: %v", got)
	}
	if res := ts.get(t, "/reports/at-risk"); res.status != http.StatusOK ||
		!htmltest.Parse(t, res.body).HasExactText("main p.govuk-body[role='status']", "Nothing was allocated, de-allocated or spent from 1 January 2026 to 31 March 2026.") {
		t.Errorf("empty report: %d\n%s", res.status, excerpt(res.body))
	}
}

func reportCSV(t *testing.T, ts *testServer, query string) [][]string {
	t.Helper()
	res := ts.get(t, "/reports/at-risk.csv"+query)
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("report CSV %s: %d %s\n%s", query, res.status, res.header.Get("Content-Type"), excerpt(res.body))
	}
	rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestAtRiskReportCSVForTheQuarterJustEndedAndAChosenQuarter(t *testing.T) {
	t.Parallel()
	app, ts := managerServer(t)
	f := seedDashboard(t, app)
	id := func(n int64) string { return fmt.Sprint(n) }

	// Default: 2025-Q4, 1 January to 31 March 2026. Due within 18 months
	// (by 15 November 2027): highways (overdue), the two health shares
	// (red); open space's 31 December 2027 is beyond. Actions: the health
	// allocation and spend (the reversed 1 February allocation is gone)
	// and education's allocation and spend on 31 March. No clawback in
	// the quarter; highways is past its deadline.
	rows := reportCSV(t, ts, "")
	want := [][]string{
		{"section", "agreement", "development", "obligation_id", "clause", "purpose", "receipt_id", "received_on", "deadline", "rag",
			"amount", "unallocated", "unspent", "date", "action", "project", "interest", "reference", "note"},
		{"due", "19/S106/020", "Riverside Wharf", id(f.highways), "5.1", "Highways", id(f.r3), "2021-05-01", "2026-05-01", "overdue", "12000.00", "10000.00", "10000.00", "", "", "", "", "", ""},
		{"due", "22/S106/010", "Mill Lane", id(f.health), "4.1", "Health", id(f.r2), "2021-06-10", "2026-06-10", "red", "20000.00", "15000.00", "18000.00", "", "", "", "", "", ""},
		{"due", "22/S106/010", "Mill Lane", id(f.health), "4.1", "Health", id(f.r9), "2021-06-20", "2026-06-20", "red", "1000.00", "1000.00", "1000.00", "", "", "", "", "", ""},
		{"action", "22/S106/010", "Mill Lane", id(f.health), "4.1", "Health", "", "", "", "", "5000.00", "", "", "2026-01-15", "allocation", "Library refit", "", "", ""},
		{"action", "22/S106/010", "Mill Lane", id(f.health), "4.1", "Health", "", "", "", "", "2000.00", "", "", "2026-02-20", "spend", "Library refit", "", "", ""},
		{"action", "22/S106/010", "Mill Lane", id(f.edu), "4.3", "Education", "", "", "", "", "2000.00", "", "", "2026-03-31", "allocation", "Library refit", "", "", ""},
		{"action", "22/S106/010", "Mill Lane", id(f.edu), "4.3", "Education", "", "", "", "", "1000.00", "", "", "2026-03-31", "spend", "Library refit", "", "", ""},
		{"overdue", "19/S106/020", "Riverside Wharf", id(f.highways), "5.1", "Highways", id(f.r3), "2021-05-01", "2026-05-01", "overdue", "12000.00", "10000.00", "10000.00", "", "", "", "", "", ""},
	}
	compareRows(t, "default quarter", rows, want)

	// 2026-Q1 (April to June 2026, under way): the community allocation
	// and spend, and the 5 May clawback with its interest.
	rows = reportCSV(t, ts, "?quarter=2026-Q1")
	var got [][]string
	for _, r := range rows[1:] {
		if r[0] == "action" || r[0] == "clawback" {
			got = append(got, r)
		}
	}
	compareRows(t, "2026-Q1", got, [][]string{
		{"action", "22/S106/010", "Mill Lane", id(f.community), "4.2", "Community facilities", "", "", "", "", "3000.00", "", "", "2026-04-02", "allocation", "Library refit", "", "", ""},
		{"action", "22/S106/010", "Mill Lane", id(f.community), "4.2", "Community facilities", "", "", "", "", "500.00", "", "", "2026-04-30", "spend", "Library refit", "", "", ""},
		{"clawback", "19/S106/020", "Riverside Wharf", id(f.highways), "5.1", "Highways", "", "", "", "", "2000.00", "", "", "2026-05-05", "return", "", "150.00", "CB-1", "Clawback: not spent by the deadline"},
	})

	// Since 3 April 2026: the spend of 30 April and the clawback only.
	rows = reportCSV(t, ts, "?since=2026-04-03")
	n := 0
	for _, r := range rows[1:] {
		if r[0] == "action" || r[0] == "clawback" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("since 3 April: %d actions and clawbacks, want 2", n)
	}

	page := htmltest.Parse(t, ts.get(t, "/reports/at-risk?quarter=2026-Q1").body)
	if got := page.Text("h1"); got != "Money at risk: Q1 2026 to 2027 (April to June 2026)" {
		t.Errorf("report heading %q", got)
	}
	if !page.HasExactText("main p.govuk-body", "Net allocated £3,000.00; spent £500.00.") {
		t.Error("report page lacks the net allocated and spent")
	}
	if !page.HasExactText("main a[href='/reports/at-risk.csv?quarter=2026-Q1']", "Download this report as CSV") {
		t.Error("report page does not link to its CSV for the quarter")
	}
	if got := page.Attrs("select#quarter option[selected]", "value"); len(got) != 1 || got[0] != "2026-Q1" {
		t.Errorf("selected quarters %v, want [2026-Q1]", got)
	}
	if !page.HasExactText("table tfoot th", "Total returned as clawback") {
		t.Error("report page lacks the clawback total")
	}
}

func compareRows(t *testing.T, name string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d:\n%v", name, len(got), len(want), got)
		return
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("%s row %d:\n got %v\nwant %v", name, i, got[i], want[i])
		}
	}
}

func TestAtRiskReportRejectsABadPeriodNamingTheParameter(t *testing.T) {
	t.Parallel()
	app, ts := managerServer(t)
	app.Now = func() time.Time { return dashToday }
	for _, c := range []struct{ query, param, says string }{
		{"?quarter=2026-Q5", "quarter", "like 2025-Q4"},
		{"?quarter=Q3", "quarter", "Q1 is April to June"},
		{"?quarter=2026-Q2", "quarter", "has not started yet"},
		{"?since=2026-02-30", "since", "real date"},
		{"?since=2026-06-01", "since", "today or in the past"},
	} {
		for _, path := range []string{"/reports/at-risk", "/reports/at-risk.csv"} {
			res := ts.get(t, path+c.query)
			page := htmltest.Parse(t, res.body)
			if res.status != http.StatusBadRequest || page.Text("main h1") != "The report period is not valid" ||
				!page.HasText("main p.govuk-body", "Check the “"+c.param+"” value in the address.") || !page.HasText("main p.govuk-body", c.says) {
				t.Errorf("%s%s: %d\n%s", path, c.query, res.status, excerpt(res.body))
			}
		}
	}
}

// Not parallel: it lowers the page's row cap for its own run.
func TestAtRiskReportPageCapsLongSectionsAndPointsToTheCSV(t *testing.T) {
	app, ts := managerServer(t)
	seedDashboard(t, app)
	defer func(n int) { reportMaxRows = n }(reportMaxRows)
	reportMaxRows = 2
	res := ts.get(t, "/reports/at-risk")
	page := htmltest.Parse(t, res.body)
	if !page.HasText("main p.govuk-body", "The first 2 of 3 receipt shares are shown.") || !page.HasText("main p.govuk-body", "The first 2 of 4 actions are shown.") {
		t.Errorf("capped report lacks its notes\n%s", excerpt(res.body))
	}
	if n := page.Count("table#due-table tbody a[href^='/receipts/']"); n != 2 || !page.HasExactText("table#due-table tfoot td", "£29,000.00") {
		t.Errorf("capped due table: %d rows, total of all three 10,000 + 18,000 + 1,000 missing", n)
	}
	if rows := reportCSV(t, ts, ""); len(rows) != 9 { // header, 3 due, 4 actions, 1 overdue
		t.Errorf("the CSV is capped too: %d rows", len(rows))
	}
}
