package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/s106monitor/s106/internal/jobs"
	"github.com/s106monitor/s106/internal/store"
)

// runRecompute implements `s106 recompute`: rebuild every kept table from
// the ledger and events, in one transaction, as the owner role.
func runRecompute(args []string) error {
	return runRecomputeTo(context.Background(), args, os.Stdout)
}

func runRecomputeTo(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("recompute", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: s106 recompute

Rebuilds every kept table (obligation and project totals, receipt shares and
deadlines, event dates, obligation states, home list keys) from the ledger
and events, in one transaction, and says what differed before. The nightly
check-kept-totals job says when this is needed. Runs as the owner role:
S106_OWNER_DATABASE_URL, or DATABASE_URL if that is not set.
`)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	url, err := ownerDatabaseURL()
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	before, _, err := jobs.Recompute(ctx, db)
	if err != nil {
		return err
	}
	if len(before) == 0 {
		_, err = fmt.Fprintln(out, "Kept tables rebuilt; they already agreed with the ledger.")
	} else {
		_, err = fmt.Fprintf(out, "Kept tables rebuilt. Before, they differed from the ledger: %s.\n", jobs.DriftSummary(before))
	}
	return err
}
