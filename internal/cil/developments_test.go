package cil_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/cil"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// A development is placed by its postcode (the closest prefix wins) or
// ward; the officer's placement stands when the development changes.
// Calculate reads the zone's rates (a zone's own before the schedule's
// rate for all zones) and the index; the notice keeps every figure, and a
// revised notice supersedes the first.
func TestDevelopmentIsPlacedCalculatedAndNoticed(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	f := fixture.New(t, db)
	s, err := cil.CreateSchedule(ctx, db, actor, cil.ScheduleInput{Name: "Charging Schedule 2019", Authority: "council", TakesEffect: day("2019-02-01")})
	if err != nil {
		t.Fatal(err)
	}
	town, err := cil.SaveZone(ctx, db, actor, s.ID, 0, 0, cil.ZoneInput{Name: "Town centre", Postcodes: "GL50 1, gl50 3ab"})
	if err != nil {
		t.Fatal(err)
	}
	rest, err := cil.SaveZone(ctx, db, actor, s.ID, 0, 0, cil.ZoneInput{Name: "Rest of borough", Postcodes: "GL50", Wards: "Park\nLansdown"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cil.SaveZone(ctx, db, actor, s.ID, 0, 0, cil.ZoneInput{Name: "Town centre"}); !strings.Contains(fieldError(err, "name"), "already has a zone called Town centre") {
		t.Errorf("duplicate zone: %v", err)
	}
	for _, r := range []cil.RateInput{
		{UseName: "Residential", Rate: money("100")},
		{ZoneID: &town.ID, UseName: "Residential", Rate: money("150")},
		{UseName: "Retail", Rate: money("0")},
	} {
		if _, err := cil.SetRate(ctx, db, actor, s.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	f.CILIndex(2019, "330")
	f.CILIndex(2024, "363")

	d, err := cil.CreateDevelopment(ctx, db, actor, cil.DevelopmentInput{Reference: "CIL/24/001", Description: "12 flats and a shop", Postcode: "gl501xy",
		PermissionDate: day("2024-05-01"), PermissionKind: "full"})
	if err != nil {
		t.Fatal(err)
	}
	pls, _ := cil.Placements(ctx, db.Pool, d)
	if len(pls) != 1 || pls[0].ZoneName != "Town centre" || pls[0].PlacedBy != "postcode" {
		t.Fatalf("placements %+v: want Town centre by postcode (GL50 1 is closer than GL50)", pls)
	}
	byWard, err := cil.CreateDevelopment(ctx, db, actor, cil.DevelopmentInput{Reference: "CIL/24/002", Description: "A house", Ward: "park", PermissionDate: day("2024-05-01"), PermissionKind: "full"})
	if err != nil {
		t.Fatal(err)
	}
	if pls, _ := cil.Placements(ctx, db.Pool, byWard); pls[0].ZoneName != "Rest of borough" || pls[0].PlacedBy != "ward" {
		t.Errorf("placed by ward: %+v", pls)
	}
	for _, a := range []cil.AreaInput{
		{Use: "residential", Kind: "proposed", GIA: money("900")},
		{Use: "retail", Kind: "proposed", GIA: money("100")},
		{Use: "retail", Kind: "demolished", GIA: money("200"), UseFrom: day("2020-01-01"), UseUntil: day("2024-01-31")},
		{Use: "retail", Kind: "demolished", GIA: money("50"), UseFrom: day("2015-01-01"), UseUntil: day("2019-01-31")},
	} {
		if _, err := cil.AddArea(ctx, db, actor, d.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	// G = 1,000; E = 200 (the 50 m² was last used in 2019); residential
	// A = 900 − 900 × 200 / 1,000 = 720; 720 × £150 × 363 / 330 =
	// £118,800. Retail is a nil rate.
	c, err := cil.Calculate(ctx, db.Pool, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := c.Charge(cil.AuthorityCouncil)
	if !ch.Amount.Equal(*money("118800")) || !c.E.Equal(*money("200")) || !c.DemolishedNotInUse.Equal(*money("50")) || ch.Schedule.ZoneName != "Town centre" {
		t.Errorf("calculation: amount %s, E %s, not in use %s, zone %s", ch.Amount, c.E, c.DemolishedNotInUse, ch.Schedule.ZoneName)
	}

	// The officer moves it to the other zone: £100 × 720 × 363 / 330 = £79,200.
	if err := cil.PlaceDevelopment(ctx, db, actor, d.ID, s.ID, rest.ID); err != nil {
		t.Fatal(err)
	}
	d, _ = cil.GetDevelopment(ctx, db.Pool, d.ID)
	in := cil.DevelopmentInput{Reference: d.Reference, Description: d.Description, Postcode: "GL50 1XY", PermissionDate: day("2024-05-01"), PermissionKind: "full"}
	if d, err = cil.UpdateDevelopment(ctx, db, actor, d.ID, d.Version, in); err != nil {
		t.Fatal(err)
	}
	if _, err := cil.UpdateDevelopment(ctx, db, actor, d.ID, d.Version-1, in); !errors.Is(err, store.ErrConflict) {
		t.Errorf("stale edit: %v", err)
	}
	if pls, _ := cil.Placements(ctx, db.Pool, d); pls[0].ZoneName != "Rest of borough" || pls[0].PlacedBy != "officer" {
		t.Errorf("the officer's placement stands: %+v", pls)
	}

	if _, err := cil.IssueLiabilityNotice(ctx, db, actor, d.ID, *day("2024-06-01"), cil.NoticeInput{Authority: cil.AuthorityCouncil, IssuedOn: day("2024-04-01")}); fieldError(err, "issued_on") == "" {
		t.Errorf("a notice before the permission: %v", err)
	}
	first, err := cil.IssueLiabilityNotice(ctx, db, actor, d.ID, *day("2024-06-01"), cil.NoticeInput{Authority: cil.AuthorityCouncil, IssuedOn: day("2024-05-10")})
	if err != nil {
		t.Fatal(err)
	}
	if !first.ChargeableAmount.Equal(*money("79200")) || first.Reference != "LN/CIL/24/001/1" || first.Revised() {
		t.Errorf("first notice %s %s revised %v", first.Reference, first.ChargeableAmount, first.Revised())
	}
	stored, _ := first.Charge()
	if len(stored.Lines) != 2 || !stored.IC.Value.Equal(*money("330")) || stored.IC.Year != 2019 || first.Calculation.IP.Year != 2024 || !first.Calculation.G.Equal(*money("1000")) {
		t.Errorf("stored calculation %+v", first.Calculation)
	}

	// A correction to the floor space, then a revised notice.
	if _, err := cil.AddArea(ctx, db, actor, d.ID, cil.AreaInput{Use: "residential", Kind: "proposed", GIA: money("100")}); err != nil {
		t.Fatal(err)
	}
	revised, err := cil.IssueLiabilityNotice(ctx, db, actor, d.ID, *day("2024-06-01"), cil.NoticeInput{Authority: cil.AuthorityCouncil, IssuedOn: day("2024-06-01")})
	if err != nil {
		t.Fatal(err)
	}
	first, _ = cil.GetLiabilityNotice(ctx, db.Pool, first.ID)
	if revised.SupersedesID == nil || *revised.SupersedesID != first.ID || first.Current() || !revised.Current() {
		t.Errorf("revised %+v supersedes %v; first current %v", revised.ID, revised.SupersedesID, first.Current())
	}
	page, err := cil.ListDevelopments(ctx, db.Pool, listing.Parse(map[string][]string{"notice": {"issued"}}, cil.DevelopmentSorts, "reference", false))
	if err != nil || page.Total != 1 || page.Items[0].NoticeAmount == nil || !page.Items[0].NoticeAmount.Equal(revised.ChargeableAmount) {
		t.Errorf("developments with a notice: %+v, %v", page.Items, err)
	}
	events, _ := audit.ForEntity(ctx, db.Pool, cil.EntityDevelopment, itoa(d.ID), 50)
	if len(events) < 8 {
		t.Errorf("%d audit events, want every change audited", len(events))
	}

	// No index figure for the year of permission: the problem is named.
	d, _ = cil.GetDevelopment(ctx, db.Pool, d.ID)
	if _, err := cil.UpdateDevelopment(ctx, db, actor, d.ID, d.Version, cil.DevelopmentInput{Reference: d.Reference, Description: d.Description, PermissionDate: day("2025-05-01"), PermissionKind: "full"}); err != nil {
		t.Fatal(err)
	}
	_, err = cil.Calculate(ctx, db.Pool, d.ID)
	var p cil.Problems
	if !errors.As(err, &p) || !strings.Contains(err.Error(), "Enter the CIL index figure for 2025") {
		t.Errorf("err = %v", err)
	}
}

// A development recorded before a zone listed its postcode is placed when
// the zone's list is saved; one the officer placed stays where it is.
func TestSavingAZoneListPlacesTheDevelopmentsItNames(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	s, err := cil.CreateSchedule(ctx, db, actor, cil.ScheduleInput{Name: "Charging Schedule 2020", Authority: "council", TakesEffect: day("2020-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	north, err := cil.SaveZone(ctx, db, actor, s.ID, 0, 0, cil.ZoneInput{Name: "North"})
	if err != nil {
		t.Fatal(err)
	}
	south, err := cil.SaveZone(ctx, db, actor, s.ID, 0, 0, cil.ZoneInput{Name: "South"})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := cil.CreateDevelopment(ctx, db, actor, cil.DevelopmentInput{Reference: "A", Description: "A", Postcode: "GL51 9AA", PermissionDate: day("2024-01-01"), PermissionKind: "full"})
	b, _ := cil.CreateDevelopment(ctx, db, actor, cil.DevelopmentInput{Reference: "B", Description: "B", Postcode: "GL51 9AB", PermissionDate: day("2024-01-01"), PermissionKind: "full"})
	if err := cil.PlaceDevelopment(ctx, db, actor, b.ID, s.ID, south.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := cil.SaveZone(ctx, db, actor, s.ID, north.ID, north.Version, cil.ZoneInput{Name: "North", Postcodes: "GL51"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		d        cil.Development
		zone, by string
	}{{a, "North", "postcode"}, {b, "South", "officer"}} {
		pls, err := cil.Placements(ctx, db.Pool, tc.d)
		if err != nil || len(pls) != 1 || pls[0].ZoneName != tc.zone || pls[0].PlacedBy != tc.by {
			t.Errorf("%s: %+v (%v), want %s by %s", tc.d.Reference, pls, err, tc.zone, tc.by)
		}
	}
}

// Two officers issue a notice for one development at once: the second
// waits for the first and revises it, so the notices form one chain with
// one current notice.
func TestConcurrentNoticesFormOneChain(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	f := fixture.New(t, db)
	s := f.CILSchedule(fixture.CILSchedule{TakesEffect: "2024-01-01", Rates: map[string]string{"residential": "100"}})
	dev := f.CILDevelopment(fixture.CILDevelopment{Permission: "2024-05-01", Schedules: []fixture.CILScheduleRow{s}, Areas: []fixture.CILArea{{Use: "residential", Kind: "proposed", GIA: "100"}}})
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := cil.IssueLiabilityNotice(ctx, db, actor, dev, *day("2024-06-01"), cil.NoticeInput{Authority: cil.AuthorityCouncil, IssuedOn: day("2024-05-10")})
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	notices, err := cil.ListLiabilityNotices(ctx, db.Pool, dev)
	if err != nil || len(notices) != 2 {
		t.Fatalf("%d notices (%v)", len(notices), err)
	}
	current, revised := 0, 0
	for _, n := range notices {
		if n.Current() {
			current++
		}
		if n.Revised() {
			revised++
		}
	}
	if current != 1 || revised != 1 {
		t.Errorf("%d current and %d revised notices, want one of each", current, revised)
	}
}
