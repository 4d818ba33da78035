package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/htmltest"
)

// moneyObligation records a financial obligation (BCIS-indexed from April
// 2019, 120-month spend-by) whose trigger was met on 20 May 2024.
func moneyObligation(t *testing.T, app *Application, agreementID int64, purpose, base string) int64 {
	t.Helper()
	ctx := context.Background()
	b := decimal.RequireFromString(base)
	months, days := 120, 28
	baseDate := time.Date(2019, 4, 1, 0, 0, 0, 0, time.UTC)
	o, err := app.Register.RecordObligation(ctx, audit.Actor{Label: "test"}, agreementID, agreements.ObligationInput{
		Kind: "financial", PurposeCode: purpose, ClauseRef: "Sch 3", Description: "Pay a " + purpose + " contribution",
		TriggerType: "commencement", BaseAmount: &b, Index: "bcis-tpi", BaseDate: &baseDate,
		PaymentDueDays: &days, PaymentDueFrom: "invoice", SpendByMonths: &months, ReturnUnspent: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	met := time.Date(2024, 5, 20, 0, 0, 0, 0, time.UTC)
	if _, err := app.Register.RecordEvent(ctx, audit.Actor{Label: "test"}, o.ID, agreements.EventInput{Kind: agreements.EventTriggerMet, Date: &met, Evidence: "Commencement notice"}); err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func TestSplitReceiptFormKeepsInputWhenTheSplitDoesNotSum(t *testing.T) {
	t.Parallel()
	app, ts := officerServer(t)
	a := seedAgreement(t, app, "19/00412/S106", "Mill Lane", "North Ward")
	edu := moneyObligation(t, app, a, "education", "287500")
	health := moneyObligation(t, app, a, "health", "96400")

	form := url.Values{
		"csrf_token":      {ts.csrf(t, "/receipts/new")},
		"received_on-day": {"3"}, "received_on-month": {"6"}, "received_on-year": {"2024"},
		"payer": {"Harbour Homes plc"}, "finance_ref": {"AR-55012"}, "total": {"300,000"},
		"share-1-obligation": {fmt.Sprint(edu)}, "share-1-amount": {"200,000"},
		"share-2-obligation": {fmt.Sprint(health)}, "share-2-amount": {"96,400"},
	}
	res := ts.post(t, "/receipts", form)
	const unbalanced = "The shares add up to £296,400.00 but the payment is £300,000.00: they must be equal"
	refused := htmltest.Parse(t, res.body)
	if res.status != http.StatusUnprocessableEntity || !slices.Equal(refused.ErrorSummary(), []string{unbalanced}) || refused.Text("p.govuk-error-message#shares") != "Error: "+unbalanced {
		t.Fatalf("unbalanced split: %d\n%s", res.status, excerpt(res.body))
	}
	for name, kept := range map[string]string{"finance_ref": "AR-55012", "share-1-amount": "200,000", "share-2-amount": "96,400", "payer": "Harbour Homes plc"} {
		if got := refused.Attr(`form input[name="`+name+`"]`, "value"); got != kept {
			t.Errorf("the form lost %s: %q, want %q", name, got, kept)
		}
	}
	if got := refused.Attr(`select[name="share-2-obligation"] option[selected]`, "value"); got != fmt.Sprint(health) {
		t.Errorf("the chosen obligation on row 2 was lost: %q", got)
	}

	form.Set("total", "296,400")
	form.Set("csrf_token", ts.csrf(t, "/receipts/new"))
	res = ts.post(t, "/receipts", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("balanced split: %d\n%s", res.status, excerpt(res.body))
	}
	page := htmltest.Parse(t, ts.get(t, res.header.Get("Location")).body)
	if total, ref := page.SummaryValue("Total"), page.SummaryValue("Finance reference"); total != "£296,400.00" || ref != "AR-55012" {
		t.Errorf("receipt page: total %q, finance reference %q", total, ref)
	}
	if shares := page.Texts("main table tbody td:nth-child(2)"); !slices.Equal(shares, []string{"£200,000.00", "£96,400.00"}) && !slices.Equal(shares, []string{"£96,400.00", "£200,000.00"}) {
		t.Errorf("receipt page's shares = %q", shares)
	}
	if against := page.Texts("main table tbody td:nth-child(5)"); !slices.Equal(against, []string{"Not invoiced", "Not invoiced"}) {
		t.Errorf("receipt page's against invoices = %q", against)
	}
	ob := htmltest.Parse(t, ts.get(t, fmt.Sprintf("/obligations/%d", edu)).body)
	if status := ob.Text("main h1 + p .govuk-tag"); status != "Paid" {
		t.Errorf("obligation status %q, want Paid", status)
	}
	if got := ob.SummaryValue("Received"); got != "£200,000.00" {
		t.Errorf("obligation received %q", got)
	}
	spendBy := ob.Rows("main table:has(caption:contains('spend-by deadline')) tbody tr")
	if len(spendBy) != 1 {
		t.Errorf("%d spend-by rows, want the one payment's", len(spendBy))
	}
	for _, row := range spendBy {
		if len(row) < 5 || row[0] != "3 June 2024" || row[1] != "£200,000.00" || row[4] != "3 June 2034" {
			t.Errorf("spend-by row %q, want received 3 June 2024, £200,000.00, spend by 3 June 2034", row)
		}
	}
	list := ts.get(t, "/receipts.csv?q=harbour")
	rows, _ := csv.NewReader(strings.NewReader(list.body)).ReadAll()
	if len(rows) != 2 || rows[1][4] != "296400.00" || rows[1][3] != "AR-55012" {
		t.Fatalf("receipts CSV %v", rows)
	}
}

func TestInvoiceShowsTheIndexCalculationThenIssues(t *testing.T) {
	t.Parallel()
	app, ts := officerServer(t)
	a := seedAgreement(t, app, "19/00412/S106", "Mill Lane", "North Ward")
	edu := moneyObligation(t, app, a, "education", "287500")
	path := fmt.Sprintf("/obligations/%d/invoices", edu)

	page := ts.get(t, path+"/new?calc_date-day=1&calc_date-month=5&calc_date-year=2024")
	if warn := htmltest.Parse(t, page.body); !warn.HasText(".govuk-warning-text", "There is no BCIS All-in Tender Price Index value for the quarter April to June 2019") ||
		!warn.Has(`.govuk-warning-text a[href="/admin/indices/bcis-tpi"]`) {
		t.Fatalf("a missing index value should be explained\n%s", excerpt(page.body))
	}
	appFixture(t, app).IndexValue("bcis-tpi", "2019-04-01", "324.0")
	appFixture(t, app).IndexValue("bcis-tpi", "2024-04-01", "391.7")
	page = ts.get(t, path+"/new?calc_date-day=1&calc_date-month=5&calc_date-year=2024")
	calc := htmltest.Parse(t, page.body)
	for key, want := range map[string]string{
		"Formula":           "£287,500.00 × 391.7 ÷ 324, rounded to the penny",
		"Amount to invoice": "£347,573.30",
		"Base index value":  "324 (April 2019)",
	} {
		if got := calc.SummaryValue(key); got != want {
			t.Errorf("calculation %s = %q, want %q", key, got, want)
		}
	}
	res := ts.post(t, path, url.Values{"csrf_token": {ts.csrf(t, path+"/new")}, "calc_date-day": {"1"}, "calc_date-month": {"5"}, "calc_date-year": {"2024"},
		"date-day": {"1"}, "date-month": {"6"}, "date-year": {"2024"}, "reference": {""}})
	if res.status != http.StatusUnprocessableEntity || !slices.Contains(htmltest.Parse(t, res.body).ErrorSummary(), "Enter the invoice number") {
		t.Fatalf("invoice without number: %d", res.status)
	}
	res = ts.post(t, path, url.Values{"csrf_token": {ts.csrf(t, path+"/new")}, "calc_date-day": {"1"}, "calc_date-month": {"5"}, "calc_date-year": {"2024"},
		"date-day": {"1"}, "date-month": {"6"}, "date-year": {"2024"}, "reference": {"INV-2024-881"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("issue: %d\n%s", res.status, excerpt(res.body))
	}
	ob := htmltest.Parse(t, ts.get(t, fmt.Sprintf("/obligations/%d", edu)).body)
	if status, invoiced := ob.Text("main h1 + p .govuk-tag"), ob.SummaryValue("Invoiced"); status != "Invoiced" || invoiced != "£347,573.30" {
		t.Errorf("obligation status %q, invoiced %q", status, invoiced)
	}
	invoice := ob.Find("main table:has(caption:contains('Ledger entries')) tbody tr:has(td:contains('INV-2024-881'))")
	var details []string
	invoice.Find("td").Eq(1).Find(".app-secondary-text").Each(func(_ int, s *goquery.Selection) { details = append(details, htmltest.Clean(s.Text())) })
	for _, want := range []string{"BCIS-TPI 324 (April 2019) → 391.7 (April 2024)", "Due 29 June 2024"} {
		if invoice.Length() != 1 || !slices.Contains(details, want) {
			t.Errorf("the invoice's ledger entry lacks %q: %q", want, details)
		}
	}
	if amount := htmltest.Clean(invoice.Find("td").Eq(2).Text()); amount != "£347,573.30" {
		t.Errorf("the invoice's ledger amount %q", amount)
	}
}

func TestReturnAndReversalThroughThePages(t *testing.T) {
	t.Parallel()
	app, ts := officerServer(t)
	a := seedAgreement(t, app, "19/00412/S106", "Mill Lane", "North Ward")
	edu := moneyObligation(t, app, a, "education", "100000")
	res := ts.post(t, "/receipts", url.Values{"csrf_token": {ts.csrf(t, "/receipts/new")},
		"received_on-day": {"1"}, "received_on-month": {"6"}, "received_on-year": {"2024"}, "payer": {"Harbour Homes plc"}, "total": {"100000"},
		"share-1-obligation": {fmt.Sprint(edu)}, "share-1-amount": {"100000"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("receipt: %d\n%s", res.status, excerpt(res.body))
	}
	obPath := fmt.Sprintf("/obligations/%d", edu)
	res = ts.post(t, obPath+"/returns", url.Values{"csrf_token": {ts.csrf(t, obPath+"/returns/new")},
		"date-day": {"1"}, "date-month": {"7"}, "date-year": {"2024"}, "amount": {"150000"}, "reason": {"overpayment"}})
	if over := htmltest.Parse(t, res.body); res.status != http.StatusUnprocessableEntity ||
		!slices.Equal(over.ErrorSummary(), []string{"Only £100,000.00 of this obligation's money is received and not allocated; de-allocate money from projects before returning it"}) ||
		over.Attr(`form input[name="amount"]`, "value") != "150000" {
		t.Fatalf("over-return: %d\n%s", res.status, excerpt(res.body))
	}
	res = ts.post(t, obPath+"/returns", url.Values{"csrf_token": {ts.csrf(t, obPath+"/returns/new")},
		"date-day": {"1"}, "date-month": {"7"}, "date-year": {"2024"}, "amount": {"5000"}, "interest": {"125.50"}, "reason": {"Overpayment"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("return: %d\n%s", res.status, excerpt(res.body))
	}
	var entryID int64
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT id FROM ledger_entries WHERE kind = 'return'`).Scan(&entryID)
	rev := fmt.Sprintf("%s/ledger/%d/reverse", obPath, entryID)
	res = ts.post(t, rev, url.Values{"csrf_token": {ts.csrf(t, rev)}, "reason": {"Refund was cancelled by finance"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("reverse: %d\n%s", res.status, excerpt(res.body))
	}
	page := ts.get(t, obPath)
	entries := htmltest.Parse(t, page.body)
	const ledgerEntries = "main table:has(caption:contains('Ledger entries')) tbody tr"
	if struck := entries.Texts(ledgerEntries + ".app-reversed td:nth-child(2) del"); len(struck) != 1 || !strings.HasPrefix(struck[0], "Returned to developer") ||
		!slices.ContainsFunc(entries.Texts(ledgerEntries+" td:nth-child(2)"), func(s string) bool { return strings.HasPrefix(s, "Reversal: Refund was cancelled by finance") }) {
		t.Fatalf("the reversed return should stay visible, struck through\n%s", excerpt(page.body))
	}
	var returned decimal.Decimal
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT returned FROM obligation_balances WHERE obligation_id = $1`, edu).Scan(&returned)
	if !returned.IsZero() {
		t.Fatalf("returned %s after reversal", returned)
	}
}

// An invoice indexes to the period the agreement names: the invoice form
// starts at the trigger's period (May 2024 here, the trigger met on 20 May
// 2024), or today's when the agreement indexes to the invoice, and never
// before the base date.
func TestInvoiceFormStartsAtThePeriodTheAgreementNames(t *testing.T) {
	t.Parallel()
	app, ts := officerServer(t)
	a := seedAgreement(t, app, "19/00412/S106", "Mill Lane", "North Ward")
	edu := moneyObligation(t, app, a, "education", "287500")
	path := fmt.Sprintf("/obligations/%d/invoices/new", edu)
	const month, year = `form input#calc_date-month[type="text"]`, `form input#calc_date-year[type="text"]`
	page := htmltest.Parse(t, ts.get(t, path).body)
	if page.Attr(month, "value") != "5" || page.Attr(year, "value") != "2024" {
		t.Errorf("the invoice form does not start at the trigger's period: month %q year %q", page.Attr(month, "value"), page.Attr(year, "value"))
	}
	if _, err := app.DB.Pool.Exec(context.Background(), `UPDATE obligations SET index_to = 'invoice' WHERE id = $1`, edu); err != nil {
		t.Fatal(err)
	}
	today := app.Ledger.Today()
	page = htmltest.Parse(t, ts.get(t, path).body)
	if page.Attr(year, "value") != fmt.Sprint(today.Year()) || page.Attr(month, "value") != fmt.Sprint(int(today.Month())) {
		t.Errorf("the invoice form does not start at today's period for an agreement indexing to the invoice")
	}
	// A trigger before the base date starts at the base date (September 2024).
	if _, err := app.DB.Pool.Exec(context.Background(), `UPDATE obligations SET index_to = 'trigger', base_date = '2024-09-01' WHERE id = $1`, edu); err != nil {
		t.Fatal(err)
	}
	page = htmltest.Parse(t, ts.get(t, path).body)
	if page.Attr(month, "value") != "9" || page.Attr(year, "value") != "2024" {

		t.Errorf("the invoice form starts before the base date")
	}
}
