package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/ifs"
	"github.com/s106monitor/s106/internal/users"
	"github.com/s106monitor/s106/templates"
)

// cilCSVRows is a statement CSV's CIL rows (sections cil-*), item → amount.
func cilCSVRows(t *testing.T, body string) map[string]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("statement csv: %v", err)
	}
	out := map[string]string{}
	for _, r := range rows[1:] {
		if strings.HasPrefix(r[0], "cil-") {
			out[r[1]] = r[3]
		}
	}
	return out
}

// cilShown is how the statement page shows an expected CSV amount.
func cilShown(key, amount string) string {
	if key == "cil.g.iii.percentage" {
		return amount + "%"
	}
	return templates.Money(decimal.RequireFromString(amount))
}

// The worked example's CIL report (every figure computed by hand in
// fixture.CILReportExample.Expected) is on the statement page and in its
// CSV, in the same statement as the section 106 report, for both years.
func TestIFSCILReportShowsTheWorkedExampleInTheHTMLAndCSV(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	x := appFixture(t, app).CILReportExample()
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)
	// A council with the levy and no section 106 money yet: its years start
	// with the first demand notice (1 May 2024).
	if list := htmltest.Parse(t, ts.get(t, "/ifs").body); !list.Has(`main table tbody a[href="/ifs/2024"]`) || list.Has(`main table tbody a[href="/ifs/2023"]`) {
		t.Errorf("years listed %q", list.Rows("main table tbody tr"))
	}
	for _, year := range []int{2024, 2025} {
		y := strconv.Itoa(year)
		want := x.Expected(year)
		got := cilCSVRows(t, ts.get(t, "/ifs/"+y+"/statement.csv").body)
		if len(got) != len(want) {
			t.Errorf("%d: %d CIL rows in the CSV, want %d: %v", year, len(got), len(want), got)
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%d CSV: %s = %q, want %q", year, k, got[k], w)
			}
		}
		// The infrastructure list as it stood in the year: two items in
		// 2024/25, the cycle routes alone in 2025/26.
		csvBody := ts.get(t, "/ifs/"+y+"/statement.csv").body
		if n := strings.Count(csvBody, "\ninfrastructure-list,list/"); n != map[int]int{2024: 2, 2025: 1}[year] {
			t.Errorf("%d: %d items on the infrastructure list", year, n)
		}
		page := htmltest.Parse(t, ts.get(t, "/ifs/"+y).body)
		if !page.Has("main .app-ifs h2#cil-report") || !page.HasText("main .app-ifs h2", "Section 106 report") ||
			!page.HasText("main .app-ifs h2#infrastructure-list + p + ul li", "Cycle routes (Transport and travel), on the list since 2023 to 2024") {
			t.Fatalf("%d: the statement lacks the CIL report, the list or the section 106 report", year)
		}
		// The worked example collects Mayoral CIL, so the report says it
		// leaves it out; the demo council, which collects none, does not
		// say so (its render snapshot).
		if !page.HasText("main .app-ifs h2#cil-report + p", "CIL the council collects for the Mayor of London is not included (regulation 121A(4))") {
			t.Errorf("%d: the report does not say it leaves out the Mayor's CIL", year)
		}
		for k, w := range want {
			if strings.HasPrefix(k, "cil.recon.") || strings.HasPrefix(k, "cil.mayor.") {
				continue
			}
			sel := `#cil-report-items tr[data-key="` + k + `"] td.govuk-table__cell--numeric`
			if g := page.Text(sel); g != cilShown(k, w) {
				t.Errorf("%d page: %s shows %q, want %q", year, k, g, cilShown(k, w))
			}
		}
		total := page.RowWith("#cil-reconciliation-table tbody tr", "All the council's CIL")
		wantTotal := []string{"All the council's CIL"}
		for _, k := range []string{"brought-forward", "received", "spent", "passed", "repaid", "carried-forward"} {
			wantTotal = append(wantTotal, cilShown("", want["cil.recon."+k]))
		}
		wantTotal = append(wantTotal, "Reconciles")
		if strings.Join(total, "|") != strings.Join(wantTotal, "|") {
			t.Errorf("%d reconciliation total %q, want %q", year, total, wantTotal)
		}
		if !page.HasText("main .app-ifs p strong", "The council's CIL reconciles.") || !page.HasText("main .app-ifs p strong", "Every purpose reconciles.") {
			t.Errorf("%d: reconciliation statements missing", year)
		}
		if !page.HasText("main .app-ifs p", "Mayoral CIL") {
			t.Errorf("%d: the Mayoral note is missing", year)
		}
	}
}

// The statement with both reports is cached like the section 106 one, and
// rebuilt when the levy's ledger changes (its rows bump the data version).
func TestIFSCILReportIsCachedAndRebuiltWhenTheLevyChanges(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	fx := appFixture(t, app)
	fx.CILReportExample()
	ctx := context.Background()
	first, err := app.ifsStatement(ctx, 2025)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := app.ifsStatement(ctx, 2025)
	if first.CIL == nil || first.CIL != again.CIL {
		t.Fatal("the second read did not come from the cache")
	}
	// £100 more administrative expenses on 30 March 2026: (g)(iii) 3,725.
	fx.CILRecord(fixture.CILEntry{Kind: "admin", On: "2026-03-30", Amount: "100"})
	rebuilt, err := app.ifsStatement(ctx, 2025)
	if err != nil {
		t.Fatal(err)
	}
	if !rebuilt.CIL.GIII.Equal(decimal.RequireFromString("3725")) {
		t.Errorf("after the change (g)(iii) = %s, want 3725", rebuilt.CIL.GIII)
	}
}

// Publishing freezes both reports (CSV, HTML, figures); a later change to
// the levy shows as a change since publication; a change after the
// manager checked refuses the publication; a levy that does not reconcile
// cannot be published.
func TestIFSPublishFreezesTheCILReport(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	fx := appFixture(t, app)
	x := fx.CILReportExample()
	addUser(t, app.DB, "manager@test.example", users.RoleManager)
	ts := newTestServer(t, app)
	ts.login(t, "manager@test.example", testPassword)

	// Checked, then the levy changes: nothing is published.
	checked := ifsPublishForm(t, ts, 2025)
	fx.CILRecord(fixture.CILEntry{Kind: "admin", On: "2026-03-30", Amount: "100"})
	if res := ts.post(t, "/ifs/2025/publish", checked); res.status != http.StatusConflict {
		t.Fatalf("publish after a change to the levy: %d, want 409", res.status)
	}
	if res := ts.post(t, "/ifs/2025/publish", ifsPublishForm(t, ts, 2025)); res.status != http.StatusSeeOther {
		t.Fatalf("publish: %d\n%s", res.status, excerpt(res.body))
	}
	frozen := cilCSVRows(t, ts.get(t, "/ifs/2025/published/ifs-2025.csv").body)
	if frozen["cil.g.iii"] != "3725.00" || frozen["cil.a"] != x.Expected(2025)["cil.a"] {
		t.Errorf("frozen CIL rows %v", frozen)
	}
	html := htmltest.Parse(t, ts.get(t, "/ifs/2025/published/ifs-2025.html").body)
	if html.Text(`#cil-report-items tr[data-key="cil.g.iii"] td.govuk-table__cell--numeric`) != "£3,725.00" {
		t.Error("the frozen HTML lacks the CIL report")
	}
	snap, err := app.IFS.Latest(context.Background(), 2025)
	if err != nil || snap == nil {
		t.Fatal(snap, err)
	}
	var inSnapshot bool
	for _, r := range snap.Rows {
		inSnapshot = inSnapshot || r.Key == "cil.l.i"
	}
	if !inSnapshot {
		t.Error("the snapshot's figures lack the CIL rows")
	}

	// A receipt dated in the year, recorded after publication: (b) and
	// the retained amounts change; the published file does not.
	fx.CILReceive(fixture.CILReceipt{Development: x.Dev3, On: "2026-03-01", Amount: "1000", Admin: "0"})
	page := htmltest.Parse(t, ts.get(t, "/ifs/2025").body)
	if row := page.RowWith("table#changes tbody tr", "CIL (b)"); len(row) != 4 || row[2] != "£73,100.00" || row[3] != "£74,100.00" {
		t.Errorf("changes since publication: %q", page.Rows("table#changes tbody tr"))
	}
	if again := cilCSVRows(t, ts.get(t, "/ifs/2025/published/ifs-2025.csv").body); again["cil.b"] != "73100.00" {
		t.Errorf("the published CSV changed: b = %s", again["cil.b"])
	}

	// An overdrawn parish portion (written past the ledger's own rules,
	// which refuse it): the statement does not reconcile and publishing is
	// refused, pointing at the CIL reconciliation.
	fx.CILTamper(`INSERT INTO cil_ledger_entries (kind, entry_date, amount, parish_code, reference) VALUES ('parish-payment', '2026-01-05', 100, $1, 'tampered')`, x.Ashby)
	// (The confirmation page offers no form for a statement that does not
	// reconcile: the post is made by hand.)
	res := ts.post(t, "/ifs/2025/publish", url.Values{"csrf_token": {ts.csrf(t, "/ifs/2025")}, "checksum": {"unchecked"}, "confirm": {"yes"}})
	refused := htmltest.Parse(t, res.body)
	if res.status != http.StatusUnprocessableEntity || refused.Attr(`.govuk-error-summary__list a[href="#cil-reconciliation"]`, "href") == "" ||
		!refused.HasText("#cil-reconciliation-table td strong", "Overdrawn") {
		t.Errorf("publishing an unreconciled levy: %d %q", res.status, refused.ErrorSummary())
	}
	if got := ifs.CILItemLetter("cil.g.iii.percentage"); got != "(g)(iii)" {
		t.Errorf("item letter %q", got)
	}
}
