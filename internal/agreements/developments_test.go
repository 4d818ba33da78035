package agreements_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// devToday is the fixed "today" of these tests.
var devToday = time.Date(2025, 6, 15, 10, 0, 0, 0, time.UTC)

var devActor = audit.Actor{Label: "Test officer"}

func newDevelopmentService(t *testing.T) *agreements.Service {
	t.Helper()
	return &agreements.Service{DB: testdb.New(t), Now: func() time.Time { return devToday }}
}

func devInt(n int) *int { return &n }

func devDec(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

func devDate(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// validDevelopment is a complete, valid development to vary in tests.
func validDevelopment(name string) agreements.DevelopmentInput {
	return agreements.DevelopmentInput{
		Name: name, Address: "1 River Road\nTestville", Postcode: "se1 9sg", Ward: "Riverside",
		Easting: devInt(532000), Northing: devInt(180000), HomesProposed: devInt(120), Notes: "Phased scheme",
	}
}

func mustRecordDevelopment(t *testing.T, svc *agreements.Service, in agreements.DevelopmentInput) agreements.Development {
	t.Helper()
	d, err := svc.RecordDevelopment(context.Background(), devActor, in)
	if err != nil {
		t.Fatalf("record development %q: %v", in.Name, err)
	}
	return d
}

func mustRecordApplication(t *testing.T, svc *agreements.Service, devID int64, ref string) agreements.PlanningApplication {
	t.Helper()
	a, err := svc.RecordApplication(context.Background(), devActor, devID, agreements.ApplicationInput{Reference: ref, Description: "Erection of homes", DecisionDate: devDate(2024, 3, 1)})
	if err != nil {
		t.Fatalf("record application %s: %v", ref, err)
	}
	return a
}

// fieldErrors returns the validation messages of err, failing if it is not a validation error.
func devFieldErrors(t *testing.T, err error) *forms.Errors {
	t.Helper()
	var errs *forms.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want validation errors, got %v", err)
	}
	return errs
}

func devAuditActions(t *testing.T, svc *agreements.Service, entityType string, id int64) string {
	t.Helper()
	events, err := audit.ForEntity(context.Background(), svc.DB.Pool, entityType, strconv.FormatInt(id, 10), 20)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
	}
	return strings.Join(actions, ",")
}

func TestNormalisePostcodeUpperCasesAndSpacesIt(t *testing.T) {
	t.Parallel()
	cases := map[string]string{"sw1a1aa": "SW1A 1AA", " SW1A  1AA ": "SW1A 1AA", "m11ae": "M1 1AE", "b33 8th": "B33 8TH", "cr2 6xh": "CR2 6XH", "dn551pt": "DN55 1PT"}
	for in, want := range cases {
		if got, ok := agreements.NormalisePostcode(in); !ok || got != want {
			t.Errorf("NormalisePostcode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"12345", "SW1A", "SW1A 1A", "ABC 123", "SW1A 1AAA", "1AA SW1"} {
		if _, ok := agreements.NormalisePostcode(bad); ok {
			t.Errorf("NormalisePostcode(%q) accepted a non-postcode", bad)
		}
	}
}

func TestRecordDevelopmentKeepsItsFieldsAndIsAudited(t *testing.T) {
	t.Parallel()
	svc := newDevelopmentService(t)
	ctx := context.Background()
	d := mustRecordDevelopment(t, svc, validDevelopment("  Riverside Wharf "))
	if d.Name != "Riverside Wharf" || d.Postcode != "SE1 9SG" || d.Ward != "Riverside" || *d.Easting != 532000 || *d.HomesProposed != 120 || d.Version != 1 {
		t.Fatalf("stored %+v", d)
	}
	got, err := svc.GetDevelopment(ctx, d.ID)
	if err != nil || got.Name != "Riverside Wharf" || got.Address != "1 River Road\nTestville" || got.Notes != "Phased scheme" {
		t.Fatalf("get: %+v, %v", got, err)
	}
	events, _ := audit.ForEntity(ctx, svc.DB.Pool, "development", strconv.FormatInt(d.ID, 10), 10)
	if len(events) != 1 || events[0].Action != "development.create" || events[0].After["postcode"] != "SE1 9SG" || events[0].ActorLabel != "Test officer" {
		t.Fatalf("audit %+v", events)
	}

	// Latitude and longitude are kept to 6 places, as decimals.
	in := validDevelopment("Hilltop")
	in.Easting, in.Northing = nil, nil
	in.Latitude, in.Longitude = devDec("51.5014"), devDec("-0.14189")
	h := mustRecordDevelopment(t, svc, in)
	if h.Latitude.String() != "51.5014" || h.Longitude.String() != "-0.14189" {
		t.Fatalf("lat/long %v %v", h.Latitude, h.Longitude)
	}

	if _, err := svc.GetDevelopment(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing development: %v", err)
	}
}

func TestDevelopmentValidationNamesEachProblem(t *testing.T) {
	t.Parallel()
	svc := newDevelopmentService(t)
	cases := []struct {
		name  string
		edit  func(*agreements.DevelopmentInput)
		field string
		msg   string
	}{
		{"missing name", func(in *agreements.DevelopmentInput) { in.Name = "  " }, "name", "Enter the development name"},
		{"bad postcode", func(in *agreements.DevelopmentInput) { in.Postcode = "NOT A CODE" }, "postcode", "Enter a real postcode, like SW1A 1AA"},
		{"easting without northing", func(in *agreements.DevelopmentInput) { in.Northing = nil }, "northing", "Enter the northing as well as the easting"},
		{"northing without easting", func(in *agreements.DevelopmentInput) { in.Easting = nil }, "easting", "Enter the easting as well as the northing"},
		{"easting off the grid", func(in *agreements.DevelopmentInput) { in.Easting = devInt(700001) }, "easting", "Easting must be between 0 and 700000"},
		{"negative northing", func(in *agreements.DevelopmentInput) { in.Northing = devInt(-1) }, "northing", "Northing must be between 0 and 1300000"},
		{"latitude without longitude", func(in *agreements.DevelopmentInput) {
			in.Easting, in.Northing, in.Latitude = nil, nil, devDec("51.5")
		}, "longitude", "Enter the longitude as well as the latitude"},
		{"longitude without latitude", func(in *agreements.DevelopmentInput) {
			in.Easting, in.Northing, in.Longitude = nil, nil, devDec("-0.1")
		}, "latitude", "Enter the latitude as well as the longitude"},
		{"latitude outside the UK", func(in *agreements.DevelopmentInput) {
			in.Easting, in.Northing, in.Latitude, in.Longitude = nil, nil, devDec("48.9"), devDec("-0.1")
		}, "latitude", "Latitude must be between 49 and 61"},
		{"longitude outside the UK", func(in *agreements.DevelopmentInput) {
			in.Easting, in.Northing, in.Latitude, in.Longitude = nil, nil, devDec("51.5"), devDec("2.5")
		}, "longitude", "Longitude must be between -9 and 2"},
		{"both kinds of coordinates", func(in *agreements.DevelopmentInput) {
			in.Latitude, in.Longitude = devDec("51.5"), devDec("-0.1")
		}, "latitude", "Enter either an easting and northing or a latitude and longitude, not both"},
		{"negative homes", func(in *agreements.DevelopmentInput) { in.HomesProposed = devInt(-3) }, "homes_proposed", "Homes proposed must be 0 or more"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := validDevelopment("Valid name")
			c.edit(&in)
			_, err := svc.RecordDevelopment(context.Background(), devActor, in)
			errs := devFieldErrors(t, err)
			if got := errs.Get(c.field); !strings.HasPrefix(got, c.msg) {
				t.Fatalf("%s: message %q, want %q (all: %v)", c.field, got, c.msg, errs)
			}
		})
	}
	var n int
	if err := svc.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM developments`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("invalid developments were saved: %d, %v", n, err)
	}
}

func TestStaleDevelopmentUpdateIsRefused(t *testing.T) {
	t.Parallel()
	svc := newDevelopmentService(t)
	ctx := context.Background()
	d := mustRecordDevelopment(t, svc, validDevelopment("Old Mill"))

	first := validDevelopment("Old Mill Quarter")
	first.Postcode = "m1 1ae"
	after, err := svc.UpdateDevelopment(ctx, devActor, d.ID, d.Version, first)
	if err != nil || after.Version != d.Version+1 || after.Postcode != "M1 1AE" {
		t.Fatalf("first update: %+v, %v", after, err)
	}
	if _, err := svc.UpdateDevelopment(ctx, devActor, d.ID, d.Version, validDevelopment("Second Edit")); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale update: %v, want conflict", err)
	}
	got, _ := svc.GetDevelopment(ctx, d.ID)
	if got.Name != "Old Mill Quarter" {
		t.Fatalf("the stale save changed the name to %q", got.Name)
	}
	if _, err := svc.UpdateDevelopment(ctx, devActor, 999999, 1, first); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing development: %v", err)
	}
	events, _ := audit.ForEntity(ctx, svc.DB.Pool, "development", strconv.FormatInt(d.ID, 10), 10)
	if events[0].Action != "development.update" {
		t.Fatalf("latest event %s", events[0].Action)
	}
	changed := map[string]bool{}
	for _, c := range events[0].Changes() {
		changed[c.Field] = true
	}
	if !changed["name"] || !changed["postcode"] || changed["ward"] {
		t.Fatalf("recorded changes %+v", events[0].Changes())
	}
}

func TestArchivingAndRestoringADevelopmentIsAudited(t *testing.T) {
	t.Parallel()
	svc := newDevelopmentService(t)
	ctx := context.Background()
	d := mustRecordDevelopment(t, svc, validDevelopment("Gasworks"))
	devInsertAgreement(t, svc, d.ID, "S106/1", 2) // archiving is allowed with agreements

	archived, err := svc.SetDevelopmentArchived(ctx, devActor, d.ID, d.Version, true)
	if err != nil || archived.ArchivedAt == nil || !archived.ArchivedAt.Equal(devToday) {
		t.Fatalf("archive: %+v, %v", archived, err)
	}
	if _, err := svc.SetDevelopmentArchived(ctx, devActor, d.ID, d.Version, false); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale restore: %v", err)
	}
	restored, err := svc.SetDevelopmentArchived(ctx, devActor, d.ID, archived.Version, false)
	if err != nil || restored.ArchivedAt != nil {
		t.Fatalf("restore: %+v, %v", restored, err)
	}
	if got := devAuditActions(t, svc, "development", d.ID); got != "development.restore,development.archive,development.create" {
		t.Fatalf("audit actions %s", got)
	}
}

func TestPlanningApplicationRules(t *testing.T) {
	t.Parallel()
	svc := newDevelopmentService(t)
	ctx := context.Background()
	wharf := mustRecordDevelopment(t, svc, validDevelopment("Riverside Wharf"))
	mill := mustRecordDevelopment(t, svc, validDevelopment("Old Mill"))
	app := mustRecordApplication(t, svc, wharf.ID, " 21/AP/1234 ")
	if app.Reference != "21/AP/1234" || app.DevelopmentID != wharf.ID || !app.DecisionDate.Equal(*devDate(2024, 3, 1)) {
		t.Fatalf("stored %+v", app)
	}

	cases := []struct {
		name  string
		in    agreements.ApplicationInput
		field string
		msg   string
	}{
		{"missing reference", agreements.ApplicationInput{Reference: " "}, "reference", "Enter the planning application reference"},
		{"decision in the future", agreements.ApplicationInput{Reference: "25/AP/0001", DecisionDate: devDate(2025, 6, 16)}, "decision_date", "Decision date must be today or in the past"},
		{"duplicate reference in another case", agreements.ApplicationInput{Reference: "21/ap/1234"}, "reference", "Planning application 21/AP/1234 is already recorded for the development Riverside Wharf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.RecordApplication(ctx, devActor, mill.ID, c.in)
			if got := devFieldErrors(t, err).Get(c.field); got != c.msg {
				t.Fatalf("message %q, want %q", got, c.msg)
			}
		})
	}
	// Decided today is fine.
	if _, err := svc.RecordApplication(ctx, devActor, mill.ID, agreements.ApplicationInput{Reference: "25/AP/0002", DecisionDate: devDate(2025, 6, 15)}); err != nil {
		t.Fatalf("decided today: %v", err)
	}
	if _, err := svc.RecordApplication(ctx, devActor, 999999, agreements.ApplicationInput{Reference: "25/AP/0003"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown development: %v", err)
	}

	// Editing: its own reference in another case is fine; another's is not; stale is refused.
	edited, err := svc.UpdateApplication(ctx, devActor, app.ID, app.Version, agreements.ApplicationInput{Reference: "21/ap/1234", Description: "Amended"})
	if err != nil || edited.Reference != "21/ap/1234" || edited.DecisionDate != nil || edited.Version != 2 {
		t.Fatalf("edit: %+v, %v", edited, err)
	}
	_, err = svc.UpdateApplication(ctx, devActor, app.ID, edited.Version, agreements.ApplicationInput{Reference: "25/ap/0002"})
	if got := devFieldErrors(t, err).Get("reference"); got != "Planning application 25/AP/0002 is already recorded for the development Old Mill" {
		t.Fatalf("duplicate on edit: %q", got)
	}
	if _, err := svc.UpdateApplication(ctx, devActor, app.ID, app.Version, agreements.ApplicationInput{Reference: "21/AP/9999"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale edit: %v", err)
	}
	if got := devAuditActions(t, svc, "planning_application", app.ID); got != "planning_application.update,planning_application.create" {
		t.Fatalf("audit actions %s", got)
	}
	list, err := svc.ApplicationsForDevelopment(ctx, mill.ID)
	if err != nil || len(list) != 1 || list[0].Reference != "25/AP/0002" {
		t.Fatalf("mill's applications %+v, %v", list, err)
	}
}

// devInsertAgreement records an agreement with n education obligations.
func devInsertAgreement(t *testing.T, svc *agreements.Service, developmentID int64, ref string, obligations int) int64 {
	t.Helper()
	fx := fixture.New(t, svc.DB)
	a := fx.Agreement(fixture.Agreement{Reference: ref, DevelopmentID: developmentID, Signed: "2024-05-01"})
	for i := 0; i < obligations; i++ {
		fx.Obligation(a.ID, fixture.Obligation{Description: "Pay the education contribution"})
	}
	return a.ID
}

func devParams(query string) listing.Params {
	v, _ := url.ParseQuery(query)
	return listing.Parse(v, agreements.DevelopmentSorts, "name", false)
}

func devNames(rows []agreements.DevelopmentRow) string {
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r.Name
	}
	return strings.Join(names, ",")
}

func TestListDevelopmentsSearchesFiltersSortsAndPages(t *testing.T) {
	t.Parallel()
	svc := newDevelopmentService(t)
	ctx := context.Background()
	for i := 1; i <= 60; i++ {
		in := agreements.DevelopmentInput{Name: fmt.Sprintf("Site %02d", i), Ward: "North", HomesProposed: devInt(i)}
		mustRecordDevelopment(t, svc, in)
	}
	alpha := validDevelopment("Alpha Yard")
	alpha.Ward, alpha.Postcode, alpha.HomesProposed = "East", "E1 6AN", devInt(500)
	a := mustRecordDevelopment(t, svc, alpha)
	mustRecordApplication(t, svc, a.ID, "22/AP/0777")
	mustRecordApplication(t, svc, a.ID, "22/AP/0100")
	devInsertAgreement(t, svc, a.ID, "S106/A1", 1)
	devInsertAgreement(t, svc, a.ID, "S106/A2", 0)
	beta := validDevelopment("Beta Works")
	beta.Ward, beta.Postcode, beta.HomesProposed = "East", "E2 7AA", nil
	b := mustRecordDevelopment(t, svc, beta)
	devInsertAgreement(t, svc, b.ID, "S106/B1", 0)
	gone := mustRecordDevelopment(t, svc, agreements.DevelopmentInput{Name: "Archived Depot", Ward: "East"})
	if _, err := svc.SetDevelopmentArchived(ctx, devActor, gone.ID, gone.Version, true); err != nil {
		t.Fatal(err)
	}

	page, err := svc.ListDevelopmentRows(ctx, devParams(""))
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 62 || len(page.Items) != 50 || page.Pages() != 2 || page.Items[0].Name != "Alpha Yard" {
		t.Fatalf("first page: total %d, %d rows, first %q", page.Total, len(page.Items), page.Items[0].Name)
	}
	if got := page.Items[0]; strings.Join(got.ApplicationReferences, ";") != "22/AP/0100;22/AP/0777" || got.AgreementCount != 2 {
		t.Fatalf("Alpha row %+v", got)
	}
	page2, _ := svc.ListDevelopmentRows(ctx, devParams("page=2"))
	if page2.Total != 62 || len(page2.Items) != 12 || page2.Items[11].Name != "Site 60" || page2.From() != 51 {
		t.Fatalf("page 2: total %d, %d rows: %s", page2.Total, len(page2.Items), devNames(page2.Items))
	}
	past, _ := svc.ListDevelopmentRows(ctx, devParams("page=9"))
	if past.Total != 62 || len(past.Items) != 0 {
		t.Fatalf("past the end: total %d, rows %d", past.Total, len(past.Items))
	}

	checks := []struct{ query, want string }{
		{"q=0777", "Alpha Yard"},                  // planning application reference
		{"q=e27aa", "Beta Works"},                 // postcode typed without its space
		{"q=river+road", "Alpha Yard,Beta Works"}, // address
		{"q=works", "Beta Works"},                 // name
		{"ward=East", "Alpha Yard,Beta Works"},    // archived hidden by default
		{"ward=East&archived=include", "Alpha Yard,Archived Depot,Beta Works"},
		{"archived=only", "Archived Depot"},
		{"ward=East&sort=homes&dir=desc", "Alpha Yard,Beta Works"},
		{"ward=East&sort=agreements", "Beta Works,Alpha Yard"},
		{"ward=East&sort=agreements&dir=desc", "Alpha Yard,Beta Works"},
		{"q=site+0&sort=homes&dir=desc", "Site 09,Site 08,Site 07,Site 06,Site 05,Site 04,Site 03,Site 02,Site 01"},
		{"q=100%25", ""}, // % is matched literally, not as a wildcard
	}
	for _, c := range checks {
		rows, err := svc.ExportDevelopments(ctx, devParams(c.query))
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if got := devNames(rows); got != c.want {
			t.Errorf("%s: got %s, want %s", c.query, got, c.want)
		}
	}
	sorted, _ := svc.ListDevelopmentRows(ctx, devParams("sort=ward"))
	if sorted.Items[0].Ward != "East" {
		t.Errorf("sort by ward: first is in %q", sorted.Items[0].Ward)
	}
	if wards, err := svc.Wards(ctx); err != nil || strings.Join(wards, ",") != "East,North" {
		t.Errorf("wards %v, %v", wards, err)
	}
	plain, err := svc.ListDevelopments(ctx, devParams("ward=East"))
	if err != nil || plain.Total != 2 || plain.Items[0].Name != "Alpha Yard" {
		t.Fatalf("ListDevelopments: %+v, %v", plain, err)
	}
}

func TestDevelopmentPageDataIncludesAgreementsAndApplicationHistory(t *testing.T) {
	t.Parallel()
	svc := newDevelopmentService(t)
	ctx := context.Background()
	d := mustRecordDevelopment(t, svc, validDevelopment("Canal Basin"))
	other := mustRecordDevelopment(t, svc, validDevelopment("Elsewhere"))
	app := mustRecordApplication(t, svc, d.ID, "23/AP/0042")
	mustRecordApplication(t, svc, other.ID, "23/AP/0043")
	agID := devInsertAgreement(t, svc, d.ID, "S106/CB/1", 3)
	devInsertAgreement(t, svc, other.ID, "S106/EW/1", 1)

	ags, err := svc.DevelopmentAgreements(ctx, d.ID)
	if err != nil || len(ags) != 1 {
		t.Fatalf("agreements %+v, %v", ags, err)
	}
	if a := ags[0]; a.ID != agID || a.Reference != "S106/CB/1" || a.Type != agreements.TypeS106 || a.Status != agreements.StatusLive ||
		a.ObligationCount != 3 || a.DateSigned.Format("2006-01-02") != "2024-05-01" {
		t.Fatalf("agreement row %+v", a)
	}

	if _, err := svc.UpdateApplication(ctx, devActor, app.ID, app.Version, agreements.ApplicationInput{Reference: "23/AP/0042", Description: "Amended"}); err != nil {
		t.Fatal(err)
	}
	history, err := svc.DevelopmentHistory(ctx, d.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range history {
		got = append(got, e.Action)
	}
	if strings.Join(got, ",") != "planning_application.update,planning_application.create,development.create" {
		t.Fatalf("history %v", got)
	}
}
