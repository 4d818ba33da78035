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

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/users"
)

// projToday is the clock these tests run at.
var projToday = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// projServer is an officer signed in to an app whose clock is projToday.
func projServer(t *testing.T) (*Application, *testServer) {
	t.Helper()
	app := newTestApp(t)
	app.Now = func() time.Time { return projToday }
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	ts := newTestServer(t, app)
	ts.login(t, "officer@test.example", testPassword)
	return app, ts
}

// projObligation adds a financial obligation to an agreement; spendBy 0
// means no spend-by period.
func projObligation(t *testing.T, app *Application, agreementID int64, purpose, clause string, spendBy int) int64 {
	t.Helper()
	return appFixture(t, app).Obligation(agreementID, fixture.Obligation{Purpose: purpose, Clause: clause, Description: "Pay a contribution", SpendByMonths: spendBy}).ID
}

// projReceive records a payment for one obligation.
func projReceive(t *testing.T, app *Application, obligationID int64, on time.Time, amount string) {
	t.Helper()
	appFixture(t, app).Receive(on.Format(time.DateOnly), fixture.Share{ObligationID: obligationID, Amount: amount})
}

// projDecided is the test projects' spending decision: before any money.
var projDecided = time.Date(2020, 1, 6, 0, 0, 0, 0, time.UTC)

func projCreate(t *testing.T, app *Application, name string) ledger.Project {
	t.Helper()
	p, err := app.Ledger.CreateProject(context.Background(), audit.Actor{Label: "test"}, ledger.ProjectInput{Name: name, PurposeCode: "education", ServiceArea: "Education", Status: "approved",
		DecisionDate: &projDecided, DecisionMaker: "committee", DecisionReference: "PC/2020/001"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func projDate(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func projMoneyForm(pairs ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return v
}

// projSummarySays fails for each message no link of the page's error
// summary says.
func projSummarySays(t *testing.T, what string, page *htmltest.Page, messages ...string) {
	t.Helper()
	for _, m := range messages {
		if !page.HasText(".govuk-error-summary__list a", m) {
			t.Errorf("%s: the error summary does not say %q: %q", what, m, page.Texts(".govuk-error-summary__list a"))
		}
	}
}

// projKeeps fails for each form field (by name) whose value is not the one
// given, as when a refused form must keep what was typed.
func projKeeps(t *testing.T, what string, page *htmltest.Page, values map[string]string) {
	t.Helper()
	for name, want := range values {
		got := page.Attr("input[name='"+name+"']", "value")
		if page.Has("textarea[name='" + name + "']") {
			got = page.Find("textarea[name='" + name + "']").First().Text()
		}
		if got != want {
			t.Errorf("%s: field %s holds %q, want %q", what, name, got, want)
		}
	}
}

// projPost submits a form as the signed-in user, with their CSRF token.
func projPost(t *testing.T, ts *testServer, path string, form url.Values) response {
	t.Helper()
	form = cloneValues(form)
	form.Set("csrf_token", ts.csrf(t, "/"))
	return ts.post(t, path, form)
}

func TestOfficerAddsAndChangesAProjectAndAStaleEditIsRefused(t *testing.T) {
	t.Parallel()
	_, ts := projServer(t)
	form := projMoneyForm("name", "Ashford Primary expansion", "description", "Two classrooms", "service_area", "Education",
		"purpose", "education", "expected_spend_date-day", "1", "expected_spend_date-month", "9", "expected_spend_date-year", "2027", "status", "approved",
		"decision_date-day", "14", "decision_date-month", "3", "decision_date-year", "2025", "decision_maker", "committee",
		"decision_by", "Planning Committee", "decision_reference", "PC/2025/041")
	res := projPost(t, ts, "/projects", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.status, excerpt(res.body))
	}
	path := res.header.Get("Location")
	page := ts.get(t, path)
	added := htmltest.Parse(t, page.body)
	if added.SummaryValue("Description") != "Two classrooms" || !added.HasExactText("main .govuk-tag", "Approved") {
		t.Errorf("project page: description %q, tags %q", added.SummaryValue("Description"), added.Texts("main .govuk-tag"))
	}
	if spend, _ := added.SummaryRow("Expected spend date"); added.Text("h1") != "Ashford Primary expansion" || spend != "1 September 2027" {
		t.Errorf("project page: heading %q, expected spend date %q", added.Text("h1"), spend)
	}
	if !added.HasExactText("main p.govuk-body", "No money has been allocated to this project yet.") || !added.Has("main a[href='"+path+"/allocations/new']") ||
		!added.HasText("table.app-history tbody td", "Added project Ashford Primary expansion") {
		t.Errorf("project page lacks its empty sources, its allocate link or its history\n%s", excerpt(page.body))
	}

	// Errors keep what was typed.
	bad := projMoneyForm("name", "", "description", "Kept description", "purpose", "", "expected_spend_date-day", "31", "expected_spend_date-month", "2", "expected_spend_date-year", "2027", "status", "approved")
	res = projPost(t, ts, "/projects", bad)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid create: %d", res.status)
	}
	refused := htmltest.Parse(t, res.body)
	projSummarySays(t, "refused form", refused, "Enter the project name", "Select the purpose the project's money is for",
		"Expected spend date must be a real date", "Enter the date of the spending decision")
	if !strings.HasPrefix(refused.ErrorLinks()["#name"], "Enter the project name") {
		t.Errorf("refused form: the name's error does not link to it: %v", refused.ErrorLinks())
	}
	projKeeps(t, "refused form", refused, map[string]string{"description": "Kept description"})
	dup := cloneValues(form)
	dup.Set("name", "ASHFORD primary expansion")
	res = projPost(t, ts, "/projects", dup)
	if form := htmltest.Parse(t, res.body); res.status != http.StatusUnprocessableEntity ||
		!form.HasText(".govuk-error-summary__list a[href='#name']", "There is already a project called Ashford Primary expansion") ||
		form.Attr("input[name='name']", "value") != "ASHFORD primary expansion" {
		t.Errorf("duplicate name: %d\n%s", res.status, excerpt(res.body))
	}

	// Two officers open the edit form; the second to save is refused.
	edit := ts.get(t, path+"/edit")
	projKeeps(t, "edit form", htmltest.Parse(t, edit.body), map[string]string{"version": "1", "name": "Ashford Primary expansion"})
	first := cloneValues(form)
	first.Set("version", "1")
	first.Set("status", "in-progress")
	if res := projPost(t, ts, path, first); res.status != http.StatusSeeOther {
		t.Fatalf("first save: %d\n%s", res.status, excerpt(res.body))
	}
	second := cloneValues(form)
	second.Set("version", "1")
	second.Set("description", "My stale description")
	res = projPost(t, ts, path, second)
	if res.status != http.StatusConflict {
		t.Fatalf("stale save: %d, want 409", res.status)
	}
	conflict := htmltest.Parse(t, res.body)
	if got := conflict.Text(".govuk-error-summary__title"); got != "Your changes were not saved" {
		t.Errorf("conflict page's error summary: %q", got)
	}
	projKeeps(t, "conflict page", conflict, map[string]string{"description": "My stale description", "version": "2"})
	page = ts.get(t, path)
	changed := htmltest.Parse(t, page.body)
	if !changed.HasExactText("main .govuk-tag", "In progress") {
		t.Errorf("project page's tags %q, want In progress", changed.Texts("main .govuk-tag"))
	}
	pageSays(t, "project page", changed, "main", "Changed project Ashford Primary expansion")
	// Absent from the page's bytes: stricter than asking one element.
	if strings.Contains(page.body, "My stale description") {
		t.Error("the stale edit was saved")
	}
}

func TestAllocationFormRefusesMoreThanUnallocatedAndRecordsAFineAmount(t *testing.T) {
	t.Parallel()
	app, ts := projServer(t)
	agreementID := seedAgreement(t, app, "19/00412/S106", "Mill Lane", "North Ward")
	ob := projObligation(t, app, agreementID, "education", "3.1", 120)
	projReceive(t, app, ob, projDate(2025, 1, 10), "1000")
	p := projCreate(t, app, "Ashford Primary expansion")
	path := fmt.Sprintf("/projects/%d", p.ID)

	form := ts.get(t, path+"/allocations/new")
	allocForm := htmltest.Parse(t, form.body)
	if got := allocForm.Texts(`main select[name="obligation"] option`); !slices.Equal(got, []string{"Select an obligation",
		"19/00412/S106 · Education, clause 3.1 · Mill Lane — £1,000.00 unallocated, spend by 10 January 2035"}) {
		t.Errorf("allocation form offers %q", got)
	}
	if !allocForm.Has("main #date") || allocForm.Value("date-day") != "25" {
		t.Errorf("allocation form: no #date, or its day is %q, not today's 25", allocForm.Value("date-day"))
	}

	res := projPost(t, ts, path+"/allocations", projMoneyForm("obligation", fmt.Sprint(ob), "amount", "1,200", "date-day", "1", "date-month", "2", "date-year", "2025", "note", "Cabinet 12/2025"))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("too much: %d\n%s", res.status, excerpt(res.body))
	}
	refused := htmltest.Parse(t, res.body)
	if !strings.Contains(refused.ErrorLinks()["#amount"], "Only £1,000.00 of this obligation's money is unallocated") {
		t.Errorf("refused allocation: errors %v", refused.ErrorLinks())
	}
	projKeeps(t, "refused allocation", refused, map[string]string{"amount": "1,200", "note": "Cabinet 12/2025"})

	res = projPost(t, ts, path+"/allocations", projMoneyForm("obligation", "", "amount", "abc", "date-day", "1", "date-month", "2", "date-year", "2030"))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid: %d", res.status)
	}
	projSummarySays(t, "invalid allocation", htmltest.Parse(t, res.body), "Select the obligation whose money to allocate", "Amount to allocate must be an amount of money")

	res = projPost(t, ts, path+"/allocations", projMoneyForm("obligation", fmt.Sprint(ob), "amount", "400", "date-day", "1", "date-month", "2", "date-year", "2025", "note", "Cabinet 12/2025"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("allocate: %d\n%s", res.status, excerpt(res.body))
	}
	var status string
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT status FROM obligation_status WHERE obligation_id = $1`, ob).Scan(&status)
	if status != "allocated" {
		t.Errorf("obligation status %q, want allocated", status)
	}
	page := ts.get(t, path)
	sources := htmltest.Parse(t, page.body)
	if !sources.HasExactText("h2#sources", "Where the money came from") || !sources.Has(fmt.Sprintf("main table a[href='/obligations/%d']", ob)) ||
		!sources.Has(fmt.Sprintf("main table a[href='/agreements/%d']", agreementID)) {
		t.Errorf("project page's sources do not link the obligation and agreement\n%s", excerpt(page.body))
	}
	pageSays(t, "project page", sources, "main td", "£400.00", "10 January 2035", "Allocated to project", "Cabinet 12/2025")
	pageSays(t, "project page", sources, "main", "Allocated £400.00 of 19/00412/S106 Education (clause 3.1) to project Ashford Primary expansion",
		"Allocated £400.00 to Ashford Primary expansion.")

	// With every pound allocated, the form says so instead of offering nothing.
	res = projPost(t, ts, path+"/allocations", projMoneyForm("obligation", fmt.Sprint(ob), "amount", "600", "date-day", "1", "date-month", "2", "date-year", "2025"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("allocate the rest: %d\n%s", res.status, excerpt(res.body))
	}
	pageSays(t, "empty allocation form", htmltest.Parse(t, ts.get(t, path+"/allocations/new").body), "main p", "No obligation has money that is received and not yet allocated")
}

func TestProjectDeallocationFormNeedsAReasonAndReturnsUnspentMoney(t *testing.T) {
	t.Parallel()
	app, ts := projServer(t)
	agreementID := seedAgreement(t, app, "19/00412/S106", "Mill Lane", "North Ward")
	ob := projObligation(t, app, agreementID, "education", "3.1", 120)
	projReceive(t, app, ob, projDate(2025, 1, 10), "1000")
	p := projCreate(t, app, "Ashford Primary expansion")
	if _, err := app.Ledger.AllocateToProject(context.Background(), audit.Actor{Label: "test"}, p.ID, ob, decimal.RequireFromString("700"), projDate(2025, 2, 1), "", ""); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/projects/%d", p.ID)
	pageSays(t, "de-allocation form", htmltest.Parse(t, ts.get(t, path+"/deallocations/new").body), "main form", "£700.00 allocated and unspent")

	res := projPost(t, ts, path+"/deallocations", projMoneyForm("obligation", fmt.Sprint(ob), "amount", "800", "date-day", "1", "date-month", "3", "date-year", "2025", "reason", ""))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("refused: %d", res.status)
	}
	projSummarySays(t, "refused de-allocation", htmltest.Parse(t, res.body), "Enter why the money is being de-allocated")
	res = projPost(t, ts, path+"/deallocations", projMoneyForm("obligation", fmt.Sprint(ob), "amount", "800", "date-day", "1", "date-month", "3", "date-year", "2025", "reason", "Scheme reduced"))
	refused := htmltest.Parse(t, res.body)
	projSummarySays(t, "refused de-allocation", refused, "Only £700.00 of this obligation's money allocated to the project is unspent")
	projKeeps(t, "refused de-allocation", refused, map[string]string{"reason": "Scheme reduced", "amount": "800"})

	res = projPost(t, ts, path+"/deallocations", projMoneyForm("obligation", fmt.Sprint(ob), "amount", "200", "date-day", "1", "date-month", "3", "date-year", "2025", "reason", "Scheme reduced"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("de-allocate: %d\n%s", res.status, excerpt(res.body))
	}
	page := ts.get(t, path)
	pageSays(t, "project page", htmltest.Parse(t, page.body), "main td", "De-allocated from project", "Scheme reduced", "£500.00")
	got, _ := app.Ledger.GetProject(context.Background(), p.ID)
	if !got.Allocated.Equal(decimal.RequireFromString("500")) {
		t.Errorf("allocated %s", got.Allocated)
	}
}

func TestSpendFormDrawsSoonestDeadlineFirstAndThePageShowsWhereItCameFrom(t *testing.T) {
	t.Parallel()
	app, ts := projServer(t)
	agreementID := seedAgreement(t, app, "19/00412/S106", "Mill Lane", "North Ward")
	later := projObligation(t, app, agreementID, "education", "A", 120) // received 2024: deadline 2034
	sooner := projObligation(t, app, agreementID, "education", "B", 60) // received 2022: deadline 2027
	projReceive(t, app, later, projDate(2024, 1, 10), "1000")
	projReceive(t, app, sooner, projDate(2022, 6, 1), "300")
	p := projCreate(t, app, "Ashford Primary expansion")
	ctx := context.Background()
	for _, ob := range []int64{later, sooner} {
		if _, err := app.Ledger.AllocateToProject(ctx, audit.Actor{Label: "test"}, p.ID, ob, decimal.RequireFromString("300"), projDate(2025, 1, 1), "", ""); err != nil {
			t.Fatal(err)
		}
	}
	path := fmt.Sprintf("/projects/%d", p.ID)
	form := ts.get(t, path+"/spend/new")
	spendForm := htmltest.Parse(t, form.body)
	pageSays(t, "spend form", spendForm, "main", "£600.00 allocated and unspent")
	pageSays(t, "spend form", spendForm, "main td", "1 June 2027")
	pageSays(t, "spend form", spendForm, "main .govuk-tag", "Red")
	if offered := spendForm.Text("main"); strings.Index(offered, "clause B") > strings.Index(offered, "clause A") || !strings.Contains(offered, "clause B") {
		t.Errorf("the spend form should list the money with the soonest deadline first: %q", offered)
	}

	res := projPost(t, ts, path+"/spend", projMoneyForm("amount", "600.01", "date-day", "1", "date-month", "6", "date-year", "2025", "evidence", "Invoice BLD-2291"))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("too much: %d", res.status)
	}
	refused := htmltest.Parse(t, res.body)
	projSummarySays(t, "refused spend", refused, "Only £600.00 allocated to this project is unspent")
	projKeeps(t, "refused spend", refused, map[string]string{"amount": "600.01", "evidence": "Invoice BLD-2291"})
	res = projPost(t, ts, path+"/spend", projMoneyForm("amount", "400", "date-day", "1", "date-month", "6", "date-year", "2025", "evidence", ""))
	projSummarySays(t, "refused spend", htmltest.Parse(t, res.body), "Enter the evidence of the spend, such as an invoice or certificate reference")

	res = projPost(t, ts, path+"/spend", projMoneyForm("amount", "400", "date-day", "1", "date-month", "6", "date-year", "2025", "evidence", "Invoice BLD-2291", "reference", "PO 4471"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("spend: %d\n%s", res.status, excerpt(res.body))
	}
	page := ts.get(t, path)
	spent := htmltest.Parse(t, page.body)
	pageSays(t, "project page", spent, "main td", "1 June 2025", "Invoice BLD-2291", "Reference PO 4471", "£300.00 from", "£100.00 from")
	pageSays(t, "project page", spent, "main", "Recorded spend of £400.00 on Ashford Primary expansion, drawn from 2 obligations.")
	if spend := spent.Text("h2#spend ~ .app-table-scroll table"); strings.Index(spend, "clause B") > strings.Index(spend, "clause A") || !strings.Contains(spend, "clause B") {
		t.Errorf("the spend should show it drew first on clause B, whose deadline is sooner: %q", spend)
	}
	var spentB, spentA decimal.Decimal
	_ = app.DB.Pool.QueryRow(ctx, `SELECT spent FROM obligation_balances WHERE obligation_id = $1`, sooner).Scan(&spentB)
	_ = app.DB.Pool.QueryRow(ctx, `SELECT spent FROM obligation_balances WHERE obligation_id = $1`, later).Scan(&spentA)
	if !spentB.Equal(decimal.RequireFromString("300")) || !spentA.Equal(decimal.RequireFromString("100")) {
		t.Errorf("spent B %s A %s, want 300 and 100", spentB, spentA)
	}
}

func TestProjectsListAndCSVShowWhatTheFiltersSelect(t *testing.T) {
	t.Parallel()
	app, ts := projServer(t)
	agreementID := seedAgreement(t, app, "19/00412/S106", "Mill Lane", "North Ward")
	ob := projObligation(t, app, agreementID, "education", "3.1", 120)
	projReceive(t, app, ob, projDate(2025, 1, 10), "1000")
	school := projCreate(t, app, "Ashford Primary expansion")
	ctx := context.Background()
	due := projDate(2027, 3, 31)
	formula, err := app.Ledger.CreateProject(ctx, audit.Actor{Label: "test"}, ledger.ProjectInput{Name: "=HYPERLINK(1)", PurposeCode: "community-facilities", Status: "proposed", ExpectedSpendDate: &due})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Ledger.AllocateToProject(ctx, audit.Actor{Label: "test"}, school.ID, ob, decimal.RequireFromString("750.5"), projDate(2025, 2, 1), "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Ledger.SpendOnProject(ctx, audit.Actor{Label: "test"}, school.ID, decimal.RequireFromString("250"), projDate(2025, 3, 1), "INV-1", ""); err != nil {
		t.Fatal(err)
	}

	list := ts.get(t, "/projects")
	listPage := htmltest.Parse(t, list.body)
	var row []string
	for _, r := range listPage.Rows("table tbody tr") {
		if len(r) > 0 && strings.HasPrefix(r[0], "Ashford Primary expansion") {
			row = r
		}
	}
	if !slices.Contains(row, "£750.50") || !slices.Contains(row, "£500.50") {
		t.Errorf("projects list's row for Ashford Primary expansion: %q", row)
	}
	if !listPage.HasText("main", "Showing") || !listPage.Has("main a[href='/projects.csv']") || !listPage.Has("main a[href='/projects/new']") {
		t.Error("projects list lacks its count, its CSV link or its add link")
	}
	filtered := ts.get(t, "/projects?status=approved")
	// Absent from the page's bytes: stricter than asking one element.
	if strings.Contains(filtered.body, "HYPERLINK") ||
		!slices.Contains(htmltest.Parse(t, filtered.body).Texts("table tbody tr td:first-child a, table tbody tr th a"), "Ashford Primary expansion") {
		t.Errorf("status filter:\n%s", excerpt(filtered.body))
	}
	if !htmltest.Parse(t, filtered.body).Has("main a[href='/projects.csv?status=approved']") {
		t.Error("the filtered list's CSV link does not keep the filter")
	}

	res := ts.get(t, "/projects.csv?sort=name")
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", res.status, res.header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"id", "name", "purpose", "service_area", "status", "expected_spend_date", "decision_date", "decision_maker", "decision_reference", "allocated", "spent", "unspent_allocated"},
		{fmt.Sprint(formula.ID), "'=HYPERLINK(1)", "community-facilities", "", "proposed", "2027-03-31", "", "", "", "0.00", "0.00", "0.00"},
		{fmt.Sprint(school.ID), "Ashford Primary expansion", "education", "Education", "approved", "", "2020-01-06", "committee", "PC/2020/001", "750.50", "250.00", "500.50"},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("csv rows\n%v\nwant\n%v", rows, want)
	}
	res = ts.get(t, "/projects.csv?purpose=education")
	if rows, _ := csv.NewReader(strings.NewReader(res.body)).ReadAll(); len(rows) != 2 || rows[1][1] != "Ashford Primary expansion" {
		t.Errorf("filtered csv %v", rows)
	}
}

func TestViewerSeesProjectsButCannotChangeThem(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	agreementID := seedAgreement(t, app, "19/00412/S106", "Mill Lane", "North Ward")
	ob := projObligation(t, app, agreementID, "education", "3.1", 120)
	projReceive(t, app, ob, projDate(2025, 1, 10), "1000")
	p := projCreate(t, app, "Ashford Primary expansion")
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)
	path := fmt.Sprintf("/projects/%d", p.ID)

	page := ts.get(t, path)
	// Absent from the page's bytes: stricter than asking one element.
	if page.status != http.StatusOK || strings.Contains(page.body, "Allocate money") || strings.Contains(page.body, "/edit") {
		t.Errorf("viewer's project page: %d, shows officer actions:\n%s", page.status, excerpt(page.body))
	}
	for _, post := range []struct {
		path string
		form url.Values
	}{
		{"/projects", projMoneyForm("name", "Mine", "purpose", "education", "status", "proposed")},
		{path, projMoneyForm("name", "Renamed", "purpose", "education", "status", "approved", "version", "1")},
		{path + "/allocations", projMoneyForm("obligation", fmt.Sprint(ob), "amount", "10", "date-day", "1", "date-month", "2", "date-year", "2025")},
		{path + "/deallocations", projMoneyForm("obligation", fmt.Sprint(ob), "amount", "10", "date-day", "1", "date-month", "2", "date-year", "2025", "reason", "x")},
		{path + "/spend", projMoneyForm("amount", "10", "date-day", "1", "date-month", "2", "date-year", "2025", "evidence", "INV")},
	} {
		if res := projPost(t, ts, post.path, post.form); res.status != http.StatusForbidden {
			t.Errorf("viewer POST %s: %d, want 403", post.path, res.status)
		}
	}
	var n int
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM ledger_entries WHERE project_id IS NOT NULL`).Scan(&n)
	if n != 0 {
		t.Errorf("%d entries written by a viewer", n)
	}
}

func TestOfficerAllocatesAndSpendsThroughTheFormsInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	agreementID := seedAgreement(t, app, "19/00412/S106", "Mill Lane", "North Ward")
	ob := projObligation(t, app, agreementID, "education", "3.1", 120)
	projReceive(t, app, ob, projDate(2024, 1, 10), "287500")
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "officer@test.example")

	visitAndCheck(t, ctx, ts.URL+"/projects/new", "new project form")
	fill(t, ctx, map[string]string{"name": "Ashford Primary expansion", "service_area": "Education", "purpose": "education",
		"expected_spend_date": "1", "expected_spend_date-month": "9", "expected_spend_date-year": "2027",
		"decision_date": "14", "decision_date-month": "3", "decision_date-year": "2025", "decision_maker": "committee",
		"decision_reference": "PC/2025/041"})
	click(t, ctx, "status-2")
	projectURL, h1 := submitAndCheck(t, ctx, "project page")
	if h1 != "Ashford Primary expansion" {
		t.Fatalf("project page heading %q", h1)
	}

	// An allocation refused for being too much keeps what was typed.
	visitAndCheck(t, ctx, projectURL+"/allocations/new", "allocation form")
	fill(t, ctx, map[string]string{"obligation": fmt.Sprint(ob), "amount": "300,000", "date": "1", "date-month": "2", "date-year": "2025", "note": "Cabinet 12/2025"})
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[method=post] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-error-summary")))
	if err != nil || !strings.Contains(summary, "Only £287,500.00 of this obligation's money is unallocated") {
		t.Fatalf("error summary %q (%v)", summary, err)
	}
	browsertest.CheckAccessibility(t, ctx, "allocation form with an error")
	fill(t, ctx, map[string]string{"amount": "200,000"})
	submitAndCheck(t, ctx, "project page after allocating")

	visitAndCheck(t, ctx, projectURL+"/spend/new", "spend form")
	fill(t, ctx, map[string]string{"amount": "50,000", "date": "1", "date-month": "6", "date-year": "2025", "evidence": "Invoice BLD-2291", "reference": "PO 4471"})
	submitAndCheck(t, ctx, "project page after spending")
	main, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"£200,000.00", "£50,000.00", "£150,000.00", "Invoice BLD-2291", "10 January 2034"} {
		if !strings.Contains(main, want) {
			t.Errorf("project page lacks %q", want)
		}
	}
	visitAndCheck(t, ctx, projectURL+"/deallocations/new", "de-allocation form")
	visitAndCheck(t, ctx, ts.URL+"/projects", "projects list")
}
