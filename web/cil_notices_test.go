package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

// cilServer is an officer signed in to an app at cilToday, with a
// chargeable development and its liability notice for £100,000.
func cilServer(t *testing.T) (*Application, *testServer, int64, int64) {
	t.Helper()
	app := newTestApp(t)
	app.Now = func() time.Time { return cilToday }
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	b := appFixture(t, app)
	dev := b.CILDevelopment(fixture.CILDevelopment{Reference: "24/00300/FUL", Permission: "2024-06-01"})
	ln := b.CILLiability(dev, "2024-06-10", "100000")
	ts := newTestServer(t, app)
	ts.login(t, "officer@test.example", testPassword)
	return app, ts, dev, ln
}

func form(pairs ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return v
}

func dateFields(name, iso string) []string {
	d, _ := time.Parse(time.DateOnly, iso)
	return []string{name + "-day", fmt.Sprint(d.Day()), name + "-month", fmt.Sprint(int(d.Month())), name + "-year", fmt.Sprint(d.Year())}
}

func TestDemandNoticeInFullAfter60DaysListedDueAndOverdueWithCSV(t *testing.T) {
	t.Parallel()
	app, ts, dev, ln := cilServer(t)
	appFixture(t, app).CILParty(dev, "assumed-liability", "Harbour Homes Ltd", "2024-07-01")
	base := fmt.Sprintf("/cil/developments/%d", dev)

	// A bad date is refused with its message, keeping what was typed.
	res := cilPost(t, ts, base+"/commencement", form(append(append([]string{"kind", "notice", "note", "Phase 1"}, dateFields("received_on", "2026-01-10")...),
		"commencement_date-day", "31", "commencement_date-month", "2", "commencement_date-year", "2026")...))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad date: %d", res.status)
	}
	page := htmltest.Parse(t, res.body)
	if !page.ErrorSummaryHas("Commencement date must be a real date") || page.ValueByID("note") != "Phase 1" {
		t.Fatalf("errors %v, note %q", page.ErrorSummary(), page.ValueByID("note"))
	}
	res = cilPost(t, ts, base+"/commencement", form(append(append([]string{"kind", "notice"}, dateFields("received_on", "2026-01-10")...), dateFields("commencement_date", "2026-01-12")...)...))
	if res.status != http.StatusSeeOther {
		t.Fatalf("commencement: %d %s", res.status, excerpt(res.body))
	}
	// No instalment policy: in full at the end of the 60 days beginning
	// with 12 January 2026, that is on 12 March 2026.
	res = cilPost(t, ts, base+"/demand-notices", form(append([]string{"liability_notice", fmt.Sprint(ln), "reference", "DN/60"}, dateFields("issued_on", "2026-01-15")...)...))
	if res.status != http.StatusSeeOther {
		t.Fatalf("demand: %d %s", res.status, excerpt(res.body))
	}
	demand := htmltest.Parse(t, ts.get(t, res.header.Get("Location")).body)
	if v, _ := demand.SummaryRow("Amount payable"); v != "£100,000.00" {
		t.Fatalf("amount payable %q", v)
	}
	if rows := demand.Rows(`.app-table-scroll[aria-label="Payments due"] tbody tr`); len(rows) != 1 || rows[0][2] != "12 March 2026" {
		t.Fatalf("payments due %v", rows)
	}
	// Due within 30 days of 1 March 2026, not yet overdue.
	list := htmltest.Parse(t, ts.get(t, "/cil/demand-notices?due=30").body)
	if !list.HasText("main table", "DN/60") {
		t.Fatal("not listed as due in 30 days")
	}
	if htmltest.Parse(t, ts.get(t, "/cil/demand-notices?due=overdue").body).HasText("main table", "DN/60") {
		t.Fatal("listed as overdue")
	}
	res = ts.get(t, "/cil/demand-notices.csv?due=30")
	rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][1] != "DN/60" || rows[1][8] != "100000.00" || rows[1][12] != "2026-03-12" || rows[1][13] != "in-full-60-days" {
		t.Fatalf("csv %v %v", rows, err)
	}
}

func TestReliefDecisionKeepsTheSecondSaversTextOnAConflict(t *testing.T) {
	t.Parallel()
	_, ts, dev, _ := cilServer(t)
	res := cilPost(t, ts, fmt.Sprintf("/cil/developments/%d/reliefs", dev), form(append([]string{"kind", "charitable", "claimant", "The Trust", "amount", "12,500"}, dateFields("claimed_on", "2025-01-05")...)...))
	if res.status != http.StatusSeeOther {
		t.Fatalf("claim: %d %s", res.status, excerpt(res.body))
	}
	relief := res.header.Get("Location")
	first := form(append([]string{"version", "1", "decision", "granted"}, dateFields("decided_on", "2025-02-01")...)...)
	if res := cilPost(t, ts, relief+"/decision", first); res.status != http.StatusSeeOther {
		t.Fatalf("decision: %d %s", res.status, excerpt(res.body))
	}
	second := form(append([]string{"version", "1", "decision", "refused", "reason", "Not a charitable institution"}, dateFields("decided_on", "2025-02-02")...)...)
	res = cilPost(t, ts, relief+"/decision", second)
	if res.status != http.StatusConflict {
		t.Fatalf("stale save: %d", res.status)
	}
	page := htmltest.Parse(t, res.body)
	if !page.HasText(".govuk-error-summary", "Someone else changed this record") || page.ValueByID("reason") != "Not a charitable institution" || page.Value("version") != "2" {
		t.Fatalf("conflict page: reason %q version %q", page.ValueByID("reason"), page.Value("version"))
	}
	// The list and its CSV.
	list := htmltest.Parse(t, ts.get(t, "/cil/reliefs?status=granted&q=00300").body)
	if !list.HasText("main table", "Charitable relief (regulation 43)") {
		t.Fatal("granted relief not listed")
	}
	rows, err := csv.NewReader(strings.NewReader(ts.get(t, "/cil/reliefs.csv?status=granted").body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][2] != "charitable" || rows[1][5] != "12500.00" || rows[1][6] != "granted" {
		t.Fatalf("csv %v %v", rows, err)
	}
}

func TestSurchargeAndInterestArePrintedWithTheirWorking(t *testing.T) {
	t.Parallel()
	app, ts, dev, ln := cilServer(t)
	b := appFixture(t, app)
	b.CILBaseRate("2023-08-03", "5.25")
	b.CILBaseRate("2024-08-01", "5.00")
	b.CILCommencement(dev, "2025-03-10", "2025-03-01") // late: after commencement
	base := fmt.Sprintf("/cil/developments/%d", dev)
	// Regulation 83: 20% of £100,000 or £2,500, the lower.
	res := cilPost(t, ts, base+"/surcharges", form(append([]string{"regulation", "83", "reason", "Commenced before the notice was received"}, dateFields("imposed_on", "2025-03-12")...)...))
	if res.status != http.StatusSeeOther {
		t.Fatalf("surcharge: %d %s", res.status, excerpt(res.body))
	}
	page := htmltest.Parse(t, ts.get(t, res.header.Get("Location")).body)
	if v, _ := page.SummaryRow("Amount"); v != "£2,500.00" {
		t.Fatalf("surcharge amount %q", v)
	}
	// Nobody assumed liability: due in full on commencement, with the surcharge.
	res = cilPost(t, ts, base+"/demand-notices", form(append([]string{"liability_notice", fmt.Sprint(ln), "reference", "DN/S"}, dateFields("issued_on", "2025-03-15")...)...))
	if res.status != http.StatusSeeOther {
		t.Fatalf("demand: %d %s", res.status, excerpt(res.body))
	}
	demand := htmltest.Parse(t, ts.get(t, res.header.Get("Location")).body)
	for key, want := range map[string]string{"Chargeable amount (liability notice)": "£100,000.00", "Less relief and exemptions granted": "£0.00",
		"Levy payable": "£100,000.00", "Surcharges": "£2,500.00", "Amount payable": "£102,500.00"} {
		if v, _ := demand.SummaryRow(key); v != want {
			t.Fatalf("%s: %q, want %q", key, v, want)
		}
	}
	// Interest on the levy instalment due 1 March 2025, received 31 March
	// 2025: 2 to 31 March is 30 days at 5.00 + 2.5 = 7.5% on the unpaid
	// £100,000 (87(5)(b): not under a policy): 100,000 × 0.075 × 30 / 365
	// = 616.438 = £616.44.
	var instalment int64
	if err := app.DB.Pool.QueryRow(t.Context(), `SELECT i.id FROM cil_instalments i JOIN cil_demand_notices d ON d.id = i.demand_notice_id WHERE d.reference = 'DN/S' AND i.kind = 'levy'`).Scan(&instalment); err != nil {
		t.Fatal(err)
	}
	res = cilPost(t, ts, base+"/interest", form(append([]string{"instalment", fmt.Sprint(instalment)}, dateFields("received_on", "2025-03-31")...)...))
	if res.status != http.StatusSeeOther {
		t.Fatalf("interest: %d %s", res.status, excerpt(res.body))
	}
	page = htmltest.Parse(t, ts.get(t, res.header.Get("Location")).body)
	if v, _ := page.SummaryRow("Amount"); v != "£616.44" {
		t.Fatalf("interest %q", v)
	}
	if !page.HasText(`.app-table-scroll[aria-label="Interest by base rate"]`, "7.5%") {
		t.Fatal("working not shown")
	}
}

func TestViewerReadsNoticesWithoutActions(t *testing.T) {
	t.Parallel()
	app, _, dev, _ := cilServer(t)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)
	res := ts.get(t, fmt.Sprintf("/cil/developments/%d/notices", dev))
	page := htmltest.Parse(t, res.body)
	if res.status != http.StatusOK || page.Has(`a[href$="/demand-notices/new"]`) || page.Has(`a[href$="/reliefs/new"]`) {
		t.Fatalf("viewer: %d, actions shown", res.status)
	}
	if res := cilPost(t, ts, fmt.Sprintf("/cil/developments/%d/reliefs", dev), form("kind", "charitable")); res.status != http.StatusForbidden {
		t.Fatalf("viewer posting a claim: %d", res.status)
	}
	for _, path := range []string{"/cil/demand-notices?sort=amount&dir=desc&page=2", "/cil/demand-notices?sort=bogus&due=nonsense", "/cil/reliefs?sort=clawback&status=at-risk&kind=self-build",
		"/cil/reliefs?sort=drop", "/cil/demand-notices.csv?sort=due", "/cil/reliefs.csv?sort=amount&dir=desc"} {
		if res := ts.get(t, path); res.status != http.StatusOK {
			t.Errorf("%s: %d", path, res.status)
		}
	}
	for _, path := range []string{"/cil/demand-notices/999999", "/cil/reliefs/abc", "/cil/charges/0", "/cil/commencements/999999", "/cil/developments/999999/notices"} {
		if res := ts.get(t, path); res.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, res.status)
		}
	}
}

func TestOfficerWithdrawsAnAssumptionOfLiabilityAndACommencementNotice(t *testing.T) {
	t.Parallel()
	app, ts, dev, _ := cilServer(t)
	party := appFixture(t, app).CILParty(dev, "assumed-liability", "Developer Ltd", "2024-07-01")
	res := cilPost(t, ts, fmt.Sprintf("/cil/developments/%d/commencement", dev), form(append(append([]string{"kind", "notice"}, dateFields("received_on", "2026-02-01")...), dateFields("commencement_date", "2026-04-01")...)...))
	if res.status != http.StatusSeeOther {
		t.Fatalf("commencement: %d %s", res.status, excerpt(res.body))
	}
	ack := res.header.Get("Location")
	// Withdrawing the assumption on the commencement date is too late
	// (31(6)); the form keeps the date typed.
	path := fmt.Sprintf("/cil/parties/%d/withdraw", party)
	if res := ts.get(t, path); res.status != http.StatusOK {
		t.Fatalf("withdraw form: %d", res.status)
	}
	res = cilPost(t, ts, path, form(dateFields("ended_on", "2026-04-01")...))
	page := htmltest.Parse(t, res.body)
	if res.status != http.StatusUnprocessableEntity || !page.ErrorSummaryHas("Liability can be withdrawn only before commencement") || page.ValueByID("ended_on-year") != "2026" {
		t.Fatalf("late withdrawal: %d %v", res.status, page.ErrorSummary())
	}
	if res := cilPost(t, ts, path, form(dateFields("ended_on", "2026-02-10")...)); res.status != http.StatusSeeOther {
		t.Fatalf("withdrawal: %d %s", res.status, excerpt(res.body))
	}
	if !htmltest.Parse(t, ts.get(t, fmt.Sprintf("/cil/developments/%d/notices", dev)).body).HasText("main", "withdrawn 10 February 2026") {
		t.Fatal("withdrawal not shown")
	}
	if res := cilPost(t, ts, ack+"/withdraw", form(dateFields("withdrawn_on", "2026-02-15")...)); res.status != http.StatusSeeOther {
		t.Fatalf("notice withdrawal: %d %s", res.status, excerpt(res.body))
	}
	if v, _ := htmltest.Parse(t, ts.get(t, ack).body).SummaryRow("Withdrawn"); v != "15 February 2026" {
		t.Fatalf("withdrawn row %q", v)
	}
}
