package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/audit"
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
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "The shares add up to £296,400.00 but the payment is £300,000.00") {
		t.Fatalf("unbalanced split: %d\n%s", res.status, excerpt(res.body))
	}
	for _, kept := range []string{`value="AR-55012"`, `value="200,000"`, `value="96,400"`, `value="Harbour Homes plc"`} {
		if !strings.Contains(res.body, kept) {
			t.Errorf("the form lost %s", kept)
		}
	}
	if !strings.Contains(res.body, fmt.Sprintf(`<option value="%d" selected`, health)) {
		t.Error("the chosen obligation on row 2 was lost")
	}

	form.Set("total", "296,400")
	form.Set("csrf_token", ts.csrf(t, "/receipts/new"))
	res = ts.post(t, "/receipts", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("balanced split: %d\n%s", res.status, excerpt(res.body))
	}
	page := ts.get(t, res.header.Get("Location"))
	for _, want := range []string{"£296,400.00", "AR-55012", "£200,000.00", "£96,400.00", "Not invoiced"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("receipt page lacks %q", want)
		}
	}
	ob := ts.get(t, fmt.Sprintf("/obligations/%d", edu))
	for _, want := range []string{"Paid", "3 June 2024", "3 June 2034", "£200,000.00"} {
		if !strings.Contains(ob.body, want) {
			t.Errorf("obligation page lacks %q", want)
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
	if !strings.Contains(page.body, "There is no BCIS All-in Tender Price Index value for the quarter April to June 2019") || !strings.Contains(page.body, `href="/admin/indices/bcis-tpi"`) {
		t.Fatalf("a missing index value should be explained\n%s", excerpt(page.body))
	}
	appFixture(t, app).IndexValue("bcis-tpi", "2019-04-01", "324.0")
	appFixture(t, app).IndexValue("bcis-tpi", "2024-04-01", "391.7")
	page = ts.get(t, path+"/new?calc_date-day=1&calc_date-month=5&calc_date-year=2024")
	for _, want := range []string{"£287,500.00 × 391.7 ÷ 324", "£347,573.30", "April 2019"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("calculation lacks %q", want)
		}
	}
	res := ts.post(t, path, url.Values{"csrf_token": {ts.csrf(t, path+"/new")}, "calc_date-day": {"1"}, "calc_date-month": {"5"}, "calc_date-year": {"2024"},
		"date-day": {"1"}, "date-month": {"6"}, "date-year": {"2024"}, "reference": {""}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Enter the invoice number") {
		t.Fatalf("invoice without number: %d", res.status)
	}
	res = ts.post(t, path, url.Values{"csrf_token": {ts.csrf(t, path+"/new")}, "calc_date-day": {"1"}, "calc_date-month": {"5"}, "calc_date-year": {"2024"},
		"date-day": {"1"}, "date-month": {"6"}, "date-year": {"2024"}, "reference": {"INV-2024-881"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("issue: %d\n%s", res.status, excerpt(res.body))
	}
	ob := ts.get(t, fmt.Sprintf("/obligations/%d", edu))
	for _, want := range []string{"Invoiced", "INV-2024-881", "BCIS-TPI 324 (April 2019) → 391.7 (April 2024)", "Due 29 June 2024", "£347,573.30"} {
		if !strings.Contains(ob.body, want) {
			t.Errorf("obligation page lacks %q", want)
		}
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
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Only £100,000.00 of this obligation") || !strings.Contains(res.body, `value="150000"`) {
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
	if !strings.Contains(page.body, "<del>Returned to developer") || !strings.Contains(page.body, "Reversal: Refund was cancelled by finance") {
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
	page := ts.get(t, path)
	if !strings.Contains(page.body, `id="calc_date-month" name="calc_date-month" type="text" inputmode="numeric" value="5"`) ||
		!strings.Contains(page.body, `value="2024"`) {
		t.Errorf("the invoice form does not start at the trigger's period:\n%s", excerpt(page.body))
	}
	if _, err := app.DB.Pool.Exec(context.Background(), `UPDATE obligations SET index_to = 'invoice' WHERE id = $1`, edu); err != nil {
		t.Fatal(err)
	}
	today := app.Ledger.Today()
	page = ts.get(t, path)
	if !strings.Contains(page.body, fmt.Sprintf(`name="calc_date-year" type="text" inputmode="numeric" value="%d"`, today.Year())) {
		t.Errorf("the invoice form does not start at today's period for an agreement indexing to the invoice")
	}
	// A trigger before the base date starts at the base date (September 2024).
	if _, err := app.DB.Pool.Exec(context.Background(), `UPDATE obligations SET index_to = 'trigger', base_date = '2024-09-01' WHERE id = $1`, edu); err != nil {
		t.Fatal(err)
	}
	page = ts.get(t, path)
	if !strings.Contains(page.body, `name="calc_date-month" type="text" inputmode="numeric" value="9"`) {
		t.Errorf("the invoice form starts before the base date")
	}
}
