package places

import (
	"errors"
	"math"
	"net/url"
	"strconv"
	"strings"
)

// The optional tile layer (issue 25, item 2: "an optional tile layer
// where the council configures one"). A council with an OS Maps API key,
// or any OpenStreetMap-compatible XYZ server, sets S106_MAP_TILES_URL to
// its {z}/{x}/{y} template and S106_MAP_TILES_ATTRIBUTION to the words
// its licence requires shown; the server then draws the tiles as SVG
// <image> elements under the boundaries, in the same Web Mercator
// projection, so the page still needs no JavaScript. Without the setting
// the map is the boundaries alone, and no page names another host.

// TileSize is the width of an XYZ tile in pixels (the OS Maps API ZXY
// service and OpenStreetMap both serve 256-pixel tiles).
const TileSize = 256

// MaxTileZoom is the deepest zoom asked for: OpenStreetMap's standard
// tiles stop at 19, and a district's map never needs more.
const MaxTileZoom = 19

// tileTargetPixels is how wide, in tile pixels, the map's drawing should
// be: the map is shown at most about 620 CSS pixels wide (two-thirds of
// the GOV.UK page), so 512–1,024 tile pixels keep it sharp on a
// high-density screen while asking for a dozen or two tiles, not
// hundreds.
const tileTargetPixels = 1024

// TileSource is a configured XYZ tile server.
type TileSource struct {
	URL         string // template with {z}, {x} and {y}
	Attribution string // shown below the map, as the licence requires
}

// Configured reports whether a tile server is set.
func (s TileSource) Configured() bool { return s.URL != "" }

// ErrTileTemplate explains what a tile template must look like.
var ErrTileTemplate = errors.New("must be an http(s) address with {z}, {x} and {y} in it, such as https://api.os.uk/maps/raster/v1/zxy/Light_3857/{z}/{x}/{y}.png?key=…")

// CheckTileTemplate reports whether tmpl is a usable XYZ template.
func CheckTileTemplate(tmpl string) error {
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(tmpl, p) {
			return ErrTileTemplate
		}
	}
	if tileOrigin(tmpl) == "" {
		return ErrTileTemplate
	}
	return nil
}

// Origin is the scheme and host the tiles come from (for the page's
// Content-Security-Policy img-src), or "" when none is configured.
func (s TileSource) Origin() string { return tileOrigin(s.URL) }

func tileOrigin(tmpl string) string {
	u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0").Replace(tmpl))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// Href is the address of tile x, y at zoom z.
func (s TileSource) Href(z, x, y int) string {
	return strings.NewReplacer("{z}", strconv.Itoa(z), "{x}", strconv.Itoa(x), "{y}", strconv.Itoa(y)).Replace(s.URL)
}

// TileXY is the tile holding pt at zoom z (the OpenStreetMap "slippy
// map" numbering: x east from 180°W, y south from 85.05°N).
func TileXY(pt Point, z int) (x, y int) {
	mx, my := Mercator(pt)
	n := math.Exp2(float64(z))
	return int(math.Floor(mx * n)), int(math.Floor(my * n))
}

// Tile is one tile image placed on the map, in map units.
type Tile struct {
	Z, X, Y                  int
	Left, Top, Width, Height string
	Href                     string
}

// TileZoom is the zoom at which the drawing is about tileTargetPixels of
// tiles across: the deepest at which it is no wider than that.
func (p Projection) TileZoom() int {
	span := p.Width / p.scale // the whole drawing, margins too, in Mercator units
	z := int(math.Floor(math.Log2(tileTargetPixels / (TileSize * span))))
	return min(max(z, 0), MaxTileZoom)
}

// Tiles are the tiles covering the whole drawing (margins included) at
// TileZoom, placed where the projection puts their corners. Each tile's
// edges are rounded as the boundaries' coordinates are, and its width
// runs to the next tile's rounded edge, so neighbours meet without a gap.
func (p Projection) Tiles(s TileSource) []Tile {
	if !s.Configured() {
		return nil
	}
	z := p.TileZoom()
	n := math.Exp2(float64(z))
	last := int(n) - 1
	// The drawing's corners in Mercator units.
	x0, y0 := p.minX-mapPad/p.scale, p.minY-mapPad/p.scale
	x1, y1 := x0+p.Width/p.scale, y0+p.Height/p.scale
	fromX, toX := max(int(math.Floor(x0*n)), 0), min(int(math.Ceil(x1*n))-1, last)
	fromY, toY := max(int(math.Floor(y0*n)), 0), min(int(math.Ceil(y1*n))-1, last)
	edge := func(tile int, origin float64) float64 {
		return math.Round((mapPad+(float64(tile)/n-origin)*p.scale)*10) / 10
	}
	var out []Tile
	for ty := fromY; ty <= toY; ty++ {
		top, bottom := edge(ty, p.minY), edge(ty+1, p.minY)
		for tx := fromX; tx <= toX; tx++ {
			left, right := edge(tx, p.minX), edge(tx+1, p.minX)
			out = append(out, Tile{
				Z: z, X: tx, Y: ty,
				Left: num(left), Top: num(top), Width: num(right - left), Height: num(bottom - top),
				Href: s.Href(z, tx, ty),
			})
		}
	}
	return out
}
