package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/imports"
	"github.com/s106monitor/s106/internal/store"
)

// runImport imports register files: s106 import [--dry-run] FILE|DIR…
func runImport(args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runImportTo(ctx, args, os.Stdout)
}

func runImportTo(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	dryRun := fs.Bool("dry-run", false, "check the files and report what would change; write nothing")
	skipInvalid := fs.Bool("skip-invalid", false, "import every valid row, leaving out rows with errors and the rows that depend on them")
	reportPath := fs.String("report", "", "also write the rows left out (and the CIL rows set aside) to this CSV file")
	mappingName := fs.String("mapping", "", "apply the saved mapping of this name (saved from the web import's preview)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: s106 import [--dry-run] [--skip-invalid] [--report FILE.csv] [--mapping NAME] FILE|DIR…

Imports the register template's CSV or XLSX files (agreements,
obligations, projects, receipts, ledger, homes — named after their sheet;
a directory means every .csv and .xlsx file in it, so the output of
's106 export DIR' imports as it is), or the government's
developer-contributions data standard CSVs as a council published them
(developer-agreement, developer-agreement-contribution,
developer-agreement-transaction; the 2020 layout or the current one, in
UTF-8, UTF-16 or Windows-1252). Community Infrastructure Levy rows are set
aside and listed. Re-importing the same files changes nothing. Uses
DATABASE_URL.

A directory written by 's106 export' (with its restore folder) is
restored as it was, table by table, into an empty database, as the
owner role (S106_OWNER_DATABASE_URL, or DATABASE_URL if that is not set).

Every row is checked first. Without --skip-invalid any error and nothing
is written (all or nothing). With --skip-invalid every valid row is
imported in one transaction and the rows with errors, and the rows that
depend on them, are left out and listed: file, row, the file's own column,
the value, the reason and the money the row carries (--report writes the
same list as CSV).

Exit status: 0 when the import was written (or, with --dry-run, when the
only problems are rows that --skip-invalid would leave out); 1 when
nothing was or would be written because of an error --skip-invalid cannot
leave out (a file that cannot be read, a missing column) or, without
--skip-invalid, any error; 2 for a usage mistake.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("import: name at least one file or directory")
	}
	if dir := fs.Arg(0); fs.NArg() == 1 {
		if _, err := os.Stat(filepath.Join(dir, imports.RestoreDir, "manifest.json")); err == nil {
			return runRestore(ctx, filepath.Join(dir, imports.RestoreDir), *dryRun, out)
		}
	}
	var files []imports.File
	for _, arg := range fs.Args() {
		names := []string{arg}
		if st, err := os.Stat(arg); err == nil && st.IsDir() {
			names = nil
			entries, err := os.ReadDir(arg)
			if err != nil {
				return fmt.Errorf("import: %w", err)
			}
			for _, e := range entries {
				ext := strings.ToLower(filepath.Ext(e.Name()))
				if !e.IsDir() && (ext == ".csv" || ext == ".xlsx") {
					names = append(names, filepath.Join(arg, e.Name()))
				}
			}
			sort.Strings(names)
		}
		for _, name := range names {
			data, err := os.ReadFile(name)
			if err != nil {
				return fmt.Errorf("import: %w", err)
			}
			files = append(files, imports.File{Name: filepath.Base(name), Data: data})
		}
	}
	db, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	opts := imports.Options{DryRun: *dryRun, SkipInvalid: *skipInvalid, Actor: audit.Actor{Label: "s106 import"}}
	if *mappingName != "" {
		ms, err := imports.Mappings(ctx, db.Pool)
		if err != nil {
			return err
		}
		found := false
		for _, m := range ms {
			if strings.EqualFold(m.Name, *mappingName) {
				opts.Mapping, found = m.Mapping, true
			}
		}
		if !found {
			return fmt.Errorf("import: no saved mapping named %q", *mappingName)
		}
	}
	rep, err := imports.Run(ctx, db, files, opts)
	if err != nil {
		return err
	}
	rep.WriteText(out)
	if *reportPath != "" {
		f, err := os.Create(*reportPath)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		if err := rep.WriteLeftOutCSV(f); err != nil {
			f.Close()
			return fmt.Errorf("import: write report: %w", err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		fmt.Fprintf(out, "wrote the left-out rows to %s\n", *reportPath)
	}
	switch {
	case rep.Errors() == 0:
		return nil
	case *dryRun && rep.Skippable:
		fmt.Fprintln(out, "dry run: the only problems are rows --skip-invalid would leave out")
		return nil
	}
	return fmt.Errorf("import: %d errors; nothing was written", rep.Errors())
}

// runRestore restores an export's restore folder into an empty database.
func runRestore(ctx context.Context, dir string, dryRun bool, out io.Writer) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	var files []imports.File
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		files = append(files, imports.File{Name: imports.RestoreDir + "/" + e.Name(), Data: data})
	}
	// A restore keeps ids, clears the seeded reference rows and resets
	// sequences: work for the owner role, not the server's.
	url, err := ownerDatabaseURL()
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := imports.Restore(ctx, db, files, audit.Actor{Label: "s106 import"}, dryRun)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	verb := "restored"
	if dryRun {
		verb = "dry run: would restore"
	}
	fmt.Fprintf(out, "%s %d tables, %d rows\n", verb, rep.Tables, rep.Rows)
	return nil
}
