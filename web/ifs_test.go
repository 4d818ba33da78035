package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/ifs"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/internal/users"
)

// ifsFixture is the worked example of the statement tests: four agreements
// signed across three financial years, and a ledger that runs from
// 31 March 2023 to May 2025.
type ifsFixture struct {
	o1, o2, o3, o4, o7, o8 int64 // money obligations
	p1, p2, p3, p4         int64 // Mill Lane Primary extension, Riverside park, Station Road junction, S106 monitoring
	reversedSpend          int64 // the mistaken P1 spend, reversed
}

func ifsDate(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func ifsMoney(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ifsPtr[T any](v T) *T { return &v }

// ifsAgreement records a development and a live agreement signed on signed.
func ifsAgreement(t *testing.T, app *Application, ref, signed string) (agreementID, developmentID int64) {
	t.Helper()
	a := appFixture(t, app).Agreement(fixture.Agreement{Reference: ref, Site: "Site of " + ref, Ward: "North Ward", Postcode: "WV1 1AA", Signed: signed})
	return a.ID, a.DevelopmentID
}

// ifsObligation records an obligation; base may be "" for none. extra
// names further fields as their columns ("units", "school_places,
// school_category"), with their values in args.
func ifsObligation(t *testing.T, app *Application, agreementID int64, kind, purpose, base string, extra string, args ...any) int64 {
	t.Helper()
	in := agreements.ObligationInput{Kind: kind, PurposeCode: purpose, Description: "Obligation for " + purpose}
	if base != "" {
		in.BaseAmount = ifsPtr(ifsMoney(base))
	}
	if extra != "" {
		for i, col := range strings.Split(extra, ", ") {
			switch col {
			case "maintenance_sum":
				in.MaintenanceSum = args[i].(bool)
			case "units":
				in.Units = ifsPtr(args[i].(int))
			case "school_places":
				in.SchoolPlaces = ifsPtr(args[i].(int))
			case "school_category":
				in.SchoolCategory = args[i].(string)
			case "works_description":
				in.WorksDescription = args[i].(string)
			case "open_space_m2":
				in.OpenSpaceM2 = ifsPtr(decimal.NewFromInt(int64(args[i].(int))))
			default:
				t.Fatalf("ifsObligation: no field for column %q", col)
			}
		}
	}
	return appFixture(t, app).Obligation(agreementID, fixture.Obligation{Input: &in}).ID
}

func ifsReceipt(t *testing.T, app *Application, date, total string, shares ...any) {
	t.Helper()
	in := ledger.ReceiptInput{ReceivedOn: ifsPtr(ifsDate(date)), Payer: "Harbour Homes plc", Total: ifsPtr(ifsMoney(total))}
	for i := 0; i < len(shares); i += 2 {
		in.Shares = append(in.Shares, ledger.ShareInput{Row: i/2 + 1, ObligationID: shares[i].(int64), Amount: ifsPtr(ifsMoney(shares[i+1].(string)))})
	}
	if _, err := app.Ledger.RecordReceipt(context.Background(), audit.Actor{Label: "test"}, in); err != nil {
		t.Fatalf("receipt %s: %v", date, err)
	}
}

func ifsProject(t *testing.T, app *Application, name, purpose string) int64 {
	t.Helper()
	p, err := app.Ledger.CreateProject(context.Background(), audit.Actor{Label: "test"}, ledger.ProjectInput{Name: name, PurposeCode: purpose, Status: "approved",
		DecisionDate: ifsPtr(ifsDate("2023-04-01")), DecisionMaker: "committee", DecisionBy: "Planning Committee", DecisionReference: "PC/2023/012"})
	if err != nil {
		t.Fatalf("project %s: %v", name, err)
	}
	return p.ID
}

func ifsAllocate(t *testing.T, app *Application, project, obligation int64, amount, date string) {
	t.Helper()
	if _, err := app.Ledger.AllocateToProject(context.Background(), audit.Actor{Label: "test"}, project, obligation, ifsMoney(amount), ifsDate(date), "IFS fixture", ""); err != nil {
		t.Fatalf("allocate %s on %s: %v", amount, date, err)
	}
}

func ifsSpend(t *testing.T, app *Application, project int64, amount, date string) int64 {
	t.Helper()
	es, err := app.Ledger.SpendOnProject(context.Background(), audit.Actor{Label: "test"}, project, ifsMoney(amount), ifsDate(date), "Certificate "+date, "")
	if err != nil {
		t.Fatalf("spend %s on %s: %v", amount, date, err)
	}
	return es[0].ID
}

// newIFSFixture records the worked example. Today is 1 June 2026.
//
// Agreements and obligations:
//
//	A1 22/S106/A signed  1 Jun 2022 (FY2022): o1 education £100,000; o2 open space £50,000, a maintenance sum
//	A2 24/S106/B signed  1 Apr 2024 (FY2024, its first day): o3 highways £50,000 (invoiced £52,000 on 1 Jun 2024);
//	   o4 monitoring fee £2,000; o5 affordable housing, 12 units; o7 education £80,000 with 30 primary school places
//	A3 25/S106/C signed 31 Mar 2025 (FY2024, its last day): o8 health £25,000
//	A4 25/S106/D signed  1 Apr 2025 (FY2025): o9 transport £70,000
//
// Projects: P1 Mill Lane Primary extension (education), P2 Riverside park
// maintenance (open space), P3 Station Road junction (highways, repays
// borrowing), P4 S106 monitoring (monitoring fees).
//
// Ledger:
//
//	31 Mar 2023  R1 £150,000 split: o1 £100,000 + o2 £50,000        (FY2022)
//	 1 May 2023  allocate o1 → P1 £60,000                           (FY2023)
//	15 Jan 2024  spend P1 £20,000 (from o1)                         (FY2023)
//	 1 Feb 2024  allocate o2 → P2 £10,000                           (FY2023)
//	 1 Apr 2024  R2 £60,000 split: o3 £52,000 + o4 £2,000 + o7 £6,000 (FY2024)
//	 2 Apr 2024  allocate o4 → P4 £2,000; spend P4 £2,000           (FY2024)
//	 1 May 2024  allocate o3 → P3 £40,000                           (FY2024)
//	 1 Jun 2024  allocate o1 → P1 £30,000                           (FY2024)
//	 1 Jul 2024  de-allocate o2 from P2 £4,000                      (FY2024)
//	 1 Sep 2024  spend P1 £50,000 (from o1)                         (FY2024)
//	 1 Oct 2024  return o7 £1,000 (+ £25.50 interest)               (FY2024)
//	 1 Nov 2024  spend P1 £5,000 — a mistake, reversed later        (never counts)
//	 1 Dec 2024  spend P3 £15,000 (from o3)                         (FY2024)
//	31 Mar 2025  R3 £25,000: o8                                     (FY2024, its last day)
//	 1 Apr 2025  R4 £74,000: o7                                     (FY2025, its first day)
//	 1 May 2025  spend P1 £10,000 (from o1)                         (FY2025)
//
// Every entry is recorded in 2026, after the years it is dated in.
func newIFSFixture(t *testing.T, app *Application) ifsFixture {
	t.Helper()
	ctx := context.Background()
	var f ifsFixture
	a1, _ := ifsAgreement(t, app, "22/S106/A", "2022-06-01")
	a2, d2 := ifsAgreement(t, app, "24/S106/B", "2024-04-01")
	a3, _ := ifsAgreement(t, app, "25/S106/C", "2025-03-31")
	a4, _ := ifsAgreement(t, app, "25/S106/D", "2025-04-01")
	f.o1 = ifsObligation(t, app, a1, "financial", "education", "100000", "")
	f.o2 = ifsObligation(t, app, a1, "financial", "open-space-and-leisure", "50000", "maintenance_sum", true)
	f.o3 = ifsObligation(t, app, a2, "financial", "highways", "50000", "")
	f.o4 = ifsObligation(t, app, a2, "monitoring-fee", "monitoring-fees", "2000", "")
	o5 := ifsObligation(t, app, a2, "affordable-housing", "affordable-housing", "", "units", 12)
	f.o7 = ifsObligation(t, app, a2, "financial", "education", "80000", "school_places, school_category", 30, "primary")
	f.o8 = ifsObligation(t, app, a3, "financial", "health", "25000", "")
	ifsObligation(t, app, a4, "financial", "transport-and-travel", "70000", "")

	// o3's invoice at its indexed amount (given as the amount: the index
	// calculation is the ledger's business, tested there).
	appFixture(t, app).TriggerMet(f.o3, "2024-05-20")
	appFixture(t, app).Invoice(f.o3, "2024-06-01", "52000")

	f.p1 = ifsProject(t, app, "Mill Lane Primary extension", "education")
	f.p2 = ifsProject(t, app, "Riverside park maintenance", "open-space-and-leisure")
	f.p3 = ifsProject(t, app, "Station Road junction", "highways")
	f.p4 = ifsProject(t, app, "S106 monitoring", "monitoring-fees")
	p2, p3, p4 := f.p2, f.p3, f.p4
	if _, err := app.DB.Pool.Exec(ctx, `UPDATE projects SET repays_borrowing = true WHERE id = $1`, p3); err != nil {
		t.Fatal(err)
	}

	ifsReceipt(t, app, "2023-03-31", "150000", f.o1, "100000", f.o2, "50000")
	ifsAllocate(t, app, f.p1, f.o1, "60000", "2023-05-01")
	ifsSpend(t, app, f.p1, "20000", "2024-01-15")
	ifsAllocate(t, app, p2, f.o2, "10000", "2024-02-01")
	ifsReceipt(t, app, "2024-04-01", "60000", f.o3, "52000", f.o4, "2000", f.o7, "6000")
	ifsAllocate(t, app, p4, f.o4, "2000", "2024-04-02")
	ifsSpend(t, app, p4, "2000", "2024-04-02")
	ifsAllocate(t, app, p3, f.o3, "40000", "2024-05-01")
	ifsAllocate(t, app, f.p1, f.o1, "30000", "2024-06-01")
	if _, err := app.Ledger.Deallocate(ctx, audit.Actor{Label: "test"}, p2, f.o2, ifsMoney("4000"), ifsDate("2024-07-01"), "Scheme reduced"); err != nil {
		t.Fatal(err)
	}
	ifsSpend(t, app, f.p1, "50000", "2024-09-01")
	if _, err := app.Ledger.RecordReturn(ctx, audit.Actor{Label: "test"}, f.o7, ledger.ReturnInput{Date: ifsPtr(ifsDate("2024-10-01")),
		Amount: ifsPtr(ifsMoney("1000")), Interest: ifsPtr(ifsMoney("25.50")), Reason: "Overpayment"}); err != nil {
		t.Fatal(err)
	}
	f.reversedSpend = ifsSpend(t, app, f.p1, "5000", "2024-11-01")
	if _, err := app.Ledger.Reverse(ctx, audit.Actor{Label: "test"}, f.o1, f.reversedSpend, "Entered against the wrong project"); err != nil {
		t.Fatal(err)
	}
	ifsSpend(t, app, p3, "15000", "2024-12-01")
	ifsReceipt(t, app, "2025-03-31", "25000", f.o8, "25000")
	ifsReceipt(t, app, "2025-04-01", "74000", f.o7, "74000")
	ifsSpend(t, app, f.p1, "10000", "2025-05-01")

	// Affordable homes of o5: one social-rent home completed in FY2024, one
	// shared-ownership home completed on 1 April 2025 (FY2025).
	fx := appFixture(t, app)
	for _, h := range []struct{ plot, tenure, uprn, completed string }{
		{"1", "social-rent", "100023336956", "2024-08-01"},
		{"2", "shared-ownership", "100023336957", "2025-04-01"},
	} {
		home := fx.Home(d2, fixture.Home{ObligationID: o5, Plot: h.plot, Tenure: h.tenure, UPRN: h.uprn})
		fx.HomeEvent(home.ID, homes.EventCompleted, h.completed)
	}
	return f
}

// ifsApp is an application whose clock says 1 June 2026.
func ifsApp(t *testing.T) *Application {
	t.Helper()
	app := newTestApp(t)
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	app.Now = func() time.Time { return now }
	return app
}

// The 2024/25 statement (1 April 2024 – 31 March 2025), every item
// computed by hand from the fixture. Per obligation, dated before
// 1 April 2025 (reversed entries left out):
//
//	o1 education: received before the year 100,000; spent 20,000 before + 50,000 in the year = 70,000;
//	   allocated (net) 60,000 + 30,000 = 90,000
//	o2 open space (maintenance sum): received before 50,000; allocated 10,000 − 4,000 = 6,000
//	o3 highways: received in the year 52,000; spent 15,000; allocated 40,000
//	o4 monitoring: received 2,000; spent 2,000; allocated 2,000
//	o7 education: received 6,000 in the year (74,000 on 1 April 2025 is next year); returned 1,000
//	o8 health: received 25,000 on 31 March 2025
//
// (a) agreements signed in the year: A2 (1 April 2024) and A3 (31 March 2025):
//
//	o3 at its invoice 52,000 + o4 2,000 + o7 80,000 + o8 25,000 = 159,000 (1 indexed, 3 at base)
//
// (b) 52,000 + 2,000 + 6,000 + 25,000 = 85,000
// (c) received before, less allocated and returned by the end, per obligation:
//
//	o1 100,000 − 90,000 = 10,000; o2 50,000 − 6,000 = 44,000; total 54,000
//
// (d) 12 affordable units (o5, no agreed mix: tenure not recorded). o7's
// 30 primary places are paid for by its £80,000: places attached to a
// money contribution are no non-monetary contribution, so none.
// (e) per obligation and project, the year's net allocation still unspent
// (spend draws on the oldest allocation first):
//
//	o1/P1: unspent 90,000 − 70,000 = 20,000, of the year's 30,000 → 20,000
//	o2/P2: the year's net allocation is −4,000 → 0
//	o3/P3: 40,000 − 15,000 = 25,000 → 25,000
//	o4/P4: 2,000 − 2,000 = 0 → 0
//	e = 20,000 + 25,000 = 45,000; all allocated and unspent = 20,000 + 6,000 + 25,000 + 0 = 51,000
//
// (f) 50,000 (P1) + 15,000 (P3) + 2,000 (P4) = 67,000 (the reversed 5,000 never counts)
// (g) P1 20,000; P3 25,000
// (h)(i) P1 50,000; (h)(ii) P3 15,000 (repays borrowing); (h)(iii) 2,000
// (i) received − spent − returned by the year end:
//
//	o1 100,000 − 70,000 = 30,000; o2 50,000; o3 52,000 − 15,000 = 37,000; o4 0; o7 6,000 − 1,000 = 5,000; o8 25,000
//	= 147,000, of which commuted sums (o2) 50,000
//
// The S106 projects at 31 March 2025 (each decided on 1 April 2023, before
// any of its money; entries after 31 March 2025 left out):
//
//	P1 allocated 90,000, spent 20,000 + 50,000 = 70,000 (the 1 May 2025 10,000 is next year's)
//	P3 allocated 40,000, spent 15,000; P4 allocated 2,000, spent 2,000; P2 allocated 6,000, spent 0
//
// Also: returned 1,000 with 25.50 interest; one social-rent home completed.
func ifsExpected2024(f ifsFixture) string {
	return fmt.Sprintf(`section,item,description,amount
s106-projects,project/%[1]d.allocated,"Mill Lane Primary extension (Education): allocated by decision, net, by 31 March 2025 (decided 1 April 2023 by committee, reference PC/2023/012)",90000.00
s106-projects,project/%[1]d.earmarked,Mill Lane Primary extension (Education): earmarked without a spending decision at 31 March 2025,0.00
s106-projects,project/%[1]d.spent,Mill Lane Primary extension (Education): spent by 31 March 2025,70000.00
s106-projects,project/%[3]d.allocated,"Station Road junction (Highways): allocated by decision, net, by 31 March 2025 (decided 1 April 2023 by committee, reference PC/2023/012)",40000.00
s106-projects,project/%[3]d.earmarked,Station Road junction (Highways): earmarked without a spending decision at 31 March 2025,0.00
s106-projects,project/%[3]d.spent,Station Road junction (Highways): spent by 31 March 2025,15000.00
s106-projects,project/%[4]d.allocated,"S106 monitoring (Monitoring fees): allocated by decision, net, by 31 March 2025 (decided 1 April 2023 by committee, reference PC/2023/012)",2000.00
s106-projects,project/%[4]d.earmarked,S106 monitoring (Monitoring fees): earmarked without a spending decision at 31 March 2025,0.00
s106-projects,project/%[4]d.spent,S106 monitoring (Monitoring fees): spent by 31 March 2025,2000.00
s106-projects,project/%[2]d.allocated,"Riverside park maintenance (Open space and leisure): allocated by decision, net, by 31 March 2025 (decided 1 April 2023 by committee, reference PC/2023/012)",6000.00
s106-projects,project/%[2]d.earmarked,Riverside park maintenance (Open space and leisure): earmarked without a spending decision at 31 March 2025,0.00
s106-projects,project/%[2]d.spent,Riverside park maintenance (Open space and leisure): spent by 31 March 2025,0.00
s106-report,a,"Money to be provided under planning obligations entered into during the year (1 at indexed invoiced amount, 3 at base amount, 0 with no amount)",159000.00
s106-report,b,Money received during the year,85000.00
s106-report,c,Money received before the year that had not been allocated by its end,54000.00
s106-report,d.affordable-housing-units,Affordable housing units to be provided under planning obligations entered into during the year,12
s106-report,d.affordable-housing-units/not-recorded,Affordable housing units: Tenure not recorded,12
s106-report,d.school-places,School places to be provided under planning obligations entered into during the year: none,0
s106-report,e,Money allocated during the year and not spent by its end,45000.00
s106-report,e.allocated-unspent-at-year-end,All money allocated and not spent at the end of the year,51000.00
s106-report,f,Money spent during the year (including money transferred to another body to spend),67000.00
s106-report,f.transferred,Of which transferred to another body to spend,0.00
s106-report,g/%[1]d,Mill Lane Primary extension,20000.00
s106-report,g/%[3]d,Station Road junction,25000.00
s106-report,h.i/%[1]d,Mill Lane Primary extension,50000.00
s106-report,h.ii/%[3]d,Station Road junction,15000.00
s106-report,h.iii,Money spent on monitoring in relation to planning obligations (monitoring fees),2000.00
s106-report,i,"Money retained at the end of the year (received in any year, not spent or returned)",147000.00
s106-report,i.commuted-sums,Of which commuted sums held for longer-term maintenance,50000.00
s106-also,returned,Money returned to developers during the year,1000.00
s106-also,returned.interest,Interest paid on money returned during the year,25.50
s106-also,homes-completed/social-rent,Affordable homes completed during the year: Social rent,1
`, f.p1, f.p2, f.p3, f.p4)
}

func TestIFSStatementMatchesTheWorkedFixture(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	f := newIFSFixture(t, app)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)

	res := ts.get(t, "/ifs/2024/statement.csv")
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", res.status, res.header.Get("Content-Type"))
	}
	if want := ifsExpected2024(f); res.body != want {
		t.Fatalf("statement CSV differs.\n got:\n%s\nwant:\n%s", res.body, want)
	}

	st, err := app.IFS.Build(context.Background(), 2024)
	if err != nil {
		t.Fatal(err)
	}
	// Also shown: returned 1,000 (interest 25.50); homes completed: one
	// social rent (the shared-ownership home completed on 1 April 2025).
	if !st.Returned.Equal(ifsMoney("1000")) || !st.ReturnedInterest.Equal(ifsMoney("25.50")) {
		t.Errorf("returned %s interest %s", st.Returned, st.ReturnedInterest)
	}
	if st.HomesTotal != 1 || len(st.HomesCompleted) != 1 || st.HomesCompleted[0].Tenure != "social-rent" {
		t.Errorf("homes completed %+v", st.HomesCompleted)
	}
	// Reconciliation, education (o1 + o7): start 100,000 − 20,000 = 80,000;
	// + 6,000 − 50,000 − 1,000 = 35,000 = o1 30,000 + o7 5,000.
	if !st.Reconciles() {
		t.Fatalf("the fixture should reconcile: %+v", st.Reconciliation)
	}
	var edu *ifs.ReconRow
	for i := range st.Reconciliation {
		if st.Reconciliation[i].Purpose == "education" {
			edu = &st.Reconciliation[i]
		}
	}
	if edu == nil || !edu.Start.Equal(ifsMoney("80000")) || !edu.End.Equal(ifsMoney("35000")) || !edu.Received.Equal(ifsMoney("6000")) {
		t.Fatalf("education reconciliation %+v", edu)
	}

	page := htmltest.Parse(t, ts.get(t, "/ifs/2024").body)
	for _, c := range [][2]string{
		{"main .app-ifs h1", "Infrastructure Funding Statement 2024 to 2025"},
		{"main .app-ifs .govuk-caption-l", "Test Vale Council"},
		{"main .app-ifs table td", "£159,000.00"},
		{"main .app-ifs table td", "£147,000.00"},
		{"main .app-ifs table:has(caption:contains('projects')) td", "Station Road junction"},
		{"main .app-ifs table:has(caption:contains('projects')) td span.govuk-body-s", "Repays borrowing"},
		{"main .app-ifs p strong", "Every purpose reconciles."},
		{"main .app-ifs table:has(caption:contains('Affordable homes')) tbody tr > *", "Social rent"},
		{"main .app-ifs p.govuk-body", "Data cut-off: 1 June 2026 at 11:00"},
		{"main .app-ifs-noprint p.govuk-body", "This statement has not been published."},
	} {
		if sel, want := c[0], c[1]; !page.HasText(sel, want) {
			t.Errorf("statement page lacks %q in %s", want, sel)
		}
	}
	if page.HasText("html", "Publish this statement") {
		t.Error("a viewer is offered the publish button")
	}
}

func TestIFSYearBoundaries(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	newIFSFixture(t, app)
	ctx := context.Background()
	items := func(year int) map[string]string {
		st, err := app.IFS.Build(ctx, year)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, r := range st.Rows() {
			m[r.Key] = r.Amount
		}
		return m
	}
	// 2022/23: R1 on 31 March 2023 is its last day → b 150,000; A1 signed
	// 1 June 2022 → a 100,000 + 50,000 = 150,000; retained 150,000.
	y22 := items(2022)
	// 2023/24: nothing received; spent 20,000 (P1, 15 January 2024);
	// (c) 150,000 received before, less allocated by 31 March 2024
	// (60,000 + 10,000) = 80,000; retained 150,000 − 20,000 = 130,000.
	y23 := items(2023)
	// 2025/26: R4 on 1 April 2025 is its first day → b 74,000; A4 signed
	// 1 April 2025 → a 70,000; spent 10,000 (P1).
	y25 := items(2025)
	for _, c := range []struct {
		year       string
		got        map[string]string
		key, wants string
	}{
		{"2022", y22, "b", "150000.00"}, {"2022", y22, "a", "150000.00"}, {"2022", y22, "i", "150000.00"}, {"2022", y22, "f", "0.00"},
		{"2023", y23, "b", "0.00"}, {"2023", y23, "f", "20000.00"}, {"2023", y23, "c", "80000.00"}, {"2023", y23, "i", "130000.00"}, {"2023", y23, "a", "0.00"},
		{"2025", y25, "b", "74000.00"}, {"2025", y25, "a", "70000.00"}, {"2025", y25, "f", "10000.00"},
	} {
		if c.got[c.key] != c.wants {
			t.Errorf("%s item %s = %q, want %q", c.year, c.key, c.got[c.key], c.wants)
		}
	}

	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)
	for path, want := range map[string]int{"/ifs/twenty": http.StatusBadRequest, "/ifs/1999": http.StatusNotFound, "/ifs/2027": http.StatusNotFound,
		"/ifs/2026": http.StatusOK, "/ifs/20245/statement.csv": http.StatusBadRequest} {
		if res := ts.get(t, path); res.status != want {
			t.Errorf("%s: %d, want %d", path, res.status, want)
		}
	}
	list := htmltest.Parse(t, ts.get(t, "/ifs").body)
	if !list.Has(`main table tbody a[href="/ifs/2026"]`) || !list.Has(`main table tbody a[href="/ifs/2022"]`) || !list.HasText("main table tbody .govuk-tag", "Not published") {
		t.Errorf("list of years %q", list.Rows("main table tbody tr"))
	}
}

func TestIFSPublishFreezesASnapshotAndShowsLaterChanges(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	f := newIFSFixture(t, app)
	addUser(t, app.DB, "manager@test.example", users.RoleManager)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	viewer := newTestServer(t, app)
	viewer.login(t, "viewer@test.example", testPassword)
	if res := viewer.post(t, "/ifs/2024/publish", url.Values{"csrf_token": {viewer.csrf(t, "/ifs/2024")}}); res.status != http.StatusForbidden {
		t.Fatalf("viewer publish: %d, want 403", res.status)
	}

	ts := newTestServer(t, app)
	ts.login(t, "manager@test.example", testPassword)
	if res := ts.do(t, ts.client, http.MethodPost, "/ifs/2024/publish", url.Values{"csrf_token": {"forged"}}); res.status != http.StatusForbidden {
		t.Fatalf("publish with a forged CSRF token: %d, want 403", res.status)
	}
	// Publishing is deliberate: the confirmation page shows what will be
	// frozen; without the box ticked nothing is published.
	confirm := htmltest.Parse(t, ts.get(t, "/ifs/2024/publish").body)
	if confirm.Text("h1") != "Check before you publish" || !confirm.Has(`form input[name="checksum"]`) || !confirm.HasText("main .app-ifs table td", "£147,000.00") {
		t.Errorf("confirmation page: heading %q", confirm.Text("h1"))
	}
	for _, want := range []string{"ifs-2024.csv", "developer-agreement-transaction.csv"} {
		if !confirm.HasText("main .govuk-summary-list__row:has(dt:containsOwn('Files')) dd", want) {
			t.Errorf("confirmation page's files lack %q", want)
		}
	}
	if !confirm.HasText("main .govuk-summary-list__row:has(dt:containsOwn('Projects reported as repaying borrowing, item (h)(ii)')) dd", "Station Road junction") {
		t.Error("confirmation page does not list the project repaying borrowing")
	}
	unticked := ifsPublishForm(t, ts, 2024)
	unticked.Del("confirm")
	if res := ts.post(t, "/ifs/2024/publish", unticked); res.status != http.StatusUnprocessableEntity ||
		!slices.Equal(htmltest.Parse(t, res.body).ErrorSummary(), []string{"Confirm that you have checked the statement and it is ready to publish"}) {
		t.Fatalf("unconfirmed publish: %d", res.status)
	}
	// A change after the manager checked refuses the publication.
	stale := ifsPublishForm(t, ts, 2024)
	stale.Set("checksum", strings.Repeat("0", 64))
	if res := ts.post(t, "/ifs/2024/publish", stale); res.status != http.StatusConflict || !htmltest.Parse(t, res.body).HasText(".govuk-error-summary__list a", "nothing was published") {
		t.Fatalf("stale publish: %d", res.status)
	}
	res := ts.post(t, "/ifs/2024/publish", ifsPublishForm(t, ts, 2024))
	if res.status != http.StatusSeeOther {
		t.Fatalf("publish: %d\n%s", res.status, excerpt(res.body))
	}
	page := htmltest.Parse(t, ts.get(t, "/ifs/2024").body)
	if !page.HasText(".govuk-notification-banner__heading", "was published") {
		t.Errorf("flash %q", page.Text(".govuk-notification-banner__heading"))
	}
	for sel, want := range map[string]string{
		"main .govuk-inset-text p":             "Published on",
		"main .govuk-inset-text li a":          "ifs-2024.csv",
		"main .app-ifs-noprint > p":            "No changes since publication",
		"main .app-ifs-noprint a.govuk-button": "Publish again",
	} {
		if !page.HasText(sel, want) {
			t.Errorf("published page lacks %q in %s", want, sel)

		}
	}
	frozen := ts.get(t, "/ifs/2024/published/ifs-2024.csv")
	if frozen.status != http.StatusOK || frozen.body != ifsExpected2024(f) {
		t.Fatalf("frozen csv: %d\n%s", frozen.status, frozen.body)
	}
	if html := ts.get(t, "/ifs/2024/published/ifs-2024.html"); html.status != http.StatusOK || !htmltest.Parse(t, html.body).HasText(".app-ifs table td", "£147,000.00") {
		t.Fatalf("frozen html: %d", html.status)
	}
	if res := ts.get(t, "/ifs/2024/published/nothing.csv"); res.status != http.StatusNotFound {
		t.Errorf("missing file: %d", res.status)
	}
	var audited int
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE action = 'ifs.publish' AND entity_id = '2024'`).Scan(&audited)
	if audited != 1 {
		t.Errorf("%d audit events for the publication", audited)
	}
	first, err := app.IFS.Latest(context.Background(), 2024)
	if err != nil || first == nil || len(first.Checksum) != 64 {
		t.Fatalf("latest: %+v %v", first, err)
	}
	// The snapshot freezes the data standard's three CSVs for the year too.
	wantFiles := []string{"developer-agreement-contribution.csv", "developer-agreement-transaction.csv", "developer-agreement.csv", "ifs-2024.csv", "ifs-2024.html"}
	if strings.Join(first.Files, " ") != strings.Join(wantFiles, " ") {
		t.Errorf("frozen files %v, want %v", first.Files, wantFiles)
	}
	std := ts.get(t, "/ifs/2024/published/developer-agreement.csv")
	if std.status != http.StatusOK || !strings.HasPrefix(std.body, "reference,name,developer-agreement-type") || !strings.Contains(std.body, "24/S106/B") || strings.Contains(std.body, "22/S106/A") {
		t.Errorf("frozen developer-agreement.csv: %d\n%s", std.status, std.body)
	}

	// A correction after publication: a receipt recorded now but dated
	// 1 March 2025 (in the year) for o8. b becomes 85,000 + 3,000 = 88,000,
	// i 147,000 + 3,000 = 150,000; the snapshot keeps 85,000 and 147,000.
	ifsReceipt(t, app, "2025-03-01", "3000", f.o8, "3000")
	frozen = ts.get(t, "/ifs/2024/published/ifs-2024.csv")
	if frozen.body != ifsExpected2024(f) {
		t.Fatal("the published CSV changed after a correction")
	}
	page = htmltest.Parse(t, ts.get(t, "/ifs/2024").body)
	if !page.HasText(".govuk-warning-text__text", "Changed since publication: 2 items") || page.Count("table#changes tbody tr") != 2 {
		t.Errorf("changed page: %q, %q", page.Text(".govuk-warning-text__text"), page.Rows("table#changes tbody tr"))
	}
	changes := page.Rows("table#changes tbody tr")
	for _, pair := range [][2]string{{"£85,000.00", "£88,000.00"}, {"£147,000.00", "£150,000.00"}} {
		if !slices.ContainsFunc(changes, func(r []string) bool { return len(r) == 4 && r[2] == pair[0] && r[3] == pair[1] }) {
			t.Errorf("changed page lacks %s published, %s now: %q", pair[0], pair[1], changes)
		}
	}
	pubs, err := app.IFS.Publications(context.Background())
	if err != nil || len(pubs) != 1 || pubs[0].Year != 2024 || pubs[0].Checksum != first.Checksum {
		t.Fatalf("publications %+v %v", pubs, err)
	}

	// Republishing makes a new snapshot with the new figures and a new
	// checksum; the old one is kept.
	res = ts.post(t, "/ifs/2024/publish", ifsPublishForm(t, ts, 2024))
	if res.status != http.StatusSeeOther {
		t.Fatalf("republish: %d\n%s", res.status, excerpt(res.body))
	}
	second, _ := app.IFS.Latest(context.Background(), 2024)
	if second.Checksum == first.Checksum || second.ID == first.ID {
		t.Fatal("republishing should make a new snapshot with a new checksum")
	}
	frozen = ts.get(t, "/ifs/2024/published/ifs-2024.csv")
	rows, _ := csv.NewReader(strings.NewReader(frozen.body)).ReadAll()
	var b []string
	for _, r := range rows {
		if r[1] == "b" {
			b = r
		}
	}
	if b == nil || b[3] != "88000.00" {
		t.Fatalf("republished csv %v", rows)
	}
	var kept int
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM ifs_publications WHERE year = 2024`).Scan(&kept)
	if kept != 2 {
		t.Errorf("%d publications kept, want 2", kept)
	}
}

func TestIFSReconciliationFailsOnATamperedLedgerAndPublishingIsRefused(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	f := newIFSFixture(t, app)
	ctx := context.Background()
	// Tamper: a spend of £40,000 against o8 (which holds £25,000) on
	// 1 March 2025, written with the balance check disabled. o8 then
	// holds 25,000 − 40,000 = −15,000 at the year end.
	// Only the tables' owner may switch a trigger off; the server's role
	// (app.DB) may not.
	owner := testdb.Open(t, testdb.As(t, app.DB.Pool.Config().ConnString(), testdb.Owner))
	tx, err := owner.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after commit
	// Deferred triggers (the data version's) would leave pending events
	// that ALTER TABLE refuses; run them as the statement ends instead.
	if _, err := tx.Exec(ctx, `SET CONSTRAINTS ALL IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_balance_check`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, project_id, evidence)
		VALUES ($1, 'spend', '2025-03-01', 40000, $2, 'tampered')`, f.o8, f.p1); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_balance_check`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	st, err := app.IFS.Build(ctx, 2024)
	if err != nil {
		t.Fatal(err)
	}
	// Health: start 0 + received 25,000 − spent 40,000 − returned 0 =
	// −15,000, but no money can be held below nothing: retained 0.
	if st.Reconciles() || len(st.Offending) != 1 || st.Offending[0].ObligationID != f.o8 || !st.Offending[0].HeldAtEnd.Equal(ifsMoney("-15000")) {
		t.Fatalf("tampered statement reconciles=%v offending=%+v", st.Reconciles(), st.Offending)
	}

	addUser(t, app.DB, "admin@test.example", users.RoleAdmin)
	ts := newTestServer(t, app)
	ts.login(t, "admin@test.example", testPassword)
	if confirm := htmltest.Parse(t, ts.get(t, "/ifs/2024/publish").body); confirm.Has("main form button[type='submit']:contains('Publish the statement')") ||
		!confirm.HasText("main > p.govuk-body, main p.govuk-body", "This statement does not reconcile and cannot be published") {
		t.Error("the confirmation page offers to publish a statement that does not reconcile")
	}
	res := ts.post(t, "/ifs/2024/publish", url.Values{"csrf_token": {ts.csrf(t, "/ifs/2024")}, "confirm": {"yes"}, "checksum": {strings.Repeat("0", 64)}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("publish of a tampered ledger: %d", res.status)
	}
	refusal := htmltest.Parse(t, res.body)
	if refusal.Text(".govuk-error-summary__title") != "This statement does not reconcile and cannot be published" ||
		!refusal.HasText(".govuk-error-summary__list a", "25/S106/C: ") ||
		!refusal.HasText(".app-ifs table:has(caption:contains('Reconciliation by purpose')) td", "Out by £15,000.00") {
		t.Errorf("refusal: %q, %q", refusal.Text(".govuk-error-summary__title"), refusal.ErrorSummary())
	}
	var n int
	_ = app.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM ifs_publications`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d publications after a refusal", n)
	}
}

func TestIFSMarkingAProjectAsRepayingBorrowingMovesItsSpendToHii(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	f := newIFSFixture(t, app)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	viewer := newTestServer(t, app)
	viewer.login(t, "viewer@test.example", testPassword)
	form := url.Values{"project": {ifsID(f.p1)}, "repays_borrowing": {"yes"}, "csrf_token": {viewer.csrf(t, "/ifs/2024")}}
	if res := viewer.post(t, "/ifs/2024/borrowing", form); res.status != http.StatusForbidden {
		t.Fatalf("viewer: %d, want 403", res.status)
	}

	ts := newTestServer(t, app)
	addUser(t, app.DB, "officer@test.example", users.RoleOfficer)
	ts.login(t, "officer@test.example", testPassword)
	res := ts.post(t, "/ifs/2024/borrowing", url.Values{"csrf_token": {ts.csrf(t, "/ifs/2024")}, "repays_borrowing": {"yes"}})
	if res.status != http.StatusUnprocessableEntity || !slices.Contains(htmltest.Parse(t, res.body).ErrorSummary(), "Choose the project") {

		t.Fatalf("no project: %d", res.status)
	}
	form.Set("csrf_token", ts.csrf(t, "/ifs/2024"))
	if res := ts.post(t, "/ifs/2024/borrowing", form); res.status != http.StatusSeeOther {
		t.Fatalf("mark: %d\n%s", res.status, excerpt(res.body))
	}
	// P1's 50,000 spent in 2024/25 is now reported under (h)(ii) beside
	// P3's 15,000, and (h)(i) is empty; f is still 67,000.
	csvRes := ts.get(t, "/ifs/2024/statement.csv")
	for _, want := range []string{"s106-report,h.ii/" + ifsID(f.p1) + ",Mill Lane Primary extension,50000.00\n", "s106-report,h.ii/" + ifsID(f.p3) + ",Station Road junction,15000.00\n", ",67000.00\n"} {
		if !strings.Contains(csvRes.body, want) {
			t.Errorf("CSV lacks %q", want)
		}
	}
	if strings.Contains(csvRes.body, "h.i/") {
		t.Errorf("h.i should be empty:\n%s", csvRes.body)
	}
	var n int
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE action = 'project.repays-borrowing' AND entity_id = $1`, ifsID(f.p1)).Scan(&n)
	if n != 1 {
		t.Errorf("%d audit events", n)
	}
}

func ifsID(id int64) string { return strconv.FormatInt(id, 10) }

var ifsChecksumField = regexp.MustCompile(`name="checksum" value="([0-9a-f]{64})"`)

// ifsPublishForm is the confirmation page's form, ticked: its CSRF token
// and the checksum of what the page showed.
func ifsPublishForm(t *testing.T, ts *testServer, year int) url.Values {
	t.Helper()
	path := "/ifs/" + strconv.Itoa(year) + "/publish"
	page := ts.get(t, path)
	m := ifsChecksumField.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("%s: no checksum on the confirmation page (%d)", path, page.status)
	}
	return url.Values{"csrf_token": {ts.csrf(t, path)}, "checksum": {m[1]}, "confirm": {"yes"}}
}
