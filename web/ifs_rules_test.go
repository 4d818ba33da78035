package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/datastandard"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/htmltest"
	"github.com/s106monitor/s106/internal/ifs"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
)

// Worked fixtures, one per rule of the statement, each with its figures
// worked out by hand from the words of CIL Regulations 2010 Schedule 2
// (as amended in 2019). Today is 1 June 2026 (ifsApp).

// ifsRows builds a year's statement and returns its rows by key.
func ifsRows(t *testing.T, app *Application, year int) (ifs.Statement, map[string]ifs.Row) {
	t.Helper()
	st, err := app.IFS.Build(context.Background(), year)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]ifs.Row{}
	for _, r := range st.Rows() {
		m[r.Key] = r
	}
	return st, m
}

// ifsWant checks rows' amounts; "absent" means no such row.
func ifsWant(t *testing.T, what string, rows map[string]ifs.Row, want map[string]string) {
	t.Helper()
	for key, amount := range want {
		r, ok := rows[key]
		switch {
		case amount == "absent" && ok:
			t.Errorf("%s: row %s should be absent, is %q", what, key, r.Amount)
		case amount != "absent" && !ok:
			t.Errorf("%s: no row %s", what, key)
		case amount != "absent" && r.Amount != amount:
			t.Errorf("%s: %s = %q, want %q", what, key, r.Amount, amount)
		}
	}
}

// ifsDecidedProject adds a project with its spending decision.
func ifsDecidedProject(t *testing.T, app *Application, name, purpose, decided string) int64 {
	t.Helper()
	p, err := app.Ledger.CreateProject(context.Background(), audit.Actor{Label: "test"}, ledger.ProjectInput{Name: name, PurposeCode: purpose,
		Status: "approved", DecisionDate: ifsPtr(ifsDate(decided)), DecisionMaker: "delegated-officer", DecisionReference: "DN/" + decided})
	if err != nil {
		t.Fatalf("project %s: %v", name, err)
	}
	return p.ID
}

// Rule 1. Schedule 2 paragraph 3 reports "planning obligations": those
// under section 106 (agreements, unilateral undertakings, deeds of
// variation). A highway agreement under section 278 of the Highways Act
// 1980 is in no item. Paragraph 4 allows a summary of highway agreements:
// an optional section, off by default.
//
//	25/S106/E signed 1 May 2025: o1 education £10,000, received 1 July 2025
//	25/S278/H signed 1 June 2025 (section 278): h1 highways commuted sum
//	£30,000, received 1 July 2025; allocated to London Road junction
//	(decided 1 May 2025) on 1 August 2025 and £12,000 spent on 1 September
//	2025; h2 works in kind: "Signalised junction at London Road"
//
// 2025/26 by hand: (a) 10,000 (h1 is not a planning obligation); (b)
// 10,000; (e) 0 and (g) none (the only allocation is h1's); (f) 0, (h)(i)
// none; (i) 10,000. With the section switched on: para 4(a) 25/S278/H
// £30,000 and its works; para 4(b) received 30,000, spent 12,000.
func TestIFSSection278AgreementIsInNoItemAndInTheOptionalSection(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	ctx := context.Background()
	a1, _ := ifsAgreement(t, app, "25/S106/E", "2025-05-01")
	h, _ := ifsAgreement(t, app, "25/S278/H", "2025-06-01")
	if _, err := app.DB.Pool.Exec(ctx, `UPDATE agreements SET agreement_type = 'section-278' WHERE id = $1`, h); err != nil {
		t.Fatal(err)
	}
	o1 := ifsObligation(t, app, a1, "financial", "education", "10000", "")
	h1 := ifsObligation(t, app, h, "financial", "highways", "30000", "")
	ifsObligation(t, app, h, "works-in-kind", "highways", "", "works_description", "Signalised junction at London Road")
	ifsReceipt(t, app, "2025-07-01", "10000", o1, "10000")
	ifsReceipt(t, app, "2025-07-01", "30000", h1, "30000")
	junction := ifsDecidedProject(t, app, "London Road junction", "highways", "2025-05-01")
	ifsAllocate(t, app, junction, h1, "30000", "2025-08-01")
	ifsSpend(t, app, junction, "12000", "2025-09-01")

	st, rows := ifsRows(t, app, 2025)
	ifsWant(t, "s278 off", rows, map[string]string{"a": "10000.00", "b": "10000.00", "e": "0.00", "f": "0.00", "i": "10000.00",
		"g/" + ifsID(junction): "absent", "h.i/" + ifsID(junction): "absent", "s278.b.received": "absent"})
	if st.S278 != nil || len(st.Reconciliation) != 1 || st.Reconciliation[0].Purpose != "education" {
		t.Errorf("s278 section %+v, reconciliation %+v", st.S278, st.Reconciliation)
	}

	app.IFS.IncludeS278 = true
	_, rows = ifsRows(t, app, 2025)
	ifsWant(t, "s278 on", rows, map[string]string{"a": "10000.00", "b": "10000.00", "f": "0.00", "i": "10000.00",
		"s278.a/" + ifsID(h): "30000.00", "s278.a/" + ifsID(h) + ".works/1": "", "s278.b.received": "30000.00", "s278.b.spent": "12000.00"})
	if got := rows["s278.a/"+ifsID(h)+".works/1"].Description; got != "25/S278/H: Highways: Signalised junction at London Road" {
		t.Errorf("works row %q", got)
	}
}

// Rule 2. Paragraph 3(d): "summary details of any non-monetary
// contributions to be provided under planning obligations which were
// entered into during the reported year, including details of— (i) in
// relation to affordable housing, the total number of units which will be
// provided; (ii) in relation to educational facilities, the number of
// school places for pupils which will be provided, and the category of
// school at which they will be provided".
//
//	25/S106/F signed 1 May 2025:
//	  affordable housing, 20 units; agreed mix 8 social rent, 4 shared
//	  ownership, 3 First Homes (5 not in the mix: tenure not recorded)
//	  works in kind: a new primary school, 210 places
//	  other: 60 sixth-form (post-16) places
//	  works in kind: public open space 4,000 m² (0.4 ha), laid out and transferred
//	  other (economic development): employment and skills plan, 10 apprenticeships
//	  financial £50,000 for 15 secondary places: paid for, so not non-monetary
//	  a restriction: provides nothing
//
// By hand: (d)(i) 20 = 8 + 4 + 3 + 5; (d)(ii) 270 = 210 primary + 60 post-16;
// two other in-kind contributions in words; (a) 50,000.
func TestIFSItemDSummarisesEveryNonMonetaryContribution(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	a, _ := ifsAgreement(t, app, "25/S106/F", "2025-05-01")
	aff := ifsObligation(t, app, a, "affordable-housing", "affordable-housing", "", "units", 20)
	// SQL on purpose: a schedule of 15 of the 20 homes, as older registers
	// hold and the mix form now refuses; the statement must count the other
	// 5 as "tenure not recorded".
	ctx := context.Background()
	if _, err := app.DB.Pool.Exec(ctx, `INSERT INTO affordable_mixes (obligation_id, affordable_homes) VALUES ($1, 20)`, aff); err != nil {
		t.Fatal(err)
	}
	for _, l := range []struct {
		tenure          string
		bedrooms, homes int
	}{{"social-rent", 2, 8}, {"shared-ownership", 2, 4}, {"first-homes", 3, 3}} {
		if _, err := app.DB.Pool.Exec(ctx, `INSERT INTO affordable_mix_lines (obligation_id, tenure, bedrooms, homes) VALUES ($1, $2, $3, $4)`,
			aff, l.tenure, l.bedrooms, l.homes); err != nil {
			t.Fatal(err)
		}
	}
	ifsObligation(t, app, a, "works-in-kind", "education", "", "school_places, school_category, works_description", 210, "primary", "New one-form-entry primary school")
	ifsObligation(t, app, a, "other", "education", "", "school_places, school_category", 60, "sixth-form")
	space := ifsObligation(t, app, a, "works-in-kind", "open-space-and-leisure", "", "open_space_m2, works_description", 4000, "Public open space laid out and transferred")
	skills := ifsObligation(t, app, a, "other", "economic-development", "", "works_description", "Employment and skills plan: 10 apprenticeships")
	ifsObligation(t, app, a, "financial", "education", "50000", "school_places, school_category", 15, "secondary")
	ifsObligation(t, app, a, "restriction", "other", "", "")

	_, rows := ifsRows(t, app, 2025)
	ifsWant(t, "(d)", rows, map[string]string{
		"a": "50000.00", "d.affordable-housing-units": "20", "d.affordable-housing-units/social-rent": "8",
		"d.affordable-housing-units/shared-ownership": "4", "d.affordable-housing-units/first-homes": "3",
		"d.affordable-housing-units/not-recorded": "5", "d.school-places": "270", "d.school-places/primary": "210",
		"d.school-places/sixth-form": "60", "d.school-places/secondary": "absent",
		"d.in-kind/" + ifsID(space): "", "d.in-kind/" + ifsID(skills): "",
	})
	if got := rows["d.in-kind/"+ifsID(space)].Description; got != "Open space and leisure: Public open space laid out and transferred (0.4 ha)" {
		t.Errorf("open space %q", got)
	}
	if got := rows["d.in-kind/"+ifsID(skills)].Description; got != "Economic development: Employment and skills plan: 10 apprenticeships" {
		t.Errorf("skills %q", got)
	}
	if got := rows["d.school-places"].Description; !strings.HasSuffix(got, ": 210 primary, 60 post-16") {
		t.Errorf("school places %q", got)
	}
}

// Rule 3. Paragraph 3(c) "money ... received before the reported year which
// has not been allocated by the authority", (e) "allocated but not spent
// during the reported year for funding infrastructure" and (g) "the items
// of infrastructure on which the money has been allocated". Money is
// allocated when the authority decides; set against a proposed project it
// is earmarked.
//
//	22/S106/G signed 1 June 2022: o education £100,000, received 10 January 2023 (2022/23)
//	Ashby school hall, proposed: £40,000 set against it on 1 June 2023 (2023/24): an earmark
//	decision recorded: 15 May 2024 (2024/25), delegated officer, DN/2024/77
//	spend £10,000 on 1 September 2024
//
// 2023/24 by hand: (c) 100,000 − 0 allocated = 100,000; (e) 0; no (g); the
// project holds £40,000 earmarked, £0 allocated.
// 2024/25: the £40,000 is allocated on 15 May 2024, in the year: (c)
// 100,000 − 40,000 = 60,000; (e) 40,000 allocated in the year, 30,000 of it
// unspent = 30,000; (g) Ashby 30,000; (f) 10,000.
func TestIFSEarmarkBecomesAllocatedOnTheDecisionDate(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	ctx := context.Background()
	actor := audit.Actor{Label: "test"}
	a, _ := ifsAgreement(t, app, "22/S106/G", "2022-06-01")
	o := ifsObligation(t, app, a, "financial", "education", "100000", "")
	ifsReceipt(t, app, "2023-01-10", "100000", o, "100000")
	p, err := app.Ledger.CreateProject(ctx, actor, ledger.ProjectInput{Name: "Ashby school hall", PurposeCode: "education", Status: "proposed"})
	if err != nil {
		t.Fatal(err)
	}
	ifsAllocate(t, app, p.ID, o, "40000", "2023-06-01")
	// No spend on money only earmarked.
	_, err = app.Ledger.SpendOnProject(ctx, actor, p.ID, ifsMoney("1000"), ifsDate("2023-07-01"), "INV-1", "")
	var ferrs *forms.Errors
	if !errors.As(err, &ferrs) || !strings.Contains(ferrs.Get("amount"), "Record the council's spending decision") {
		t.Fatalf("spend before a decision: %v", err)
	}

	st, rows := ifsRows(t, app, 2023)
	ifsWant(t, "2023/24", rows, map[string]string{"c": "100000.00", "e": "0.00", "e.allocated-unspent-at-year-end": "0.00",
		"g/" + ifsID(p.ID): "absent", "project/" + ifsID(p.ID) + ".allocated": "0.00", "project/" + ifsID(p.ID) + ".earmarked": "40000.00"})
	if len(st.Projects) != 1 || st.Projects[0].DecidedOn != nil {
		t.Errorf("2023/24 projects %+v", st.Projects)
	}
	// The earmark shows on the project and the dashboard, not as allocated.
	earmarks := func() (allocated, earmarked string) {
		d, err := app.dashboardService().Figures(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return d.Money.Allocated.StringFixed(2), d.Money.Earmarked.StringFixed(2)
	}
	if a, e := earmarks(); a != "0.00" || e != "40000.00" {
		t.Errorf("dashboard before the decision: allocated %s, earmarked %s", a, e)
	}
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	ts := newTestServer(t, app)
	ts.login(t, "viewer@test.example", testPassword)
	page := htmltest.Parse(t, ts.get(t, "/projects/"+ifsID(p.ID)).body)
	_, earmarked := page.SummaryRow("Earmarked (no spending decision yet)")
	_, allocated := page.SummaryRow("Allocated")
	if decision, _ := page.SummaryRow("Spending decision"); !earmarked || allocated || !strings.HasPrefix(decision, "Not recorded") {
		t.Errorf("the project page does not show the earmark (decision %q)", decision)
	}

	p, err = app.Ledger.GetProject(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Ledger.UpdateProject(ctx, actor, p.ID, p.Version, ledger.ProjectInput{Name: p.Name, PurposeCode: "education", Status: "approved",
		DecisionDate: ifsPtr(ifsDate("2024-05-15")), DecisionMaker: "delegated-officer", DecisionReference: "DN/2024/77"}); err != nil {
		t.Fatal(err)
	}
	// Spend dated before the decision is refused; after it, recorded.
	if _, err := app.Ledger.SpendOnProject(ctx, actor, p.ID, ifsMoney("1000"), ifsDate("2024-05-01"), "INV-2", ""); !errors.As(err, &ferrs) || ferrs.Get("date") == "" {
		t.Fatalf("spend before the decision date: %v", err)
	}
	ifsSpend(t, app, p.ID, "10000", "2024-09-01")
	if a, e := earmarks(); a != "30000.00" || e != "0.00" {
		t.Errorf("dashboard after the decision: allocated %s, earmarked %s", a, e)
	}
	page = htmltest.Parse(t, ts.get(t, "/projects/"+ifsID(p.ID)).body)
	_, earmarked = page.SummaryRow("Earmarked (no spending decision yet)")
	_, allocated = page.SummaryRow("Allocated")
	if decision, _ := page.SummaryRow("Spending decision"); !strings.HasSuffix(decision, ", reference DN/2024/77") || earmarked || !allocated {
		t.Errorf("the project page does not show the decision: %q", decision)
	}

	// 2023/24 is unchanged: the decision came after its end.
	_, rows = ifsRows(t, app, 2023)
	ifsWant(t, "2023/24 after the decision", rows, map[string]string{"c": "100000.00", "e": "0.00", "project/" + ifsID(p.ID) + ".earmarked": "40000.00"})
	_, rows = ifsRows(t, app, 2024)
	ifsWant(t, "2024/25", rows, map[string]string{"c": "60000.00", "e": "30000.00", "g/" + ifsID(p.ID): "30000.00", "f": "10000.00",
		"h.i/" + ifsID(p.ID): "10000.00", "project/" + ifsID(p.ID) + ".allocated": "40000.00", "project/" + ifsID(p.ID) + ".earmarked": "0.00",
		"project/" + ifsID(p.ID) + ".spent": "10000.00"})
	var audited int
	_ = app.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'project.update' AND entity_id = $1 AND after::text LIKE '%DN/2024/77%'`, ifsID(p.ID)).Scan(&audited)
	if audited != 1 {
		t.Errorf("the decision was audited %d times", audited)
	}
}

// Rule 4. (e) and (g) are money allocated "for funding infrastructure" and
// "the items of infrastructure"; monitoring is (h)(iii) "the amount of
// money ... spent in respect of monitoring (including reporting under
// regulation 121A) in relation to the delivery of planning obligations".
//
//	24/S106/M signed 1 June 2024: m monitoring fee £5,000 and o education
//	£20,000, both received 1 July 2024
//	Monitoring service (decided 1 April 2024): m's £5,000 allocated 1 August
//	2024, £1,500 spent 10 January 2025
//	Ashby classrooms (decided 1 April 2024): o's £20,000 allocated 1 August 2024
//
// 2024/25 by hand: (e) 20,000 (the monitoring service's unspent 3,500 is
// not infrastructure); (g) Ashby classrooms 20,000 only; (f) 1,500 =
// (h)(iii) 1,500; (i) 25,000 − 1,500 = 23,500.
func TestIFSMonitoringFeeIsInHiiiAndNotInG(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	a, _ := ifsAgreement(t, app, "24/S106/M", "2024-06-01")
	m := ifsObligation(t, app, a, "monitoring-fee", "monitoring-fees", "5000", "")
	o := ifsObligation(t, app, a, "financial", "education", "20000", "")
	ifsReceipt(t, app, "2024-07-01", "25000", m, "5000", o, "20000")
	service := ifsDecidedProject(t, app, "Monitoring service", "monitoring-fees", "2024-04-01")
	school := ifsDecidedProject(t, app, "Ashby classrooms", "education", "2024-04-01")
	ifsAllocate(t, app, service, m, "5000", "2024-08-01")
	ifsAllocate(t, app, school, o, "20000", "2024-08-01")
	ifsSpend(t, app, service, "1500", "2025-01-10")

	_, rows := ifsRows(t, app, 2024)
	ifsWant(t, "2024/25", rows, map[string]string{"e": "20000.00", "e.allocated-unspent-at-year-end": "20000.00",
		"g/" + ifsID(school): "20000.00", "g/" + ifsID(service): "absent", "h.i/" + ifsID(service): "absent",
		"f": "1500.00", "h.iii": "1500.00", "i": "23500.00"})
}

// Rule 5. Every figure is as at 31 March of the reported year: the
// projects section of a 2019/20 statement ignores entries dated later.
//
//	18/S106/P signed 1 June 2018: o education £50,000, received 1 May 2019
//	Mill Lane school (decided 1 June 2019): £30,000 allocated 1 July 2019,
//	£10,000 spent 1 February 2020; then £20,000 allocated and £15,000 spent
//	on 1 June 2025
//	Later scheme, added in 2026 and given money only in 2025/26
//
// 2019/20 by hand: Mill Lane allocated 30,000, spent 10,000 (not 50,000
// and 25,000); (f) 10,000; (e) 30,000 − 10,000 = 20,000; (g) Mill Lane
// 20,000; Later scheme is not on the 2019/20 list.
func TestIFS2019StatementIgnoresLaterEntriesInEverySection(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	a, _ := ifsAgreement(t, app, "18/S106/P", "2018-06-01")
	o := ifsObligation(t, app, a, "financial", "education", "50000", "")
	o2 := ifsObligation(t, app, a, "financial", "education", "5000", "")
	ifsReceipt(t, app, "2019-05-01", "50000", o, "50000")
	ifsReceipt(t, app, "2025-05-01", "5000", o2, "5000")
	mill := ifsDecidedProject(t, app, "Mill Lane school", "education", "2019-06-01")
	later := ifsDecidedProject(t, app, "Later scheme", "education", "2025-05-01")
	ifsAllocate(t, app, mill, o, "30000", "2019-07-01")
	ifsSpend(t, app, mill, "10000", "2020-02-01")
	ifsAllocate(t, app, mill, o, "20000", "2025-06-01")
	ifsSpend(t, app, mill, "15000", "2025-06-01")
	ifsAllocate(t, app, later, o2, "5000", "2025-06-01")

	st, rows := ifsRows(t, app, 2019)
	ifsWant(t, "2019/20", rows, map[string]string{
		"project/" + ifsID(mill) + ".allocated": "30000.00", "project/" + ifsID(mill) + ".spent": "10000.00",
		"project/" + ifsID(later) + ".allocated": "absent", "f": "10000.00", "e": "20000.00", "g/" + ifsID(mill): "20000.00"})
	if len(st.Projects) != 1 || !st.Projects[0].Remaining().Equal(ifsMoney("20000")) {
		t.Errorf("2019/20 projects %+v", st.Projects)
	}
	// Today's figures are different, which is the point.
	_, rows = ifsRows(t, app, 2025)
	ifsWant(t, "2025/26", rows, map[string]string{"project/" + ifsID(mill) + ".allocated": "50000.00", "project/" + ifsID(mill) + ".spent": "25000.00"})
}

// Rule 10. Overpayments are held, not secured: the part of a payment
// above what was invoiced is no money "received under planning
// obligations" (paragraph 3(b)) until it is assigned to one.
//
//	24/S106/S signed 1 April 2024: o1 education £10,000, invoiced £10,000
//	on 15 April 2024; o2 health £2,000, never invoiced
//	1 May 2024: £12,500 paid for o1: £10,000 secured, £2,500 held in suspense
//	a refund of £3,000 is refused (only £2,500 is held); £1,000 refunded 1 June 2024
//	10 April 2025: the remaining £1,500 assigned to o2 (a receipt of o2 that day)
//
// By hand: 2024/25 (b) 10,000 and (i) 10,000 (the £2,500 is in no item);
// 2025/26 (b) 1,500 (the assignment); suspense 2,500 − 1,000 − 1,500 = 0.
func TestIFSOverpaymentIsHeldInSuspenseThenRefundedAndAssigned(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	ctx := context.Background()
	actor := audit.Actor{Label: "test"}
	a, _ := ifsAgreement(t, app, "24/S106/S", "2024-04-01")
	o1 := ifsObligation(t, app, a, "financial", "education", "10000", "")
	o2 := ifsObligation(t, app, a, "financial", "health", "2000", "")
	appFixture(t, app).TriggerMet(o1, "2024-04-10")
	appFixture(t, app).Invoice(o1, "2024-04-15", "10000")
	in := ledger.ReceiptInput{ReceivedOn: ifsPtr(ifsDate("2024-05-01")), Payer: "Harbour Homes plc", Total: ifsPtr(ifsMoney("12500")),
		Shares: []ledger.ShareInput{{Row: 1, ObligationID: o1, Amount: ifsPtr(ifsMoney("12500"))}}}
	rec, err := app.Ledger.RecordReceipt(ctx, actor, in)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Held.Equal(ifsMoney("2500")) || len(rec.Shares) != 1 || !rec.Shares[0].Amount.Equal(ifsMoney("10000")) {
		t.Fatalf("receipt held %s, shares %+v", rec.Held, rec.Shares)
	}
	_, rows := ifsRows(t, app, 2024)
	ifsWant(t, "2024/25 held", rows, map[string]string{"b": "10000.00", "i": "10000.00"})

	// More than is held cannot be refunded, by the service or the database.
	var ferrs *forms.Errors
	err = app.Ledger.RefundSuspense(ctx, actor, rec.ID, ledger.SuspenseMove{Date: ifsPtr(ifsDate("2024-06-01")), Amount: ifsPtr(ifsMoney("3000")), Reason: "Asked for it back"})
	if !errors.As(err, &ferrs) || !strings.Contains(ferrs.Get("amount"), "Only £2,500.00") {
		t.Fatalf("refund of more than is held: %v", err)
	}
	// SQL on purpose: the database's own check, with Go bypassed.
	_, err = app.DB.Pool.Exec(ctx, `INSERT INTO suspense_entries (receipt_id, kind, entry_date, amount, reason) VALUES ($1, 'refund', '2024-06-01', 3000, 'raw')`, rec.ID)
	if !store.IsCheckViolation(err, "suspense_never_below_zero") {
		t.Fatalf("raw refund of more than is held: %v", err)
	}
	if err := app.Ledger.RefundSuspense(ctx, actor, rec.ID, ledger.SuspenseMove{Date: ifsPtr(ifsDate("2024-06-01")), Amount: ifsPtr(ifsMoney("1000")),
		Reference: "BACS 7781", Reason: "The developer asked for part of the overpayment back"}); err != nil {
		t.Fatal(err)
	}
	if err := app.Ledger.AssignSuspense(ctx, actor, rec.ID, ledger.SuspenseMove{ObligationID: o2, Date: ifsPtr(ifsDate("2025-04-10")),
		Amount: ifsPtr(ifsMoney("1500")), Reason: "The developer asked us to put the rest towards the health contribution"}); err != nil {
		t.Fatal(err)
	}
	_, rows = ifsRows(t, app, 2024)
	ifsWant(t, "2024/25 after", rows, map[string]string{"b": "10000.00", "i": "10000.00"})
	_, rows = ifsRows(t, app, 2025)
	ifsWant(t, "2025/26", rows, map[string]string{"b": "1500.00", "i": "11500.00"})
	items, err := app.Ledger.Suspense(ctx)
	if err != nil || len(items) != 1 || !items[0].Balance.IsZero() || len(items[0].Entries) != 3 {
		t.Fatalf("suspense %+v %v", items, err)
	}
	var drift int
	if err := app.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM derived_totals_drift`).Scan(&drift); err != nil || drift != 0 {
		t.Errorf("derived totals drift %d %v", drift, err)
	}
}

// Rule 11. Paragraph 3(f): money "spent by the authority (including
// transferring it to another person to spend)". A transfer is its own
// entry naming the recipient; it draws on allocated money as a spend does.
//
//	24/S106/T signed 1 April 2024: o health £30,000, received 1 May 2024
//	Ashby surgery extension (decided 1 April 2024): £30,000 allocated 1 June 2024;
//	£20,000 transferred to Wessex Vale NHS Trust (their ref WV-NHS-118) on 1 September 2024
//	a further £15,000 transfer is refused: only £10,000 is allocated and unspent
//
// By hand, 2024/25: (f) 20,000, of which transferred 20,000; (h)(i) Ashby
// surgery extension 20,000; (e) 30,000 − 20,000 = 10,000; (i) 10,000. The
// data standard reports the transfer as "transferred".
func TestIFSTransferToAnotherBodyCountsAsSpentInF(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	ctx := context.Background()
	actor := audit.Actor{Label: "test"}
	a, _ := ifsAgreement(t, app, "24/S106/T", "2024-04-01")
	o := ifsObligation(t, app, a, "financial", "health", "30000", "")
	ifsReceipt(t, app, "2024-05-01", "30000", o, "30000")
	p := ifsDecidedProject(t, app, "Ashby surgery extension", "health", "2024-04-01")
	ifsAllocate(t, app, p, o, "30000", "2024-06-01")
	trust := ledger.Transfer{To: "Wessex Vale NHS Trust", Reference: "WV-NHS-118"}
	if _, err := app.Ledger.TransferFromProject(ctx, actor, p, ifsMoney("20000"), ifsDate("2024-09-01"), "Transfer agreement TA-7", "", trust); err != nil {
		t.Fatal(err)
	}
	_, err := app.Ledger.TransferFromProject(ctx, actor, p, ifsMoney("15000"), ifsDate("2024-10-01"), "Transfer agreement TA-8", "", trust)
	var ferrs *forms.Errors
	if !errors.As(err, &ferrs) || !strings.Contains(ferrs.Get("amount"), "Only £10,000.00") {
		t.Fatalf("transfer of more than is allocated: %v", err)
	}
	// The database refuses it too (SQL on purpose, Go bypassed): a
	// transfer is a spend.
	_, err = app.DB.Pool.Exec(ctx, `INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, project_id, evidence, transfer_to)
		VALUES ($1, 'spend', '2024-10-01', 15000, $2, 'raw', 'Wessex Vale NHS Trust')`, o, p)
	if !store.IsCheckViolation(err, "ledger_spent_within_allocated") {
		t.Fatalf("raw transfer of more than is allocated: %v", err)
	}
	_, rows := ifsRows(t, app, 2024)
	ifsWant(t, "2024/25", rows, map[string]string{"f": "20000.00", "f.transferred": "20000.00", "h.i/" + ifsID(p): "20000.00",
		"e": "10000.00", "i": "10000.00"})
	year := 2024
	files, err := datastandard.Export(ctx, app.DB.Pool, datastandard.Options{Organisation: "local-authority:TST", Year: &year})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Name == datastandard.TransactionFile && !strings.Contains(string(f.Data), "Transferred to Wessex Vale NHS Trust for Ashby surgery extension,24/S106/T/"+ifsID(o)+",transferred,20000.00") {
			t.Errorf("transactions lack the transfer:\n%s", f.Data)
		}
	}
}

// Rule 6. Regulation 121A(1)(a)'s infrastructure list is kept by the
// council, item by item, and each statement publishes it as it stood in its
// year: not the list of S106 projects.
//
//	Ashby Road junction (highways) added to the list from 2020/21; removed
//	from 2026/27 (the current year on 1 June 2026)
//
// By hand: on the 2020/21 and 2025/26 lists; not on 2019/20's or 2026/27's.
func TestIFSInfrastructureListIsTheCouncilsAsItStoodInTheYear(t *testing.T) {
	t.Parallel()
	app := ifsApp(t)
	addUser(t, app.DB, "manager@test.example", users.RoleManager)
	addUser(t, app.DB, "viewer@test.example", users.RoleViewer)
	viewer := newTestServer(t, app)
	viewer.login(t, "viewer@test.example", testPassword)
	form := url.Values{"name": {"Ashby Road junction"}, "purpose": {"highways"}, "added_year": {"2020"}}
	form.Set("csrf_token", viewer.csrf(t, "/ifs/infrastructure-list"))
	if res := viewer.post(t, "/ifs/infrastructure-list", form); res.status != http.StatusForbidden {
		t.Fatalf("viewer add: %d", res.status)
	}
	ts := newTestServer(t, app)
	ts.login(t, "manager@test.example", testPassword)
	bad := url.Values{"name": {""}, "purpose": {"highways"}, "added_year": {"2020"}, "csrf_token": {ts.csrf(t, "/ifs/infrastructure-list")}}
	if res := ts.post(t, "/ifs/infrastructure-list", bad); res.status != http.StatusUnprocessableEntity ||
		htmltest.Parse(t, res.body).ErrorLinks()["#name"] != "Enter the infrastructure project or type" {
		t.Fatalf("empty name: %d", res.status)
	}
	form.Set("csrf_token", ts.csrf(t, "/ifs/infrastructure-list"))
	if res := ts.post(t, "/ifs/infrastructure-list", form); res.status != http.StatusSeeOther {
		t.Fatalf("add: %d\n%s", res.status, excerpt(res.body))
	}
	items, err := app.IFS.InfrastructureList(context.Background())
	if err != nil || len(items) != 1 {
		t.Fatalf("list %+v %v", items, err)
	}
	key := "list/" + ifsID(items[0].ID)
	res := ts.post(t, "/ifs/infrastructure-list/"+ifsID(items[0].ID)+"/remove", url.Values{"csrf_token": {ts.csrf(t, "/ifs/infrastructure-list")}, "version": {"1"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("remove: %d\n%s", res.status, excerpt(res.body))
	}
	for year, want := range map[int]string{2019: "absent", 2020: "", 2025: "", 2026: "absent"} {
		_, rows := ifsRows(t, app, year)
		ifsWant(t, fy.Year(year).Label(), rows, map[string]string{key: want})
	}
	csvRes := ts.get(t, "/ifs/2020/statement.csv")
	if !strings.Contains(csvRes.body, "infrastructure-list,"+key+",\"Ashby Road junction (Highways), on the list since 2020 to 2021\",\n") {
		t.Errorf("CSV lacks the list:\n%s", csvRes.body)
	}
	var audited int
	_ = app.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE action LIKE 'infrastructure-list.%'`).Scan(&audited)
	if audited != 2 {
		t.Errorf("%d audit events", audited)
	}
}
