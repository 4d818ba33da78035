package cil_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/s106monitor/s106/internal/listing"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/cil"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

type noticeWorld struct {
	t   *testing.T
	ctx context.Context
	s   *cil.Notices
	b   *fixture.Builder
	dev int64
	ln  int64
}

func newNoticeWorld(t *testing.T) noticeWorld {
	t.Helper()
	db := testdb.New(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	w := noticeWorld{t: t, ctx: context.Background(), s: &cil.Notices{DB: db, Now: func() time.Time { return now }}, b: fixture.New(t, db)}
	w.dev = w.b.CILDevelopment(fixture.CILDevelopment{Reference: "24/00100/FUL", Permission: "2024-06-01"})
	w.ln = w.b.CILLiability(w.dev, "2024-06-10", "100000")
	return w
}

// noticeDay is a YYYY-MM-DD date (the external tests' day gives a pointer).
func noticeDay(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func (w noticeWorld) date(s string) *time.Time { d := noticeDay(s); return &d }

func (w noticeWorld) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// The database refuses a demand notice whose instalments do not sum to its
// amount, whoever writes it (regulation 69(2)(e), (f)): here psql-like SQL
// with Go's checks bypassed.
func TestDemandInstalmentsMustSumToItsAmountInTheDatabase(t *testing.T) {
	t.Parallel()
	w := newNoticeWorld(t)
	ctx := w.ctx
	tx, err := w.s.DB.Pool.Begin(ctx)
	w.must(err)
	var id int64
	w.must(tx.QueryRow(ctx, `INSERT INTO cil_demand_notices (cil_development_id, liability_notice_id, reference, issued_on, commencement_date, amount)
		VALUES ($1, $2, 'DN-BAD', '2025-01-10', '2025-01-10', 1000) RETURNING id`, w.dev, w.ln).Scan(&id))
	_, err = tx.Exec(ctx, `INSERT INTO cil_instalments (demand_notice_id, seq, due_on, amount) VALUES ($1, 1, '2025-03-10', 999.99)`, id)
	w.must(err)
	err = tx.Commit(ctx)
	if !store.IsCheckViolation(err, "cil_demand_instalments_sum") {
		t.Fatalf("commit of a notice whose instalments sum to 999.99 of 1000: %v", err)
	}
	// A notice with no instalments at all is refused too.
	_, err = w.s.DB.Pool.Exec(ctx, `INSERT INTO cil_demand_notices (cil_development_id, liability_notice_id, reference, issued_on, commencement_date, amount)
		VALUES ($1, $2, 'DN-EMPTY', '2025-01-10', '2025-01-10', 5)`, w.dev, w.ln)
	if !store.IsCheckViolation(err, "cil_demand_instalments_sum") {
		t.Fatalf("notice without instalments: %v", err)
	}
	// Adding an instalment later to a committed notice breaks the sum.
	good := w.b.CILDemand(w.dev, w.ln, fixture.CILDemand{Instalments: []fixture.CILInstalment{{Due: "2025-03-10", Amount: "1000"}}})
	_, err = w.s.DB.Pool.Exec(ctx, `INSERT INTO cil_instalments (demand_notice_id, seq, due_on, amount) VALUES ($1, 2, '2025-06-10', 1)`, good.ID)
	if !store.IsCheckViolation(err, "cil_demand_instalments_sum") {
		t.Fatalf("extra instalment: %v", err)
	}
	// And the notices are append-only.
	if _, err := w.s.DB.Pool.Exec(ctx, `UPDATE cil_demand_notices SET amount = 2000 WHERE id = $1`, good.ID); err == nil {
		t.Fatal("a demand notice was changed")
	}
}

func TestDemandUnderThePolicyInForceAtCommencementSupersedesTheEarlierNotice(t *testing.T) {
	t.Parallel()
	w := newNoticeWorld(t)
	ctx := w.ctx
	// A policy that takes effect after commencement does not apply (70(3):
	// "issued an instalment policy on or before the commencement date").
	_, err := w.s.CreatePolicy(ctx, officer, cil.PolicyInput{Name: "2023 policy", TakesEffect: w.date("2023-04-01"), Rules: cil.DorsetRules})
	w.must(err)
	_, err = w.s.CreatePolicy(ctx, officer, cil.PolicyInput{Name: "2026 policy", TakesEffect: w.date("2026-01-01"), Rules: "any, 100, 10"})
	w.must(err)
	errs := &forms.Errors{}
	_, err = w.s.AddParty(ctx, officer, w.dev, cil.PartyInput{Role: cil.RoleAssumedLiability, Name: "Harbour Homes Ltd", AssumedOn: w.date("2024-07-01")}, errs)
	w.must(err)

	// No demand before commencement.
	_, err = w.s.IssueDemand(ctx, officer, w.dev, cil.DemandInput{LiabilityNoticeID: w.ln, Reference: "DN/1", IssuedOn: w.date("2025-02-20")}, &forms.Errors{})
	var verrs *forms.Errors
	if !errors.As(err, &verrs) || !strings.Contains(verrs.Get("issued_on"), "regulation 69(2)(d)") {
		t.Fatalf("demand before commencement: %v", err)
	}
	_, err = w.s.RecordCommencement(ctx, officer, w.dev, cil.CommencementInput{Kind: cil.CommencementNotice, ReceivedOn: w.date("2025-02-20"), CommencementDate: w.date("2025-03-01")}, &forms.Errors{})
	w.must(err)
	d1, err := w.s.IssueDemand(ctx, officer, w.dev, cil.DemandInput{LiabilityNoticeID: w.ln, Reference: "DN/1", IssuedOn: w.date("2025-02-25")}, &forms.Errors{})
	w.must(err)
	if d1.Basis != cil.BasisPolicy || d1.PolicyName != "2023 policy" || len(d1.Instalments) != 4 || !d1.Amount.Equal(dec("100000")) {
		t.Fatalf("first demand: %+v", d1)
	}
	if !d1.Instalments[0].Due.Equal(noticeDay("2025-04-30")) || d1.Instalments[0].Amount.StringFixed(2) != "20000.00" {
		t.Fatalf("first instalment %+v", d1.Instalments[0])
	}

	// Social housing relief granted, then a revised notice: the levy is the
	// chargeable amount less the relief (31(3)), and the old notice ceases
	// to have effect (69(5)).
	r, err := w.s.ClaimRelief(ctx, officer, w.dev, cil.ReliefInput{Kind: cil.ReliefSocialHousing, Claimant: "Harbour Homes Ltd", ClaimedOn: w.date("2025-01-05"), Amount: decp("40000")}, &forms.Errors{})
	w.must(err)
	r, err = w.s.DecideRelief(ctx, officer, r.ID, r.Version, cil.DecisionInput{Decision: cil.DecisionGranted, DecidedOn: w.date("2025-02-01")}, &forms.Errors{})
	w.must(err)
	if r.ClawbackEnds == nil || !r.ClawbackEnds.Equal(noticeDay("2032-02-29")) {
		t.Fatalf("clawback ends %v", r.ClawbackEnds)
	}
	d2, err := w.s.IssueDemand(ctx, officer, w.dev, cil.DemandInput{LiabilityNoticeID: w.ln, Reference: "DN/2", IssuedOn: w.date("2025-03-05")}, &forms.Errors{})
	w.must(err)
	if d2.SupersedesID == nil || *d2.SupersedesID != d1.ID || !d2.Amount.Equal(dec("60000")) {
		t.Fatalf("revised demand: supersedes %v amount %s", d2.SupersedesID, d2.Amount)
	}
	old, err := w.s.Demand(ctx, d1.ID)
	w.must(err)
	if old.Current() {
		t.Fatal("the first notice still has effect")
	}
	// The list's overdue filter: £60,000 is in the band up to £75,000, 25%
	// due 30 April 2025 and 75% due 24 February 2026; on 1 March 2026 both
	// are overdue and unpaid. The superseded DN/1 is not listed.
	page, err := w.s.ListDemands(ctx, listingParams("due=overdue"))
	w.must(err)
	if page.Total != 1 || page.Items[0].Reference != "DN/2" || page.Items[0].Overdue.StringFixed(2) != "60000.00" {
		t.Fatalf("overdue list: %d %+v", page.Total, page.Items)
	}
}

func TestDeemedCommencementMakesTheWholeAmountDueThatDay(t *testing.T) {
	t.Parallel()
	w := newNoticeWorld(t)
	ctx := w.ctx
	_, err := w.s.CreatePolicy(ctx, officer, cil.PolicyInput{Name: "Policy", TakesEffect: w.date("2023-04-01"), Rules: cil.DorsetRules})
	w.must(err)
	w.b.CILParty(w.dev, cil.RoleAssumedLiability, "Owner", "2024-07-01")
	_, err = w.s.RecordCommencement(ctx, officer, w.dev, cil.CommencementInput{Kind: cil.CommencementDeemed, ReceivedOn: w.date("2025-05-01"), CommencementDate: w.date("2025-04-07")}, &forms.Errors{})
	w.must(err)
	d, err := w.s.IssueDemand(ctx, officer, w.dev, cil.DemandInput{LiabilityNoticeID: w.ln, Reference: "DN/D", IssuedOn: w.date("2025-05-02")}, &forms.Errors{})
	w.must(err)
	if d.Basis != cil.BasisDeemed || !d.Deemed || len(d.Instalments) != 1 || !d.Instalments[0].Due.Equal(noticeDay("2025-04-07")) {
		t.Fatalf("deemed demand %+v", d)
	}
}

// A relief granted with a clawback period is withdrawn on a disqualifying
// event inside it, and the amount clawed back becomes payable; an event
// after the period does not withdraw it; a stale form is refused.
func TestReliefClawbackWithinItsPeriod(t *testing.T) {
	t.Parallel()
	w := newNoticeWorld(t)
	ctx := w.ctx
	r, err := w.s.ClaimRelief(ctx, officer, w.dev, cil.ReliefInput{Kind: cil.ReliefSelfBuild, Claimant: "A Builder", ClaimedOn: w.date("2024-07-01"), Amount: decp("30000")}, &forms.Errors{})
	w.must(err)
	stale := r.Version
	r, err = w.s.DecideRelief(ctx, officer, r.ID, r.Version, cil.DecisionInput{Decision: cil.DecisionGranted, DecidedOn: w.date("2024-07-20"), ComplianceOn: w.date("2025-01-10")}, &forms.Errors{})
	w.must(err)
	if !r.ClawbackEnds.Equal(noticeDay("2028-01-09")) {
		t.Fatalf("self-build clawback ends %s", r.ClawbackEnds)
	}
	if _, err := w.s.WithdrawRelief(ctx, officer, r.ID, stale, cil.WithdrawalInput{EventOn: w.date("2025-06-01"), WithdrawnOn: w.date("2025-06-10"), Reason: "Sold"}, &forms.Errors{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale version: %v", err)
	}
	_, err = w.s.WithdrawRelief(ctx, officer, r.ID, r.Version, cil.WithdrawalInput{EventOn: w.date("2028-01-10"), WithdrawnOn: w.date("2028-01-12"), Reason: "Sold"}, &forms.Errors{})
	var verrs *forms.Errors
	if !errors.As(err, &verrs) || !strings.Contains(verrs.Get("event_on"), "clawback period ended on 9 January 2028") {
		t.Fatalf("event after the period: %v", err)
	}
	r, err = w.s.WithdrawRelief(ctx, officer, r.ID, r.Version, cil.WithdrawalInput{EventOn: w.date("2025-06-01"), WithdrawnOn: w.date("2025-06-10"), Reason: "The house was sold"}, &forms.Errors{})
	w.must(err)
	if r.Standing().Sign() != 0 || r.ClawedBack.StringFixed(2) != "30000.00" || r.Status() != "Withdrawn" {
		t.Fatalf("after withdrawal %+v", r)
	}
	// The database keeps a clawback no bigger than the relief.
	if _, err := w.s.DB.Pool.Exec(ctx, `UPDATE cil_reliefs SET clawed_back = 30000.01 WHERE id = $1`, r.ID); !store.IsCheckViolation(err, "cil_reliefs_clawed_back_not_more") {
		t.Fatalf("clawback above the relief: %v", err)
	}
	events, err := audit.ForEntity(ctx, w.s.DB.Pool, cil.EntityRelief, itoa(r.ID), 10)
	w.must(err)
	if len(events) != 3 {
		t.Fatalf("audit events %d", len(events))
	}
}

// Regulation 87 through the service: a missed instalment under a policy
// bears interest on the whole unpaid balance (87(5)(a)).
func TestInterestOnAMissedInstalmentIsChargedOnTheUnpaidBalance(t *testing.T) {
	t.Parallel()
	w := newNoticeWorld(t)
	ctx := w.ctx
	w.b.CILBaseRate("2023-08-03", "5.25")
	w.b.CILBaseRate("2024-08-01", "5.00")
	_, err := w.s.CreatePolicy(ctx, officer, cil.PolicyInput{Name: "Halves", TakesEffect: w.date("2023-04-01"), Rules: "any, 50, 30\nany, 50, 90"})
	w.must(err)
	w.b.CILParty(w.dev, cil.RoleAssumedLiability, "Owner", "2024-06-20")
	_, err = w.s.RecordCommencement(ctx, officer, w.dev, cil.CommencementInput{Kind: cil.CommencementNotice, ReceivedOn: w.date("2024-06-25"), CommencementDate: w.date("2024-06-30")}, &forms.Errors{})
	w.must(err)
	d, err := w.s.IssueDemand(ctx, officer, w.dev, cil.DemandInput{LiabilityNoticeID: w.ln, Reference: "DN/I", IssuedOn: w.date("2024-07-01")}, &forms.Errors{})
	w.must(err)
	// First instalment £50,000 due 30 July 2024, received 9 August 2024;
	// relevant amount the unpaid £100,000: 31 July 1 day at 7.75%, 1-9
	// August 9 days at 7.5%: 100,000 × (0.0775 × 1 + 0.075 × 9) / 365 =
	// 21.2329 + 184.9315 = 206.16.
	ch, err := w.s.ChargeInterest(ctx, officer, w.dev, cil.InterestInput{InstalmentID: d.Instalments[0].ID, ReceivedOn: w.date("2024-08-09")}, &forms.Errors{})
	w.must(err)
	if ch.Amount.StringFixed(2) != "206.16" || ch.Calculation.BaseValue != "100000.00" {
		t.Fatalf("interest %s on %s", ch.Amount.StringFixed(2), ch.Calculation.BaseValue)
	}
	// A revised notice states the interest as well (69(2)(e)).
	d2, err := w.s.IssueDemand(ctx, officer, w.dev, cil.DemandInput{LiabilityNoticeID: w.ln, Reference: "DN/I2", IssuedOn: w.date("2024-08-20")}, &forms.Errors{})
	w.must(err)
	if d2.Amount.StringFixed(2) != "100206.16" || d2.Instalments[len(d2.Instalments)-1].Kind != "interest" {
		t.Fatalf("revised with interest %s %+v", d2.Amount, d2.Instalments)
	}
}

func decp(s string) *decimal.Decimal { d := dec(s); return &d }

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func listingParams(q string) listing.Params {
	v, _ := url.ParseQuery(q)
	return listing.Parse(v, nil, "issued", false)
}

func TestSurchargePreconditionsAndTheLatePaymentWindow(t *testing.T) {
	t.Parallel()
	w := newNoticeWorld(t)
	ctx := w.ctx
	fail := func(in cil.SurchargeInput, want string) {
		t.Helper()
		_, err := w.s.ImposeSurcharge(ctx, officer, w.dev, in, &forms.Errors{})
		var verrs *forms.Errors
		if !errors.As(err, &verrs) || !strings.Contains(verrs.Get("regulation"), want) {
			t.Fatalf("regulation %d: %v, want %q", in.Regulation, err, want)
		}
	}
	fail(cil.SurchargeInput{Regulation: 83, ImposedOn: w.date("2025-03-05"), Reason: "x"}, "Record the commencement first")
	w.b.CILParty(w.dev, cil.RoleAssumedLiability, "Owner", "2025-01-01")
	w.b.CILCommencement(w.dev, "2025-02-20", "2025-03-01") // on time
	fail(cil.SurchargeInput{Regulation: 83, ImposedOn: w.date("2025-03-05"), Reason: "x"}, "regulation 83 does not apply")
	fail(cil.SurchargeInput{Regulation: 80, ImposedOn: w.date("2025-03-05"), Reason: "x"}, "regulation 80 does not apply")
	// A claim for self-build received on the commencement day is too late (54B(2)(b)).
	_, err := w.s.ClaimRelief(ctx, officer, w.dev, cil.ReliefInput{Kind: cil.ReliefSelfBuild, Claimant: "A", ClaimedOn: w.date("2025-03-01"), Amount: decp("100")}, &forms.Errors{})
	var verrs *forms.Errors
	if !errors.As(err, &verrs) || !strings.Contains(verrs.Get("claimed_on"), "before the development commenced on 1 March 2025") {
		t.Fatalf("late claim: %v", err)
	}
	// £10,000 due 1 April 2025: on 30 April (day 30 of the period beginning
	// with the due day) no late payment surcharge; on 1 May, 5% = £500.
	w.b.CILDemand(w.dev, w.ln, fixture.CILDemand{Instalments: []fixture.CILInstalment{{Due: "2025-04-01", Amount: "10000"}}})
	fail(cil.SurchargeInput{Regulation: 85, ImposedOn: w.date("2025-04-30"), Reason: "x"}, "30 days")
	ch, err := w.s.ImposeSurcharge(ctx, officer, w.dev, cil.SurchargeInput{Regulation: 85, ImposedOn: w.date("2025-05-01"), Reason: "Unpaid"}, &forms.Errors{})
	w.must(err)
	if ch.Amount.StringFixed(2) != "500.00" {
		t.Fatalf("late payment surcharge %s", ch.Amount)
	}
}

// 67(7): a commencement notice may be withdrawn "at any time before the
// commencement"; withdrawn, it leaves no commencement to demand on. 31(6):
// an assumption of liability may be withdrawn "at any time before
// commencement", after which regulation 70 no longer applies.
func TestWithdrawalsOfCommencementAndOfAssumedLiability(t *testing.T) {
	t.Parallel()
	w := newNoticeWorld(t)
	ctx := w.ctx
	_, err := w.s.CreatePolicy(ctx, officer, cil.PolicyInput{Name: "Policy", TakesEffect: w.date("2023-04-01"), Rules: cil.DorsetRules})
	w.must(err)
	p, err := w.s.AddParty(ctx, officer, w.dev, cil.PartyInput{Role: cil.RoleAssumedLiability, Name: "Developer Ltd", AssumedOn: w.date("2024-07-01")}, &forms.Errors{})
	w.must(err)
	c, err := w.s.RecordCommencement(ctx, officer, w.dev, cil.CommencementInput{Kind: cil.CommencementNotice, ReceivedOn: w.date("2025-02-01"), CommencementDate: w.date("2025-03-01")}, &forms.Errors{})
	w.must(err)
	_, err = w.s.WithdrawCommencement(ctx, officer, c.ID, w.date("2025-03-01"), &forms.Errors{})
	var verrs *forms.Errors
	if !errors.As(err, &verrs) || !strings.Contains(verrs.Get("withdrawn_on"), "regulation 67(7)") {
		t.Fatalf("withdrawal on the commencement date: %v", err)
	}
	_, err = w.s.WithdrawCommencement(ctx, officer, c.ID, w.date("2025-02-20"), &forms.Errors{})
	w.must(err)
	_, err = w.s.IssueDemand(ctx, officer, w.dev, cil.DemandInput{LiabilityNoticeID: w.ln, Reference: "DN/W", IssuedOn: w.date("2025-03-05")}, &forms.Errors{})
	if !errors.As(err, &verrs) || !strings.Contains(verrs.Get("issued_on"), "Record the commencement notice") {
		t.Fatalf("demand after the only notice was withdrawn: %v", err)
	}
	// The assumption withdrawn before a new commencement: the levy is due in
	// full on commencement, not by instalments.
	_, err = w.s.WithdrawAssumption(ctx, officer, p.ID, w.date("2025-02-25"), &forms.Errors{})
	w.must(err)
	_, err = w.s.RecordCommencement(ctx, officer, w.dev, cil.CommencementInput{Kind: cil.CommencementNotice, ReceivedOn: w.date("2025-03-20"), CommencementDate: w.date("2025-04-01")}, &forms.Errors{})
	w.must(err)
	d, err := w.s.IssueDemand(ctx, officer, w.dev, cil.DemandInput{LiabilityNoticeID: w.ln, Reference: "DN/W2", IssuedOn: w.date("2025-03-25")}, &forms.Errors{})
	w.must(err)
	if d.Basis != cil.BasisInFull || len(d.Instalments) != 1 || !d.Instalments[0].Due.Equal(noticeDay("2025-04-01")) {
		t.Fatalf("demand with nobody liable by assumption: %+v", d)
	}
	// Liability cannot be assumed after commencement (31(7)).
	_, err = w.s.AddParty(ctx, officer, w.dev, cil.PartyInput{Role: cil.RoleAssumedLiability, Name: "Late Ltd", AssumedOn: w.date("2025-04-02")}, &forms.Errors{})
	if !errors.As(err, &verrs) || !strings.Contains(verrs.Get("assumed_on"), "regulation 31(7)") {
		t.Fatalf("assumption after commencement: %v", err)
	}
}

// Two officers issue a demand notice to the same person at once: both are
// recorded, one after the other, and exactly one has effect (69(5)); the
// second supersedes the first rather than both superseding the same one
// (cil_demand_notices.supersedes_id is unique).
func TestConcurrentDemandNoticesLeaveOneInEffect(t *testing.T) {
	t.Parallel()
	w := newNoticeWorld(t)
	ctx := w.ctx
	w.b.CILCommencement(w.dev, "2025-02-20", "2025-03-01")
	first := w.b.CILDemand(w.dev, w.ln, fixture.CILDemand{Reference: "DN/0", Instalments: []fixture.CILInstalment{{Due: "2025-04-01", Amount: "100000"}}})
	errc := make(chan error, 2)
	for _, ref := range []string{"DN/A", "DN/B"} {
		go func() {
			_, err := w.s.IssueDemand(ctx, officer, w.dev, cil.DemandInput{LiabilityNoticeID: w.ln, Reference: ref, IssuedOn: w.date("2025-03-05")}, &forms.Errors{})
			errc <- err
		}()
	}
	for range 2 {
		w.must(<-errc)
	}
	var current, superseded int
	w.must(w.s.DB.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM cil_demand_notices n WHERE n.supersedes_id = d.id)),
		count(*) FILTER (WHERE EXISTS (SELECT 1 FROM cil_demand_notices n WHERE n.supersedes_id = d.id))
		FROM cil_demand_notices d WHERE d.cil_development_id = $1`, w.dev).Scan(&current, &superseded))
	if current != 1 || superseded != 2 {
		t.Fatalf("current %d, superseded %d (first %d)", current, superseded, first.ID)
	}
}

// TestDemandListCountsOnlyUpToItsLimit: counted only up to a limit (issue
// 22), the demand notices list says "more than", and in every sort and
// direction, with ties, its "Next" links from the first page and its
// "Previous" links back from the last hold every notice once, in the
// CSV's order.
func TestDemandListCountsOnlyUpToItsLimit(t *testing.T) {
	t.Parallel()
	w := newNoticeWorld(t)
	for i, due := range []string{"2026-05-01", "2026-02-01", "2026-05-01", "2027-01-01", "2026-02-01", "2026-07-01", "2026-05-01"} {
		w.b.CILDemand(w.dev, w.ln, fixture.CILDemand{Reference: fmt.Sprintf("DN/%d", 7-i), Issued: []string{"2025-01-10", "2025-03-01"}[i%2],
			Instalments: []fixture.CILInstalment{{Due: due, Amount: []string{"1000", "2500", "1000"}[i%3]}}})
	}
	for _, sort := range []string{"issued", "reference", "development", "amount", "due", "overdue"} {
		for _, dir := range []string{"", "desc"} {
			q := "sort=" + sort + "&dir=" + dir
			all, err := w.s.ExportDemands(w.ctx, demandParams(q))
			w.must(err)
			var want []string
			for _, d := range all {
				want = append(want, d.Reference)
			}
			if len(want) != 7 {
				t.Fatalf("%s: export %v", q, want)
			}
			read := func(q string) listing.Page[cil.Demand] {
				t.Helper()
				p := demandParams(q)
				p.PerPage, p.CountLimit = 2, 3
				pg, err := w.s.ListDemands(w.ctx, p)
				if err != nil || !pg.More || pg.Total != 3 {
					t.Fatalf("%s: %v, total %d (more %v)", q, err, pg.Total, pg.More)
				}
				return pg
			}
			var got []string
			for pg, steps := read(q), 0; ; steps++ {
				for _, d := range pg.Items {
					got = append(got, d.Reference)
				}
				if !pg.HasNext || steps > len(want) {
					break
				}
				pg = read(strings.TrimPrefix(pg.Nav().NextLink(), "?"))
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: forwards %v, want %v", q, got, want)
			}
			got = nil
			for pg, steps := read(q+"&page=last"), 0; ; steps++ {
				var refs []string
				for _, d := range pg.Items {
					refs = append(refs, d.Reference)
				}
				got = append(refs, got...)
				if pg.Params.Page == 1 || steps > len(want) {
					break
				}
				pg = read(strings.TrimPrefix(pg.Nav().PrevLink(), "?"))
			}
			// The walk back ends on the whole first page: rows before the
			// page reached last are shown again there.
			if len(got) < len(want) || !slices.Equal(got[:2], want[:2]) || !slices.Equal(got[len(got)-len(want)+2:], want[2:]) {
				t.Errorf("%s: backwards %v, want %v", q, got, want)
			}
		}
	}
}

// demandParams reads a demand notices list address's query as the list
// page does.
func demandParams(q string) listing.Params {
	v, _ := url.ParseQuery(q)
	return listing.Parse(v, []string{"amount", "development", "due", "issued", "overdue", "reference"}, "issued", true)
}
