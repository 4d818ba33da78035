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

// Projection turns latitude and longitude into map coordinates: Web
// Mercator (EPSG:3857), the projection of every XYZ tile server (the OS
// Maps API's "_3857" layers, OpenStreetMap), scaled so the area fits a
// drawing MapWidth wide. It keeps a district its true shape (at 51°N a
// degree of longitude is drawn 0.63 of a degree of latitude, as on the
// ground), and an optional tile layer (tiles.go) lines up with the
// boundaries and markers drawn over it. (Until the tile layer it was an
// equirectangular projection shrunk by the cosine of the middle latitude;
// over a district's few kilometres the two differ by under a unit.)
type Projection struct {
	Bounds Bounds
	// minX, minY: the north-west corner in Mercator units (0–1 across
	// the world, y south from 85.05°N).
	minX, minY float64
	scale      float64 // map units per Mercator unit
	Width      float64
	Height     float64
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
	p := Projection{Bounds: b, Width: MapWidth}
	var maxX, maxY float64
	p.minX, p.minY = Mercator(Point{Lat: b.MaxLat, Lon: b.MinLon})
	maxX, maxY = Mercator(Point{Lat: b.MinLat, Lon: b.MaxLon})
	p.scale = (MapWidth - 2*mapPad) / (maxX - p.minX)
	p.Height = math.Ceil((maxY-p.minY)*p.scale + 2*mapPad)
	return p
}

// Mercator is pt in Web Mercator's unit square: x east from 180°W, y
// south from 85.05°N, each 0 to 1 (a tile at zoom z is 1/2^z of it).
func Mercator(pt Point) (x, y float64) {
	lat := pt.Lat * math.Pi / 180
	x = (pt.Lon + 180) / 360
	y = (1 - math.Log(math.Tan(lat)+1/math.Cos(lat))/math.Pi) / 2
	return x, y
}

// Project returns the map coordinates of pt: x east from the left edge,
// y south from the top.
func (p Projection) Project(pt Point) (x, y float64) {
	mx, my := Mercator(pt)
	return p.fromMercator(mx, my)
}

func (p Projection) fromMercator(mx, my float64) (x, y float64) {
	return mapPad + (mx-p.minX)*p.scale, mapPad + (my-p.minY)*p.scale
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
