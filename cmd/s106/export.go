package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/s106monitor/s106/internal/imports"
)

// runExport writes everything as CSV files: s106 export DIR
func runExport(args []string) error {
	return runExportTo(context.Background(), args, os.Stdout)
}

func runExportTo(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: s106 export DIR

Writes the whole register, ledger, homes and audit log to DIR as CSV files
in the import template (agreements.csv, obligations.csv, projects.csv,
receipts.csv, ledger.csv, homes.csv, audit.csv), so 's106 import DIR' into
an empty database reproduces the same figures. Uses DATABASE_URL.
`)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("export: name one directory")
	}
	dir := fs.Arg(0)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	db, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	files, err := imports.Export(ctx, db.Pool)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		fmt.Fprintf(out, "wrote %s (%d bytes)\n", filepath.Join(dir, f.Name), len(f.Data))
	}
	return nil
}
