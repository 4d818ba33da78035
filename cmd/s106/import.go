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
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: s106 import [--dry-run] FILE|DIR…

Imports the register template's CSV files (agreements, obligations,
projects, receipts, ledger, homes — named after their sheet; a directory
means every .csv and .xlsx file in it, so the output of 's106 export DIR'
imports as it is). Every row is checked first; any error and nothing is
written. Otherwise everything is written in one transaction. Re-importing
the same files changes nothing. Uses DATABASE_URL.

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
	rep, err := imports.Run(ctx, db, files, imports.Options{DryRun: *dryRun, Actor: audit.Actor{Label: "s106 import"}})
	if err != nil {
		return err
	}
	rep.WriteText(out)
	if rep.Errors() > 0 {
		return fmt.Errorf("import: %d errors; nothing was written", rep.Errors())
	}
	return nil
}
