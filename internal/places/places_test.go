package places_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/places"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// loadDemo loads the made-up council's postcodes, wards and parishes.
func loadDemo(t *testing.T, db *store.DB) places.LoadResult {
	t.Helper()
	ctx := context.Background()
	actor := audit.Actor{Label: "test"}
	f, _ := places.Demo.Open("demo/wessex-vale-onspd.csv")
	defer f.Close()
	res, err := places.LoadONSPD(ctx, db, actor, f, places.DemoLocalAuthority)
	if err != nil {
		t.Fatal(err)
	}
	for kind, name := range map[places.AreaKind]string{places.Ward: "demo/wessex-vale-wards.geojson", places.Parish: "demo/wessex-vale-parishes.geojson"} {
		g, _ := places.Demo.Open(name)
		if _, err := places.LoadBoundaries(ctx, db, actor, g, kind, places.DemoLocalAuthority); err != nil {
			t.Fatal(err)
		}
		g.Close()
	}
	return res
}

func TestONSPDLoadKeepsOnlyTheCouncilsLivePostcodes(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	res := loadDemo(t, db)
	// 15 rows: one in another authority, one terminated (doterm), one
	// without a grid reference (lat 99.999999).
	if res.Read != 15 || res.Kept != 12 || res.Skipped != 2 {
		t.Fatalf("result %+v, want 15 read, 12 kept, 2 skipped", res)
	}
	ctx := context.Background()
	p, printed, err := places.LookupPostcode(ctx, db.Pool, " wv37qa ")
	if err != nil || printed != "WV3 7QA" || p.Lat != 51.09 || p.Lon != -1.445 {
		t.Fatalf("lookup: %v %q %v", p, printed, err)
	}
	for _, gone := range []string{"ZZ1 1ZZ", "WV3 9ZZ", "WV6 0NG"} {
		if _, _, err := places.LookupPostcode(ctx, db.Pool, gone); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: %v, want not found", gone, err)
		}
	}
	var wards, parishes int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE kind = 'ward'), count(*) FILTER (WHERE kind = 'parish') FROM areas`).Scan(&wards, &parishes); err != nil {
		t.Fatal(err)
	}
	if wards != 4 || parishes != 2 {
		t.Errorf("%d wards and %d parishes, want 4 and 2 (the other authority's ward left out)", wards, parishes)
	}
}

func TestONSPDLoadNamesTheProblem(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	cases := map[string]struct{ file, lad, want string }{
		"not ONSPD":     {"name,address\nx,y\n", "E07999901", "no pcds, lat, long, oslaua (or lad..cd) column"},
		"bad postcode":  {"pcds,oslaua,lat,long\nNOT A CODE,E07999901,51,-1\n", "E07999901", `row 2, column pcds: "NOT A CODE" is not a postcode`},
		"wrong council": {"pcds,oslaua,lat,long\nWV1 1AA,E07000001,51,-1\n", "E07999901", "no postcode in the file is in local authority E07999901"},
		"no council":    {"pcds,oslaua,lat,long\n", "", "S106_LOCAL_AUTHORITY_CODE"},
	}
	for name, c := range cases {
		_, err := places.LoadONSPD(ctx, db, audit.Actor{Label: "test"}, strings.NewReader(c.file), c.lad)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

func TestDistanceIsHaversine(t *testing.T) {
	t.Parallel()
	// One degree of latitude is 111.2 km on the mean sphere.
	d := places.Distance(places.Point{Lat: 51, Lon: -1}, places.Point{Lat: 52, Lon: -1})
	if math.Abs(d-111195) > 5 {
		t.Errorf("one degree of latitude: %.0f m", d)
	}
	// London (51.5074, -0.1278) to Paris (48.8566, 2.3522) is about 343.5 km.
	if d := places.Distance(places.Point{Lat: 51.5074, Lon: -0.1278}, places.Point{Lat: 48.8566, Lon: 2.3522}); math.Abs(d-343500) > 1000 {
		t.Errorf("London to Paris: %.0f m", d)
	}
	if got := places.FormatDistance(430); got != "430 metres" {
		t.Errorf("%q", got)
	}
	if got := places.FormatDistance(2500); got != "2.5 km (1.6 miles)" {
		t.Errorf("%q", got)
	}
}

func TestResolveFindsPostcodesDistrictsAndPlaces(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	loadDemo(t, db)
	ctx := context.Background()
	for text, want := range map[string]string{
		"wv9 4hd":        "WV9 4HD",
		"Little Bramley": "Little Bramley parish",
		"riverside":      "Riverside ward",
		"Ashford N":      "Ashford North ward",
		"wv2":            "WV2",
	} {
		p, err := places.Resolve(ctx, db.Pool, text)
		if err != nil || p.Label != want {
			t.Errorf("%q: %q %v, want %q", text, p.Label, err, want)
		}
	}
	if _, err := places.Resolve(ctx, db.Pool, "Atlantis"); !errors.Is(err, places.ErrPlaceNotFound) {
		t.Errorf("Atlantis: %v", err)
	}
	if _, err := places.Resolve(ctx, db.Pool, "ZZ1 1ZZ"); !errors.Is(err, places.ErrPlaceNotFound) {
		t.Errorf("a postcode outside the council: %v", err)
	}
}

func TestNearestSortsByDistance(t *testing.T) {
	t.Parallel()
	pts := map[string]places.Point{"far": {Lat: 51.2, Lon: -1.4}, "near": {Lat: 51.01, Lon: -1.4}, "nowhere": {}}
	names := []string{"far", "nowhere", "near"}
	got := places.Nearest(names, func(n string) (places.Point, bool) { p := pts[n]; return p, p.Lat != 0 }, places.Point{Lat: 51, Lon: -1.4}, 10)
	if len(got) != 2 || got[0].Item != "near" || got[1].Item != "far" || math.Abs(got[0].Distance-1112) > 2 {
		t.Fatalf("%+v", got)
	}
}

func TestProjectionPlacesAKnownPoint(t *testing.T) {
	t.Parallel()
	p := places.NewProjection(places.Bounds{MinLat: 51, MinLon: -1.5, MaxLat: 51.12, MaxLon: -1.25})
	// The corners land on the padding; the north-west corner top left.
	if x, y := p.Project(places.Point{Lat: 51.12, Lon: -1.5}); x != 20 || y != 20 {
		t.Errorf("north-west corner at %v,%v", x, y)
	}
	if x, _ := p.Project(places.Point{Lat: 51, Lon: -1.25}); math.Abs(x-980) > 1e-9 {
		t.Errorf("east edge at %v", x)
	}
	// Web Mercator: 960 units for 0.25° of longitude; a degree of
	// latitude is drawn sec(latitude) times a degree of longitude (about
	// 1/cos(51.06°) = 1.591), so 0.12° of latitude is about 733 units
	// tall: the same 774 with the margins as the equirectangular
	// projection this replaced.
	perUnit := 960 / (0.25 / 360)
	if math.Abs(p.Height-math.Ceil((mercY(51)-mercY(51.12))*perUnit+40)) > 1e-9 || p.ViewBox() != "0 0 1000 774" {
		t.Errorf("height %v viewBox %q", p.Height, p.ViewBox())
	}
	// Mill Lane (51.09, -1.445): 0.055° east and 0.03° south of the
	// corner. (Equirectangular put it at 231.2,203.3: Web Mercator moves
	// it 0.2 units south, no more.)
	x, y := p.Project(places.Point{Lat: 51.09, Lon: -1.445})
	if places.Num(x) != "231.2" || places.Num(y) != "203.5" {
		t.Errorf("Mill Lane at %s,%s", places.Num(x), places.Num(y))
	}
}

// mercY is Web Mercator's y for a latitude from the textbook formula
// ln(tan(π/4 + φ/2)), as a check on places.Mercator's
// (1 − ln(tan φ + sec φ)/π)/2.
func mercY(lat float64) float64 {
	return (1 - math.Log(math.Tan(math.Pi/4+lat*math.Pi/360))/math.Pi) / 2
}
