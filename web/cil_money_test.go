package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/cil"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/users"
)

func cilApp(t *testing.T) (*Application, *testServer, cilWorld) {
	t.Helper()
	app := newTestApp(t)
	app.Now = func() time.Time { return time.Date(2024, 11, 1, 12, 0, 0, 0, time.UTC) }
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	w := newCILWorld(t, app)
	return app, newTestServer(t, app), w
}

// cilPost submits a form as the signed-in user, with a token from one of
// their pages.
func cilPost(t *testing.T, ts *testServer, path string, form url.Values) response {
	t.Helper()
	form.Set("csrf_token", ts.csrf(t, "/cil/parishes"))
	return ts.post(t, path, form)
}

func TestCILReceiptsCSVHasEachPortion(t *testing.T) {
	t.Parallel()
	app, ts, w := cilApp(t)
	fx := appFixture(t, app)
	fx.CILReceive(fixture.CILReceipt{Development: w.dev, Demand: w.demand.ID, On: "2024-08-01", Amount: "60000", Parish: w.parish})
	ts.login(t, "viewer@test.example", testPassword)
	res := ts.get(t, "/cil/receipts.csv")
	if res.status != 200 {
		t.Fatalf("status %d", res.status)
	}
	lines := strings.Split(strings.TrimSpace(res.body), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "id,received_on,charging_authority,development,demand_notice,payer") {
		t.Fatalf("csv:\n%s", res.body)
	}
	if !strings.Contains(lines[1], ",2024-08-01,council,CIL/24/0012,DN/24/0012,") || !strings.Contains(lines[1], ",60000.00,3000.00,9000.00,E04000123,48000.00,0.00,no") {
		t.Errorf("row %q", lines[1])
	}
	// The viewer reads the list but is offered nothing to record.
	page := ts.get(t, "/cil/receipts")
	if page.status != 200 || strings.Contains(page.body, `href="/cil/receipts/new"`) || !strings.Contains(page.body, "DN/24/0012") {
		t.Errorf("viewer's receipts page: %d\n%s", page.status, excerpt(page.body))
	}
}

func TestCILReceiptFormRefusesAndKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	_, ts, w := cilApp(t)
	ts.login(t, "officer@test.example", testPassword)
	res := cilPost(t, ts, "/cil/receipts", url.Values{"demand": {fmt.Sprint(w.demand.ID)}, "received_on-day": {"40"}, "received_on-month": {"10"},
		"received_on-year": {"2024"}, "amount": {"ten pounds"}, "payer": {"Harbour Homes plc"}, "method": {"money"}})
	if res.status != 422 {
		t.Fatalf("status %d", res.status)
	}
	for _, want := range []string{"Date received must be a real date", "Amount received must be an amount of money", `value="Harbour Homes plc"`, `value="ten pounds"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the refused form does not show %q", want)
		}
	}
	// An unknown demand notice is a message, not a 500.
	res = cilPost(t, ts, "/cil/receipts", url.Values{"demand": {"999999"}, "received_on-day": {"1"}, "received_on-month": {"10"},
		"received_on-year": {"2024"}, "amount": {"10"}, "payer": {"P"}, "method": {"money"}})
	if res.status != 422 || !strings.Contains(res.body, "Choose the demand notice the payment is for") {
		t.Errorf("unknown demand: %d\n%s", res.status, excerpt(res.body))
	}
}

func TestCILEntryIsReversedFromItsPageWithAReason(t *testing.T) {
	t.Parallel()
	app, ts, w := cilApp(t)
	fx := appFixture(t, app)
	id := fx.CILReceive(fixture.CILReceipt{Development: w.dev, Demand: w.demand.ID, On: "2024-08-01", Amount: "60000", Parish: w.parish})
	ts.login(t, "officer@test.example", testPassword)
	path := fmt.Sprintf("/cil/entries/%d", id)
	res := cilPost(t, ts, path+"/reverse", url.Values{"date-day": {"2"}, "date-month": {"8"}, "date-year": {"2024"}, "note": {" "}})
	if res.status != 422 || !strings.Contains(res.body, "Say why the entry is reversed") {
		t.Fatalf("reversal without a reason: %d\n%s", res.status, excerpt(res.body))
	}
	res = cilPost(t, ts, path+"/reverse", url.Values{"date-day": {"2"}, "date-month": {"8"}, "date-year": {"2024"}, "note": {"Cheque bounced"}})
	if res.status != 303 {
		t.Fatalf("reversal: %d\n%s", res.status, excerpt(res.body))
	}
	page := ts.get(t, path)
	if !strings.Contains(page.body, "Reversed by") || !strings.Contains(page.body, "Reversed received of £60,000.00: Cheque bounced") {
		t.Errorf("the entry page after its reversal:\n%s", excerpt(page.body))
	}
	ds, err := cil.Demands(context.Background(), app.DB.Pool, w.dev, true)
	if err != nil || len(ds) != 1 || ds[0].Paid().Sign() != 0 {
		t.Errorf("the instalments after the reversal: %+v %v", ds, err)
	}
}

func TestCILParishAdminIsAuditedAndRefusesAStaleEdit(t *testing.T) {
	t.Parallel()
	app, ts, _ := cilApp(t)
	ts.login(t, "officer@test.example", testPassword)
	res := cilPost(t, ts, "/cil/parishes", url.Values{"code": {"E04000999"}, "name": {""}, "receives_cil": {"no"}, "contact_email": {"clerk"}})
	if res.status != 422 || !strings.Contains(res.body, "Enter the parish&#39;s name") || !strings.Contains(res.body, `value="E04000999"`) {
		t.Fatalf("refused parish: %d\n%s", res.status, excerpt(res.body))
	}
	res = cilPost(t, ts, "/cil/parishes", url.Values{"code": {"E04000999"}, "name": {"Cold Norton"}, "receives_cil": {"no"}})
	if res.status != 303 {
		t.Fatalf("add parish: %d\n%s", res.status, excerpt(res.body))
	}
	res = cilPost(t, ts, "/cil/parishes", url.Values{"code": {"E04000999"}, "name": {"Cold Norton again"}, "receives_cil": {"yes"}})
	if res.status != 422 || !strings.Contains(res.body, "A parish with this code exists already") {
		t.Errorf("duplicate code: %d", res.status)
	}
	edit := ts.get(t, "/cil/parishes/E04000999/edit")
	if !strings.Contains(edit.body, `name="version" value="1"`) {
		t.Fatalf("edit form has no version:\n%s", excerpt(edit.body))
	}
	if res := cilPost(t, ts, "/cil/parishes/E04000999", url.Values{"version": {"1"}, "name": {"Cold Norton"}, "receives_cil": {"yes"}}); res.status != 303 {
		t.Fatalf("edit: %d\n%s", res.status, excerpt(res.body))
	}
	res = cilPost(t, ts, "/cil/parishes/E04000999", url.Values{"version": {"1"}, "name": {"Cold Norton Parish"}, "receives_cil": {"no"}})
	if res.status != 409 || !strings.Contains(res.body, "Someone else changed this record") || !strings.Contains(res.body, `value="Cold Norton Parish"`) {
		t.Errorf("stale edit: %d\n%s", res.status, excerpt(res.body))
	}
	if res := cilPost(t, ts, "/cil/parishes/E04000999/dwellings", url.Values{"financial_year": {"2024"}, "dwellings": {"many"}}); res.status != 422 {
		t.Errorf("bad dwellings: %d", res.status)
	}
	if res := cilPost(t, ts, "/cil/parishes/E04000999/dwellings", url.Values{"financial_year": {"2024"}, "dwellings": {"350"}}); res.status != 303 {
		t.Errorf("dwellings: %d", res.status)
	}
	events, err := audit.ForEntity(context.Background(), app.DB.Pool, cil.EntityParish, "E04000999", 10)
	if err != nil || len(events) != 3 {
		t.Fatalf("audit %d events, %v; want added, changed, dwellings", len(events), err)
	}
	page := ts.get(t, "/cil/parishes/E04000999")
	if !strings.Contains(page.body, "2024 to 2025") || !strings.Contains(page.body, "350") {
		t.Errorf("parish page:\n%s", excerpt(page.body))
	}
}

func TestCILRecoveryFromAParishAndItsNotice(t *testing.T) {
	t.Parallel()
	app, ts, w := cilApp(t)
	fx := appFixture(t, app)
	fx.CILReceive(fixture.CILReceipt{Development: w.dev, Demand: w.demand.ID, On: "2024-08-01", Amount: "60000", Parish: w.parish})
	fx.CILRecord(fixture.CILEntry{Kind: "parish-payment", On: "2024-10-20", Amount: "9000", Parish: w.parish})
	ts.login(t, "officer@test.example", testPassword)
	base := "/cil/parishes/" + w.parish
	res := cilPost(t, ts, base+"/recovery-notices", url.Values{"served_on-day": {"1"}, "served_on-month": {"11"}, "served_on-year": {"2024"}, "notice_amount": {"9000.01"}, "reason": {"Not applied within five years"}})
	if res.status != 422 || !strings.Contains(res.body, "cannot ask for more") {
		t.Fatalf("too large a notice: %d\n%s", res.status, excerpt(res.body))
	}
	res = cilPost(t, ts, base+"/recovery-notices", url.Values{"served_on-day": {"1"}, "served_on-month": {"11"}, "served_on-year": {"2024"}, "notice_amount": {"4000"}, "reason": {"Not applied within five years"}})
	if res.status != 303 {
		t.Fatalf("notice: %d\n%s", res.status, excerpt(res.body))
	}
	res = cilPost(t, ts, "/cil/entries", url.Values{"kind": {"parish-recovery"}, "parish": {w.parish}, "date-day": {"1"}, "date-month": {"11"}, "date-year": {"2024"}, "amount": {"4000"}})
	if res.status != 303 {
		t.Fatalf("recovery: %d\n%s", res.status, excerpt(res.body))
	}
	page := ts.get(t, base)
	flat := strings.Join(strings.Fields(page.body), " ")
	for _, want := range []string{"Recovered from the parish</dt><dd class=\"govuk-summary-list__value\">£4,000.00", "Not applied within five years"} {
		if !strings.Contains(flat, want) {
			t.Errorf("parish page lacks %q", want)
		}
	}
	// The recovered money is the council's to allocate in the parish's area.
	project := fx.Project(fixture.Project{}).ID
	res = cilPost(t, ts, "/cil/entries", url.Values{"kind": {"allocation"}, "project": {fmt.Sprint(project)}, "pot": {"neighbourhood"}, "pot_parish": {w.parish},
		"date-day": {"1"}, "date-month": {"11"}, "date-year": {"2024"}, "amount": {"4000.01"}})
	if res.status != 422 || !strings.Contains(res.body, "only what was recovered from it (regulation 59E) is the council&#39;s to allocate") {
		t.Errorf("over-allocation: %d\n%s", res.status, excerpt(res.body))
	}
	res = cilPost(t, ts, "/cil/entries", url.Values{"kind": {"allocation"}, "project": {fmt.Sprint(project)}, "pot": {"neighbourhood"}, "pot_parish": {w.parish},
		"date-day": {"1"}, "date-month": {"11"}, "date-year": {"2024"}, "amount": {"4000"}})
	if res.status != 303 {
		t.Errorf("allocation: %d\n%s", res.status, excerpt(res.body))
	}
	projects := ts.get(t, "/cil/projects")
	if !strings.Contains(projects.body, "Neighbourhood portion") || !strings.Contains(projects.body, "£4,000.00") {
		t.Errorf("projects page:\n%s", excerpt(projects.body))
	}
}

func TestCILParishPaymentsDueByADateAndTheirCSV(t *testing.T) {
	t.Parallel()
	app, ts, w := cilApp(t)
	fx := appFixture(t, app)
	fx.CILReceive(fixture.CILReceipt{Development: w.dev, Demand: w.demand.ID, On: "2024-08-01", Amount: "60000", Parish: w.parish}) // £9,000 by 28 October 2024
	fx.CILReceive(fixture.CILReceipt{Development: w.dev, Demand: w.demand.ID, On: "2024-10-15", Amount: "10000", Parish: w.parish}) // £1,500 by 28 April 2025
	fx.CILRecord(fixture.CILEntry{Kind: "parish-payment", On: "2024-10-20", Amount: "4000", Parish: w.parish})
	ts.login(t, "viewer@test.example", testPassword)
	page := ts.get(t, "/cil/parish-payments?due_by=2024-12-31")
	if page.status != 200 || !strings.Contains(page.body, "28 October 2024") || strings.Contains(page.body, "28 April 2025") {
		t.Errorf("due by 31 December 2024:\n%s", excerpt(page.body))
	}
	if page := ts.get(t, "/cil/parish-payments?due_by=soon"); page.status != 200 || !strings.Contains(page.body, "is not a date") || !strings.Contains(page.body, "28 April 2025") {
		t.Errorf("a filter that is not a date:\n%s", excerpt(page.body))
	}
	res := ts.get(t, "/cil/parish-payments.csv")
	want := []string{
		"record,id,parish_code,parish,receipts_from,receipts_to,date,amount,outstanding,reverses,reversed,reference,note",
		"due,,E04000123,Ashby St Mary,2024-10-01,2025-03-31,2025-04-28,1500.00,1500.00,,,,",
		"due,,E04000123,Ashby St Mary,2024-04-01,2024-09-30,2024-10-28,9000.00,5000.00,,,,",
	}
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(res.body, "\r", "")), "\n")
	if len(lines) != 4 || lines[0] != want[0] || lines[1] != want[1] || lines[2] != want[2] || !strings.HasPrefix(lines[3], "parish-payment,") || !strings.Contains(lines[3], ",2024-10-20,4000.00,,,no,") {
		t.Errorf("csv:\n%s", res.body)
	}
}
