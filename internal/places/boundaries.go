package places

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/store"
)

// AreaKind is what kind of area a boundary draws.
type AreaKind string

// The kinds of area on the map.
const (
	Ward   AreaKind = "ward"
	Parish AreaKind = "parish"
)

// MaxBoundaryBytes bounds a boundary file: a district's wards or parishes
// at ONS's "generalised" resolution are a few megabytes; the full-extent
// national files are not meant for this.
const MaxBoundaryBytes = 64 << 20

// ONS Open Geography names the code and name properties after the
// geography and its vintage: WD24CD/WD24NM for wards, PAR24CD/PAR24NM
// (or PARNCP24CD/PARNCP24NM) for parishes, LAD24CD for the local authority.
var (
	wardCode   = regexp.MustCompile(`(?i)^wd[0-9]{2}cd$`)
	wardName   = regexp.MustCompile(`(?i)^wd[0-9]{2}nm$`)
	parishCode = regexp.MustCompile(`(?i)^par(ncp)?[0-9]{2}cd$`)
	parishName = regexp.MustCompile(`(?i)^par(ncp)?[0-9]{2}nm$`)
	ladCodeKey = regexp.MustCompile(`(?i)^lad[0-9]{2}cd$`)
)

type geoFeature struct {
	Properties map[string]any  `json:"properties"`
	Geometry   json.RawMessage `json:"geometry"`
}

type geoGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// Polygon is rings of [longitude, latitude] pairs; the first ring is the
// outline, any others holes.
type Polygon [][][2]float64

// Area is a ward or parish with its shape.
type Area struct {
	Kind     AreaKind
	Code     string
	Name     string
	Polygons []Polygon
}

// Bounds is a latitude/longitude box.
type Bounds struct {
	MinLat, MinLon, MaxLat, MaxLon float64
}

// Empty reports whether nothing was added to the box.
func (b Bounds) Empty() bool { return b.MinLat > b.MaxLat }

func emptyBounds() Bounds {
	return Bounds{MinLat: math.Inf(1), MinLon: math.Inf(1), MaxLat: math.Inf(-1), MaxLon: math.Inf(-1)}
}

// Add widens the box to hold p.
func (b *Bounds) Add(p Point) {
	b.MinLat, b.MaxLat = math.Min(b.MinLat, p.Lat), math.Max(b.MaxLat, p.Lat)
	b.MinLon, b.MaxLon = math.Min(b.MinLon, p.Lon), math.Max(b.MaxLon, p.Lon)
}

// Centre is the middle of the box.
func (b Bounds) Centre() Point { return Point{(b.MinLat + b.MaxLat) / 2, (b.MinLon + b.MaxLon) / 2} }

// Bounds is the box around the area's outlines.
func (a Area) Bounds() Bounds {
	b := emptyBounds()
	for _, poly := range a.Polygons {
		for _, ring := range poly {
			for _, c := range ring {
				b.Add(Point{Lat: c[1], Lon: c[0]})
			}
		}
	}
	return b
}

// parseGeometry reads a GeoJSON Polygon or MultiPolygon.
func parseGeometry(raw json.RawMessage) ([]Polygon, error) {
	var g geoGeometry
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, err
	}
	switch g.Type {
	case "Polygon":
		var p Polygon
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return nil, err
		}
		return []Polygon{p}, nil
	case "MultiPolygon":
		var ps []Polygon
		if err := json.Unmarshal(g.Coordinates, &ps); err != nil {
			return nil, err
		}
		return ps, nil
	}
	return nil, fmt.Errorf("geometry %q is not a Polygon or MultiPolygon", g.Type)
}

// ParseBoundaries reads an ONS Open Geography GeoJSON FeatureCollection of
// wards or parishes (in WGS84: download the file "in WGS84" or as
// GeoJSON from the Open Geography Portal, whose GeoJSON is WGS84), keeping
// the features of local authority ladCode when the file says which
// authority each belongs to. Feature n is named in errors.
func ParseBoundaries(r io.Reader, kind AreaKind, ladCode string) ([]Area, error) {
	var fc struct {
		Type     string       `json:"type"`
		Features []geoFeature `json:"features"`
	}
	lr := &io.LimitedReader{R: r, N: MaxBoundaryBytes + 1}
	if err := json.NewDecoder(lr).Decode(&fc); err != nil {
		if lr.N <= 0 {
			return nil, &FileError{Msg: "the boundary file is larger than 64 MB: download the generalised (BGC) boundaries"}
		}
		return nil, &FileError{Msg: "this is not a GeoJSON file: " + err.Error()}
	}
	if fc.Type != "FeatureCollection" {
		return nil, &FileError{Msg: "this is not a GeoJSON FeatureCollection"}
	}
	codeKey, nameKey := wardCode, wardName
	if kind == Parish {
		codeKey, nameKey = parishCode, parishName
	}
	var out []Area
	for i, f := range fc.Features {
		var code, name, lad string
		for k, v := range f.Properties {
			s, _ := v.(string)
			switch {
			case codeKey.MatchString(k):
				code = strings.TrimSpace(s)
			case nameKey.MatchString(k):
				name = strings.TrimSpace(s)
			case ladCodeKey.MatchString(k):
				lad = strings.TrimSpace(s)
			}
		}
		if code == "" || name == "" {
			return nil, &FileError{Row: i + 1, Msg: fmt.Sprintf("feature %d has no %s code and name property (such as WD24CD and WD24NM, or PAR24CD and PAR24NM)", i+1, kind)}
		}
		if ladCode != "" && lad != "" && !strings.EqualFold(lad, ladCode) {
			continue
		}
		polys, err := parseGeometry(f.Geometry)
		if err != nil {
			return nil, &FileError{Row: i + 1, Msg: fmt.Sprintf("feature %d (%s): %v", i+1, name, err)}
		}
		a := Area{Kind: kind, Code: code, Name: name, Polygons: polys}
		b := a.Bounds()
		if b.Empty() || b.MinLat < 49 || b.MaxLat > 61 || b.MinLon < -9 || b.MaxLon > 2 {
			return nil, &FileError{Row: i + 1, Msg: fmt.Sprintf("feature %d (%s) is not in Great Britain in longitude and latitude: use the WGS84 (EPSG:4326) file", i+1, name)}
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, &FileError{Msg: fmt.Sprintf("no %s in the file belongs to local authority %s", kind, ladCode)}
	}
	return out, nil
}

// LoadBoundaries replaces the areas of one kind with those of an ONS
// GeoJSON file (ParseBoundaries), all or nothing, and audits the load.
func LoadBoundaries(ctx context.Context, db *store.DB, actor audit.Actor, r io.Reader, kind AreaKind, ladCode string) (int, error) {
	if kind != Ward && kind != Parish {
		return 0, &FileError{Msg: fmt.Sprintf("kind %q is not ward or parish", kind)}
	}
	areas, err := ParseBoundaries(r, kind, ladCode)
	if err != nil {
		return 0, err
	}
	err = db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM areas WHERE kind = $1`, kind); err != nil {
			return err
		}
		for _, a := range areas {
			geom, err := json.Marshal(map[string]any{"type": "MultiPolygon", "coordinates": a.Polygons})
			if err != nil {
				return err
			}
			b := a.Bounds()
			if _, err := tx.Exec(ctx, `INSERT INTO areas (kind, code, name, geometry, min_lat, min_lon, max_lat, max_lon)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, kind, a.Code, a.Name, geom, b.MinLat, b.MinLon, b.MaxLat, b.MaxLon); err != nil {
				if store.IsUniqueViolation(err, "areas_pkey") {
					return &FileError{Msg: fmt.Sprintf("the file lists %s %s twice", kind, a.Code)}
				}
				return err
			}
		}
		return audit.Record(ctx, tx, actor, "areas.load", "areas", string(kind),
			fmt.Sprintf("Loaded %d %s boundaries", len(areas), kind), nil, map[string]any{"areas": len(areas)})
	})
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			return 0, fe
		}
		return 0, fmt.Errorf("load %s boundaries: %w", kind, err)
	}
	return len(areas), nil
}

// Areas reads every ward and parish with its shape, wards first.
func Areas(ctx context.Context, q store.Querier) ([]Area, error) {
	rows, err := q.Query(ctx, `SELECT kind, code, name, geometry FROM areas ORDER BY kind DESC, name`)
	if err != nil {
		return nil, fmt.Errorf("areas: %w", err)
	}
	var out []Area
	var a Area
	var geom json.RawMessage
	_, err = pgx.ForEachRow(rows, []any{&a.Kind, &a.Code, &a.Name, &geom}, func() error {
		polys, err := parseGeometry(geom)
		if err != nil {
			return fmt.Errorf("area %s %s: %w", a.Kind, a.Code, err)
		}
		a.Polygons = polys
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("areas: %w", err)
	}
	return out, nil
}
