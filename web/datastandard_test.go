package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/users"
)

// dataStandardServer is a viewer signed in, with one agreement signed
// 1 May 2024 (financial year 2024), an education obligation of £287,500
// and a payment of £100,000 received on 3 June 2024.
func dataStandardServer(t *testing.T) (*Application, *testServer, int64, int64) {
	t.Helper()
	app := newTestApp(t)
	app.Config.Organisation = "local-authority:TST"
	app.Now = func() time.Time { return time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC) }
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ctx := context.Background()
	a := seedAgreement(t, app, "24/00412/S106", "Mill Lane", "North Ward")
	if _, err := app.DB.Pool.Exec(ctx, `UPDATE agreements SET notes = 'Officer-only note', updated_at = '2024-05-02 10:00+00' WHERE id = $1`, a); err != nil {
		t.Fatal(err)
	}
	edu := moneyObligation(t, app, a, "education", "287500")
	if _, err := app.DB.Pool.Exec(ctx, `UPDATE obligations SET updated_at = '2024-05-03 10:00+00' WHERE id = $1`, edu); err != nil {
		t.Fatal(err)
	}
	on := time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)
	total := decimal.RequireFromString("100000")
	r, err := app.Ledger.RecordReceipt(ctx, audit.Actor{Label: "test"}, ledger.ReceiptInput{ReceivedOn: &on, Payer: "Harbour Homes plc",
		FinanceRef: "AR-55012", Total: &total, Shares: []ledger.ShareInput{{Row: 1, ObligationID: edu, Amount: &total}}})
	if err != nil {
		t.Fatal(err)
	}
	var entryID int64
	if err := app.DB.Pool.QueryRow(ctx, `SELECT id FROM ledger_entries WHERE receipt_id = $1`, r.ID).Scan(&entryID); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)
	return app, ts, edu, entryID
}

func TestDataStandardPageOffersTheThreeFilesByYear(t *testing.T) {
	t.Parallel()
	_, ts, _, _ := dataStandardServer(t)

	res := ts.get(t, "/data-standard")
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	page := htmltest.Parse(t, res.body)
	for _, name := range []string{"developer-agreement", "developer-agreement-contribution", "developer-agreement-transaction"} {
		if !page.HasExactText("table a[href='/data-standard/"+name+".csv'][download]", "Download "+name+".csv") {
			t.Errorf("the files table does not offer %s.csv", name)
		}
	}
	// All time first and chosen, then the ten years up to the current one:
	// 10 February 2026 is in the financial year 2025 to 2026.
	years := page.Attrs("select#year option", "value")
	if want := "|2025|2024|2023|2022|2021|2020|2019|2018|2017|2016"; strings.Join(years, "|") != want {
		t.Errorf("years offered %q, want %q", years, want)
	}
	if page.Text("select#year option[selected]") != "All time" || page.Count("select#year option[selected]") != 1 ||
		page.Text("select#year option[value='2025']") != "2025 to 2026 (1 April 2025 to 31 March 2026)" ||
		page.Text("select#year option[value='2016']") != "2016 to 2017 (1 April 2016 to 31 March 2017)" {
		t.Errorf("year labels: %q", page.Texts("select#year option"))
	}
	if got := page.Text("main p.govuk-body code"); got != "local-authority:TST" {
		t.Errorf("organisation code %q", got)
	}

	res = ts.get(t, "/data-standard?year=2024&public=1")
	page = htmltest.Parse(t, res.body)
	if !page.Has("table a[href='/data-standard/developer-agreement-transaction.csv?public=1&year=2024']") {
		t.Errorf("the year page's links are not for the year's publishable files: %q", page.Attrs("table a", "href"))
	}
	if got := page.Attrs("select#year option[selected]", "value"); len(got) != 1 || got[0] != "2024" {
		t.Errorf("chosen years %q, want [2024]", got)
	}
	if !page.HasText("table caption", "Financial year 2024 to 2025 (1 April 2024 to 31 March 2025)") {
		t.Errorf("the files table's caption is %q", page.Text("table caption"))
	}

	res = ts.get(t, "/data-standard?year=24")
	page = htmltest.Parse(t, res.body)
	const yearError = "Financial year must be the year it starts in, as 4 digits from 1990 to 2200"
	if res.status != http.StatusBadRequest || !page.HasText(".govuk-error-summary__list a[href='#year']", yearError) ||
		!strings.HasPrefix(page.Text("#year-error"), "Error: "+yearError) || page.Has("a[href^='/data-standard/developer-agreement.csv']") {
		t.Errorf("bad year: status %d\n%s", res.status, excerpt(res.body))
	}
}

func TestDataStandardFilesDownloadWithTheStandardsColumns(t *testing.T) {
	t.Parallel()
	_, ts, edu, entry := dataStandardServer(t)
	org := "local-authority:TST"

	res := ts.get(t, "/data-standard/developer-agreement.csv")
	if res.status != http.StatusOK || res.header.Get("Content-Disposition") != `attachment; filename="developer-agreement.csv"` ||
		!strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("status %d, headers %v", res.status, res.header)
	}
	want := "reference,name,developer-agreement-type,planning-application,document-url,organisation,entry-date,start-date,end-date,notes\n" +
		"24/00412/S106,Mill Lane,section-106,,," + org + ",2024-05-02,2024-05-01,,Officer-only note\n"
	if res.body != want {
		t.Errorf("developer-agreement.csv:\n%s\nwant\n%s", res.body, want)
	}

	res = ts.get(t, "/data-standard/developer-agreement-contribution.csv?year=2024")
	want = "reference,name,developer-agreement,contribution-purpose,amount,units,organisation,entry-date,start-date,end-date,notes\n" +
		fmt.Sprintf("24/00412/S106/%d,Pay a education contribution,24/00412/S106,education,287500.00,,%s,2024-05-03,2024-05-01,,Clause Sch 3\n", edu, org)
	if res.body != want {
		t.Errorf("developer-agreement-contribution.csv:\n%s\nwant\n%s", res.body, want)
	}

	// The receipt is dated 3 June 2024: in 2024, not in 2023 or 2025.
	txHeader := "reference,name,developer-agreement-contribution,contribution-funding-status,amount,units,organisation,entry-date,start-date,end-date,notes\n"
	res = ts.get(t, "/data-standard/developer-agreement-transaction.csv?year=2024&public=1")
	if !strings.HasPrefix(res.body, txHeader) || !strings.Contains(res.body,
		fmt.Sprintf("24/00412/S106/%d/%d,Received,24/00412/S106/%d,received,100000.00,,%s,", edu, entry, edu, org)) ||
		!strings.HasSuffix(res.body, ",2024-06-03,,\n") || strings.Count(res.body, "\n") != 2 {
		t.Errorf("transactions 2024:\n%s", res.body)
	}
	for _, y := range []string{"2023", "2025"} {
		if res := ts.get(t, "/data-standard/developer-agreement-transaction.csv?year="+y); res.body != txHeader {
			t.Errorf("transactions %s:\n%s", y, res.body)
		}
	}

	// The publishable version leaves out notes.
	res = ts.get(t, "/data-standard/developer-agreement.csv?public=1")
	if strings.Contains(res.body, "Officer-only note") || !strings.Contains(res.body, "24/00412/S106,Mill Lane,section-106") {
		t.Errorf("public agreements:\n%s", res.body)
	}

	if res := ts.get(t, "/data-standard/secrets.csv"); res.status != http.StatusNotFound {
		t.Errorf("unknown file: status %d", res.status)
	}
	for _, bad := range []string{"20x5", "1800", "99999", "2025-26"} {
		res := ts.get(t, "/data-standard/developer-agreement.csv?year="+bad)
		if page := htmltest.Parse(t, res.body); res.status != http.StatusBadRequest || page.Text("main h1") != "Financial year not recognised" ||
			!page.HasText("main p.govuk-body", "Financial year must be the year it starts in") {
			t.Errorf("year %q: status %d\n%s", bad, res.status, excerpt(res.body))
		}
	}
}

func TestDataStandardPageIsAccessibleInTheBrowser(t *testing.T) {
	t.Parallel()
	app, _, _, _ := dataStandardServer(t)
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "viewer@test.example")
	visitAndCheck(t, ctx, ts.URL+"/data-standard", "data standard page")

	// Choose a year with the form, without JavaScript's help.
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#year"), "2024")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[method=get] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('a[href^="/data-standard/developer-agreement.csv"]').getAttribute("href")`))
	if err != nil || href != "/data-standard/developer-agreement.csv?year=2024" {
		t.Fatalf("link after choosing 2024: %q (%v)", href, err)
	}
	browsertest.CheckAccessibility(t, ctx, "data standard page for 2024")

	visitAndCheck(t, ctx, ts.URL+"/data-standard?year=abc", "data standard page with a bad year")
}
