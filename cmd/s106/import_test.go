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

// Not parallel: it sets environment variables (t.Setenv), which Go
// refuses in a parallel test.
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

	// The template CSVs import anywhere; the directory as a whole (with its
	// restore folder) restores.
	templateFiles, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	out.Reset()
	if err := runImportTo(ctx, append([]string{"--dry-run"}, templateFiles...), &out); err != nil {
		t.Fatalf("dry run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "dry run: no errors") || !strings.Contains(out.String(), "would create: developments") {
		t.Fatalf("dry-run report:\n%s", out.String())
	}
	var n int
	dst.Pool.QueryRow(ctx, `SELECT count(*) FROM obligations`).Scan(&n)
	if n != 0 {
		t.Fatalf("--dry-run wrote %d obligations", n)
	}
	out.Reset()
	if err := runImportTo(ctx, templateFiles, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	dst.Pool.QueryRow(ctx, `SELECT count(*) FROM obligations`).Scan(&n)
	if n != srcObligations || !strings.Contains(out.String(), "committed") {
		t.Fatalf("imported %d obligations, want %d\n%s", n, srcObligations, out.String())
	}
	// The whole directory restores into an empty database, and not over a
	// register.
	out.Reset()
	if err := runImportTo(ctx, []string{dir}, &out); err == nil || !strings.Contains(err.Error(), "already holds a register") {
		t.Fatalf("a restore over a register: %v\n%s", err, out.String())
	}
	emptyURL := testdb.URL(t)
	t.Setenv("DATABASE_URL", emptyURL)
	t.Setenv("S106_OWNER_DATABASE_URL", testdb.As(t, emptyURL, testdb.Owner))
	out.Reset()
	if err := runImportTo(ctx, []string{"--dry-run", dir}, &out); err != nil || !strings.Contains(out.String(), "dry run: would restore") {
		t.Fatalf("restore dry run: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := runImportTo(ctx, []string{dir}, &out); err != nil || !strings.Contains(out.String(), "restored ") {
		t.Fatalf("restore: %v\n%s", err, out.String())
	}
	restored, err := store.Open(ctx, emptyURL)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	restored.Pool.QueryRow(ctx, `SELECT count(*) FROM obligations`).Scan(&n)
	if n != srcObligations {
		t.Fatalf("restored %d obligations, want %d", n, srcObligations)
	}
	t.Setenv("DATABASE_URL", dstURL)

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

// TestImportSkipInvalidOnACouncilsPublishedFiles: Bolton's files as
// published have rows that cannot be imported. The dry run lists them and
// exits 0 (only rows --skip-invalid would leave out); the import without
// --skip-invalid writes nothing; with it, everything else is written in
// one transaction, the report lists each left-out row (also as CSV), and
// a re-run changes nothing. A file the import cannot read at all makes
// the dry run fail.
// Not parallel: it sets environment variables (t.Setenv), which Go
// refuses in a parallel test.
func TestImportSkipInvalidOnACouncilsPublishedFiles(t *testing.T) {
	dir := "../../../shared/data/developer-contributions/BOL"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("the councils' files are not here: %v", err)
	}
	ctx := context.Background()
	url := testdb.URL(t)
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t.Setenv("DATABASE_URL", url)
	count := func() (n int) {
		db.Pool.QueryRow(ctx, `SELECT count(*) FROM obligations`).Scan(&n)
		return n
	}
	var out bytes.Buffer
	if err := runImportTo(ctx, []string{"--dry-run", dir}, &out); err != nil {
		t.Fatalf("dry run exits 1 (%v); want 0 when --skip-invalid would leave the faulty rows out:\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), `left out: developer-agreement-contribution.csv, row 28, column developer-agreement ("36912/92-da"): no agreement "36912/92-da" in the developer-agreement file or the register [£15464.38]`) ||
		!strings.Contains(out.String(), "with --skip-invalid the 12 rows listed as left out would be left out") {
		t.Fatalf("dry-run report:\n%s", out.String())
	}
	out.Reset()
	if err := runImportTo(ctx, []string{dir}, &out); err == nil || count() != 0 {
		t.Fatalf("without --skip-invalid: err %v, %d obligations written; want all or nothing", err, count())
	}
	report := filepath.Join(t.TempDir(), "left-out.csv")
	out.Reset()
	if err := runImportTo(ctx, []string{"--skip-invalid", "--report", report, dir}, &out); err != nil {
		t.Fatalf("--skip-invalid: %v\n%s", err, out.String())
	}
	if count() != 106 || !strings.Contains(out.String(), "committed") {
		t.Fatalf("%d obligations imported, want 106:\n%s", count(), out.String())
	}
	csvData, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(csvData), "\ufefffile,row,column,value,reason,money,cause\n") ||
		!strings.Contains(string(csvData), `developer-agreement-transaction.csv,125,developer-agreement-contribution,37395/90-dc1,"no contribution ""37395/90-dc1"" in the developer-agreement-contribution file or the register",7685.32,file`) ||
		strings.Count(string(csvData), "\n") != 13 {
		t.Fatalf("left-out CSV:\n%s", csvData)
	}
	out.Reset()
	if err := runImportTo(ctx, []string{"--skip-invalid", dir}, &out); err != nil || !strings.Contains(out.String(), "created: none") {
		t.Fatalf("re-run: %v\n%s", err, out.String())
	}
	// A file-level fault is not something --skip-invalid can leave out.
	bad := filepath.Join(t.TempDir(), "obligations.csv")
	os.WriteFile(bad, []byte("agreement_ref,purpose\nS1,education\n"), 0o644)
	out.Reset()
	if err := runImportTo(ctx, []string{"--dry-run", bad}, &out); err == nil {
		t.Fatalf("a dry run of a file missing required columns exits 0:\n%s", out.String())
	}
}
