package cil_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/cil"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

var actor = audit.Actor{Label: "Test officer"}

func money(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func fieldError(err error, field string) string {
	var errs *forms.Errors
	if errors.As(err, &errs) {
		return errs.Get(field)
	}
	return ""
}

// The database refuses two schedules of one authority in effect on the
// same day, with Go bypassed; the Mayor's may overlap the council's, and a
// schedule may start the day after another ends.
func TestSchedulesOfOneAuthorityMayNotOverlapInTheDatabase(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	ins := func(authority, from string, to any) error {
		_, err := db.Pool.Exec(ctx, `INSERT INTO cil_schedules (name, charging_authority, takes_effect, ends) VALUES ('S', $1, $2, $3)`, authority, from, to)
		return err
	}
	if err := ins("council", "2015-04-01", "2019-12-31"); err != nil {
		t.Fatal(err)
	}
	if err := ins("council", "2020-01-01", nil); err != nil {
		t.Fatalf("the day after the last day in effect: %v", err)
	}
	if err := ins("council", "2019-12-31", "2019-12-31"); pgCode(err) != "23P01" {
		t.Errorf("one shared day: err = %v, want an exclusion violation", err)
	}
	if err := ins("council", "2030-01-01", nil); pgCode(err) != "23P01" {
		t.Errorf("inside an open-ended schedule: err = %v, want an exclusion violation", err)
	}
	if err := ins("mayor", "2016-01-01", nil); err != nil {
		t.Errorf("the Mayor's beside the council's: %v", err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE cil_schedules SET ends = NULL WHERE ends = '2019-12-31'`); pgCode(err) != "23P01" {
		t.Errorf("re-opening the first: err = %v, want an exclusion violation", err)
	}
}

// A rate's zone and a development's zone belong to the schedule named
// beside them; a revised notice revises one of the same development and
// authority. Go bypassed.
func TestZonesAndRevisedNoticesBelongTogetherInTheDatabase(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	f := fixture.New(t, db)
	a := f.CILSchedule(fixture.CILSchedule{TakesEffect: "2015-04-01", Ends: "2019-12-31"})
	b := f.CILSchedule(fixture.CILSchedule{TakesEffect: "2020-01-01"})
	if _, err := db.Pool.Exec(ctx, `INSERT INTO cil_rates (schedule_id, zone_id, use_code, use_name, rate) VALUES ($1, $2, 'office', 'Office', 10)`, a.ID, b.ZoneID); pgCode(err) != "23503" {
		t.Errorf("rate in another schedule's zone: err = %v", err)
	}
	dev := f.CILDevelopment(fixture.CILDevelopment{})
	if _, err := db.Pool.Exec(ctx, `INSERT INTO cil_development_zones (cil_development_id, schedule_id, zone_id, placed_by) VALUES ($1, $2, $3, 'officer')`, dev, a.ID, b.ZoneID); pgCode(err) != "23503" {
		t.Errorf("placed in another schedule's zone: err = %v", err)
	}
	other := f.CILDevelopment(fixture.CILDevelopment{})
	first := f.CILLiability(dev, "2024-07-01", "1000")
	if _, err := db.Pool.Exec(ctx, `INSERT INTO cil_liability_notices (cil_development_id, issued_on, chargeable_amount, calculation, supersedes_id) VALUES ($1, '2024-08-01', 5, '{}', $2)`, other, first); pgCode(err) != "23503" {
		t.Errorf("revising another development's notice: err = %v", err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO cil_liability_notices (cil_development_id, charging_authority, issued_on, chargeable_amount, calculation, supersedes_id) VALUES ($1, 'mayor', '2024-08-01', 5, '{}', $2)`, dev, first); pgCode(err) != "23503" {
		t.Errorf("the Mayor's notice revising the council's: err = %v", err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO cil_liability_notices (cil_development_id, issued_on, chargeable_amount, calculation, supersedes_id) VALUES ($1, '2024-08-01', 5, '{}', $2)`, dev, first); err != nil {
		t.Errorf("a revised notice of the same development: %v", err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO cil_floor_areas (cil_development_id, use_code, kind, gia, use_from, use_until) VALUES ($1, 'office', 'proposed', 10, '2020-01-01', '2021-01-01')`, dev); pgCode(err) != "23514" {
		t.Errorf("proposed floor space with a period of use: err = %v", err)
	}
}

// The in-use test in Go and in the database agree, at its edges: six
// months from 1 January end on 30 June; the three years ending on 1 June
// 2024 begin on 2 June 2021.
func TestInUseTestAgreesWithTheDatabaseAtItsEdges(t *testing.T) {
	db := testdb.New(t)
	for _, tc := range []struct {
		from, until, permission string
		want                    bool
	}{
		{"2024-01-01", "2024-06-30", "2024-06-01", false}, // only five months before permission
		{"2023-01-01", "2023-06-30", "2024-06-01", true},  // exactly six months
		{"2023-01-01", "2023-06-29", "2024-06-01", false}, // a day short
		{"2020-01-01", "2021-06-01", "2024-06-01", false}, // ended before the three years began
		{"2020-01-01", "2021-11-30", "2024-06-01", false}, // a day short of six months inside them
		{"2021-06-02", "2021-12-01", "2024-06-01", true},  // six months from the window's first day
		{"2021-06-01", "2021-11-30", "2024-06-01", false},
		{"2010-01-01", "2030-01-01", "2024-06-01", true}, // still in use
	} {
		got := cil.InUse(day(tc.from), day(tc.until), *day(tc.permission))
		var sql bool
		if err := db.Pool.QueryRow(context.Background(), `SELECT cil_in_use($1, $2, $3)`, day(tc.from), day(tc.until), day(tc.permission)).Scan(&sql); err != nil {
			t.Fatal(err)
		}
		if got != tc.want || sql != tc.want {
			t.Errorf("%s to %s, permission %s: Go %v, SQL %v, want %v", tc.from, tc.until, tc.permission, got, sql, tc.want)
		}
	}
}

func TestPostcodesNormaliseAndMatchZones(t *testing.T) {
	for in, want := range map[string]string{"gl501ab": "GL50 1AB", " GL50  1AB ": "GL50 1AB", "gl50": "GL50", "gl50 1": "GL50 1", "GL501": "GL50 1", "sw1a1aa": "SW1A 1AA", "N1": "N1"} {
		if got := cil.NormalisePostcode(in); got != want {
			t.Errorf("NormalisePostcode(%q) = %q, want %q", in, got, want)
		}
	}
	for _, tc := range []struct {
		postcode string
		zone     []string
		want     bool
	}{
		{"GL50 1AB", []string{"GL50"}, true},
		{"GL5 1AB", []string{"GL50"}, false},
		{"GL50 1AB", []string{"GL5"}, false},
		{"GL50 1AB", []string{"GL50 1"}, true},
		{"GL50 2AB", []string{"GL50 1"}, false},
		{"gl501ab", []string{"GL50 1AB"}, true},
	} {
		if got := cil.PostcodeInZone(tc.postcode, tc.zone); got != tc.want {
			t.Errorf("PostcodeInZone(%q, %v) = %v", tc.postcode, tc.zone, got)
		}
	}
}

// A new schedule ends the open-ended one before it; dates that overlap
// another schedule get a message naming it; a stale edit is a conflict.
func TestScheduleServiceEndsThePreviousAndNamesOverlaps(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	first, err := cil.CreateSchedule(ctx, db, actor, cil.ScheduleInput{Name: "Charging Schedule 2015", Authority: "council", TakesEffect: day("2015-04-01")})
	if err != nil {
		t.Fatal(err)
	}
	second, err := cil.CreateSchedule(ctx, db, actor, cil.ScheduleInput{Name: "Charging Schedule 2022", Authority: "council", TakesEffect: day("2022-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	first, _ = cil.GetSchedule(ctx, db.Pool, first.ID)
	if first.Ends == nil || !first.Ends.Equal(*day("2021-12-31")) {
		t.Errorf("the 2015 schedule ends %v, want 31 December 2021", first.Ends)
	}
	events, _ := audit.ForEntity(ctx, db.Pool, cil.EntitySchedule, itoa(first.ID), 10)
	if len(events) != 2 || events[0].Action != "cil_schedule.end" {
		t.Errorf("audit of the first schedule: %+v", events)
	}
	_, err = cil.CreateSchedule(ctx, db, actor, cil.ScheduleInput{Name: "Bad", Authority: "council", TakesEffect: day("2018-01-01"), Ends: day("2018-12-31")})
	if msg := fieldError(err, "takes_effect"); !strings.Contains(msg, "overlap Charging Schedule 2015 (from 1 April 2015 to 31 December 2021)") {
		t.Errorf("overlap message %q (err %v)", msg, err)
	}
	if _, err := cil.CreateSchedule(ctx, db, actor, cil.ScheduleInput{Name: "Mayoral CIL 2", Authority: "mayor", TakesEffect: day("2019-04-01")}); err != nil {
		t.Errorf("the Mayor's schedule: %v", err)
	}
	in := cil.ScheduleInput{Name: "Charging Schedule 2022 (revised)", Authority: "council", TakesEffect: day("2022-01-01")}
	if _, err := cil.UpdateSchedule(ctx, db, actor, second.ID, second.Version, in); err != nil {
		t.Fatal(err)
	}
	if _, err := cil.UpdateSchedule(ctx, db, actor, second.ID, second.Version, in); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second save on the old version: err = %v, want a conflict", err)
	}
	page, err := cil.ListSchedules(ctx, db.Pool, listing.Parse(map[string][]string{"status": {"current"}, "authority": {"council"}}, cil.ScheduleSorts, "takes_effect", false), *day("2024-06-01"), true)
	if err != nil || page.Total != 1 || page.Items[0].ID != second.ID {
		t.Errorf("current council schedules: %+v, %v", page.Items, err)
	}
}

// A floor area whose in_use flag disagrees with its recorded period of use
// (written with Go bypassed) shows in the drift view every test checks
// empty at its end.
func TestInUseDriftViewCatchesAFlagThatDisagreesWithItsPeriod(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	f := fixture.New(t, db)
	dev := f.CILDevelopment(fixture.CILDevelopment{Permission: "2024-06-01"})
	var id int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO cil_floor_areas (cil_development_id, use_code, kind, gia, in_use, use_from, use_until)
		VALUES ($1, 'retail', 'demolished', 100, true, '2015-01-01', '2016-01-01') RETURNING id`, dev).Scan(&id); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM cil_floor_areas_in_use_drift WHERE id = $1`, id).Scan(&n); err != nil || n != 1 {
		t.Fatalf("drift rows %d (%v), want 1", n, err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE cil_floor_areas SET in_use = false WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
}
