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

Writes everything a council needs to move elsewhere or to restore:

  - the register, ledger, homes and audit log as CSV files in the import
    template (agreements.csv, obligations.csv, projects.csv, receipts.csv,
    ledger.csv, homes.csv, audit.csv), to read and to import anywhere;
  - DIR/restore/: every table as the database holds it (parties and their
    company numbers, contacts, agreed-mix lines, index series and values,
    providers, events with evidence, projects, publication flags, users,
    alerts, the audit trail), with a manifest. 's106 import DIR' into an
    empty database restores it, giving the same pages, statements and
    dashboard. It holds personal data and password hashes: keep it safe.

Uses DATABASE_URL.
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
	files, err := imports.ExportAll(ctx, db)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, imports.RestoreDir), 0o700); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(f.Name)), f.Data, 0o600); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		fmt.Fprintf(out, "wrote %s (%d bytes)\n", filepath.Join(dir, f.Name), len(f.Data))
	}
	return nil
}
