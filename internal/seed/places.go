package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/places"
	"github.com/s106monitor/s106/internal/store"
)

// DemoPlaces loads the made-up council's postcodes, wards and
// parishes (internal/places/demo) when none are loaded yet.
func DemoPlaces(ctx context.Context, db *store.DB) error {
	var have bool
	if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM postcodes) OR EXISTS (SELECT 1 FROM areas)`).Scan(&have); err != nil {
		return err
	}
	if have {
		return nil
	}
	f, err := places.Demo.Open("demo/wessex-vale-onspd.csv")
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := places.LoadONSPD(ctx, db, seedActor, f, places.DemoLocalAuthority); err != nil {
		return err
	}
	// A slice, not a map: the load order is the order of the audit
	// entries, which the export prints (and the render snapshot compares).
	for _, b := range []struct {
		kind places.AreaKind
		name string
	}{{places.Ward, "demo/wessex-vale-wards.geojson"}, {places.Parish, "demo/wessex-vale-parishes.geojson"}} {
		kind := b.kind
		g, err := places.Demo.Open(b.name)
		if err != nil {
			return err
		}
		_, err = places.LoadBoundaries(ctx, db, seedActor, g, kind, places.DemoLocalAuthority)
		g.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// LargePlaces gives the large council a map: its wards as a grid of
// boxes over a made-up district, and each development's postcode a point
// inside its ward's box (so "near me", the map and the ward pages have
// the large council's numbers to work on).
func LargePlaces(ctx context.Context, db *store.DB) error {
	const cols = 6
	const (
		north, west = 51.20, -1.60
		cellLat     = 0.03
		cellLon     = 0.05
	)
	return db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM areas; DELETE FROM postcodes`); err != nil {
			return err
		}
		box := map[string][4]float64{}
		for i, w := range largeWards {
			top := north - float64(i/cols)*cellLat
			left := west + float64(i%cols)*cellLon
			b := [4]float64{top - cellLat, left, top, left + cellLon}
			box[w] = b
			ring := [][2]float64{{b[1], b[0]}, {b[1], b[2]}, {b[3], b[2]}, {b[3], b[0]}, {b[1], b[0]}}
			geom, _ := json.Marshal(map[string]any{"type": "MultiPolygon", "coordinates": [][][][2]float64{{ring}}})
			if _, err := tx.Exec(ctx, `INSERT INTO areas (kind, code, name, geometry, min_lat, min_lon, max_lat, max_lon)
				VALUES ('ward', $1, $2, $3, $4, $5, $6, $7)`, fmt.Sprintf("E0599%04d", i+1), w, geom, b[0], b[1], b[2], b[3]); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `SELECT DISTINCT ON (upper(replace(postcode, ' ', ''))) upper(replace(postcode, ' ', '')), postcode, ward
			FROM developments WHERE postcode <> '' ORDER BY upper(replace(postcode, ' ', '')), id`)
		if err != nil {
			return err
		}
		var batch [][]any
		var pc, printed, ward string
		if _, err := pgx.ForEachRow(rows, []any{&pc, &printed, &ward}, func() error {
			b, ok := box[ward]
			if !ok {
				return nil
			}
			h := fnv.New64a()
			h.Write([]byte(pc))
			v := h.Sum64()
			lat := b[0] + cellLat*(0.05+0.9*float64(v%1000)/1000)
			lon := b[1] + cellLon*(0.05+0.9*float64((v/1000)%1000)/1000)
			batch = append(batch, []any{pc, printed, lat, lon, "", "", places.DemoLocalAuthority})
			return nil
		}); err != nil {
			return err
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"postcodes"}, []string{"postcode", "pcds", "latitude", "longitude", "ward_code", "parish_code", "lad_code"}, pgx.CopyFromRows(batch))
		return err
	})
}
