package homes

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/internal/users"
)

// evFixture is a fresh database with a development, its agreement, an
// affordable-housing obligation, a registered provider and a housing
// officer.
type evFixture struct {
	t            *testing.T
	ctx          context.Context
	svc          *Service
	devID        int64
	agreementID  int64
	obligationID int64
	providerID   int64
	actor        audit.Actor
}

func newEvFixture(t *testing.T) *evFixture {
	t.Helper()
	db := testdb.New(t)
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	f := &evFixture{t: t, ctx: context.Background(), svc: &Service{DB: db, Now: func() time.Time { return now }}}
	reg := newTestRegister(t, db)
	f.devID = reg.development("Canal Wharf", "North Ward", "WV1 1AA")
	f.agreementID = reg.agreement(f.devID, "21/S106/007", "2021-05-01")
	f.obligationID = reg.obligation(f.agreementID, "affordable-housing", "Sch 2", "Affordable homes")
	f.providerID = testProvider(t, f.svc, ProviderInput{Name: "Heartland Homes", RSHNumber: "L0123"})
	f.actor = audit.Actor{UserID: testUser(t, db, "Hana Housing", "hana@test.example", users.RoleHousing), Label: "Hana Housing"}
	return f
}

func (f *evFixture) scan(sql string, args []any, dest ...any) {
	f.t.Helper()
	if err := f.svc.DB.Pool.QueryRow(f.ctx, sql, args...).Scan(dest...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

// home records a two-bedroom social-rent home of the obligation; uprn ""
// leaves it without one.
func (f *evFixture) home(plot, uprn string) int64 {
	f.t.Helper()
	return testHome(f.t, f.svc, f.devID, HomeInput{ObligationID: &f.obligationID, Plot: plot, Tenure: "social-rent", Bedrooms: hmInt(2), UPRN: uprn})
}

func day(s string) *time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return &t
}

func (f *evFixture) record(homeID int64, in EventInput) Event {
	f.t.Helper()
	ev, err := f.svc.RecordHomeEvent(f.ctx, f.actor, homeID, in)
	if err != nil {
		f.t.Fatalf("record %s: %v", in.Kind, err)
	}
	return ev
}

func (f *evFixture) state(homeID int64) (string, string) {
	f.t.Helper()
	var state, tenure string
	f.scan(`SELECT state, current_tenure FROM home_state WHERE home_id = $1`, []any{homeID}, &state, &tenure)
	return state, tenure
}

func TestEventDerivesStateAndTenureIncludingReversals(t *testing.T) {
	t.Parallel()
	f := newEvFixture(t)
	completed := EventInput{Kind: EventCompleted, Date: day("2025-03-01"), Evidence: "Completion certificate BC/1"}
	transferred := EventInput{Kind: EventTransferred, Date: day("2025-03-10"), ProviderID: &f.providerID, Evidence: "TP1 deed"}
	toShared := EventInput{Kind: EventTenureChanged, Date: day("2025-06-01"), NewTenure: "shared-ownership", Note: "Provider converted it"}
	toLLR := EventInput{Kind: EventTenureChanged, Date: day("2025-07-01"), NewTenure: "london-living-rent", Note: "Changed again"}
	rtb := EventInput{Kind: EventRightToBuy, Date: day("2026-01-05"), Evidence: "RTB completion"}
	type step struct {
		in      *EventInput
		reverse int // reverse the n-th recorded event (1-based) instead
	}
	cases := []struct {
		name         string
		steps        []step
		state, tenur string
	}{
		{"nothing recorded", nil, "secured", "social-rent"},
		{"started", []step{{in: &EventInput{Kind: EventStarted, Date: day("2024-05-01")}}}, "started", "social-rent"},
		{"completed then transferred", []step{{in: &completed}, {in: &transferred}}, "transferred", "social-rent"},
		{"transfer reversed falls back to completed", []step{{in: &completed}, {in: &transferred}, {reverse: 2}}, "completed", "social-rent"},
		{"newest tenure change wins", []step{{in: &completed}, {in: &toShared}, {in: &toLLR}}, "completed", "london-living-rent"},
		{"reversed tenure change restores the earlier", []step{{in: &completed}, {in: &toShared}, {in: &toLLR}, {reverse: 3}}, "completed", "shared-ownership"},
		{"right to buy leaves the stock", []step{{in: &completed}, {in: &rtb}}, "left-stock", "social-rent"},
		{"reversed right to buy brings it back", []step{{in: &completed}, {in: &rtb}, {reverse: 2}}, "completed", "social-rent"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := f.home("P"+string(rune('A'+i)), "1000230"+string(rune('0'+i)))
			var recorded []Event
			for _, s := range c.steps {
				if s.in != nil {
					recorded = append(recorded, f.record(id, *s.in))
					continue
				}
				if _, err := f.svc.ReverseHomeEvent(f.ctx, f.actor, id, recorded[s.reverse-1].ID, "Recorded by mistake"); err != nil {
					t.Fatalf("reverse: %v", err)
				}
			}
			state, tenure := f.state(id)
			if state != c.state || tenure != c.tenur {
				t.Fatalf("state %s tenure %s, want %s %s", state, tenure, c.state, c.tenur)
			}
		})
	}
}

func TestReversedEventStaysListedWithItsReason(t *testing.T) {
	t.Parallel()
	f := newEvFixture(t)
	id := f.home("1", "100023000001")
	ev := f.record(id, EventInput{Kind: EventCompleted, Date: day("2025-03-01"), Evidence: "BC/1"})
	if _, err := f.svc.ReverseHomeEvent(f.ctx, f.actor, id, ev.ID, "Wrong plot"); err != nil {
		t.Fatal(err)
	}
	events, err := f.svc.HomeEvents(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].ReversedByID == nil || events[0].ReversalReason != "Wrong plot" || events[1].Kind != EventReversal {
		t.Fatalf("events %+v", events)
	}
	_, err = f.svc.ReverseHomeEvent(f.ctx, f.actor, id, ev.ID, "Again")
	wantMessage(t, err, "reason", "This entry has already been reversed")
	_, err = f.svc.ReverseHomeEvent(f.ctx, f.actor, id, events[1].ID, "Undo")
	wantMessage(t, err, "reason", "A reversal cannot itself be reversed: record the event again instead")
	_, err = f.svc.ReverseHomeEvent(f.ctx, f.actor, id, ev.ID, " ")
	wantMessage(t, err, "reason", "Enter why this entry is being reversed")
	history, err := audit.ForEntity(f.ctx, f.svc.DB.Pool, EntityHome, strconv.FormatInt(id, 10), 10)
	// The home's creation, the event and its reversal.
	if err != nil || len(history) != 3 {
		t.Fatalf("audit %v %d", err, len(history))
	}
	// A completion with a standing transfer can't be reversed first.
	id2 := f.home("2", "100023000002")
	c := f.record(id2, EventInput{Kind: EventCompleted, Date: day("2025-03-01"), Evidence: "BC/2"})
	f.record(id2, EventInput{Kind: EventTransferred, Date: day("2025-03-02"), ProviderID: &f.providerID, Evidence: "TP1"})
	_, err = f.svc.ReverseHomeEvent(f.ctx, f.actor, id2, c.ID, "Mistake")
	wantMessage(t, err, "reason", "Reverse the later entries first (transferred to registered provider): they need the home to be completed")
	// Another home's event is not found.
	if _, err := f.svc.ReverseHomeEvent(f.ctx, f.actor, id, c.ID, "Mistake"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other home's event: %v", err)
	}
}

func wantMessage(t *testing.T, err error, field, msg string) {
	t.Helper()
	var errs *forms.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want %s: %q, got %v", field, msg, err)
	}
	if got := errs.Get(field); got != msg {
		t.Fatalf("%s: got %q, want %q (all: %v)", field, got, msg, errs)
	}
}

func TestEventValidationMessages(t *testing.T) {
	t.Parallel()
	f := newEvFixture(t)
	noUPRN := f.home("N1", "")
	fresh := f.home("F1", "100023000010")
	done := f.home("D1", "100023000011")
	f.record(done, EventInput{Kind: EventStarted, Date: day("2024-01-10")})
	f.record(done, EventInput{Kind: EventCompleted, Date: day("2025-02-01"), Evidence: "BC/9"})
	gone := f.home("G1", "100023000012")
	f.record(gone, EventInput{Kind: EventCompleted, Date: day("2025-02-01"), Evidence: "BC/10"})
	f.record(gone, EventInput{Kind: EventSold, Date: day("2025-05-01"), Evidence: "Sale completion"})
	archivedProvider := testProvider(t, f.svc, ProviderInput{Name: "Old Provider"})
	// SQL on purpose: no service archives a provider yet.
	f.scan(`UPDATE registered_providers SET archived_at = now() WHERE id = $1 RETURNING id`, []any{archivedProvider}, &archivedProvider)
	missing := int64(999999)
	cases := []struct {
		name  string
		home  int64
		in    EventInput
		field string
		msg   string
	}{
		{"no date", fresh, EventInput{Kind: EventStarted}, "date", "Enter the date"},
		{"future date", fresh, EventInput{Kind: EventStarted, Date: day("2026-06-16")}, "date", "The date must be today or in the past"},
		{"unknown kind", fresh, EventInput{Kind: "exploded", Date: day("2025-01-01")}, "kind", "Select what happened to the home"},
		{"reversal through record", fresh, EventInput{Kind: EventReversal, Date: day("2025-01-01")}, "kind", "Select what happened to the home"},
		{"completed without evidence", fresh, EventInput{Kind: EventCompleted, Date: day("2025-01-01")}, "evidence",
			"Enter the evidence that the home was completed, such as a completion certificate"},
		{"transferred without evidence", done, EventInput{Kind: EventTransferred, Date: day("2025-03-01"), ProviderID: &f.providerID}, "evidence",
			"Enter the evidence of the transfer, such as the transfer deed or title number"},
		{"exit without evidence", done, EventInput{Kind: EventStaircased, Date: day("2025-03-01")}, "evidence",
			"Enter the evidence that the home left the affordable stock, such as the completion of the sale"},
		{"transferred without provider", done, EventInput{Kind: EventTransferred, Date: day("2025-03-01"), Evidence: "TP1"}, "provider",
			"Select the registered provider the home was transferred to"},
		{"transferred to unknown provider", done, EventInput{Kind: EventTransferred, Date: day("2025-03-01"), Evidence: "TP1", ProviderID: &missing}, "provider",
			"Select a registered provider from the list"},
		{"transferred to archived provider", done, EventInput{Kind: EventTransferred, Date: day("2025-03-01"), Evidence: "TP1", ProviderID: &archivedProvider}, "provider",
			"Select a registered provider from the list"},
		{"tenure change without tenure", fresh, EventInput{Kind: EventTenureChanged, Date: day("2025-01-01"), Note: "why"}, "new_tenure", "Select the new tenure"},
		{"tenure change to nonsense", fresh, EventInput{Kind: EventTenureChanged, Date: day("2025-01-01"), NewTenure: "castle", Note: "why"}, "new_tenure", "Select a tenure from the list"},
		{"tenure change to the same", fresh, EventInput{Kind: EventTenureChanged, Date: day("2025-01-01"), NewTenure: "social-rent", Note: "why"}, "new_tenure",
			"Plot F1 is already social rent: select a different tenure"},
		{"tenure change without reason", fresh, EventInput{Kind: EventTenureChanged, Date: day("2025-01-01"), NewTenure: "affordable-rent"}, "note",
			"Enter the reason for the change of tenure"},
		{"other exit without description", done, EventInput{Kind: EventOtherExit, Date: day("2025-03-01"), Evidence: "Letter"}, "note",
			"Describe how the home left the affordable stock"},
		{"completed without UPRN", noUPRN, EventInput{Kind: EventCompleted, Date: day("2025-01-01"), Evidence: "BC"}, "uprn",
			"Add the home's UPRN before marking it completed"},
		{"transfer before completion", fresh, EventInput{Kind: EventTransferred, Date: day("2025-01-01"), Evidence: "TP1", ProviderID: &f.providerID}, "kind",
			"Record that the home was completed before recording its transfer"},
		{"occupied before completion", fresh, EventInput{Kind: EventOccupied, Date: day("2025-01-01")}, "kind",
			"Record that the home was completed before recording that it was occupied"},
		{"right to buy before completion", fresh, EventInput{Kind: EventRightToBuy, Date: day("2025-01-01"), Evidence: "RTB"}, "kind",
			"Record that the home was completed before recording right to buy"},
		{"transfer dated before completion", done, EventInput{Kind: EventTransferred, Date: day("2025-01-01"), Evidence: "TP1", ProviderID: &f.providerID}, "date",
			"The date must be on or after completion (1 February 2025)"},
		{"completion twice", done, EventInput{Kind: EventCompleted, Date: day("2025-03-01"), Evidence: "BC"}, "kind",
			"Completed is already recorded on 1 February 2025. Reverse that entry first if it was a mistake."},
		{"completion before start", f.homeStarted("S1", "100023000013", "2025-01-10"), EventInput{Kind: EventCompleted, Date: day("2025-01-01"), Evidence: "BC"}, "date",
			"Completion must be on or after the start on site (10 January 2025)"},
		{"event after leaving the stock", gone, EventInput{Kind: EventOccupied, Date: day("2025-06-01")}, "kind",
			"Plot G1 left the affordable stock on 1 May 2025 (Sold on the open market). Reverse that entry first if it was a mistake."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.RecordHomeEvent(f.ctx, f.actor, c.home, c.in)
			wantMessage(t, err, c.field, c.msg)
		})
	}
}

func (f *evFixture) homeStarted(plot, uprn, on string) int64 {
	id := f.home(plot, uprn)
	f.record(id, EventInput{Kind: EventStarted, Date: day(on)})
	return id
}

func TestCompletedWithoutUPRNIsRefusedByTheDatabaseToo(t *testing.T) {
	t.Parallel()
	f := newEvFixture(t)
	id := f.home("N1", "")
	// SQL on purpose: the database's own check, with the service bypassed.
	_, err := f.svc.DB.Pool.Exec(f.ctx, `INSERT INTO home_events (home_id, kind, event_date, evidence) VALUES ($1, 'completed', '2025-01-01', 'BC')`, id)
	if !store.IsCheckViolation(err, "home_completed_needs_uprn") {
		t.Fatalf("database accepted a completion without a UPRN: %v", err)
	}
}

func TestAvailableEventKindsFollowTheHomesLife(t *testing.T) {
	t.Parallel()
	f := newEvFixture(t)
	id := f.home("1", "100023000020")
	kinds := func() []EventKind {
		h, err := f.svc.GetHome(f.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		events, _ := f.svc.HomeEvents(f.ctx, id)
		return AvailableEventKinds(h, events)
	}
	has := func(ks []EventKind, k EventKind) bool {
		for _, x := range ks {
			if x == k {
				return true
			}
		}
		return false
	}
	if ks := kinds(); has(ks, EventTransferred) || !has(ks, EventCompleted) || has(ks, EventRightToBuy) {
		t.Fatalf("secured home offers %v", ks)
	}
	f.record(id, EventInput{Kind: EventCompleted, Date: day("2025-01-01"), Evidence: "BC"})
	if ks := kinds(); has(ks, EventCompleted) || !has(ks, EventTransferred) || !has(ks, EventRightToBuy) {
		t.Fatalf("completed home offers %v", ks)
	}
	f.record(id, EventInput{Kind: EventDemolished, Date: day("2025-05-01"), Evidence: "Demolition notice"})
	if ks := kinds(); len(ks) != 0 {
		t.Fatalf("home that left the stock offers %v", ks)
	}
}

func TestBulkCompletedIsAllOrNothing(t *testing.T) {
	t.Parallel()
	f := newEvFixture(t)
	a, b := f.home("A1", "100023000030"), f.home("A2", "")
	_, err := f.svc.BulkHomeEvent(f.ctx, f.actor, f.devID, []int64{a, b}, EventInput{Kind: EventCompleted, Date: day("2025-04-01"), Evidence: "BC/all"})
	var refusals BulkRefusals
	if !errors.As(err, &refusals) || len(refusals) != 1 || refusals[0].Plot != "A2" ||
		refusals[0].Reasons[0] != "Add the home's UPRN before marking it completed" {
		t.Fatalf("refusals %v", err)
	}
	var n int
	f.scan(`SELECT count(*) FROM home_events`, nil, &n)
	if n != 0 {
		t.Fatalf("%d events written despite a refusal", n)
	}
	f.scan(`UPDATE homes SET uprn = '100023000031' WHERE id = $1 RETURNING 1`, []any{b}, &n)
	got, err := f.svc.BulkHomeEvent(f.ctx, f.actor, f.devID, []int64{a, b}, EventInput{Kind: EventCompleted, Date: day("2025-04-01"), Evidence: "BC/all"})
	if err != nil || got != 2 {
		t.Fatalf("bulk completed: %d %v", got, err)
	}
	for _, id := range []int64{a, b} {
		if s, _ := f.state(id); s != "completed" {
			t.Fatalf("home %d is %s", id, s)
		}
	}
}

func TestBulkTransferredIsAllOrNothing(t *testing.T) {
	t.Parallel()
	f := newEvFixture(t)
	a, b := f.home("B1", "100023000040"), f.home("B2", "100023000041")
	f.record(a, EventInput{Kind: EventCompleted, Date: day("2025-04-01"), Evidence: "BC"})
	in := EventInput{Kind: EventTransferred, Date: day("2025-04-10"), ProviderID: &f.providerID, Evidence: "TP1"}
	_, err := f.svc.BulkHomeEvent(f.ctx, f.actor, f.devID, []int64{a, b}, in)
	var refusals BulkRefusals
	if !errors.As(err, &refusals) || len(refusals) != 1 || refusals[0].Plot != "B2" {
		t.Fatalf("refusals %v", err)
	}
	if s, _ := f.state(a); s != "completed" {
		t.Fatalf("plot B1 is %s after a refused bulk transfer", s)
	}
	f.record(b, EventInput{Kind: EventCompleted, Date: day("2025-04-01"), Evidence: "BC"})
	if n, err := f.svc.BulkHomeEvent(f.ctx, f.actor, f.devID, []int64{a, b}, in); err != nil || n != 2 {
		t.Fatalf("bulk transfer: %d %v", n, err)
	}
	var provider int64
	f.scan(`SELECT current_provider_id FROM home_state WHERE home_id = $1`, []any{b}, &provider)
	if provider != f.providerID {
		t.Fatalf("provider %d", provider)
	}
	// The form's own problems come back as messages.
	_, err = f.svc.BulkHomeEvent(f.ctx, f.actor, f.devID, nil, EventInput{Kind: EventTransferred, Date: day("2025-04-10")})
	wantMessage(t, err, "home", "Select the homes to mark")
	wantMessage(t, err, "provider", "Select the registered provider the home was transferred to")
	_, err = f.svc.BulkHomeEvent(f.ctx, f.actor, f.devID, []int64{a}, EventInput{Kind: EventSold, Date: day("2025-04-10")})
	wantMessage(t, err, "action", "Select whether the homes were completed or transferred")
	// A home of another development is refused.
	other := newTestRegister(t, f.svc.DB).development("Elsewhere", "", "")
	_, err = f.svc.BulkHomeEvent(f.ctx, f.actor, other, []int64{a}, in)
	wantMessage(t, err, "home", "Select homes of this development")
}

// Right to buy belongs to council tenants, right to acquire to housing
// association tenants: an exit that does not fit the home's provider is
// refused, and not offered.
func TestExitRouteMustFitTheProviderType(t *testing.T) {
	t.Parallel()
	f := newEvFixture(t)
	council := testProvider(t, f.svc, ProviderInput{Name: "Wessex Vale District Council", RSHNumber: "45UB", Type: string(LocalAuthority)})
	other := testProvider(t, f.svc, ProviderInput{Name: "Almshouse Trust", Type: string(OtherProvider)})
	held := func(plot, uprn string, provider int64) int64 {
		id := f.home(plot, uprn)
		f.record(id, EventInput{Kind: EventCompleted, Date: day("2024-01-10"), Evidence: "BC"})
		f.record(id, EventInput{Kind: EventTransferred, Date: day("2024-01-20"), ProviderID: &provider, Evidence: "TP1"})
		return id
	}
	refused := func(id int64, kind EventKind, want string) {
		t.Helper()
		_, err := f.svc.RecordHomeEvent(f.ctx, f.actor, id, EventInput{Kind: kind, Date: day("2025-06-01"), Evidence: "Completion"})
		var errs *forms.Errors
		if !errors.As(err, &errs) || errs.Get("kind") != want {
			t.Errorf("%s: %v, want %q", kind, err, want)
		}
	}
	offered := func(id int64, kind EventKind) bool {
		t.Helper()
		h, err := f.svc.GetHome(f.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		evs, _ := f.svc.HomeEvents(f.ctx, id)
		return slices.Contains(AvailableEventKinds(h, evs), kind)
	}

	ha := held("H1", "100023000201", f.providerID) // Heartland Homes: a housing association
	refused(ha, EventRightToBuy, "Right to buy belongs to council tenants (Housing Act 1985). Heartland Homes is a housing association, whose tenants have the right to acquire (Housing Act 1996): record right to acquire instead")
	if offered(ha, EventRightToBuy) || !offered(ha, EventRightToAcquire) {
		t.Error("housing association home: right to buy offered or right to acquire not")
	}
	f.record(ha, EventInput{Kind: EventRightToAcquire, Date: day("2025-06-01"), Evidence: "RTA completion"})

	la := held("C1", "100023000202", council)
	refused(la, EventRightToAcquire, "Right to acquire belongs to housing association tenants (Housing Act 1996). Wessex Vale District Council is a council, whose tenants have the right to buy (Housing Act 1985): record right to buy instead")
	if !offered(la, EventRightToBuy) || offered(la, EventRightToAcquire) {
		t.Error("council home: right to buy not offered or right to acquire offered")
	}
	f.record(la, EventInput{Kind: EventRightToBuy, Date: day("2025-06-01"), Evidence: "RTB completion"})

	o := held("O1", "100023000203", other)
	refused(o, EventRightToBuy, "Almshouse Trust is not a registered provider, so its tenants have neither the right to buy nor the right to acquire: record a sale or another exit instead")
	refused(o, EventRightToAcquire, "Almshouse Trust is not a registered provider, so its tenants have neither the right to buy nor the right to acquire: record a sale or another exit instead")
	f.record(o, EventInput{Kind: EventSold, Date: day("2025-06-01"), Evidence: "Sale completion"})
}
