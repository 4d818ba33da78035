package homes

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// hmFixture is a fresh database with two developments, each with an
// agreement and an affordable-housing obligation, and one provider.
type hmFixture struct {
	t          *testing.T
	ctx        context.Context
	svc        *Service
	actor      audit.Actor
	mill       int64 // development "Mill Lane"
	millOb     int64
	wharf      int64 // development "Canal Wharf"
	wharfOb    int64
	providerID int64
}

func newHMFixture(t *testing.T) *hmFixture {
	t.Helper()
	db := testdb.New(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f := &hmFixture{t: t, ctx: context.Background(), svc: &Service{DB: db, Now: func() time.Time { return now }},
		actor: audit.Actor{Label: "test officer"}}
	f.mill, f.millOb = f.development("Mill Lane", "19/S106/001")
	f.wharf, f.wharfOb = f.development("Canal Wharf", "21/S106/007")
	f.providerID = testProvider(t, f.svc, ProviderInput{Name: "Heartland Homes", RSHNumber: "L0123"})
	return f
}

func (f *hmFixture) scan(sql string, args []any, dest ...any) {
	f.t.Helper()
	if err := f.svc.DB.Pool.QueryRow(f.ctx, sql, args...).Scan(dest...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f *hmFixture) development(name, ref string) (int64, int64) {
	f.t.Helper()
	reg := newTestRegister(f.t, f.svc.DB)
	dev := reg.development(name, "North Ward", "")
	ob := reg.obligation(reg.agreement(dev, ref, "2021-05-01"), "affordable-housing", "Sch 2", "Provide 30 affordable homes")
	return dev, ob
}

func (f *hmFixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	f.scan(sql, args, &n)
	return n
}

func hmInt(n int) *int { return &n }

func hmHome(plot, tenure, uprn string) HomeInput {
	return HomeInput{Plot: plot, Tenure: tenure, Bedrooms: hmInt(2), UPRN: uprn}
}

// hmMessage fails unless err is validation naming field with msg.
func hmMessage(t *testing.T, err error, field, msg string) {
	t.Helper()
	var verrs *forms.Errors
	if !errors.As(err, &verrs) {
		t.Fatalf("got %v, want a validation error on %s", err, field)
	}
	if got := verrs.Get(field); got != msg {
		t.Fatalf("%s: got %q, want %q (all: %v)", field, got, msg, verrs)
	}
}

func TestUPRNValidationAcceptsOneToTwelveDigitsOrNothing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want, msg string
	}{
		{"100023336956", "100023336956", ""},
		{"1", "1", ""},
		{" 1000 2333 6956 ", "100023336956", ""},
		{"", "", ""},
		{"00123", "00123", ""},
		{"10002333695A", "10002333695A", UPRNMessage},
		{"1000233369561", "1000233369561", UPRNMessage},
		{"-12", "-12", UPRNMessage},
		{"12.0", "12.0", UPRNMessage},
		{"١٢٣", "١٢٣", UPRNMessage}, // non-ASCII digits are not digits here
	}
	for _, c := range cases {
		got, msg := CheckUPRN(c.in)
		if got != c.want || msg != c.msg {
			t.Errorf("CheckUPRN(%q) = %q, %q; want %q, %q", c.in, got, msg, c.want, c.msg)
		}
	}
}

func TestHomeIsAddedWithItsStateAndAudited(t *testing.T) {
	t.Parallel()
	f := newHMFixture(t)
	area := decimal.RequireFromString("61.5")
	in := HomeInput{Plot: " A-1 ", Tenure: "social-rent", Bedrooms: hmInt(2), HabitableRooms: hmInt(3), FloorAreaM2: &area,
		Wheelchair: "m4-3", FloorBlock: "Block A", ObligationID: &f.millOb, ProviderID: &f.providerID,
		Address: "Flat 1, 2 Mill Lane", Postcode: "wv11aa", UPRN: "100023336956"}
	h, err := f.svc.CreateHome(f.ctx, f.actor, f.mill, in)
	if err != nil {
		t.Fatal(err)
	}
	if h.Plot != "A-1" || h.Postcode != "WV1 1AA" || h.State != StateSecured || h.CurrentTenure != SocialRent ||
		h.ProviderName != "Heartland Homes" || h.DevelopmentName != "Mill Lane" || h.UPRN != "100023336956" {
		t.Fatalf("home = %+v", h)
	}
	events, err := audit.ForEntity(f.ctx, f.svc.DB.Pool, EntityHome, hmID(h.ID), 10)
	if err != nil || len(events) != 1 || events[0].Summary != "Added plot A-1" {
		t.Fatalf("audit = %+v, %v", events, err)
	}
}

// hmID formats an id for the audit trail lookups in these tests.
func hmID(id int64) string { return strconv.FormatInt(id, 10) }

func TestUPRNIsUniqueAsANumberAndTheMessageNamesTheOtherHome(t *testing.T) {
	t.Parallel()
	f := newHMFixture(t)
	if _, err := f.svc.CreateHome(f.ctx, f.actor, f.mill, hmHome("12", "social-rent", "123")); err != nil {
		t.Fatal(err)
	}
	// Leading zeros: 00123 is the same property as 123, even in another development.
	_, err := f.svc.CreateHome(f.ctx, f.actor, f.wharf, hmHome("1", "social-rent", "00123"))
	hmMessage(t, err, "uprn", "UPRN 00123 is already used by plot 12, Mill Lane")
	// Malformed UPRNs are refused with the format message.
	_, err = f.svc.CreateHome(f.ctx, f.actor, f.wharf, hmHome("2", "social-rent", "12AB"))
	hmMessage(t, err, "uprn", UPRNMessage)
	_, err = f.svc.CreateHome(f.ctx, f.actor, f.wharf, hmHome("2", "social-rent", "1234567890123"))
	hmMessage(t, err, "uprn", UPRNMessage)
	// No UPRN yet is fine for a home not built.
	if _, err := f.svc.CreateHome(f.ctx, f.actor, f.wharf, hmHome("3", "social-rent", "")); err != nil {
		t.Fatal(err)
	}
	// The database's own index refuses it too (SQL on purpose: the service bypassed).
	_, err = f.svc.DB.Pool.Exec(f.ctx, `INSERT INTO homes (development_id, plot, tenure, bedrooms, uprn) VALUES ($1, '9', 'market', 1, '0000123')`, f.wharf)
	if !store.IsUniqueViolation(err, "homes_uprn_key") {
		t.Fatalf("database insert of a duplicate UPRN: %v", err)
	}
	if n := f.count(`SELECT count(*) FROM homes`); n != 2 {
		t.Fatalf("%d homes, want 2", n)
	}
}

func TestPlotIsUniqueWithinADevelopmentIgnoringCase(t *testing.T) {
	t.Parallel()
	f := newHMFixture(t)
	if _, err := f.svc.CreateHome(f.ctx, f.actor, f.mill, hmHome("A-1", "social-rent", "")); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.CreateHome(f.ctx, f.actor, f.mill, hmHome("a-1", "market", ""))
	hmMessage(t, err, "plot", "There is already a plot A-1 in this development: each plot must be unique")
	if _, err := f.svc.CreateHome(f.ctx, f.actor, f.wharf, hmHome("A-1", "market", "")); err != nil {
		t.Fatalf("the same plot in another development: %v", err)
	}
}

func TestObligationMustBeOneOfTheHomesOwnDevelopment(t *testing.T) {
	t.Parallel()
	f := newHMFixture(t)
	in := hmHome("1", "social-rent", "")
	in.ObligationID = &f.wharfOb
	_, err := f.svc.CreateHome(f.ctx, f.actor, f.mill, in)
	hmMessage(t, err, "obligation", "Select an affordable-housing obligation of this development")
	// The database's trigger refuses it too (SQL on purpose: the service bypassed).
	_, err = f.svc.DB.Pool.Exec(f.ctx, `INSERT INTO homes (development_id, obligation_id, plot, tenure, bedrooms) VALUES ($1, $2, '1', 'social-rent', 1)`, f.mill, f.wharfOb)
	if !store.IsCheckViolation(err, "home_obligation_of_development") {
		t.Fatalf("database insert with another development's obligation: %v", err)
	}
	// A market home delivers no obligation.
	in = hmHome("2", "market", "")
	in.ObligationID = &f.millOb
	_, err = f.svc.CreateHome(f.ctx, f.actor, f.mill, in)
	hmMessage(t, err, "obligation", "A market home delivers no affordable-housing obligation: choose an affordable tenure or no obligation")
	in.Tenure = "shared-ownership"
	if _, err := f.svc.CreateHome(f.ctx, f.actor, f.mill, in); err != nil {
		t.Fatal(err)
	}
}

func TestHomeValidationNamesEveryField(t *testing.T) {
	t.Parallel()
	f := newHMFixture(t)
	zero := decimal.Zero
	_, err := f.svc.CreateHome(f.ctx, f.actor, f.mill, HomeInput{Bedrooms: hmInt(11), HabitableRooms: hmInt(0), FloorAreaM2: &zero, Wheelchair: "m4-9"})
	hmMessage(t, err, "plot", "Enter the plot or unit number")
	hmMessage(t, err, "tenure", "Select the tenure the home was secured as")
	hmMessage(t, err, "bedrooms", "Bedrooms must be between 0 and 10")
	hmMessage(t, err, "habitable_rooms", "Habitable rooms must be between 1 and 20")
	hmMessage(t, err, "floor_area_m2", "Floor area must be more than 0 and at most 99,999.99 m²")
	hmMessage(t, err, "wheelchair", "Select a wheelchair standard from the list")
}

func TestHomeEditOnAStaleVersionIsAConflictAndAudited(t *testing.T) {
	t.Parallel()
	f := newHMFixture(t)
	h, err := f.svc.CreateHome(f.ctx, f.actor, f.mill, hmHome("1", "social-rent", ""))
	if err != nil {
		t.Fatal(err)
	}
	in := hmHome("1", "affordable-rent", "100023336956")
	saved, err := f.svc.UpdateHome(f.ctx, f.actor, h.ID, h.Version, in)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Tenure != AffordableRent || saved.UPRN != "100023336956" || saved.Version != h.Version+1 {
		t.Fatalf("saved = %+v", saved)
	}
	if _, err := f.svc.UpdateHome(f.ctx, f.actor, h.ID, h.Version, hmHome("1", "market", "")); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale edit: %v, want a conflict", err)
	}
	events, _ := audit.ForEntity(f.ctx, f.svc.DB.Pool, EntityHome, hmID(h.ID), 10)
	if len(events) != 2 || events[0].Summary != "Changed plot 1" {
		t.Fatalf("audit = %+v", events)
	}
}

func TestACompletedHomeKeepsItsUPRN(t *testing.T) {
	t.Parallel()
	f := newHMFixture(t)
	h, err := f.svc.CreateHome(f.ctx, f.actor, f.mill, hmHome("1", "social-rent", "100023336956"))
	if err != nil {
		t.Fatal(err)
	}
	testEvent(t, f.svc, h.ID, EventInput{Kind: EventCompleted, Date: day("2026-01-10"), Evidence: "BC"})
	_, err = f.svc.UpdateHome(f.ctx, f.actor, h.ID, h.Version, hmHome("1", "social-rent", ""))
	hmMessage(t, err, "uprn", "A completed home must keep its UPRN")
	// Changing it to another UPRN is allowed.
	if _, err := f.svc.UpdateHome(f.ctx, f.actor, h.ID, h.Version, hmHome("1", "social-rent", "100023336957")); err != nil {
		t.Fatal(err)
	}
}

func TestGenerateAddsNHomesAllOrNothing(t *testing.T) {
	t.Parallel()
	f := newHMFixture(t)
	in := GenerateInput{Count: hmInt(5), Prefix: "A-", Start: hmInt(1),
		Home: HomeInput{Tenure: "shared-ownership", Bedrooms: hmInt(1), Wheelchair: "none", ObligationID: &f.millOb, ProviderID: &f.providerID}}
	made, err := f.svc.GenerateHomes(f.ctx, f.actor, f.mill, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != 5 || made[0].Plot != "A-1" || made[4].Plot != "A-5" {
		t.Fatalf("made %+v", made)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE entity_type = 'home' AND action = 'home.generate'`); n != 5 {
		t.Fatalf("%d audit events, want 5", n)
	}
	// Plots exist: nothing of A-4…A-6 is added.
	in.Start = hmInt(4)
	in.Count = hmInt(3)
	_, err = f.svc.GenerateHomes(f.ctx, f.actor, f.mill, in)
	hmMessage(t, err, "start", "Plots A-4, A-5 already exist in this development: choose another prefix or first plot number")
	if n := f.count(`SELECT count(*) FROM homes WHERE development_id = $1`, f.mill); n != 5 {
		t.Fatalf("%d homes after a clash, want 5", n)
	}
	in.Count = hmInt(501)
	_, err = f.svc.GenerateHomes(f.ctx, f.actor, f.mill, in)
	hmMessage(t, err, "count", "Number of homes must be between 1 and 500")
	in.Count, in.Home.Tenure = hmInt(2), "market"
	_, err = f.svc.GenerateHomes(f.ctx, f.actor, f.mill, in)
	hmMessage(t, err, "obligation", "A market home delivers no affordable-housing obligation: choose an affordable tenure or no obligation")
}

func TestHomesListSearchesAndFilters(t *testing.T) {
	t.Parallel()
	f := newHMFixture(t)
	a, _ := f.svc.CreateHome(f.ctx, f.actor, f.mill, HomeInput{Plot: "2", Tenure: "social-rent", Bedrooms: hmInt(2), Address: "2 Mill Lane", Postcode: "WV1 1AA", UPRN: "00000123", ProviderID: &f.providerID})
	b, _ := f.svc.CreateHome(f.ctx, f.actor, f.mill, HomeInput{Plot: "10", Tenure: "market", Bedrooms: hmInt(3), Postcode: "WV1 1AB"})
	c, _ := f.svc.CreateHome(f.ctx, f.actor, f.wharf, HomeInput{Plot: "1", Tenure: "social-rent", Bedrooms: hmInt(1), UPRN: "555"})
	testEvent(t, f.svc, c.ID, EventInput{Kind: EventCompleted, Date: day("2026-01-10"), Evidence: "BC"})
	ids := func(q string) []int64 {
		t.Helper()
		p := listing.Parse(mustQuery(t, q), HomeSorts, "development", false)
		page, err := f.svc.ListHomes(f.ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, h := range page.Items {
			out = append(out, h.ID)
		}
		if page.Total != len(out) {
			t.Fatalf("%s: total %d for %d rows", q, page.Total, len(out))
		}
		return out
	}
	check := func(q string, want ...int64) {
		t.Helper()
		got := ids(q)
		if len(got) != len(want) {
			t.Fatalf("%s: got %v, want %v", q, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: got %v, want %v", q, got, want)
			}
		}
	}
	check("", c.ID, a.ID, b.ID) // Canal Wharf, then Mill Lane in plot order 2, 10
	check("q=123", a.ID)        // UPRN as a number
	check("q=wv11ab", b.ID)     // postcode without its space
	check("q=wharf", c.ID)      // development name
	check("development="+hmID(f.mill), a.ID, b.ID)
	check("provider="+hmID(f.providerID), a.ID)
	check("tenure=market", b.ID)
	check("state=completed", c.ID)
	check("sort=plot&dir=desc", b.ID, a.ID, c.ID)
	all, err := f.svc.ExportHomes(f.ctx, listing.Parse(mustQuery(t, "tenure=social-rent"), HomeSorts, "development", false))
	if err != nil || len(all) != 2 {
		t.Fatalf("export = %d homes, %v", len(all), err)
	}
}
