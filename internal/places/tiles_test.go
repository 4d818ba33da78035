package places_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/s106monitor/s106/internal/places"
)

func TestTileXYNumbersAKnownPointAsTileServersDo(t *testing.T) {
	t.Parallel()
	// Trafalgar Square (51.5072°N, 0.1276°W) at zoom 10 is OpenStreetMap's
	// tile 10/511/340: x = (180 − 0.1276)/360 × 1024 = 511.6, y =
	// (1 − ln(tan φ + sec φ)/π)/2 × 1024 = 340.5.
	if x, y := places.TileXY(places.Point{Lat: 51.5072, Lon: -0.1276}, 10); x != 511 || y != 340 {
		t.Errorf("tile %d/%d, want 511/340", x, y)
	}
	// Zoom 0 is the one tile of the world. The demo district's north-west
	// corner (51.12°N, 1.5°W) at zoom 12: x = 178.5/360 × 4096 = 2030.9,
	// y = 0.33434 × 4096 = 1369.4.
	if x, y := places.TileXY(places.Point{Lat: 51.5072, Lon: -0.1276}, 0); x != 0 || y != 0 {
		t.Errorf("zoom 0: %d/%d", x, y)
	}
	if x, y := places.TileXY(places.Point{Lat: 51.12, Lon: -1.5}, 12); x != 2030 || y != 1369 {
		t.Errorf("zoom 12: %d/%d, want 2030/1369", x, y)
	}
}

// tileCorner is the north-west corner of tile x, y at zoom z (the
// inverse of the slippy-map formula).
func tileCorner(z, x, y int) places.Point {
	n := math.Exp2(float64(z))
	return places.Point{
		Lon: float64(x)/n*360 - 180,
		Lat: math.Atan(math.Sinh(math.Pi*(1-2*float64(y)/n))) * 180 / math.Pi,
	}
}

func TestTilesCoverTheDrawingWhereTheProjectionPutsThem(t *testing.T) {
	t.Parallel()
	p := places.NewProjection(places.Bounds{MinLat: 51, MinLon: -1.5, MaxLat: 51.12, MaxLon: -1.25})
	if got := p.Tiles(places.TileSource{}); got != nil {
		t.Fatalf("no tile server, yet %d tiles", len(got))
	}
	src := places.TileSource{URL: "https://tiles.test.example/osm/{z}/{x}/{y}.png?key=k", Attribution: "© OpenStreetMap contributors"}
	// The drawing is 0.25° / 0.96 = 0.2604° of longitude across, 1/1382 of
	// the world: at zoom 12 that is 4096 × 256 / 1382 = 758 tile pixels,
	// between 512 and 1,024.
	if z := p.TileZoom(); z != 12 {
		t.Fatalf("zoom %d, want 12", z)
	}
	tiles := p.Tiles(src)
	if len(tiles) == 0 {
		t.Fatal("no tiles")
	}
	f := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	first, last := tiles[0], tiles[len(tiles)-1]
	if f(first.Left) > 0 || f(first.Top) > 0 || f(last.Left)+f(last.Width) < p.Width || f(last.Top)+f(last.Height) < p.Height {
		t.Errorf("tiles %v to %v do not cover 0,0–%v,%v", first, last, p.Width, p.Height)
	}
	// The first tile is the one holding the drawing's north-west corner
	// (20 units of margin beyond the area's corner), 3 or 4 across.
	if first.X != 2030 || first.Y != 1369 || len(tiles) > 25 {
		t.Errorf("first tile %d/%d of %d", first.X, first.Y, len(tiles))
	}
	for i, tl := range tiles {
		// Each tile sits where the projection puts its north-west corner.
		x, y := p.Project(tileCorner(tl.Z, tl.X, tl.Y))
		if math.Abs(f(tl.Left)-x) > 0.051 || math.Abs(f(tl.Top)-y) > 0.051 {
			t.Errorf("tile %d/%d at %s,%s, its corner projects to %.2f,%.2f", tl.X, tl.Y, tl.Left, tl.Top, x, y)
		}
		want := "https://tiles.test.example/osm/12/" + strconv.Itoa(tl.X) + "/" + strconv.Itoa(tl.Y) + ".png?key=k"
		if tl.Href != want {
			t.Errorf("href %q, want %q", tl.Href, want)
		}
		// Neighbours meet exactly: no hairline gaps.
		if i > 0 && tiles[i-1].Y == tl.Y && math.Abs(f(tiles[i-1].Left)+f(tiles[i-1].Width)-f(tl.Left)) > 1e-9 {
			t.Errorf("gap before tile %d/%d", tl.X, tl.Y)
		}
	}
}

func TestTileTemplateIsCheckedAndItsOriginAllowed(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"https://tiles.example/{z}/{x}.png", "ftp://tiles.example/{z}/{x}/{y}.png", "/tiles/{z}/{x}/{y}.png"} {
		if places.CheckTileTemplate(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	good := "https://api.os.uk/maps/raster/v1/zxy/Light_3857/{z}/{x}/{y}.png?key=abc"
	if err := places.CheckTileTemplate(good); err != nil {
		t.Error(err)
	}
	if o := (places.TileSource{URL: good}).Origin(); o != "https://api.os.uk" {
		t.Errorf("origin %q", o)
	}
	if o := (places.TileSource{URL: "http://127.0.0.1:8123/{z}/{x}/{y}.png"}).Origin(); o != "http://127.0.0.1:8123" {
		t.Errorf("origin %q", o)
	}
	if o := (places.TileSource{}).Origin(); o != "" {
		t.Errorf("no tile server, origin %q", o)
	}
}
