package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/browsertest"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/users"
)

// dlToday is the fixed day the deadline tests rate money on.
var dlToday = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// dlMoney records agreements, obligations and money through the domain
// services (internal/fixture), on the deadline tests' clock.
type dlMoney struct {
	t         *testing.T
	app       *Application
	fx        *fixture.Builder
	projectID int64
}

func newDLMoney(t *testing.T, app *Application) *dlMoney {
	t.Helper()
	app.Now = func() time.Time { return dlToday }
	return &dlMoney{t: t, app: app, fx: fixture.New(t, app.DB, func() time.Time { return app.Now() })}
}

func (m *dlMoney) must(err error) {
	m.t.Helper()
	if err != nil {
		m.t.Fatal(err)
	}
}

func (m *dlMoney) project() int64 {
	m.t.Helper()
	if m.projectID == 0 {
		// Proposed, with no spending decision, as the figures expect:
		// what is set against it is earmarked.
		m.projectID = m.fx.Project(fixture.Project{Name: "Library refit", Purpose: "community-facilities", Decided: "none"}).ID
	}
	return m.projectID
}

// allocate earmarks an obligation's money for the test project, which
// pools every purpose's money (a reason says so), and returns the entry.
func (m *dlMoney) allocate(obligationID int64, on, amount string) int64 {
	m.t.Helper()
	return m.fx.Allocate(m.project(), fixture.Allocation{ObligationID: obligationID, Amount: amount, On: on, Override: "Test project pools every purpose"}).ID
}

// spend writes a spend of one named obligation from the test project in
// SQL, bypassing the service on purpose: the dashboard's hand-computed
// figures spend a chosen obligation's money from a project that pools
// several and has no spending decision, where SpendOnProject draws on the
// soonest deadline and only once the project is decided. The database's
// own invariants still check the entry.
func (m *dlMoney) spend(obligationID int64, on, amount string) {
	m.t.Helper()
	projectID := m.project()
	m.must(m.app.DB.InTx(context.Background(), func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, project_id)
			VALUES ($1, 'spend', $2, $3, $4)`, obligationID, on, amount, projectID)
		return err
	}))
}

func (m *dlMoney) agreement(ref, site string, officerID *int64) int64 {
	m.t.Helper()
	a := fixture.Agreement{Reference: ref, Site: site, Signed: "2016-01-01"}
	if officerID != nil {
		a.OfficerID = *officerID
	}
	return m.fx.Agreement(a).ID
}

func (m *dlMoney) obligation(agreementID int64, purpose, serviceArea, clause string, spendBy int) int64 {
	m.t.Helper()
	return m.fx.Obligation(agreementID, fixture.Obligation{Purpose: purpose, ServiceArea: serviceArea, Clause: clause,
		Description: "Pay a contribution towards " + purpose, SpendByMonths: spendBy}).ID
}

func (m *dlMoney) receive(obligationID int64, on, amount, ref string) int64 {
	m.t.Helper()
	return m.fx.ReceivePayment(on, fixture.Payment{FinanceRef: ref}, fixture.Share{ObligationID: obligationID, Amount: amount}).ID
}

// allocateAndSpend allocates an obligation's money to a project of its
// own, decided, and spends it.
func (m *dlMoney) allocateAndSpend(obligationID int64, allocated, spent, amount string) {
	m.t.Helper()
	decided := m.fx.Project(fixture.Project{Name: "Library works " + strconv.FormatInt(obligationID, 10), Purpose: "community-facilities"}).ID
	m.fx.Allocate(decided, fixture.Allocation{ObligationID: obligationID, Amount: amount, On: allocated})
	m.fx.Spend(decided, amount, spent)
}

// dlFixture is money in every rating on 15 January 2026.
type dlFixture struct {
	officerID                                    int64
	agreementA, agreementB                       int64
	overdue, red, amber, green, noDeadline, gone int64 // obligations
}

func seedDeadlines(t *testing.T, app *Application) dlFixture {
	t.Helper()
	m := newDLMoney(t, app)
	var f dlFixture
	f.officerID = addUser(t, app.DB, "olive@test.example", users.RoleOfficer).ID
	earlyYears := m.fx.Purpose("Early years places", "education")
	f.agreementA = m.agreement("21/S106/001", "Mill Lane", &f.officerID)
	f.agreementB = m.agreement("19/S106/002", "Riverside Wharf", nil)

	f.red = m.obligation(f.agreementA, "education", "Education", "4.1", 60)
	m.receive(f.red, "2021-03-01", "10000.00", "FIN-RED") // deadline 1 March 2026
	f.amber = m.obligation(f.agreementA, earlyYears, "Early years", "4.2", 120)
	m.receive(f.amber, "2017-06-01", "5000.00", "FIN-AMBER") // deadline 1 June 2027, unallocated
	f.overdue = m.obligation(f.agreementB, "health", "Health", "5.1", 60)
	m.receive(f.overdue, "2020-11-30", "20000.00", "FIN-OVERDUE") // deadline 30 November 2025
	f.noDeadline = m.obligation(f.agreementB, "highways", "", "5.2", 0)
	m.receive(f.noDeadline, "2022-01-01", "7000.00", "FIN-NONE")
	f.green = m.obligation(f.agreementB, "open-space-and-leisure", "Parks", "5.3", 120)
	m.receive(f.green, "2024-05-05", "3000.00", "FIN-GREEN") // deadline 5 May 2034
	// Money wholly spent is not listed.
	f.gone = m.obligation(f.agreementB, "community-facilities", "Libraries", "5.4", 60)
	m.receive(f.gone, "2023-02-01", "999.00", "FIN-GONE")
	m.allocateAndSpend(f.gone, "2023-03-01", "2023-04-01", "999.00")
	return f
}

func dlCSV(t *testing.T, ts *testServer, query string) [][]string {
	t.Helper()
	res := ts.get(t, "/deadlines.csv"+query)
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV %s: status %d %s", query, res.status, res.header.Get("Content-Type"))
	}
	records, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return records
}

func TestDeadlinesListSortsByDeadlineAndTotalsByRating(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := seedDeadlines(t, app)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)

	res := ts.get(t, "/deadlines")
	if res.status != http.StatusOK {
		t.Fatalf("status %d\n%s", res.status, excerpt(res.body))
	}
	page := htmltest.Parse(t, res.body)
	if !page.HasText("main p", "rated on 15 January 2026") {
		t.Error("the page does not say when the ratings were worked out")
	}
	ratings := page.Texts("table:has(caption:containsOwn('Unspent money by rating')) tbody th")
	for _, want := range []string{"At risk of clawback", "Red", "Amber", "Green", "No deadline"} {
		if !slices.Contains(ratings, want) {
			t.Errorf("ratings table lacks the row %q: %q", want, ratings)
		}
	}
	const shares = "main table:has(caption:contains('Receipt shares with money unspent')) "
	for col, wants := range map[int][]string{
		1: {"30 November 2025", "1 month, 16 days overdue", "1 March 2026", "1 month, 14 days left", "1 June 2027", "1 year, 4 months left"},
		2: {"Riverside Wharf", "Officer: Test olive@test.example", "Officer: not assigned"},
		3: {"Early years places · Early years"},
	} {
		for _, want := range wants {
			if !page.HasText(fmt.Sprintf(shares+"tbody td:nth-child(%d)", col), want) {
				t.Errorf("column %d of the shares lacks %q", col, want)
			}
		}
	}
	if !page.Has(fmt.Sprintf(shares+`tbody td:nth-child(3) a[href="/obligations/%d"]`, f.overdue)) || !page.Has(fmt.Sprintf(shares+`tbody td:nth-child(2) a[href="/agreements/%d"]`, f.agreementA)) {
		t.Error("the shares do not link their obligation and agreement")
	}
	if got := page.Text(shares + "tfoot th"); got != "Total of 5 shares matching the filters" {
		t.Errorf("shares total row %q", got)
	}
	// The overdue share's £20,000 and everything unspent, £45,000, in their
	// own rows of the totals table, not anywhere on the page.
	unspent := map[string]string{}
	for _, row := range htmltest.Parse(t, res.body).Rows("table:has(caption:containsOwn('Unspent money by rating')) tr") {
		if len(row) == 4 {
			unspent[row[0]] = row[3]
		}
	}
	if unspent["At risk of clawback"] != "£20,000.00" || unspent["Total"] != "£45,000.00" {
		t.Errorf("unspent by rating %v, want £20,000.00 at risk and £45,000.00 in all", unspent)
	}
	if page.HasText("html", "£999.00") {
		t.Error("money wholly spent is listed")
	}
	if page.HasText("html", "Reconcile receipts with the finance system") || page.Has(`a[href="/reconciliation"]`) {
		t.Error("a viewer is offered reconciliation")
	}

	rows := dlCSV(t, ts, "")
	if strings.Join(rows[0], ",") != "deadline,rag,agreement,development,obligation_id,purpose,service_area,officer,received_on,amount,unallocated,unspent" {
		t.Fatalf("CSV header %v", rows[0])
	}
	if len(rows) != 6 {
		t.Fatalf("%d CSV rows, want 5 and a header", len(rows)-1)
	}
	var order []string
	for _, r := range rows[1:] {
		order = append(order, r[1])
	}
	if strings.Join(order, " ") != "overdue red amber green none" {
		t.Errorf("sorted %v, want soonest deadline first and no deadline last", order)
	}
	want := []string{"2025-11-30", "overdue", "19/S106/002", "Riverside Wharf", strconv.FormatInt(f.overdue, 10), "health", "Health", "", "2020-11-30", "20000.00", "20000.00", "20000.00"}
	if strings.Join(rows[1], "|") != strings.Join(want, "|") {
		t.Errorf("first CSV row %v, want %v", rows[1], want)
	}
	if r := rows[2]; r[7] != "Test olive@test.example" || r[5] != "education" {
		t.Errorf("red row %v", r)
	}

	// Sorted by unspent, largest first.
	byUnspent := dlCSV(t, ts, "?sort=unspent&dir=desc")
	if byUnspent[1][11] != "20000.00" || byUnspent[5][11] != "3000.00" {
		t.Errorf("sorted by unspent: %v", byUnspent[1:])
	}

	// An unknown rating is refused, saying which filter.
	bad := ts.get(t, "/deadlines?rag=purple")
	if bad.status != http.StatusUnprocessableEntity || !slices.Contains(htmltest.Parse(t, bad.body).ErrorSummary(), "Select a rating from the list") {
		t.Errorf("bad rating: status %d", bad.status)
	}
	if res := ts.get(t, "/deadlines.csv?rag=purple"); res.status != http.StatusBadRequest {
		t.Errorf("bad rating CSV: status %d", res.status)
	}
}

func TestDeadlinesFiltersAgreeBetweenPageAndCSV(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := seedDeadlines(t, app)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)

	cases := []struct {
		name        string
		query       url.Values
		obligations []int64
		unspent     string
	}{
		{"red", url.Values{"rag": {"red"}}, []int64{f.red}, "£10,000.00"},
		{"overdue", url.Values{"rag": {"overdue"}}, []int64{f.overdue}, "£20,000.00"},
		{"amber", url.Values{"rag": {"amber"}}, []int64{f.amber}, "£5,000.00"},
		{"no deadline", url.Values{"rag": {"none"}}, []int64{f.noDeadline}, "£7,000.00"},
		{"national purpose with its sub-purpose", url.Values{"purpose": {"education"}}, []int64{f.red, f.amber}, "£15,000.00"},
		{"service area", url.Values{"service-area": {"Health"}}, []int64{f.overdue}, "£20,000.00"},
		{"no service area", url.Values{"service-area": {"none"}}, []int64{f.noDeadline}, "£7,000.00"},
		{"officer", url.Values{"officer": {strconv.FormatInt(f.officerID, 10)}}, []int64{f.red, f.amber}, "£15,000.00"},
		{"no officer", url.Values{"officer": {"none"}}, []int64{f.overdue, f.green, f.noDeadline}, "£30,000.00"},
		{"search and rating together", url.Values{"q": {"riverside"}, "rag": {"green"}}, []int64{f.green}, "£3,000.00"},
	}
	for _, c := range cases {
		q := "?" + c.query.Encode()
		rows := dlCSV(t, ts, q)
		var got []string
		for _, r := range rows[1:] {
			got = append(got, r[4])
		}
		var want []string
		for _, id := range c.obligations {
			want = append(want, strconv.FormatInt(id, 10))
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: CSV lists obligations %v, want %v", c.name, got, want)
		}
		page := ts.get(t, "/deadlines"+q)
		if page.status != http.StatusOK {
			t.Fatalf("%s: status %d", c.name, page.status)
		}
		// The list of shares, not the totals by rating above it.
		shares := "table:has(caption:containsOwn('Receipt shares with money unspent'))"
		doc := htmltest.Parse(t, page.body)
		if n := doc.Count(shares + " tbody a[href^='/obligations/']"); n != len(c.obligations) {
			t.Errorf("%s: page links %d obligations, want %d", c.name, n, len(c.obligations))
		}
		total := doc.Rows(shares + " tr:has(th:containsOwn('matching the filters'))")
		if len(total) != 1 || total[0][0] != "Total of "+shareCount(len(c.obligations))+" matching the filters" || total[0][len(total[0])-1] != c.unspent {
			t.Errorf("%s: totals row %q, want %s unspent", c.name, total, c.unspent)
		}
	}
	// Nothing matching is not the same as nothing at all.
	page := ts.get(t, "/deadlines?q=nowhere")
	if !slices.Contains(htmltest.Parse(t, page.body).Texts("main p[role='status']"), "No receipt shares match.") {
		t.Error("no 'nothing matches' message")
	}
}

func shareCount(n int) string {
	if n == 1 {
		return "1 share"
	}
	return strconv.Itoa(n) + " shares"
}

func TestDeadlinesPageShowsAnEmptyStateAndPaginates(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)
	m := newDLMoney(t, app)

	if res := ts.get(t, "/deadlines"); !strings.HasPrefix(htmltest.Parse(t, res.body).Text("main p[role='status']"), "No money received is waiting to be spent") {
		t.Errorf("no empty state:\n%s", excerpt(res.body))
	}

	ob := m.obligation(m.agreement("20/S106/009", "Station Yard", nil), "education", "Education", "1", 120)
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 51; i++ {
		m.receive(ob, start.AddDate(0, 0, i).Format("2006-01-02"), "100.00", "")
	}
	first := ts.get(t, "/deadlines")
	second := ts.get(t, "/deadlines?page=2")
	firstPage, secondPage := htmltest.Parse(t, first.body), htmltest.Parse(t, second.body)
	if !strings.HasPrefix(firstPage.Text(".app-list-summary p[role='status']"), "Showing 1 to 50 of 51 ") || firstPage.Count("main table tbody tr") < 50 ||
		!strings.HasPrefix(secondPage.Text(".app-list-summary p[role='status']"), "Showing 51 to 51 of 51 ") {
		t.Error("pages do not split 50 and 1")
	}
	// The totals are of everything, not the page.
	for _, p := range []*htmltest.Page{firstPage, secondPage} {
		if !slices.Contains(p.Texts("main table tfoot td strong"), "£5,100.00") {
			t.Error("totals are not of every matching share")
		}
	}
	if rows := dlCSV(t, ts, "?page=2"); len(rows) != 52 {
		t.Errorf("CSV has %d rows, want every share", len(rows)-1)
	}
}

// postReconciliation uploads a finance file as the browser's form does.
func postReconciliation(t *testing.T, ts *testServer, fileName, content string, fields url.Values) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", ts.csrf(t, "/"))
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if fileName != "" {
		fw, err := mw.CreateFormFile("file", fileName)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write([]byte(content))
	}
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, ts.URL+"/reconciliation", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: out.String()}
}

// dlReconcileFixture records four payments in the second quarter of 2024.
func dlReconcileFixture(t *testing.T, app *Application) (byRef, byAmount, missing int64) {
	t.Helper()
	m := newDLMoney(t, app)
	ob := m.obligation(m.agreement("22/S106/010", "Brook Farm", nil), "education", "Education", "2", 120)
	byRef = m.receive(ob, "2024-04-03", "1000.00", "INV-100")
	byAmount = m.receive(ob, "2024-05-10", "2500.00", "")
	missing = m.receive(ob, "2024-06-01", "400.00", "INV-300")
	m.receive(ob, "2023-12-01", "99.00", "INV-OLD") // before the range
	return byRef, byAmount, missing
}

const dlFinanceFile = "Transaction date,Value,Ref,Customer\n" +
	"03/04/2024,\"£1,200.00\",inv-100,Harbour Homes\n" +
	"2024-05-12,2500,BACS-55,Harbour Homes\n" +
	"2024-06-20,650.00,BACS-56,Unknown payer\n"

func TestReconciliationShowsMatchedAndUnmatchedBothWays(t *testing.T) {
	t.Parallel()
	app, ts := officerServer(t)
	byRef, byAmount, missing := dlReconcileFixture(t, app)

	form := ts.get(t, "/reconciliation")
	if form.status != http.StatusOK || !htmltest.Parse(t, form.body).Has(`main form[method="post"][enctype="multipart/form-data"] input[type="file"][name="file"]`) {
		t.Fatalf("form: status %d", form.status)
	}
	res := postReconciliation(t, ts, "q1-receipts.csv", dlFinanceFile, url.Values{
		"from-day": {"1"}, "from-month": {"4"}, "from-year": {"2024"},
		"to-day": {"30"}, "to-month": {"6"}, "to-year": {"2024"},
	})
	if res.status != http.StatusOK {
		t.Fatalf("status %d\n%s", res.status, excerpt(res.body))
	}
	result := htmltest.Parse(t, res.body)
	const (
		matched     = "main table:has(caption:contains('Finance rows matched to recorded payments'))"
		financeOnly = "main table:has(caption:contains('Finance rows with no recorded payment'))"
		ledgerOnly  = "main table:has(caption:contains('Recorded payments missing from the finance file'))"
	)
	for _, c := range []struct {
		table, name string
		links       []int64
		want        []string
	}{
		{matched, "matched", []int64{byRef, byAmount}, []string{"Finance has £200.00 more", "Reference", "Amount and date", "2 days apart"}},
		{financeOnly, "only in finance", nil, []string{"BACS-56", "£650.00", "Unknown payer", "20 June 2024"}},
		{ledgerOnly, "only in the ledger", []int64{missing}, []string{"INV-300", "£400.00"}},
	} {
		for _, id := range c.links {
			if !result.Has(fmt.Sprintf(`%s tbody a[href="/receipts/%d"]`, c.table, id)) {
				t.Errorf("%s table does not link receipt %d", c.name, id)
			}
		}
		for _, w := range c.want {
			if !result.HasText(c.table+" tbody tr > *", w) {
				t.Errorf("%s table lacks %q: %q", c.name, w, result.Rows(c.table+" tbody tr"))
			}
		}
	}
	if result.HasText(ledgerOnly, "INV-OLD") || result.HasText(financeOnly, "INV-100") {
		t.Error("a receipt outside the range or a matched row is reported as unmatched")
	}
	if got := result.Text("h1"); got != "q1-receipts.csv" {
		t.Errorf("the result is headed %q, not the file's name", got)
	}
	for key, want := range map[string]string{
		"Dates compared":                "1 April 2024 to 30 June 2024",
		"In finance, not in the ledger": "1 totalling £650.00",
		"In the ledger, not in finance": "1 totalling £400.00",
	} {
		if got := result.SummaryValue(key); got != want {
			t.Errorf("summary %s = %q, want %q", key, got, want)
		}
	}
	if got := result.SummaryValue("Matched"); !strings.HasSuffix(got, "(2 with differences to check)") {
		t.Errorf("summary Matched = %q", got)
	}

	var action, entity, file string
	if err := app.DB.Pool.QueryRow(context.Background(), `SELECT action, entity_type, after->>'file' FROM audit_events WHERE action = 'reconciliation.run'`).Scan(&action, &entity, &file); err != nil {
		t.Fatalf("no audit event: %v", err)
	}
	if entity != "reconciliation" || file != "q1-receipts.csv" {
		t.Errorf("audit event %s %s %s", action, entity, file)
	}
}

func TestReconciliationReportsBadRowsAndShowsNothingElse(t *testing.T) {
	t.Parallel()
	app, ts := officerServer(t)
	dlReconcileFixture(t, app)

	res := postReconciliation(t, ts, "broken.csv", "Transaction date,Value,Ref\n2024-04-03,1000,INV-100\n31/02/2024,5,X\n2024-04-05,abc,Y\n", nil)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d\n%s", res.status, excerpt(res.body))
	}
	broken := htmltest.Parse(t, res.body)
	if got := broken.Texts(`.govuk-error-summary__list a[href="#file"]`); len(got) != 3 ||
		got[0] != "broken.csv has 2 problems: correct the file and upload it again" ||
		got[1] != "Row 3, Transaction date: “31/02/2024” is not a real date" ||
		!strings.HasPrefix(got[2], "Row 4, Value: “abc” is not an amount of money") {
		t.Errorf("error summary %q", got)
	}
	if !broken.Has("input#file.govuk-file-upload--error") {
		t.Error("the file input is not shown in error")
	}
	if broken.Has("#matched") || broken.HasText("html", "INV-100") {
		t.Error("results shown for an invalid file")
	}

	// No file at all, and a range the wrong way round.
	res = postReconciliation(t, ts, "", "", url.Values{
		"from-day": {"30"}, "from-month": {"6"}, "from-year": {"2024"},
		"to-day": {"1"}, "to-month": {"4"}, "to-year": {"2024"},
	})
	noFile := htmltest.Parse(t, res.body)
	hasErr := func(prefix string) bool {
		return slices.ContainsFunc(noFile.ErrorSummary(), func(s string) bool { return strings.HasPrefix(s, prefix) })
	}
	if res.status != http.StatusUnprocessableEntity || !hasErr("Choose the CSV file of receipts") ||
		!hasErr("The end of the date range must be the same as or after the start") ||
		noFile.Attr(`input[name="from-day"]`, "value") != "30" {
		t.Errorf("no-file submission: status %d\n%s", res.status, excerpt(res.body))
	}
	var n int
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE action = 'reconciliation.run'`).Scan(&n)
	if n != 0 {
		t.Errorf("%d reconciliations audited for refused files", n)
	}
}

func TestViewerCannotReconcile(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)
	if res := ts.get(t, "/reconciliation"); res.status != http.StatusForbidden {
		t.Errorf("GET: status %d", res.status)
	}
	if res := postReconciliation(t, ts, "q1.csv", dlFinanceFile, nil); res.status != http.StatusForbidden {
		t.Errorf("POST: status %d", res.status)
	}
	var n int
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE entity_type = 'reconciliation'`).Scan(&n)
	if n != 0 {
		t.Error("a viewer's reconciliation was recorded")
	}
}

func TestDeadlinesAndReconciliationPagesAreAccessibleInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	seedDeadlines(t, app)
	dlReconcileFixture(t, app)
	ts := newTestServer(t, app)
	ctx := officerTab(t, ts, "olive@test.example")

	visitAndCheck(t, ctx, ts.URL+"/deadlines", "deadlines list")
	if dir := os.Getenv("S106_SCREENSHOT_DIR"); dir != "" {
		browsertest.Screenshot(t, ctx, filepath.Join(dir, "deadlines.png"))
	}
	visitAndCheck(t, ctx, ts.URL+"/deadlines?rag=red&purpose=education", "deadlines list filtered")
	visitAndCheck(t, ctx, ts.URL+"/deadlines?rag=purple", "deadlines list with a filter error")

	dir := t.TempDir()
	upload := func(name, content string) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/reconciliation"), chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{path})); err != nil {
			t.Fatal(err)
		}
	}
	visitAndCheck(t, ctx, ts.URL+"/reconciliation", "reconciliation form")

	// A file with a bad row is refused, naming the row.
	upload("broken.csv", "Date,Amount,Reference\n2024-04-03,abc,INV-100\n")
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[method=post] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	summary, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".govuk-error-summary")))
	if !strings.Contains(summary, "Row 2, Amount: “abc” is not an amount of money") {
		t.Fatalf("error summary %q", summary)
	}
	browsertest.CheckAccessibility(t, ctx, "reconciliation form with row errors")

	upload("q1-receipts.csv", dlFinanceFile)
	fill(t, ctx, map[string]string{"from": "1", "from-month": "4", "from-year": "2024", "to": "30", "to-month": "6", "to-year": "2024"})
	_, h1 := submitAndCheck(t, ctx, "reconciliation result")
	if h1 != "q1-receipts.csv" {
		t.Errorf("result heading %q", h1)
	}
	if dir := os.Getenv("S106_SCREENSHOT_DIR"); dir != "" {
		browsertest.Screenshot(t, ctx, filepath.Join(dir, "reconciliation.png"))
	}
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Finance has £200.00 more", "BACS-56", "INV-300"} {
		if !strings.Contains(text, want) {
			t.Errorf("result page lacks %q", want)
		}
	}
}
