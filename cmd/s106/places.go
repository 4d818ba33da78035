package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/config"
	"github.com/s106monitor/s106/internal/places"
	"github.com/s106monitor/s106/internal/store"
)

// runPlaces implements `s106 places`: load the council's slice of the ONS
// Postcode Directory and its ward and parish boundaries (issue 25).
func runPlaces(args []string) error {
	fs := flag.NewFlagSet("places", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: s106 places postcodes ONSPD.csv
       s106 places wards BOUNDARIES.geojson
       s106 places parishes BOUNDARIES.geojson

postcodes reads the ONS Postcode Directory CSV (the national file, read
one row at a time) and keeps the live postcodes of the council's local
authority, S106_LOCAL_AUTHORITY_CODE (e.g. E07000123), replacing those
loaded before. wards and parishes read an ONS Open Geography GeoJSON file
in WGS84 (WD24CD/WD24NM, PAR24CD/PAR24NM …) and keep the council's.
Each load is all or nothing, and audited.
`)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return errors.New("say what to load and the file")
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	url, err := databaseURL()
	if err != nil {
		return err
	}
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	f, err := os.Open(fs.Arg(1))
	if err != nil {
		return err
	}
	defer f.Close()
	actor := audit.Actor{Label: "s106 places"}
	switch fs.Arg(0) {
	case "postcodes":
		res, err := places.LoadONSPD(ctx, db, actor, f, cfg.LocalAuthorityCode)
		if err != nil {
			return err
		}
		fmt.Printf("Read %d postcodes: kept %d of %s, left out %d terminated or without a grid reference.\n", res.Read, res.Kept, cfg.LocalAuthorityCode, res.Skipped)
	case "wards", "parishes":
		kind := places.Ward
		if fs.Arg(0) == "parishes" {
			kind = places.Parish
		}
		n, err := places.LoadBoundaries(ctx, db, actor, f, kind, cfg.LocalAuthorityCode)
		if err != nil {
			return err
		}
		fmt.Printf("Loaded %d %s boundaries of %s.\n", n, kind, cfg.LocalAuthorityCode)
	default:
		fs.Usage()
		return fmt.Errorf("unknown kind %q: postcodes, wards or parishes", fs.Arg(0))
	}
	return nil
}
