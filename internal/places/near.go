package places

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/store"
)

// earthRadiusMetres is the mean radius of the Earth (IUGG), which the
// haversine formula treats as a sphere: within a district the error
// against the ellipsoid is well under 0.5%.
const earthRadiusMetres = 6371008.8

// Distance is the great-circle distance between a and b in metres, by the
// haversine formula.
func Distance(a, b Point) float64 {
	rad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusMetres * math.Asin(math.Min(1, math.Sqrt(h)))
}

// FormatDistance says a distance as residents read it: metres to a
// kilometre, then kilometres and miles to one decimal place.
func FormatDistance(m float64) string {
	if m < 1000 {
		return fmt.Sprintf("%d metres", int(math.Round(m/10)*10))
	}
	return fmt.Sprintf("%.1f km (%.1f miles)", m/1000, m/1609.344)
}

// Located is something with a position and the distance to it.
type Located[T any] struct {
	Item     T
	Distance float64 // metres
}

// Nearest sorts items by distance from origin, nearest first (ties by
// their order in items), and keeps at most n.
func Nearest[T any](items []T, at func(T) (Point, bool), origin Point, n int) []Located[T] {
	var out []Located[T]
	for _, it := range items {
		if p, ok := at(it); ok {
			out = append(out, Located[T]{Item: it, Distance: Distance(origin, p)})
		}
	}
	slices.SortStableFunc(out, func(a, b Located[T]) int {
		switch {
		case a.Distance < b.Distance:
			return -1
		case a.Distance > b.Distance:
			return 1
		}
		return 0
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// Place is where a resident's search points to.
type Place struct {
	Label string // what was found, e.g. "WV3 7QA" or "Ashford North ward"
	Point Point
}

// ErrPlaceNotFound means neither a postcode nor a place of that name is
// in the council's directory.
var ErrPlaceNotFound = errors.New("place not found")

// Resolve finds what a resident typed: a full postcode, a postcode
// district or sector ("WV3", "WV3 7"), or the name of a ward or parish.
func Resolve(ctx context.Context, q store.Querier, text string) (Place, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Place{}, ErrPlaceNotFound
	}
	if p, printed, err := LookupPostcode(ctx, q, text); err == nil {
		return Place{Label: printed, Point: p}, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return Place{}, err
	}
	var pl Place
	var kind string
	// A ward or parish by name: the middle of its outline's box.
	err := q.QueryRow(ctx, `
		SELECT kind, name, (min_lat + max_lat) / 2, (min_lon + max_lon) / 2 FROM areas
		WHERE lower(name) = lower($1) OR lower(name) LIKE lower($2) ESCAPE '\'
		ORDER BY lower(name) = lower($1) DESC, kind DESC, name LIMIT 1`, text, likePrefix(text)).
		Scan(&kind, &pl.Label, &pl.Point.Lat, &pl.Point.Lon)
	if err == nil {
		pl.Label += " " + kind
		return pl, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return Place{}, fmt.Errorf("resolve place: %w", err)
	}
	// Part of a postcode: the middle of its postcodes.
	if prefix, _ := NormalisePostcode(text); len(prefix) >= 2 && len(prefix) <= 5 && postcodePrefix(prefix) {
		var n int
		err := q.QueryRow(ctx, `SELECT count(*), coalesce(avg(latitude), 0)::float8, coalesce(avg(longitude), 0)::float8
			FROM postcodes WHERE postcode LIKE $1`, prefix+"%").Scan(&n, &pl.Point.Lat, &pl.Point.Lon)
		if err != nil {
			return Place{}, fmt.Errorf("resolve postcode district: %w", err)
		}
		if n > 0 {
			pl.Label = strings.ToUpper(strings.TrimSpace(text))
			return pl, nil
		}
	}
	return Place{}, ErrPlaceNotFound
}

// postcodePrefix reports whether s (normalised) starts like a postcode:
// letters then a digit.
func postcodePrefix(s string) bool {
	i := 0
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' {
		i++
	}
	return i >= 1 && i <= 2 && i < len(s) && s[i] >= '0' && s[i] <= '9'
}

func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}
