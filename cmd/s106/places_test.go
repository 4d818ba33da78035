package main

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/places"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

func TestPlacesCommandLoadsTheCouncilsPostcodesWardsAndParishes(t *testing.T) {
	url := testdb.URL(t)
	t.Setenv("DATABASE_URL", url)
	t.Setenv("S106_LOCAL_AUTHORITY_CODE", places.DemoLocalAuthority)
	dir := t.TempDir()
	for _, name := range []string{"wessex-vale-onspd.csv", "wessex-vale-wards.geojson", "wessex-vale-parishes.geojson"} {
		data, err := fs.ReadFile(places.Demo, "demo/"+name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"postcodes", filepath.Join(dir, "wessex-vale-onspd.csv")},
		{"wards", filepath.Join(dir, "wessex-vale-wards.geojson")},
		{"parishes", filepath.Join(dir, "wessex-vale-parishes.geojson")},
	} {
		if err := runPlaces(args); err != nil {
			t.Fatalf("places %v: %v", args, err)
		}
	}
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var postcodes, areas int
	if err := db.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM postcodes), (SELECT count(*) FROM areas)`).Scan(&postcodes, &areas); err != nil {
		t.Fatal(err)
	}
	if postcodes != 12 || areas != 6 {
		t.Errorf("%d postcodes and %d areas, want 12 and 6", postcodes, areas)
	}
	// Another council's code keeps nothing, and says so.
	t.Setenv("S106_LOCAL_AUTHORITY_CODE", "E07000999")
	if err := runPlaces([]string{"postcodes", filepath.Join(dir, "wessex-vale-onspd.csv")}); err == nil || !strings.Contains(err.Error(), "no postcode in the file is in local authority E07000999") {
		t.Errorf("wrong council: %v", err)
	}
	if err := runPlaces([]string{"stars", "x"}); err == nil {
		t.Error("an unknown kind was accepted")
	}
}
