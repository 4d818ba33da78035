package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"

	"github.com/s106monitor/s106/internal/seed"
)

func runSeed(args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	scale := fs.String("scale", "demo", "dataset to load: demo, large, or a multiple of large such as 0.1 or 3")
	seedValue := fs.Uint64("seed", 106, "random seed of the generated (large) dataset")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: s106 seed [--scale demo|large|N] [--seed N]

--scale demo (the default) loads the demo data: a fictional council, its
users for each role and a dozen developments. Running it again changes
nothing.

--scale large generates a large council into an empty register: 2,000
agreements over 15 years, ~20,000 obligations, ~200,000 ledger entries and
~50,000 homes, deterministic for a given --seed. --scale N multiplies that
(0.05 is a small council, 3 a multi-council deployment).

Uses DATABASE_URL.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	var multiple float64
	switch *scale {
	case "demo":
	case "large":
		multiple = 1
	default:
		v, err := strconv.ParseFloat(*scale, 64)
		if err != nil || v <= 0 || v > 50 {
			return fmt.Errorf("seed: --scale %q: want demo, large, or a number between 0 and 50", *scale)
		}
		multiple = v
	}
	ctx := context.Background()
	db, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if multiple > 0 {
		stats, err := seed.Large(ctx, db, seed.LargeOptions{Scale: multiple, Seed: *seedValue})
		if err != nil {
			return err
		}
		fmt.Println("Loaded", stats)
		fmt.Println("Sign in as officer@wessexvale.example (password " + seed.DemoPassword + ") or any demo user.")
		return nil
	}
	logins, err := seed.Demo(ctx, db)
	if err != nil {
		return err
	}
	fmt.Println("Demo data loaded. Demo sign-ins (password for all: " + seed.DemoPassword + "):")
	for _, l := range logins {
		fmt.Printf("  %-32s %s\n", l.Email, l.Roles)
	}
	return nil
}
