package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

func TestImportAndExportCommands(t *testing.T) {
	ctx := context.Background()
	srcURL := testdb.URL(t)
	src, err := store.Open(ctx, srcURL)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := seed.Demo(ctx, src); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Setenv("DATABASE_URL", srcURL)
	var out bytes.Buffer
	if err := runExportTo(ctx, []string{dir}, &out); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"agreements.csv", "obligations.csv", "projects.csv", "receipts.csv", "ledger.csv", "homes.csv", "audit.csv"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Fatalf("export did not write %s: %v", name, err)
		}
	}

	dstURL := testdb.URL(t)
	dst, err := store.Open(ctx, dstURL)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	t.Setenv("DATABASE_URL", dstURL)
	var srcObligations int
	src.Pool.QueryRow(ctx, `SELECT count(*) FROM obligations`).Scan(&srcObligations)

	out.Reset()
	if err := runImportTo(ctx, []string{"--dry-run", dir}, &out); err != nil {
		t.Fatalf("dry run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "dry run: no errors") || !strings.Contains(out.String(), "would create: agreements") {
		t.Fatalf("dry-run report:\n%s", out.String())
	}
	var n int
	dst.Pool.QueryRow(ctx, `SELECT count(*) FROM obligations`).Scan(&n)
	if n != 0 {
		t.Fatalf("--dry-run wrote %d obligations", n)
	}
	out.Reset()
	if err := runImportTo(ctx, []string{dir}, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	dst.Pool.QueryRow(ctx, `SELECT count(*) FROM obligations`).Scan(&n)
	if n != srcObligations || !strings.Contains(out.String(), "committed") {
		t.Fatalf("imported %d obligations, want %d\n%s", n, srcObligations, out.String())
	}

	// A file with an error: the report names file, row and column, and the
	// command fails.
	bad := filepath.Join(t.TempDir(), "obligations.csv")
	os.WriteFile(bad, []byte("obligation_ref,agreement_ref,purpose,description\nX1,NOPE,education,Money\n"), 0o644)
	out.Reset()
	err = runImportTo(ctx, []string{bad}, &out)
	if err == nil || !strings.Contains(out.String(), `error: obligations.csv, row 2, column agreement_ref: no agreement "NOPE"`) {
		t.Fatalf("err %v, report:\n%s", err, out.String())
	}
}
