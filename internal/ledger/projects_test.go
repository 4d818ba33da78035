package ledger

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

var pjActor = audit.Actor{Label: "test officer"}

// pjToday is the fixed "today" of these tests.
var pjToday = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// pjFixture is a fresh database with one development and agreement, ready
// for obligations, payments and projects.
type pjFixture struct {
	t           *testing.T
	ctx         context.Context
	svc         *Service
	register    *agreements.Service
	agreementID int64
}

func newPJFixture(t *testing.T) *pjFixture {
	t.Helper()
	db := testdb.New(t)
	now := pjToday.Add(12 * time.Hour)
	f := &pjFixture{t: t, ctx: context.Background(), svc: &Service{DB: db, Now: func() time.Time { return now }}}
	f.register = &agreements.Service{DB: db, Now: f.svc.Now}
	dev, err := f.register.RecordDevelopment(f.ctx, pjActor, agreements.DevelopmentInput{Name: "Mill Lane", Ward: "North Ward"})
	if err != nil {
		t.Fatal(err)
	}
	signed := time.Date(2019, 11, 14, 0, 0, 0, 0, time.UTC)
	ag, err := f.register.RecordAgreement(f.ctx, pjActor, agreements.AgreementInput{Reference: "19/00412/S106", DevelopmentID: dev.ID,
		Type: string(agreements.TypeS106), Status: string(agreements.StatusLive), DateSigned: &signed})
	if err != nil {
		t.Fatal(err)
	}
	f.agreementID = ag.ID
	return f
}

// obligation adds an obligation; spendBy 0 means no spend-by period.
func (f *pjFixture) obligation(kind, purpose, clause string, spendBy int) int64 {
	f.t.Helper()
	in := agreements.ObligationInput{Kind: kind, PurposeCode: purpose, ClauseRef: clause, Description: "Pay a contribution"}
	if spendBy > 0 {
		in.SpendByMonths = &spendBy
	}
	o, err := f.register.RecordObligation(f.ctx, pjActor, f.agreementID, in)
	if err != nil {
		f.t.Fatalf("obligation %s: %v", clause, err)
	}
	return o.ID
}

// receive records a payment wholly for one obligation through the service.
func (f *pjFixture) receive(obligationID int64, on time.Time, amount string) {
	f.t.Helper()
	total := pjD(amount)
	if _, err := f.svc.RecordReceipt(f.ctx, pjActor, ReceiptInput{ReceivedOn: &on, Payer: "Harbour Homes plc", Total: &total,
		Shares: []ShareInput{{Row: 1, ObligationID: obligationID, Amount: &total}}}); err != nil {
		f.t.Fatalf("receive %s: %v", amount, err)
	}
}

// pjDecided is the fixture projects' spending decision: before any money.
var pjDecided = time.Date(2020, 1, 6, 0, 0, 0, 0, time.UTC)

func (f *pjFixture) project(name, purpose string) Project {
	f.t.Helper()
	p, err := f.svc.CreateProject(f.ctx, pjActor, ProjectInput{Name: name, PurposeCode: purpose, Status: "approved", ServiceArea: "Education",
		DecisionDate: &pjDecided, DecisionMaker: "committee", DecisionReference: "PC/2020/001"})
	if err != nil {
		f.t.Fatalf("create project %s: %v", name, err)
	}
	return p
}

func (f *pjFixture) allocate(projectID, obligationID int64, amount string, on time.Time) {
	f.t.Helper()
	f.allocateWith(projectID, obligationID, amount, on, "")
}

// allocateWith allocates with a reason for spending outside the purpose.
func (f *pjFixture) allocateWith(projectID, obligationID int64, amount string, on time.Time, override string) {
	f.t.Helper()
	if _, err := f.svc.AllocateToProject(f.ctx, pjActor, projectID, obligationID, pjD(amount), on, "", override); err != nil {
		f.t.Fatalf("allocate %s: %v", amount, err)
	}
}

func (f *pjFixture) balances(obligationID int64) Balances {
	f.t.Helper()
	b, err := balancesOf(f.ctx, f.svc.DB.Pool, obligationID)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

func (f *pjFixture) status(obligationID int64) string {
	f.t.Helper()
	var s string
	if err := f.svc.DB.Pool.QueryRow(f.ctx, `SELECT status FROM obligation_status WHERE obligation_id = $1`, obligationID).Scan(&s); err != nil {
		f.t.Fatal(err)
	}
	return s
}

func (f *pjFixture) auditSummaries(entity string, id int64) string {
	f.t.Helper()
	events, err := audit.ForEntity(f.ctx, f.svc.DB.Pool, entity, strconv.FormatInt(id, 10), 50)
	if err != nil {
		f.t.Fatal(err)
	}
	var s []string
	for _, e := range events {
		s = append(s, e.Action+": "+e.Summary)
	}
	return strings.Join(s, "\n")
}

func pjD(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func pjDate(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// fieldError returns the message err carries for field ("" if none).
func pjFieldError(t *testing.T, err error, field string) string {
	t.Helper()
	var errs *forms.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want a validation error on %s, got %v", field, err)
	}
	return errs.Get(field)
}

// pjConstraint is the name of the database constraint err reports.
func pjConstraint(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.ConstraintName
	}
	return ""
}

func TestAllocationHeadroomIsTheLowestRunningBalanceFromTheDateOn(t *testing.T) {
	t.Parallel()
	moves := []dayMove{
		{pjDate(2024, 1, 10), pjD("1000")}, // received
		{pjDate(2024, 3, 1), pjD("-600")},  // allocated
		{pjDate(2024, 6, 1), pjD("500")},   // received again
		{pjDate(2024, 6, 1), pjD("-800")},  // allocated the same day
	}
	cases := []struct {
		from time.Time
		want string
	}{
		{pjDate(2024, 1, 1), "0"},    // before anything was received
		{pjDate(2024, 1, 10), "100"}, // 1000 then, but only 100 left after 1 June
		{pjDate(2024, 4, 1), "100"},
		{pjDate(2024, 6, 1), "100"},
		{pjDate(2025, 1, 1), "100"},
	}
	for _, c := range cases {
		if got := headroomFrom(moves, c.from); !got.Equal(pjD(c.want)) {
			t.Errorf("headroom from %s = %s, want %s", c.from.Format("2006-01-02"), got, c.want)
		}
	}
	if got := headroomFrom(nil, pjToday); !got.IsZero() {
		t.Errorf("no entries: %s", got)
	}
}

func TestProjectNeedsNamePurposeAndStatusAndAUniqueName(t *testing.T) {
	t.Parallel()
	f := newPJFixture(t)
	_, err := f.svc.CreateProject(f.ctx, pjActor, ProjectInput{Name: "  ", Status: ""})
	for field, want := range map[string]string{"name": "Enter the project name", "purpose": "Select the purpose the project's money is for", "status": "Select the project's status"} {
		if got := pjFieldError(t, err, field); got != want {
			t.Errorf("%s: %q, want %q", field, got, want)
		}
	}
	_, err = f.svc.CreateProject(f.ctx, pjActor, ProjectInput{Name: "School", PurposeCode: "schools", Status: "finished"})
	if got := pjFieldError(t, err, "purpose"); got != "Select a purpose from the list" {
		t.Errorf("unknown purpose: %q", got)
	}
	if got := pjFieldError(t, err, "status"); got != "Select a status from the list" {
		t.Errorf("unknown status: %q", got)
	}

	due := pjDate(2027, 9, 1)
	p, err := f.svc.CreateProject(f.ctx, pjActor, ProjectInput{Name: "  Ashford Primary   expansion ", Description: "Two new classrooms",
		ServiceArea: "Education", PurposeCode: "education", ExpectedSpendDate: &due, Status: "proposed"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Ashford Primary expansion" || p.PurposeName != "Education" || p.Version != 1 || !p.ExpectedSpendDate.Equal(due) {
		t.Errorf("created %+v", p)
	}
	_, err = f.svc.CreateProject(f.ctx, pjActor, ProjectInput{Name: "ASHFORD PRIMARY EXPANSION", PurposeCode: "education", Status: "proposed"})
	if got := pjFieldError(t, err, "name"); !strings.Contains(got, "There is already a project called Ashford Primary expansion") {
		t.Errorf("duplicate name: %q", got)
	}
	if got := f.auditSummaries(EntityProject, p.ID); !strings.Contains(got, "project.create: Added project Ashford Primary expansion") {
		t.Errorf("audit: %s", got)
	}
}

func TestProjectEditUsesOptimisticLockingAndIsAudited(t *testing.T) {
	t.Parallel()
	f := newPJFixture(t)
	p := f.project("Ashford Primary expansion", "education")
	in := ProjectInput{Name: p.Name, Description: "Now four classrooms", ServiceArea: "Education", PurposeCode: "education", Status: "in-progress",
		DecisionDate: p.DecisionDate, DecisionMaker: string(p.DecisionMaker), DecisionReference: p.DecisionReference}
	updated, err := f.svc.UpdateProject(f.ctx, pjActor, p.ID, p.Version, in)
	if err != nil {
		t.Fatal(err)
	}
	if updated.Version != p.Version+1 || updated.Status != ProjectInProgress || updated.Description != "Now four classrooms" {
		t.Errorf("updated %+v", updated)
	}
	// A second officer still holding the first version is refused.
	in.Description = "Stale edit"
	if _, err := f.svc.UpdateProject(f.ctx, pjActor, p.ID, p.Version, in); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale version: %v, want conflict", err)
	}
	if _, err := f.svc.UpdateProject(f.ctx, pjActor, 999999, 1, in); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing project: %v", err)
	}
	got, _ := f.svc.GetProject(f.ctx, p.ID)
	if got.Description != "Now four classrooms" {
		t.Errorf("the stale edit was saved: %q", got.Description)
	}
	events, _ := audit.ForEntity(f.ctx, f.svc.DB.Pool, EntityProject, strconv.FormatInt(p.ID, 10), 10)
	if len(events) != 2 || events[0].Action != "project.update" {
		t.Fatalf("audit events %+v", events)
	}
	changes := map[string]string{}
	for _, c := range events[0].Changes() {
		changes[c.Field] = c.Before + " → " + c.After
	}
	if changes["status"] != "Approved → In progress" || changes["description"] != " → Now four classrooms" {
		t.Errorf("changes %v", changes)
	}
}

func TestProjectHoldingMoneyCannotBeCancelled(t *testing.T) {
	t.Parallel()
	f := newPJFixture(t)
	ob := f.obligation("financial", "education", "3.1", 120)
	f.receive(ob, pjDate(2025, 1, 10), "1000")
	p := f.project("Ashford Primary expansion", "education")
	f.allocate(p.ID, ob, "400", pjDate(2025, 2, 1))
	_, err := f.svc.UpdateProject(f.ctx, pjActor, p.ID, p.Version, ProjectInput{Name: p.Name, PurposeCode: "education", Status: "cancelled"})
	if got := pjFieldError(t, err, "status"); !strings.Contains(got, "£400.00 allocated and unspent") {
		t.Errorf("cancel with money: %q", got)
	}
	if _, err := f.svc.Deallocate(f.ctx, pjActor, p.ID, ob, pjD("400"), pjDate(2025, 3, 1), "Project dropped"); err != nil {
		t.Fatal(err)
	}
	cancelled, err := f.svc.UpdateProject(f.ctx, pjActor, p.ID, p.Version, ProjectInput{Name: p.Name, PurposeCode: "education", Status: "cancelled"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.AllocateToProject(f.ctx, pjActor, cancelled.ID, ob, pjD("10"), pjToday, "", "")
	if got := pjFieldError(t, err, "obligation"); !strings.Contains(got, "cancelled") {
		t.Errorf("allocate to cancelled project: %q", got)
	}
}

func TestAllocationCannotExceedUnallocatedMoney(t *testing.T) {
	t.Parallel()
	f := newPJFixture(t)
	ob := f.obligation("financial", "education", "3.1", 120)
	f.receive(ob, pjDate(2025, 1, 10), "1000")
	school := f.project("Ashford Primary expansion", "education")
	nursery := f.project("Ashford nursery", "education")

	_, err := f.svc.AllocateToProject(f.ctx, pjActor, school.ID, ob, pjD("1200"), pjToday, "", "")
	if got := pjFieldError(t, err, "amount"); got != "Only £1,000.00 of this obligation's money is unallocated" {
		t.Errorf("too much: %q", got)
	}
	if b := f.balances(ob); !b.Allocated.IsZero() {
		t.Fatalf("refused allocation recorded: %+v", b)
	}

	e, err := f.svc.AllocateToProject(f.ctx, pjActor, school.ID, ob, pjD("400"), pjDate(2025, 2, 1), "Cabinet decision 12/2025", "")
	if err != nil {
		t.Fatal(err)
	}
	if e.ID == 0 || e.Kind != KindAllocation || *e.ProjectID != school.ID {
		t.Errorf("entry %+v", e)
	}
	if b := f.balances(ob); !b.Allocated.Equal(pjD("400")) {
		t.Errorf("allocated %s", b.Allocated)
	}
	if s := f.status(ob); s != "allocated" {
		t.Errorf("obligation status %q, want allocated", s)
	}
	got, _ := f.svc.GetProject(f.ctx, school.ID)
	if !got.Allocated.Equal(pjD("400")) || !got.Unspent().Equal(pjD("400")) {
		t.Errorf("project totals %+v", got)
	}

	// Another project can have only what is left.
	_, err = f.svc.AllocateToProject(f.ctx, pjActor, nursery.ID, ob, pjD("600.01"), pjToday, "", "")
	if got := pjFieldError(t, err, "amount"); got != "Only £600.00 of this obligation's money is unallocated" {
		t.Errorf("second project: %q", got)
	}
	f.allocate(nursery.ID, ob, "600", pjToday)
	_, err = f.svc.AllocateToProject(f.ctx, pjActor, nursery.ID, ob, pjD("0.01"), pjToday, "", "")
	if got := pjFieldError(t, err, "amount"); !strings.HasPrefix(got, "None of this obligation's money is unallocated") {
		t.Errorf("nothing left: %q", got)
	}

	for _, want := range []string{"project.allocate: Allocated £400.00 of 19/00412/S106 Education (clause 3.1) to project Ashford Primary expansion on 1 February 2025"} {
		if got := f.auditSummaries(EntityProject, school.ID); !strings.Contains(got, want) {
			t.Errorf("project audit lacks %q:\n%s", want, got)
		}
	}
	if got := f.auditSummaries("obligation", ob); !strings.Contains(got, "ledger.allocation: Allocated £600.00") {
		t.Errorf("obligation audit:\n%s", got)
	}
}

func TestAllocationChecksDateObligationAndAmount(t *testing.T) {
	t.Parallel()
	f := newPJFixture(t)
	ob := f.obligation("financial", "education", "3.1", 120)
	housing := f.obligation("affordable-housing", "affordable-housing", "Sch 1", 0)
	f.receive(ob, pjDate(2025, 1, 10), "1000")
	p := f.project("Ashford Primary expansion", "education")

	_, err := f.svc.AllocateToProject(f.ctx, pjActor, p.ID, ob, pjD("100"), pjToday.AddDate(0, 0, 1), "", "")
	if got := pjFieldError(t, err, "date"); got != "Date allocated must be today or in the past" {
		t.Errorf("future date: %q", got)
	}
	_, err = f.svc.AllocateToProject(f.ctx, pjActor, p.ID, ob, pjD("-5"), pjToday, "", "")
	if got := pjFieldError(t, err, "amount"); got != "Amount must be more than £0" {
		t.Errorf("negative: %q", got)
	}
	_, err = f.svc.AllocateToProject(f.ctx, pjActor, p.ID, 0, pjD("5"), pjToday, "", "")
	if got := pjFieldError(t, err, "obligation"); got != "Select the obligation whose money to allocate" {
		t.Errorf("no obligation: %q", got)
	}
	_, err = f.svc.AllocateToProject(f.ctx, pjActor, p.ID, 987654, pjD("5"), pjToday, "", "")
	if got := pjFieldError(t, err, "obligation"); got != "Select an obligation from the list" {
		t.Errorf("missing obligation: %q", got)
	}
	_, err = f.svc.AllocateToProject(f.ctx, pjActor, p.ID, housing, pjD("5"), pjToday, "", "")
	if got := pjFieldError(t, err, "obligation"); !strings.HasPrefix(got, "Only money can be allocated") {
		t.Errorf("non-monetary: %q", got)
	}
	// Before the money arrived there was nothing to allocate.
	_, err = f.svc.AllocateToProject(f.ctx, pjActor, p.ID, ob, pjD("5"), pjDate(2025, 1, 9), "", "")
	if got := pjFieldError(t, err, "amount"); !strings.HasPrefix(got, "None of this obligation's money is unallocated on 9 January 2025") {
		t.Errorf("before receipt: %q", got)
	}
	if _, err := f.svc.AllocateToProject(f.ctx, pjActor, 424242, ob, pjD("5"), pjToday, "", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing project: %v", err)
	}
}

func TestProjectDeallocationNeedsAReasonAndOnlyReturnsUnspentMoney(t *testing.T) {
	t.Parallel()
	f := newPJFixture(t)
	ob := f.obligation("financial", "education", "3.1", 120)
	f.receive(ob, pjDate(2025, 1, 10), "1000")
	p := f.project("Ashford Primary expansion", "education")
	f.allocate(p.ID, ob, "700", pjDate(2025, 2, 1))
	if _, err := f.svc.SpendOnProject(f.ctx, pjActor, p.ID, pjD("250"), pjDate(2025, 3, 1), "INV-1", ""); err != nil {
		t.Fatal(err)
	}

	_, err := f.svc.Deallocate(f.ctx, pjActor, p.ID, ob, pjD("100"), pjToday, " ")
	if got := pjFieldError(t, err, "reason"); got != "Enter why the money is being de-allocated" {
		t.Errorf("no reason: %q", got)
	}
	_, err = f.svc.Deallocate(f.ctx, pjActor, p.ID, ob, pjD("450.01"), pjToday, "Scheme reduced")
	if got := pjFieldError(t, err, "amount"); got != "Only £450.00 of this obligation's money allocated to the project is unspent" {
		t.Errorf("too much: %q", got)
	}
	e, err := f.svc.Deallocate(f.ctx, pjActor, p.ID, ob, pjD("450"), pjToday, "Scheme reduced")
	if err != nil {
		t.Fatal(err)
	}
	if e.Kind != KindDeallocation || e.Note != "Scheme reduced" {
		t.Errorf("entry %+v", e)
	}
	b := f.balances(ob)
	if !b.Allocated.Equal(pjD("250")) || !b.Spent.Equal(pjD("250")) {
		t.Errorf("balances %+v", b)
	}
	if got := f.auditSummaries(EntityProject, p.ID); !strings.Contains(got, "project.deallocate: De-allocated £450.00") {
		t.Errorf("audit:\n%s", got)
	}
}

// spendFixture: a project holding money of three obligations whose
// deadlines are 2034 (A), 2028 (B) and none (C).
func spendFixture(t *testing.T) (f *pjFixture, p Project, a, b, c int64) {
	f = newPJFixture(t)
	a = f.obligation("financial", "education", "A", 120)
	b = f.obligation("financial", "education", "B", 60)
	c = f.obligation("monitoring-fee", "monitoring-fees", "C", 0)
	f.receive(a, pjDate(2024, 1, 10), "1000")
	f.receive(b, pjDate(2023, 6, 1), "1000")
	f.receive(c, pjDate(2022, 1, 1), "1000")
	p = f.project("Ashford Primary expansion", "education")
	f.allocate(p.ID, a, "500", pjDate(2025, 1, 1))
	f.allocate(p.ID, b, "300", pjDate(2025, 1, 1))
	f.allocateWith(p.ID, c, "400", pjDate(2025, 1, 1), "Deed clause 7.2 lets the monitoring fee fund the school's travel plan monitoring")
	return f, p, a, b, c
}

func TestSpendDrawsFirstOnTheMoneyWithTheSoonestDeadline(t *testing.T) {
	t.Parallel()
	f, p, a, b, c := spendFixture(t)

	entries, err := f.svc.SpendOnProject(f.ctx, pjActor, p.ID, pjD("700"), pjDate(2025, 6, 1), "Invoice BLD-2291", "PO 4471")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, fmt.Sprintf("%d:%s", e.ObligationID, e.Amount.StringFixed(2)))
		if e.Evidence != "Invoice BLD-2291" || e.Reference != "PO 4471" || e.Kind != KindSpend {
			t.Errorf("entry %+v", e)
		}
	}
	want := []string{fmt.Sprintf("%d:300.00", b), fmt.Sprintf("%d:400.00", a)}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("drawn %v, want B's 300 (deadline 2028) then 400 of A's (2034)", got)
	}
	if s := f.status(b); s != "part-spent" {
		t.Errorf("B status %q", s)
	}

	// What is left: 100 of A, then 400 of C (no deadline, so last).
	entries, err = f.svc.SpendOnProject(f.ctx, pjActor, p.ID, pjD("250"), pjDate(2025, 7, 1), "Certificate 3", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].ObligationID != a || !entries[0].Amount.Equal(pjD("100")) || entries[1].ObligationID != c || !entries[1].Amount.Equal(pjD("150")) {
		t.Errorf("second spend drew %+v", entries)
	}

	// The page's view of the spends groups each spend's entries.
	spends, err := f.svc.ProjectSpends(f.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(spends) != 2 || !spends[0].Amount().Equal(pjD("250")) || !spends[1].Amount().Equal(pjD("700")) || len(spends[1].Parts) != 2 ||
		spends[1].Parts[0].AgreementReference != "19/00412/S106" || spends[1].Evidence != "Invoice BLD-2291" {
		t.Errorf("spends %+v", spends)
	}
	sources, err := f.svc.ProjectSources(f.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) != 3 || sources[0].ObligationID != b || sources[2].ObligationID != c || sources[2].EarliestDeadline != nil {
		t.Fatalf("sources %+v", sources)
	}
	if !sources[1].Unspent().IsZero() || !sources[2].Unspent().Equal(pjD("250")) {
		t.Errorf("unspent by source: %s, %s", sources[1].Unspent(), sources[2].Unspent())
	}
	// B's remaining unspent money was received 1 June 2023 with a 60-month
	// period: deadline 1 June 2028, between 12 and 24 months after today,
	// with 700.00 of B still unallocated: amber.
	if sources[0].EarliestDeadline == nil || !sources[0].EarliestDeadline.Equal(pjDate(2028, 6, 1)) || sources[0].Rating != RAGAmber {
		t.Errorf("B deadline %v rating %s", sources[0].EarliestDeadline, sources[0].Rating)
	}

	// Audited on the project and on each obligation drawn from.
	if got := f.auditSummaries(EntityProject, p.ID); !strings.Contains(got, "project.spend: Spent £700.00 on 1 June 2025 (evidence: Invoice BLD-2291), drawn as £300.00 from 19/00412/S106 Education (clause B); £400.00 from 19/00412/S106 Education (clause A)") {
		t.Errorf("project audit:\n%s", got)
	}
	for _, id := range []int64{a, b, c} {
		if got := f.auditSummaries("obligation", id); !strings.Contains(got, "ledger.spend: Spent") {
			t.Errorf("obligation %d audit lacks the spend:\n%s", id, got)
		}
	}
}

func TestSpendCannotExceedWhatTheProjectHoldsAndNeedsEvidence(t *testing.T) {
	t.Parallel()
	f, p, _, _, _ := spendFixture(t)
	_, err := f.svc.SpendOnProject(f.ctx, pjActor, p.ID, pjD("1200.01"), pjToday, "INV-9", "")
	if got := pjFieldError(t, err, "amount"); got != "Only £1,200.00 allocated to this project is unspent: the spend cannot be more than that" {
		t.Errorf("too much: %q", got)
	}
	// Before the allocations were made, nothing could be spent.
	_, err = f.svc.SpendOnProject(f.ctx, pjActor, p.ID, pjD("1"), pjDate(2024, 12, 31), "INV-9", "")
	if got := pjFieldError(t, err, "amount"); !strings.HasPrefix(got, "No money allocated to this project is unspent on 31 December 2024") {
		t.Errorf("before allocation: %q", got)
	}
	_, err = f.svc.SpendOnProject(f.ctx, pjActor, p.ID, pjD("10"), pjToday, "  ", "")
	if got := pjFieldError(t, err, "evidence"); got != "Enter the evidence of the spend, such as an invoice or certificate reference" {
		t.Errorf("no evidence: %q", got)
	}
	var n int
	_ = f.svc.DB.Pool.QueryRow(f.ctx, `SELECT count(*) FROM ledger_entries WHERE kind = 'spend'`).Scan(&n)
	if n != 0 {
		t.Errorf("%d spend entries recorded despite refusals", n)
	}
	if _, err := f.svc.SpendOnProject(f.ctx, pjActor, p.ID, pjD("1200"), pjToday, "INV-9", ""); err != nil {
		t.Errorf("spending everything: %v", err)
	}
}

// rawInsert writes entries with plain SQL in one transaction, bypassing
// every Go check, and returns the error from commit.
func (f *pjFixture) rawInsert(stmts ...string) error {
	return pgx.BeginFunc(f.ctx, f.svc.DB.Pool, func(tx pgx.Tx) error {
		for _, s := range stmts {
			if _, err := tx.Exec(f.ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestDatabaseRefusesProjectMoneyBeyondItsSourcesEvenWhenGoIsBypassed(t *testing.T) {
	t.Parallel()
	f := newPJFixture(t)
	ob := f.obligation("financial", "education", "3.1", 120)
	f.receive(ob, pjDate(2025, 1, 10), "1000")
	p := f.project("Ashford Primary expansion", "education")
	other := f.project("Ashford nursery", "education")
	// SQL on purpose: the database's own checks, with the service bypassed.
	entry := func(kind, date, amount string, project int64) string {
		return fmt.Sprintf(`INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, project_id, evidence) VALUES (%d, '%s', '%s', %s, %d, 'raw')`,
			ob, kind, date, amount, project)
	}
	cases := []struct {
		name  string
		stmts []string
		want  string
	}{
		{"allocating more than was received", []string{entry("allocation", "2025-02-01", "1000.01", p.ID)}, "ledger_allocated_within_received"},
		{"allocating before the money arrived", []string{entry("allocation", "2025-01-09", "10", p.ID)}, "ledger_allocated_within_received"},
		{"spending more than was allocated", []string{entry("allocation", "2025-02-01", "500", p.ID), entry("spend", "2025-03-01", "500.01", p.ID)}, "ledger_spent_within_allocated"},
		{"spending before the allocation", []string{entry("allocation", "2025-02-01", "500", p.ID), entry("spend", "2025-01-31", "10", p.ID)}, "ledger_spent_within_allocated"},
		{"de-allocating spent money", []string{entry("allocation", "2025-02-01", "500", p.ID), entry("spend", "2025-03-01", "400", p.ID), entry("deallocation", "2025-04-01", "200", p.ID)}, "ledger_spent_within_allocated"},
		{"spending another project's allocation", []string{entry("allocation", "2025-02-01", "500", p.ID), entry("allocation", "2025-02-01", "300", other.ID), entry("spend", "2025-03-01", "600", p.ID)}, "ledger_project_spent_within_allocated"},
	}
	for _, c := range cases {
		err := f.rawInsert(c.stmts...)
		if got := pjConstraint(err); got != c.want {
			t.Errorf("%s: commit error %v (constraint %q), want %s", c.name, err, got, c.want)
		}
		// The service maps the same violation to a message on the amount.
		if msg := pjFieldError(t, InvariantError(err, "amount"), "amount"); msg == "" {
			t.Errorf("%s: no message for %v", c.name, err)
		}
	}
	if b := f.balances(ob); !b.Allocated.IsZero() || !b.Spent.IsZero() {
		t.Errorf("refused entries left balances %+v", b)
	}
}

func TestTwoRawSpendTransactionsThatTogetherOverdrawCannotBothCommit(t *testing.T) {
	t.Parallel()
	pjRawRace(t, newPJFixture(t))
}

func pjRawRace(t *testing.T, f *pjFixture) {
	ob := f.obligation("financial", "education", "3.1", 120)
	f.receive(ob, pjDate(2025, 1, 10), "1000")
	p := f.project("Ashford Primary expansion", "education")
	f.allocate(p.ID, ob, "1000", pjDate(2025, 2, 1))

	// Two transactions each insert a spend that fits on its own. The first
	// insert locks the obligation (its kept totals are recomputed under
	// that lock, migration 00010), so the second insert waits until the
	// first commits; then its check at commit sees both spends.
	pool := f.svc.DB.Pool
	insert := func(tx pgx.Tx, i int) error {
		_, err := tx.Exec(f.ctx, `INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, project_id, evidence)
			VALUES ($1, 'spend', '2025-03-01', 600, $2, $3)`, ob, p.ID, fmt.Sprintf("INV-%d", i))
		return err
	}
	var txs []pgx.Tx
	for i := 0; i < 2; i++ {
		tx, err := pool.Begin(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(f.ctx) //nolint:errcheck // after commit this is a no-op
		txs = append(txs, tx)
	}
	if err := insert(txs[0], 0); err != nil {
		t.Fatal(err)
	}
	errs := make([]error, 2)
	secondInserted := make(chan error, 1)
	go func() { secondInserted <- insert(txs[1], 1) }()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		errs[0] = txs[0].Commit(f.ctx)
	}()
	wg.Wait()
	if err := <-secondInserted; err != nil {
		errs[1] = err
	} else {
		errs[1] = txs[1].Commit(f.ctx)
	}
	// The loser is refused by the balance check, by name: the check locks
	// the obligation FOR NO KEY UPDATE, which does not conflict with the
	// KEY SHARE locks the inserts' foreign keys took, so there is no deadlock.
	committed := 0
	for _, err := range errs {
		switch {
		case err == nil:
			committed++
		case pjConstraint(err) == "ledger_spent_within_allocated":
		default:
			t.Errorf("unexpected commit error %v", err)
		}
	}
	if committed != 1 {
		t.Fatalf("%d of the two overdrawing spends committed (%v), want exactly 1", committed, errs)
	}
	if b := f.balances(ob); !b.Spent.Equal(pjD("600")) {
		t.Errorf("spent %s", b.Spent)
	}
}

func TestTwoSimultaneousSpendsThatWouldOverdrawExactlyOneSucceeds(t *testing.T) {
	t.Parallel()
	f, p, _, _, _ := spendFixture(t) // the project holds 1,200.00
	start := make(chan struct{})
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = f.svc.SpendOnProject(f.ctx, pjActor, p.ID, pjD("700"), pjToday, fmt.Sprintf("INV-%d", i), "")
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		if msg := pjFieldError(t, err, "amount"); !strings.HasPrefix(msg, "Only £500.00 allocated to this project is unspent") {
			t.Errorf("the losing spend's message: %q", msg)
		}
	}
	if ok != 1 {
		t.Fatalf("%d spends succeeded (%v), want exactly 1", ok, errs)
	}
	got, _ := f.svc.GetProject(f.ctx, p.ID)
	if !got.Spent.Equal(pjD("700")) {
		t.Errorf("project spent %s", got.Spent)
	}
}

// pjModel is the property test's own account of the money, kept in
// parallel with the service, to predict which operations must succeed.
type pjModel struct {
	received, allocated map[int64]decimal.Decimal    // per obligation
	held                map[[2]int64]decimal.Decimal // per (project, obligation): allocated - spent
	projects            []int64
	obligations         []int64
}

func (m *pjModel) projectHolds(p int64) decimal.Decimal {
	sum := decimal.Zero
	for _, o := range m.obligations {
		sum = sum.Add(m.held[[2]int64{p, o}])
	}
	return sum
}

func TestRandomAllocationsDeallocationsAndSpendsKeepEveryObligationBalanced(t *testing.T) {
	t.Parallel()
	for _, seed := range []int64{1, 2, 3} {
		t.Run("seed "+strconv.FormatInt(seed, 10), func(t *testing.T) {
			t.Parallel()
			f := newPJFixture(t)
			rng := rand.New(rand.NewSource(seed))
			m := &pjModel{received: map[int64]decimal.Decimal{}, allocated: map[int64]decimal.Decimal{}, held: map[[2]int64]decimal.Decimal{}}
			for i, months := range []int{120, 60, 0, 36} {
				m.obligations = append(m.obligations, f.obligation("financial", "education", fmt.Sprintf("%d", i+1), months))
			}
			for i := range 3 {
				m.projects = append(m.projects, f.project(fmt.Sprintf("Project %d", i+1), "education").ID)
			}
			// The sequence's dates never go backwards, so an operation on the
			// latest day is limited exactly by the model's totals. Some
			// operations are back-dated: the model's total is then only an
			// upper limit, and a refusal must come from Go's own check (the
			// database's invariant messages would mean Go let it through).
			day := pjDate(2024, 1, 1)
			amount := func(max int) decimal.Decimal { return decimal.New(int64(rng.Intn(max*100)+1), -2) }
			refused, done := 0, 0
			for op := range 200 {
				day = day.AddDate(0, 0, rng.Intn(4))
				on, backdated := day, rng.Intn(4) == 0
				if backdated {
					on = day.AddDate(0, 0, -rng.Intn(90)-1)
				}
				o := m.obligations[rng.Intn(len(m.obligations))]
				p := m.projects[rng.Intn(len(m.projects))]
				key := [2]int64{p, o}
				var err error
				var allowed bool
				var what string
				switch k := rng.Intn(10); {
				case k < 2: // money arrives
					amt := amount(2000)
					f.receive(o, day, amt.StringFixed(2))
					m.received[o] = m.received[o].Add(amt)
					continue
				case k < 5:
					amt := amount(1500)
					what = "allocate " + amt.String()
					allowed = amt.LessThanOrEqual(m.received[o].Sub(m.allocated[o]))
					_, err = f.svc.AllocateToProject(f.ctx, pjActor, p, o, amt, on, "", "")
					if err == nil {
						m.allocated[o] = m.allocated[o].Add(amt)
						m.held[key] = m.held[key].Add(amt)
					}
				case k < 7:
					amt := amount(800)
					what = "de-allocate " + amt.String()
					allowed = amt.LessThanOrEqual(m.held[key])
					_, err = f.svc.Deallocate(f.ctx, pjActor, p, o, amt, on, "Re-planned")
					if err == nil {
						m.allocated[o] = m.allocated[o].Sub(amt)
						m.held[key] = m.held[key].Sub(amt)
					}
				default:
					amt := amount(1500)
					what = "spend " + amt.String()
					allowed = amt.LessThanOrEqual(m.projectHolds(p))
					var entries []Entry
					entries, err = f.svc.SpendOnProject(f.ctx, pjActor, p, amt, on, "INV", "")
					sum := decimal.Zero
					for _, e := range entries {
						m.held[[2]int64{p, e.ObligationID}] = m.held[[2]int64{p, e.ObligationID}].Sub(e.Amount)
						sum = sum.Add(e.Amount)
					}
					if err == nil && !sum.Equal(amt) {
						t.Fatalf("op %d: spend of %s recorded %s", op, amt, sum)
					}
				}
				var verrs *forms.Errors
				switch {
				case err == nil && !allowed:
					t.Fatalf("op %d: %s was accepted but the model says it overdraws", op, what)
				case err != nil && backdated && errors.As(err, &verrs) && pjIsInvariantMessage(verrs.Get("amount")):
					t.Fatalf("op %d: back-dated %s passed Go's check but the database refused it: %v", op, what, err)
				case err != nil && backdated && errors.As(err, &verrs):
					refused++
				case err != nil && allowed:
					t.Fatalf("op %d: %s was refused but the model allows it: %v", op, what, err)
				case err != nil && !errors.As(err, &verrs):
					t.Fatalf("op %d: %s failed with %v, want a message for the officer", op, what, err)
				case err != nil:
					refused++
				default:
					done++
				}
				pjCheckBalances(t, f, op)
			}
			if refused == 0 || done < 50 {
				t.Errorf("the sequence should mix accepted and refused operations: %d done, %d refused", done, refused)
			}
			t.Logf("%d operations accepted, %d refused", done, refused)
			for _, o := range m.obligations {
				b := f.balances(o)
				if !b.Received.Equal(m.received[o]) || !b.Allocated.Equal(m.allocated[o]) {
					t.Errorf("obligation %d: %+v, model received %s allocated %s", o, b, m.received[o], m.allocated[o])
				}
			}
		})
	}
}

func pjIsInvariantMessage(msg string) bool {
	for _, m := range invariantMessages {
		if m == msg {
			return true
		}
	}
	return false
}

// pjCheckBalances asserts received − returned ≥ allocated ≥ spent ≥ 0 for
// every obligation, from the database's own view.
func pjCheckBalances(t *testing.T, f *pjFixture, op int) {
	t.Helper()
	rows, err := f.svc.DB.Pool.Query(f.ctx, `SELECT obligation_id, received, returned, allocated, spent FROM obligation_balances`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var rec, ret, alloc, spent decimal.Decimal
		if err := rows.Scan(&id, &rec, &ret, &alloc, &spent); err != nil {
			t.Fatal(err)
		}
		if rec.Sub(ret).LessThan(alloc) || alloc.LessThan(spent) || spent.IsNegative() {
			t.Fatalf("after op %d obligation %d: received %s returned %s allocated %s spent %s", op, id, rec, ret, alloc, spent)
		}
	}
}

func TestProjectsListFiltersSortsAndTotals(t *testing.T) {
	t.Parallel()
	f := newPJFixture(t)
	ob := f.obligation("financial", "education", "3.1", 120)
	f.receive(ob, pjDate(2025, 1, 10), "1000")
	school := f.project("Ashford Primary expansion", "education")
	f.project("Library roof", "community-facilities")
	bus := f.project("Bus shelter", "education")
	f.allocate(school.ID, ob, "300", pjDate(2025, 2, 1))
	f.allocate(bus.ID, ob, "500", pjDate(2025, 2, 1))
	if _, err := f.svc.SpendOnProject(f.ctx, pjActor, bus.ID, pjD("450"), pjDate(2025, 3, 1), "INV", ""); err != nil {
		t.Fatal(err)
	}
	list := func(q string) []string {
		v, _ := url.ParseQuery(q)
		page, err := f.svc.ListProjects(f.ctx, listing.Parse(v, ProjectSorts, "name", false))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range page.Items {
			names = append(names, p.Name+"="+p.Unspent().StringFixed(2))
		}
		if page.Total != len(page.Items) {
			t.Errorf("%s: total %d for %d rows", q, page.Total, len(page.Items))
		}
		return names
	}
	cases := map[string]string{
		"":                          "Ashford Primary expansion=300.00 Bus shelter=50.00 Library roof=0.00",
		"sort=unspent&dir=desc":     "Ashford Primary expansion=300.00 Bus shelter=50.00 Library roof=0.00",
		"sort=spent&dir=desc":       "Bus shelter=50.00 Library roof=0.00 Ashford Primary expansion=300.00",
		"purpose=education":         "Ashford Primary expansion=300.00 Bus shelter=50.00",
		"q=roof":                    "Library roof=0.00",
		"status=approved&q=shelter": "Bus shelter=50.00",
		"status=completed":          "",
	}
	for q, want := range cases {
		if got := strings.Join(list(q), " "); got != want {
			t.Errorf("%q: %s, want %s", q, got, want)
		}
	}
}

// An agreement's money is spent on its purpose: allocating health money to
// an education project is refused without the officer's reason, both by
// the service (a message on the reason) and by the database; with a
// reason it is recorded on the allocation and audited. A local
// sub-purpose matches its national purpose.
func TestAllocationOutsideThePurposeNeedsAReason(t *testing.T) {
	t.Parallel()
	f := newPJFixture(t)
	health := f.obligation("financial", "health", "H", 0)
	f.receive(health, pjDate(2024, 1, 10), "1000")
	p := f.project("Ashford Primary expansion", "education")
	_, err := f.svc.AllocateToProject(f.ctx, pjActor, p.ID, health, pjD("100"), pjDate(2025, 1, 1), "", "")
	var errs *forms.Errors
	if !errors.As(err, &errs) || !strings.Contains(errs.Get("override_reason"), "money is for health, not education") {
		t.Fatalf("allocation outside the purpose without a reason: %v", err)
	}
	// The database refuses it too (SQL on purpose: the service bypassed).
	_, err = f.svc.DB.Pool.Exec(f.ctx, `INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, project_id) VALUES ($1, 'allocation', '2025-01-01', 100, $2)`, health, p.ID)
	if !store.IsCheckViolation(err, "ledger_allocation_purpose") {
		t.Fatalf("raw allocation outside the purpose: %v", err)
	}
	e, err := f.svc.AllocateToProject(f.ctx, pjActor, p.ID, health, pjD("100"), pjDate(2025, 1, 1), "", "Clause 4.2 lets it fund the school's medical room")
	if err != nil || e.OverrideReason != "Clause 4.2 lets it fund the school's medical room" {
		t.Fatalf("allocation with a reason: %+v %v", e, err)
	}
	var audited int
	_ = f.svc.DB.Pool.QueryRow(f.ctx, `SELECT count(*) FROM audit_events WHERE action = 'project.allocate' AND after::text LIKE '%medical room%'`).Scan(&audited)
	if audited != 1 {
		t.Errorf("override audited %d times", audited)
	}
	// A local sub-purpose of education needs no reason.
	primary, err := f.register.AddLocalPurpose(f.ctx, pjActor, "Primary education", "education")
	if err != nil {
		t.Fatal(err)
	}
	local := f.obligation("financial", primary.Code, "L", 0)
	f.receive(local, pjDate(2024, 1, 10), "500")
	f.allocate(p.ID, local, "500", pjDate(2025, 1, 1))
}

// Developers do pay early: a payment for an obligation not yet triggered
// or invoiced is allowed, and flagged on the payment and in the list; one
// for an obligation triggered and invoiced by then is not.
func TestPaymentBeforeTheTriggerOrInvoiceIsAllowedAndFlagged(t *testing.T) {
	t.Parallel()
	f := newPJFixture(t)
	early := f.obligation("financial", "education", "E", 0)
	a, err := f.register.RecordObligation(f.ctx, pjActor, f.agreementID, agreements.ObligationInput{Kind: "financial", PurposeCode: "health", ClauseRef: "A",
		Description: "Pay a contribution", BaseAmount: ptrD("500")})
	if err != nil {
		t.Fatal(err)
	}
	asked := a.ID
	met, invoiced := pjDate(2024, 1, 1), pjDate(2024, 1, 5)
	if _, err := f.register.RecordEvent(f.ctx, pjActor, asked, agreements.EventInput{Kind: agreements.EventTriggerMet, Date: &met, Evidence: "Notice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.IssueInvoice(f.ctx, pjActor, asked, InvoiceInput{Date: &invoiced, CalcDate: &invoiced, Reference: "INV-1"}); err != nil {
		t.Fatal(err)
	}
	on := pjDate(2024, 2, 1)
	total := pjD("800")
	rec, err := f.svc.RecordReceipt(f.ctx, pjActor, ReceiptInput{ReceivedOn: &on, Payer: "Harbour Homes plc", Total: &total,
		Shares: []ShareInput{{Row: 1, ObligationID: early, Amount: ptrD("300")}, {Row: 2, ObligationID: asked, Amount: ptrD("500")}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range rec.Shares {
		want := sh.ObligationID == early
		if sh.PaidEarly() != want {
			t.Errorf("obligation %d paid early = %v, want %v", sh.ObligationID, sh.PaidEarly(), want)
		}
		if want && sh.EarlyText() != "Paid before the trigger was met and before any invoice" {
			t.Errorf("early text %q", sh.EarlyText())
		}
	}
	page, err := f.svc.ListReceipts(f.ctx, listing.Parse(url.Values{}, ReceiptSorts, "received", true))
	if err != nil || len(page.Items) != 1 || !page.Items[0].PaidEarly {
		t.Fatalf("receipts list %+v %v", page.Items, err)
	}
}

func ptrD(s string) *decimal.Decimal { d := pjD(s); return &d }
