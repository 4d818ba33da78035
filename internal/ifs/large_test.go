package ifs

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/store"
)

// TestBuildLargeDataset builds a year's statement on the large dataset
// (`s106 seed --scale large`, ~200,000 ledger entries). It runs only when
// S106_LARGE_DATABASE_URL points at such a database:
//
//	S106_LARGE_DATABASE_URL=postgres://… go test ./internal/ifs -run Large -v
//
// It logs the time; the 1 s target is measured by `make bench`
// (cmd/s106-bench, "IFS statement"), not asserted in a test.
func TestBuildLargeDataset(t *testing.T) {
	url := os.Getenv("S106_LARGE_DATABASE_URL")
	if url == "" {
		t.Skip("S106_LARGE_DATABASE_URL is not set")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var entries int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM ledger_entries`).Scan(&entries); err != nil {
		t.Fatal(err)
	}
	svc := &Service{DB: db}
	for _, year := range []int{2020, 2023, 2025} {
		began := time.Now()
		st, err := svc.Build(ctx, year)
		took := time.Since(began)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d ledger entries: statement %s built in %s (b = %s, %d projects)", entries, st.Label(), took.Round(time.Millisecond), st.B, len(st.Projects))
	}
	began := time.Now()
	sum, err := Checksum(ctx, db.Pool, 2025)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("checksum of the 2025/26 source rows %s… in %s (publishing only)", sum[:12], time.Since(began).Round(time.Millisecond))
}
