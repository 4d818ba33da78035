package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/users"
)

// cilWorld: a parish of 1,000 dwellings that receives the levy, and a
// development in it with a demand notice of two instalments, £60,000 due
// 1 August 2024 and £40,000 due 1 December 2024.
type cilWorld struct {
	parish string
	dev    int64
	demand fixture.CILDemandRow
}

func newCILWorld(t *testing.T, app *Application) cilWorld {
	t.Helper()
	fx := appFixture(t, app)
	var w cilWorld
	w.parish = fx.CILParish(fixture.CILParish{Code: "E04000123", Name: "Ashby St Mary", Dwellings: map[int]int{2024: 1000}})
	w.dev = fx.CILDevelopment(fixture.CILDevelopment{Reference: "CIL/24/0012", Parish: w.parish})
	ln := fx.CILLiability(w.dev, "2024-06-10", "100000")
	w.demand = fx.CILDemand(w.dev, ln, fixture.CILDemand{Reference: "DN/24/0012",
		Instalments: []fixture.CILInstalment{{Due: "2024-08-01", Amount: "60000"}, {Due: "2024-12-01", Amount: "40000"}}})
	return w
}

func inputValue(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.getElementById(%q).value`, id)))
	if err != nil {
		t.Fatalf("value of #%s: %v", id, err)
	}
	return v
}

// An officer records one payment that pays the first instalment in full
// and part of the second: a mistake is refused with what was typed kept,
// then the payment is recorded, split into the administrative (5%),
// neighbourhood (15%) and strategic portions. Every page is checked with
// axe at 320 px and must not scroll sideways.
func TestOfficerRecordsASplitCILPaymentInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.Now = func() time.Time { return time.Date(2024, 11, 1, 12, 0, 0, 0, time.UTC) }
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	w := newCILWorld(t, app)
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "officer@test.example")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800), chromedp.Navigate(ts.URL+"/cil/receipts")); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "CIL receipts, none yet")
	clickTo(t, ctx, `main a[href="/cil/receipts/new"]`)
	checkNarrow(t, ctx, "choose a demand notice")
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#demand"), fmt.Sprint(w.demand.ID))); err != nil {
		t.Fatal(err)
	}
	clickTo(t, ctx, `main form button[type=submit]`)
	checkNarrow(t, ctx, "record a CIL payment")
	first, second := fmt.Sprintf("pays-%d", w.demand.Instalments[0]), fmt.Sprintf("pays-%d", w.demand.Instalments[1])
	fill(t, ctx, map[string]string{"received_on": "15", "received_on-month": "10", "received_on-year": "2024",
		"amount": "70,000", "payer": "Harbour Homes plc", "reference": "FIN-881", first: "60000", second: "40000.01"})
	clickTo(t, ctx, `main form[method=post] button[type=submit]`)
	summary, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-error-summary")))
	if !strings.Contains(summary, "Instalment 2: only £40,000.00 is still to pay of it") {
		t.Fatalf("refusal %q", summary)
	}
	checkNarrow(t, ctx, "CIL payment form with an error")
	for id, want := range map[string]string{"amount": "70,000", "payer": "Harbour Homes plc", "reference": "FIN-881", first: "60000", second: "40000.01", "received_on": "15"} {
		if got := inputValue(t, ctx, id); got != want {
			t.Errorf("#%s is %q after the error, want what was typed, %q", id, got, want)
		}
	}
	fill(t, ctx, map[string]string{second: "10000"})
	clickTo(t, ctx, `main form[method=post] button[type=submit]`)
	page, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Payment recorded and split", "Administrative expenses£3,500.00", "Neighbourhood portion (E04000123)£10,500.00",
		"Strategic£56,000.00", "Instalment 1, due 1 August 2024£60,000.00", "Instalment 2, due 1 December 2024£10,000.00"} {
		if !strings.Contains(strings.ReplaceAll(page, "\n", ""), want) {
			t.Errorf("the payment's page does not say %q:\n%s", want, page)
		}
	}
	checkNarrow(t, ctx, "a CIL payment with its portions")
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/cil/developments/%d/money", ts.URL, w.dev))); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "a development's CIL money")
	page, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(page, "£30,000.00") { // still to pay of the second instalment
		t.Errorf("the development's money does not show £30,000 still to pay:\n%s", page)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/cil/receipts")); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "CIL receipts")
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/cil/projects")); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "CIL pots and projects")
}

// An officer pays a parish its neighbourhood portion: the payments page
// shows what is due by 28 October, a payment of more than the parish's
// portion is refused with what was typed kept, and the payment is then
// recorded and shown on the parish's page. Checked with axe at 320 px.
func TestOfficerPaysAParishItsNeighbourhoodPortionInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.Now = func() time.Time { return time.Date(2024, 11, 1, 12, 0, 0, 0, time.UTC) }
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	w := newCILWorld(t, app)
	fx := appFixture(t, app)
	fx.CILReceive(fixture.CILReceipt{Development: w.dev, Demand: w.demand.ID, On: "2024-08-01", Amount: "60000", Parish: w.parish,
		Pays: map[int64]string{w.demand.Instalments[0]: "60000"}}) // £9,000 for the parish, due by 28 October 2024
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "officer@test.example")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800), chromedp.Navigate(ts.URL+"/cil/parish-payments")); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "parish payments due")
	page, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(page, "28 October 2024") || !strings.Contains(page, "£9,000.00") || !strings.Contains(page, "Overdue") {
		t.Errorf("the payments page does not show £9,000 overdue since 28 October 2024:\n%s", page)
	}
	clickTo(t, ctx, `main a[href="/cil/parish-payments/new"]`)
	checkNarrow(t, ctx, "record a payment to a parish")
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#parish"), w.parish)); err != nil {
		t.Fatal(err)
	}
	fill(t, ctx, map[string]string{"amount": "9000.01", "reference": "BACS 7781"})
	clickTo(t, ctx, `main form[method=post] button[type=submit]`)
	summary, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-error-summary")))
	if !strings.Contains(summary, "more than the pot holds") {
		t.Fatalf("refusal %q", summary)
	}
	checkNarrow(t, ctx, "parish payment refused")
	if got := inputValue(t, ctx, "reference"); got != "BACS 7781" {
		t.Errorf("reference %q after the error", got)
	}
	if got := inputValue(t, ctx, "parish"); got != w.parish {
		t.Errorf("parish %q after the error", got)
	}
	fill(t, ctx, map[string]string{"amount": "9000"})
	clickTo(t, ctx, `main form[method=post] button[type=submit]`)
	page, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	flat := strings.ReplaceAll(page, "\n", "")
	if !strings.Contains(flat, "Paid to the parish£9,000.00") || !strings.Contains(flat, "Still to pay£0.00") {
		t.Errorf("the parish page after the payment:\n%s", page)
	}
	checkNarrow(t, ctx, "a parish after its payment")
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/cil/parishes")); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "parishes")
}

// cilWalkParish is the parish the reflow walk visits.
const cilWalkParish = "E04000777"

// walkCIL adds to the reflow walk's world a parish, a development with a
// demand notice paid in part, a payment to the parish, money allocated to
// and spent on the walk's project (the levy's money is not on the project's
// section 106 pages, which stay as they were) and a reversal, and returns the development's,
// the demand notice's and the receipt's ids.
func walkCIL(t *testing.T, app *Application, project int64) (dev, demand, receipt int64) {
	t.Helper()
	fx := appFixture(t, app)
	parish := fx.CILParish(fixture.CILParish{Code: cilWalkParish, Name: "Little Bramley (walk)", NeighbourhoodPlan: "2019-01-01", Dwellings: map[int]int{2024: 420}})
	dev = fx.CILDevelopment(fixture.CILDevelopment{Reference: "CIL/WALK/1", Parish: parish, Permission: "2023-03-01"})
	ln := fx.CILLiability(dev, "2023-04-01", "250000")
	dn := fx.CILDemand(dev, ln, fixture.CILDemand{Reference: "DN/WALK/1", Instalments: []fixture.CILInstalment{
		{Due: "2023-08-01", Amount: "100000"}, {Due: "2024-02-01", Amount: "100000"}, {Due: "2024-08-01", Amount: "50000"}}})
	receipt = fx.CILReceive(fixture.CILReceipt{Development: dev, Demand: dn.ID, On: "2023-08-01", Amount: "150000", Parish: parish, Neighbourhood: "37500",
		Pays: map[int64]string{dn.Instalments[0]: "100000", dn.Instalments[1]: "50000"}})
	fx.CILRecord(fixture.CILEntry{Kind: "parish-payment", On: "2023-10-20", Amount: "20000", Parish: parish})
	fx.CILRecord(fixture.CILEntry{Kind: "allocation", On: "2023-11-01", Amount: "60000", Project: project})
	spend := fx.CILRecord(fixture.CILEntry{Kind: "spend", On: "2023-12-01", Amount: "25000", Project: project})
	fx.Exec(`INSERT INTO cil_ledger_entries (kind, entry_date, amount, reverses_id, note) VALUES ('reversal', '2023-12-02', 25000, $1, 'Keyed against the wrong project')`, spend)
	return dev, dn.ID, receipt
}
