package web

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/s106monitor/s106/internal/browsertest"
)

// tileServer is a local stand-in for an XYZ tile server: every
// /{z}/{x}/{y}.png is a 256-pixel pale green PNG. It counts the tiles
// asked for, so a test can tell that the browser fetched them (which the
// page's Content-Security-Policy must allow).
func tileServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for y := range 256 {
		for x := range 256 {
			img.Set(x, y, color.RGBA{R: 0xe8, G: 0xf0, B: 0xe0, A: 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	var asked atomic.Int64
	tilePath := regexp.MustCompile(`^/\d+/\d+/\d+\.png$`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !tilePath.MatchString(r.URL.Path) {
			http.NotFound(w, r)
			return
		}
		asked.Add(1)
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(buf.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv, &asked
}

const tileAttribution = "© Crown copyright and database rights 2026 OS AC0000000000"

var tileImagePattern = regexp.MustCompile(`<image href="([^"]+)" x="([-0-9.]+)" y="([-0-9.]+)" width="([0-9.]+)" height="([0-9.]+)"`)

func TestMapHasNoTilesAndNoOtherHostUnlessConfigured(t *testing.T) {
	app := newTestApp(t)
	seedPublicFixture(t, app)
	ts := anonymous(newTestServer(t, app))
	for _, page := range []string{"/public/map", "/public/wards/north-ward"} {
		res := ts.get(t, page)
		if res.status != http.StatusOK {
			t.Fatalf("%s: status %d", page, res.status)
		}
		if !strings.Contains(res.body, `<svg id="map"`) {
			t.Errorf("%s: no map drawn", page)
		}
		if strings.Contains(res.body, "<image") || strings.Contains(res.body, "data-map-attribution") || strings.Contains(res.body, "Background map") {
			t.Errorf("%s: tiles or their credit with no tile server configured", page)
		}
		if csp := res.header.Get("Content-Security-Policy"); csp != contentSecurityPolicy || !strings.Contains(csp, "img-src 'self' data:;") {
			t.Errorf("%s: CSP %q, want the default", page, csp)
		}
	}
}

func TestMapDrawsConfiguredTilesUnderTheBoundariesWithTheirCredit(t *testing.T) {
	app := newTestApp(t)
	seedPublicFixture(t, app)
	app.Config.MapTilesURL = "https://tiles.test.example/os/{z}/{x}/{y}.png?key=k1"
	app.Config.MapTilesAttribution = tileAttribution
	ts := anonymous(newTestServer(t, app))
	res := ts.get(t, "/public/map")
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	// The CSP lets images come from the tile server, and only there.
	if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https://tiles.test.example;") || strings.Count(csp, "tiles.test.example") != 1 {
		t.Errorf("CSP %q", csp)
	}
	tiles := tileImagePattern.FindAllStringSubmatch(res.body, -1)
	// The demo wards (51.00–51.12°N, 1.50–1.25°W) are drawn at 960 units
	// for 0.25° of longitude, 1,382,400 units across the world, so a
	// zoom-12 tile is 1,382,400 / 4096 = 337.5 units. The drawing's
	// north-west corner is in tile 2030/1369, whose own corner (178.4326°E
	// of 180°W, 51.1289°N) lies 315 units west and 25.8 north of the
	// wards' corner, which is at 20,20: so at -295,-5.8. Four tiles across
	// (to 1055) and three down (to 1006.7) cover the 1000 × 774 drawing.
	if len(tiles) != 12 {
		t.Fatalf("%d tiles, want 12\n%s", len(tiles), excerpt(res.body))
	}
	first := tiles[0][1:]
	if want := []string{"https://tiles.test.example/os/12/2030/1369.png?key=k1", "-295", "-5.8", "337.5", "337.5"}; fmt.Sprint(first) != fmt.Sprint(want) {
		t.Errorf("first tile %v, want %v", first, want)
	}
	last := tiles[11][1:]
	if want := []string{"https://tiles.test.example/os/12/2033/1371.png?key=k1", "717.5", "669.2", "337.5", "337.5"}; fmt.Sprint(last) != fmt.Sprint(want) {
		t.Errorf("last tile %v, want %v", last, want)
	}
	// Under the boundaries: the tiles come before the first ward's outline,
	// and the markers are where they are without tiles.
	if strings.Index(res.body, "<image") > strings.Index(res.body, `data-area="ward:`) {
		t.Error("tiles drawn over the boundaries")
	}
	if m := markerPattern.FindStringSubmatch(res.body); m == nil || m[3] != "Mill Lane" || m[4] != "672.8" || m[5] != "172.9" {
		t.Errorf("Mill Lane marker %v", m)
	}
	// The credit the licence requires is shown below the map.
	if !strings.Contains(res.body, `data-map-attribution="map">Background map: `+tileAttribution+`</span>`) {
		t.Errorf("no attribution\n%s", excerpt(res.body))
	}
	// A ward's page is fitted to the ward, so its tiles differ, but come
	// from the same server.
	res = ts.get(t, "/public/wards/north-ward")
	if n := strings.Count(res.body, `<image href="https://tiles.test.example/os/`); res.status != http.StatusOK || n == 0 || !strings.Contains(res.body, tileAttribution) {
		t.Errorf("ward page: status %d, %d tiles", res.status, n)
	}
}

func TestContentSecurityPolicyNamesOnlyTheConfiguredTileHost(t *testing.T) {
	t.Parallel()
	app := &Application{Config: testConfig()}
	if got := contentSecurityPolicyFor(app.tileSource()); got != contentSecurityPolicy {
		t.Errorf("unset: %q", got)
	}
	app.Config.MapTilesURL = "https://api.os.uk/maps/raster/v1/zxy/Light_3857/{z}/{x}/{y}.png?key=abc"
	if got := contentSecurityPolicyFor(app.tileSource()); !strings.Contains(got, "img-src 'self' data: https://api.os.uk;") || strings.Contains(got, "key=") {
		t.Errorf("OS Maps API: %q", got)
	}
	app.Config.MapTilesURL = "not a template"
	if got := contentSecurityPolicyFor(app.tileSource()); got != contentSecurityPolicy {
		t.Errorf("a bad template widened the CSP: %q", got)
	}
}

// TestMapWithTilesIsAccessibleAndFitsAPhone loads the map with tiles from
// a local tile server in Chromium at 320 px: the browser fetches the
// tiles (so the CSP allows them), the page does not scroll sideways, and
// axe-core finds nothing.
func TestMapWithTilesIsAccessibleAndFitsAPhone(t *testing.T) {
	app := newTestApp(t)
	seedPublicFixture(t, app)
	tiles, asked := tileServer(t)
	app.Config.MapTilesURL = tiles.URL + "/{z}/{x}/{y}.png"
	app.Config.MapTilesAttribution = tileAttribution
	ts := newTestServer(t, app)
	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 800), chromedp.Navigate(ts.URL+"/public/map")); err != nil {
		t.Fatal(err)
	}
	checkNarrow(t, ctx, "map with tiles")
	if n := asked.Load(); n != 12 {
		t.Errorf("the browser fetched %d tiles, want the 12 on the map", n)
	}
	if text := mainText(t, ctx); !strings.Contains(text, "Background map: "+tileAttribution) {
		t.Errorf("attribution not shown:\n%s", text)
	}
}
