package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/s106monitor/s106/internal/seed"
)

func runSeed(args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	scale := fs.String("scale", "demo", "dataset to load: demo")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: s106 seed [--scale demo]\n\nLoads the demo data (a fictional council, its users for each role and its\ndevelopments). Running it again changes nothing. Uses DATABASE_URL.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scale != "demo" {
		return fmt.Errorf("seed: unknown --scale %q (want demo)", *scale)
	}
	ctx := context.Background()
	db, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
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
