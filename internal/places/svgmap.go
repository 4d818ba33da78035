package places

import (
	"math"
	"strconv"
	"strings"
)

// MapWidth is the width of the map's drawing in SVG user units; the page
// scales it to the screen (viewBox with width 100%), so the number only
// sets the precision of the coordinates written.
const MapWidth = 1000.0

// mapPad keeps markers on the edge of the council's area inside the
// drawing.
const mapPad = 20.0

// Projection turns latitude and longitude into map coordinates: an
// equirectangular projection centred on the area, with longitude shrunk
// by the cosine of the middle latitude so that a district looks its true
// shape (at 51°N a degree of longitude is 0.63 of a degree of latitude).
// Over a district's few kilometres it is within a fraction of a per cent
// of the Ordnance Survey's projection, and needs no OSGB grid transform.
type Projection struct {
	Bounds Bounds
	cosLat float64
	scale  float64 // map units per degree of latitude
	Width  float64
	Height float64
}

// NewProjection fits bounds into a drawing MapWidth wide.
func NewProjection(b Bounds) Projection {
	if b.Empty() {
		b = Bounds{MinLat: 50, MaxLat: 50.01, MinLon: -1, MaxLon: -0.99}
	}
	// A single point (or a row of them) still needs an area to draw.
	const minSpan = 0.005
	if b.MaxLat-b.MinLat < minSpan {
		c := (b.MinLat + b.MaxLat) / 2
		b.MinLat, b.MaxLat = c-minSpan/2, c+minSpan/2
	}
	if b.MaxLon-b.MinLon < minSpan {
		c := (b.MinLon + b.MaxLon) / 2
		b.MinLon, b.MaxLon = c-minSpan/2, c+minSpan/2
	}
	p := Projection{Bounds: b, cosLat: math.Cos((b.MinLat + b.MaxLat) / 2 * math.Pi / 180), Width: MapWidth}
	p.scale = (MapWidth - 2*mapPad) / ((b.MaxLon - b.MinLon) * p.cosLat)
	p.Height = math.Ceil((b.MaxLat-b.MinLat)*p.scale + 2*mapPad)
	return p
}

// Project returns the map coordinates of pt: x east from the left edge,
// y south from the top.
func (p Projection) Project(pt Point) (x, y float64) {
	x = mapPad + (pt.Lon-p.Bounds.MinLon)*p.cosLat*p.scale
	y = mapPad + (p.Bounds.MaxLat-pt.Lat)*p.scale
	return x, y
}

// ViewBox is the SVG viewBox attribute.
func (p Projection) ViewBox() string {
	return "0 0 " + num(p.Width) + " " + num(p.Height)
}

// Path is an SVG path drawing the area's outlines and holes (fill-rule
// evenodd leaves the holes empty).
func (p Projection) Path(a Area) string {
	var b strings.Builder
	for _, poly := range a.Polygons {
		for _, ring := range poly {
			for i, c := range ring {
				x, y := p.Project(Point{Lat: c[1], Lon: c[0]})
				if i == 0 {
					b.WriteString("M")
				} else {
					b.WriteString("L")
				}
				b.WriteString(num(x) + " " + num(y))
			}
			b.WriteString("Z")
		}
	}
	return b.String()
}

// num writes a coordinate to a tenth of a unit (a thousandth of the
// map's width), which is finer than any screen shows.
func num(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

// Num is num for templates: a coordinate as SVG writes it.
func Num(f float64) string { return num(f) }
