package homes

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/testdb"
)

// deliveredOf makes n delivered homes of one kind.
func deliveredOf(n int, tenure Tenure, bedrooms int, wheelchair Wheelchair, rooms int) []DeliveredHome {
	out := make([]DeliveredHome, n)
	for i := range out {
		out[i] = DeliveredHome{Tenure: tenure, Bedrooms: bedrooms, Wheelchair: wheelchair, HabitableRooms: mixPtr(rooms)}
	}
	return out
}

// The worked example: 28 homes agreed; 27 delivered, with shared
// ownership where social rent was agreed and a 4-bed where a 3-bed was.
func TestCompareWorkedExampleWithSubstitutions(t *testing.T) {
	agreed := []MixLine{
		{Tenure: SharedOwnership, Bedrooms: 2, Homes: 6},
		{Tenure: SocialRent, Bedrooms: 1, Homes: 10, WheelchairHomes: 1, HabitableRooms: mixPtr(20)},
		{Tenure: SocialRent, Bedrooms: 2, Homes: 8, HabitableRooms: mixPtr(24)},
		{Tenure: SocialRent, Bedrooms: 3, Homes: 4, WheelchairHomes: 1, HabitableRooms: mixPtr(16)},
	}
	var delivered []DeliveredHome
	delivered = append(delivered, deliveredOf(9, SocialRent, 1, WheelchairNone, 2)...)
	delivered = append(delivered, deliveredOf(1, SocialRent, 1, M43, 2)...)
	delivered = append(delivered, deliveredOf(6, SocialRent, 2, M42, 3)...) // M4(2) is not a wheelchair home
	delivered = append(delivered, deliveredOf(2, SocialRent, 3, WheelchairNone, 4)...)
	delivered = append(delivered, deliveredOf(1, SocialRent, 4, WheelchairNone, 5)...)
	delivered = append(delivered, deliveredOf(8, SharedOwnership, 2, WheelchairNone, 3)...)
	delivered = append(delivered, DeliveredHome{Tenure: SharedOwnership, Bedrooms: 2}) // rooms not recorded

	c := Compare(agreed, delivered)

	type row struct {
		tenure                        Tenure
		beds, agreed, delivered, diff int
		wAgreed, wDelivered           int
		rAgreed                       *int
		rDelivered                    int
		differs                       bool
	}
	want := []row{
		{SocialRent, 1, 10, 10, 0, 1, 1, mixPtr(20), 20, false},
		{SocialRent, 2, 8, 6, -2, 0, 0, mixPtr(24), 18, true},
		{SocialRent, 3, 4, 2, -2, 1, 0, mixPtr(16), 8, true},
		{SocialRent, 4, 0, 1, 1, 0, 0, nil, 5, true},
		{SharedOwnership, 2, 6, 9, 3, 0, 0, nil, 24, true},
	}
	if len(c.Rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(c.Rows), len(want), c.Rows)
	}
	for i, w := range want {
		r := c.Rows[i]
		if r.Tenure != w.tenure || r.Bedrooms != w.beds || r.AgreedHomes != w.agreed || r.DeliveredHomes != w.delivered ||
			r.Difference() != w.diff || r.AgreedWheelchair != w.wAgreed || r.DeliveredWheelchair != w.wDelivered ||
			(r.AgreedHabitableRooms == nil) != (w.rAgreed == nil) || (w.rAgreed != nil && *r.AgreedHabitableRooms != *w.rAgreed) ||
			r.DeliveredHabitableRooms != w.rDelivered || r.Differs() != w.differs {
			t.Errorf("row %d: got %+v, want %+v", i+1, r, w)
		}
	}
	tot := c.Totals
	if tot.AgreedHomes != 28 || tot.DeliveredHomes != 28 || tot.AgreedWheelchair != 2 || tot.DeliveredWheelchair != 1 ||
		tot.AgreedHabitableRooms != nil || tot.DeliveredHabitableRooms != 75 || tot.HomesWithoutRoomsRecorded != 1 {
		t.Errorf("totals %+v", tot)
	}
	// With rooms on every agreed line, the rooms total too.
	if tot := Compare(agreed[1:], delivered).Totals; tot.AgreedHabitableRooms == nil || *tot.AgreedHabitableRooms != 60 || !tot.RoomsDiffer() {
		t.Errorf("rooms total %+v", tot)
	}
	if c.Matches() {
		t.Error("a mismatched delivery matches")
	}

	var subs []string
	for _, s := range c.Substitutions {
		subs = append(subs, s.Text())
	}
	wantSubs := []string{
		"2 shared ownership 2-bed homes delivered where social rent was agreed",
		"1 social rent 4-bed home delivered where 3-bed was agreed",
		"1 shared ownership 2-bed home delivered where social rent 3-bed was agreed",
	}
	if strings.Join(subs, "\n") != strings.Join(wantSubs, "\n") {
		t.Errorf("substitutions:\n%s\nwant:\n%s", strings.Join(subs, "\n"), strings.Join(wantSubs, "\n"))
	}
	if len(c.Outstanding) != 0 || len(c.Extra) != 0 {
		t.Errorf("outstanding %+v, extra %+v", c.Outstanding, c.Extra)
	}

	// Deliver fewer: what is left over is outstanding, not substituted.
	c = Compare(agreed[:2], append(deliveredOf(10, SocialRent, 1, M43, 2), deliveredOf(2, FirstHomes, 0, WheelchairNone, 1)...))
	if len(c.Outstanding) != 1 || c.Outstanding[0].OutstandingText() != "4 shared ownership 2-bed homes agreed but not delivered" {
		t.Errorf("outstanding %+v", c.Outstanding)
	}
	if len(c.Substitutions) != 1 || c.Substitutions[0].Text() != "2 First Homes studio homes delivered where shared ownership 2-bed was agreed" {
		t.Errorf("substitutions %+v", c.Substitutions)
	}
	c = Compare(nil, deliveredOf(1, SocialRent, 2, WheelchairNone, 3))
	if len(c.Extra) != 1 || c.Extra[0].ExtraText() != "1 social rent 2-bed home delivered beyond the agreed mix" {
		t.Errorf("extra %+v", c.Extra)
	}
	if !Compare(agreed[1:2], deliveredOf(10, SocialRent, 1, M43, 2)[:1]).Rows[0].HomesDiffer() {
		t.Error("1 of 10 delivered does not differ")
	}
}

func TestTriggerBreachIsMoreThanTheLimit(t *testing.T) {
	cases := []struct {
		occupied, total, notTransferred, limit int
		breach                                 bool
	}{
		{60, 120, 12, 50, false}, // exactly 50%: allowed
		{61, 120, 12, 50, true},
		{61, 120, 0, 50, false}, // every affordable home transferred
		{0, 0, 12, 50, false},   // no market homes recorded
		{1, 120, 1, 0, true},    // nothing may be occupied
		{120, 120, 1, 100, false},
	}
	// The rule is SQL's (delivery_trigger_breach, used by the
	// delivery_trigger_numbers view that every reader of it reads).
	db := testdb.New(t)
	for _, c := range cases {
		var breach bool
		if err := db.Pool.QueryRow(context.Background(), `SELECT delivery_trigger_breach($1, $2, $3, $4)`,
			c.limit, c.total, c.occupied, c.notTransferred).Scan(&breach); err != nil {
			t.Fatal(err)
		}
		if breach != c.breach {
			t.Errorf("%+v: breach %v, want %v", c, breach, c.breach)
		}
	}
	tc := TriggerCheck{Limit: 50, MarketHomes: 120, MarketOccupied: 61, Agreed: 12, NotTransferredHomes: 12, Breached: true}
	if got := tc.Text(); got != "61 of 120 market homes occupied (50.8%) while 12 affordable homes are not transferred; the limit is 50%" {
		t.Errorf("text %q", got)
	}
}

// marketHomes inserts n market homes of the fixture's development in one
// statement; occupied of them get an occupied event.
func (f *mixFixture) marketHomes(n, occupied int) []int64 {
	f.t.Helper()
	ids := f.homes(n, Market, 2, WheelchairNone, 3)
	f.event(EventOccupied, ids[:occupied]...)
	return ids
}

func TestBreachAtTheExactThresholdAndOneAbove(t *testing.T) {
	t.Parallel()
	f := newMixFixture(t)
	if _, err := f.svc.SaveMix(f.ctx, f.actor, f.obligationID, 0, MixInput{AffordableHomes: mixPtr(12), MarketOccupationLimit: mixPtr(50)}, nil); err != nil {
		t.Fatal(err)
	}
	market := f.marketHomes(120, 60)
	f.homes(1, Market, 1, WheelchairNone, 2) // archived: does not count
	f.exec(`UPDATE homes SET archived_at = now() WHERE plot = 'P121'`)
	affordable := f.homes(12, SocialRent, 2, WheelchairNone, 3)
	f.event(EventCompleted, affordable...)

	c, err := f.svc.Compliance(f.ctx, f.obligationID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Trigger == nil || c.Trigger.Breach() || c.Trigger.MarketHomes != 120 || c.Trigger.MarketOccupied != 60 || c.Trigger.NotTransferred() != 12 {
		t.Fatalf("at 60 of 120: %+v", c.Trigger)
	}
	if bs, err := f.svc.Breaches(f.ctx); err != nil || len(bs) != 0 {
		t.Fatalf("breaches at the threshold: %+v, %v", bs, err)
	}

	f.event(EventOccupied, market[60])
	c, _ = f.svc.Compliance(f.ctx, f.obligationID)
	if !c.Trigger.Breach() || c.Trigger.Text() != "61 of 120 market homes occupied (50.8%) while 12 affordable homes are not transferred; the limit is 50%" {
		t.Fatalf("at 61 of 120: %+v %q", c.Trigger, c.Trigger.Text())
	}
	bs, err := f.svc.Breaches(f.ctx)
	if err != nil || len(bs) != 1 || bs[0].Obligation.ID != f.obligationID || bs[0].Obligation.DevelopmentName != "Mill Lane" || bs[0].Check.MarketOccupied != 61 {
		t.Fatalf("breaches: %+v, %v", bs, err)
	}

	// Transferring every affordable home ends the breach.
	f.event(EventTransferred, affordable...)
	if c, _ = f.svc.Compliance(f.ctx, f.obligationID); c.Trigger.Breach() || c.Trigger.NotTransferred() != 0 {
		t.Fatalf("after transfer: %+v", c.Trigger)
	}
	if bs, _ := f.svc.Breaches(f.ctx); len(bs) != 0 {
		t.Fatalf("breaches after transfer: %+v", bs)
	}
}

func TestBreachesListsOnlyObligationsInBreach(t *testing.T) {
	t.Parallel()
	f := newMixFixture(t)
	// Mill Lane: limit 25%, 2 of 4 market homes occupied, 1 affordable home not transferred.
	f.marketHomes(4, 2)
	f.homes(1, SharedOwnership, 1, WheelchairNone, 2)
	if _, err := f.svc.SaveMix(f.ctx, f.actor, f.obligationID, 0, MixInput{MarketOccupationLimit: mixPtr(25)}, nil); err != nil {
		t.Fatal(err)
	}
	// A second obligation of the same deed with no limit, and a third
	// with a limit it keeps.
	noLimit := f.obligation(f.agreementID, "affordable-housing", "Sch 1A")
	if _, err := f.svc.SaveMix(f.ctx, f.actor, noLimit, 0, MixInput{AffordableHomes: mixPtr(3)}, nil); err != nil {
		t.Fatal(err)
	}
	within := f.obligation(f.agreementID, "affordable-housing", "Sch 1B")
	if _, err := f.svc.SaveMix(f.ctx, f.actor, within, 0, MixInput{MarketOccupationLimit: mixPtr(75)}, nil); err != nil {
		t.Fatal(err)
	}
	bs, err := f.svc.Breaches(f.ctx)
	if err != nil || len(bs) != 1 || bs[0].Obligation.ClauseRef != "Sch 1" || bs[0].Check.Limit != 25 || bs[0].Obligation.AgreementReference != "24/S106/001" {
		t.Fatalf("breaches %+v, %v", bs, err)
	}
	// An archived obligation is not checked.
	f.exec(`UPDATE obligations SET archived_at = now() WHERE id = $1`, f.obligationID)
	if bs, _ := f.svc.Breaches(f.ctx); len(bs) != 0 {
		t.Fatalf("archived obligation still listed: %+v", bs)
	}
}

func TestComplianceCountsDeliveredHomesByCurrentTenure(t *testing.T) {
	t.Parallel()
	f := newMixFixture(t)
	if _, err := f.svc.SaveMix(f.ctx, f.actor, f.obligationID, 0, MixInput{AffordableHomes: mixPtr(4), Lines: []MixLineInput{
		{Row: 1, Tenure: "social-rent", Bedrooms: mixPtr(2), Homes: mixPtr(4)}}}, nil); err != nil {
		t.Fatal(err)
	}
	ids := f.homes(5, SocialRent, 2, WheelchairNone, 3)
	f.event(EventCompleted, ids[:4]...)
	// One completed home is now shared ownership; one was sold (left the
	// stock); the fifth is only secured.
	testEvent(t, f.svc, ids[0], EventInput{Kind: EventTenureChanged, Date: day("2026-02-01"), NewTenure: "shared-ownership", Note: "Sold as shared ownership"})
	testEvent(t, f.svc, ids[1], EventInput{Kind: EventSold, Date: day("2026-02-01"), Evidence: "Sale completion"})

	c, err := f.svc.Compliance(f.ctx, f.obligationID)
	if err != nil {
		t.Fatal(err)
	}
	if c.HomesCount != 5 || c.Comparison.Totals.DeliveredHomes != 3 || len(c.Comparison.Rows) != 2 {
		t.Fatalf("compliance %+v", c.Comparison)
	}
	if sr := c.Comparison.Rows[0]; sr.Tenure != SocialRent || sr.DeliveredHomes != 2 || sr.Difference() != -2 {
		t.Fatalf("social rent row %+v", sr)
	}
	if len(c.Comparison.Substitutions) != 1 || c.Comparison.Substitutions[0].Text() != "1 shared ownership 2-bed home delivered where social rent was agreed" {
		t.Fatalf("substitutions %+v", c.Comparison.Substitutions)
	}
	if c.Trigger != nil {
		t.Fatalf("trigger check without a limit: %+v", c.Trigger)
	}
}

func TestVerificationIsRecordedAndInvalidatedByLaterChanges(t *testing.T) {
	t.Parallel()
	f := newMixFixture(t)
	ids := f.homes(2, SocialRent, 1, WheelchairNone, 2)

	_, err := f.svc.VerifyDelivery(f.ctx, f.actor, f.obligationID, "  ")
	var errs *forms.Errors
	if !errors.As(err, &errs) || errs.Get("comment") != "Enter a comment saying what you checked" {
		t.Fatalf("blank comment: %v", err)
	}

	verify := func(comment string) {
		t.Helper()
		v, err := f.svc.VerifyDelivery(f.ctx, f.actor, f.obligationID, comment)
		if err != nil || v.VerifiedByName != "Hana Housing" || v.Comment != comment || v.OutOfDate() {
			t.Fatalf("verify: %+v, %v", v, err)
		}
	}
	latest := func() *Verification {
		t.Helper()
		c, err := f.svc.Compliance(f.ctx, f.obligationID)
		if err != nil || c.Verification == nil {
			t.Fatalf("no verification: %v", err)
		}
		return c.Verification
	}

	verify("Checked both homes against the completion certificates")
	if v := latest(); v.OutOfDate() || v.Comment != "Checked both homes against the completion certificates" {
		t.Fatalf("fresh sign-off %+v", v)
	}
	// A later event invalidates it.
	f.event(EventStarted, ids[0])
	if v := latest(); !v.OutOfDate() {
		t.Fatalf("sign-off still current after a later event: %+v", v)
	}
	// A new sign-off stands again, until a home is changed.
	verify("Rechecked after the start on site")
	if latest().OutOfDate() {
		t.Fatal("new sign-off out of date")
	}
	f.exec(`UPDATE homes SET address = '1 Mill Lane', updated_at = now() WHERE id = $1`, ids[1])
	if !latest().OutOfDate() {
		t.Fatal("sign-off still current after a home changed")
	}
	// And a home added to the obligation afterwards invalidates it too.
	verify("Third check")
	f.homes(1, SocialRent, 1, WheelchairNone, 2)
	if !latest().OutOfDate() {
		t.Fatal("sign-off still current after a home was added")
	}
	// Homes of another obligation do not touch it.
	verify("Fourth check")
	other := f.obligation(f.agreementID, "affordable-housing", "Sch 9")
	testHome(t, f.svc, f.devID, HomeInput{ObligationID: &other, Plot: "X1", Tenure: "social-rent", Bedrooms: hmInt(1)})
	if latest().OutOfDate() {
		t.Fatal("another obligation's home invalidated the sign-off")
	}

	events, _ := audit.ForEntity(f.ctx, f.svc.DB.Pool, "obligation", strconv.FormatInt(f.obligationID, 10), 10)
	// Four sign-offs after the obligation's creation (recorded by the register).
	if len(events) != 5 || events[4].Action != "obligation.create" || events[0].Action != "obligation.verify-homes" || !strings.Contains(events[0].Summary, "Verified the delivered affordable homes of clause Sch 1") {
		t.Fatalf("audit: %d events %+v", len(events), events)
	}
}

// The affordable homes not yet transferred are the larger of (agreed -
// transferred) and (recorded - transferred): homes agreed but not yet
// recorded are not transferred either.
func TestNotTransferredCountsFromWhatWasAgreed(t *testing.T) {
	cases := []struct {
		agreed, recorded, transferred, want int
	}{
		{84, 7, 7, 77}, // the case: only 7 of 84 recorded, all transferred
		{84, 84, 84, 0},
		{84, 84, 83, 1},
		{10, 12, 10, 2}, // more recorded than agreed: the recorded ones count
		{0, 3, 1, 2},    // nothing agreed on record
		{5, 0, 0, 5},    // agreed, none recorded
		{5, 6, 6, 0},    // transferred beyond agreed: none owed
	}
	db := testdb.New(t)
	for _, c := range cases {
		var got int
		if err := db.Pool.QueryRow(context.Background(), `SELECT delivery_trigger_not_transferred($1, $2, $3)`,
			c.agreed, c.recorded, c.transferred).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%+v: %d not transferred, want %d", c, got, c.want)
		}
	}
	// 11 of 20 market homes occupied, 7 of 84 agreed recorded and transferred: a breach.
	var breach bool
	if err := db.Pool.QueryRow(context.Background(), `SELECT delivery_trigger_breach(50, 20, 11, delivery_trigger_not_transferred(84, 7, 7))`).Scan(&breach); err != nil {
		t.Fatal(err)
	}
	tc := TriggerCheck{Limit: 50, MarketHomes: 20, MarketOccupied: 11, Agreed: 84, Recorded: 7, Transferred: 7, NotTransferredHomes: 77, Breached: breach}
	if !tc.Breach() || tc.Text() != "11 of 20 market homes occupied (55.0%) while 77 affordable homes are not transferred; the limit is 50%" {
		t.Errorf("issue case: breach %v, %q", tc.Breach(), tc.Text())
	}
}

// The case against the database: 84 affordable homes agreed, 7
// recorded and transferred, 11 of 20 market homes occupied. Then the
// boundaries: agreed homes all transferred; market occupations counted
// (dated) rather than recorded home by home, exactly at and one above
// the limit; and the larger of the count and the homes recorded wins.
func TestBreachFromAgreedRecordedAndCountedOccupations(t *testing.T) {
	t.Parallel()
	f := newMixFixture(t)
	if _, err := f.svc.SaveMix(f.ctx, f.actor, f.obligationID, 0, MixInput{AffordableHomes: mixPtr(84), MarketOccupationLimit: mixPtr(50)}, nil); err != nil {
		t.Fatal(err)
	}
	affordable := f.homes(7, SocialRent, 2, WheelchairNone, 3)
	f.event(EventTransferred, affordable...)
	f.marketHomes(20, 11)

	check := func(what string) TriggerCheck {
		t.Helper()
		c, err := f.svc.Compliance(f.ctx, f.obligationID)
		if err != nil || c.Trigger == nil {
			t.Fatalf("%s: %+v, %v", what, c.Trigger, err)
		}
		return *c.Trigger
	}
	breached := func() bool {
		t.Helper()
		bs, err := f.svc.Breaches(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(bs) == 1
	}
	tc := check("issue case")
	if tc.Agreed != 84 || tc.Recorded != 7 || tc.Transferred != 7 || tc.NotTransferred() != 77 || !tc.Breach() || !breached() {
		t.Fatalf("issue case: %+v breach %v", tc, tc.Breach())
	}
	if tc.Basis() != "84 affordable homes agreed, 7 recorded, 7 transferred" {
		t.Errorf("basis %q", tc.Basis())
	}

	// Occupied market homes down to exactly 10 of 20 (the limit): no breach.
	f2 := newMixFixture(t)
	if _, err := f2.svc.SaveMix(f2.ctx, f2.actor, f2.obligationID, 0, MixInput{AffordableHomes: mixPtr(84), MarketOccupationLimit: mixPtr(50)}, nil); err != nil {
		t.Fatal(err)
	}
	f2.marketHomes(20, 10)
	if c, _ := f2.svc.Compliance(f2.ctx, f2.obligationID); c.Trigger.Breach() || c.Trigger.NotTransferred() != 84 {
		t.Fatalf("at the limit: %+v", c.Trigger)
	}
	// A dated count says 11 are occupied: the count is larger, so it wins.
	day := func(s string) *time.Time { d, _ := time.Parse("2006-01-02", s); return &d }
	if _, err := f2.svc.RecordOccupationCount(f2.ctx, f2.actor, f2.devID, OccupationCountInput{CountedOn: day("2026-03-01"), Occupied: mixPtr(11), Source: "council-tax"}, ""); err != nil {
		t.Fatal(err)
	}
	c, _ := f2.svc.Compliance(f2.ctx, f2.obligationID)
	if !c.Trigger.Breach() || c.Trigger.MarketOccupied != 11 || c.Trigger.MarketOccupiedRecorded != 10 || *c.Trigger.MarketOccupiedCounted != 11 {
		t.Fatalf("counted 11: %+v", c.Trigger)
	}
	if !strings.Contains(c.Trigger.Basis(), "11 market homes occupied by the count of 1 March 2026, 10 recorded one by one") {
		t.Errorf("basis %q", c.Trigger.Basis())
	}
	// A later count of 9 stands (the latest by date), but the 10 recorded
	// home by home are larger: exactly at the limit again.
	if _, err := f2.svc.RecordOccupationCount(f2.ctx, f2.actor, f2.devID, OccupationCountInput{CountedOn: day("2026-04-01"), Occupied: mixPtr(9), Source: "building-control"}, ""); err != nil {
		t.Fatal(err)
	}
	if c, _ := f2.svc.Compliance(f2.ctx, f2.obligationID); c.Trigger.Breach() || c.Trigger.MarketOccupied != 10 {
		t.Fatalf("latest count 9, recorded 10: %+v", c.Trigger)
	}

	// Counts alone, with no market homes recorded: the count gives the
	// market homes too. 30 of 60 is the limit; 31 is a breach.
	f3 := newMixFixture(t)
	if _, err := f3.svc.SaveMix(f3.ctx, f3.actor, f3.obligationID, 0, MixInput{AffordableHomes: mixPtr(1), MarketOccupationLimit: mixPtr(50)}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f3.svc.RecordOccupationCount(f3.ctx, f3.actor, f3.devID, OccupationCountInput{CountedOn: day("2026-01-10"), MarketHomes: mixPtr(60), Occupied: mixPtr(30), Source: "building-control"}, ""); err != nil {
		t.Fatal(err)
	}
	if c, _ := f3.svc.Compliance(f3.ctx, f3.obligationID); c.Trigger.Breach() || c.Trigger.MarketHomes != 60 || c.Trigger.NotTransferred() != 1 {
		t.Fatalf("30 of 60 counted: %+v", c.Trigger)
	}
	if _, err := f3.svc.RecordOccupationCount(f3.ctx, f3.actor, f3.devID, OccupationCountInput{CountedOn: day("2026-01-10"), MarketHomes: mixPtr(60), Occupied: mixPtr(31), Source: "building-control"}, ""); err != nil {
		t.Fatal(err)
	}
	if c, _ := f3.svc.Compliance(f3.ctx, f3.obligationID); !c.Trigger.Breach() {
		t.Fatalf("31 of 60 counted: %+v", c.Trigger)
	}
	// The one affordable home agreed is recorded and transferred: no breach.
	h := f3.homes(1, SocialRent, 1, WheelchairNone, 2)
	f3.event(EventTransferred, h...)
	if c, _ := f3.svc.Compliance(f3.ctx, f3.obligationID); c.Trigger.Breach() || c.Trigger.NotTransferred() != 0 {
		t.Fatalf("all agreed transferred: %+v", c.Trigger)
	}

	// Counts are checked.
	_, err := f3.svc.RecordOccupationCount(f3.ctx, f3.actor, f3.devID, OccupationCountInput{CountedOn: day("2026-01-11"), MarketHomes: mixPtr(5), Occupied: mixPtr(6), Source: "nowhere"}, "")
	var errs *forms.Errors
	if !errors.As(err, &errs) || errs.Get("occupied") != "Market homes occupied cannot be more than the 5 market homes" || errs.Get("source") != "Select where the count comes from" {
		t.Fatalf("bad count: %v", err)
	}
	_, err = f3.svc.RecordOccupationCount(f3.ctx, f3.actor, f3.devID, OccupationCountInput{CountedOn: day("2999-01-01"), Source: "other"}, "")
	if !errors.As(err, &errs) || errs.Get("counted_on") != "The date of the count must be today or in the past" || errs.Get("occupied") != "Enter the number of market homes occupied" {
		t.Fatalf("future count: %v", err)
	}
	events, _ := audit.ForEntity(f3.ctx, f3.svc.DB.Pool, "development", strconv.FormatInt(f3.devID, 10), 10)
	// Two counts after the development's creation (recorded by the register).
	if len(events) != 3 || events[2].Action != "development.create" || events[0].Action != "development.occupation-count" || events[0].Summary != "Recorded 31 market homes occupied on 10 January 2026" {
		t.Fatalf("audit %+v", events)
	}
}

// With no limit in the mix, an obligation whose own trigger is occupation
// of N% of the market dwellings is checked against N (the limit survives
// an export and import of the register, which carries the trigger).
func TestObligationTriggerSetsTheLimitWhenTheMixDoesNot(t *testing.T) {
	t.Parallel()
	f := newMixFixture(t)
	f.exec(`UPDATE obligations SET trigger_type = 'occupation-percent', trigger_quantity = 50, units = 10 WHERE id = $1`, f.obligationID)
	f.marketHomes(4, 3)
	c, err := f.svc.Compliance(f.ctx, f.obligationID)
	if err != nil || c.Trigger == nil || c.Trigger.Limit != 50 || c.Trigger.Agreed != 10 || !c.Trigger.Breach() {
		t.Fatalf("trigger %+v %v", c.Trigger, err)
	}
	if _, err := f.svc.SaveMix(f.ctx, f.actor, f.obligationID, 0, MixInput{MarketOccupationLimit: mixPtr(75)}, nil); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.svc.Compliance(f.ctx, f.obligationID); c.Trigger.Limit != 75 || c.Trigger.Breach() {
		t.Fatalf("the mix's limit should stand: %+v", c.Trigger)
	}
}
