package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/s106monitor/s106/internal/config"
	"github.com/s106monitor/s106/internal/ifs"
	"github.com/s106monitor/s106/templates"
)

// runIFS prints a year's Infrastructure Funding Statement as CSV or HTML.
func runIFS(args []string) error {
	return runIFSTo(context.Background(), args, os.Stdout)
}

func runIFSTo(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("ifs", flag.ContinueOnError)
	year := fs.Int("year", 0, "the calendar year the financial year starts in: 2025 means 1 April 2025 to 31 March 2026")
	format := fs.String("format", "csv", "csv or html")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: s106 ifs --year 2025 [--format csv|html]

Prints the year's Infrastructure Funding Statement (the infrastructure list,
the CIL report of CIL Regulations 2010 Schedule 2 paragraph 1 when the
council charges the levy, and the section 106 report, paragraph 3) to
standard output, built from the live ledger. Uses DATABASE_URL.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *format != "csv" && *format != "html" {
		return fmt.Errorf("ifs: --format %q: want csv or html", *format)
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	db, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := &ifs.Service{DB: db, Organisation: cfg.Organisation, IncludeS278: cfg.IFSS278Section}
	if !svc.ValidYear(*year) {
		return fmt.Errorf("ifs: --year %d: want a year from %d to the current financial year, %d", *year, ifs.MinYear, ifs.CurrentYear(time.Now()))
	}
	st, err := svc.Build(ctx, *year)
	if err != nil {
		return err
	}
	st.Council = cfg.CouncilName
	if *format == "html" {
		return templates.IFSDocument(st).Render(ctx, out)
	}
	_, err = out.Write(ifs.CSV(st.Rows()))
	return err
}
