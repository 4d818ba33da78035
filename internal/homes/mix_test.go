package homes

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/internal/users"
)

// mixFixture is a fresh database with one development, its agreement and
// an affordable-housing obligation, plus helpers that record homes and
// home events through the service.
type mixFixture struct {
	t            *testing.T
	ctx          context.Context
	svc          *Service
	devID        int64
	agreementID  int64
	obligationID int64
	userID       int64
	actor        audit.Actor
	nextUPRN     int
	nextPlot     int
}

func newMixFixture(t *testing.T) *mixFixture {
	t.Helper()
	db := testdb.New(t)
	f := &mixFixture{t: t, ctx: context.Background(), svc: &Service{DB: db, Now: time.Now}, nextUPRN: 100023000000}
	reg := newTestRegister(t, db)
	f.devID = reg.development("Mill Lane", "North Ward", "WV1 1AA")
	f.agreementID = reg.agreement(f.devID, "24/S106/001", "2024-05-01")
	f.obligationID = f.obligation(f.agreementID, "affordable-housing", "Sch 1")
	f.userID = testUser(t, db, "Hana Housing", "hana@test.example", users.RoleHousing)
	f.actor = audit.Actor{UserID: f.userID, Label: "Hana Housing"}
	return f
}

func (f *mixFixture) scan(sql string, args []any, dest ...any) {
	f.t.Helper()
	if err := f.svc.DB.Pool.QueryRow(f.ctx, sql, args...).Scan(dest...); err != nil {
		f.t.Fatalf("%s: %v", strings.Fields(sql)[0:3], err)
	}
}

func (f *mixFixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.svc.DB.Pool.Exec(f.ctx, sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f *mixFixture) obligation(agreementID int64, kind, clause string) int64 {
	f.t.Helper()
	return newTestRegister(f.t, f.svc.DB).obligation(agreementID, kind, clause, "As the deed says")
}

// homes inserts n homes of a tenure and size; affordable ones deliver
// the fixture's obligation. Each has a UPRN so it can be completed.
func (f *mixFixture) homes(n int, tenure Tenure, bedrooms int, wheelchair Wheelchair, rooms int) []int64 {
	f.t.Helper()
	var ids []int64
	for range n {
		var obligation *int64
		if tenure != Market {
			obligation = &f.obligationID
		}
		f.nextPlot++
		f.nextUPRN++
		ids = append(ids, testHome(f.t, f.svc, f.devID, HomeInput{ObligationID: obligation, Plot: "P" + strconv.Itoa(f.nextPlot), Tenure: string(tenure),
			Bedrooms: hmInt(bedrooms), HabitableRooms: hmInt(rooms), Wheelchair: string(wheelchair), UPRN: strconv.Itoa(f.nextUPRN)}))
	}
	return ids
}

// event records a home event of a kind on each home on 15 January 2026
// (completing it on 10 January first where the kind needs a completed
// home, as the service requires).
func (f *mixFixture) event(kind EventKind, ids ...int64) {
	f.t.Helper()
	in := EventInput{Kind: kind, Date: day("2026-01-15"), Evidence: "Certificate"}
	if kind == EventTransferred {
		f.nextPlot++
		p := testProvider(f.t, f.svc, ProviderInput{Name: "Provider " + strconv.Itoa(f.nextPlot)})
		in.ProviderID = &p
	}
	for _, id := range ids {
		if kind.needsCompletion() {
			h, err := f.svc.GetHome(f.ctx, id)
			if err != nil {
				f.t.Fatal(err)
			}
			if h.CompletedOn == nil {
				testEvent(f.t, f.svc, id, EventInput{Kind: EventCompleted, Date: day("2026-01-10"), Evidence: "Certificate"})
			}
		}
		testEvent(f.t, f.svc, id, in)
	}
}

func mixPtr[T any](v T) *T { return &v }

// scheduleInput is a valid mix of 84 homes in three rows.
func scheduleInput() MixInput {
	return MixInput{
		AffordableHomes: mixPtr(84), AffordablePercent: mixPtr(decimal.RequireFromString("35")), PercentBasis: BasisUnits,
		DeliveryTrigger:       "No more than 50% of market homes occupied until all affordable homes are transferred",
		MarketOccupationLimit: mixPtr(50),
		Lines: []MixLineInput{
			{Row: 1, Tenure: "social-rent", Bedrooms: mixPtr(1), Homes: mixPtr(30), WheelchairHomes: mixPtr(3), HabitableRooms: mixPtr(60)},
			{Row: 2, Tenure: "social-rent", Bedrooms: mixPtr(2), Homes: mixPtr(28), WheelchairHomes: mixPtr(0), HabitableRooms: mixPtr(84)},
			{Row: 3},
			{Row: 4, Tenure: "shared-ownership", Bedrooms: mixPtr(2), Homes: mixPtr(26)},
		},
	}
}

func TestMixValidationNamesTheRow(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		edit  func(*MixInput)
		field string
		want  string
	}{
		{"tenure missing", func(in *MixInput) { in.Lines[1].Tenure = "" }, "line-2-tenure", "Select the tenure in row 2"},
		{"bedrooms missing", func(in *MixInput) { in.Lines[3].Bedrooms = nil }, "line-4-bedrooms", "Enter the number of bedrooms in row 4"},
		{"homes missing", func(in *MixInput) { in.Lines[0].Homes = nil }, "line-1-homes", "Enter the number of homes in row 1"},
		{"market refused", func(in *MixInput) { in.Lines[3].Tenure = "market" }, "line-4-tenure", "Row 4 is market housing: the agreed mix lists affordable homes only"},
		{"too many wheelchair homes", func(in *MixInput) { in.Lines[0].WheelchairHomes = mixPtr(31) }, "line-1-wheelchair", "Wheelchair homes in row 1 must be no more than its 30 homes"},
		{"duplicate tenure and size", func(in *MixInput) { in.Lines[3].Tenure = "social-rent"; in.Lines[3].Bedrooms = mixPtr(1) },
			"line-4-tenure", "Row 4 repeats the social rent 1-bed homes of row 1: put them on one row"},
		{"schedule does not add up", func(in *MixInput) { in.Lines[3].Homes = mixPtr(24) }, MixScheduleField, "The schedule has 82 homes but the obligation secures 84"},
		{"unknown basis", func(in *MixInput) { in.PercentBasis = "floor-area" }, "percent_basis", "Select whether the percentage is of homes or of habitable rooms"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := scheduleInput()
			c.edit(&in)
			errs := &forms.Errors{}
			in.validate(errs)
			if got := errs.Get(c.field); got != c.want {
				t.Fatalf("%s: %q, want %q (all: %v)", c.field, got, c.want, errs)
			}
		})
	}
	in := scheduleInput()
	errs := &forms.Errors{}
	if lines := in.validate(errs); errs.Any() || len(lines) != 3 {
		t.Fatalf("valid schedule refused: %v (%d lines)", errs, len(lines))
	}
	// Without a number of homes, the schedule need not add up to anything.
	in.AffordableHomes = nil
	in.Lines[3].Homes = mixPtr(1)
	if in.validate(errs); errs.Any() {
		t.Fatalf("schedule without a total refused: %v", errs)
	}
}

func TestMixIsSavedEditedAndAudited(t *testing.T) {
	t.Parallel()
	f := newMixFixture(t)
	providerID := testProvider(t, f.svc, ProviderInput{Name: "Vale Homes"})

	m, err := f.svc.Mix(f.ctx, f.obligationID)
	if err != nil || m.Recorded() {
		t.Fatalf("new obligation has a mix: %+v, %v", m, err)
	}
	in := scheduleInput()
	in.ProviderID = &providerID
	m, err = f.svc.SaveMix(f.ctx, f.actor, f.obligationID, 0, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != 1 || *m.AffordableHomes != 84 || m.ProviderName != "Vale Homes" || m.ScheduleHomes() != 84 || len(m.Lines) != 3 ||
		m.Lines[0].WheelchairHomes != 3 || *m.MarketOccupationLimit != 50 || m.AffordablePercent.String() != "35" {
		t.Fatalf("saved mix %+v", m)
	}

	// Change it: one line fewer, no provider.
	in = scheduleInput()
	in.AffordableHomes = mixPtr(58)
	in.Lines = in.Lines[:2]
	m, err = f.svc.SaveMix(f.ctx, f.actor, f.obligationID, 1, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.Mix(f.ctx, f.obligationID)
	if got.Version != 2 || len(got.Lines) != 2 || got.ProviderID != nil || got.ScheduleHomes() != 58 {
		t.Fatalf("changed mix %+v", got)
	}

	events, err := audit.ForEntity(f.ctx, f.svc.DB.Pool, "obligation", strconv.FormatInt(f.obligationID, 10), 10)
	// After the obligation's own creation (recorded by the register):
	if err != nil || len(events) != 3 || events[2].Action != "obligation.create" {
		t.Fatalf("audit events %d, %v", len(events), err)
	}
	if events[0].Action != "mix.update" || events[1].Action != "mix.create" {
		t.Fatalf("audit actions %q, %q", events[0].Action, events[1].Action)
	}
	changes := fmt.Sprint(events[0].Changes())
	for _, want := range []string{"84", "58", "26 shared ownership 2-bed", "Vale Homes"} {
		if !strings.Contains(changes, want) {
			t.Errorf("audit changes lack %q: %s", want, changes)
		}
	}
}

func TestMixSaveOnAnOldVersionIsAConflict(t *testing.T) {
	t.Parallel()
	f := newMixFixture(t)
	if _, err := f.svc.SaveMix(f.ctx, f.actor, f.obligationID, 0, scheduleInput(), nil); err != nil {
		t.Fatal(err)
	}
	// A second "first" save, and a save over version 1 after it moved on.
	if _, err := f.svc.SaveMix(f.ctx, f.actor, f.obligationID, 0, scheduleInput(), nil); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second insert: %v, want conflict", err)
	}
	if _, err := f.svc.SaveMix(f.ctx, f.actor, f.obligationID, 1, scheduleInput(), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SaveMix(f.ctx, f.actor, f.obligationID, 1, scheduleInput(), nil); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale save: %v, want conflict", err)
	}
}

func TestMixRefusesAnUnknownProviderAndOtherKindsOfObligation(t *testing.T) {
	t.Parallel()
	f := newMixFixture(t)
	in := scheduleInput()
	in.ProviderID = mixPtr(int64(999))
	_, err := f.svc.SaveMix(f.ctx, f.actor, f.obligationID, 0, in, nil)
	var errs *forms.Errors
	if !errors.As(err, &errs) || errs.Get("provider") != "Select a registered provider from the list" {
		t.Fatalf("unknown provider: %v", err)
	}
	education := f.obligation(f.agreementID, "financial", "Sch 2")
	if _, err := f.svc.SaveMix(f.ctx, f.actor, education, 0, scheduleInput(), nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("mix on a financial obligation: %v, want not found", err)
	}
	if _, err := f.svc.AffordableObligation(f.ctx, education); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("financial obligation read as affordable: %v", err)
	}
	var n int
	if err := f.svc.DB.Pool.QueryRow(f.ctx, `SELECT count(*) FROM affordable_mixes`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d mixes saved, %v", n, err)
	}
}
