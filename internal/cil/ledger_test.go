package cil_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/cil"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/forms"
)

var officer = audit.Actor{Label: "test"}

func d(s string) *decimal.Decimal {
	v := decimal.RequireFromString(s)
	return &v
}

func day(s string) *time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return &t
}

func ledgerOf(w world) *cil.Ledger {
	return &cil.Ledger{DB: w.db, Now: func() time.Time { return time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC) }}
}

func portions(t *testing.T, e cil.Entry) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range e.Portions {
		out[p.Portion] = p.Amount.StringFixed(2)
	}
	return out
}

func TestOnePaymentPaysTheOldestInstalmentsFirst(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	l := ledgerOf(w)
	ctx := context.Background()
	id, err := l.RecordReceipt(ctx, officer, cil.ReceiptInput{DemandNoticeID: w.demand.ID, ReceivedOn: day("2024-07-15"), Amount: d("70000"), Payer: "Harbour Homes"})
	if err != nil {
		t.Fatal(err)
	}
	e, err := l.GetEntry(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Instalments) != 2 || !e.Instalments[0].Amount.Equal(decimal.NewFromInt(60000)) || !e.Instalments[1].Amount.Equal(decimal.NewFromInt(10000)) {
		t.Fatalf("paid %+v, want 60,000 of the first and 10,000 of the second", e.Instalments)
	}
	// 15% of £70,000 is £10,500, within the cap of 1,000 dwellings × £100.
	if got := portions(t, e); got["admin"] != "3500.00" || got["neighbourhood"] != "10500.00" || got["strategic"] != "56000.00" {
		t.Fatalf("portions %v", got)
	}
	// A second payment pays what is left of the second instalment; more
	// than that is kept by the receipt without an instalment.
	id2, err := l.RecordReceipt(ctx, officer, cil.ReceiptInput{DemandNoticeID: w.demand.ID, ReceivedOn: day("2024-12-01"), Amount: d("31000"), Payer: "Harbour Homes"})
	if err != nil {
		t.Fatal(err)
	}
	e2, _ := l.GetEntry(ctx, id2)
	if len(e2.Instalments) != 1 || !e2.Instalments[0].Amount.Equal(decimal.NewFromInt(30000)) {
		t.Fatalf("second payment paid %+v, want 30,000 of the second instalment", e2.Instalments)
	}
}

func TestTheOfficerSaysWhichInstalmentsAPaymentPays(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	l := ledgerOf(w)
	ctx := context.Background()
	first, second := w.demand.Instalments[0], w.demand.Instalments[1]
	_, err := l.RecordReceipt(ctx, officer, cil.ReceiptInput{DemandNoticeID: w.demand.ID, ReceivedOn: day("2024-07-15"), Amount: d("50000"), Payer: "Harbour Homes",
		Pays: map[int64]*decimal.Decimal{first: d("10000"), second: d("40000.01")}})
	var errs *forms.Errors
	if !errors.As(err, &errs) || errs.Get(cil.InstalmentField(second)) == "" {
		t.Fatalf("paying more than the second instalment: %v", err)
	}
	id, err := l.RecordReceipt(ctx, officer, cil.ReceiptInput{DemandNoticeID: w.demand.ID, ReceivedOn: day("2024-07-15"), Amount: d("50000"), Payer: "Harbour Homes",
		Pays: map[int64]*decimal.Decimal{first: d("10000"), second: d("40000")}})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := l.GetEntry(ctx, id)
	if len(e.Instalments) != 2 || !e.Instalments[1].Amount.Equal(decimal.NewFromInt(40000)) {
		t.Fatalf("paid %+v", e.Instalments)
	}
}

// 59A(7): the 15 per cent portions of a parish in a financial year stop at
// £100 per dwelling × I_y / I_2013. Here 100 dwellings, index 300 in 2024
// and 250 in 2013: a cap of £12,000.
func TestTheNeighbourhoodPortionIsCappedPerDwellingAndIndexed(t *testing.T) {
	t.Parallel()
	db := newWorld(t).db
	b := fixture.New(t, db)
	b.CILIndex(2013, "250")
	b.CILIndex(2024, "300")
	parish := b.CILParish(fixture.CILParish{Dwellings: map[int]int{2024: 100}})
	dev := b.CILDevelopment(fixture.CILDevelopment{Parish: parish})
	ln := b.CILLiability(dev, "2024-06-10", "200000")
	demand := b.CILDemand(dev, ln, fixture.CILDemand{Instalments: []fixture.CILInstalment{{Due: "2024-08-01", Amount: "200000"}}})
	l := &cil.Ledger{DB: db}
	ctx := context.Background()
	split, err := cil.ProposeSplit(ctx, db.Pool, dev, cil.AuthorityCouncil, decimal.NewFromInt(60000), *day("2024-08-01"))
	if err != nil {
		t.Fatal(err)
	}
	if split.Cap == nil || split.Cap.StringFixed(2) != "12000.00" || split.Neighbourhood.StringFixed(2) != "9000.00" {
		t.Fatalf("cap %v, neighbourhood %s; want 12000.00 and 9000.00", split.Cap, split.Neighbourhood)
	}
	if _, err := l.RecordReceipt(ctx, officer, cil.ReceiptInput{DemandNoticeID: demand.ID, ReceivedOn: day("2024-08-01"), Amount: d("60000"), Payer: "P"}); err != nil {
		t.Fatal(err)
	}
	// £9,000 used: the next £60,000 gets only the £3,000 left, the rest
	// strategic.
	id, err := l.RecordReceipt(ctx, officer, cil.ReceiptInput{DemandNoticeID: demand.ID, ReceivedOn: day("2024-09-01"), Amount: d("60000"), Payer: "P"})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := l.GetEntry(ctx, id)
	if got := portions(t, e); got["neighbourhood"] != "3000.00" || got["strategic"] != "54000.00" {
		t.Fatalf("capped portions %v", got)
	}
	// A new financial year starts a new cap; without its dwellings the
	// officer is asked to record them.
	_, err = l.RecordReceipt(ctx, officer, cil.ReceiptInput{DemandNoticeID: demand.ID, ReceivedOn: day("2025-04-02"), Amount: d("1000"), Payer: "P"})
	var errs *forms.Errors
	if !errors.As(err, &errs) || errs.Get("neighbourhood") == "" {
		t.Fatalf("a year without dwellings: %v", err)
	}
}

func TestANeighbourhoodPlanInPlaceAtPermissionPasses25PerCentUncapped(t *testing.T) {
	t.Parallel()
	db := newWorld(t).db
	b := fixture.New(t, db)
	planned := b.CILParish(fixture.CILParish{NeighbourhoodPlan: "2024-01-01", Dwellings: map[int]int{2024: 1}})
	before := b.CILDevelopment(fixture.CILDevelopment{Parish: planned, Permission: "2023-12-31"})
	after := b.CILDevelopment(fixture.CILDevelopment{Parish: planned, Permission: "2024-01-01"})
	ctx := context.Background()
	s, err := cil.ProposeSplit(ctx, db.Pool, after, cil.AuthorityCouncil, decimal.NewFromInt(100000), *day("2024-08-01"))
	if err != nil || s.Neighbourhood.StringFixed(2) != "25000.00" || s.Strategic.StringFixed(2) != "70000.00" {
		t.Fatalf("with a plan in place: %+v, %v", s, err)
	}
	// Permission the day before the plan: 15 per cent, capped at £100 for
	// the parish's one dwelling (no index figures: not indexed).
	s, err = cil.ProposeSplit(ctx, db.Pool, before, cil.AuthorityCouncil, decimal.NewFromInt(100000), *day("2024-08-01"))
	if err != nil || s.Neighbourhood.StringFixed(2) != "100.00" {
		t.Fatalf("before the plan: %+v, %v", s, err)
	}
	s, err = cil.ProposeSplit(ctx, db.Pool, before, cil.AuthorityMayor, decimal.NewFromInt(100000), *day("2024-08-01"))
	if err != nil || !s.Mayor.Equal(decimal.NewFromInt(100000)) || len(s.Portions()) != 1 {
		t.Fatalf("Mayoral CIL: %+v, %v", s, err)
	}
}

// 59D: receipts of 1 April to 30 September are due to the parish by 28
// October; of 1 October to 31 March by 28 April. Payments are set against
// the oldest half-year first.
func TestParishDuesFollowTheHalfYearsAndTheirDates(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	l := ledgerOf(w)
	ctx := context.Background()
	w.b.CILReceive(fixture.CILReceipt{Development: w.dev, On: "2024-09-30", Amount: "10000", Parish: w.parish}) // £1,500
	w.b.CILReceive(fixture.CILReceipt{Development: w.dev, On: "2024-10-01", Amount: "20000", Parish: w.parish}) // £3,000
	w.b.CILReceive(fixture.CILReceipt{Development: w.dev, On: "2025-03-31", Amount: "2000", Parish: w.parish})  // £300
	if _, err := l.RecordEntry(ctx, officer, cil.EntryInput{Kind: cil.KindParishPayment, Date: day("2024-10-20"), Amount: d("2000"), ParishCode: w.parish}); err != nil {
		t.Fatal(err)
	}
	dues, err := l.Dues(ctx, w.parish, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ due, amount, outstanding string }
	var got []row
	for _, d := range dues {
		got = append(got, row{d.DueOn.Format("2006-01-02"), d.Amount.StringFixed(2), d.Outstanding.StringFixed(2)})
	}
	want := []row{{"2025-04-28", "3300.00", "2800.00"}, {"2024-10-28", "1500.00", "0.00"}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("dues %v, want %v", got, want)
	}
	// Due by 31 December 2024: only the first half-year's.
	if by, err := l.Dues(ctx, "", false, day("2024-12-31")); err != nil || len(by) != 1 || by[0].DueOn.Format("2006-01-02") != "2024-10-28" {
		t.Fatalf("due by 31 December 2024: %+v %v", by, err)
	}
	// More than the parish is owed is refused, with the field named.
	_, err = l.RecordEntry(ctx, officer, cil.EntryInput{Kind: cil.KindParishPayment, Date: day("2025-04-20"), Amount: d("2800.01"), ParishCode: w.parish})
	var errs *forms.Errors
	if !errors.As(err, &errs) || !strings.Contains(errs.Get("amount"), "neighbourhood portion has £2,800.00 not yet passed on") {
		t.Fatalf("overpaying the parish: %v", err)
	}
}

func TestAReversalNamesWhatItReversesAndTakesTheMoneyBack(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	l := ledgerOf(w)
	ctx := context.Background()
	id := w.receive(t)
	rev, err := l.Reverse(ctx, officer, id, day("2024-10-01"), "Cheque bounced")
	if err != nil {
		t.Fatal(err)
	}
	e, _ := l.GetEntry(ctx, id)
	if e.ReversedBy == nil || *e.ReversedBy != rev || e.Standing() {
		t.Fatalf("reversed entry %+v", e)
	}
	if _, err := l.Reverse(ctx, officer, id, day("2024-10-01"), "again"); err == nil {
		t.Fatal("reversed twice")
	}
	pots, _ := l.Pots(ctx)
	for _, p := range pots {
		if !p.Received.IsZero() {
			t.Fatalf("pot %s still holds %s", p.Pot, p.Received)
		}
	}
	// The instalments are to pay again.
	ds, _ := cil.Demands(ctx, w.db.Pool, w.dev, true)
	if len(ds) != 1 || !ds[0].Outstanding().Equal(decimal.NewFromInt(100000)) {
		t.Fatalf("after the reversal: %+v", ds)
	}
}

func TestAllocationSpendAndRecoveryFromAParish(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	l := ledgerOf(w)
	ctx := context.Background()
	w.receive(t)
	project := w.b.Project(fixture.Project{}).ID
	for _, in := range []cil.EntryInput{
		{Kind: cil.KindAllocation, Date: day("2024-10-01"), Amount: d("50000"), Pot: "strategic", ProjectID: project},
		{Kind: cil.KindSpend, Date: day("2024-11-01"), Amount: d("20000"), Pot: "strategic", ProjectID: project},
		{Kind: cil.KindDeallocation, Date: day("2024-11-02"), Amount: d("10000"), Pot: "strategic", ProjectID: project},
		{Kind: cil.KindAdmin, Date: day("2024-11-02"), Amount: d("5000")},
		{Kind: cil.KindParishPayment, Date: day("2024-10-20"), Amount: d("15000"), ParishCode: w.parish},
		{Kind: cil.KindParishRecovery, Date: day("2025-11-01"), Amount: d("4000"), ParishCode: w.parish},
		// The recovered money is the council's to spend in the parish's area.
		{Kind: cil.KindAllocation, Date: day("2025-11-02"), Amount: d("4000"), Pot: "neighbourhood", ParishCode: w.parish, ProjectID: project},
	} {
		if _, err := l.RecordEntry(ctx, officer, in); err != nil {
			t.Fatalf("%s: %v", in.Kind, err)
		}
	}
	_, err := l.RecordEntry(ctx, officer, cil.EntryInput{Kind: cil.KindSpend, Date: day("2024-11-03"), Amount: d("20000.01"), Pot: "strategic", ProjectID: project})
	var errs *forms.Errors
	if !errors.As(err, &errs) || errs.Get("amount") == "" {
		t.Fatalf("spending beyond the allocation: %v", err)
	}
	p, err := l.GetParish(ctx, w.parish)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Passed.Equal(decimal.NewFromInt(15000)) || !p.Recovered.Equal(decimal.NewFromInt(4000)) || !p.Allocated.Equal(decimal.NewFromInt(4000)) {
		t.Fatalf("parish %+v", p)
	}
	if err := l.ServeRecoveryNotice(ctx, officer, w.parish, day("2025-12-01"), d("11000.01"), "Not applied within five years"); err == nil {
		t.Fatal("a notice for more than the parish holds was served")
	}
	if err := l.ServeRecoveryNotice(ctx, officer, w.parish, day("2025-12-01"), d("11000"), "Not applied within five years"); err != nil {
		t.Fatal(err)
	}
}

// The same race through the service: two officers pay the parish £10,000
// each of its £15,000 at once; one payment is recorded and the other is
// refused with a message on the amount, never a database error.
func TestTwoOfficersOverpayingAParishAtOnceOneIsRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.receive(t)
	l := ledgerOf(w)
	ctx := context.Background()
	results := make(chan error, 2)
	start := make(chan struct{})
	for range 2 {
		go func() {
			<-start
			_, err := l.RecordEntry(ctx, officer, cil.EntryInput{Kind: cil.KindParishPayment, Date: day("2024-10-20"), Amount: d("10000"), ParishCode: w.parish})
			results <- err
		}()
	}
	close(start)
	ok, refused := 0, 0
	for range 2 {
		err := <-results
		var errs *forms.Errors
		switch {
		case err == nil:
			ok++
		case errors.As(err, &errs) && strings.Contains(errs.Get("amount"), "£5,000.00 not yet passed on"):
			refused++
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if ok != 1 || refused != 1 {
		t.Fatalf("%d recorded and %d refused, want one of each", ok, refused)
	}
}
