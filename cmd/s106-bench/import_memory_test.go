package main

import (
	"context"
	"testing"

	"github.com/s106monitor/s106/internal/testdb"
)

// The bench's import memory figure comes from a child process that really
// imports the generated register: its rows are in the database afterwards
// and the kernel reports the child's own peak (not the parent's).
func TestImportInChildImportsTheRegisterAndReportsItsPeakRSS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.URL(t)
	res, peakMB, err := importInChild(ctx, url, 1500)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Committed || res.Rows != 1500 {
		t.Fatalf("child: %+v, want 1,500 rows committed", res)
	}
	db := testdb.Open(t, url)
	var obligations, receipts int
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM obligations), (SELECT count(*) FROM receipts)`).Scan(&obligations, &receipts); err != nil {
		t.Fatal(err)
	}
	if obligations != 500 || receipts != 500 {
		t.Fatalf("after the child's import: %d obligations and %d receipts, want 500 of each", obligations, receipts)
	}
	// A Go process that opened a database and imported anything has
	// some megabytes resident; zero would mean the figure was not read.
	if peakMB < 5 || peakMB > 4096 {
		t.Fatalf("peak RSS %.1f MB: not a measured figure", peakMB)
	}
}
