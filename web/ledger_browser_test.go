package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/users"
)

func TestOfficerRecordsASplitPaymentAndReversesItInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	a := seedAgreement(t, app, "19/00412/S106", "Mill Lane", "North Ward")
	edu := moneyObligation(t, app, a, "education", "287500")
	health := moneyObligation(t, app, a, "health", "96400")
	appFixture(t, app).IndexValue("bcis-tpi", "2019-04-01", "324.0")
	appFixture(t, app).IndexValue("bcis-tpi", "2024-05-01", "391.7")
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "officer@test.example")

	// A payment whose split does not add up is refused, keeping what was typed.
	visitAndCheck(t, ctx, fmt.Sprintf("%s/receipts/new?obligation=%d", ts.URL, edu), "record a payment form")
	fill(t, ctx, map[string]string{"received_on": "3", "received_on-month": "6", "received_on-year": "2024", "payer": "Harbour Homes plc",
		"finance_ref": "AR-55012", "total": "300,000", "share-1-amount": "200,000", "share-2-obligation": fmt.Sprint(health), "share-2-amount": "96,400"})
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[method=post] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	summary, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-error-summary")))
	if !strings.Contains(summary, "The shares add up to £296,400.00 but the payment is £300,000.00") {
		t.Fatalf("error summary %q", summary)
	}
	kept, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("share-2-amount").value + "|" + document.getElementById("finance_ref").value`))
	if kept != "96,400|AR-55012" {
		t.Fatalf("input kept: %q", kept)
	}
	browsertest.CheckAccessibility(t, ctx, "record a payment form with an error")

	fill(t, ctx, map[string]string{"total": "296,400"})
	submitAndCheck(t, ctx, "payment page")

	obURL := fmt.Sprintf("%s/obligations/%d", ts.URL, edu)
	visitAndCheck(t, ctx, obURL, "obligation page with its ledger")
	visitAndCheck(t, ctx, obURL+"/invoices/new", "issue an invoice form")
	visitAndCheck(t, ctx, obURL+"/returns/new", "return money form")

	// Reverse the payment from the education obligation's ledger.
	if err := chromedp.Do(ctx, chromedp.Navigate(obURL)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`a[href*="/ledger/"][href$="/reverse"]`))); err != nil {
		t.Fatal(err)
	}
	browsertest.CheckAccessibility(t, ctx, "reverse a ledger entry form")
	fill(t, ctx, map[string]string{"reason": "Keyed against the wrong development"})
	submitAndCheck(t, ctx, "obligation page after the reversal")
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.app-table-scroll[aria-label="Ledger"]`)))
	if !strings.Contains(text, "Reversal: Keyed against the wrong development") {
		t.Fatalf("ledger after reversal: %q", text)
	}
	visitAndCheck(t, ctx, ts.URL+"/receipts", "payments list")
}
